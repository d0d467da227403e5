"""Elasticsearch client errors translated to KBErrors with Chinese messages (the API turns them into problems).

Connection refused, a timeout, TLS and credential failures become `StoreUnavailable` (HTTP 503): the cluster is
there to be fixed, the request may be repeated. Items a bulk request rejected become `IndexWriteError`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
    SSLError,
    TransportError,
)

from kb.errors import KBError, StoreUnavailable


class IndexWriteError(KBError):
    """Elasticsearch refused some documents of a write (e.g. a value that does not fit the mapping)."""

    code, title = "index_write_failed", "写入索引失败"


class IndexMissing(StoreUnavailable):
    """The index behind the alias is gone (deleted behind our back); an empty one was created in its place."""

    code, title = "index_missing", "检索索引缺失"


def redact_url(url: str) -> str:
    """The URL without user:password, for messages and health output."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def is_index_not_found(exc: BaseException) -> bool:
    return isinstance(exc, NotFoundError) and _error_type(exc) == "index_not_found_exception"


def _error_type(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("type", ""))
    return str(exc.message)


def _reason(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            cause = (error.get("root_cause") or [error])[0]
            if isinstance(cause, dict):
                return f"{cause.get('type', '')}：{cause.get('reason', '')}".strip("：")
    return str(exc.message)


def translate_error(exc: Exception, *, url: str, timeout_s: float, action: str) -> KBError:
    """A KBError for a client exception raised while doing `action` (Chinese, e.g. "检索")."""
    where = redact_url(url)
    context: dict[str, Any] = {"url": where}
    if isinstance(exc, ConnectionTimeout):
        msg = (
            f"Elasticsearch（{where}）在 {timeout_s:g} 秒内没有响应（{action}）。"
            "请检查集群负载与网络，或调大 KB_ES__TIMEOUT_S。"
        )
        return StoreUnavailable(msg, **context)
    if isinstance(exc, SSLError):
        msg = f"无法与 Elasticsearch（{where}）建立 TLS 连接：{exc}。请检查 KB_ES__CA_CERTS 与 KB_ES__VERIFY_CERTS。"
        return StoreUnavailable(msg, **context)
    if isinstance(exc, ConnectionError):
        reason = "连接被拒绝" if "refused" in str(exc).lower() else f"连接失败（{type(exc).__name__}）"
        msg = f"无法连接 Elasticsearch（{where}）：{reason}。请检查 KB_ES__URL 与服务状态。"
        return StoreUnavailable(msg, **context)
    if isinstance(exc, AuthenticationException):
        msg = (
            f"Elasticsearch（{where}）拒绝了登录凭据（401）。"
            "请检查 KB_ES__API_KEY，或 KB_ES__USERNAME 与 KB_ES__PASSWORD。"
        )
        return StoreUnavailable(msg, status=401, **context)
    if isinstance(exc, AuthorizationException):
        msg = f"Elasticsearch（{where}）拒绝了{action}请求：当前凭据权限不足（403）。请为该用户或 API key 授予索引的读写权限。"
        return StoreUnavailable(msg, status=403, **context)
    if isinstance(exc, ApiError):
        status = exc.meta.status if exc.meta is not None else 0
        if status == 429 or status >= 500:
            msg = f"Elasticsearch（{where}）暂时无法完成{action}（HTTP {status}：{_reason(exc)}）。请稍后重试。"
            return StoreUnavailable(msg, status=status, **context)
        msg = f"Elasticsearch（{where}）拒绝了{action}请求（HTTP {status}：{_reason(exc)}）。"
        return KBError(msg, status=status, **context)
    if isinstance(exc, TransportError):
        msg = f"与 Elasticsearch（{where}）通信失败（{type(exc).__name__}：{exc}）。请检查 KB_ES__URL 与服务状态。"
        return StoreUnavailable(msg, **context)
    msg = f"Elasticsearch（{where}）{action}失败：{type(exc).__name__}：{exc}"
    return KBError(msg, **context)


def bulk_failures(items: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(id, status, reason) of every item of a bulk response that failed."""
    failed: list[tuple[str, int, str]] = []
    for item in items:
        op, result = next(iter(item.items()))
        del op
        error = result.get("error")
        if error is None:
            continue
        reason = f"{error.get('type', '')}：{error.get('reason', '')}" if isinstance(error, dict) else str(error)
        failed.append((str(result.get("_id")), int(result.get("status", 0)), reason))
    return failed
