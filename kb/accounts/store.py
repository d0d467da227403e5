"""AccountStore: users and their roles, login, browser sessions and API tokens, in the record database."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kb.accounts.errors import (
    InvalidAccountData,
    LoginFailed,
    TokenNotFound,
    TooManyAttempts,
    UserExists,
    UserNotFound,
)
from kb.accounts.passwords import Passwords
from kb.accounts.roles import Permission, Role, permissions_for, sorted_roles
from kb.accounts.tables import ApiTokenRow, SessionRow, UserRoleRow, UserRow, create_tables, utcnow
from kb.accounts.throttle import LoginThrottle
from kb.config import AuthSettings

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "kb_"
USERNAME_RE = re.compile(r"^[\w.@-]{2,64}$")
TOUCH_EVERY = timedelta(seconds=60)  # a session's last_seen_at is written at most once a minute


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles) if self.is_active else frozenset()

    @property
    def role_list(self) -> list[Role]:
        return sorted_roles(self.roles)


@dataclass(frozen=True)
class NewSession:
    session_id: str  # the cookie value; only its digest is stored
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    id_hash: str
    user: User
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def username_key(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().casefold()


def check_username(username: str) -> str:
    name = unicodedata.normalize("NFKC", username).strip()
    if not USERNAME_RE.fullmatch(name):
        msg = f"用户名无效：{username!r}（2–64 个字符，可用汉字、字母、数字及 . _ - @）"
        raise InvalidAccountData(msg, username=username)
    return name


class AccountStore:
    """Everything about accounts. `clock` is injectable so expiry and throttling can be tested without sleeping."""

    def __init__(self, engine: Engine, settings: AuthSettings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.passwords = Passwords(settings)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.throttle = LoginThrottle(self._sessions, settings, clock)

    def init_schema(self) -> None:
        create_tables(self.engine)

    # -- users -----------------------------------------------------------------------------------------------------

    def create_user(self, username: str, password: str, roles: Iterable[Role], *, display_name: str = "") -> User:
        name = check_username(username)
        wanted = frozenset(roles)
        if not wanted:
            msg = f"用户 {name} 至少需要一个角色"
            raise InvalidAccountData(msg, username=name)
        self.passwords.check_policy(password, username=name)
        hashed = self.passwords.hash(password)
        with self._sessions.begin() as session:
            key = username_key(name)
            if session.scalar(select(UserRow.id).where(UserRow.username_key == key)) is not None:
                msg = f"用户名已存在：{name}"
                raise UserExists(msg, username=name)
            row = UserRow(
                username=name, username_key=key, display_name=display_name.strip()[:128], password_hash=hashed
            )
            session.add(row)
            session.flush()
            session.add_all(UserRoleRow(user_id=row.id, role=r.value) for r in sorted_roles(wanted))
            session.flush()
            return _user(session, row)

    def get_user(self, user_id: int) -> User:
        with self._sessions() as session:
            return _user(session, _user_row(session, user_id))

    def find_user(self, username: str) -> User | None:
        with self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.username_key == username_key(username)))
            return _user(session, row) if row is not None else None

    def list_users(self) -> list[User]:
        with self._sessions() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.username_key)).all()
            return [_user(session, r) for r in rows]

    def count_users(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count(UserRow.id))) or 0)

    def update_user(
        self,
        user_id: int,
        *,
        roles: Iterable[Role] | None = None,
        is_active: bool | None = None,
        display_name: str | None = None,
    ) -> User:
        """Change roles, the active flag or the display name. The last active administrator stays one."""
        with self._sessions.begin() as session:
            row = _user_row(session, user_id)
            current = _roles(session, row.id)
            new_roles = frozenset(roles) if roles is not None else current
            active = row.is_active if is_active is None else is_active
            if roles is not None and not new_roles:
                msg = f"用户 {row.username} 至少需要一个角色"
                raise InvalidAccountData(msg, username=row.username)
            if Role.ADMIN in current and row.is_active and (Role.ADMIN not in new_roles or not active):
                others = session.scalar(
                    select(func.count(UserRow.id))
                    .join(UserRoleRow, UserRoleRow.user_id == UserRow.id)
                    .where(UserRoleRow.role == Role.ADMIN.value, UserRow.is_active, UserRow.id != row.id)
                )
                if not others:
                    msg = f"{row.username} 是唯一的管理员，不能取消其管理员角色或停用"
                    raise InvalidAccountData(msg, username=row.username)
            if roles is not None and new_roles != current:
                session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == row.id))
                session.add_all(UserRoleRow(user_id=row.id, role=r.value) for r in sorted_roles(new_roles))
            if not active and row.is_active:
                session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            row.is_active = active
            if display_name is not None:
                row.display_name = display_name.strip()[:128]
            row.updated_at = self.clock()
            session.flush()
            return _user(session, row)

    def set_password(self, user_id: int, new_password: str) -> None:
        """Set a new password and end every session of the user (tokens stay: revoke them separately)."""
        with self._sessions.begin() as session:
            row = _user_row(session, user_id)
            self.passwords.check_policy(new_password, username=row.username)
            row.password_hash = self.passwords.hash(new_password)
            row.password_changed_at = row.updated_at = self.clock()
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))

    def verify_password(self, user_id: int, password: str) -> bool:
        with self._sessions() as session:
            return self.passwords.verify(_user_row(session, user_id).password_hash, password)

    # -- login -----------------------------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client_ip: str | None) -> User:
        """The user when name and password match, the account is active and no throttle is locked.

        Raises TooManyAttempts (with retry_after) while locked, LoginFailed otherwise; the message never says whether
        the name exists.
        """
        keys = self.throttle.keys(username_key(username)[:64], client_ip)
        wait = self.throttle.retry_after(keys)
        if wait:
            raise _too_many(wait)
        with self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.username_key == username_key(username)))
            ok = self.passwords.verify(row.password_hash if row is not None else None, password)
            if row is None or not ok or not row.is_active:
                locked = self.throttle.record_failure(keys)
                if locked:
                    raise _too_many(locked)
                msg = "用户名或密码错误"
                raise LoginFailed(msg)
            user_id = row.id
            rehash = self.passwords.needs_rehash(row.password_hash)
        self.throttle.reset(keys[0])
        with self._sessions.begin() as session:
            row = _user_row(session, user_id)
            row.last_login_at = self.clock()
            if rehash:
                row.password_hash = self.passwords.hash(password)
            session.flush()
            return _user(session, row)

    # -- browser sessions ------------------------------------------------------------------------------------------

    def create_session(
        self, user_id: int, *, client_ip: str | None = None, user_agent: str | None = None
    ) -> NewSession:
        """A new session (at every login); expired ones are swept on the way, so the table does not grow."""
        self.purge_expired_sessions()
        raw = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + timedelta(hours=self.settings.session_absolute_hours)
        with self._sessions.begin() as session:
            session.add(
                SessionRow(
                    id_hash=digest(raw),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    client_ip=(client_ip or "")[:64] or None,
                    user_agent=(user_agent or "")[:256] or None,
                )
            )
        return NewSession(session_id=raw, csrf_token=csrf, expires_at=expires)

    def resolve_session(self, raw: str) -> ActiveSession | None:
        """The live session with this cookie value; None when unknown, expired (idle or absolute) or the user is off."""
        if not raw or len(raw) > 128:
            return None
        now = self.clock()
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        with self._sessions.begin() as session:
            row = session.get(SessionRow, digest(raw))
            if row is None:
                return None
            if row.expires_at <= now or now - row.last_seen_at > idle:
                session.delete(row)
                return None
            user_row = session.get(UserRow, row.user_id)
            if user_row is None or not user_row.is_active:
                return None
            if now - row.last_seen_at > TOUCH_EVERY:
                row.last_seen_at = now
            return ActiveSession(row.id_hash, _user(session, user_row), row.csrf_token, row.created_at, row.expires_at)

    def delete_session(self, raw: str) -> bool:
        with self._sessions.begin() as session:
            row = session.get(SessionRow, digest(raw))
            if row is None:
                return False
            session.delete(row)
            return True

    def delete_user_sessions(self, user_id: int) -> int:
        with self._sessions.begin() as session:
            result = session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)

    def purge_expired_sessions(self) -> int:
        now = self.clock()
        cutoff = now - timedelta(minutes=self.settings.session_idle_minutes)
        with self._sessions.begin() as session:
            result = session.execute(
                delete(SessionRow).where((SessionRow.expires_at <= now) | (SessionRow.last_seen_at < cutoff))
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- API tokens ------------------------------------------------------------------------------------------------

    def create_token(
        self, user_id: int, name: str, *, expires_at: datetime | None = None, created_by: int | None = None
    ) -> tuple[TokenInfo, str]:
        """A new token for `user_id`: its info and the secret, which is shown once and stored only as a digest."""
        label = name.strip()
        if not 1 <= len(label) <= 100:
            msg = f"令牌名称应为 1–100 个字符，收到 {len(label)} 个"
            raise InvalidAccountData(msg)
        now = self.clock()
        if expires_at is not None and expires_at <= now:
            msg = f"令牌有效期应晚于当前时间（收到 {expires_at.isoformat()}）"
            raise InvalidAccountData(msg)
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            _user_row(session, user_id)
            row = ApiTokenRow(
                user_id=user_id,
                name=label,
                prefix=raw[:10],
                token_hash=digest(raw),
                created_at=now,
                created_by=created_by,
                expires_at=expires_at,
            )
            session.add(row)
            session.flush()
            return _token(row), raw

    def list_tokens(self, user_id: int) -> list[TokenInfo]:
        with self._sessions() as session:
            _user_row(session, user_id)
            rows = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
            ).all()
            return [_token(r) for r in rows]

    def revoke_token(self, user_id: int, token_id: int) -> TokenInfo:
        """Revoke one of `user_id`'s tokens. Another user's token is 'not found', never revealed."""
        with self._sessions.begin() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user_id:
                msg = f"令牌不存在：{token_id}"
                raise TokenNotFound(msg, token_id=token_id)
            if row.revoked_at is None:
                row.revoked_at = self.clock()
            return _token(row)

    def resolve_token(self, raw: str) -> tuple[User, TokenInfo] | None:
        """The user and token for an `Authorization: Bearer kb_...` value; None when unknown, revoked or expired."""
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
            return None
        hashed = digest(raw)
        now = self.clock()
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == hashed))
            if row is None or not hmac.compare_digest(row.token_hash, hashed):
                return None
            info = _token(row)
            if not info.active(now):
                return None
            user_row = session.get(UserRow, row.user_id)
            if user_row is None or not user_row.is_active:
                return None
            if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
                row.last_used_at = now
            return _user(session, user_row), info


def _too_many(seconds: int) -> TooManyAttempts:
    minutes = max(1, round(seconds / 60)) if seconds >= 60 else 0
    wait = f"{minutes} 分钟" if minutes else f"{seconds} 秒"
    msg = f"登录失败次数过多，请 {wait}后再试"
    return TooManyAttempts(msg, retry_after=seconds)


def _user_row(session: Session, user_id: int) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None:
        msg = f"用户不存在：{user_id}"
        raise UserNotFound(msg, user_id=user_id)
    return row


def _roles(session: Session, user_id: int) -> frozenset[Role]:
    names = session.scalars(select(UserRoleRow.role).where(UserRoleRow.user_id == user_id)).all()
    return frozenset(Role(n) for n in names if n in Role._value2member_map_)


def _user(session: Session, row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=_roles(session, row.id),
        is_active=row.is_active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def _token(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
