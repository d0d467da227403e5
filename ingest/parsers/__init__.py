"""Turn a RawDocument (text, tables or records) into kb.models.Entry objects; see dispatch.parse_document."""

from __future__ import annotations

from ingest.parsers.dispatch import detect_layout, parse_document

__all__ = ["detect_layout", "parse_document"]
