"""`kb user ...`: accounts from the command line (first administrator, users, passwords, API tokens), demo accounts.

Whoever can run this on the server already owns the database, so these commands need no login; every change is still
written to the audit log, as actor 命令行.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kb.accounts import AccountStore, Role, User, parse_roles
from kb.audit import Actor, AuditLog
from kb.config import Settings, load_settings
from kb.errors import KBError
from kb.logging import configure_logging
from kb.records import create_record_engine

user_app = typer.Typer(help="账号：首个管理员、用户、密码、API 令牌", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌（脚本用）：创建、列出、撤销", no_args_is_help=True)
user_app.add_typer(token_app, name="token")

console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)
CLI_ACTOR = Actor.system("命令行")
DEMO_FILE = "demo-accounts.txt"
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("demo-prosecutor", Role.PROSECUTOR, "示例检察官"),
    ("demo-editor", Role.EDITOR, "示例编辑"),
    ("demo-reviewer", Role.REVIEWER, "示例审核"),
    ("demo-admin", Role.ADMIN, "示例管理员"),
]

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取密码（第一行），适合脚本；否则交互输入两次")
]


@dataclass
class Accounts:
    store: AccountStore
    audit: AuditLog


@contextmanager
def open_accounts(settings: Settings) -> Iterator[Accounts]:
    engine = create_record_engine(settings.record_url)
    try:
        store = AccountStore(engine, settings.auth)
        store.init_schema()
        audit = AuditLog(engine)
        audit.init_schema()
        yield Accounts(store, audit)
    finally:
        engine.dispose()


def _settings() -> Settings:
    try:
        settings = load_settings()
    except KBError as exc:
        raise _fail(exc) from None
    configure_logging("WARNING", json_lines=settings.log_json)
    return settings


def _fail(exc: KBError) -> typer.Exit:
    console.print(f"[red]错误[/red]（{exc.code}）：{exc.detail}")
    return typer.Exit(2)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            console.print("[red]错误[/red]：标准输入中没有密码")
            raise typer.Exit(2)
        return password
    first = typer.prompt("密码", hide_input=True)
    second = typer.prompt("再次输入密码", hide_input=True)
    if first != second:
        console.print("[red]错误[/red]：两次输入的密码不一致")
        raise typer.Exit(2)
    return str(first)


def _find(accounts: Accounts, username: str) -> User:
    user = accounts.store.find_user(username)
    if user is None:
        console.print(f"[red]错误[/red]：用户不存在：{username}")
        raise typer.Exit(2)
    return user


def _roles_text(user: User) -> str:
    return "、".join(r.label for r in user.role_list)


def _create(username: str, roles: frozenset[Role], display_name: str, password_stdin: bool) -> None:
    settings = _settings()
    password = _read_password(password_stdin)
    with open_accounts(settings) as accounts:
        try:
            user = accounts.store.create_user(username, password, roles, display_name=display_name)
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record(
            "user.create", actor=CLI_ACTOR, target=user.username, details={"roles": [r.value for r in user.role_list]}
        )
    console.print(f"已创建用户 {user.username}（{_roles_text(user)}）")


@user_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option("--username", "-u", help="用户名")],
    display_name: Annotated[str, typer.Option("--display-name", help="显示名")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """创建管理员账号（首次部署时使用）。"""
    _create(username, frozenset({Role.ADMIN}), display_name, password_stdin)


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        list[str], typer.Option("--role", "-r", help="角色：检察官/编辑/审核/管理员（或英文代码），可重复")
    ],
    display_name: Annotated[str, typer.Option("--display-name", help="显示名")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """添加用户。"""
    try:
        roles = parse_roles(role)
    except KBError as exc:
        raise _fail(exc) from exc
    _create(username, roles, display_name, password_stdin)


@user_app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="每行一个 JSON")] = False) -> None:
    """列出用户。"""
    with open_accounts(_settings()) as accounts:
        users = accounts.store.list_users()
    if as_json:
        for u in users:
            row = {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "roles": [r.value for r in u.role_list],
                "active": u.is_active,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"用户（{len(users)}）")
    for column in ("编号", "用户名", "显示名", "角色", "状态", "最近登录（UTC）"):
        table.add_column(column)
    for u in users:
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "—"
        table.add_row(str(u.id), u.username, u.display_name, _roles_text(u), "启用" if u.is_active else "停用", last)
    out.print(table)


@user_app.command("passwd")
def passwd(username: Annotated[str, typer.Argument(help="用户名")], password_stdin: PasswordStdin = False) -> None:
    """设置用户的新密码（其所有浏览器会话随即失效）。"""
    settings = _settings()
    with open_accounts(settings) as accounts:
        user = _find(accounts, username)
        password = _read_password(password_stdin)
        try:
            accounts.store.set_password(user.id, password)
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record("user.password_reset", actor=CLI_ACTOR, target=user.username)
    console.print(f"已更新 {user.username} 的密码")


@user_app.command("roles")
def set_roles(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[list[str], typer.Option("--role", "-r", help="新的角色（整体替换），可重复")],
) -> None:
    """修改用户的角色。"""
    with open_accounts(_settings()) as accounts:
        user = _find(accounts, username)
        try:
            updated = accounts.store.update_user(user.id, roles=parse_roles(role))
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record(
            "user.update",
            actor=CLI_ACTOR,
            target=user.username,
            details={
                "roles": {"before": [r.value for r in user.role_list], "after": [r.value for r in updated.role_list]}
            },
        )
    console.print(f"{updated.username} 的角色：{_roles_text(updated)}")


@user_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号（立即结束其会话，令牌也不再可用）。"""
    _set_active(username, active=False)


@user_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重新启用账号。"""
    _set_active(username, active=True)


def _set_active(username: str, *, active: bool) -> None:
    with open_accounts(_settings()) as accounts:
        user = _find(accounts, username)
        try:
            accounts.store.update_user(user.id, is_active=active)
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record(
            "user.update", actor=CLI_ACTOR, target=user.username, details={"is_active": {"after": active}}
        )
    console.print(f"已{'启用' if active else '停用'} {user.username}")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="令牌所属用户")],
    name: Annotated[str, typer.Option("--name", "-n", help="用途，如“批量导入脚本”")],
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650, help="有效天数（默认不过期）")] = None,
) -> None:
    """创建 API 令牌：令牌只打印这一次（标准输出），之后只存其摘要。"""
    with open_accounts(_settings()) as accounts:
        user = _find(accounts, username)
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        try:
            info, raw = accounts.store.create_token(user.id, name, expires_at=expires)
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record(
            "token.create", actor=CLI_ACTOR, target=f"{user.username}#{info.id}", details={"name": info.name}
        )
    sys.stdout.write(raw + "\n")
    console.print(
        f"令牌 #{info.id}（{info.name}）已创建，请妥善保存：它不会再次显示。用法：Authorization: Bearer <令牌>"
    )


@token_app.command("list")
def token_list(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """列出用户的 API 令牌（不显示令牌本身）。"""
    with open_accounts(_settings()) as accounts:
        user = _find(accounts, username)
        tokens = accounts.store.list_tokens(user.id)
    now = datetime.now(UTC)
    table = Table(title=f"{user.username} 的令牌（{len(tokens)}）")
    for column in ("编号", "名称", "开头", "创建（UTC）", "过期", "最近使用", "状态"):
        table.add_column(column)
    for t in tokens:
        state = "有效" if t.active(now) else ("已撤销" if t.revoked_at else "已过期")
        table.add_row(
            str(t.id),
            t.name,
            t.prefix + "…",
            t.created_at.strftime("%Y-%m-%d %H:%M"),
            t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "不过期",
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "—",
            state,
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    username: Annotated[str, typer.Argument(help="用户名")],
    token_id: Annotated[int, typer.Argument(help="令牌编号（kb user token list 中的“编号”）")],
) -> None:
    """撤销 API 令牌。"""
    with open_accounts(_settings()) as accounts:
        user = _find(accounts, username)
        try:
            info = accounts.store.revoke_token(user.id, token_id)
        except KBError as exc:
            raise _fail(exc) from exc
        accounts.audit.record("token.revoke", actor=CLI_ACTOR, target=f"{user.username}#{info.id}")
    console.print(f"已撤销令牌 #{info.id}（{info.name}）")


def create_demo_accounts(settings: Settings) -> Path | None:
    """One account per role with a random password, written to $KB_HOME/demo-accounts.txt (mode 0600).

    Idempotent: when any demo account already exists nothing is created (the file from the first run stays).
    Returns the file when accounts were created now.
    """
    path = settings.home / DEMO_FILE
    with open_accounts(settings) as accounts:
        if any(accounts.store.find_user(name) is not None for name, _, _ in DEMO_USERS):
            return None
        lines = ["# 示例账号（kb init --demo 生成；仅供演示，请勿用于正式部署）", "# 用户名\t角色\t密码"]
        for name, role, display in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            user = accounts.store.create_user(name, password, [role], display_name=display)
            accounts.audit.record(
                "user.create", actor=Actor.system("kb init --demo"), target=user.username, details={"roles": [role]}
            )
            lines.append(f"{name}\t{role.label}\t{password}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
