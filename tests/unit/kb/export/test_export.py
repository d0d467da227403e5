"""DOCX and PDF exports opened with python-docx and pypdf: text, pages, table of contents, page numbers, fonts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from ingest.parsers import parse_document
from ingest.router import read_path
from kb.export.errors import ExportFontMissing, InvalidExportFormat
from kb.export.fonts import FontFace, find_pdf_font
from kb.export.linebreak import NO_LINE_START
from kb.export.service import ExportFile, export_collection, export_entry, safe_filename
from kb.records import RecordStore
from kb.training.service import CollectionService
from tests.conftest import DEMO

TODAY = date(2026, 11, 26)
PAGE_LABEL = re.compile(r"第 (\d+) 页 / 共 (\d+) 页")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordStore]:
    home = tmp_path_factory.mktemp("export")
    store = RecordStore(f"sqlite:///{home / 'kb.sqlite3'}")
    store.init_schema()
    for name in ("criminal-019.md", "criminal-004.md", "criminal-018.md"):
        store.upsert_many(parse_document(read_path(DEMO / "cases" / name, max_bytes=10_000_000)))
    # A second version of 示例刑-019, so that version 1 is a historical one.
    first = parse_document(read_path(DEMO / "cases" / "criminal-019.md", max_bytes=10_000_000))[0]
    store.upsert(replace(first, keywords=[*first.keywords, "第二版新增关键词"]))
    yield store
    store.close()


def _id(records: RecordStore, number: str) -> str:
    _, items = records.list_entries(kind="case", limit=50)
    return next(s.id for s in items if s.entry.number == number)


@pytest.fixture(scope="module")
def exports(records: RecordStore) -> dict[str, Any]:
    """Each format once (PDF rendering takes about a second): an old version of an entry, and a collection."""
    entry_id = _id(records, "示例刑-019")
    service = CollectionService(records)
    service.init_schema()
    c = service.create("trainer", "不起诉权规范行使专题（示例）", "围绕不起诉、附条件不起诉的适用条件组织讨论。")
    service.add_item(
        c.id,
        "trainer",
        _id(records, "示例刑-018"),
        teaching_notes="审查报告必须如实反映事故情况和前科。",
        discussion_questions=["部门负责人的审核责任如何落实？", "检察长如何防止“带病”决定？"],
    )
    service.add_item(c.id, "trainer", entry_id, version=1, teaching_notes="附条件不起诉的罪名范围。")
    out: dict[str, Any] = {"entry_id": entry_id, "collection_id": c.id}
    for fmt in ("pdf", "docx"):
        out[f"entry_{fmt}"] = export_entry(records, entry_id, fmt, version=1, user_id="alice", today=TODAY)
        out[f"collection_{fmt}"] = export_collection(service, c.id, fmt, user_id="trainer", today=TODAY)
    return out


# -- PDF -------------------------------------------------------------------------------------------------------------


def _pages(file: ExportFile) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(file.data)).pages]


def test_pdf_entry_cover_toc_body_and_page_numbers(exports: dict[str, Any]) -> None:
    file: ExportFile = exports["entry_pdf"]
    assert file.media_type == "application/pdf" and file.data.startswith(b"%PDF")
    assert file.filename == "石某某交通肇事案附条件不起诉适用错误（示例）_第1版.pdf"
    pages = _pages(file)
    assert len(pages) >= 3
    cover = pages[0]
    for text in (
        "石某某交通肇事案附条件不起诉适用错误（示例）",
        "示例刑-019",
        "示例",
        "第 1 版（现行为第 2 版）",
        "2024-03-15",
    ):
        assert text in cover.replace("\n", ""), text
    assert not PAGE_LABEL.search(cover)  # no number on the cover
    for n, text in enumerate(pages[1:], start=2):
        assert PAGE_LABEL.search(text), n
        assert PAGE_LABEL.search(text).groups() == (str(n), str(len(pages)))  # type: ignore[union-attr]
    assert "目" in pages[1] and "录" in pages[1]
    body = "".join(pages[2:]).replace("\n", "")
    assert "附条件不起诉只能适用于未成年人涉嫌刑法分则第四章" in body
    assert "第二版新增关键词" not in "".join(pages)  # version 1, not the current version 2


def test_pdf_table_of_contents_points_at_the_right_pages(exports: dict[str, Any]) -> None:
    pages = _pages(exports["entry_pdf"])
    toc = [line for line in pages[1].splitlines() if re.search(r"\.{3,}\s*\d+$", line)]
    headings = {"基本信息", "要旨", "基本案情", "检察机关履职过程", "警示意义", "相关规定"}
    found = {}
    for line in toc:
        name = re.sub(r"\s*\.{3,}\s*\d+$", "", line).strip()
        found[name] = int(re.search(r"(\d+)$", line).group(1))  # type: ignore[union-attr]
    assert headings <= set(found)
    for name, page in found.items():
        assert name in pages[page - 1], (name, page)
    outline = [item.title for item in PdfReader(io.BytesIO(exports["entry_pdf"].data)).outline]  # type: ignore[union-attr]
    assert headings <= set(outline)
    # The title of the contents is centred on the page (the table is typeset last: nothing may leak in).
    positions: list[tuple[str, float]] = []
    toc_page = PdfReader(io.BytesIO(exports["entry_pdf"].data)).pages[1]
    toc_page.extract_text(visitor_text=lambda text, cm, tm, fd, fs: positions.append((text, tm[4] * 25.4 / 72)))
    x_mm = next(x for text, x in positions if text.startswith("目"))
    assert 85 < x_mm < 105, x_mm


def test_pdf_embeds_a_subset_cjk_truetype_font(exports: dict[str, Any]) -> None:
    reader = PdfReader(io.BytesIO(exports["entry_pdf"].data))
    resources: Any = reader.pages[2]["/Resources"]
    fonts = resources["/Font"]
    names = []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font["/BaseFont"]))
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is embedded
    assert any(re.match(r"/[A-Z]{6}\+", name) for name in names)  # subset tag
    if find_pdf_font().package == "fonts-wqy-zenhei":
        assert any("WenQuanYiZenHei" in name for name in names)
    assert len(exports["entry_pdf"].data) < 400_000  # a subset, not the 16 MB font


def test_pdf_lines_respect_the_line_start_rule(exports: dict[str, Any]) -> None:
    for key in ("entry_pdf", "collection_pdf"):
        for page in _pages(exports[key]):
            for line in page.splitlines()[1:]:
                assert not line or line[0] not in NO_LINE_START, line


def test_pdf_collection_lists_cases_notes_and_questions(exports: dict[str, Any]) -> None:
    file: ExportFile = exports["collection_pdf"]
    assert file.filename == "不起诉权规范行使专题（示例）.pdf"
    pages = _pages(file)
    cover = pages[0].replace("\n", "")
    assert "内部培训材料" in cover and "示例" in cover and "编制：trainer" in cover and "2026-11-26" in cover
    toc = pages[1]
    assert "1. 周某危险驾驶案不起诉决定被撤销（示例）" in toc and "2. 石某某交通肇事案" in toc
    assert "教学要点" in toc and "讨论题" in toc and "专题说明" in toc
    text = "".join(pages).replace("\n", "")
    assert "审查报告必须如实反映事故情况和前科。" in text
    assert "1. 部门负责人的审核责任如何落实？" in text and "2. 检察长如何防止“带病”决定？" in text
    assert all(PAGE_LABEL.search(p) for p in pages[1:])


# -- DOCX ------------------------------------------------------------------------------------------------------------


def _doc(file: ExportFile) -> Any:
    return docx.Document(io.BytesIO(file.data))


def test_docx_headings_are_real_heading_styles(exports: dict[str, Any]) -> None:
    document = _doc(exports["entry_docx"])
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "基本信息") in headings
    assert {"要旨", "基本案情", "检察机关履职过程", "警示意义", "相关规定"} <= {t for _, t in headings}
    texts = "\n".join(p.text for p in document.paragraphs)
    assert "附条件不起诉只能适用于未成年人涉嫌刑法分则第四章" in texts
    assert "第二版新增关键词" not in texts  # version 1
    assert exports["entry_docx"].filename.endswith("_第1版.docx")


def test_docx_has_a_toc_field_listing_the_headings(exports: dict[str, Any]) -> None:
    document = _doc(exports["entry_docx"])
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith('TOC \\o "1-3"') for i in instructions)
    toc_paragraph = next(
        p for p in document.paragraphs if any("TOC" in (t.text or "") for t in p._p.iter(qn("w:instrText")))
    )
    cached = "".join(t.text or "" for t in toc_paragraph._p.iter(qn("w:t")))
    for heading in ("基本信息", "要旨", "基本案情", "相关规定"):
        assert heading in cached
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_docx_footer_numbers_pages_and_the_cover_has_none(exports: dict[str, Any]) -> None:
    document = _doc(exports["entry_docx"])
    section = document.sections[0]
    assert section.different_first_page_header_footer
    footer = section.footer.paragraphs[0]
    fields = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("第 ") and "页 / 共" in footer.text and footer.text.endswith(" 页")
    assert round(section.left_margin.mm) == 28 and round(section.top_margin.mm) == 30
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_docx_sets_east_asian_fonts(exports: dict[str, Any]) -> None:
    document = _doc(exports["entry_docx"])
    kinsoku = document.styles["Normal"].element.pPr.find(qn("w:kinsoku"))
    assert kinsoku is not None and kinsoku.get(qn("w:val")) == "1"
    for name, font in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Heading 2", "黑体"), ("Title", "黑体")):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, name


def test_docx_cover_and_collection_content(exports: dict[str, Any]) -> None:
    entry = _doc(exports["entry_docx"])
    first = [p.text for p in entry.paragraphs[:20] if p.text]
    assert first[0] == "示例" and "石某某交通肇事案附条件不起诉适用错误（示例）" in first
    collection = _doc(exports["collection_docx"])
    headings = [p.text for p in collection.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "专题说明"
    assert "1. 周某危险驾驶案不起诉决定被撤销（示例）" in headings
    assert headings.count("教学要点") == 2 and headings.count("讨论题") == 1
    assert collection.paragraphs[0].text == "内部培训材料　示例"


# -- service ---------------------------------------------------------------------------------------------------------


def test_every_export_names_what_it_exported_for_the_audit_log(exports: dict[str, Any]) -> None:
    entry_id, collection_id = exports["entry_id"], exports["collection_id"]
    for fmt in ("pdf", "docx"):
        assert exports[f"entry_{fmt}"].target == f"entry:{entry_id}@1"
        assert exports[f"collection_{fmt}"].target == f"collection:{collection_id}"


def test_content_disposition_has_an_ascii_fallback_and_rfc5987_name() -> None:
    file = ExportFile("张某某盗窃案（示例）.pdf", "application/pdf", b"")
    header = file.content_disposition
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%BC%A0%E6%9F%90%E6%9F%90" in header and header.endswith(".pdf")
    assert header.encode("latin-1")  # headers must be latin-1


def test_safe_filename_drops_path_characters() -> None:
    assert safe_filename('a/b\\c:d*e?"f<g>h|', "pdf") == "a_b_c_d_e_f_g_h.pdf"
    assert safe_filename("...", "docx") == "导出.docx"


def test_unknown_format_and_missing_entry_are_refused(records: RecordStore) -> None:
    with pytest.raises(InvalidExportFormat, match="xls"):
        export_entry(records, _id(records, "示例刑-004"), "xls", user_id="alice")
    from kb.errors import EntryNotFound

    with pytest.raises(EntryNotFound):
        export_entry(records, "nope", "docx", user_id="alice")


def test_missing_font_names_the_debian_package() -> None:
    with pytest.raises(ExportFontMissing, match="fonts-wqy-zenhei"):
        find_pdf_font((FontFace(Path("/nonexistent/font.ttc"), 0, "fonts-wqy-zenhei"),))


def test_a_deleted_entry_is_reported_inside_a_collection_export(tmp_path: Path) -> None:
    store = RecordStore(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    store.init_schema()
    entry = parse_document(read_path(DEMO / "cases" / "criminal-004.md", max_bytes=10_000_000))[0]
    entry_id = store.upsert(entry).entry_id
    service = CollectionService(store)
    service.init_schema()
    c = service.create("alice", "专题")
    service.add_item(c.id, "alice", entry_id)
    store.delete(entry_id)
    file = export_collection(service, c.id, "docx", user_id="alice", today=TODAY)
    texts = [p.text for p in _doc(file).paragraphs]
    assert "1. （条目已不存在）" in texts and f"引用 {entry_id} 的条目已被删除。" in texts
    store.close()
