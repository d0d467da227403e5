"""AccountStore on a real SQLite file: users and roles, argon2id, sessions with expiry, tokens, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kb.accounts import AccountStore, Permission, Role, parse_role, parse_roles, permissions_for
from kb.accounts.errors import (
    InvalidAccountData,
    LoginFailed,
    TokenNotFound,
    TooManyAttempts,
    UserExists,
    WeakPassword,
)
from kb.accounts.store import digest
from kb.config import AuthSettings
from kb.records import create_record_engine

FAST = {"argon2_memory_kib": 1024, "argon2_time_cost": 1, "argon2_parallelism": 1}
PASSWORD = "correct-horse-9"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> AccountStore:
    limits = {"login_max_failures": 3, "login_ip_max_failures": 5, "lockout_base_s": 30, "lockout_max_s": 120}
    settings = AuthSettings.model_validate({**FAST, **limits})
    accounts = AccountStore(create_record_engine(f"sqlite:///{tmp_path / 'kb.sqlite3'}"), settings, clock=clock)
    accounts.init_schema()
    accounts.init_schema()  # idempotent
    return accounts


def test_roles_parse_from_codes_and_chinese_names() -> None:
    assert parse_role("检察官") is Role.PROSECUTOR and parse_role("Editor") is Role.EDITOR
    assert parse_roles(["审核，管理员", "prosecutor"]) == {Role.REVIEWER, Role.ADMIN, Role.PROSECUTOR}
    with pytest.raises(InvalidAccountData, match="未知角色"):
        parse_role("root")


def test_no_role_silently_includes_another() -> None:
    assert Permission.IMPORT not in permissions_for([Role.REVIEWER])
    assert Permission.PUBLISH not in permissions_for([Role.EDITOR])
    assert Permission.USERS not in permissions_for([Role.EDITOR, Role.REVIEWER])
    assert Permission.SEARCH not in permissions_for([Role.ADMIN])  # administrators run the system, not searches
    assert {Permission.SEARCH, Permission.READ_PUBLISHED} <= permissions_for([Role.EDITOR])
    assert {Permission.SEARCH, Permission.READ_PUBLISHED} <= permissions_for([Role.REVIEWER])


def test_create_user_hashes_with_argon2id_and_never_stores_plaintext(store: AccountStore) -> None:
    user = store.create_user("张三", PASSWORD, [Role.EDITOR, Role.PROSECUTOR], display_name="张检察官")
    assert user.roles == {Role.EDITOR, Role.PROSECUTOR} and user.display_name == "张检察官"
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
        dump = "\n".join(str(row) for row in conn.execute(text("SELECT * FROM users")))
    assert stored.startswith("$argon2id$") and PASSWORD not in dump


def test_user_names_are_unique_ignoring_case_and_width(store: AccountStore) -> None:
    store.create_user("Wang", PASSWORD, [Role.PROSECUTOR])
    with pytest.raises(UserExists):
        store.create_user("\uff57\uff41\uff4e\uff47", PASSWORD, [Role.PROSECUTOR])
    with pytest.raises(InvalidAccountData, match="用户名无效"):
        store.create_user("a b", PASSWORD, [Role.PROSECUTOR])
    with pytest.raises(InvalidAccountData, match="至少需要一个角色"):
        store.create_user("nobody", PASSWORD, [])


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "至少 10 个字符"),
        ("aaaaaaaaaaaa", "4 个不同"),
        ("my-lisi-password", "不能包含用户名"),
        ("x" * 300, "不能超过"),
    ],
)
def test_password_policy(store: AccountStore, password: str, message: str) -> None:
    with pytest.raises(WeakPassword, match=message):
        store.create_user("lisi", password, [Role.PROSECUTOR])


def test_authenticate(store: AccountStore) -> None:
    store.create_user("zhao", PASSWORD, [Role.REVIEWER])
    assert store.authenticate("ZHAO", PASSWORD, "10.0.0.1").last_login_at is not None
    with pytest.raises(LoginFailed, match="用户名或密码错误"):
        store.authenticate("zhao", "wrong-password", "10.0.0.1")
    with pytest.raises(LoginFailed, match="用户名或密码错误"):  # same message for an unknown name
        store.authenticate("nobody", PASSWORD, "10.0.0.1")


def test_account_throttle_backs_off_exponentially_and_expires(store: AccountStore, clock: Clock) -> None:
    store.create_user("qian", PASSWORD, [Role.PROSECUTOR])
    for _ in range(2):
        with pytest.raises(LoginFailed):
            store.authenticate("qian", "bad-password", "10.0.0.2")
    with pytest.raises(TooManyAttempts) as third:
        store.authenticate("qian", "bad-password", "10.0.0.2")
    assert third.value.retry_after == 30 and "请" in third.value.detail
    with pytest.raises(TooManyAttempts):  # locked: even the right password is refused
        store.authenticate("qian", PASSWORD, "10.0.0.3")
    clock.advance(seconds=31)
    with pytest.raises(TooManyAttempts) as fourth:
        store.authenticate("qian", "bad-password", "10.0.0.2")
    assert fourth.value.retry_after == 60  # doubled
    clock.advance(seconds=61)
    assert store.authenticate("qian", PASSWORD, "10.0.0.3").username == "qian"
    with pytest.raises(LoginFailed):  # success cleared the account's count
        store.authenticate("qian", "bad-password", "10.0.0.3")


def test_address_throttle_spans_accounts(store: AccountStore) -> None:
    store.create_user("sun1", PASSWORD, [Role.PROSECUTOR])
    for i in range(4):
        with pytest.raises(LoginFailed):
            store.authenticate(f"guess{i}", "bad-password", "10.9.9.9")
    with pytest.raises(TooManyAttempts):
        store.authenticate("guess9", "bad-password", "10.9.9.9")
    with pytest.raises(TooManyAttempts):
        store.authenticate("sun1", PASSWORD, "10.9.9.9")
    assert store.authenticate("sun1", PASSWORD, "10.1.1.1").username == "sun1"


def test_sessions_are_stored_hashed_and_expire(store: AccountStore, clock: Clock) -> None:
    user = store.create_user("zhou", PASSWORD, [Role.PROSECUTOR])
    new = store.create_session(user.id, client_ip="10.0.0.1", user_agent="pytest")
    with store.engine.connect() as conn:
        ids = conn.execute(text("SELECT id_hash FROM auth_sessions")).scalars().all()
    assert ids == [digest(new.session_id)] and new.session_id not in ids
    active = store.resolve_session(new.session_id)
    assert active is not None and active.user.id == user.id and active.csrf_token == new.csrf_token
    assert store.resolve_session("forged") is None
    clock.advance(minutes=119)
    assert store.resolve_session(new.session_id) is not None  # touched: idle clock restarts
    clock.advance(minutes=121)
    assert store.resolve_session(new.session_id) is None  # idle too long


def test_absolute_session_expiry(store: AccountStore, clock: Clock) -> None:
    user = store.create_user("wu01", PASSWORD, [Role.PROSECUTOR])
    new = store.create_session(user.id)
    for _ in range(13):
        clock.advance(minutes=59)
        store.resolve_session(new.session_id)
    assert store.resolve_session(new.session_id) is None


def test_password_change_and_disabling_end_sessions(store: AccountStore) -> None:
    admin = store.create_user("admin", PASSWORD, [Role.ADMIN])
    user = store.create_user("zheng", PASSWORD, [Role.EDITOR])
    first = store.create_session(user.id)
    store.set_password(user.id, "another-secret-1")
    assert store.resolve_session(first.session_id) is None
    assert store.verify_password(user.id, "another-secret-1")
    second = store.create_session(user.id)
    store.update_user(user.id, is_active=False)
    assert store.resolve_session(second.session_id) is None
    with pytest.raises(LoginFailed):
        store.authenticate("zheng", "another-secret-1", None)
    with pytest.raises(InvalidAccountData, match="唯一的管理员"):
        store.update_user(admin.id, roles=[Role.EDITOR])


def test_tokens_are_hashed_revocable_and_expire(store: AccountStore, clock: Clock) -> None:
    owner = store.create_user("feng", PASSWORD, [Role.EDITOR])
    other = store.create_user("chen", PASSWORD, [Role.EDITOR])
    info, raw = store.create_token(owner.id, "导入脚本", expires_at=clock.now + timedelta(days=1))
    assert raw.startswith("kb_") and len(raw) > 40 and info.prefix == raw[:10]
    with store.engine.connect() as conn:
        assert raw not in str(conn.execute(text("SELECT * FROM api_tokens")).all())
    found = store.resolve_token(raw)
    assert found is not None and found[0].id == owner.id
    assert store.resolve_token(raw + "x") is None and store.resolve_token("not-a-token") is None
    with pytest.raises(TokenNotFound):  # another user's token is not found, not revealed
        store.revoke_token(other.id, info.id)
    assert store.resolve_token(raw) is not None
    clock.advance(days=2)
    assert store.resolve_token(raw) is None
    _, second = store.create_token(owner.id, "另一个")
    store.revoke_token(owner.id, store.list_tokens(owner.id)[-1].id)
    assert store.resolve_token(second) is None
    with pytest.raises(InvalidAccountData):
        store.create_token(owner.id, "过去", expires_at=clock.now - timedelta(seconds=1))


def test_quiet_throttle_rows_are_swept(store: AccountStore, clock: Clock) -> None:
    for i in range(3):
        with pytest.raises(LoginFailed):
            store.authenticate(f"guess-{i}", "bad-password", f"10.2.0.{i}")
    clock.advance(minutes=16)
    with pytest.raises(LoginFailed):
        store.authenticate("another", "bad-password", "10.2.1.1")
    with store.engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM login_throttle ORDER BY key")).scalars().all()
    assert keys == ["ip:10.2.1.1", "user:another"]
