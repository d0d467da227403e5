"""Knowledge bases on the test Elasticsearch: built like tests/conftest.py's, with KB_STORE=elasticsearch.

A helper module (not collected): the contract suite and the tests in tests/es build their ES knowledge bases here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

from elasticsearch import Elasticsearch

from kb.config import EsSettings
from kb.service import KnowledgeBase
from kb.stores.elasticsearch import ElasticsearchChunkStore
from tests.conftest import DEMO, make_settings

DEMO_SOURCES = [DEMO / "cases", DEMO / "guidelines", DEMO / "power_list", DEMO / "laws"]


def new_index_name(label: str = "") -> str:
    return f"kb-test-{label + '-' if label else ''}{uuid4().hex[:8]}"


def es_knowledge_base(
    es_url: str, home: Path, *, index: str | None = None, timeout_s: float = 10.0, **overrides: Any
) -> KnowledgeBase:
    """A KnowledgeBase whose index lives on the test server (embedder "hash" unless overridden)."""
    es = EsSettings(url=es_url, index=index or new_index_name(), timeout_s=timeout_s)
    return KnowledgeBase(make_settings(home, store="elasticsearch", es=es, **overrides))


def load_demo(kb: KnowledgeBase) -> None:
    from ingest.pipeline import ingest_paths

    report = ingest_paths(kb, DEMO_SOURCES)
    assert report.ok, [f.to_dict() for f in report.files if f.status == "failed"]


def drop_indices(es_url: str, alias: str) -> None:
    """Delete every index of `alias` (the alias itself cannot be deleted by name)."""
    client = Elasticsearch(es_url, request_timeout=30)
    try:
        found = client.options(ignore_status=404).indices.get(index=f"{alias}*", expand_wildcards="open,closed")
        for name in found:
            if name == alias or name.startswith(f"{alias}-v"):
                client.options(ignore_status=[400, 404]).indices.delete(index=name)
    finally:
        client.close()


def es_store(kb: KnowledgeBase) -> ElasticsearchChunkStore:
    store = kb.store
    assert isinstance(store, ElasticsearchChunkStore)
    return store
