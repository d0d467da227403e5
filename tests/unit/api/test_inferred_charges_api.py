"""The search response names the charges the ranking inferred for a pasted fact text (`analysis.inferred_charges`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from tests.unit.api.fact_texts import GUN_HIDDEN, MINOR_INJURY, ONE_FACT, TWO_FACTS
from tests.unit.api.test_api import _open_reading

# 示例 facts that never name their charge (> 120 characters: a long query).
FACTS = (
    "示例：犯罪嫌疑人张某于某日深夜窜至某小区地下车库，趁无人看管之机，用随身携带的工具撬开一辆轿车的车门，"
    "拿走车内放置的笔记本电脑一台及现金若干，价值共计人民币八千余元。次日张某将电脑变卖，得款后挥霍。"
    "案发后张某被公安机关抓获，到案后如实供述了上述事实，赃款已由其亲属退赔，被害人表示谅解。"
)
NAMED = FACTS + "公安机关以盗窃罪移送审查起诉。"


@pytest.fixture(scope="module")
def client(demo_kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(_open_reading(demo_kb.settings), kb=demo_kb)) as c:
        yield c


def _analysis(client: TestClient, query: str, **body: Any) -> dict[str, Any]:
    response = client.post("/api/search", json={"q": query, "page_size": 5, **body})
    assert response.status_code == 200, response.text
    analysis: dict[str, Any] = response.json()["analysis"]
    return analysis


def test_a_long_fact_text_naming_no_charge_reports_the_inferred_charges(client: TestClient) -> None:
    analysis = _analysis(client, FACTS)
    assert analysis["long_query"] and analysis["charges"] == []
    inferred = analysis["inferred_charges"]
    assert inferred and inferred[0]["charge"] == "盗窃罪"
    shares = [item["share"] for item in inferred]
    assert shares == sorted(shares, reverse=True)
    assert all(0.3 <= share <= 1 and share == round(share, 2) for share in shares)  # ≥ the ranker's 30 % threshold
    hits = client.post("/api/search", json={"q": FACTS, "page_size": 3}).json()["hits"]
    assert all("盗窃罪" in hit["charges"] for hit in hits)  # the inferred charge's cases lead, as the line says


def test_the_same_holds_for_get_and_for_another_charge(client: TestClient) -> None:
    drunk = "犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 20
    response = client.get("/api/search", params={"q": drunk[:1500]})
    assert response.status_code == 200, response.text
    assert response.json()["analysis"]["inferred_charges"][0]["charge"] == "危险驾驶罪"


def test_a_named_charge_a_short_query_and_browsing_infer_nothing(client: TestClient) -> None:
    named = _analysis(client, NAMED)
    assert named["charges"] == ["盗窃罪"] and named["inferred_charges"] == []
    short = _analysis(client, "撬车门 拿走电脑")
    assert not short["long_query"] and short["inferred_charges"] == []
    assert _analysis(client, "", filters={"charges": ["盗窃罪"]})["inferred_charges"] == []


def test_the_response_says_how_many_first_results_the_inferred_charges_order(
    client: TestClient, demo_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`analysis.inferred_reach` is the ranker's configured reach (the demo corpus has fewer than its 50 cases)."""
    assert _analysis(client, FACTS)["inferred_reach"] is None  # the list is not longer than 50
    monkeypatch.setattr(demo_kb.pipeline.get_component("ranker"), "inferred_reach", 3)
    assert _analysis(client, FACTS)["inferred_reach"] == 3
    assert _analysis(client, FACTS, page=2)["inferred_reach"] == 3
    assert client.get("/api/search", params={"q": FACTS}).json()["analysis"]["inferred_reach"] == 3
    assert _analysis(client, FACTS, sort="date")["inferred_reach"] is None
    assert _analysis(client, NAMED)["inferred_reach"] is None
    assert _analysis(client, "撬车门 拿走电脑")["inferred_reach"] is None
    assert _analysis(client, "", filters={"charges": ["盗窃罪"]})["inferred_reach"] is None


def test_the_response_says_why_the_fact_text_changed_the_vote(client: TestClient) -> None:
    analysis = _analysis(client, MINOR_INJURY)
    assert analysis["long_query"] and analysis["charges"] == []
    assert all(item["charge"] != "故意伤害罪" for item in analysis["inferred_charges"])
    assert analysis["inferred_notes"] == ["案情所述伤情为轻微伤，未达轻伤，不按故意伤害罪推断"]
    # no check changed the vote for the theft, nothing is said; switched off, nothing is inferred or said
    assert _analysis(client, FACTS)["inferred_notes"] == []
    assert _analysis(client, MINOR_INJURY, infer_charges=False)["inferred_notes"] == []
    assert _analysis(client, "", filters={"charges": ["盗窃罪"]})["inferred_notes"] == []


def test_the_openapi_schema_describes_the_inferred_charges(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    field = schemas["Analysis"]["properties"]["inferred_charges"]
    assert "推断" in field["description"]
    assert set(schemas["InferredCharge"]["required"]) == {"charge", "share"}
    notes = schemas["Analysis"]["properties"]["inferred_notes"]
    assert "校正" in notes["description"] and notes["items"] == {"type": "string"}
    reach = schemas["Analysis"]["properties"]["inferred_reach"]
    assert "推断罪名" in reach["description"] and {"type": "null"} in reach["anyOf"]


def test_the_inference_can_be_switched_off_by_post_and_get(client: TestClient) -> None:
    off = _analysis(client, FACTS, infer_charges=False)
    assert off["long_query"] and off["inferred_charges"] == [] and off["inferred_reach"] is None
    response = client.get("/api/search", params={"q": FACTS, "infer_charges": "false"})
    assert response.status_code == 200, response.text
    assert response.json()["analysis"]["inferred_charges"] == []
    assert client.get("/api/search", params={"q": FACTS}).json()["analysis"]["inferred_charges"]  # on by default
    # the same cases either way; only their order may differ
    on_ids = {h["id"] for h in client.post("/api/search", json={"q": FACTS, "page_size": 100}).json()["hits"]}
    body = {"q": FACTS, "page_size": 100, "infer_charges": False}
    assert on_ids and {h["id"] for h in client.post("/api/search", json=body).json()["hits"]} == on_ids


def test_a_bad_infer_charges_value_is_refused_in_chinese(client: TestClient) -> None:
    response = client.post("/api/search", json={"q": FACTS, "infer_charges": "也许"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "请求参数无效：body.infer_charges"
    assert client.post("/api/search", json={"q": FACTS, "infer_charges": 0}).status_code == 422  # true or false only
    response = client.get("/api/search", params={"q": FACTS, "infer_charges": "也许"})
    assert response.status_code == 422


def test_a_charge_whose_act_the_text_never_tells_of_is_not_inferred(client: TestClient) -> None:
    """The nearest demo cases of a gun text are of other crimes; their charges are not inferred, and the page is told."""
    analysis = _analysis(client, GUN_HIDDEN)
    assert analysis["long_query"] and analysis["charges"] == []
    assert analysis["inferred_charges"] == []
    assert len(analysis["inferred_notes"]) == 1
    assert analysis["inferred_notes"][0].startswith("案情未述及相应的犯罪行为，不按")
    unchecked = _analysis(client, GUN_HIDDEN, infer_charges=False)
    assert unchecked["inferred_charges"] == [] and unchecked["inferred_notes"] == []


def test_each_numbered_fact_of_a_text_votes_for_its_own_charge(client: TestClient, demo_kb: KnowledgeBase) -> None:
    """A theft told at length, then a drunk drive as part 二: the drive's charge is inferred too (the part vote)."""
    numbered = _analysis(client, TWO_FACTS)
    charges = [item["charge"] for item in numbered["inferred_charges"]]
    assert set(charges) == {"盗窃罪", "危险驾驶罪"}
    assert numbered["inferred_notes"] == ["案情第二部分另按危险驾驶罪推断"]  # where the second charge comes from
    unnumbered = [item["charge"] for item in _analysis(client, ONE_FACT)["inferred_charges"]]
    assert "危险驾驶罪" not in unnumbered and unnumbered[0] == "盗窃罪"  # one vote: the longer theft's cases
    hits = client.post("/api/search", json={"q": TWO_FACTS, "page_size": 10}).json()["hits"]
    assert any("危险驾驶罪" in hit["charges"] for hit in hits[:5])  # the drive's cases are among the first
    # the part searches run only where a vote runs
    assert len(demo_kb.search(SearchRequest(query=TWO_FACTS)).part_votes) == 2
    assert demo_kb.search(SearchRequest(query=TWO_FACTS, infer_charges=False)).part_votes == []
    assert demo_kb.search(SearchRequest(query=TWO_FACTS + "公安机关以盗窃罪移送审查起诉。")).part_votes == []
    assert demo_kb.search(SearchRequest(query=ONE_FACT)).part_votes == []


def test_numbered_texts_too_long_empty_or_hostile_get_a_clear_answer(client: TestClient) -> None:
    """The part searches add no new way to fail: too long is refused as before, degenerate parts are searched."""
    huge = "".join(f"{n}、{TWO_FACTS}" for n in "一二三四五六七八九十") * 10  # over 20,000 characters
    response = client.post("/api/search", json={"q": huge})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_query" and response.json()["detail"].startswith("查询过长")
    empty_parts = "示例：" + "".join(f"{n}、。" for n in "一二三四五六") + TWO_FACTS.removeprefix("示例：")
    assert client.post("/api/search", json={"q": empty_parts}).status_code == 200
    emoji_part = TWO_FACTS.replace("二、", "二、" + "😀" * 40 + "。三、")  # a part of nothing searchable is skipped
    response = client.post("/api/search", json={"q": emoji_part})
    assert response.status_code == 200, response.text
    assert {c["charge"] for c in response.json()["analysis"]["inferred_charges"]} == {"盗窃罪", "危险驾驶罪"}
    hostile = "一、<script>alert(1)</script>' OR 1=1 --" + "甲" * 40 + "。二、{{7*7}} ${jndi:x}" + "乙" * 40 + "。" * 3
    response = client.post("/api/search", json={"q": hostile * 2})
    assert response.status_code == 200, response.text
    assert response.json()["analysis"]["long_query"] is True
