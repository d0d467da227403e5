from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest

from ingest.errors import EmptyFile, ParseError
from ingest.readers.cells import cell_text, trim_table
from ingest.readers.tables import read_csv, read_xlsx, sniff_delimiter

POWER_LIST = [
    ["事项", "行使主体", "依据"],
    ["决定不起诉", "检察长", "刑事诉讼法第一百七十七条"],
    ["批准逮捕", "检察官", ""],
]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(row) for row in rows) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_common_encodings(encoding: str) -> None:
    doc = read_csv(_csv(POWER_LIST).encode(encoding), "清单.csv")
    assert doc.tables == [POWER_LIST]
    assert doc.format == "csv"
    assert doc.encoding == ("gbk" if encoding == "gb18030" else encoding)


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    text = _csv(POWER_LIST, delimiter)
    assert sniff_delimiter(text) == delimiter
    assert read_csv(text.encode(), "a.csv").tables == [POWER_LIST]


def test_commas_inside_cells_do_not_fool_the_sniffer() -> None:
    text = (
        "事项\t说明\n不起诉\t犯罪情节轻微，依法不需要判处刑罚的，可以不起诉\n逮捕\t有证据证明有犯罪事实，可能判处徒刑\n"
    )
    assert sniff_delimiter(text) == "\t"


def test_quoted_cells_with_commas_and_newlines() -> None:
    data = '事项,说明\r\n不起诉,"第一款,第二款\r\n第三款"\r\n'.encode()
    assert read_csv(data, "a.csv").tables == [[["事项", "说明"], ["不起诉", "第一款,第二款\n第三款"]]]


def test_csv_trailing_blank_rows_and_columns_are_dropped_and_rows_padded() -> None:
    data = b"\n,,\na,b,,\nc\n,,,\n\n"
    assert read_csv(data, "a.csv").tables == [[["a", "b"], ["c", ""]]]


@pytest.mark.parametrize("data", [b"", b"\n\n", b",,,\n,,\n", b"   "])
def test_csv_without_data_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFile):
        read_csv(data, "a.csv")


def test_binary_csv_is_refused() -> None:
    with pytest.raises(ParseError, match="不是文本文件"):
        read_csv(bytes(range(256)) * 10, "a.csv")


def test_oversized_csv_field_is_a_parse_error() -> None:
    data = ('a,"' + "长" * 200_000 + '"\n').encode()
    with pytest.raises(ParseError, match="CSV 格式错误（第 1 行）"):
        read_csv(data, "a.csv")


def test_cell_limit(monkeypatch: pytest.MonkeyPatch, make_xlsx: Callable[..., bytes]) -> None:
    monkeypatch.setattr("ingest.readers.cells.MAX_CELLS", 5)
    with pytest.raises(ParseError, match="单元格"):
        read_csv(_csv(POWER_LIST).encode(), "a.csv")
    with pytest.raises(ParseError, match="单元格"):
        read_xlsx(make_xlsx({"清单": POWER_LIST}), "a.xlsx")


def test_xlsx_every_non_empty_sheet_is_a_table(make_xlsx: Callable[..., bytes]) -> None:
    data = make_xlsx({"刑事": POWER_LIST, "空表": [], "民事": [["事项"], ["支持起诉"]]})
    doc = read_xlsx(data, "清单.xlsx")
    assert doc.format == "xlsx"
    assert doc.tables == [POWER_LIST, [["事项"], ["支持起诉"]]]


def test_xlsx_values_become_text(make_xlsx: Callable[..., bytes]) -> None:
    rows = [
        ["编号", "日期", "时间", "数量", "比例", "是否", "空"],
        [103, dt.datetime(2021, 2, 1), dt.datetime(2021, 2, 1, 9, 30), 2023.0, 0.25, True, None],
        [None, None, None, None, None, None, None],
    ]
    doc = read_xlsx(make_xlsx({"表": rows}), "a.xlsx")
    assert doc.tables == [
        [
            ["编号", "日期", "时间", "数量", "比例", "是否", "空"],
            ["103", "2021-02-01", "2021-02-01 09:30:00", "2023", "0.25", "TRUE", ""],
        ]
    ]


def test_xlsx_formulas_give_cached_values_or_nothing(make_xlsx: Callable[..., bytes]) -> None:
    # openpyxl writes no cached value; Excel would. Either way the formula text never appears.
    doc = read_xlsx(make_xlsx({"表": [["a", "b"], [1, "=A2*2"]]}), "a.xlsx")
    assert doc.tables == [[["a", "b"], ["1", ""]]]


def test_xlsx_leading_blank_rows_are_dropped(make_xlsx: Callable[..., bytes]) -> None:
    doc = read_xlsx(make_xlsx({"表": [[None], [None, None], ["事项", "主体"]]}), "a.xlsx")
    assert doc.tables == [[["事项", "主体"]]]


def test_xlsx_with_only_empty_sheets_is_empty(make_xlsx: Callable[..., bytes]) -> None:
    with pytest.raises(EmptyFile, match="工作表都是空的"):
        read_xlsx(make_xlsx({"一": [], "二": [[None, " "]]}), "a.xlsx")


def test_random_bytes_xlsx_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="Excel"):
        read_xlsx(bytes(range(256)) * 20, "坏.xlsx")


def test_truncated_xlsx_is_a_parse_error(make_xlsx: Callable[..., bytes]) -> None:
    data = make_xlsx({"表": POWER_LIST * 100})
    with pytest.raises(ParseError, match="Excel"):
        read_xlsx(data[: len(data) // 2], "a.xlsx")


def _patch_sheet(data: bytes, patch: Callable[[str], str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                payload = patch(payload.decode()).encode()
            target.writestr(item.filename, payload)
    return buffer.getvalue()


def test_xlsx_lying_dimension_is_ignored(make_xlsx: Callable[..., bytes]) -> None:
    data = _patch_sheet(
        make_xlsx({"表": POWER_LIST}),
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )
    started = time.perf_counter()
    assert read_xlsx(data, "a.xlsx").tables == [POWER_LIST]
    assert time.perf_counter() - started < 2


def test_xlsx_one_far_away_cell_does_not_blow_up_memory(make_xlsx: Callable[..., bytes]) -> None:
    far = '<row r="5000"><c r="XFD5000" t="inlineStr"><is><t>远</t></is></c></row></sheetData>'
    data = _patch_sheet(make_xlsx({"表": POWER_LIST}), lambda xml: xml.replace("</sheetData>", far))
    with pytest.raises(ParseError, match="单元格"):  # 5000 rows x 16384 columns once padded
        read_xlsx(data, "a.xlsx")


def test_xlsx_rows_scanned_are_bounded_across_sheets(
    make_xlsx: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.readers.tables.MAX_ROWS", 5)
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>远</t></is></c></row></sheetData>'
    data = _patch_sheet(make_xlsx({"表": POWER_LIST}), lambda xml: xml.replace("</sheetData>", far))
    started = time.perf_counter()
    with pytest.raises(ParseError, match="总行数超过 5 行"):
        read_xlsx(data, "a.xlsx")
    assert time.perf_counter() - started < 1
    with pytest.raises(ParseError, match="总行数"):
        read_xlsx(make_xlsx({"一": POWER_LIST, "二": POWER_LIST}), "a.xlsx")


def test_xlsx_with_garbage_sheet_xml_is_a_parse_error(make_xlsx: Callable[..., bytes]) -> None:
    source = zipfile.ZipFile(io.BytesIO(make_xlsx({"表": POWER_LIST})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            broken = item.filename.startswith("xl/worksheets/")
            target.writestr(item, b"<worksheet><sheetData><row><c" if broken else source.read(item))
    with pytest.raises(ParseError, match="Excel"):
        read_xlsx(buffer.getvalue(), "a.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  事项\r\n说明 ", "事项\n说明"),
        (False, "FALSE"),
        (7, "7"),
        (7.0, "7"),
        (0.1, "0.1"),
        (Decimal("1.50"), "1.50"),
        (dt.date(2023, 5, 6), "2023-05-06"),
        (dt.time(8, 0), "08:00:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_trim_table() -> None:
    assert trim_table([["", ""], ["a", "", ""], ["", "b"], ["", ""]]) == [["a", ""], ["", "b"]]
    assert trim_table([["", ""]]) == []
