"""The permission table: for every API route and method, who may call it. One place; the gate in api/auth.py reads it.

A rule is one of
- `PUBLIC`: anyone, also without an account (health, login, logout, who-am-I);
- `SIGNED_IN`: any signed-in account, whatever its roles (own password and own API tokens) — not the anonymous role;
- a `Permission`: callers whose roles grant it (kb/accounts/roles.py says which roles grant what). Anonymous callers
  hold the permissions of KB_AUTH__ANONYMOUS_ROLE (none by default).

A route missing here is refused for everyone (fail closed) and fails tests/unit/api/test_permissions.py.
HEAD follows GET. Paths are FastAPI's path templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import FastAPI
from starlette.routing import compile_path

from kb.accounts.roles import ROLE_GRANTS, Permission, Role


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"


Rule = Access | Permission

PUBLIC = Access.PUBLIC
SIGNED_IN = Access.SIGNED_IN

RULES: dict[tuple[str, str], Rule] = {
    # health and library statistics
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/stats"): Permission.READ_PUBLISHED,
    # 类案检索 and reading
    ("GET", "/api/search"): Permission.SEARCH,
    ("POST", "/api/search"): Permission.SEARCH,
    ("GET", "/api/entries"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}/similar"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}/related"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}/cases"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}/citations"): Permission.READ_PUBLISHED,
    ("GET", "/api/compare"): Permission.READ_PUBLISHED,
    # import
    ("POST", "/api/ingest"): Permission.IMPORT,
    # 类案比对 (any reader) and the divergences collected for the guidance center
    ("POST", "/api/analysis"): Permission.SEARCH,
    ("GET", "/api/analysis/divergences"): Permission.ANALYTICS,
    # review and publication (审核发布): editors edit and submit, reviewers approve, reject, publish and retract
    ("GET", "/api/workflow/entries"): Permission.READ_UNPUBLISHED,
    ("GET", "/api/workflow/entries/{entry_id}"): Permission.READ_UNPUBLISHED,
    ("PUT", "/api/workflow/entries/{entry_id}"): Permission.EDIT,
    ("POST", "/api/workflow/entries/{entry_id}/submit"): Permission.SUBMIT,
    ("POST", "/api/workflow/entries/{entry_id}/approve"): Permission.REVIEW,
    ("POST", "/api/workflow/entries/{entry_id}/reject"): Permission.REVIEW,
    ("POST", "/api/workflow/entries/{entry_id}/retract"): Permission.PUBLISH,
    ("GET", "/api/batches"): Permission.READ_UNPUBLISHED,
    ("GET", "/api/batches/{number}"): Permission.READ_UNPUBLISHED,
    ("POST", "/api/batches"): Permission.PUBLISH,
    # sign-in, own account
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    ("GET", "/api/auth/me"): PUBLIC,
    ("POST", "/api/auth/password"): SIGNED_IN,
    ("GET", "/api/auth/tokens"): SIGNED_IN,
    ("POST", "/api/auth/tokens"): SIGNED_IN,
    ("DELETE", "/api/auth/tokens/{token_id}"): SIGNED_IN,
    # administration of accounts
    ("GET", "/api/settings"): Permission.SETTINGS,
    ("PUT", "/api/settings"): Permission.SETTINGS,
    ("GET", "/api/users"): Permission.USERS,
    ("POST", "/api/users"): Permission.USERS,
    ("GET", "/api/users/{user_id}"): Permission.USERS,
    ("PATCH", "/api/users/{user_id}"): Permission.USERS,
    ("PUT", "/api/users/{user_id}/password"): Permission.USERS,
    ("GET", "/api/users/{user_id}/tokens"): Permission.USERS,
    ("POST", "/api/users/{user_id}/tokens"): Permission.USERS,
    ("DELETE", "/api/users/{user_id}/tokens/{token_id}"): Permission.USERS,
    # training: personal and shared collections (专题), warning cases, DOCX/PDF export (api/routes/collections.py,
    # api/routes/export.py); collections act for the signed-in person, so anonymous callers never reach them
    ("GET", "/api/collections"): Permission.COLLECTIONS_OWN,
    ("POST", "/api/collections"): Permission.COLLECTIONS_OWN,
    ("GET", "/api/collections/{collection_id}"): Permission.COLLECTIONS_OWN,
    ("PATCH", "/api/collections/{collection_id}"): Permission.COLLECTIONS_OWN,
    ("DELETE", "/api/collections/{collection_id}"): Permission.COLLECTIONS_OWN,
    ("POST", "/api/collections/{collection_id}/items"): Permission.COLLECTIONS_OWN,
    ("PATCH", "/api/collections/{collection_id}/items/{item_id}"): Permission.COLLECTIONS_OWN,
    ("DELETE", "/api/collections/{collection_id}/items/{item_id}"): Permission.COLLECTIONS_OWN,
    ("PUT", "/api/collections/{collection_id}/order"): Permission.COLLECTIONS_OWN,
    ("GET", "/api/collections/{collection_id}/export"): Permission.COLLECTIONS_OWN,
    ("GET", "/api/training/warning-cases"): Permission.READ_PUBLISHED,
    ("GET", "/api/entries/{entry_id}/export"): Permission.EXPORT,
    # audit log (read-only: there is no route that changes it) and search analytics
    ("GET", "/api/audit"): Permission.AUDIT,
    ("GET", "/api/audit.csv"): Permission.AUDIT,
    ("GET", "/api/analytics/queries"): Permission.ANALYTICS,
    ("GET", "/api/analytics/gaps"): Permission.ANALYTICS,
}


def rule_for(method: str, path: str) -> Rule | None:
    return RULES.get(("GET" if method == "HEAD" else method, path))


def roles_allowed(rule: Rule) -> list[Role]:
    """Roles whose grants satisfy `rule` (every role for PUBLIC and SIGNED_IN)."""
    if isinstance(rule, Access):
        return list(Role)
    return [role for role in Role if rule in ROLE_GRANTS[role]]


def matrix() -> list[tuple[str, str, Rule, list[Role]]]:
    """(method, path, rule, roles allowed) for every rule: the table as people read it (README, report)."""
    return [(m, p, r, roles_allowed(r)) for (m, p), r in sorted(RULES.items(), key=lambda kv: (kv[0][1], kv[0][0]))]


@dataclass(frozen=True)
class ApiRoute:
    path: str  # the template, as in RULES
    methods: frozenset[str]
    regex: re.Pattern[str]


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every /api route of `app` with its methods, flattened through included routers (cached per app)."""
    cached: tuple[int, list[ApiRoute]] | None = getattr(app.state, "_api_routes", None)
    if cached is not None and cached[0] == len(app.routes):
        return cached[1]
    found: list[ApiRoute] = []
    for route in _flat(app):
        path = getattr(route, "path", None)
        methods = getattr(route, "methods", None)
        if isinstance(path, str) and path.startswith("/api/") and methods:
            found.append(ApiRoute(path, frozenset(methods), compile_path(path)[0]))
    app.state._api_routes = (len(app.routes), found)
    return found


def _flat(app: FastAPI) -> list[Any]:
    try:  # FastAPI >= 0.160 includes routers lazily; this walks them as its OpenAPI generator does
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is already flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def match_route(app: FastAPI, method: str, path: str) -> ApiRoute | None:
    """The /api route that serves (method, path); None when no route does (the router answers 404 or 405)."""
    wanted = "GET" if method == "HEAD" else method
    for route in api_routes(app):
        if wanted in route.methods and route.regex.match(path):
            return route
    return None
