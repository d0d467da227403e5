"""Word documents (.docx) through python-docx.

Body paragraphs (headings included) become lines of `text` in document order; tables go to `tables`,
one list of rows of cell text each. Tracked insertions and content controls are read; deletions are not.
Horizontally merged cells give their text once (the spanned columns are ""); vertically merged cells
repeat the text of the top cell, so every row of a power list carries its 检察类别.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R

from ingest.errors import ParseError
from ingest.readers.base import RawDocument, Table
from ingest.readers.cells import TOO_MANY_CELLS, TooManyCells, trim_table
from ingest.readers.encoding import normalize_newlines
from ingest.readers.problems import empty_file

logger = logging.getLogger(__name__)

_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (qn(t) for t in ("w:p", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent"))
# Elements inside a paragraph whose runs are part of its visible text.
_RUN_CONTAINERS = frozenset(
    qn(t) for t in ("w:hyperlink", "w:ins", "w:smartTag", "w:fldSimple", "w:customXml", "w:moveTo", "w:sdtContent")
) | {_SDT}
# Block containers that wrap paragraphs and tables at body level.
_BLOCK_CONTAINERS = frozenset({_SDT, _SDT_CONTENT, qn("w:customXml"), qn("w:ins"), qn("w:moveTo")})
_MAX_GRID = 64  # Word allows 63 columns; a bigger gridSpan is a damaged or hostile file


def read_docx(data: bytes, source: str) -> RawDocument:
    try:
        body = Document(io.BytesIO(data)).element.body
        lines, tables = _read_body(body)
    except TooManyCells as exc:
        raise ParseError(source, TOO_MANY_CELLS) from exc
    except Exception as exc:  # python-docx raises zip, KeyError, lxml and value errors on damaged files
        logger.info("%s: docx unreadable: %r", source, exc)
        raise ParseError(source, "Word 文档（.docx）已损坏或格式不正确，无法读取") from exc
    if not lines and not tables:
        raise empty_file(source, "Word 文档中没有文字")
    return RawDocument(source=source, format="docx", text="\n".join(lines), tables=tables)


def _read_body(body: Any) -> tuple[list[str], list[Table]]:
    lines: list[str] = []
    tables: list[Table] = []
    stack = list(reversed(body))
    while stack:
        element = stack.pop()
        if element.tag == _P:
            text = normalize_newlines(_paragraph_text(element)).strip()
            if text:
                lines.append(text)
        elif element.tag == _TBL:
            table = _table_rows(element)
            if table:
                tables.append(table)
        elif element.tag in _BLOCK_CONTAINERS:
            stack.extend(reversed(element))
    return lines, tables


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    stack = list(reversed(p))
    while stack:
        element = stack.pop()
        if isinstance(element, CT_R):
            parts.append(element.text)
        elif element.tag in _RUN_CONTAINERS:
            stack.extend(reversed(element))
    return "".join(parts)


def _cell_text(tc: Any) -> str:
    paragraphs = (normalize_newlines(_paragraph_text(p)).strip() for p in tc.iter(_P))
    return "\n".join(text for text in paragraphs if text)


def _table_rows(tbl: Any) -> Table:
    rows: Table = []
    above: dict[int, str] = {}  # grid column -> text of the cell that starts a vertical merge there
    for tr in tbl.iterchildren(_TR):  # rows of a nested table stay in their cell's text
        column = min(max(tr.grid_before, 0), _MAX_GRID)
        row: list[str] = [""] * column
        for tc in tr.iterchildren(_TC):
            span = min(max(tc.grid_span, 1), _MAX_GRID)
            if tc.vMerge == "continue":
                text = above.get(column, "")
            else:
                text = _cell_text(tc)
                above[column] = text
            row.append(text)
            row.extend([""] * (span - 1))
            column += span
        rows.append(row)
    return trim_table(rows)
