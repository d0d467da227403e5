"""Versioned indices behind an alias: `<alias>-v<N>-<UTC timestamp>`, swapped in one `_aliases` call.

Searches always go through the alias. `kb reindex` fills a fresh index next to the live one and then moves the alias
with a single atomic remove+add, so readers see either the old index or the complete new one, never a half-built
one. Indices of this alias that are not behind it (left by an interrupted reindex) are deleted at the next swap.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from kb.errors import ConfigError
from kb.stores.elasticsearch_mapping import SCHEMA_VERSION

logger = logging.getLogger(__name__)

_ALIAS_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,200}$")


def check_alias_name(name: str) -> str:
    if not _ALIAS_NAME.fullmatch(name) or name in (".", ".."):
        msg = (
            f"Elasticsearch 索引名无效：{name!r}。索引名须为小写字母、数字、'-'、'_'、'.'，"
            "且以字母或数字开头（配置项 KB_ES__INDEX）"
        )
        raise ConfigError(msg, index=name)
    return name


@dataclass
class IndexState:
    """What is behind the alias right now."""

    indices: list[str] = field(default_factory=list)
    schema: int | None = None
    dims: int | None = None
    needs_reindex: bool = False
    legacy: bool = False  # a plain index carries the alias's name (not created by this store)
    problem: str | None = None  # why the index cannot be used as it is (a reindex fixes it)


class VersionedAlias:
    def __init__(self, alias: str, *, mappings: dict[str, Any], settings: dict[str, Any]) -> None:
        self.alias = check_alias_name(alias)
        self.mappings = mappings
        self.settings = settings
        self._pattern = re.compile(rf"^{re.escape(alias)}-v(\d+)-(\d{{14}})$")

    # --- reading the state ---------------------------------------------------------------------------------

    def versions(self, client: Elasticsearch) -> list[str]:
        """Every index of this alias's naming scheme, oldest version first."""
        found = client.options(ignore_status=404).indices.get(index=f"{self.alias}-v*", expand_wildcards="open,closed")
        names = [name for name in found if self._pattern.fullmatch(name)]
        return sorted(names, key=self._version)

    def _version(self, name: str) -> int:
        match = self._pattern.fullmatch(name)
        return int(match.group(1)) if match else 0

    def behind_alias(self, client: Elasticsearch) -> list[str]:
        found = client.options(ignore_status=404).indices.get_alias(name=self.alias)
        return sorted(name for name in found if name != "error" and isinstance(found[name], dict))

    def state(self, client: Elasticsearch, *, embedding_dim: int | None, title_weight: int) -> IndexState:
        indices = self.behind_alias(client)
        legacy = False
        if not indices and client.indices.exists(index=self.alias):
            indices, legacy = [self.alias], True
        state = IndexState(indices=indices, legacy=legacy)
        if not indices:
            return state
        mappings = client.indices.get_mapping(index=indices[0])
        body = next(iter(mappings.values()))["mappings"]
        meta = body.get("_meta") or {}
        state.schema = meta.get("kb_schema")
        state.needs_reindex = bool(meta.get("needs_reindex"))
        vector = body.get("properties", {}).get("embedding", {})
        state.dims = vector.get("dims") if vector.get("type") == "dense_vector" else None
        if len(indices) > 1:
            state.problem = f"别名 {self.alias} 同时指向多个索引（{'、'.join(indices)}）；请运行 kb reindex 重建索引"
        elif state.schema != SCHEMA_VERSION:
            found = state.schema if state.schema is not None else "未知（非本程序创建）"
            state.problem = (
                f"索引 {indices[0]} 的结构版本为 {found}，本程序需要 {SCHEMA_VERSION}；请运行 kb reindex 重建索引"
            )
        elif meta.get("title_weight") != title_weight:
            state.problem = (
                f"索引 {indices[0]} 按标题权重 {meta.get('title_weight')} 建立，配置的标题权重为 {title_weight}；"
                "请运行 kb reindex 重建索引"
            )
        elif embedding_dim is not None and state.dims is not None and state.dims != embedding_dim:
            state.problem = (
                f"索引 {indices[0]} 中的向量为 {state.dims} 维，配置的向量模型为 {embedding_dim} 维；"
                "更换向量模型后请运行 kb reindex 重建索引"
            )
        return state

    # --- creating and swapping --------------------------------------------------------------------------------

    def new_name(self, client: Elasticsearch) -> str:
        existing = self.versions(client)
        version = self._version(existing[-1]) + 1 if existing else 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{self.alias}-v{version}-{stamp}"

    def create(self, client: Elasticsearch, *, with_alias: bool, needs_reindex: bool = False) -> str:
        """A new, empty versioned index; with_alias puts it behind the alias in the same request."""
        name = self.new_name(client)
        mappings = dict(self.mappings)
        mappings["_meta"] = {**mappings.get("_meta", {}), "needs_reindex": needs_reindex}
        client.indices.create(
            index=name,
            mappings=mappings,
            settings=self.settings,
            aliases={self.alias: {"is_write_index": True}} if with_alias else None,
            wait_for_active_shards="1",
        )
        logger.info("created index %s%s", name, " behind alias " + self.alias if with_alias else "")
        if with_alias:
            self._settle_race(client, name)
        return name

    def _settle_race(self, client: Elasticsearch, created: str) -> None:
        """Two processes that created the first index at the same moment: the older name keeps the alias."""
        behind = self.behind_alias(client)
        if len(behind) > 1 and created != min(behind):
            client.indices.update_aliases(actions=[{"remove_index": {"index": created}}])
            logger.warning("index %s lost a creation race; %s keeps alias %s", created, min(behind), self.alias)

    def swap(self, client: Elasticsearch, new: str) -> list[str]:
        """Point the alias at `new` only (one atomic request), then delete every other index of this alias."""
        client.indices.refresh(index=new)
        actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": self.alias, "is_write_index": True}}]
        old = [name for name in self.behind_alias(client) if name != new]
        actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
        if client.indices.exists(index=self.alias) and not self.behind_alias(client):
            actions.append({"remove_index": {"index": self.alias}})  # a plain index with the alias's name
        client.indices.update_aliases(actions=actions)
        doomed = sorted({*old, *(name for name in self.versions(client) if name != new)} - {self.alias})
        for name in doomed:
            client.options(ignore_status=404).indices.delete(index=name)
        logger.info("alias %s now points at %s; deleted %s", self.alias, new, doomed or "nothing")
        return doomed

    def drop(self, client: Elasticsearch, name: str) -> None:
        if self._pattern.fullmatch(name) and name not in self.behind_alias(client):
            client.options(ignore_status=404).indices.delete(index=name)
