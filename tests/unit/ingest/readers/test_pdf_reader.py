from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import EmptyFile, NoTextLayer, ParseError
from ingest.readers.pdf import NO_TEXT_LAYER, _strip_page_numbers, read_pdf

PdfBuilder = Callable[..., bytes]


def test_chinese_text_layer_pages_joined(cjk_pdf: bytes) -> None:
    doc = read_pdf(cjk_pdf, "案例.pdf")
    assert doc.format == "pdf"
    assert doc.source == "案例.pdf"
    assert doc.text == "【基本案情】\n被告人张某犯盗窃罪。\n【指导意义】\n依法从宽处理。"


def test_ascii_text_layer(make_pdf: PdfBuilder) -> None:
    doc = read_pdf(make_pdf(["Case 103\nRobbery by a minor", "Page 2 of 2\nGuidance"]), "a.pdf")
    assert doc.text == "Case 103\nRobbery by a minor\nGuidance"


def test_scanned_pdf_has_no_text_layer(scanned_pdf: bytes) -> None:
    with pytest.raises(NoTextLayer) as info:
        read_pdf(scanned_pdf, "扫描件.pdf")
    assert info.value.detail == f"扫描件.pdf：{NO_TEXT_LAYER}"
    assert info.value.detail == "扫描件.pdf：PDF 没有可提取的文字层（可能是扫描件），请先进行文字识别（OCR）后再导入"
    assert isinstance(info.value, ParseError)


def test_pdf_with_user_password_is_refused(make_pdf: PdfBuilder) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret case"]))))
    writer.encrypt(user_password="123456", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ParseError, match="已加密"):
        read_pdf(buffer.getvalue(), "密.pdf")


def test_pdf_with_only_an_owner_password_is_read(make_pdf: PdfBuilder) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Open case"]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert read_pdf(buffer.getvalue(), "a.pdf").text == "Open case"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + bytes(range(256)) * 8, b"%PDF-1.4\n%%EOF", b"%PDF-"])
def test_corrupt_pdf_is_a_parse_error(data: bytes) -> None:
    with pytest.raises((ParseError, EmptyFile)) as info:
        read_pdf(data, "坏.pdf")
    assert "坏.pdf" in info.value.detail


def test_truncated_pdf_never_leaks_a_library_error(make_pdf: PdfBuilder) -> None:
    data = make_pdf(["Some text on page one", "More text"])
    for cut in (10, len(data) // 3, len(data) // 2, len(data) - 40):
        try:
            doc = read_pdf(data[:cut], "a.pdf")
        except (ParseError, EmptyFile):
            continue
        assert doc.text  # pypdf may recover the text from a partly cut file


def test_page_limit(make_pdf: PdfBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest.readers.pdf.MAX_PAGES", 2)
    with pytest.raises(ParseError, match="共 3 页，超过 2 页"):
        read_pdf(make_pdf(["a", "b", "c"]), "a.pdf")


def test_page_numbers_only_at_page_edges_are_stripped() -> None:
    page = "3\n第三章 总则\n正文引用第 12 页\n12\n其他内容\n第3页 共10页\n— 3 —"
    assert _strip_page_numbers(page) == "第三章 总则\n正文引用第 12 页\n12\n其他内容"
    assert _strip_page_numbers("1/10\n正文\nPage 1") == "正文"
    assert _strip_page_numbers("正文") == "正文"
