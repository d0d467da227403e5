"""Sign-in and the caller's own account: login, logout, who-am-I, own password, own API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.auth import (
    SESSION_COOKIE,
    AuthContext,
    AuthDep,
    Principal,
    PrincipalDep,
    UserDep,
    audit,
    clear_session_cookies,
    client_ip,
    set_session_cookies,
)
from api.schemas import RequestBody
from kb.accounts import ROLE_LABELS, Role, TokenInfo, User
from kb.accounts.errors import InvalidAccountData, LoginFailed, TooManyAttempts
from kb.audit import Outcome

router = APIRouter(tags=["auth"])


class RoleOut(BaseModel):
    code: str = Field(description="prosecutor | editor | reviewer | admin")
    label: str = Field(description="检察官 | 编辑 | 审核 | 管理员")

    @classmethod
    def of(cls, role: Role) -> RoleOut:
        return cls(code=role.value, label=ROLE_LABELS[role])


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[RoleOut]
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=[RoleOut.of(r) for r in user.role_list],
            is_active=user.is_active,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class MeOut(BaseModel):
    authenticated: bool = Field(description="true：已登录（会话或令牌）；false：匿名")
    via: Literal["session", "token", "anonymous"]
    user: UserOut | None
    roles: list[RoleOut] = Field(description="生效的角色（匿名时为匿名角色）")
    permissions: list[str]
    csrf_token: str | None = Field(description="会话登录时：所有 POST/PUT/PATCH/DELETE 请求须在 X-CSRF-Token 头中带上")
    anonymous_access: bool = Field(description="是否开放匿名访问（KB_AUTH__ANONYMOUS_ROLE）")

    @classmethod
    def of(cls, principal: Principal, ctx: AuthContext, *, csrf: str | None = None) -> MeOut:
        order = list(Role)
        return cls(
            authenticated=principal.signed_in,
            via=principal.via,
            user=UserOut.of(principal.user) if principal.user is not None else None,
            roles=[RoleOut.of(r) for r in sorted(principal.roles, key=order.index)],
            permissions=sorted(p.value for p in principal.permissions),
            csrf_token=csrf or principal.csrf_token,
            anonymous_access=bool(ctx.anonymous_roles),
        )


class LoginBody(RequestBody):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class PasswordChange(RequestBody):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="令牌开头几位，便于辨认（完整令牌只在创建时显示一次）")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, info: TokenInfo) -> TokenOut:
        return cls(
            id=info.id,
            name=info.name,
            prefix=info.prefix,
            created_at=info.created_at,
            expires_at=info.expires_at,
            last_used_at=info.last_used_at,
            revoked_at=info.revoked_at,
            active=info.active(datetime.now(UTC)),
        )


class TokenCreate(RequestBody):
    name: str = Field(min_length=1, max_length=100, description="用途，如“批量导入脚本”")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="有效天数；不填 = 不过期")


class TokenCreated(BaseModel):
    token: str = Field(description="完整令牌（kb_…），只显示这一次；请求时用 Authorization: Bearer <token>")
    info: TokenOut


def expiry(days: int | None) -> datetime | None:
    return datetime.now(UTC) + timedelta(days=days) if days else None


@router.post("/auth/login", response_model=MeOut, summary="登录（设置会话 Cookie）")
async def login(body: LoginBody, request: Request, response: Response, ctx: AuthDep) -> MeOut:
    ip = client_ip(request)
    try:
        user = await run_in_threadpool(ctx.accounts.authenticate, body.username, body.password, ip)
    except TooManyAttempts as exc:
        await audit(
            request,
            "auth.login",
            target=body.username,
            outcome=Outcome.THROTTLED,
            details={"retry_after": exc.retry_after},
        )
        raise
    except LoginFailed:
        await audit(request, "auth.login", target=body.username, outcome=Outcome.FAILURE)
        raise
    # A fresh session id on every login; the one the browser came with (if any) is ended (session fixation).
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await run_in_threadpool(ctx.accounts.delete_session, old)
    new = await run_in_threadpool(
        ctx.accounts.create_session, user.id, client_ip=ip, user_agent=request.headers.get("user-agent")
    )
    set_session_cookies(response, request, ctx, new.session_id, new.csrf_token)
    principal = Principal(user=user, roles=user.roles, via="session", csrf_token=new.csrf_token)
    request.state.principal = principal
    await audit(request, "auth.login", target=user.username, outcome=Outcome.SUCCESS)
    return MeOut.of(principal, ctx)


@router.post("/auth/logout", status_code=204, summary="退出登录（删除会话）")
async def logout(request: Request, response: Response, ctx: AuthDep, principal: PrincipalDep) -> None:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw and principal.via == "session":
        await run_in_threadpool(ctx.accounts.delete_session, raw)
        await audit(request, "auth.logout", target=principal.name)
    clear_session_cookies(response, request, ctx)


@router.get("/auth/me", response_model=MeOut, summary="当前用户、角色、权限与 CSRF 令牌（匿名也可调用）")
async def me(principal: PrincipalDep, ctx: AuthDep) -> MeOut:
    return MeOut.of(principal, ctx)


@router.post("/auth/password", response_model=MeOut, summary="修改自己的密码（其他会话全部失效）")
async def change_password(
    body: PasswordChange, request: Request, response: Response, ctx: AuthDep, principal: PrincipalDep, user: UserDep
) -> MeOut:
    ok = await run_in_threadpool(ctx.accounts.verify_password, user.id, body.current_password)
    if not ok:
        await audit(request, "auth.password", target=user.username, outcome=Outcome.FAILURE)
        msg = "当前密码不正确"
        raise InvalidAccountData(msg)
    await run_in_threadpool(ctx.accounts.set_password, user.id, body.new_password)
    await audit(request, "auth.password", target=user.username)
    if principal.via != "session":
        return MeOut.of(principal, ctx)
    new = await run_in_threadpool(
        ctx.accounts.create_session, user.id, client_ip=client_ip(request), user_agent=request.headers.get("user-agent")
    )
    set_session_cookies(response, request, ctx, new.session_id, new.csrf_token)
    return MeOut.of(principal, ctx, csrf=new.csrf_token)


@router.get("/auth/tokens", response_model=list[TokenOut], summary="我的 API 令牌")
async def my_tokens(ctx: AuthDep, user: UserDep) -> list[TokenOut]:
    return [TokenOut.of(t) for t in await run_in_threadpool(ctx.accounts.list_tokens, user.id)]


@router.post("/auth/tokens", response_model=TokenCreated, status_code=201, summary="为自己创建 API 令牌（只显示一次）")
async def create_my_token(body: TokenCreate, request: Request, ctx: AuthDep, user: UserDep) -> TokenCreated:
    info, raw = await run_in_threadpool(
        lambda: ctx.accounts.create_token(
            user.id, body.name, expires_at=expiry(body.expires_in_days), created_by=user.id
        )
    )
    await audit(request, "token.create", target=f"{user.username}#{info.id}", details={"name": info.name})
    return TokenCreated(token=raw, info=TokenOut.of(info))


@router.delete("/auth/tokens/{token_id}", response_model=TokenOut, summary="撤销自己的 API 令牌")
async def revoke_my_token(
    token_id: Annotated[int, PathParam(ge=1, le=2**62)], request: Request, ctx: AuthDep, user: UserDep
) -> TokenOut:
    info = await run_in_threadpool(ctx.accounts.revoke_token, user.id, token_id)
    await audit(request, "token.revoke", target=f"{user.username}#{info.id}")
    return TokenOut.of(info)
