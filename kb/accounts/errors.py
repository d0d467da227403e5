"""Errors of accounts, sessions, tokens and login throttling. The API maps them to 401/403/404/409/422/429."""

from __future__ import annotations

from kb.errors import KBError, NotFound


class AuthError(KBError):
    code, title = "auth_error", "认证错误"


class NotAuthenticated(AuthError):
    """No valid credentials where some are needed (HTTP 401)."""

    code, title = "not_authenticated", "需要登录"


class LoginFailed(NotAuthenticated):
    code, title = "login_failed", "登录失败"


class PermissionDenied(AuthError):
    """Valid credentials, but the role does not allow this (HTTP 403)."""

    code, title = "permission_denied", "无权访问"


class CsrfFailed(PermissionDenied):
    code, title = "csrf_failed", "请求校验失败"


class TooManyAttempts(AuthError):
    """Login throttled (HTTP 429); `retry_after` seconds until the next attempt is accepted."""

    code, title = "too_many_attempts", "尝试次数过多"

    def __init__(self, detail: str, *, retry_after: int, **context: object) -> None:
        super().__init__(detail, retry_after=retry_after, **context)
        self.retry_after = retry_after


class InvalidAccountData(AuthError):
    """A user name, password, role or token name that is not acceptable (HTTP 422)."""

    code, title = "invalid_account_data", "账号信息无效"


class WeakPassword(InvalidAccountData):
    code, title = "weak_password", "密码不符合要求"


class UserExists(AuthError):
    code, title = "user_exists", "用户已存在"


class UserNotFound(NotFound):
    code, title = "user_not_found", "用户不存在"


class TokenNotFound(NotFound):
    code, title = "token_not_found", "令牌不存在"
