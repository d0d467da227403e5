"""Settings an administrator changes in the product (系统设置), kept in the database over the KB_* defaults.

Only a few settings are adjustable at run time: those an administrator of a guidance center decides and that take
effect without a restart (anonymous read access, the upload size limit, session idle timeout, login lockout
threshold). Everything else stays in the environment (README, "Configuration"). A stored value overrides the
environment's from the next start too; clearing it (`None`) returns to the environment's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from kb.accounts.tables import UtcDateTime, utcnow
from kb.config import Settings
from kb.errors import KBError


class InvalidSetting(KBError):
    """An unknown setting or a value out of range (HTTP 422)."""

    code, title = "invalid_setting", "设置值无效"


class SettingsBase(DeclarativeBase):
    pass


class SettingRow(SettingsBase):
    __tablename__ = "runtime_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@dataclass(frozen=True)
class Adjustable:
    key: str
    label: str
    help: str
    kind: Literal["int", "choice"]
    read: Callable[[Settings], Any]
    write: Callable[[Settings, Any], None]
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)

    def check(self, value: Any) -> Any:
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                msg = f"“{self.label}”须为整数，收到 {value!r}"
                raise InvalidSetting(msg, setting=self.key)
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= value <= self.maximum:
                msg = f"“{self.label}”须在 {self.minimum} 到 {self.maximum} 之间，收到 {value}"
                raise InvalidSetting(msg, setting=self.key)
            return value
        allowed = [v for v, _ in self.choices]
        if value not in allowed:
            labels = "、".join(label for _, label in self.choices)
            msg = f"“{self.label}”只能是：{labels}"
            raise InvalidSetting(msg, setting=self.key)
        return value


def _set_auth(name: str) -> Callable[[Settings, Any], None]:
    def write(settings: Settings, value: Any) -> None:
        setattr(settings.auth, name, value)

    return write


def _set_upload(settings: Settings, value: Any) -> None:
    settings.max_upload_mb = value


ADJUSTABLE: tuple[Adjustable, ...] = (
    Adjustable(
        "anonymous_role",
        "匿名访问",
        "开启后，未登录的访问者可以检索和阅读已发布条目（检察官的只读权限），不能导入、修改或管理。",
        "choice",
        lambda s: s.auth.anonymous_role.strip(),
        _set_auth("anonymous_role"),
        choices=(("", "关闭（须登录）"), ("检察官", "开启（只读）")),
    ),
    Adjustable(
        "max_upload_mb",
        "上传文件大小上限（MB）",
        "导入时单个文件的大小上限；超过的文件被拒绝并给出说明。",
        "int",
        lambda s: s.max_upload_mb,
        _set_upload,
        minimum=1,
        maximum=500,
    ),
    Adjustable(
        "session_idle_minutes",
        "会话空闲超时（分钟）",
        "浏览器登录后多长时间无操作即须重新登录。",
        "int",
        lambda s: s.auth.session_idle_minutes,
        _set_auth("session_idle_minutes"),
        minimum=5,
        maximum=1440,
    ),
    Adjustable(
        "login_max_failures",
        "登录失败锁定阈值（次）",
        "同一账号连续登录失败多少次后开始临时锁定（锁定时间逐次加倍）。",
        "int",
        lambda s: s.auth.login_max_failures,
        _set_auth("login_max_failures"),
        minimum=3,
        maximum=20,
    ),
)
BY_KEY = {a.key: a for a in ADJUSTABLE}


@dataclass(frozen=True)
class SettingState:
    setting: Adjustable
    value: Any
    default: Any  # the environment's value
    overridden: bool
    updated_by: str | None
    updated_at: str | None


class RuntimeSettings:
    """The stored overrides, applied to live Settings objects (the app's, and the knowledge base's if separate)."""

    def __init__(self, engine: Engine, defaults: Settings) -> None:
        SettingsBase.metadata.create_all(engine)
        self._session = sessionmaker(engine, expire_on_commit=False)
        # The environment's values, captured before any override is applied.
        self._defaults = {a.key: a.read(defaults) for a in ADJUSTABLE}

    def _rows(self) -> dict[str, SettingRow]:
        with self._session() as session:
            return {row.key: row for row in session.scalars(select(SettingRow)).all()}

    def apply(self, *targets: Settings) -> None:
        """Overlay the stored values (a stored value that is no longer valid is ignored)."""
        rows = self._rows()
        for setting in ADJUSTABLE:
            row = rows.get(setting.key)
            value = self._defaults[setting.key]
            if row is not None:
                try:
                    value = setting.check(row.value)
                except InvalidSetting:
                    continue
            for target in targets:
                setting.write(target, value)

    def states(self) -> list[SettingState]:
        rows = self._rows()
        out = []
        for setting in ADJUSTABLE:
            row = rows.get(setting.key)
            out.append(
                SettingState(
                    setting=setting,
                    value=row.value if row is not None else self._defaults[setting.key],
                    default=self._defaults[setting.key],
                    overridden=row is not None,
                    updated_by=row.updated_by if row else None,
                    updated_at=row.updated_at.isoformat() if row else None,
                )
            )
        return out

    def update(self, values: dict[str, Any], *, actor: str) -> dict[str, tuple[Any, Any]]:
        """Store `values` (None = back to the environment's value), all or nothing. {key: (old, new)} changed."""
        unknown = sorted(set(values) - set(BY_KEY))
        if unknown:
            msg = "没有这些可调整的设置：" + "、".join(unknown)
            raise InvalidSetting(msg, settings=",".join(unknown))
        checked = {k: (None if v is None else BY_KEY[k].check(v)) for k, v in values.items()}
        current = {s.setting.key: s.value for s in self.states()}
        changed: dict[str, tuple[Any, Any]] = {}
        with self._session.begin() as session:
            for key, value in checked.items():
                row = session.get(SettingRow, key)
                new = self._defaults[key] if value is None else value
                if value is None:
                    if row is not None:
                        session.delete(row)
                elif row is None:
                    session.add(SettingRow(key=key, value=value, updated_by=actor, updated_at=utcnow()))
                else:
                    row.value, row.updated_by, row.updated_at = value, actor, utcnow()
                if current[key] != new:
                    changed[key] = (current[key], new)
        return changed
