"""Typeset an ExportDocument as DOCX with python-docx.

Real heading styles (Heading 1/2/3) so Word's TOC field builds the table of contents; the field is written with a
cached result listing the headings, and the document asks Word to refresh fields on opening (w:updateFields) so the
page numbers fill in. Footer: 第 {PAGE} 页 / 共 {NUMPAGES} 页 as fields, none on the cover (different first page).
East Asian fonts are set on every style used (w:rFonts w:eastAsia). Line breaking and 避头尾 are Word's own
(w:kinsoku, set on the Normal style); text is marked zh-CN.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kb.export.document import ExportDocument
from kb.export.fonts import DOCX_EAST_ASIA_BODY, DOCX_EAST_ASIA_HEADING, DOCX_LATIN
from kb.export.layout import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP

HEADING_PT = {1: 16, 2: 14, 3: 13}
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def _set_fonts(style: Any, east_asia: str, size: float | None = None, *, bold: bool | None = None) -> None:
    style.font.name = DOCX_LATIN
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), DOCX_LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _kinsoku(style: Any) -> None:
    """Say explicitly that East Asian line-breaking rules (避头尾) apply to the style and everything based on it."""
    ppr = style.element.get_or_add_pPr()
    for name in ("w:kinsoku", "w:overflowPunct"):
        element = ppr.find(qn(name))
        if element is None:
            element = OxmlElement(name)
            ppr.append(element)
        element.set(qn("w:val"), "1")


def _field(paragraph: Any, instruction: str, cached: str = "") -> None:
    """A complex field (begin / instrText / separate / cached result / end) appended to `paragraph`."""

    def char(kind: str) -> Any:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        run._r.append(element)
        return run

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(cached)
    char("end")


def _toc(document: Any, doc: ExportDocument) -> None:
    title = document.add_paragraph("目　　录", style="TOC Heading")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = document.add_paragraph()
    _field(paragraph, TOC_INSTRUCTION, "")
    # The cached result: one line per heading (Word replaces it, with page numbers, when it updates the field).
    runs = paragraph.runs
    cached_run = runs[-2]  # the run between "separate" and "end"
    for n, block in enumerate(doc.toc):
        if n:
            cached_run.add_break()
        cached_run.add_text(("　　" * (block.level - 1)) + block.heading)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _footer(section: Any) -> None:
    section.different_first_page_header_footer = True  # the cover has no page number
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" 页 / 共 ")
    _field(paragraph, "NUMPAGES", "1")
    paragraph.add_run(" 页")


def _cover(document: Any, doc: ExportDocument) -> None:
    if doc.marks:
        mark = document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = mark.add_run("　".join(doc.marks))
        run.font.size = Pt(12)
        run.font.color.rgb = RGBColor(170, 20, 20)
    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.subtitle:
        sub = document.add_paragraph(doc.subtitle, style="Subtitle")
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        document.add_paragraph()
    for line in [*doc.cover_lines, *([doc.issuer] if doc.issuer else []), doc.date]:
        p = document.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = None


def _page_break(document: Any) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def render_docx(doc: ExportDocument) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.start_type = WD_SECTION.NEW_PAGE
    styles = document.styles
    _set_fonts(styles["Normal"], DOCX_EAST_ASIA_BODY, 12)
    styles["Normal"].paragraph_format.line_spacing = 1.5
    _kinsoku(styles["Normal"])
    _set_fonts(styles["Title"], DOCX_EAST_ASIA_HEADING, 22, bold=True)
    _set_fonts(styles["Subtitle"], DOCX_EAST_ASIA_BODY, 15)
    _set_fonts(styles["TOC Heading"] if "TOC Heading" in styles else styles["Heading 1"], DOCX_EAST_ASIA_HEADING, 18)
    for level, size in HEADING_PT.items():
        _set_fonts(styles[f"Heading {level}"], DOCX_EAST_ASIA_HEADING, size, bold=True)
    core = document.core_properties
    core.title, core.subject, core.language = doc.title, "、".join(doc.marks) or "导出", "zh-CN"
    core.author = "检察案例指导知识库"

    _cover(document, doc)
    _page_break(document)
    _toc(document, doc)
    _footer(section)
    _page_break(document)
    for n, block in enumerate(doc.blocks):
        if block.new_page and n > 0:
            _page_break(document)
        document.add_heading(block.heading, level=min(block.level, 3))
        for text in block.paragraphs:
            paragraph = document.add_paragraph(text)
            paragraph.paragraph_format.first_line_indent = Pt(24)  # 首行缩进两字
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
