"""Schemathesis against the OpenAPI schema, signed in with an API token that holds every role.

Marked `slow`. KB_FUZZ_EXAMPLES sets the examples per operation (default 15). Nothing may answer 5xx, and every
answer must match the schema (status, content type, body). One check is left out, knowingly:
- `positive_data_acceptance` (ST202): some schema-valid input is refused by rules a schema cannot state (password
  policy, unknown filter names in POST /api/search's free-form `filters` object, 2–4 distinct ids in /api/compare).
And `negative_data_rejection` (ST201) is left out where a query takes lists of free text (FREE_TEXT_QUERIES): "false"
or "1e16" in a query string is text, not the boolean or number Schemathesis thinks it sent; and, until their owners
fix them, for the findings in REPORTED.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.main import create_app
from kb.accounts import Role
from tests.conftest import FAST_AUTH, make_settings

pytestmark = pytest.mark.slow

FREE_TEXT_QUERIES = {
    ("GET", "/api/search"),
    ("GET", "/api/entries"),
    ("GET", "/api/compare"),
    ("GET", "/api/training/warning-cases"),
    ("GET", "/api/audit"),
    ("GET", "/api/audit.csv"),
}
# Findings not fixed yet (none at present; POST /api/ingest's text-instead-of-file parts are refused with 422 now).
REPORTED: set[tuple[str, str]] = set()
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "15"))

# Built at collection (the pytest fixture loader of Schemathesis does not work with pytest 9): a temporary KB_HOME,
# removed at exit; nothing heavy happens before the test runs (the knowledge base opens in the app's lifespan).
_HOME = Path(tempfile.mkdtemp(prefix="kb-fuzz-"))
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
app = create_app(
    make_settings(_HOME / "kb", auth={**FAST_AUTH, "login_max_failures": 10**6, "login_ip_max_failures": 10**6})
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
HEADERS: dict[str, Any] = {}


def signed_in() -> dict[str, Any]:
    """A live token holding every role, so every route is reached (Bearer: no CSRF header needed).

    The run may revoke its own token or change its own roles (the API works as it should), so both are restored.
    """
    accounts = app.state.auth.accounts
    user = accounts.find_user("fuzz-all") or accounts.create_user("fuzz-all", "fuzz-password-1", list(Role))
    if user.roles != set(Role) or not user.is_active:
        accounts.update_user(user.id, roles=list(Role), is_active=True)
    if HEADERS and accounts.resolve_token(HEADERS["Authorization"].removeprefix("Bearer ")) is not None:
        return HEADERS
    HEADERS["Authorization"] = f"Bearer {accounts.create_token(user.id, 'schemathesis')[1]}"
    return HEADERS


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case[Any]) -> None:
    if case.path == "/api/auth/logout" or (case.method == "POST" and case.path == "/api/auth/password"):
        return  # would end or replace the credentials the rest of the run uses
    excluded = [positive_data_acceptance]
    if (case.method.upper(), case.path) in FREE_TEXT_QUERIES | REPORTED:
        excluded.append(negative_data_rejection)
    # A generous timeout: on a loaded 2-core machine a 10 s default fails requests that are only waiting for a core.
    case.call_and_validate(headers=signed_in(), excluded_checks=excluded, timeout=60)


def test_the_fuzzing_client_is_signed_in_with_every_role() -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        me = client.get("/api/auth/me", headers=signed_in()).json()
    assert me["via"] == "token" and len(me["roles"]) == len(Role)
