from __future__ import annotations

from datetime import date

from kb.export.document import CollectionPart, collection_document, entry_document
from kb.models import Entry, Section
from kb.records import StoredEntry


def _stored(entry: Entry, version: int = 1, current: int = 1) -> StoredEntry:
    return StoredEntry(id="e1", version=version, current_version=current, status="published", entry=entry, versions=[])


def test_a_guideline_is_grouped_by_chapter_with_its_articles_as_paragraphs() -> None:
    guideline = Entry(
        kind="guideline",
        title="某指引（示例）",
        issuer="某省人民检察院（示例）",
        sections=[
            Section("article", "第一条", "为规范办案，制定本指引。", path=["第一章 总则"]),
            Section("article", "第二条", "本指引适用于全省。", path=["第一章 总则"]),
            Section("article", "第三条", "线索应当登记。", path=["第二章 线索"]),
        ],
        illustrative=True,
    )
    doc = entry_document(_stored(guideline), today=date(2026, 1, 2))
    assert [b.heading for b in doc.toc] == ["基本信息", "第一章 总则", "第二章 线索"]
    assert doc.blocks[1].paragraphs == ["第一条　为规范办案，制定本指引。", "第二条　本指引适用于全省。"]
    assert doc.marks == ["示例"] and doc.date == "2026-01-02" and doc.issuer == "某省人民检察院（示例）"


def test_a_case_lists_its_fields_then_its_sections() -> None:
    case = Entry(
        kind="case",
        title="某案（示例）",
        number="示例刑-001",
        publish_date="2023-05-06",
        charges=["盗窃罪"],
        keywords=["盗窃", "未成年人"],
        sections=[
            Section("keywords", "【关键词】", "盗窃 未成年人"),
            Section("facts", "【基本案情】", "第一段。\n\n第二段。"),
        ],
    )
    doc = entry_document(_stored(case, version=1, current=2))
    assert [b.heading for b in doc.blocks] == ["基本信息", "基本案情"]
    assert "罪名/案由：盗窃罪" in doc.blocks[0].paragraphs and "关键词：盗窃　未成年人" in doc.blocks[0].paragraphs
    assert doc.blocks[1].paragraphs == ["第一段。", "第二段。"]
    assert doc.marks == [] and doc.date == "2023-05-06"
    assert doc.cover_lines == ["引用：e1@1", "第 1 版（现行为第 2 版）"]


def test_a_collection_numbers_its_cases_and_starts_each_on_a_new_page() -> None:
    case = Entry(
        kind="case", title="某案（示例）", sections=[Section("facts", "【基本案情】", "事实。")], illustrative=True
    )
    parts = [
        CollectionPart(1, "e1", _stored(case), "要点。", ["问一？"]),
        CollectionPart(2, "gone@3", None, "", []),
    ]
    doc = collection_document("专题", "说明。", "trainer", parts, today=date(2026, 1, 2))
    headings = [(b.heading, b.level, b.new_page) for b in doc.blocks]
    assert headings == [
        ("专题说明", 1, False),
        ("1. 某案（示例）", 1, True),
        ("基本案情", 2, False),
        ("教学要点", 2, False),
        ("讨论题", 2, False),
        ("2. （条目已不存在）", 1, True),
    ]
    assert doc.blocks[4].paragraphs == ["1. 问一？"]
    assert doc.marks == ["内部培训材料", "示例"] and doc.cover_lines == ["编制：trainer", "收录案例 2 件"]
