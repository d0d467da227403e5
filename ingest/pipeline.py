"""`ingest_paths` / `ingest_uploads`: files in, entries recorded and indexed, one report line per file.

Each file is read and parsed completely before anything is written, and its entries are committed in one
transaction, so a bad file changes nothing. The index is brought up to date after each file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ingest.errors import IngestError
from ingest.parsers import parse_document
from ingest.readers.base import RawDocument
from ingest.router import SUPPORTED_EXTENSIONS, read_bytes, read_path
from kb.dedup import detector_for
from kb.errors import KBError
from kb.service import KnowledgeBase

logger = logging.getLogger(__name__)

FileStatus = Literal["created", "updated", "unchanged", "failed"]


@dataclass
class EntryOutcome:
    id: str
    title: str
    kind: str
    number: str | None
    status: str
    version: int
    workflow_status: str = "published"


@dataclass
class FileReport:
    name: str
    status: FileStatus
    entries: list[EntryOutcome] = field(default_factory=list)
    error: KBError | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)  # near-duplicates: code, detail, candidate

    def error_line(self) -> str:
        """The file's error in one line, led by its name once ("" when it has none)."""
        if self.error is None:
            return ""
        detail = self.error.detail
        return detail if detail.startswith(self.name) else f"{self.name}：{detail}"

    def to_dict(self) -> dict[str, Any]:
        error = None
        if self.error is not None:
            error = {"code": self.error.code, "title": self.error.title, "detail": self.error.detail}
        return {
            "name": self.name,
            "status": self.status,
            "entries": [e.__dict__ for e in self.entries],
            "error": error,
            "warnings": self.warnings,
        }


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.status != "failed" for f in self.files)

    def summary(self) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        for f in self.files:
            counts[f.status] += 1
        counts["entries"] = sum(len(f.entries) for f in self.files)
        return counts


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the supported files under each folder (sorted, hidden files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in SUPPORTED_EXTENSIONS:
                    yield child
        else:
            yield path


def _file_status(outcomes: list[EntryOutcome]) -> FileStatus:
    statuses = {o.status for o in outcomes}
    if "created" in statuses:
        return "created"
    if "updated" in statuses:
        return "updated"
    return "unchanged"


def ingest_raw(
    kb: KnowledgeBase,
    raw: RawDocument,
    *,
    publish: bool = True,
    actor: str | None = None,
    kind: str | None = None,
) -> FileReport:
    """Parse, check for duplicates, record. `publish=False` stores the entries as drafts for review (uploads).

    `kind` ("law" / "guideline") overrides the detection for text documents (ingest.parsers.dispatch)."""
    entries = parse_document(raw, kind)
    if not entries:
        msg = f"{raw.source}：没有识别出任何案例、指引或权力清单事项"
        raise IngestError(msg, source=raw.source)
    # Identical content to another entry refuses the file (DuplicateEntry); near-duplicates are reported.
    checks = detector_for(kb.records).ensure_unique(entries)
    warnings = [
        {
            "code": "near_duplicate",
            "detail": near.message(entry.title),
            "entry": entry.title,
            "candidate": near.to_dict(),
        }
        for entry, check in zip(entries, checks, strict=True)
        for near in check.near
    ]
    results = kb.add_entries(entries, publish=publish, actor=actor)
    outcomes = [
        EntryOutcome(r.entry_id, r.title, r.kind, r.number, r.status, r.version, r.workflow_status) for r in results
    ]
    return FileReport(name=raw.source, status=_file_status(outcomes), entries=outcomes, warnings=warnings)


def _guarded(name: str, work: Callable[[], FileReport]) -> FileReport:
    try:
        return work()
    except KBError as exc:
        logger.warning("ingest of one file failed: %s", exc.code)
        return FileReport(name=name, status="failed", error=exc)


def ingest_paths(
    kb: KnowledgeBase,
    paths: Iterable[Path],
    *,
    on_file: Callable[[FileReport], None] | None = None,
    publish: bool = True,
    kind: str | None = None,
) -> IngestReport:
    """Files and folders from the command line: published material loaded in bulk (`publish=False`: drafts)."""
    max_bytes = kb.settings.max_upload_mb * 1024 * 1024
    report = IngestReport()
    for path in expand_paths(paths):
        file_report = _guarded(
            path.name,
            lambda p=path: ingest_raw(  # type: ignore[misc]
                kb, read_path(p, max_bytes=max_bytes), publish=publish, kind=kind
            ),
        )
        report.files.append(file_report)
        if on_file:
            on_file(file_report)
    return report


def ingest_upload(
    kb: KnowledgeBase,
    data: bytes,
    name: str,
    *,
    publish: bool = False,
    actor: str | None = None,
    kind: str | None = None,
) -> FileReport:
    """One uploaded file. Uploads go through review: their entries are drafts unless `publish` is asked for."""
    max_bytes = kb.settings.max_upload_mb * 1024 * 1024
    return _guarded(
        name,
        lambda: ingest_raw(kb, read_bytes(data, name, max_bytes=max_bytes), publish=publish, actor=actor, kind=kind),
    )
