"""Errors of duplicate detection."""

from __future__ import annotations

from kb.errors import KBError


class DuplicateEntry(KBError):
    """The content is identical to an existing entry's; `existing_id` points at it."""

    code, title = "duplicate_entry", "内容与已有条目重复"
