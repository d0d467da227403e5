from __future__ import annotations

from kb.pipelines.search import load_search_pipeline, run_search_pipeline
from kb.service import KnowledgeBase


def test_pipeline_round_trips_through_yaml_and_gives_the_same_answer(demo_kb: KnowledgeBase) -> None:
    loaded = load_search_pipeline(demo_kb.pipeline.dumps())
    assert set(loaded.graph.nodes) == set(demo_kb.pipeline.graph.nodes)
    loaded.graph.nodes["embedder"]["instance"].warm_up()
    query, filters = "醉酒驾驶 不起诉", {"field": "meta.kind", "operator": "==", "value": "case"}
    ours = run_search_pipeline(demo_kb.pipeline, query, filters=filters, top_k=50)["hits"]
    theirs = run_search_pipeline(loaded, query, filters=filters, top_k=50)["hits"]
    assert [h.entry_id for h in ours[:5]] == [h.entry_id for h in theirs[:5]]


def test_pipeline_without_dense_branch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    kb = KnowledgeBase(make_settings(tmp_path, embedder="none"))
    assert "dense" not in kb.pipeline.graph.nodes and "embedder" not in kb.pipeline.graph.nodes
    kb.close()
