"""Helpers shared by the table readers (docx, csv, xlsx): cell values as text and table trimming."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ingest.readers.base import Table
from ingest.readers.encoding import normalize_newlines


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a user sees: None -> "", 2023.0 -> "2023", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalize_newlines(value).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


class TooManyCells(ValueError):
    """A table whose rows x columns exceed the limit; readers turn it into a ParseError."""


MAX_CELLS = 5_000_000
TOO_MANY_CELLS = f"表格超过 {MAX_CELLS // 10000} 万个单元格，请拆分后再导入"


def trim_table(rows: Table) -> Table:
    """Drop blank rows at both ends and blank columns on the right; pad every row to one width.

    Raises TooManyCells when the padded table would hold more than MAX_CELLS cells:
    one far-away cell (XFD1048576) must not make a million rows sixteen thousand cells wide.
    """
    start = next((i for i, row in enumerate(rows) if any(row)), len(rows))
    end = len(rows)
    while end > start and not any(rows[end - 1]):
        end -= 1
    kept = rows[start:end]
    width = max((i + 1 for row in kept for i, cell in enumerate(row) if cell), default=0)
    if len(kept) * width > MAX_CELLS:
        msg = f"{len(kept)} rows x {width} columns"
        raise TooManyCells(msg)
    return [(row + [""] * (width - len(row)))[:width] for row in kept]
