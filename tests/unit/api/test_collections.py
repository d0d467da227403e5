"""Collections, warning cases and exports over HTTP: the training routers on a real (temporary) knowledge base.

The app here holds only the training routers and the error handlers; who may call them is the permission table's job
(api/permissions.py), tested with the auth gate. The acting user comes from an X-Test-User header via a dependency
override of `acting_user_id`, so two users can be played.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import docx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.errors import install_error_handlers
from api.main import create_app
from api.routes import collections, export
from ingest.pipeline import ingest_paths
from kb.accounts.errors import NotAuthenticated
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from tests.conftest import DEMO, make_settings

PROBLEM = "application/problem+json"
CASES = ("criminal-004.md", "criminal-018.md", "criminal-019.md", "civil-009.md", "public-interest-011.md")


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("training-api")))
    report = ingest_paths(kb, [DEMO / "cases" / name for name in CASES])
    assert report.ok
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def client(small_kb: KnowledgeBase) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.kb = small_kb
    app.state.settings = small_kb.settings
    install_error_handlers(app)
    for router in (collections.router, export.router):
        app.include_router(router, prefix="/api")

    def test_user(request: Request) -> str:
        return request.headers.get("X-Test-User", "alice")

    app.dependency_overrides[collections.acting_user_id] = test_user
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def ids(client: TestClient) -> dict[str, str]:
    body = client.get("/api/training/warning-cases").json()
    found = {i["number"]: i["id"] for i in body["items"]}
    _, items = client.app.state.kb.records.list_entries(kind="case")  # type: ignore[attr-defined]
    found.update({s.entry.number: s.id for s in items})
    return found


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    return body


def test_collection_crud_items_and_order(client: TestClient, ids: dict[str, str]) -> None:
    r = client.post("/api/collections", json={"title": "不起诉专题（示例）", "description": "培训用"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["owner_id"] == "alice" and c["mine"] and not c["shared"] and c["items"] == []
    cid = c["id"]
    for number in ("示例刑-018", "示例刑-019"):
        r = client.post(f"/api/collections/{cid}/items", json={"entry_id": ids[number]})
        assert r.status_code == 201, r.text
    r = client.post(
        f"/api/collections/{cid}/items",
        json={
            "entry_id": ids["示例刑-004"],
            "version": 1,
            "teaching_notes": "挪车距离与情节",
            "discussion_questions": ["是否属于情节显著轻微？"],
            "position": 1,
        },
    )
    items = r.json()["items"]
    assert [i["number"] for i in items] == ["示例刑-004", "示例刑-018", "示例刑-019"]
    assert items[0]["citation"] == f"{ids['示例刑-004']}@1" and items[0]["teaching_notes"] == "挪车距离与情节"
    order = [items[2]["id"], items[0]["id"], items[1]["id"]]
    r = client.put(f"/api/collections/{cid}/order", json={"item_ids": order})
    assert [i["id"] for i in r.json()["items"]] == order
    r = client.patch(f"/api/collections/{cid}/items/{order[0]}", json={"discussion_questions": ["一", "二"]})
    assert r.json()["items"][0]["discussion_questions"] == ["一", "二"]
    r = client.delete(f"/api/collections/{cid}/items/{order[1]}")
    assert [i["id"] for i in r.json()["items"]] == [order[0], order[2]]
    r = client.patch(f"/api/collections/{cid}", json={"title": "不起诉权专题（示例）", "shared": True})
    assert r.json()["title"] == "不起诉权专题（示例）" and r.json()["shared"]
    listed = client.get("/api/collections").json()["items"]
    assert any(x["id"] == cid and x["item_count"] == 2 for x in listed)
    assert client.delete(f"/api/collections/{cid}").status_code == 204
    _problem(client.get(f"/api/collections/{cid}"), 404, "collection_not_found")


def test_other_users_cannot_see_personal_or_change_shared_collections(client: TestClient, ids: dict[str, str]) -> None:
    personal = client.post("/api/collections", json={"title": "个人"}).json()["id"]
    shared = client.post("/api/collections", json={"title": "共享", "shared": True}).json()["id"]
    bob = {"X-Test-User": "bob"}
    _problem(client.get(f"/api/collections/{personal}", headers=bob), 404, "collection_not_found")
    _problem(
        client.get(f"/api/collections/{personal}/export", params={"format": "docx"}, headers=bob),
        404,
        "collection_not_found",
    )
    _problem(client.delete(f"/api/collections/{personal}", headers=bob), 404, "collection_not_found")
    assert client.get(f"/api/collections/{shared}", headers=bob).status_code == 200
    _problem(
        client.post(f"/api/collections/{shared}/items", json={"entry_id": ids["示例刑-004"]}, headers=bob),
        403,
        "collection_forbidden",
    )
    _problem(client.patch(f"/api/collections/{shared}", json={"title": "改"}, headers=bob), 403, "collection_forbidden")
    mine = {x["id"] for x in client.get("/api/collections", headers=bob).json()["items"]}
    assert shared in mine and personal not in mine
    assert client.get("/api/collections", params={"mine": True}, headers=bob).json()["items"] == []


def test_invalid_requests_are_chinese_problems(client: TestClient, ids: dict[str, str]) -> None:
    _problem(client.post("/api/collections", json={"title": ""}), 422, "validation_error")
    _problem(client.post("/api/collections", json={"title": "   "}), 422, "invalid_collection")
    cid = client.post("/api/collections", json={"title": "专题"}).json()["id"]
    _problem(client.post(f"/api/collections/{cid}/items", json={"entry_id": "nope"}), 404, "entry_not_found")
    client.post(f"/api/collections/{cid}/items", json={"entry_id": ids["示例刑-004"]})
    _problem(
        client.post(f"/api/collections/{cid}/items", json={"entry_id": ids["示例刑-004"]}), 422, "invalid_collection"
    )
    _problem(client.put(f"/api/collections/{cid}/order", json={"item_ids": [1, 2, 3]}), 422, "invalid_collection")
    _problem(client.delete(f"/api/collections/{cid}/items/999999"), 404, "collection_item_not_found")


def test_warning_cases_filter_by_error_type_and_misused_power(client: TestClient) -> None:
    body = client.get("/api/training/warning-cases").json()
    assert body["total"] == 4
    assert body["facets"]["error_type"]["超越权限行使"] == 2
    r = client.get("/api/training/warning-cases", params={"error_type": "超越权限行使"}).json()
    assert {i["number"] for i in r["items"]} == {"示例民-009", "示例公-011"}
    assert all(i["error_type"] == "超越权限行使" for i in r["items"])
    r = client.get("/api/training/warning-cases", params={"misused_power": "作出酌定不起诉决定"}).json()
    assert [i["number"] for i in r["items"]] == ["示例刑-018"] and r["items"][0][
        "misused_power"
    ] == "作出酌定不起诉决定"


def test_entry_export_downloads_with_rfc5987_filename(client: TestClient, ids: dict[str, str]) -> None:
    r = client.get(f"/api/entries/{ids['示例刑-004']}/export", params={"format": "docx", "version": 1})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "王某危险驾驶案（示例）.docx"
    texts = [p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs]
    assert "王某危险驾驶案（示例）" in texts
    _problem(client.get(f"/api/entries/{ids['示例刑-004']}/export", params={"format": "xls"}), 422, "validation_error")
    _problem(client.get(f"/api/entries/{ids['示例刑-004']}/export", params={"version": 7}), 404, "entry_not_found")


def test_collection_export_as_pdf(client: TestClient, ids: dict[str, str]) -> None:
    cid = client.post("/api/collections", json={"title": "警示教育专题（示例）"}).json()["id"]
    client.post(
        f"/api/collections/{cid}/items",
        json={
            "entry_id": ids["示例刑-018"],
            "teaching_notes": "如实记载事故情况",
            "discussion_questions": ["责任如何划分？"],
        },
    )
    r = client.get(f"/api/collections/{cid}/export", params={"format": "pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert unquote(r.headers["content-disposition"].split("''")[1]) == "警示教育专题（示例）.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "内部培训材料" in text and "如实记载事故情况" in text and "1. 责任如何划分？" in text


def test_the_application_mounts_the_training_routes(tmp_path: Path) -> None:
    paths = create_app(make_settings(tmp_path / "kb")).openapi()["paths"]
    for path in (
        "/api/collections",
        "/api/collections/{collection_id}",
        "/api/collections/{collection_id}/items",
        "/api/collections/{collection_id}/items/{item_id}",
        "/api/collections/{collection_id}/order",
        "/api/collections/{collection_id}/export",
        "/api/entries/{entry_id}/export",
        "/api/training/warning-cases",
    ):
        assert path in paths, path


def test_acting_user_is_the_signed_in_user_or_the_local_user_without_a_gate() -> None:
    request = Request({"type": "http", "headers": [], "app": FastAPI()})
    assert collections.acting_user_id(request) == collections.LOCAL_USER
    request.state.principal = SimpleNamespace(user=SimpleNamespace(id=7))
    assert collections.acting_user_id(request) == "7"
    request.state.principal = SimpleNamespace(user=None)  # anonymous behind the gate
    with pytest.raises(NotAuthenticated, match="请先登录"):
        collections.acting_user_id(request)
    assert export.reader_id(request) == export.ANONYMOUS  # reading and exporting an entry needs no person


def test_search_filters_and_counts_error_type_and_misused_power(small_kb: KnowledgeBase) -> None:
    result = small_kb.search(SearchRequest(query="检察建议", filters={"error_type": ["超越权限行使"]}, page_size=10))
    numbers = {h.meta["number"] for h in result.hits}
    assert numbers and numbers <= {"示例民-009", "示例公-011"}
    facets = dict(result.facets)
    assert dict(facets["error_type"]) == {"超越权限行使": len(numbers)}
    assert "misused_power" in facets


def test_cli_exports_an_entry(small_kb: KnowledgeBase, ids: dict[str, str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    env = {"KB_HOME": str(small_kb.settings.home), "KB_EMBEDDER": "hash"}
    result = CliRunner().invoke(app, ["export", "entry", ids["示例刑-004"], "-f", "docx", "-o", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    written = tmp_path / "王某危险驾驶案（示例）.docx"
    assert written.is_file() and "王某危险驾驶案（示例）" in [p.text for p in docx.Document(str(written)).paragraphs]
    missing = CliRunner().invoke(app, ["export", "collection", "nope", "-o", str(tmp_path)], env=env)
    assert missing.exit_code == 2 and "专题不存在" in missing.output
