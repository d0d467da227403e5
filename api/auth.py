"""Authentication and authorisation for the API: the gate, the principal, CSRF, cookies and audit helpers.

The gate (an HTTP middleware) runs before a route reads its body: it finds the route, resolves who is calling
(Bearer token, session cookie, or anonymous), checks the route's rule in api/permissions.py, checks the CSRF token
for cookie-authenticated state-changing requests, and audits every refusal. Routes get the result through the
dependencies `current_principal`, `current_user` and `require(permission)`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from api.errors import problem
from api.permissions import Access, Rule, match_route, rule_for
from kb.accounts import IDENTITY_BOUND, AccountStore, Permission, Role, User, parse_roles, permissions_for
from kb.accounts.errors import (
    AuthError,
    CsrfFailed,
    InvalidAccountData,
    LoginFailed,
    NotAuthenticated,
    PermissionDenied,
    TooManyAttempts,
    UserExists,
)
from kb.audit import ANONYMOUS, Actor, AuditLog, Outcome, SearchAnalytics, record_search
from kb.config import Settings
from kb.errors import ConfigError
from kb.records import create_record_engine
from kb.runtime_settings import RuntimeSettings

logger = logging.getLogger(__name__)

SESSION_COOKIE = "kb_session"
CSRF_COOKIE = "kb_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

AuthVia = Literal["session", "token", "anonymous"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user (by session or token) or an anonymous caller with the anonymous roles."""

    user: User | None
    roles: frozenset[Role]
    via: AuthVia
    csrf_token: str | None = None
    token_id: int | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted = permissions_for(self.roles)
        object.__setattr__(self, "permissions", granted if self.user is not None else granted - IDENTITY_BOUND)

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def name(self) -> str:
        return self.user.username if self.user is not None else ANONYMOUS

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass
class AuthContext:
    """What the gate and the auth routes share; `app.state.auth`."""

    settings: Settings
    accounts: AccountStore
    audit: AuditLog
    analytics: SearchAnalytics
    anonymous_roles: frozenset[Role]
    runtime: RuntimeSettings

    def close(self) -> None:
        self.accounts.engine.dispose()

    def apply_runtime_settings(self, *others: Settings) -> None:
        """Re-apply the administrator's stored settings (系统设置) to the live settings, after a change."""
        self.runtime.apply(self.settings, *others)
        self.anonymous_roles = anonymous_roles(self.settings)


def build_auth_context(settings: Settings) -> AuthContext:
    engine = create_record_engine(settings.record_url)
    runtime = RuntimeSettings(engine, settings)
    runtime.apply(settings)  # the administrator's stored values win over the environment's
    accounts = AccountStore(engine, settings.auth)
    accounts.init_schema()
    audit = AuditLog(engine)
    audit.init_schema()
    return AuthContext(
        settings=settings,
        accounts=accounts,
        audit=audit,
        analytics=SearchAnalytics(engine),
        anonymous_roles=anonymous_roles(settings),
        runtime=runtime,
    )


def anonymous_roles(settings: Settings) -> frozenset[Role]:
    """KB_AUTH__ANONYMOUS_ROLE parsed; anonymous administrators are refused outright."""
    raw = settings.auth.anonymous_role.strip()
    if not raw:
        return frozenset()
    try:
        roles = parse_roles([raw])
    except InvalidAccountData as exc:
        msg = f"KB_AUTH__ANONYMOUS_ROLE 无效：{exc.detail}"
        raise ConfigError(msg, setting="KB_AUTH__ANONYMOUS_ROLE") from exc
    if Role.ADMIN in roles:
        msg = "KB_AUTH__ANONYMOUS_ROLE 不能包含管理员：匿名访问者不能管理账号与审计日志"
        raise ConfigError(msg, setting="KB_AUTH__ANONYMOUS_ROLE")
    if roles - {Role.PROSECUTOR}:
        logger.warning("anonymous callers may change content (anonymous roles: %s)", ",".join(sorted(roles)))
    return roles


def auth_context(request: Request) -> AuthContext:
    ctx: AuthContext = request.app.state.auth
    return ctx


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def actor_of(request: Request) -> Actor:
    principal: Principal | None = getattr(request.state, "principal", None)
    user = principal.user if principal is not None else None
    return Actor(
        user_id=user.id if user is not None else None,
        name=user.username if user is not None else ANONYMOUS,
        client_ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
    )


async def audit(
    request: Request,
    action: str,
    *,
    target: str | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit event for this request (who and from where come from the request). Never fails the request."""
    try:
        await run_in_threadpool(
            auth_context(request).audit.record,
            action,
            actor=actor_of(request),
            target=target,
            outcome=outcome,
            details=details,
        )
    except Exception:
        logger.exception("audit write failed for %s", action)


# -- the gate ----------------------------------------------------------------------------------------------------------


def _route_path(request: Request) -> str | None:
    """The path template of the /api route that will serve this request; None when none will."""
    route = match_route(request.app, request.method, request.scope.get("path", request.url.path))
    return route.path if route is not None else None


def _resolve(request: Request, ctx: AuthContext) -> tuple[Principal | None, bool]:
    """(principal, stale_cookie). principal None = a Bearer token was given and is not valid."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if header and scheme.lower() == "bearer":
        found = ctx.accounts.resolve_token(credentials.strip())
        if found is None:
            return None, False
        user, token = found
        return Principal(user=user, roles=user.roles, via="token", token_id=token.id), False
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        session = ctx.accounts.resolve_session(raw)
        if session is not None:
            return Principal(
                user=session.user, roles=session.user.roles, via="session", csrf_token=session.csrf_token
            ), False
    return Principal(user=None, roles=ctx.anonymous_roles, via="anonymous"), bool(raw)


def _decide(principal: Principal, rule: Rule | None) -> tuple[int, str] | None:
    """None when allowed, else (status, Chinese reason)."""
    if rule is None:
        return 403, "该接口未配置访问权限，已拒绝访问"
    if rule == Access.PUBLIC:
        return None
    if rule == Access.SIGNED_IN:
        return None if principal.signed_in else (401, "请先登录")
    if principal.can(rule):
        return None
    if not principal.signed_in:
        return 401, "请先登录"
    return 403, "您的角色无权执行此操作"


def _csrf_ok(request: Request, principal: Principal) -> bool:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return True
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(sent and principal.csrf_token) and hmac.compare_digest(sent, principal.csrf_token or "")


async def _gate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    if not (request.url.path == "/api" or request.url.path.startswith("/api/")):
        return await call_next(request)
    route = _route_path(request)
    if route is None:  # no such route or method: let the router answer 404/405
        return await call_next(request)
    ctx = auth_context(request)
    principal, stale = await run_in_threadpool(_resolve, request, ctx)
    if principal is None:
        request.state.principal = Principal(user=None, roles=frozenset(), via="anonymous")
        return await _refuse(request, 401, "not_authenticated", "令牌无效、已撤销或已过期", route)
    request.state.principal = principal
    refusal = _decide(principal, rule_for(request.method, route))
    response: Response
    if refusal is not None:
        status, reason = refusal
        code = "not_authenticated" if status == 401 else "permission_denied"
        response = await _refuse(request, status, code, reason, route)
    elif not _csrf_ok(request, principal):
        response = await _refuse(
            request, 403, CsrfFailed.code, f"缺少或错误的 {CSRF_HEADER} 请求头（防跨站请求伪造校验）", route
        )
    else:
        response = await call_next(request)
    if stale and SESSION_COOKIE not in response.headers.get("set-cookie", ""):
        clear_session_cookies(response, request, ctx)
    return response


async def _refuse(request: Request, status: int, code: str, detail: str, route: str) -> JSONResponse:
    await audit(
        request,
        "access.denied",
        target=f"{request.method} {request.url.path}",
        outcome=Outcome.DENIED,
        details={"status": status, "code": code, "route": route},
    )
    title = "需要登录" if status == 401 else "无权访问"
    response = problem(request, status=status, code=code, title=title, detail=detail)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
    return response


# -- cookies -----------------------------------------------------------------------------------------------------------


def _secure(request: Request, ctx: AuthContext) -> bool:
    mode = ctx.settings.auth.cookie_secure
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_session_cookies(response: Response, request: Request, ctx: AuthContext, session_id: str, csrf: str) -> None:
    max_age = ctx.settings.auth.session_absolute_hours * 3600
    same_site = ctx.settings.auth.cookie_samesite
    secure = _secure(request, ctx)
    response.set_cookie(
        SESSION_COOKIE, session_id, max_age=max_age, path="/", httponly=True, secure=secure, samesite=same_site
    )
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, path="/", httponly=False, secure=secure, samesite=same_site)


def clear_session_cookies(response: Response, request: Request, ctx: AuthContext) -> None:
    secure = _secure(request, ctx)
    same_site = ctx.settings.auth.cookie_samesite
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=secure, samesite=same_site)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=False, secure=secure, samesite=same_site)


# -- dependencies ------------------------------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="API 令牌：Authorization: Bearer kb_...")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="浏览器会话（登录后设置）")


def current_principal(
    request: Request,
    _bearer_credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _session_cookie: Annotated[str | None, Depends(_cookie)] = None,
) -> Principal:
    """Who is calling, as the gate resolved it. The two security parameters only document the schemes in OpenAPI."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # a route outside the gate (should not happen for /api): the safest answer
        msg = "请先登录"
        raise NotAuthenticated(msg)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def current_user(principal: PrincipalDep) -> User:
    if principal.user is None:
        msg = "请先登录"
        raise NotAuthenticated(msg)
    return principal.user


UserDep = Annotated[User, Depends(current_user)]
AuthDep = Annotated[AuthContext, Depends(auth_context)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that refuses callers without `permission` (for checks finer than the route table)."""

    def check(principal: PrincipalDep) -> Principal:
        ensure(principal, permission)
        return principal

    return check


def ensure(principal: Principal, permission: Permission) -> None:
    if principal.can(permission):
        return
    if not principal.signed_in:
        msg = "请先登录"
        raise NotAuthenticated(msg, permission=permission.value)
    msg = "您的角色无权执行此操作"
    raise PermissionDenied(msg, permission=permission.value)


def may_read_unpublished(principal: Principal) -> bool:
    """Editors and reviewers read drafts, submitted and retracted entries; everyone else only what is published."""
    return principal.can(Permission.READ_UNPUBLISHED)


# -- OpenAPI: the error answers ---------------------------------------------------------------------------------------


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered (api/errors.py)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str = Field(description="中文说明")
    instance: str
    code: str
    request_id: str | None


_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": Problem,
        "description": "请求错误（401 未登录、403 无权、404 不存在、422 参数无效、429 过多尝试 …）",
        "content": _PROBLEM_CONTENT,
    },
    "5XX": {"model": Problem, "description": "服务器错误或检索服务不可用", "content": _PROBLEM_CONTENT},
}


# -- wiring ------------------------------------------------------------------------------------------------------------

AUTH_STATUS: list[tuple[type[AuthError], int]] = [
    (TooManyAttempts, 429),
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (UserExists, 409),
    (InvalidAccountData, 422),
]


async def auth_error_handler(request: Request, exc: AuthError) -> JSONResponse:
    status = next((s for cls, s in AUTH_STATUS if isinstance(exc, cls)), 400)
    if status in (401, 403) and not isinstance(exc, LoginFailed):
        await audit(
            request,
            "access.denied",
            target=f"{request.method} {request.url.path}",
            outcome=Outcome.DENIED,
            details={"status": status, "code": exc.code},
        )
    context = {k: v for k, v in exc.context.items() if isinstance(v, str | int | float | bool | None)}
    response = problem(request, status=status, code=exc.code, title=exc.title, detail=exc.detail, **context)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
    return response


def _document_public_routes(app: FastAPI) -> None:
    """OpenAPI: credentials are optional on PUBLIC routes (an empty requirement), required everywhere else."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if rule_for(method.upper(), path) == Access.PUBLIC and isinstance(operation, dict):
                    operation["security"] = [{}, *operation.get("security", [])]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_auth(app: FastAPI, settings: Settings) -> AuthContext:
    """Accounts and audit tables, the gate middleware and the auth error handler. Call before other middleware."""
    ctx = build_auth_context(settings)
    app.state.auth = ctx
    app.add_exception_handler(AuthError, auth_error_handler)  # type: ignore[arg-type]
    app.middleware("http")(_gate)
    _document_public_routes(app)
    return ctx


async def audit_search(request: Request, *, query: str, filters: dict[str, Any], page: int, result: Any) -> None:
    """Audit one search: query text, filters, result count and top score (feeds the search analytics)."""
    hits = getattr(result, "hits", [])
    top = float(hits[0].score) if hits else None
    matched = bool(hits[0].highlights or hits[0].reasons) if hits else None
    try:
        await run_in_threadpool(
            lambda: record_search(
                auth_context(request).audit,
                actor_of(request),
                query=query,
                filters=filters,
                result_count=int(getattr(result, "total", len(hits))),
                top_score=top,
                top_matched=matched,
                page=page,
            )
        )
    except Exception:
        logger.exception("audit write failed for a search")
