"""How deep a search goes: a pasted fact text asks each retriever for more chunks than a typed query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kb.service as service
from kb.config import load_settings
from kb.errors import ConfigError
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from tests.conftest import make_settings

SHORT = "醉酒驾驶 不起诉"
# a pasted fact description (示例), longer than the 120 characters that make a query long
LONG = (
    "示例：2023年5月1日晚21时许，犯罪嫌疑人甲在朋友家中饮酒后，驾驶一辆小型普通客车沿城区人民路由东向西行驶，"
    "行至人民路与解放路交叉口时被执勤交警拦下检查。经呼气检测，甲呼出气体中乙醇含量超标，随即被带至医院抽取血样。"
    "经鉴定，甲血液中乙醇含量为156mg/100ml，属于醉酒驾驶机动车。甲到案后如实供述了自己的罪行。"
)


def test_a_long_query_searches_deeper_and_a_short_one_as_before(kb: KnowledgeBase) -> None:
    assert not kb.normalizer.is_long(SHORT) and kb.normalizer.is_long(LONG)
    assert kb.search_depth(SHORT) == 100
    assert kb.search_depth(LONG) == kb.settings.long_query_candidates == 1500
    assert kb.search_depth(SHORT, need=80) == 160  # a deep page still gets twice the entries it shows


def test_search_asks_the_pipeline_for_that_depth(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real = service.run_search_pipeline

    def spy(*args: Any, top_k: int, **kwargs: Any) -> dict[str, Any]:
        asked.append(top_k)
        return real(*args, top_k=top_k, **kwargs)

    monkeypatch.setattr(service, "run_search_pipeline", spy)
    kb.search(SearchRequest(query=SHORT))
    kb.search(SearchRequest(query=LONG))
    assert asked == [100, 1500]


def test_the_depth_is_a_setting(tmp_path: Path) -> None:
    deeper = KnowledgeBase(make_settings(tmp_path / "a", long_query_candidates=2000))
    try:
        assert deeper.search_depth(LONG) == 2000
    finally:
        deeper.close()


def test_a_depth_below_the_typed_querys_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_LONG_QUERY_CANDIDATES", "10")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "KB_LONG_QUERY_CANDIDATES" in str(raised.value)


def test_the_inferred_charges_reach_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KB_INFERRED_REACH: how many of the first results the charges inferred for a pasted text order (default 50)."""
    default = KnowledgeBase(make_settings(tmp_path / "a"))
    shorter = KnowledgeBase(make_settings(tmp_path / "b", inferred_reach=3))
    try:
        assert default.pipeline.get_component("ranker").inferred_reach == 50
        assert shorter.pipeline.get_component("ranker").inferred_reach == 3
    finally:
        default.close()
        shorter.close()
    monkeypatch.setenv("KB_INFERRED_REACH", "-1")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "KB_INFERRED_REACH" in str(raised.value)
