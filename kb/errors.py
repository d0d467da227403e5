"""The error hierarchy. Anything a user or the data can trigger raises a KBError subclass.

`detail` is a message for users, in Chinese. `code` is stable once released.
"""

from __future__ import annotations


class KBError(Exception):
    code = "kb_error"
    title = "知识库错误"

    def __init__(self, detail: str, **context: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class NotFound(KBError):
    code, title = "not_found", "未找到"


class EntryNotFound(NotFound):
    code, title = "entry_not_found", "条目不存在"


class EntryRetracted(KBError):
    """A retracted entry, asked for by someone who may only read published ones (HTTP 410, with the reason)."""

    code, title = "entry_retracted", "条目已撤回"


class InvalidQuery(KBError):
    code, title = "invalid_query", "查询无效"


class InvalidFilter(InvalidQuery):
    code, title = "invalid_filter", "筛选条件无效"


class StoreUnavailable(KBError):
    code, title = "store_unavailable", "检索服务不可用"


class EmbedderUnavailable(KBError):
    code, title = "embedder_unavailable", "向量模型不可用"


class ConfigError(KBError):
    code, title = "config_error", "配置错误"
