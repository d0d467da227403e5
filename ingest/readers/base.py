"""What every reader returns: the text of a file, or its tables, or its records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Table = list[list[str]]


@dataclass
class RawDocument:
    source: str  # file name (no directory), used in messages and stored on entries
    format: str  # md | txt | docx | pdf | html | json | jsonl | csv | xlsx
    text: str = ""  # the whole text, paragraphs separated by "\n" (docx tables are not in here)
    tables: list[Table] = field(default_factory=list)  # csv/xlsx sheets, docx tables; first row = header as found
    records: list[dict[str, Any]] = field(default_factory=list)  # json/jsonl objects
    encoding: str | None = None  # detected encoding for text formats
