"""A law's cases (GET /api/entries/{id}/cases: the published cases citing its articles, by authority then by how
many of its articles they cite) and its article count in the entry list (EntrySummary.article_count)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb.models import Entry, EntryKind, Section
from kb.service import KnowledgeBase
from tests.conftest import citing_case, make_settings

LAW = Entry(
    kind=EntryKind.LAW.value,
    title="中华人民共和国示例保护法",
    illustrative=True,
    sections=[
        Section(key="body", heading="说明", text="本法为测试而设（示例）。"),
        Section(key="article", heading="第一条", text="第一条的内容（示例）。", path=["第一章 总则"]),
        Section(key="article", heading="第二条", text="第二条的内容（示例）。", path=["第一章 总则"]),
        Section(key="article", heading="第二条之一", text="第二条之一的内容（示例）。", path=["第一章 总则"]),
    ],
)
UNCITED_LAW = Entry(
    kind=EntryKind.LAW.value,
    title="中华人民共和国无人引用法",
    illustrative=True,
    sections=[Section(key="article", heading="第一条", text="无人引用的条文（示例）。")],
)


# 参考 cites two articles (once in the short name, once in the full one), 指导性 one: authority comes first.
REFERENCE = citing_case(
    "乙某违反保护规定案（示例）",
    "示例参-002",
    ["《示例保护法》第一条", "《中华人民共和国示例保护法》第二条之一", "《示例保护法》第二条之一"],
    "参考案例",
)
GUIDING = citing_case("甲某违反保护规定案（示例）", "检例第901号", ["《示例保护法》第二条"], "指导性案例")
NOT_CITING = citing_case("丙某盗窃案（示例）", "示例参-003", ["《刑法》第二百六十四条"], "参考案例")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(Path(tmp_path_factory.mktemp("law-cases")) / "kb")
    kb = KnowledgeBase(settings)
    kb.add_entries([LAW, UNCITED_LAW, REFERENCE, GUIDING, NOT_CITING])
    kb.add_entries(
        [citing_case("丁某草稿案（示例）", "示例参-004", ["《示例保护法》第一条"], "指导性案例")], publish=False
    )
    with TestClient(create_app(settings, kb=kb)) as c:
        yield c
    kb.close()


def test_a_law_lists_the_cases_citing_it_by_authority_then_articles_cited(client: TestClient) -> None:
    response = client.get(f"/api/entries/{LAW.entry_id}/cases")
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    # Each citing case once (the 参考 case cites 第二条之一 twice), 指导性 before 参考; no draft, no other law's case.
    assert [h["id"] for h in hits] == [GUIDING.entry_id, REFERENCE.entry_id]
    assert all(h["kind"] == "case" for h in hits)
    assert [h["case_type"] for h in hits] == ["指导性案例", "参考案例"]
    assert [h["score"] for h in hits] == [1.0, 2.0]  # the number of the law's articles each cites
    assert [r["label"] for r in hits[1]["reasons"]] == ["引用本法第一条", "引用本法第二条之一"]
    assert hits[0]["number"] == "检例第901号" and "基本案情" in hits[0]["passage"]


def test_the_law_cases_are_the_cases_of_its_citations(client: TestClient) -> None:
    articles = client.get(f"/api/entries/{LAW.entry_id}/citations").json()["articles"]
    cited = {case["id"] for article in articles for case in article["cases"]}
    hits = client.get(f"/api/entries/{LAW.entry_id}/cases").json()["hits"]
    assert {h["id"] for h in hits} == cited


def test_more_articles_cited_ranks_higher_within_one_authority(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "kb")
    kb = KnowledgeBase(settings)
    # lower 编号, fewer articles
    one = citing_case("戊某案（示例）", "示例参-001", ["《示例保护法》第一条"], "参考案例")
    kb.add_entries([LAW, one, REFERENCE])
    with TestClient(create_app(settings, kb=kb)) as c:
        hits = c.get(f"/api/entries/{LAW.entry_id}/cases").json()["hits"]
    kb.close()
    assert [h["id"] for h in hits] == [REFERENCE.entry_id, one.entry_id]


def test_top_k_limits_the_law_cases_and_an_uncited_law_has_none(client: TestClient) -> None:
    top = client.get(f"/api/entries/{LAW.entry_id}/cases", params={"top_k": 1}).json()["hits"]
    assert [h["id"] for h in top] == [GUIDING.entry_id]
    assert client.get(f"/api/entries/{UNCITED_LAW.entry_id}/cases").json() == {"hits": []}
    assert client.get(f"/api/entries/{LAW.entry_id}/cases", params={"top_k": 0}).status_code == 422
    missing = client.get("/api/entries/0000000000000000/cases")
    assert missing.status_code == 404


def test_the_entry_list_counts_a_laws_articles_and_gives_null_for_a_case(client: TestClient) -> None:
    laws = client.get("/api/entries", params={"kind": "law"}).json()["items"]
    counts = {item["id"]: item["article_count"] for item in laws}
    # 说明 is no article: three articles (第二条之一 counts), one for the uncited law.
    assert counts == {LAW.entry_id: 3, UNCITED_LAW.entry_id: 1}
    cases = client.get("/api/entries", params={"kind": "case"}).json()["items"]
    assert cases and all(item["article_count"] is None for item in cases)
    detail = client.get(f"/api/entries/{LAW.entry_id}").json()
    assert detail["article_count"] == 3
