"""Pick the parser for a RawDocument by its content, not its file extension.

Order of the checks:

1. records (json/jsonl) -> records.parse_records;
2. a table with power-list headers -> power_list.parse_power_list;
3. text with 【基本案情】/【要旨】 markers -> published_case (one file may hold several cases);
4. text with bare-line 裁判要点 headings -> court_case;
5. text outlined with 一、基本案情 / 二、…履职情况 headings -> generic.parse_outlined_case;
6. text with at least three articles (第X条 at line starts) and no case sections -> guideline;
7. any other text -> one generic case (title = first line, BODY = the rest).

A guideline-like text (6, or 7 with a law's title) is a law (kb.models.EntryKind.LAW) when it is one:
`ingest.parsers.law.is_law` — the caller's `kind`, a 类型：法律法规 line, or a law's title. `kind="law"` makes any
text document a law; `kind="guideline"` keeps a law-titled document a guideline.

Text is normalised (kb.text.normalize) first. Text with nothing usable (only punctuation or whitespace) raises
ParseError; so do tables without recognisable headers when there is no text to fall back on.
"""

from __future__ import annotations

import logging

from ingest.errors import ParseError
from ingest.parsers.court_case import looks_like_court_case, parse_court_case
from ingest.parsers.generic import has_usable_text, looks_outlined, parse_generic_case, parse_outlined_case
from ingest.parsers.guideline import looks_like_guideline, parse_guideline
from ingest.parsers.law import is_law, parse_law
from ingest.parsers.power_list import looks_like_power_list, parse_power_list
from ingest.parsers.published_case import looks_like_published_case, parse_published_case
from ingest.parsers.records import parse_records
from ingest.readers.base import RawDocument
from kb.models import Entry, EntryKind
from kb.text import normalize, restore_cjk_punctuation

logger = logging.getLogger(__name__)

__all__ = ["detect_layout", "parse_document"]


def detect_layout(raw: RawDocument, kind: str | None = None) -> str:
    """records | power_list | published_case | court_case | outlined_case | law | guideline | generic_case | empty."""
    if raw.records:
        return "records"
    if raw.tables and looks_like_power_list(raw.tables):
        return "power_list"
    text = normalize(raw.text or "")
    if not has_usable_text(text):
        return "power_list" if raw.tables else "empty"
    if kind == EntryKind.LAW.value:
        return "law"
    if looks_like_published_case(text):
        return "published_case"
    if looks_like_court_case(text):
        return "court_case"
    if looks_outlined(text):
        return "outlined_case"
    if is_law(text, kind):
        return "law"
    if looks_like_guideline(text):
        return "guideline"
    return "generic_case"


def parse_document(raw: RawDocument, kind: str | None = None) -> list[Entry]:
    """Parse one document into entries. Raises ParseError (naming raw.source) when nothing usable is found.

    `kind` ("law" or "guideline") is the caller's choice for text documents (``kb ingest --kind law``)."""
    layout = detect_layout(raw, kind)
    logger.debug("%s: layout %s", raw.source, layout)
    if layout == "records":
        entries = parse_records(raw.records, raw.source)
    elif layout == "power_list":
        entries = parse_power_list(raw.tables, raw.source)
    elif layout == "empty":
        raise ParseError(raw.source, "没有可用的文字内容")
    else:
        text = normalize(raw.text)
        parser = {
            "published_case": parse_published_case,
            "court_case": parse_court_case,
            "outlined_case": parse_outlined_case,
            "guideline": parse_guideline,
            "law": parse_law,
            "generic_case": parse_generic_case,
        }[layout]
        entries = parser(text, raw.source)
    for entry in entries:
        entry.source = entry.source or raw.source
        _restore_display_text(entry)
    return entries


def _restore_display_text(entry: Entry) -> None:
    """Parsers match on NFKC text; what is stored and shown gets its Chinese punctuation back."""
    fix = restore_cjk_punctuation
    for name in ("title", "error_type", "misused_power", "consequence", "basis", "note", "issuer", "region"):
        value = getattr(entry, name)
        if isinstance(value, str):
            setattr(entry, name, fix(value))
    for section in entry.sections:
        section.text = fix(section.text)
        section.heading = fix(section.heading)
        section.path = [fix(p) for p in section.path]
