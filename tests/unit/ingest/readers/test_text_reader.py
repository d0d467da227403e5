from __future__ import annotations

import codecs

import pytest

from ingest.errors import EmptyFile, ParseError
from ingest.readers.encoding import decode_text, normalize_newlines
from ingest.readers.text import read_text

CASE = "【基本案情】\n被告人张某，男，1980年出生。\n\n【要旨】\n检察机关应当依法履职。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CASE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CASE.encode("utf-8"), "utf-8-sig"),
        (CASE.encode("utf-16"), "utf-16"),  # with BOM, native order
        (codecs.BOM_UTF16_BE + CASE.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF16_LE + CASE.encode("utf-16-le"), "utf-16"),
        (CASE.encode("utf-32"), "utf-32"),
        (CASE.encode("gbk"), "gbk"),
    ],
)
def test_decodes_common_chinese_encodings(data: bytes, encoding: str) -> None:
    doc = read_text(data, "案例.txt")
    assert doc.text == CASE
    assert doc.encoding == encoding
    assert doc.format == "txt"
    assert doc.source == "案例.txt"


def test_gb18030_only_characters_are_recorded_as_gb18030() -> None:
    text = "姓名：𠀀某（扩展B区汉字），住所：某市"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    doc = read_text(data, "a.txt")
    assert doc.text == text
    assert doc.encoding == "gb18030"


def test_markdown_format_is_recorded() -> None:
    assert read_text("# 标题\n正文".encode(), "a.md", fmt="md").format == "md"


def test_line_endings_become_newlines_and_paragraph_breaks_stay() -> None:
    doc = read_text("第一段\r\n第二行\r\r第三段\n".encode(), "a.txt")
    assert doc.text == "第一段\n第二行\n\n第三段\n"


def test_no_nfkc_normalisation() -> None:
    text = "\uff21\uff22\uff23\uff11\uff12\uff13，（全角）"  # full-width letters and digits stay
    assert read_text(text.encode(), "a.txt").text == text


@pytest.mark.parametrize("data", [b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"\n \n", "\u3000\u3000\n".encode()])
def test_whitespace_only_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFile, match=r"a\.txt"):
        read_text(data, "a.txt")


def test_nul_bytes_are_not_text() -> None:
    with pytest.raises(ParseError, match="不是文本文件") as info:
        read_text(b"abc\x00\x01\x02def" * 10, "a.txt")
    assert info.value.source == "a.txt"
    assert info.value.detail.startswith("a.txt：")


def test_many_control_characters_are_not_text() -> None:
    data = bytes(range(1, 32)) * 50 + "正文".encode()
    with pytest.raises(ParseError, match="不是文本文件"):
        read_text(data, "a.txt")


def test_a_few_form_feeds_and_tabs_are_still_text() -> None:
    text = "第一页\f第二页\t结束\v" + "正文" * 200
    assert read_text(text.encode(), "a.txt").text == text


def test_broken_utf16_after_bom_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="UTF-16"):
        read_text(codecs.BOM_UTF16_LE + b"\x00\xd8", "a.txt")  # a lone surrogate


def test_declared_encoding_is_used_when_it_fits() -> None:
    text = "被告人"
    assert decode_text(text.encode("gb18030"), "a", declared="gb18030") == (text, "gb18030")


def test_declared_encoding_that_does_not_fit_falls_back_to_detection() -> None:
    text = "被告人"
    decoded = decode_text(text.encode("utf-8"), "a", declared="shift_jis-nonexistent")
    assert decoded == (text, "utf-8")


def test_normalize_newlines() -> None:
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"
