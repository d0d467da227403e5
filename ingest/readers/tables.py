"""Spreadsheets: .csv (any common encoding, delimiter sniffed) and .xlsx (openpyxl, values not formulas).

Every non-empty sheet becomes one table of text rows; the first row is the header as found. Cells are
text ("" for empty, 2023.0 -> "2023", dates as 2023-05-06); blank rows at both ends and blank columns on
the right are dropped.
"""

from __future__ import annotations

import csv
import io
import logging

from openpyxl import load_workbook

from ingest.errors import ParseError
from ingest.readers import cells as cell_limits
from ingest.readers.base import RawDocument, Table
from ingest.readers.cells import TOO_MANY_CELLS, TooManyCells, cell_text, trim_table
from ingest.readers.encoding import decode_text
from ingest.readers.problems import empty_file

logger = logging.getLogger(__name__)

MAX_ROWS = 1_048_576  # rows scanned in a workbook, all sheets together (Excel's limit for one sheet)
_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_LINES = 50


def read_csv(data: bytes, source: str) -> RawDocument:
    decoded = decode_text(data, source)
    text = decoded.text.removeprefix("\ufeff")
    if not text.strip():
        raise empty_file(source, "CSV 文件只有空白字符，没有可导入的内容")
    delimiter = sniff_delimiter(text)
    rows: Table = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            cells += len(row)
            if cells > cell_limits.MAX_CELLS:
                raise ParseError(source, TOO_MANY_CELLS)
            rows.append([cell_text(cell) for cell in row])
        table = trim_table(rows)
    except csv.Error as exc:
        raise ParseError(source, f"CSV 格式错误（第 {reader.line_num} 行）：字段过长或引号不配对") from exc
    except TooManyCells as exc:
        raise ParseError(source, TOO_MANY_CELLS) from exc
    if not table:
        raise empty_file(source, "CSV 文件中没有任何数据")
    return RawDocument(source=source, format="csv", tables=[table], encoding=decoded.encoding)


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most columns, consistently."""
    sample = text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES]
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        score = common * widths.count(common)  # wide and consistent wins
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_xlsx(data: bytes, source: str) -> RawDocument:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, key, value and XML errors on damaged files
        logger.info("%s: xlsx unreadable: %r", source, exc)
        raise ParseError(source, "Excel 文件（.xlsx）已损坏或格式不正确，无法读取") from exc
    tables: list[Table] = []
    cells = scanned = 0
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the stored dimension may claim a million rows; trust the cells
            rows: Table = []
            for values in sheet.iter_rows(values_only=True):
                scanned += 1  # gaps before a far-away row are yielded one by one, ~3 us each
                if scanned > MAX_ROWS:
                    raise ParseError(source, f"表格总行数超过 {MAX_ROWS} 行，请拆分后再导入")
                cells += len(values)
                if cells > cell_limits.MAX_CELLS:
                    raise ParseError(source, TOO_MANY_CELLS)
                rows.append([cell_text(value) for value in values])
            table = trim_table(rows)
            if table:
                tables.append(table)
    except ParseError:
        raise
    except TooManyCells as exc:
        raise ParseError(source, TOO_MANY_CELLS) from exc
    except Exception as exc:
        logger.info("%s: xlsx sheet unreadable: %r", source, exc)
        raise ParseError(source, "Excel 工作表内容已损坏，无法读取") from exc
    finally:
        workbook.close()
    if not tables:
        raise empty_file(source, "Excel 文件中所有工作表都是空的")
    return RawDocument(source=source, format="xlsx", tables=tables)
