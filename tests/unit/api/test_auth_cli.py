"""`kb user ...` and the demo accounts of `kb init --demo`, through Typer's runner on a temporary KB_HOME."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.cli_users import DEMO_USERS, create_demo_accounts
from api.main import create_app
from kb.audit import AuditFilter
from kb.config import Settings

PASSWORD = "cli-password-1"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    for name, value in (("MEMORY_KIB", "1024"), ("TIME_COST", "1"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"KB_AUTH__ARGON2_{name}", value)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def kb(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_create_admin_add_list_passwd_and_login(home: Path) -> None:
    code, _, err = kb("user", "create-admin", "--username", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "已创建用户 root（管理员）" in err
    code, _, err = kb("user", "create-admin", "--username", "ROOT", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 2 and "用户名已存在" in err
    code, _, err = kb("user", "add", "张编辑", "--role", "编辑", "-r", "检察官", "--password-stdin", stdin="short\n")
    assert code == 2 and "至少 10 个字符" in err
    code, _, err = kb("user", "add", "张编辑", "--role", "编辑", "-r", "检察官", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, err
    code, out, _ = kb("user", "list", "--json")
    assert code == 0 and '"username": "张编辑"' in out and '"roles": ["prosecutor", "editor"]' in out
    code, _, err = kb("user", "passwd", "张编辑", "--password-stdin", stdin="a-new-password-2\n")
    assert code == 0 and "已更新" in err
    code, _, err = kb("user", "roles", "root", "--role", "编辑")
    assert code == 2 and "唯一的管理员" in err
    with TestClient(create_app(Settings())) as client:
        response = client.post("/api/auth/login", json={"username": "张编辑", "password": "a-new-password-2"})
        assert response.status_code == 200
        events = client.app.state.auth.audit.query(AuditFilter(user="命令行"))[1]  # type: ignore[attr-defined]
        actions = [e.action for e in events]
    assert actions == ["user.password_reset", "user.create", "user.create"]


def test_token_create_list_revoke(home: Path) -> None:
    kb("user", "add", "script-owner", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    code, out, err = kb("user", "token", "create", "script-owner", "--name", "导入脚本", "--days", "30")
    token = out.strip()
    assert code == 0 and token.startswith("kb_") and "不会再次显示" in err
    code, out, _ = kb("user", "token", "list", "script-owner")
    assert code == 0 and "导入脚本" in out and token not in out and "有效" in out
    with TestClient(create_app(Settings())) as client:
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["via"] == "token"
        code, _, err = kb("user", "token", "revoke", "script-owner", "1")
        assert code == 0 and "已撤销" in err
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    code, _, err = kb("user", "token", "revoke", "script-owner", "99")
    assert code == 2 and "令牌不存在" in err
    code, _, err = kb("user", "token", "list", "nobody")
    assert code == 2 and "用户不存在" in err


def test_disable_and_enable(home: Path) -> None:
    kb("user", "add", "temp-user", "--role", "检察官", "--password-stdin", stdin=PASSWORD + "\n")
    assert kb("user", "disable", "temp-user")[0] == 0
    with TestClient(create_app(Settings())) as client:
        login = {"username": "temp-user", "password": PASSWORD}
        assert client.post("/api/auth/login", json=login).status_code == 401
        assert kb("user", "enable", "temp-user")[0] == 0
        assert client.post("/api/auth/login", json=login).status_code == 200


def test_demo_accounts_once_with_a_private_file(home: Path) -> None:
    settings = Settings()
    path = create_demo_accounts(settings)
    assert path == home / "demo-accounts.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [(name, role) for name, role, _ in lines] == [(n, r.label) for n, r, _ in DEMO_USERS]
    assert create_demo_accounts(settings) is None  # idempotent: a second init keeps the accounts and the file
    server = create_app(settings)
    for name, _, password in lines:
        with TestClient(server) as client:
            assert client.post("/api/auth/login", json={"username": name, "password": password}).status_code == 200
