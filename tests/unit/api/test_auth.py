"""Sign-in, sessions, CSRF, API tokens, throttling, audit and analytics through the HTTP API (TestClient, real DB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from api.main import create_app
from kb.accounts import Role
from kb.audit import AuditFilter
from kb.config import Settings
from tests.conftest import FAST_AUTH, make_settings

PASSWORD = "long-enough-1"
CASE_MD = """# 钱某盗窃案（示例）
编号：示例权-001
案例类型：典型案例
检察类别：刑事检察
示例：是

【要旨】
盗窃数额较大，认罪认罚的，可以依法从宽。

【基本案情】
2024年3月，钱某在某商场窃取手机一部，价值人民币四千元。
"""


def auth_settings(home: Path, **auth: Any) -> Settings:
    return make_settings(home, auth={**FAST_AUTH, "login_max_failures": 3, "login_ip_max_failures": 8, **auth})


def add_user(app: FastAPI, username: str, *roles: Role) -> int:
    user = app.state.auth.accounts.create_user(username, PASSWORD, list(roles))
    return int(user.id)


def token_for(app: FastAPI, user_id: int) -> dict[str, str]:
    _, raw = app.state.auth.accounts.create_token(user_id, "tests")
    return {"Authorization": f"Bearer {raw}"}


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in; the CSRF token to send with state-changing requests."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    assert csrf and client.cookies.get(CSRF_COOKIE) == csrf
    return str(csrf)


def audit_rows(app: FastAPI, action: str) -> list[dict[str, Any]]:
    _, events = app.state.auth.audit.query(AuditFilter(actions=[action]), limit=1000)
    return [e.__dict__ for e in events]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(auth_settings(tmp_path / "kb"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def test_closed_by_default(client: TestClient) -> None:
    me = client.get("/api/auth/me").json()
    assert me == {
        "authenticated": False,
        "via": "anonymous",
        "user": None,
        "roles": [],
        "permissions": [],
        "csrf_token": None,
        "anonymous_access": False,
    }
    response = client.get("/api/search", params={"q": "盗窃"})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert "登录" in response.json()["detail"] and response.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/health").status_code == 200


def test_login_me_logout(app: FastAPI, client: TestClient) -> None:
    add_user(app, "reviewer1", Role.REVIEWER)
    response = client.post("/api/auth/login", json={"username": "reviewer1", "password": PASSWORD})
    assert response.status_code == 200
    cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    session_cookie = cookies[SESSION_COOKIE].lower()
    assert "httponly" in session_cookie and "samesite=strict" in session_cookie and "path=/" in session_cookie
    assert "secure" not in session_cookie  # plain http in tests; "auto" adds Secure on https
    assert "httponly" not in cookies[CSRF_COOKIE].lower()  # the SPA reads it
    body = response.json()
    assert body["authenticated"] and body["via"] == "session" and body["user"]["username"] == "reviewer1"
    assert body["roles"] == [{"code": "reviewer", "label": "审核"}] and "entries:publish" in body["permissions"]
    me = client.get("/api/auth/me").json()
    assert me["user"]["username"] == "reviewer1" and me["csrf_token"] == body["csrf_token"]
    assert client.get("/api/analytics/gaps").status_code == 200
    assert client.post("/api/auth/logout", headers={CSRF_HEADER: body["csrf_token"]}).status_code == 204
    assert client.get("/api/auth/me").json()["authenticated"] is False
    assert app.state.auth.accounts.purge_expired_sessions() == 0
    with app.state.auth.accounts.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM auth_sessions")).scalar_one() == 0
    assert [r["outcome"] for r in audit_rows(app, "auth.")] == ["success", "success"]


def test_session_fixation_a_new_session_id_on_every_login(app: FastAPI, client: TestClient) -> None:
    add_user(app, "prosecutor1", Role.PROSECUTOR)
    planted = "attacker-chosen-session-id"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    login(client, "prosecutor1")
    first = client.cookies.get(SESSION_COOKIE)
    assert first and first != planted
    other = TestClient(app)
    other.cookies.set(SESSION_COOKIE, planted)
    assert other.get("/api/auth/me").json()["authenticated"] is False  # the planted id is worth nothing
    csrf = client.cookies.get(CSRF_COOKIE) or ""
    response = client.post(
        "/api/auth/login", json={"username": "prosecutor1", "password": PASSWORD}, headers={CSRF_HEADER: csrf}
    )
    assert response.status_code == 200
    second = client.cookies.get(SESSION_COOKIE)
    assert second and second != first
    stale = TestClient(app)
    stale.cookies.set(SESSION_COOKIE, first)
    assert stale.get("/api/auth/me").json()["authenticated"] is False  # the old session ended at the new login


def test_csrf_double_submit(app: FastAPI, client: TestClient) -> None:
    add_user(app, "editor1", Role.EDITOR)
    csrf = login(client, "editor1")
    files = [("files", ("钱某盗窃案.md", CASE_MD.encode("utf-8"), "text/markdown"))]
    missing = client.post("/api/ingest", files=files)
    assert (
        missing.status_code == 403
        and missing.json()["code"] == "csrf_failed"
        and "X-CSRF-Token" in missing.json()["detail"]
    )
    wrong = client.post("/api/ingest", files=files, headers={CSRF_HEADER: csrf[:-2] + "xx"})
    assert wrong.status_code == 403
    ok = client.post("/api/ingest", files=files, headers={CSRF_HEADER: csrf})
    assert ok.status_code == 200 and ok.json()["ok"]
    assert client.get("/api/search", params={"q": "钱某"}).status_code == 200  # safe methods need no token
    denied = audit_rows(app, "access.denied")
    assert len(denied) == 2 and all(d["details"]["code"] == "csrf_failed" for d in denied)
    imports = audit_rows(app, "entry.import")
    assert imports[0]["actor"] == "editor1" and imports[0]["details"]["status"] == "created"


def test_login_with_form_encoding_is_refused(app: FastAPI, client: TestClient) -> None:
    """A cross-site HTML form cannot send JSON without a CORS preflight: login accepts JSON only (login CSRF)."""
    add_user(app, "victim", Role.PROSECUTOR)
    response = client.post("/api/auth/login", data={"username": "victim", "password": PASSWORD})
    assert response.status_code == 422 and SESSION_COOKIE not in client.cookies


def test_brute_force_is_throttled_with_retry_after(app: FastAPI, client: TestClient) -> None:
    add_user(app, "target", Role.PROSECUTOR)
    for _ in range(2):
        response = client.post("/api/auth/login", json={"username": "target", "password": "wrong-password"})
        assert response.status_code == 401 and response.json()["code"] == "login_failed"
        assert response.json()["detail"] == "用户名或密码错误"
    third = client.post("/api/auth/login", json={"username": "target", "password": "wrong-password"})
    assert third.status_code == 429 and third.json()["code"] == "too_many_attempts"
    assert int(third.headers["retry-after"]) == 30 and "登录失败次数过多" in third.json()["detail"]
    right = client.post("/api/auth/login", json={"username": "target", "password": PASSWORD})
    assert right.status_code == 429  # locked out: not even the right password gets in
    outcomes = [r["outcome"] for r in reversed(audit_rows(app, "auth.login"))]
    assert outcomes == ["failure", "failure", "throttled", "throttled"]
    assert all(r["target"] == "target" and r["client_ip"] for r in audit_rows(app, "auth.login"))


def test_brute_force_across_accounts_is_throttled_per_address(app: FastAPI, client: TestClient) -> None:
    statuses = [
        client.post("/api/auth/login", json={"username": f"user{i}", "password": "wrong-password"}).status_code
        for i in range(9)
    ]
    assert statuses[:7] == [401] * 7 and statuses[7:] == [429, 429]


def test_tokens_shown_once_then_listed_without_secret(app: FastAPI, client: TestClient) -> None:
    user_id = add_user(app, "scripter", Role.EDITOR)
    csrf = login(client, "scripter")
    created = client.post(
        "/api/auth/tokens", json={"name": "导入脚本", "expires_in_days": 30}, headers={CSRF_HEADER: csrf}
    )
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("kb_") and created.json()["info"]["active"]
    listed = client.get("/api/auth/tokens").json()
    assert len(listed) == 1 and raw not in str(listed) and listed[0]["prefix"] == raw[:10]
    bearer = TestClient(app)
    me = bearer.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"}).json()
    assert me["via"] == "token" and me["user"]["id"] == user_id and me["csrf_token"] is None
    revoked = client.delete(f"/api/auth/tokens/{listed[0]['id']}", headers={CSRF_HEADER: csrf})
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    after = bearer.get("/api/auth/me", headers={"Authorization": f"Bearer {raw}"})
    assert after.status_code == 401 and "令牌" in after.json()["detail"]


def test_idor_on_tokens(app: FastAPI, client: TestClient) -> None:
    alice = add_user(app, "alice", Role.EDITOR)
    bob = add_user(app, "bob", Role.EDITOR)
    admin = add_user(app, "root", Role.ADMIN)
    alice_token = app.state.auth.accounts.create_token(alice, "alice's")[0]
    alice_headers = token_for(app, alice)
    bob_headers = token_for(app, bob)
    assert client.delete(f"/api/auth/tokens/{alice_token.id}", headers=bob_headers).status_code == 404
    assert all(t["name"] == "tests" for t in client.get("/api/auth/tokens", headers=bob_headers).json())
    assert client.get(f"/api/users/{alice}/tokens", headers=bob_headers).status_code == 403
    assert client.delete(f"/api/users/{alice}/tokens/{alice_token.id}", headers=bob_headers).status_code == 403
    admin_headers = token_for(app, admin)
    # The owner in the path must be the token's owner: bob's path cannot reach alice's token.
    assert client.delete(f"/api/users/{bob}/tokens/{alice_token.id}", headers=admin_headers).status_code == 404
    assert client.get("/api/auth/me", headers=alice_headers).json()["user"]["username"] == "alice"
    names = [t["name"] for t in client.get(f"/api/users/{alice}/tokens", headers=admin_headers).json()]
    assert names == ["alice's", "tests"]


def test_idor_on_unpublished_entries(tmp_path: Path) -> None:
    app = create_app(auth_settings(tmp_path / "kb", anonymous_role="检察官"))
    with TestClient(app) as c:
        editor = token_for(app, add_user(app, "editor2", Role.EDITOR))
        prosecutor = token_for(app, add_user(app, "prosecutor2", Role.PROSECUTOR))
        files = [("files", ("钱某盗窃案.md", CASE_MD.encode("utf-8"), "text/markdown"))]
        entry_id = c.post("/api/ingest", files=files, headers=editor).json()["files"][0]["entries"][0]["id"]
        # An uploaded draft exists for its editor and for nobody else: every reading route says "not found".
        assert c.get(f"/api/entries/{entry_id}", headers=editor).status_code == 200
        for headers in ({}, prosecutor):
            hidden = c.get(f"/api/entries/{entry_id}", headers=headers)
            assert hidden.status_code == 404 and hidden.json()["code"] == "entry_not_found"
            assert c.get(f"/api/entries/{entry_id}", params={"version": 1}, headers=headers).status_code == 404
            assert c.get("/api/compare", params=[("ids", entry_id), ("ids", "x")], headers=headers).status_code == 404
            assert c.get(f"/api/entries/{entry_id}/similar", headers=headers).status_code == 404
            assert c.get(f"/api/entries/{entry_id}/related", headers=headers).status_code == 404
            assert c.get(f"/api/entries/{entry_id}/export", headers=headers).status_code in (401, 404)
        assert c.get(f"/api/entries/{entry_id}/export", headers=prosecutor).status_code == 404
        assert c.get(f"/api/entries/{entry_id}/export", headers=editor).status_code == 200
        made = c.post("/api/collections", json={"title": "专题"}, headers=prosecutor).json()
        added = c.post(f"/api/collections/{made['id']}/items", json={"entry_id": entry_id}, headers=prosecutor)
        assert added.status_code == 404  # nor can a draft be put into a collection to read its title


def test_password_change_rotates_the_session(app: FastAPI, client: TestClient) -> None:
    add_user(app, "changer", Role.PROSECUTOR)
    csrf = login(client, "changer")
    before = client.cookies.get(SESSION_COOKIE)
    wrong = client.post(
        "/api/auth/password",
        json={"current_password": "not-it-at-all", "new_password": "brand-new-pass-2"},
        headers={CSRF_HEADER: csrf},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"] == "当前密码不正确"
    weak = client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}, headers={CSRF_HEADER: csrf}
    )
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    ok = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "brand-new-pass-2"},
        headers={CSRF_HEADER: csrf},
    )
    assert ok.status_code == 200 and client.cookies.get(SESSION_COOKIE) != before
    assert client.get("/api/auth/me").json()["authenticated"]
    old = TestClient(app)
    old.cookies.set(SESSION_COOKIE, before or "")
    assert old.get("/api/auth/me").json()["authenticated"] is False


def test_admin_manages_users(app: FastAPI, client: TestClient) -> None:
    admin = token_for(app, add_user(app, "admin1", Role.ADMIN))
    created = client.post(
        "/api/users", json={"username": "新编辑", "password": PASSWORD, "roles": ["编辑", "检察官"]}, headers=admin
    )
    assert created.status_code == 201
    user = created.json()
    assert [r["code"] for r in user["roles"]] == ["prosecutor", "editor"]
    again = client.post(
        "/api/users", json={"username": "新编辑", "password": PASSWORD, "roles": ["编辑"]}, headers=admin
    )
    assert again.status_code == 409 and again.json()["code"] == "user_exists"
    bad = client.post("/api/users", json={"username": "x1", "password": PASSWORD, "roles": ["boss"]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    patched = client.patch(f"/api/users/{user['id']}", json={"roles": ["reviewer"], "is_active": False}, headers=admin)
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    denied = client.post("/api/auth/login", json={"username": "新编辑", "password": PASSWORD})
    assert denied.status_code == 401
    reset = client.put(f"/api/users/{user['id']}/password", json={"new_password": "reset-pass-99"}, headers=admin)
    assert reset.status_code == 204
    assert client.get("/api/users/999", headers=admin).status_code == 404
    assert {u["username"] for u in client.get("/api/users", headers=admin).json()} == {"admin1", "新编辑"}
    actions = [r["action"] for r in reversed(audit_rows(app, "user."))]
    assert actions == ["user.create", "user.update", "user.password_reset"]


def test_searches_and_views_are_audited_and_analysed(tmp_path: Path) -> None:
    app = create_app(auth_settings(tmp_path / "kb"))
    with TestClient(app) as c:
        editor = token_for(app, add_user(app, "editor3", Role.EDITOR))
        reviewer = token_for(app, add_user(app, "reviewer3", Role.REVIEWER))
        admin = token_for(app, add_user(app, "admin3", Role.ADMIN))
        files = [("files", ("钱某盗窃案.md", CASE_MD.encode("utf-8"), "text/markdown"))]
        entry_id = c.post("/api/ingest", files=files, headers=editor).json()["files"][0]["entries"][0]["id"]
        assert c.post(f"/api/workflow/entries/{entry_id}/submit", json={}, headers=editor).status_code == 200
        assert c.post(f"/api/workflow/entries/{entry_id}/approve", json={}, headers=reviewer).status_code == 200
        published = c.post("/api/batches", json={"entry_ids": [entry_id], "issuer": "示例院"}, headers=reviewer)
        assert published.status_code == 201
        for q in ("盗窃 手机", "盗窃 手机", "量子纠缠"):
            assert c.get("/api/search", params={"q": q}, headers=editor).status_code == 200
        assert c.post("/api/search", json={"q": "盗窃 手机", "page": 2}, headers=editor).status_code == 200
        assert c.get(f"/api/entries/{entry_id}", headers=editor).status_code == 200
        searches = audit_rows(app, "search")
        assert len(searches) == 3 and searches[0]["actor"] == "editor3"
        assert searches[-1]["details"]["result_count"] >= 1 and searches[-1]["details"]["top_score"] > 0
        assert audit_rows(app, "entry.view")[0]["target"] == entry_id
        top = c.get("/api/analytics/queries", headers=reviewer).json()["items"]
        assert [(i["query"], i["count"]) for i in top] == [("盗窃 手机", 2), ("量子纠缠", 1)]
        gaps = c.get("/api/analytics/gaps", headers=reviewer).json()["items"]
        assert [g["query"] for g in gaps] == ["量子纠缠"]
        assert c.get("/api/analytics/queries", headers=editor).status_code == 403
        page = c.get("/api/audit", params={"user": "editor3", "action": "search"}, headers=admin).json()
        assert page["total"] == 3 and page["items"][0]["action_label"] == "检索"
        assert c.get("/api/audit", params={"since": "2999-01-01"}, headers=admin).json()["total"] == 0


def test_audit_csv_is_excel_friendly(app: FastAPI, client: TestClient) -> None:
    admin = token_for(app, add_user(app, "admin4", Role.ADMIN))
    client.post("/api/auth/login", json={"username": '=HYPERLINK("http://x")', "password": "whatever-1"})
    response = client.get("/api/audit.csv", headers=admin)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    content = raw.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("编号,时间（UTC）,用户,操作")
    assert "'=HYPERLINK" in content and ",=HYPERLINK" not in content  # no formula injection
    assert "登录" in content and "失败" in content
    assert audit_rows(app, "audit.export")[0]["actor"] == "admin4"


def test_an_unknown_token_field_is_refused_not_ignored(app: FastAPI, client: TestClient) -> None:
    admin = token_for(app, add_user(app, "admin9", Role.ADMIN))
    user_id = add_user(app, "editor9", Role.EDITOR)
    # "days" is not a field: ignoring it would create a token that never expires
    refused = client.post(f"/api/users/{user_id}/tokens", json={"name": "脚本", "days": 3}, headers=admin)
    assert refused.status_code == 422 and "days" in refused.json()["detail"]
    made = client.post(f"/api/users/{user_id}/tokens", json={"name": "脚本", "expires_in_days": 3}, headers=admin)
    assert made.status_code == 201 and made.json()["info"]["expires_at"] is not None
