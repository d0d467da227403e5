"""Builders for the documents the reader tests feed in: docx, xlsx and pdf made on the fly."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from docx import Document
from fpdf import FPDF
from openpyxl import Workbook

CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),  # apt: fonts-wqy-zenhei
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),  # apt: fonts-noto-cjk
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # apt: fonts-wqy-microhei
)

DocxBuilder = Callable[..., bytes]
XlsxBuilder = Callable[[dict[str, Sequence[Sequence[object]]]], bytes]
PdfBuilder = Callable[[Sequence[str]], bytes]


@pytest.fixture(scope="session")
def make_docx() -> DocxBuilder:
    def build(
        paragraphs: Sequence[str | tuple[str, int]] = (), tables: Sequence[Sequence[Sequence[str]]] = ()
    ) -> bytes:
        """Paragraphs (a (text, level) tuple is a heading), then tables."""
        document = Document()
        for item in paragraphs:
            if isinstance(item, tuple):
                document.add_heading(item[0], level=item[1])
            else:
                document.add_paragraph(item)
        for rows in tables:
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture(scope="session")
def make_xlsx() -> XlsxBuilder:
    def build(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
        workbook = Workbook()
        workbook.remove(workbook.active)  # type: ignore[arg-type]
        for title, rows in sheets.items():
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build


def _quiet_fonttools() -> None:
    logging.getLogger("fontTools").setLevel(logging.ERROR)


CJK_PAGES = ("【基本案情】\n被告人张某犯盗窃罪。\n- 1 -", "【指导意义】\n依法从宽处理。\n第 2 页")


def build_pdf(pages: Sequence[str], *, font: Path | None = None) -> bytes:
    """One page per string; lines split on "\\n". ASCII text unless a TTF/TTC font is given."""
    pdf = FPDF()
    if font is not None:
        pdf.add_font("cjk", fname=str(font), collection_font_number=0)
        pdf.set_font("cjk", size=12)
    else:
        pdf.set_font("Helvetica", size=12)
    for page in pages:
        pdf.add_page()
        for line in page.split("\n"):
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture(scope="session")
def make_pdf() -> Callable[..., bytes]:
    return build_pdf


@pytest.fixture(scope="session")
def cjk_pdf() -> bytes:
    """CJK_PAGES as a PDF with an embedded Chinese font (built once: loading the font takes a second)."""
    for font in CJK_FONTS:
        if font.exists():
            _quiet_fonttools()
            return build_pdf(CJK_PAGES, font=font)
    pytest.skip("no CJK font installed (apt-get install fonts-wqy-zenhei)")


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    """A PDF whose only page holds a drawn rectangle: no text layer, like a scan."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())
