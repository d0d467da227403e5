"""Administration of accounts (管理员): list, create, change roles or disable, reset passwords, manage tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, StrictBool

from api.auth import AuthDep, UserDep, audit
from api.routes.auth import TokenCreate, TokenCreated, TokenOut, UserOut, expiry
from api.schemas import RequestBody
from kb.accounts import parse_roles

router = APIRouter(tags=["users"])

UserId = Annotated[int, PathParam(ge=1, le=2**62)]
TokenId = Annotated[int, PathParam(ge=1, le=2**62)]


RoleName = Literal["prosecutor", "editor", "reviewer", "admin", "检察官", "编辑", "审核", "管理员"]


class UserCreate(RequestBody):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[\w.@-]{2,64}$")
    password: str = Field(
        min_length=8, max_length=256, description="长度下限见 KB_AUTH__PASSWORD_MIN_LENGTH（默认 10）"
    )
    roles: list[RoleName] = Field(
        min_length=1, description="角色代码或中文名：prosecutor/检察官、editor/编辑、reviewer/审核、admin/管理员"
    )
    display_name: str = Field(default="", max_length=128)


class UserUpdate(RequestBody):
    roles: list[RoleName] | None = Field(default=None, min_length=1, description="新的角色列表（整体替换）")
    is_active: StrictBool | None = Field(default=None, description="false = 停用（立即结束其会话，令牌也不再可用）")
    display_name: str | None = Field(default=None, max_length=128)


class PasswordReset(RequestBody):
    new_password: str = Field(min_length=8, max_length=256)


@router.get("/users", response_model=list[UserOut], summary="用户列表")
async def list_users(ctx: AuthDep) -> list[UserOut]:
    return [UserOut.of(u) for u in await run_in_threadpool(ctx.accounts.list_users)]


@router.post("/users", response_model=UserOut, status_code=201, summary="创建用户")
async def create_user(body: UserCreate, request: Request, ctx: AuthDep) -> UserOut:
    roles = parse_roles(body.roles)
    user = await run_in_threadpool(
        lambda: ctx.accounts.create_user(body.username, body.password, roles, display_name=body.display_name)
    )
    await audit(request, "user.create", target=user.username, details={"roles": [r.value for r in user.role_list]})
    return UserOut.of(user)


@router.get("/users/{user_id}", response_model=UserOut, summary="用户详情")
async def read_user(user_id: UserId, ctx: AuthDep) -> UserOut:
    return UserOut.of(await run_in_threadpool(ctx.accounts.get_user, user_id))


@router.patch("/users/{user_id}", response_model=UserOut, summary="修改角色、停用/启用、显示名")
async def update_user(user_id: UserId, body: UserUpdate, request: Request, ctx: AuthDep) -> UserOut:
    roles = parse_roles(body.roles) if body.roles is not None else None
    before = await run_in_threadpool(ctx.accounts.get_user, user_id)
    user = await run_in_threadpool(
        lambda: ctx.accounts.update_user(user_id, roles=roles, is_active=body.is_active, display_name=body.display_name)
    )
    await audit(
        request,
        "user.update",
        target=user.username,
        details={
            "roles": {"before": [r.value for r in before.role_list], "after": [r.value for r in user.role_list]},
            "is_active": {"before": before.is_active, "after": user.is_active},
        },
    )
    return UserOut.of(user)


@router.put("/users/{user_id}/password", status_code=204, summary="重置用户密码（其会话全部失效）")
async def reset_password(user_id: UserId, body: PasswordReset, request: Request, ctx: AuthDep) -> None:
    user = await run_in_threadpool(ctx.accounts.get_user, user_id)
    await run_in_threadpool(ctx.accounts.set_password, user_id, body.new_password)
    await audit(request, "user.password_reset", target=user.username)


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut], summary="某用户的 API 令牌")
async def user_tokens(user_id: UserId, ctx: AuthDep) -> list[TokenOut]:
    return [TokenOut.of(t) for t in await run_in_threadpool(ctx.accounts.list_tokens, user_id)]


@router.post("/users/{user_id}/tokens", response_model=TokenCreated, status_code=201, summary="为某用户创建 API 令牌")
async def create_user_token(
    user_id: UserId, body: TokenCreate, request: Request, ctx: AuthDep, admin: UserDep
) -> TokenCreated:
    info, raw = await run_in_threadpool(
        lambda: ctx.accounts.create_token(
            user_id, body.name, expires_at=expiry(body.expires_in_days), created_by=admin.id
        )
    )
    owner = await run_in_threadpool(ctx.accounts.get_user, user_id)
    await audit(request, "token.create", target=f"{owner.username}#{info.id}", details={"name": info.name})
    return TokenCreated(token=raw, info=TokenOut.of(info))


@router.delete("/users/{user_id}/tokens/{token_id}", response_model=TokenOut, summary="撤销某用户的 API 令牌")
async def revoke_user_token(user_id: UserId, token_id: TokenId, request: Request, ctx: AuthDep) -> TokenOut:
    info = await run_in_threadpool(ctx.accounts.revoke_token, user_id, token_id)
    owner = await run_in_threadpool(ctx.accounts.get_user, user_id)
    await audit(request, "token.revoke", target=f"{owner.username}#{info.id}")
    return TokenOut.of(info)
