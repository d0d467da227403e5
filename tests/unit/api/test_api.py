"""The HTTP API through FastAPI's TestClient on a real (temporary) knowledge base with the demo corpus."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb.accounts import Role
from kb.config import Settings
from kb.service import KnowledgeBase
from tests.conftest import make_settings

PROBLEM = "application/problem+json"


def _open_reading(settings: Settings) -> Settings:
    """Anonymous callers read and search (as with ./run serve); the permission tests cover the closed default."""
    return settings.model_copy(update={"auth": settings.auth.model_copy(update={"anonymous_role": "检察官"})})


@pytest.fixture(scope="module")
def client(demo_kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(_open_reading(demo_kb.settings), kb=demo_kb)) as c:
        yield c


@pytest.fixture
def fresh_client(tmp_path: Path) -> Iterator[TestClient]:
    """Uploads as an editor, by API token (token requests need no CSRF header)."""
    settings: Settings = _open_reading(make_settings(tmp_path / "kb", max_upload_mb=1))
    app = create_app(settings)
    with TestClient(app) as c:
        editor = app.state.auth.accounts.create_user("editor", "upload-pass-1", [Role.EDITOR])
        _, token = app.state.auth.accounts.create_token(editor.id, "tests")
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def _assert_problem(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail", "instance", "code", "request_id"} <= set(body)
    assert body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    if code:
        assert body["code"] == code
    return body


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["store"] == "sqlite" and body["entries"] > 100 and body["chunks"] > 0


def test_search_get_with_filters_paging_and_facets(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "不起诉", "line": "刑事检察", "page_size": 3, "page": 1})
    assert r.status_code == 200
    body = r.json()
    assert len(body["hits"]) == 3 and body["total"] >= 3
    assert all(h["line"] == "刑事检察" for h in body["hits"])
    assert {"line", "case_type", "charges", "outcomes", "year"} <= set(body["facets"])
    hit = body["hits"][0]
    for start, end in hit["highlights"]:
        assert 0 <= start < end <= len(hit["passage"])
    assert r.headers["x-request-id"]


def test_search_post_takes_a_long_description(client: TestClient) -> None:
    text = "犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 40
    r = client.post("/api/search", json={"q": text, "page_size": 5})
    assert r.status_code == 200
    numbers = [h["number"] for h in r.json()["hits"]]
    assert {"示例刑-004", "示例刑-005"} & set(numbers)


def test_bad_search_requests_are_problems(client: TestClient) -> None:
    _assert_problem(client.get("/api/search", params={"q": "😀😀"}), 422, "invalid_query")
    _assert_problem(client.get("/api/search", params={"q": "x", "page": 0}), 422, "validation_error")
    _assert_problem(client.post("/api/search", json={"q": "盗窃", "filters": {"nope": ["1"]}}), 422, "invalid_filter")
    _assert_problem(client.post("/api/search", json={"q": "盗" * 20001}), 422, "invalid_query")
    _assert_problem(client.get("/api/search", params={"q": "盗窃", "year": "去年"}), 422, "invalid_filter")


def test_a_search_body_with_a_field_the_api_does_not_know_is_refused(client: TestClient) -> None:
    # {"query": …} instead of q used to be ignored and answered with the whole list, unsearched and unranked
    body = _assert_problem(client.post("/api/search", json={"query": "醉酒驾驶"}), 422, "validation_error")
    assert body["detail"] == "请求参数无效：body.query（不支持的参数）"
    assert body["errors"][0]["type"] == "extra_forbidden"
    assert client.post("/api/search", json={"q": "醉酒驾驶", "page_size": 3}).status_code == 200


def test_every_json_request_body_refuses_fields_it_does_not_know(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    bodies: dict[str, str] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                bodies[f"{method.upper()} {path}"] = ref.rsplit("/", 1)[-1]
    assert len(bodies) >= 15 and bodies["POST /api/search"] == "SearchBody"  # the routes were found
    open_bodies = {
        where: name for where, name in bodies.items() if components[name].get("additionalProperties") is not False
    }
    assert open_bodies == {}


def test_entry_similar_related_and_versions(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "未成年人 盗窃 附条件不起诉", "page_size": 1}).json()["hits"]
    entry_id = hits[0]["id"]
    entry = client.get(f"/api/entries/{entry_id}").json()
    assert entry["title"] and entry["sections"] and entry["version"] == 1 and entry["illustrative"]
    assert {s["label"] for s in entry["sections"]} >= {"要旨", "基本案情"}
    similar = client.get(f"/api/entries/{entry_id}/similar").json()["hits"]
    assert similar and entry_id not in {h["id"] for h in similar}
    related = client.get(f"/api/entries/{entry_id}/related").json()
    assert related["power_items"] and related["guideline_articles"]
    assert any("附条件不起诉" in p["title"] for p in related["power_items"])
    # ... and back: from that power-list item to the cases whose decision it governs
    item = next(p for p in related["power_items"] if "附条件不起诉" in p["title"])
    cases = client.get(f"/api/entries/{item['id']}/cases").json()["hits"]
    assert cases and all(h["kind"] == "case" for h in cases)
    assert all("附条件不起诉" in h["outcomes"] for h in cases) and entry_id in {h["id"] for h in cases}
    _assert_problem(client.get(f"/api/entries/{entry_id}", params={"version": 7}), 404, "entry_not_found")
    _assert_problem(client.get("/api/entries/does-not-exist"), 404, "entry_not_found")


def test_browse_power_list_and_guidelines(client: TestClient) -> None:
    body = client.get("/api/entries", params={"kind": "power_item", "page_size": 500}).json()
    assert body["total"] >= 30 and all(i["power_subject"] for i in body["items"])
    civil = client.get("/api/entries", params={"kind": "power_item", "line": "民事检察"}).json()
    assert civil["items"] and all(i["line"] == "民事检察" for i in civil["items"])
    assert client.get("/api/entries", params={"kind": "guideline"}).json()["total"] >= 3


def test_compare(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "醉酒驾驶", "page_size": 3}).json()["hits"]
    ids = [h["id"] for h in hits[:2]]
    body = client.get("/api/compare", params=[("ids", i) for i in ids]).json()
    assert len(body["entries"]) == 2
    assert any(e["field"] == "charges" for e in body["elements"])
    _assert_problem(client.get("/api/compare", params={"ids": ids[0]}), 422, "invalid_query")


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    _assert_problem(client.get("/api/nope"), 404)


def test_openapi_is_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/entries/{entry_id}", "/api/ingest", "/api/health"} <= set(paths)


CASE_MD = """# 孙某盗窃电动车案（示例）
编号：示例测-001
案例类型：典型案例
检察类别：刑事检察
示例：是

【关键词】
盗窃　电动车　认罪认罚

【要旨】
盗窃电动车数额较大，认罪认罚的，可以依法从宽。

【基本案情】
2024年1月，孙某在某小区窃取电动车一辆，价值人民币三千元。

【检察机关履职过程】
检察机关以盗窃罪提起公诉，并提出量刑建议。
"""


def _reviewer(client: TestClient) -> dict[str, str]:
    """Headers of a reviewer (a second person: whoever submits may not approve)."""
    accounts = client.app.state.auth.accounts  # type: ignore[attr-defined]
    reviewer = accounts.create_user("reviewer", "review-pass-1", [Role.REVIEWER])
    _, token = accounts.create_token(reviewer.id, "tests")
    return {"Authorization": f"Bearer {token}"}


def _publish(client: TestClient, reviewer: dict[str, str], entry_id: str) -> dict:  # type: ignore[type-arg]
    assert client.post(f"/api/workflow/entries/{entry_id}/submit", json={}).status_code == 200
    assert client.post(f"/api/workflow/entries/{entry_id}/approve", json={}, headers=reviewer).status_code == 200
    batch = client.post("/api/batches", json={"entry_ids": [entry_id], "issuer": "示例检察院"}, headers=reviewer)
    assert batch.status_code == 201, batch.text
    return batch.json()  # type: ignore[no-any-return]


def test_upload_review_publish_find_then_revise(fresh_client: TestClient) -> None:
    files = [("files", ("孙某盗窃案.md", CASE_MD.encode("utf-8"), "text/markdown"))]
    body = fresh_client.post("/api/ingest", files=files).json()
    assert body["ok"] and body["files"][0]["status"] == "created"
    created = body["files"][0]["entries"][0]
    entry_id = created["id"]
    assert created["workflow_status"] == "draft"
    assert fresh_client.get("/api/search", params={"q": "盗窃电动车"}).json()["total"] == 0  # a draft is not searchable
    reviewer = _reviewer(fresh_client)
    _publish(fresh_client, reviewer, entry_id)
    hits = fresh_client.get("/api/search", params={"q": "盗窃电动车"}).json()["hits"]
    assert hits[0]["id"] == entry_id
    again = fresh_client.post("/api/ingest", files=files).json()
    assert again["files"][0]["status"] == "unchanged"
    revised = CASE_MD.replace("三千元", "四千元")
    files = [("files", ("孙某盗窃案.md", revised.encode("utf-8"), "text/markdown"))]
    update = fresh_client.post("/api/ingest", files=files).json()["files"][0]
    assert update["status"] == "updated" and update["entries"][0]["workflow_status"] == "draft"
    # The public keeps reading (and finding) version 1 until version 2 is published.
    public = fresh_client.get(f"/api/entries/{entry_id}", headers={"Authorization": ""}).json()
    assert public["version"] == 1 and public["current_version"] == 1 and len(public["versions"]) == 1
    assert "四千元" not in str(public["sections"])
    staff = fresh_client.get(f"/api/entries/{entry_id}", params={"version": 2}).json()
    assert "四千元" in str(staff["sections"]) and staff["published_version"] == 1
    batch = _publish(fresh_client, reviewer, entry_id)
    assert batch["label"] == "第2批"
    entry = fresh_client.get(f"/api/entries/{entry_id}", headers={"Authorization": ""}).json()
    assert entry["version"] == 2 and [v["published"] for v in entry["versions"]] == [True, True]
    old = fresh_client.get(f"/api/entries/{entry_id}", params={"version": 1}, headers={"Authorization": ""}).json()
    assert "三千元" in str(old["sections"])  # citable as id@1
    assert fresh_client.get("/api/health").json()["chunks"] == fresh_client.get("/api/stats").json()["chunks"]


def test_upload_gbk_text(fresh_client: TestClient) -> None:
    files = [("files", ("gbk.txt", CASE_MD.replace("示例测-001", "示例测-002").encode("gbk"), "text/plain"))]
    body = fresh_client.post("/api/ingest", files=files).json()
    assert body["files"][0]["status"] == "created"
    entry = fresh_client.get(f"/api/entries/{body['files'][0]['entries'][0]['id']}").json()
    assert "电动车" in entry["title"] and entry["status"] == "draft"


JUDGMENT_TXT = """癸某诈骗案刑事判决书（示例）
公诉机关：某县人民检察院。
被告人：癸某，男，1990年生。
某县人民检察院以被告人癸某犯合同诈骗罪，向本院提起公诉。
经审理查明：癸某冒充客服，以退款为名骗取被害人钱款三万元（示例）。
本院认为，被告人癸某以非法占有为目的，虚构事实骗取他人财物，数额巨大，其行为构成诈骗罪。判决如下：
被告人癸某犯诈骗罪，判处有期徒刑三年，并处罚金二万元。
"""


def test_an_uploaded_judgment_is_read_in_its_parts(fresh_client: TestClient) -> None:
    """A 判决书 printed as running text (GBK here) gets its facts, reasons and result; its charge is the judgment's,
    not the indictment's 合同诈骗罪."""
    files = [("files", ("判决书.txt", JUDGMENT_TXT.encode("gbk"), "text/plain"))]
    body = fresh_client.post("/api/ingest", files=files).json()
    assert body["files"][0]["status"] == "created", body
    entry = fresh_client.get(f"/api/entries/{body['files'][0]['entries'][0]['id']}").json()
    assert [(s["key"], s["heading"]) for s in entry["sections"]] == [
        ("body", "当事人"),
        ("facts", "基本案情"),
        ("reasoning", "裁判理由"),
        ("result", "裁判结果"),
    ]
    assert entry["charges"] == ["诈骗罪"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.md", b"", "empty_file"),
        ("blank.txt", b"   \n\n  ", "empty_file"),
        ("binary.txt", bytes(range(256)) * 10, "parse_error"),
        ("corrupt.docx", b"PK\x03\x04garbage" * 10, "parse_error"),
        ("corrupt.pdf", b"%PDF-1.4\n garbage", "parse_error"),
        ("corrupt.xlsx", b"not a zip at all", "parse_error"),
        ("nested.json", b"[" * 100000 + b"]" * 100000, "parse_error"),
        ("virus.exe", b"MZ\x90\x00", "unsupported_format"),
        ("only-punctuation.txt", "，。！？".encode(), "parse_error"),
    ],
)
def test_bad_uploads_fail_clearly_and_change_nothing(
    fresh_client: TestClient, name: str, data: bytes, code: str
) -> None:
    before = fresh_client.get("/api/stats").json()
    body = fresh_client.post("/api/ingest", files=[("files", (name, data, "application/octet-stream"))]).json()
    result = body["files"][0]
    assert not body["ok"] and result["status"] == "failed"
    assert result["error"]["code"] == code, result
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result["error"]["detail"])
    after = fresh_client.get("/api/stats").json()
    assert after["entries_by_kind"] == before["entries_by_kind"] and after["chunks"] == before["chunks"]


def test_html_upload_drops_scripts(fresh_client: TestClient) -> None:
    html = (
        f"<html><head><script>alert('x')</script><style>p{{}}</style></head><body><pre>{CASE_MD}</pre>"
        "<script>document.cookie</script></body></html>"
    )
    body = fresh_client.post("/api/ingest", files=[("files", ("case.html", html.encode(), "text/html"))]).json()
    assert body["ok"], body
    entry = fresh_client.get(f"/api/entries/{body['files'][0]['entries'][0]['id']}").json()
    assert "alert" not in str(entry) and "cookie" not in str(entry)


def test_path_traversal_in_file_names_is_neutralised(fresh_client: TestClient) -> None:
    body = fresh_client.post(
        "/api/ingest", files=[("files", ("../../etc/passwd.md", CASE_MD.encode(), "text/markdown"))]
    ).json()
    result = body["files"][0]
    assert "/" not in result["name"] or result["status"] == "failed"
    if result["status"] != "failed":
        entry = fresh_client.get(f"/api/entries/{result['entries'][0]['id']}").json()
        assert entry["source"] == "passwd.md"


def test_oversized_upload_is_413_and_not_read_whole(fresh_client: TestClient) -> None:
    big = io.BytesIO(b"a" * (2 * 1024 * 1024))
    response = fresh_client.post("/api/ingest", files=[("files", ("big.txt", big, "text/plain"))])
    _assert_problem(response, 413, "file_too_large")


def test_upload_without_files_is_422(fresh_client: TestClient) -> None:
    _assert_problem(fresh_client.post("/api/ingest"), 422)
