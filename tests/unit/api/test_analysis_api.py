"""POST /api/analysis on the demo corpus, and the divergences it collects for the guidance center."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import kb.analysis
from api.main import create_app
from ingest.pipeline import ingest_paths
from kb.accounts import Role
from kb.service import KnowledgeBase
from tests.conftest import DEMO
from tests.unit.api.fact_texts import MINOR_INJURY, TWO_FACTS
from tests.unit.api.test_auth import add_user, audit_rows, auth_settings, token_for

THEFT = (
    "示例：犯罪嫌疑人王某在超市盗窃手机一部，价值人民币二千元。到案后如实供述，自愿认罪认罚，"
    "其父母代为赔偿并取得被害人谅解。"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    settings = auth_settings(tmp_path_factory.mktemp("an") / "kb", anonymous_role="检察官")
    knowledge = KnowledgeBase(settings)
    assert ingest_paths(knowledge, [DEMO / "cases", DEMO / "laws"]).ok
    application = create_app(settings, kb=knowledge)
    yield application
    knowledge.close()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def test_a_pasted_case_gets_suggested_provisions_with_their_reasons(client: TestClient) -> None:
    response = client.post("/api/analysis", json={"text": THEFT, "top_k": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    suggested = body["suggested_provisions"]
    assert 0 < len(suggested) <= 10
    theft = next(p for p in suggested if p["article"] == "第二百六十四条")
    assert theft["law_title"] == "中华人民共和国刑法（示例节选）"
    assert theft["charges"] == ["盗窃罪"]  # inferred from the nearest cases, defined by 第二百六十四条
    case_ids = {c["id"] for c in body["cases"]}
    assert theft["cited_by"] and {c["id"] for c in theft["cited_by"]} <= case_ids
    assert all(c["title"] for c in theft["cited_by"])
    assert suggested.index(theft) < 3
    for p in suggested:
        assert len(p["text"]) <= 300 and p["score"] > 0
        assert p["cited_by"] or p["charges"] or p["direct_rank"]
    scores = [p["score"] for p in suggested]
    assert scores == sorted(scores, reverse=True)
    # the anchor is the article's section in the law entry
    law = client.get(f"/api/entries/{theft['law_entry_id']}").json()
    assert law["sections"][theft["section_index"]]["heading"] == "第二百六十四条"


def test_a_civil_dispute_gets_a_well_formed_list_not_an_error(client: TestClient) -> None:
    response = client.post("/api/analysis", json={"text": "示例：甲与乙之间的买卖合同纠纷，货款未付。", "top_k": 5})
    assert response.status_code == 200, response.text
    suggested = response.json()["suggested_provisions"]
    assert isinstance(suggested, list)
    assert all(p["law_entry_id"] and p["article"].startswith("第") for p in suggested)


def test_a_pasted_case_gets_its_comparison_distribution_and_divergence(client: TestClient) -> None:
    response = client.post("/api/analysis", json={"text": THEFT, "top_k": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"]["charges"] == ["盗窃罪"] and body["query"]["charges_inferred"] is True
    assert {"认罪认罚", "赔偿谅解"} <= set(body["query"]["factors"])
    cases = body["cases"]
    assert len(cases) == 10 and all(0 <= c["similarity"] <= 1 for c in cases)
    assert any("盗窃" in c["title"] for c in cases[:3])
    assert {c["authority"] for c in cases} <= {"指导性", "典型", "参考"}
    rows = {row["field"]: row for row in body["comparison"]}
    assert list(rows) == ["charges", "outcomes", "factors", "provisions"]
    assert [cell["id"] for cell in rows["factors"]["cases"]] == [c["id"] for c in cases]
    shares = body["distribution"]["outcomes"]
    assert shares and sum(s["share"] for s in shares) == pytest.approx(1.0, abs=0.01)
    listed = {i for s in shares for i in s["case_ids"]}
    assert listed <= {c["id"] for c in cases}
    assert body["divergence"]["threshold"] == kb.analysis.DIVERGENCE_SIMILARITY


def test_bad_text_is_refused_in_chinese(client: TestClient) -> None:
    blank = client.post("/api/analysis", json={"text": "   "})
    assert blank.status_code == 422 and "案情" in blank.json()["detail"]
    assert client.post("/api/analysis", json={"text": "案" * 20_001}).status_code == 422
    assert client.post("/api/analysis", json={"text": THEFT, "top_k": 500}).status_code == 422
    assert client.post("/api/analysis", json={"text": THEFT, "filters": {"x": ["y"]}}).status_code == 422


def test_divergences_are_collected_for_the_guidance_center(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kb.analysis, "DIVERGENCE_SIMILARITY", 0.0)  # every returned case counts as close
    text = "另一示例：" + THEFT
    first = client.post("/api/analysis", json={"text": text, "top_k": 10}).json()["divergence"]
    assert first["flagged"] and len(first["groups"]) >= 2 and "分歧线索" in first["detail"]
    client.post("/api/analysis", json={"text": text + "  ", "top_k": 10})  # the same text again: one row
    reviewer = token_for(app, add_user(app, "reviewer-an", Role.REVIEWER))
    listed = client.get("/api/analysis/divergences", headers=reviewer).json()
    (row,) = [item for item in listed["items"] if item["query_excerpt"].startswith("另一示例")]
    assert row["seen"] == 2 and row["charges"] == ["盗窃罪"] and "王某" in row["query_excerpt"]
    assert [c["id"] for c in row["cases"]] == row["case_ids"] and all(c["title"] for c in row["cases"])
    prosecutor = token_for(app, add_user(app, "prosecutor-an", Role.PROSECUTOR))
    assert client.get("/api/analysis/divergences", headers=prosecutor).status_code == 403
    assert audit_rows(app, "analysis.run")


def test_charges_named_in_the_text_are_not_inferred(client: TestClient) -> None:
    body = client.post(
        "/api/analysis", json={"text": "醉酒驾驶机动车，涉嫌危险驾驶罪，血液酒精含量一百二十毫克。"}
    ).json()
    assert body["query"]["charges"] == ["危险驾驶罪"] and body["query"]["charges_inferred"] is False
    assert body["query"]["inferred_notes"] == []


def test_the_analysis_says_why_the_text_changed_the_vote(client: TestClient) -> None:
    response = client.post("/api/analysis", json={"text": MINOR_INJURY, "top_k": 10})
    assert response.status_code == 200, response.text
    query = response.json()["query"]
    assert "故意伤害罪" not in query["charges"]
    assert query["inferred_notes"] == ["案情所述伤情为轻微伤，未达轻伤，不按故意伤害罪推断"]
    theft = client.post("/api/analysis", json={"text": THEFT, "top_k": 10}).json()["query"]
    assert theft["charges_inferred"] is True and theft["inferred_notes"] == []


def test_each_numbered_fact_votes_in_the_comparison_too(client: TestClient) -> None:
    response = client.post("/api/analysis", json={"text": TWO_FACTS, "top_k": 10})
    assert response.status_code == 200, response.text
    query = response.json()["query"]
    assert query["charges_inferred"] is True
    assert set(query["charges"]) >= {"盗窃罪", "危险驾驶罪"}
    assert "案情第二部分另按危险驾驶罪推断" in query["inferred_notes"]
