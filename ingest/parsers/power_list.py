"""Power lists (检察官权力清单) from tables: xlsx/csv sheets or tables inside a .docx.

The header row is found among the first rows (title rows may sit above it) by its column names, matched against
synonyms: 事项/权力事项/职权事项/权力名称; 行使主体/决定主体/权力主体/行使人; 检察类别/业务类别/条线; 办案环节/
环节/阶段; 依据/法律依据/规定依据; 备注/说明. A 事项 column and one more known column make a header.

Below it every row with a 事项 becomes one POWER_ITEM entry. Blank 检察类别 and 办案环节 cells (merged cells
arrive blank) inherit the value above. A row with a single filled cell that names a line (一、刑事检察) sets the
检察类别 for the rows below. 行使主体 is kept as written (检察官/部门负责人 is fine) and checked against
kb.models.POWER_SUBJECTS: a value naming none of them is logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from ingest.errors import ParseError
from kb.models import LINES, POWER_SUBJECTS, Entry, EntryKind, Section, SectionKey
from kb.text import normalize

logger = logging.getLogger(__name__)

__all__ = ["COLUMN_SYNONYMS", "find_header", "looks_like_power_list", "parse_power_list"]

Table = Sequence[Sequence[str | None]]

# field -> header names, most specific first
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("权力事项", "职权事项", "权力名称", "事项名称", "职权名称", "办案事项", "权力清单事项", "事项"),
    "power_subject": ("行使主体", "决定主体", "权力主体", "行使人", "决定人", "权力行使主体", "主体"),
    "line": ("检察类别", "业务类别", "业务条线", "条线", "检察业务", "类别"),
    "stage": ("办案环节", "诉讼环节", "诉讼阶段", "环节", "阶段"),
    "basis": ("法律依据", "规定依据", "依据条款", "设定依据", "依据"),
    "note": ("备注", "说明"),
}
_MAX_HEADER_ROW = 10
SUB_LINE_PARENT = {"未成年人检察": "刑事检察", "刑事执行检察": "刑事检察", "控告申诉检察": None}
_LINE_ALIASES = {
    "刑事": "刑事检察",
    "民事": "民事检察",
    "行政": "行政检察",
    "公益诉讼": "公益诉讼检察",
    "公益": "公益诉讼检察",
    "未检": "未成年人检察",
    "未成年人": "未成年人检察",
    "刑事执行": "刑事执行检察",
    "刑执": "刑事执行检察",
    "控申": "控告申诉检察",
    "控告申诉": "控告申诉检察",
}


def _cell(value: object) -> str:
    return normalize(str(value)).strip() if value is not None else ""


def _header_key(cell: str) -> str:
    return re.sub(r"[\s*:：()（）]", "", cell)


def _match_column(cell: str) -> str | None:
    name = _header_key(cell)
    if not name:
        return None
    for field, synonyms in COLUMN_SYNONYMS.items():
        if name in synonyms:
            return field
    for field, synonyms in COLUMN_SYNONYMS.items():
        if any(s in name for s in synonyms if len(s) >= 2) and len(name) <= 10:
            return field
    return None


def find_header(table: Table) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column index) of the header row, or None."""
    for index, row in enumerate(table[:_MAX_HEADER_ROW]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            field = _match_column(_cell(value))
            if field and field not in columns:
                columns[field] = col
        if "title" in columns and len(columns) >= 2:
            return index, columns
    return None


def looks_like_power_list(tables: Sequence[Table]) -> bool:
    return any(find_header(t) is not None for t in tables)


def _line_value(text: str) -> tuple[str | None, str | None]:
    """(line, sub_line) from a 检察类别 cell: 刑事 -> 刑事检察; 未成年人检察 -> (刑事检察, 未成年人检察)."""
    value = re.sub(r"^[一二三四五六七八九十\d]+[、.\uff0e]\s*", "", text).strip()
    value = _LINE_ALIASES.get(value, value)
    if value in LINES:
        return value, None
    if value in SUB_LINE_PARENT:
        return SUB_LINE_PARENT[value], value
    for line in LINES:
        if line in value:
            return line, None
    return None, value or None


def _group_heading(row: Sequence[str]) -> tuple[str | None, str | None] | None:
    filled = [c for c in row if c]
    if len(filled) != 1:
        return None
    line, sub = _line_value(filled[0])
    return (line, sub) if line or (sub and sub in SUB_LINE_PARENT) else None


def _check_subject(subject: str, source: str, row: int) -> None:
    if subject and not any(s in subject for s in (*POWER_SUBJECTS, "检委会")):
        logger.warning("%s row %s: 行使主体 %s names none of %s", source, row, subject, "/".join(POWER_SUBJECTS))


def parse_power_list(tables: Sequence[Table], source: str) -> list[Entry]:
    """Every item of every table that has a power-list header. Raises ParseError when no table has one."""
    entries: list[Entry] = []
    seen_headers: list[str] = []
    for t_index, table in enumerate(tables):
        header = find_header(table)
        if header is None:
            first = next((r for r in table if any(_cell(c) for c in r)), [])
            seen_headers.append("、".join(_cell(c) for c in first if _cell(c)) or "（空表）")
            if tables and len(tables) > 1:
                logger.warning("%s table %s: no power-list header, skipped", source, t_index + 1)
            continue
        entries.extend(_parse_table(table, header, source))
    if not entries:
        if seen_headers:
            found = "；".join(seen_headers[:3])
            raise ParseError(
                source, f"未识别到权力清单表头（需要“事项”及“行使主体”“检察类别”等列），找到的表头：{found}"
            )
        raise ParseError(source, "权力清单表格没有事项")
    return entries


def _parse_table(table: Table, header: tuple[int, dict[str, int]], source: str) -> list[Entry]:
    header_row, columns = header
    header_cells = [_header_key(_cell(c)) for c in table[header_row]]
    entries: list[Entry] = []
    line: str | None = None
    sub_line: str | None = None
    stage: str | None = None
    for r_index in range(header_row + 1, len(table)):
        row = [_cell(c) for c in table[r_index]]
        if not any(row):
            continue
        if [_header_key(c) for c in row] == header_cells:
            continue  # a repeated header (a new page)
        group = _group_heading(row)
        if group is not None:
            line, sub_line = group
            stage = None
            continue

        def get(field: str, cells: list[str] = row) -> str:
            col = columns.get(field)
            return cells[col] if col is not None and col < len(cells) else ""

        title = get("title")
        if not title:
            continue
        if get("line"):
            line, sub_line = _line_value(get("line"))
        if get("stage"):
            stage = get("stage")
        subject = get("power_subject")
        _check_subject(subject, source, r_index + 1)
        entry = Entry(
            kind=EntryKind.POWER_ITEM.value,
            title=title,
            line=line,
            sub_line=sub_line,
            stage=stage,
            power_subject=subject or None,
            basis=get("basis") or None,
            note=get("note") or None,
            source=source,
        )
        entry.sections = [Section(key=SectionKey.ITEM.value, heading=title, text=_item_text(entry))]
        entries.append(entry)
    return entries


def _item_text(entry: Entry) -> str:
    parts = [
        ("事项", entry.title),
        ("行使主体", entry.power_subject),
        ("检察类别", entry.sub_line or entry.line),
        ("办案环节", entry.stage),
        ("依据", entry.basis),
        ("备注", entry.note),
    ]
    return "\n".join(f"{label}：{value}" for label, value in parts if value)
