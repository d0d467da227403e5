from __future__ import annotations

from kb.components.legal_element_ranker import INFERRED_REACH
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


def test_the_pipeline_reports_its_rankers_reach_as_configured(demo_kb: KnowledgeBase) -> None:
    """The search marks where the inferred charges stop ordering the list by the ranker's own `inferred_reach`."""
    query = "示例：犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 3
    assert run_search_pipeline(demo_kb.pipeline, query, filters=None, top_k=50)["inferred_reach"] == INFERRED_REACH
    loaded = load_search_pipeline(
        demo_kb.pipeline.dumps().replace(f"inferred_reach: {INFERRED_REACH}", "inferred_reach: 7")
    )
    loaded.graph.nodes["embedder"]["instance"].warm_up()
    assert run_search_pipeline(loaded, query, filters=None, top_k=50)["inferred_reach"] == 7
