from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from docx import Document

from ingest.errors import EmptyFile, ParseError
from ingest.readers.docx import read_docx


def test_paragraphs_in_order_with_headings_as_lines(make_docx: Callable[..., bytes]) -> None:
    data = make_docx([("胡某某抢劫案", 1), "【关键词】", "未成年人  抢劫", "", ("基本案情", 2), "被告人胡某某……"])
    doc = read_docx(data, "案例.docx")
    assert doc.format == "docx"
    assert doc.source == "案例.docx"
    assert doc.text == "胡某某抢劫案\n【关键词】\n未成年人  抢劫\n基本案情\n被告人胡某某……"
    assert doc.tables == []


def test_tables_go_to_tables_not_text(make_docx: Callable[..., bytes]) -> None:
    rows = [["事项", "行使主体"], ["决定不起诉", "检察长"], ["决定逮捕", "检察官"]]
    doc = read_docx(make_docx(["权力清单"], tables=[rows]), "清单.docx")
    assert doc.text == "权力清单"
    assert doc.tables == [rows]


def test_text_and_tables_keep_document_order() -> None:
    document = Document()
    document.add_paragraph("前言")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "甲", "乙"
    document.add_paragraph("后记")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_docx(buffer.getvalue(), "a.docx")
    assert doc.text == "前言\n后记"
    assert doc.tables == [[["甲", "乙"]]]


def test_merged_cells_horizontal_once_vertical_repeated() -> None:
    document = Document()
    table = document.add_table(rows=4, cols=3)
    title = table.cell(0, 0).merge(table.cell(0, 2))
    title.text = "刑事检察权力清单"
    for c, text in enumerate(["检察类别", "事项", "行使主体"]):
        table.cell(1, c).text = text
    line = table.cell(2, 0).merge(table.cell(3, 0))
    line.text = "刑事检察"
    table.cell(2, 1).text, table.cell(2, 2).text = "批准逮捕", "检察官"
    table.cell(3, 1).text, table.cell(3, 2).text = "不起诉", "检察长"
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_docx(buffer.getvalue(), "a.docx")
    assert doc.tables == [
        [
            ["刑事检察权力清单", "", ""],
            ["检察类别", "事项", "行使主体"],
            ["刑事检察", "批准逮捕", "检察官"],
            ["刑事检察", "不起诉", "检察长"],
        ]
    ]


def test_trailing_empty_rows_and_columns_are_dropped(make_docx: Callable[..., bytes]) -> None:
    rows = [["a", "b", ""], ["c", "", ""], ["", "", ""]]
    assert read_docx(make_docx(tables=[rows]), "a.docx").tables == [[["a", "b"], ["c", ""]]]


def test_soft_line_break_inside_a_paragraph_becomes_a_line() -> None:
    document = Document()
    run = document.add_paragraph().add_run("第一行")
    run.add_break()
    run.add_text("第二行")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_docx(buffer.getvalue(), "a.docx").text == "第一行\n第二行"


def test_document_without_text_is_empty(make_docx: Callable[..., bytes]) -> None:
    with pytest.raises(EmptyFile, match=r"空\.docx"):
        read_docx(make_docx(["", "   "]), "空.docx")


def test_random_bytes_are_a_parse_error() -> None:
    with pytest.raises(ParseError, match="Word 文档") as info:
        read_docx(bytes(range(256)) * 20, "坏.docx")
    assert info.value.source == "坏.docx"


def test_truncated_docx_is_a_parse_error(make_docx: Callable[..., bytes]) -> None:
    data = make_docx(["正文"] * 50)
    with pytest.raises(ParseError, match="损坏"):
        read_docx(data[: len(data) // 2], "a.docx")


def test_garbage_document_xml_is_a_parse_error(make_docx: Callable[..., bytes]) -> None:
    source = zipfile.ZipFile(io.BytesIO(make_docx(["正文"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            payload = b"<w:document><unclosed" if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, payload)
    with pytest.raises(ParseError, match="损坏"):
        read_docx(buffer.getvalue(), "a.docx")
