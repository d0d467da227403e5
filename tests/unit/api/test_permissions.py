"""The permission matrix: every /api route × method × every role and anonymous → allowed, 401 or 403.

The routes come from the application (not from a list here), so a route added without a rule in api/permissions.py
and without an expectation below fails `test_every_route_has_a_rule_and_an_expectation`. EXPECTED is the policy
written out a second time on purpose: a change to the rule table must be made here as well, knowingly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import CSRF_HEADER, SAFE_METHODS
from api.main import create_app
from api.permissions import RULES, api_routes
from kb.accounts import Role
from kb.audit import Actor, AuditFilter
from tests.unit.api.test_auth import PASSWORD, add_user, auth_settings, token_for

PUBLIC, SIGNED_IN = "public", "signed-in"
READERS = "PER"  # 检察官, 编辑, 审核 (letters: P prosecutor, E editor, R reviewer, A admin)
PERSONAL = "PER*"  # the same roles, signed in: "*" = never for anonymous callers, whatever the anonymous role
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/stats"): READERS,
    ("GET", "/api/search"): READERS,
    ("POST", "/api/search"): READERS,
    ("GET", "/api/entries"): READERS,
    ("GET", "/api/entries/{entry_id}"): READERS,
    ("GET", "/api/entries/{entry_id}/similar"): READERS,
    ("GET", "/api/entries/{entry_id}/related"): READERS,
    ("GET", "/api/entries/{entry_id}/cases"): READERS,
    ("GET", "/api/entries/{entry_id}/citations"): READERS,
    ("GET", "/api/compare"): READERS,
    ("POST", "/api/ingest"): "E",
    ("POST", "/api/analysis"): READERS,
    ("GET", "/api/analysis/divergences"): "RA",
    ("GET", "/api/workflow/entries"): "ER",
    ("GET", "/api/workflow/entries/{entry_id}"): "ER",
    ("PUT", "/api/workflow/entries/{entry_id}"): "E",
    ("POST", "/api/workflow/entries/{entry_id}/submit"): "E",
    ("POST", "/api/workflow/entries/{entry_id}/approve"): "R",
    ("POST", "/api/workflow/entries/{entry_id}/reject"): "R",
    ("POST", "/api/workflow/entries/{entry_id}/retract"): "R",
    ("GET", "/api/batches"): "ER",
    ("GET", "/api/batches/{number}"): "ER",
    ("POST", "/api/batches"): "R",
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    ("GET", "/api/auth/me"): PUBLIC,
    ("POST", "/api/auth/password"): SIGNED_IN,
    ("GET", "/api/auth/tokens"): SIGNED_IN,
    ("POST", "/api/auth/tokens"): SIGNED_IN,
    ("DELETE", "/api/auth/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/api/users"): "A",
    ("POST", "/api/users"): "A",
    ("GET", "/api/settings"): "A",
    ("PUT", "/api/settings"): "A",
    ("GET", "/api/users/{user_id}"): "A",
    ("PATCH", "/api/users/{user_id}"): "A",
    ("PUT", "/api/users/{user_id}/password"): "A",
    ("GET", "/api/users/{user_id}/tokens"): "A",
    ("POST", "/api/users/{user_id}/tokens"): "A",
    ("DELETE", "/api/users/{user_id}/tokens/{token_id}"): "A",
    ("GET", "/api/collections"): PERSONAL,
    ("POST", "/api/collections"): PERSONAL,
    ("GET", "/api/collections/{collection_id}"): PERSONAL,
    ("PATCH", "/api/collections/{collection_id}"): PERSONAL,
    ("DELETE", "/api/collections/{collection_id}"): PERSONAL,
    ("POST", "/api/collections/{collection_id}/items"): PERSONAL,
    ("PATCH", "/api/collections/{collection_id}/items/{item_id}"): PERSONAL,
    ("DELETE", "/api/collections/{collection_id}/items/{item_id}"): PERSONAL,
    ("PUT", "/api/collections/{collection_id}/order"): PERSONAL,
    ("GET", "/api/collections/{collection_id}/export"): PERSONAL,
    ("GET", "/api/training/warning-cases"): READERS,
    ("GET", "/api/entries/{entry_id}/export"): READERS,
    ("GET", "/api/audit"): "A",
    ("GET", "/api/audit.csv"): "A",
    ("GET", "/api/analytics/queries"): "RA",
    ("GET", "/api/analytics/gaps"): "RA",
}
LETTER = {Role.PROSECUTOR: "P", Role.EDITOR: "E", Role.REVIEWER: "R", Role.ADMIN: "A"}
PARAMS = {
    "entry_id": "no-such-entry",
    "user_id": "999999",
    "token_id": "999999",
    "collection_id": "999999",
    "item_id": "999999",
    "number": "999999",
}


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role | None  # None: anonymous
    anonymous_reader: bool = False  # anonymous on an app with KB_AUTH__ANONYMOUS_ROLE=检察官


def expected_allowed(caller: Caller, policy: str) -> bool:
    if policy == PUBLIC:
        return True
    if caller.role is None:
        return caller.anonymous_reader and "P" in policy and "*" not in policy
    return policy == SIGNED_IN or LETTER[caller.role] in policy


def expected_refusal(caller: Caller) -> int:
    return 401 if caller.role is None else 403


CALLERS = [
    Caller("anonymous", None),
    Caller("anonymous-检察官", None, anonymous_reader=True),
    *(Caller(role.value, role) for role in Role),
]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    kwargs: dict[str, object] = {"headers": headers}
    if method not in SAFE_METHODS:
        kwargs["json"] = {}  # never a valid body here: an allowed call stops at validation, changing nothing
    return client.request(method, concrete(path), **kwargs).status_code  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, FastAPI]]:
    home = tmp_path_factory.mktemp("perm") / "kb"
    closed = create_app(auth_settings(home))
    open_ = create_app(auth_settings(home, anonymous_role="检察官"))
    with TestClient(closed), TestClient(open_):
        yield closed, open_


def routes_of(app: FastAPI) -> list[tuple[str, str]]:
    return sorted({(m, r.path) for r in api_routes(app) for m in r.methods if m != "HEAD"})


def test_every_route_has_a_rule_and_an_expectation(apps: tuple[FastAPI, FastAPI]) -> None:
    found = routes_of(apps[0])
    assert len(found) >= 29
    assert [r for r in found if r not in RULES] == [], "routes without a rule in api/permissions.py"
    assert [r for r in found if r not in EXPECTED] == [], "routes without an expectation in this test"
    assert sorted(RULES) == sorted(EXPECTED) == found, "stale rules or expectations"


def test_permission_matrix(apps: tuple[FastAPI, FastAPI]) -> None:
    closed, open_ = apps
    accounts = closed.state.auth.accounts
    headers = {
        c.name: token_for(closed, add_user(closed, f"matrix-{c.role.value}", c.role)) if c.role else {} for c in CALLERS
    }
    for action in ("auth.login", "entry.view", "user.create"):
        closed.state.auth.audit.record(action, actor=Actor(user_id=1, name="someone"), target="before the run")
    before = closed.state.auth.audit.query(AuditFilter(), limit=10_000)[1]
    wrong: list[str] = []
    refusals = 0
    for method, path in routes_of(closed):
        policy = EXPECTED[(method, path)]
        for caller in CALLERS:
            app = open_ if caller.anonymous_reader else closed
            with TestClient(app) as client:
                status = call(client, method, path, headers[caller.name])
            allowed = expected_allowed(caller, policy)
            if allowed and (status in (401, 403) or status >= 500):
                wrong.append(f"{caller.name} {method} {path}: expected allowed, got {status}")
            if not allowed:
                refusals += 1
                if status != expected_refusal(caller):
                    wrong.append(f"{caller.name} {method} {path}: expected {expected_refusal(caller)}, got {status}")
    assert not wrong, "\n".join(wrong)
    # Every refusal was audited, and no route changed or removed an audit row written before the run.
    after = closed.state.auth.audit.query(AuditFilter(), limit=100_000)[1]
    assert {e.id: e for e in after if e.id <= max(x.id for x in before)} == {e.id: e for e in before}
    denied = closed.state.auth.audit.query(AuditFilter(actions=["access.denied"]), limit=100_000)[0]
    assert denied == refusals
    assert accounts.count_users() == 4


def test_csrf_is_required_on_every_state_changing_route_with_a_session(apps: tuple[FastAPI, FastAPI]) -> None:
    closed, _ = apps
    add_user(closed, "csrf-all", *Role)
    unsafe = [(m, p) for m, p in routes_of(closed) if m not in SAFE_METHODS]
    unsafe.sort(key=lambda r: r[1] == "/api/auth/logout")  # logging out last
    assert len(unsafe) >= 12
    with TestClient(closed) as client:
        response = client.post("/api/auth/login", json={"username": "csrf-all", "password": PASSWORD})
        csrf = response.json()["csrf_token"]
        for method, path in unsafe:
            for sent in ({}, {CSRF_HEADER: "forged"}):
                r = client.request(method, concrete(path), json={}, headers=sent)
                assert r.status_code == 403 and r.json()["code"] == "csrf_failed", (method, path, sent, r.text)
            r = client.request(method, concrete(path), json={}, headers={CSRF_HEADER: csrf})
            assert r.status_code not in (401, 403) and r.status_code < 500, (method, path, r.status_code, r.text)
    token = token_for(closed, add_user(closed, "csrf-token", Role.EDITOR))
    with TestClient(closed) as client:  # API tokens are not sent by browsers on their own: no CSRF token needed
        assert client.post("/api/search", json={"q": "盗窃"}, headers=token).status_code == 200


def test_no_route_writes_to_the_audit_log(apps: tuple[FastAPI, FastAPI]) -> None:
    closed, _ = apps
    audit_routes = [(m, r.path) for r in api_routes(closed) for m in r.methods if "/audit" in r.path]
    assert audit_routes and {m for m, _ in audit_routes} <= {"GET", "HEAD"}
    admin = token_for(closed, add_user(closed, "audit-admin", Role.ADMIN))
    with TestClient(closed) as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            for path in ("/api/audit", "/api/audit/1", "/api/audit.csv"):
                assert client.request(method, path, headers=admin).status_code in (404, 405), (method, path)


def test_permission_table_is_readable(apps: tuple[FastAPI, FastAPI]) -> None:
    from api.permissions import matrix

    table = {(m, p): [r.value for r in roles] for m, p, _, roles in matrix()}
    assert table[("POST", "/api/ingest")] == ["editor"]
    assert table[("GET", "/api/audit")] == ["admin"]
