"""JSON records -> entries. Three layouts are recognised per record:

* our own export: the keys of ``Entry.to_dict()`` (kind, title, sections …);
* guiding-case records as in cn-guiding-cases' spp_guiding_cases.jsonl (id, number, title, keywords, yaozhi, facts,
  procuratorial_process, guiding_significance, related_provisions, optional sections[{header, text}]) and
  spc_guiding_cases.jsonl (holding, related_provisions, facts, result, reasoning, release);
* judgments in the LeCaRD layout (ajName, ajjbqk, cpfxgc, pjjg, pid/qid).

A record in none of these layouts raises ParseError naming its keys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest.errors import ParseError
from ingest.parsers.common import classify_heading, clean_section_text, clean_title, enrich_case, split_keywords
from ingest.parsers.court_case import parse_judgment_record
from kb.elements.numbers import find_case_numbers, parse_chinese_date
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.text import normalize

logger = logging.getLogger(__name__)

__all__ = ["parse_record", "parse_records", "record_layout"]

_GUIDING_FIELDS: tuple[tuple[str, SectionKey, str], ...] = (
    ("yaozhi", SectionKey.GIST, "要旨"),
    ("holding", SectionKey.GIST, "裁判要点"),
    ("facts", SectionKey.FACTS, "基本案情"),
    ("procuratorial_process", SectionKey.PROCESS, "检察机关履职过程"),
    ("result", SectionKey.RESULT, "裁判结果"),
    ("reasoning", SectionKey.REASONING, "裁判理由"),
    ("guiding_significance", SectionKey.SIGNIFICANCE, "指导意义"),
    ("related_provisions", SectionKey.PROVISIONS, "相关规定"),
)
_GUIDING_KEYS = frozenset(k for k, _, _ in _GUIDING_FIELDS)
_JUDGMENT_KEYS = frozenset({"ajjbqk", "cpfxgc", "pjjg"})
_KINDS = frozenset(k.value for k in EntryKind)


def record_layout(record: Mapping[str, Any]) -> str | None:
    """'entry', 'guiding', 'judgment' or None."""
    keys = set(record)
    if "kind" in keys and "title" in keys and str(record.get("kind")) in _KINDS:
        return "entry"
    if "ajName" in keys and keys & _JUDGMENT_KEYS:
        return "judgment"
    if "title" in keys and keys & _GUIDING_KEYS:
        return "guiding"
    return None


def parse_record(record: Mapping[str, Any], source: str, index: int = 0) -> Entry:
    """One record -> one entry; `index` (0-based) is used in error messages."""
    if not isinstance(record, Mapping):
        raise ParseError(source, f"第{index + 1}条记录不是 JSON 对象")
    layout = record_layout(record)
    if layout == "entry":
        return _from_export(record, source, index)
    if layout == "judgment":
        return parse_judgment_record(record, source)
    if layout == "guiding":
        return _from_guiding(record, source)
    keys = "、".join(sorted(str(k) for k in record)[:12]) or "（无字段）"
    raise ParseError(source, f"第{index + 1}条记录的字段无法识别：{keys}")


def parse_records(records: Sequence[Mapping[str, Any]], source: str) -> list[Entry]:
    """Every record of a JSON/JSONL file. Raises ParseError on the first unusable record."""
    if not records:
        raise ParseError(source, "没有记录")
    return [parse_record(record, source, i) for i, record in enumerate(records)]


def _from_export(record: Mapping[str, Any], source: str, index: int) -> Entry:
    data = dict(record)
    sections = data.get("sections") or []
    if not isinstance(sections, list) or not all(isinstance(s, Mapping) for s in sections):
        raise ParseError(source, f"第{index + 1}条记录的 sections 格式错误")
    try:
        data["sections"] = [
            {
                "key": str(s["key"]),
                "heading": str(s.get("heading") or ""),
                "text": str(s.get("text") or ""),
                "path": [str(p) for p in s.get("path") or []],
            }
            for s in sections
        ]
        entry = Entry.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(source, f"第{index + 1}条记录不是有效的条目：{exc}") from exc
    if not str(entry.title or "").strip():
        raise ParseError(source, f"第{index + 1}条记录没有标题")
    entry.source = entry.source or source
    for list_field in ("keywords", "charges", "outcomes", "provisions"):
        value = getattr(entry, list_field)
        if not isinstance(value, list):
            setattr(entry, list_field, [str(value)] if value else [])
    return entry


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value if v)
    return str(value)


def _keywords(value: object) -> list[str]:
    if isinstance(value, list):
        words: Iterable[str] = (normalize(str(v)) for v in value)
        return list(dict.fromkeys(w.strip() for w in words if w.strip()))
    return split_keywords(normalize(_as_text(value)))


def _from_guiding(record: Mapping[str, Any], source: str) -> Entry:
    title = clean_title(normalize(_as_text(record.get("title"))))
    number_text = normalize(f"{_as_text(record.get('id'))} {title}")
    numbers = find_case_numbers(number_text)
    entry = Entry(kind=EntryKind.CASE.value, title=title, number=numbers[0] if numbers else None, source=source)
    entry.keywords = _keywords(record.get("keywords"))
    sections: list[Section] = []
    if entry.keywords:
        sections.append(Section(key=SectionKey.KEYWORDS.value, heading="关键词", text=" ".join(entry.keywords)))
    raw_sections = record.get("sections")
    if isinstance(raw_sections, list) and raw_sections and all(isinstance(s, Mapping) for s in raw_sections):
        for s in raw_sections:
            header = normalize(_as_text(s.get("header")))
            key = classify_heading(header) or SectionKey.BODY
            text = clean_section_text(normalize(_as_text(s.get("text"))))
            if key == SectionKey.KEYWORDS or not text:
                continue
            sections.append(Section(key=key.value, heading=f"【{header}】", text=text))
    else:
        for field, key, heading in _GUIDING_FIELDS:
            text = clean_section_text(normalize(_as_text(record.get(field))))
            if text:
                sections.append(Section(key=key.value, heading=heading, text=text))
    entry.sections = sections
    if entry.number and entry.number.startswith("检例"):
        entry.case_type, entry.issuer = "指导性案例", "最高人民检察院"
    elif entry.number and entry.number.startswith("指导案例"):
        entry.case_type, entry.issuer = "指导性案例", "最高人民法院"
    release = record.get("release")
    if release:
        entry.publish_date = parse_chinese_date(normalize(_as_text(release)))
    if not entry.title:
        raise ParseError(source, f"记录 {record.get('id') or ''} 没有标题")
    return enrich_case(entry)
