"""系统设置: the settings an administrator changes at run time (kb.runtime_settings), audited with old and new values."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StrictInt, StrictStr

from api.auth import AuthDep, PrincipalDep, audit
from api.schemas import RequestBody
from kb.runtime_settings import SettingState

router = APIRouter(tags=["settings"])


class ChoiceOut(BaseModel):
    value: str
    label: str


class SettingOut(BaseModel):
    key: str
    label: str
    help: str
    kind: str = Field(description="int 或 choice")
    value: Any
    default: Any = Field(description="环境变量（KB_*）给出的值")
    overridden: bool = Field(description="管理员是否改过（改过的值优先于环境变量）")
    minimum: int | None = None
    maximum: int | None = None
    choices: list[ChoiceOut] = Field(default_factory=list)
    updated_by: str | None = None
    updated_at: str | None = None

    @classmethod
    def of(cls, state: SettingState) -> SettingOut:
        s = state.setting
        return cls(
            key=s.key,
            label=s.label,
            help=s.help,
            kind=s.kind,
            value=state.value,
            default=state.default,
            overridden=state.overridden,
            minimum=s.minimum,
            maximum=s.maximum,
            choices=[ChoiceOut(value=v, label=label) for v, label in s.choices],
            updated_by=state.updated_by,
            updated_at=state.updated_at,
        )


class SettingsOut(BaseModel):
    items: list[SettingOut]


class SettingsIn(RequestBody):
    values: dict[str, StrictInt | StrictStr | None] = Field(
        description="要修改的设置；null = 恢复为环境变量的值", max_length=20
    )


@router.get("/settings", response_model=SettingsOut, summary="系统设置")
async def read_settings(ctx: AuthDep) -> SettingsOut:
    states = await run_in_threadpool(ctx.runtime.states)
    return SettingsOut(items=[SettingOut.of(s) for s in states])


@router.put("/settings", response_model=SettingsOut, summary="修改系统设置（立即生效）")
async def update_settings(body: SettingsIn, request: Request, ctx: AuthDep, principal: PrincipalDep) -> SettingsOut:
    try:
        changed = await run_in_threadpool(ctx.runtime.update, body.values, actor=principal.name)
    except Exception as exc:
        failure = {"error": getattr(exc, "code", type(exc).__name__), "keys": sorted(body.values)}
        await audit(request, "settings.update", outcome="failure", details=failure)
        raise
    kb = getattr(request.app.state, "kb", None)
    others = [kb.settings] if kb is not None and kb.settings is not ctx.settings else []
    ctx.apply_runtime_settings(*others)
    if changed:
        details: dict[str, Any] = {key: {"old": old, "new": new} for key, (old, new) in changed.items()}
        await audit(request, "settings.update", target=",".join(sorted(changed)), details=details)
    states = await run_in_threadpool(ctx.runtime.states)
    return SettingsOut(items=[SettingOut.of(s) for s in states])
