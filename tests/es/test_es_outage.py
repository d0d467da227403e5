"""Nothing is lost when Elasticsearch goes down in the middle of an ingest (the outbox).

Two variants:
- through a TCP proxy that is cut between the bulk write of an entry's new chunks and the delete of its old ones
  (the worst moment: both versions are in the index), then restored; fast, runs with every `es` session;
- the real thing (`slow`): a second test server started by the harness is stopped mid-ingest and started again.

After `kb index retry` every record must be in the index exactly once: per entry exactly the chunks of its current
version, no leftovers of the old version, no duplicates, an empty outbox.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.devtools import es_server
from kb.models import Entry, Section
from kb.service import KnowledgeBase
from kb.stores.elasticsearch import ElasticsearchChunkStore
from tests.es.es_kb import DEMO_SOURCES, drop_indices, es_knowledge_base, es_store, load_demo, new_index_name
from tests.es.tcp_proxy import TcpProxy

pytestmark = pytest.mark.es


def _assert_indexed_exactly_once(kb: KnowledgeBase) -> None:
    store = es_store(kb)
    docs = store.filter_documents()
    ids = [d.id for d in docs]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    chunks_by_entry = Counter(d.meta["entry_id"] for d in docs)
    versions = {(d.meta["entry_id"], d.meta["version"]) for d in docs}
    expected: dict[str, int] = {}
    for entry_id, version, entry in kb.records.iter_current():
        expected[entry_id] = len(kb.chunks_for(entry_id, version, entry))
        assert {v for e, v in versions if e == entry_id} == {version}, f"{entry_id}: stale or missing version"
    assert dict(chunks_by_entry) == expected
    assert kb.records.pending_count() == 0
    assert store.count_documents() == sum(expected.values())


def _revised(kb: KnowledgeBase) -> list[Entry]:
    """Version 2 of every case: one more sentence in its facts, so every chunk id changes."""
    revised = []
    for _, _, entry in kb.records.iter_current():
        if entry.kind != "case":
            continue
        extra = Section("facts", "基本案情", "（示例修订：补充说明案发经过。）")
        revised.append(replace(entry, sections=[*entry.sections, extra]))
    return revised


def _cut_during_replace(store: ElasticsearchChunkStore, at_call: int, cut: Callable[[], None]) -> list[int]:
    """Call `cut` inside the at_call-th replace_documents, after its new chunks are written, before the old go."""
    calls = [0]
    original = store._delete_query

    def delete_query(query: dict[str, Any]) -> int:
        calls[0] += 1
        if calls[0] == at_call:
            cut()
        return original(query)

    store._delete_query = delete_query  # type: ignore[method-assign]
    return calls


def _cli(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result


@pytest.fixture
def proxy(es_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(es_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 9200).start()
    yield proxy
    proxy.close()


def test_outage_mid_ingest_then_retry_indexes_every_record_once(es_url: str, proxy: TcpProxy, tmp_path: Path) -> None:
    index = new_index_name("outage")
    home = tmp_path / "kb"
    kb = es_knowledge_base(proxy.url, home, index=index, timeout_s=2)
    try:
        load_demo(kb)
        _assert_indexed_exactly_once(kb)
        revised = _revised(kb)
        store = es_store(kb)
        calls = _cut_during_replace(store, 6, proxy.cut)
        for start in range(0, len(revised), 4):  # an ingest of several files, four entries each
            results = kb.add_entries(revised[start : start + 4])
            assert all(r.status == "updated" and r.version == 2 for r in results)
        assert proxy.cuts == 1 and calls[0] >= 6
        # every record is committed at version 2; what the index missed is queued
        assert {v for _, v, e in kb.records.iter_current() if e.kind == "case"} == {2}
        pending = kb.records.pending_count()
        assert pending >= len(revised) - 5

        env = {
            "KB_HOME": str(home),
            "KB_STORE": "elasticsearch",
            "KB_ES__URL": proxy.url,
            "KB_ES__INDEX": index,
            "KB_ES__TIMEOUT_S": "2",
            "KB_EMBEDDER": "hash",
        }
        status = _cli(env, "index", "status")
        assert status.exit_code == 0 and f"待索引：{pending}" in status.output
        failed = _cli(env, "index", "retry")  # still down: fails fast, nothing lost
        assert failed.exit_code == 1 and kb.records.pending_count() == pending

        proxy.restore()
        retried = _cli(env, "index", "retry")
        assert retried.exit_code == 0, retried.output
        assert "失败 0" in retried.output
        _assert_indexed_exactly_once(kb)
        # a second retry has nothing to do and changes nothing
        assert kb.index_pending().indexed == 0
        _assert_indexed_exactly_once(kb)
    finally:
        kb.close()
        drop_indices(es_url, index)


@pytest.mark.slow
def test_real_server_stopped_mid_ingest_and_started_again() -> None:
    """A second server of our own: stopped while the demo corpus is being ingested, started again on the same
    data directory, then `index retry`.

    Its home is under var/ (pytest's tmp dirs may be rotated away by concurrent sessions while the server still uses
    them). The KB reaches it through a TcpProxy with a fixed port, because the restarted server may need another
    port: the harness refuses a port that is still in TIME_WAIT after the stop.
    """
    es_home = Path(__file__).resolve().parents[2] / "var" / f"es-outage-{uuid4().hex[:8]}"
    url = es_server.start(home=es_home, heap_mb=512)
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 9200).start()
    kb = es_knowledge_base(proxy.url, es_home / "kb", index=new_index_name("stop"), timeout_s=2)
    try:
        stopped = threading.Event()

        def stop_server() -> None:
            es_server.stop(home=es_home)
            stopped.set()

        _cut_during_replace(es_store(kb), 15, stop_server)
        from ingest.pipeline import ingest_paths

        report = ingest_paths(kb, DEMO_SOURCES)
        assert stopped.is_set() and report.ok  # every file's records are committed
        pending = kb.records.pending_count()
        assert pending > 0
        assert kb.index_pending().failed > 0  # still down: nothing indexed, nothing lost
        assert kb.records.pending_count() == pending

        url = es_server.start(home=es_home, heap_mb=512)
        parts = urlsplit(url)
        proxy.upstream = (parts.hostname or "127.0.0.1", parts.port or 9200)
        retry = kb.index_pending()
        assert retry.failed == 0, retry.error
        _assert_indexed_exactly_once(kb)
    finally:
        kb.close()
        proxy.close()
        es_server.stop(home=es_home)
        shutil.rmtree(es_home, ignore_errors=True)
