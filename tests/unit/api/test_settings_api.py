"""系统设置: an administrator changes run-time settings; they apply at once, survive a restart, and are audited."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from kb.accounts import Role
from tests.unit.api.test_auth import add_user, audit_rows, auth_settings, token_for


def _values(client: TestClient, admin: dict[str, str]) -> dict[str, object]:
    return {s["key"]: s["value"] for s in client.get("/api/settings", headers=admin).json()["items"]}


def test_settings_apply_at_once_survive_a_restart_and_are_audited(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    app = create_app(auth_settings(home))
    with TestClient(app) as client:
        admin = token_for(app, add_user(app, "admin", Role.ADMIN))
        items = client.get("/api/settings", headers=admin).json()["items"]
        anonymous = next(s for s in items if s["key"] == "anonymous_role")
        assert anonymous["value"] == "" and anonymous["overridden"] is False
        assert [c["value"] for c in anonymous["choices"]] == ["", "检察官"]
        assert client.get("/api/search", params={"q": "盗窃"}).status_code == 401

        changed = client.put(
            "/api/settings", json={"values": {"anonymous_role": "检察官", "max_upload_mb": 2}}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        assert client.get("/api/search", params={"q": "盗窃"}).status_code == 200  # at once, no restart
        assert client.get("/api/auth/me").json()["anonymous_access"] is True
        editor = token_for(app, add_user(app, "editor", Role.EDITOR))
        big = [("files", ("big.txt", "案情。".encode() * 400_000, "text/plain"))]
        refused = client.post("/api/ingest", files=big, headers=editor)
        assert refused.status_code == 413 and "2 MB" in refused.json()["detail"]
        row = audit_rows(app, "settings.update")[0]
        assert row["details"]["anonymous_role"] == {"old": "", "new": "检察官"}

    again = create_app(auth_settings(home))
    with TestClient(again) as client:
        assert client.get("/api/search", params={"q": "盗窃"}).status_code == 200  # stored over the environment
        admin = token_for(again, add_user(again, "admin2", Role.ADMIN))
        reset = client.put("/api/settings", json={"values": {"anonymous_role": None}}, headers=admin)
        assert reset.status_code == 200
        assert client.get("/api/search", params={"q": "盗窃"}).status_code == 401
        assert _values(client, admin)["max_upload_mb"] == 2


def test_bad_values_change_nothing(tmp_path: Path) -> None:
    app = create_app(auth_settings(tmp_path / "kb"))
    with TestClient(app) as client:
        admin = token_for(app, add_user(app, "admin", Role.ADMIN))
        before = _values(client, admin)
        for values, needle in (
            ({"max_upload_mb": 0}, "1 到 500"),
            ({"max_upload_mb": 10, "anonymous_role": "管理员"}, "只能是"),
            ({"session_idle_minutes": True}, "请求参数无效"),
            ({"session_idle_minutes": "30"}, "整数"),
            ({"home": "/etc"}, "没有这些可调整的设置"),
        ):
            bad = client.put("/api/settings", json={"values": values}, headers=admin)
            assert bad.status_code == 422 and needle in bad.json()["detail"], bad.text
        assert _values(client, admin) == before
        failures = [r for r in audit_rows(app, "settings.update") if r["outcome"] == "failure"]
        assert len(failures) == 4  # the malformed body never reached the settings
