"""Provision links both ways through the API: a case's cited provisions resolved to law articles, a law's articles
with the published cases citing them; laws kept out of case search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb.models import Entry, EntryKind, Section
from kb.service import KnowledgeBase
from tests.conftest import citing_case, make_settings


@pytest.fixture(scope="module")
def client(demo_kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(demo_kb.settings, kb=demo_kb)) as c:
        yield c


def _entry_citing(kb: KnowledgeBase, provision: str) -> str:
    for entry_id, _, entry in kb.records.iter_published(kind="case"):
        if provision in entry.provisions:
            return entry_id
    raise AssertionError(provision)


def _law_id(kb: KnowledgeBase, title: str) -> str:
    return next(i for i, _, e in kb.records.iter_published(kind="law") if e.title == title)


def test_a_case_gets_one_provision_link_per_cited_provision(client: TestClient, demo_kb: KnowledgeBase) -> None:
    case_id = _entry_citing(demo_kb, "《刑法》第一百三十三条之一")
    body = client.get(f"/api/entries/{case_id}").json()
    links = body["provision_links"]
    assert [link["provision"] for link in links] == body["provisions"]
    link = next(item for item in links if item["provision"] == "《刑法》第一百三十三条之一")
    assert link["law_title"] == "中华人民共和国刑法（示例节选）" and link["article"] == "第一百三十三条之一"
    assert link["law_entry_id"] == _law_id(demo_kb, "中华人民共和国刑法（示例节选）")
    assert "危险驾驶" in link["text"] and len(link["text"]) <= 600
    law = client.get(f"/api/entries/{link['law_entry_id']}").json()
    assert law["kind"] == "law" and law["sections"][link["section_index"]]["heading"] == "第一百三十三条之一"
    unresolved = [item for item in links if item["law_entry_id"] is None]
    assert unresolved and all(item["article"] is None and item["text"] is None for item in unresolved)


def test_entries_without_provisions_have_no_links(client: TestClient, demo_kb: KnowledgeBase) -> None:
    law_id = _law_id(demo_kb, "中华人民共和国刑法（示例节选）")
    assert client.get(f"/api/entries/{law_id}").json()["provision_links"] == []


def test_a_law_lists_its_cited_articles_in_law_order_with_the_citing_cases(
    client: TestClient, demo_kb: KnowledgeBase
) -> None:
    law_id = _law_id(demo_kb, "中华人民共和国刑法（示例节选）")
    articles = client.get(f"/api/entries/{law_id}/citations").json()["articles"]
    indexes = [a["section_index"] for a in articles]
    assert indexes == sorted(indexes) and all(a["cases"] for a in articles)
    by_article = {a["article"]: a for a in articles}
    drunk = {c["id"] for c in by_article["第一百三十三条之一"]["cases"]}
    assert _entry_citing(demo_kb, "《刑法》第一百三十三条之一") in drunk
    for case in by_article["第一百三十三条之一"]["cases"]:
        assert case["kind"] == "case" and "《刑法》第一百三十三条之一" in case["provisions"]
    one = client.get(f"/api/entries/{law_id}/citations", params={"article": "第一百三十三条之一"}).json()
    assert [a["article"] for a in one["articles"]] == ["第一百三十三条之一"]
    arabic = client.get(f"/api/entries/{law_id}/citations", params={"article": "第133条之一"}).json()
    assert arabic == one
    none = client.get(f"/api/entries/{law_id}/citations", params={"article": "第九千条"}).json()
    assert none == {"articles": []}


def test_citations_of_a_non_law_entry_are_empty_and_unknown_ids_404(client: TestClient, demo_kb: KnowledgeBase) -> None:
    case_id = _entry_citing(demo_kb, "《刑法》第一百三十三条之一")
    assert client.get(f"/api/entries/{case_id}/citations").json() == {"articles": []}
    missing = client.get("/api/entries/0000000000000000/citations")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_default_search_leaves_laws_out_and_kind_law_finds_an_article(client: TestClient) -> None:
    default = client.get("/api/search", params={"q": "醉酒驾驶机动车 危险驾驶", "page_size": 50}).json()
    assert default["hits"] and all(hit["kind"] == "case" for hit in default["hits"])
    laws = client.get("/api/search", params={"q": "醉酒驾驶机动车 危险驾驶", "kind": "law"}).json()
    top = laws["hits"][0]
    assert top["kind"] == "law" and top["heading"] == "第一百三十三条之一" and "醉酒" in top["passage"]
    assert client.get("/api/entries", params={"kind": "law"}).json()["total"] == 2


def test_similar_and_analysis_never_return_laws(client: TestClient, demo_kb: KnowledgeBase) -> None:
    case_id = _entry_citing(demo_kb, "《刑法》第一百三十三条之一")
    similar = client.get(f"/api/entries/{case_id}/similar", params={"top_k": 20}).json()["hits"]
    assert similar and all(hit["kind"] == "case" for hit in similar)
    analysis = client.post("/api/analysis", json={"text": "被告人醉酒驾驶机动车在道路上行驶，血液酒精含量超标。"})
    assert analysis.status_code == 200, analysis.text
    ids = [case["id"] for case in analysis.json()["cases"]]
    assert ids and all(demo_kb.get_entry(i).entry.kind == "case" for i in ids)


def test_readers_see_only_published_citing_cases(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "kb")
    kb = KnowledgeBase(settings)
    law = Entry(
        kind=EntryKind.LAW.value,
        title="中华人民共和国示例法",
        sections=[
            Section(key="article", heading="第一条", text="第一条的内容（示例）"),
            Section(key="article", heading="第二条", text="第二条的内容（示例）"),
        ],
    )
    kb.add_entries([
        law,
        citing_case("乙案（示例）", "示例-002", ["《示例法》第二条"]),
        citing_case("甲案（示例）", "检例第9号", ["《中华人民共和国示例法》第二条", "《示例法》第一条"], "指导性案例"),
    ])
    draft = citing_case("草稿案（示例）", "示例-003", ["《示例法》第一条"])
    kb.add_entries([draft], publish=False)
    with TestClient(create_app(settings, kb=kb)) as c:
        articles = c.get(f"/api/entries/{law.entry_id}/citations").json()["articles"]
        assert [(a["article"], a["section_index"]) for a in articles] == [("第一条", 0), ("第二条", 1)]
        assert [case["title"] for case in articles[0]["cases"]] == ["甲案（示例）"]  # not the draft
        assert [case["number"] for case in articles[1]["cases"]] == ["检例第9号", "示例-002"]  # 指导性 first
        links = c.get(f"/api/entries/{draft.entry_id}").status_code
        assert links == 404  # a draft is not found by readers
    kb.close()


def test_upload_with_kind_law_makes_a_draft_law(tmp_path: Path) -> None:
    from kb.accounts import Role

    settings = make_settings(tmp_path / "kb")
    app = create_app(settings)
    text = "# 某某工作规则（示例）\n\n第一条 一（示例）。\n\n第二条 二（示例）。\n\n第三条 三（示例）。\n"
    with TestClient(app) as c:
        editor = app.state.auth.accounts.create_user("editor", "upload-pass-1", [Role.EDITOR])
        _, token = app.state.auth.accounts.create_token(editor.id, "tests")
        c.headers["Authorization"] = f"Bearer {token}"
        files = {"files": ("规则.md", text.encode("utf-8"), "text/markdown")}
        as_law = c.post("/api/ingest", files=files, data={"kind": "law"}).json()
        assert [e["kind"] for e in as_law["files"][0]["entries"]] == ["law"]
        assert as_law["files"][0]["entries"][0]["workflow_status"] == "draft"
        wrong = c.post("/api/ingest", files=files, data={"kind": "poem"})
        assert wrong.status_code == 422
        detected = c.post("/api/ingest", files={"files": ("指引.md", text.encode("utf-8"), "text/markdown")}).json()
        assert [e["kind"] for e in detected["files"][0]["entries"]] == ["guideline"]
