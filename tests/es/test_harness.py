"""Smoke test of the Elasticsearch test harness against the real server."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest
from elasticsearch import Elasticsearch

from api.devtools import es_server

pytestmark = pytest.mark.es

DOCS = {
    "theft": {"text": "盗窃 罪 相对 不起诉", "vector": [1.0, 0.0, 0.0, 0.0]},
    "fraud": {"text": "诈骗 罪 提起 公诉", "vector": [0.0, 1.0, 0.0, 0.0]},
    "env": {"text": "生态 环境 公益 诉讼 检察 建议", "vector": [0.0, 0.0, 1.0, 0.0]},
}


def test_cluster_is_yellow_or_green(es_client: Elasticsearch) -> None:
    health = es_client.cluster.health()
    assert health["status"] in {"yellow", "green"}
    assert health["number_of_nodes"] >= 1


def test_whitespace_text_and_dense_vector_index_and_search(es_client: Elasticsearch, es_index: str) -> None:
    es_client.indices.create(
        index=es_index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "text": {"type": "text", "analyzer": "whitespace"},
                "vector": {"type": "dense_vector", "dims": 4, "index": True, "similarity": "cosine"},
            }
        },
    )
    for doc_id, doc in DOCS.items():
        es_client.index(index=es_index, id=doc_id, document=doc)
    es_client.indices.refresh(index=es_index)

    tokens = es_client.indices.analyze(index=es_index, field="text", text="盗窃 罪 不起诉")["tokens"]
    assert [token["token"] for token in tokens] == ["盗窃", "罪", "不起诉"]

    def matching(words: str) -> list[str]:
        found = es_client.search(index=es_index, query={"match": {"text": words}})
        return sorted(hit["_id"] for hit in found["hits"]["hits"])

    assert matching("不起诉") == ["theft"]
    assert matching("公益 诈骗") == ["env", "fraud"]
    assert matching("起诉") == []  # whole tokens only: no CJK unigrams/bigrams as the standard analyzer would make

    nearest = es_client.search(
        index=es_index,
        knn={"field": "vector", "query_vector": [0.1, 0.9, 0.0, 0.0], "k": 2, "num_candidates": 10},
        source=False,
    )
    assert [hit["_id"] for hit in nearest["hits"]["hits"]] == ["fraud", "theft"]


def test_wipe_deletes_only_kb_test_indices(es_url: str, es_client: Elasticsearch) -> None:
    suffix = uuid4().hex[:8]
    doomed, kept = f"kb-test-wipe-{suffix}", f"kb-keep-{suffix}"
    for name in (doomed, kept):
        es_client.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 0})
    try:
        wiped = es_server.wipe_test_indices(es_url)
        assert doomed in wiped
        assert all(name.startswith("kb-test-") for name in wiped)
        assert not es_client.indices.exists(index=doomed)
        assert es_client.indices.exists(index=kept)
    finally:
        for name in (doomed, kept):
            es_client.options(ignore_status=[400, 404]).indices.delete(index=name)


def test_stop_never_signals_a_server_recorded_for_another_home(
    es_url: str, es_client: Elasticsearch, tmp_path: Path
) -> None:
    nodes = es_client.nodes.info(metric="process")["nodes"]
    pid = next(iter(nodes.values()))["process"]["id"]
    (tmp_path / "es.json").write_text(json.dumps({"url": es_url, "pid": pid}), encoding="utf-8")

    assert es_server.status(home=tmp_path)["running"] is False
    es_server.stop(home=tmp_path)

    assert es_client.cluster.health()["status"] in {"yellow", "green"}
