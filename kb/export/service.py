"""Export an entry (any version) or a whole training collection as DOCX or PDF; every export is reported to the
`ExportFile.target` (the API writes it to the audit log)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import quote

from kb.errors import EntryNotFound, EntryRetracted
from kb.export.document import CollectionPart, ExportDocument, collection_document, entry_document
from kb.export.docx import render_docx
from kb.export.errors import InvalidExportFormat
from kb.records import RecordStore
from kb.training.service import CollectionService

logger = logging.getLogger(__name__)

ExportFormat = Literal["docx", "pdf"]
FORMATS: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    data: bytes
    target: str = ""  # what was exported, for the audit log: `entry:<id>@<version>` or `collection:<id>`

    @property
    def content_disposition(self) -> str:
        """`attachment` with an ASCII fallback name and the real (Chinese) name as RFC 5987 `filename*`."""
        stem, _, ext = self.filename.rpartition(".")
        ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "export"
        return f"attachment; filename=\"{ascii_name}.{ext}\"; filename*=UTF-8''{quote(self.filename, safe='')}"


def check_format(fmt: str) -> ExportFormat:
    if fmt not in FORMATS:
        msg = f"不支持的导出格式：{fmt}（可选 docx、pdf）"
        raise InvalidExportFormat(msg, format=fmt)
    return "docx" if fmt == "docx" else "pdf"


def safe_filename(stem: str, fmt: str) -> str:
    cleaned = _UNSAFE.sub("_", stem).strip(" ._") or "导出"
    return f"{cleaned[:120]}.{fmt}"


def render(doc: ExportDocument, fmt: str) -> bytes:
    if check_format(fmt) == "docx":
        return render_docx(doc)
    from kb.export.pdf import render_pdf  # fpdf2 is loaded only when a PDF is asked for

    return render_pdf(doc)


def export_entry(
    records: RecordStore,
    entry_id: str,
    fmt: str,
    *,
    version: int | None = None,
    user_id: str,
    today: date | None = None,
    published_only: bool = True,
) -> ExportFile:
    """One entry as DOCX or PDF. `published_only` (callers who may not read drafts) exports published versions
    only, with the same errors as reading them (EntryNotFound, EntryRetracted)."""
    check_format(fmt)
    stored = records.get_published(entry_id, version) if published_only else records.get(entry_id, version)
    data = render(entry_document(stored, today=today), fmt)
    suffix = f"_第{stored.version}版" if stored.version != stored.current_version else ""
    name = safe_filename(f"{stored.entry.title}{suffix}", fmt)
    return ExportFile(name, FORMATS[fmt], data, target=f"entry:{stored.id}@{stored.version}")


def export_collection(
    collections: CollectionService,
    collection_id: str,
    fmt: str,
    *,
    user_id: str,
    today: date | None = None,
) -> ExportFile:
    check_format(fmt)
    collection = collections.get(collection_id, user_id)
    parts = []
    for item in collection.items:
        try:
            stored = collections.records.get_published(item.entry_id, item.version)
        except (EntryNotFound, EntryRetracted):
            stored = None
        parts.append(
            CollectionPart(
                position=item.position,
                citation=item.citation,
                stored=stored,
                teaching_notes=item.teaching_notes,
                discussion_questions=item.discussion_questions,
            )
        )
    doc = collection_document(collection.title, collection.description, collection.owner_id, parts, today=today)
    data = render(doc, fmt)
    return ExportFile(safe_filename(collection.title, fmt), FORMATS[fmt], data, target=f"collection:{collection.id}")
