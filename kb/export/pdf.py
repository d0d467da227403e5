"""Typeset an ExportDocument as PDF with fpdf2: A4, embedded (subset) CJK font, cover, table of contents, bookmarks,
page numbers 第 N 页 / 共 M 页, and our own line breaking with the 避头尾 rule (kb.export.linebreak).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.outline import OutlineSection

from kb.export.document import Block, ExportDocument
from kb.export.fonts import FontFace, find_pdf_font
from kb.export.layout import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP
from kb.export.linebreak import wrap

logger = logging.getLogger(__name__)
# fontTools notes, for every subset of a font with embedded bitmaps, that it drops them (we only need outlines).
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONT = "cjk"
BODY_PT, LINE_MM = 12.0, 7.2
HEADING_PT = {1: 16.0, 2: 14.0, 3: 13.0}
TOC_LINE_MM = 7.5
TOC_TITLE_MM = 22.0
PAGE_LABEL = "第 {page} 页 / 共 {total} 页"
NB_ALIAS = "{nb}"


class _Pdf(FPDF):
    def footer(self) -> None:
        if self.page_no() <= 1:
            return  # no number on the cover
        self.set_y(-18)
        self.set_font(FONT, size=10)
        self.set_text_color(90, 90, 90)
        label = PAGE_LABEL.format(page=self.page_no(), total=NB_ALIAS)
        self.cell(0, 8, label, align=Align.C)
        self.set_text_color(0, 0, 0)


def _text_width(pdf: FPDF) -> float:
    return float(pdf.w - pdf.l_margin - pdf.r_margin)


def _write_lines(pdf: FPDF, text: str, *, size: float, line_h: float, indent_chars: float = 0.0) -> None:
    pdf.set_font(FONT, size=size)
    indent = pdf.get_string_width("中") * indent_chars
    lines = wrap(text, pdf.get_string_width, _text_width(pdf), first_indent=indent)
    for n, line in enumerate(lines):
        pdf.set_x(pdf.l_margin + (indent if n == 0 else 0.0))
        pdf.cell(0, line_h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _balanced(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """As many lines as `wrap` needs, but of even length (a cover title should not end in a two-character line)."""
    lines = wrap(text, width, max_width)
    if len(lines) < 2:
        return lines
    step = width("中")
    target = width(text) / len(lines)
    while target < max_width:
        even = wrap(text, width, target)
        if len(even) == len(lines):
            return even
        target += step / 2
    return lines


def _centered(pdf: FPDF, text: str, *, size: float, line_h: float) -> None:
    pdf.set_font(FONT, size=size)
    for line in _balanced(text, pdf.get_string_width, _text_width(pdf) * 0.9):
        pdf.cell(0, line_h, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _cover(pdf: FPDF, doc: ExportDocument) -> None:
    pdf.add_page()
    if doc.marks:
        pdf.set_font(FONT, size=12)
        pdf.set_text_color(170, 20, 20)
        pdf.set_draw_color(170, 20, 20)
        label = "　".join(doc.marks)
        w = pdf.get_string_width(label) + 8
        pdf.set_xy(pdf.w - pdf.r_margin - w, pdf.t_margin - 8)
        pdf.cell(w, 9, label, border=1, align=Align.C)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
    pdf.set_y(pdf.h * 0.30)
    _centered(pdf, doc.title, size=22, line_h=12)
    if doc.subtitle:
        pdf.ln(4)
        _centered(pdf, doc.subtitle, size=15, line_h=9)
    pdf.set_y(pdf.h * 0.62)
    for line in doc.cover_lines:
        _centered(pdf, line, size=12, line_h=8)
    pdf.ln(6)
    if doc.issuer:
        _centered(pdf, doc.issuer, size=14, line_h=9)
    _centered(pdf, doc.date, size=14, line_h=9)


def toc_pages(doc: ExportDocument, page_h: float = 297.0) -> int:
    usable = page_h - MARGIN_TOP - MARGIN_BOTTOM
    first = math.floor((usable - TOC_TITLE_MM) / TOC_LINE_MM)
    rest = math.floor(usable / TOC_LINE_MM)
    lines = len(doc.toc)
    if lines <= first:
        return 1
    return 1 + math.ceil((lines - first) / rest)


def _render_toc(pdf: FPDF, outline: list[OutlineSection]) -> None:
    pdf.set_xy(pdf.l_margin, pdf.t_margin)  # rendered last: the cursor is wherever the body ended
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 14, "目　　录", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(TOC_TITLE_MM - 14)
    width = _text_width(pdf)
    for section in outline:
        size = 12.0 if section.level == 0 else 11.0
        pdf.set_font(FONT, size=size)
        indent = pdf.get_string_width("中") * 2 * section.level
        page = str(section.page_number)
        room = width - indent - pdf.get_string_width(page) - pdf.get_string_width("……")
        name = section.name
        if pdf.get_string_width(name) > room:
            while name and pdf.get_string_width(name + "…") > room:
                name = name[:-1]
            name += "…"
        dots_w = width - indent - pdf.get_string_width(name) - pdf.get_string_width(page)
        dot = pdf.get_string_width(".")
        dots = "." * max(2, int(dots_w / dot) - 2) if dot > 0 else ""
        link = pdf.add_link(page=section.page_number)
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(pdf.get_string_width(name) + 1, TOC_LINE_MM, name, link=link)
        pdf.cell(width - indent - pdf.get_string_width(name) - 1 - pdf.get_string_width(page) - 1, TOC_LINE_MM, dots)
        pdf.cell(0, TOC_LINE_MM, page, align=Align.R, link=link, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, block: Block) -> None:
    size = HEADING_PT.get(block.level, BODY_PT)
    line_h = size * 0.62
    # Keep a heading with at least two lines of its text.
    if pdf.get_y() + line_h * 2 + LINE_MM * 2 > pdf.page_break_trigger:
        pdf.add_page()
    elif block.level == 1 and pdf.get_y() > pdf.t_margin + 1:
        pdf.ln(LINE_MM * 0.6)
    if block.toc:
        pdf.start_section(block.heading, level=block.level - 1, strict=False)
    pdf.set_font(FONT, size=size)
    pdf.ln(1.5)
    for line in wrap(block.heading, pdf.get_string_width, _text_width(pdf)):
        pdf.cell(0, line_h + 1.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def render_pdf(doc: ExportDocument, *, font: FontFace | None = None) -> bytes:
    face = font or find_pdf_font()
    pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
    pdf.add_font(FONT, fname=str(face.path), collection_font_number=face.index)
    pdf.set_font(FONT, size=BODY_PT)
    pdf.set_title(doc.title)
    pdf.set_subject("、".join(doc.marks) or "导出")
    pdf.set_creator("检察案例指导知识库")
    pdf.set_lang("zh-CN")
    pdf.alias_nb_pages(NB_ALIAS)
    _cover(pdf, doc)
    pdf.add_page()
    pdf.insert_toc_placeholder(_render_toc, pages=toc_pages(doc, pdf.h), reset_page_indices=False)
    for n, block in enumerate(doc.blocks):
        if block.new_page and n > 0:
            pdf.add_page()
        _heading(pdf, block)
        for paragraph in block.paragraphs:
            _write_lines(pdf, paragraph, size=BODY_PT, line_h=LINE_MM, indent_chars=2)
    data: Any = pdf.output()
    logger.debug("pdf export: %s pages", pdf.page_no())
    return bytes(data)
