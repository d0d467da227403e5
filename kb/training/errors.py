"""Errors of the training collections. `detail` is Chinese and names the collection or value at fault."""

from __future__ import annotations

from kb.accounts.errors import PermissionDenied
from kb.errors import KBError, NotFound


class CollectionNotFound(NotFound):
    """Missing, or not visible to the acting user (someone else's personal collection looks the same as none)."""

    code, title = "collection_not_found", "专题不存在"


class CollectionItemNotFound(NotFound):
    code, title = "collection_item_not_found", "专题条目不存在"


class CollectionForbidden(PermissionDenied):
    """Visible (shared) but not the acting user's: only the owner changes a collection (HTTP 403, audited as a
    denied request by the auth error handler)."""

    code, title = "collection_forbidden", "无权修改该专题"


class InvalidCollection(KBError):
    code, title = "invalid_collection", "专题内容无效"
