from __future__ import annotations

import pytest

from ingest.errors import ParseError
from ingest.parsers.dispatch import detect_layout, parse_document
from ingest.readers.base import RawDocument

CASE = "### （检例第901号）何某某盗窃案\n\n【要旨】\n\n要旨。\n\n【基本案情】\n\n何某某窃取财物。\n"
COURT = "### 指导性案例901号：某案\n\n裁判要点\n\n要点。\n\n基本案情\n\n案情。\n"
OUTLINED = (
    "# 孙某帮助信息网络犯罪活动案（示例）\n\n一、基本案情\n孙某出租银行卡。\n\n二、检察机关履职情况\n"
    "检察机关依法作出不起诉决定。\n\n三、典型意义\n区别对待。\n"
)
GUIDELINE = "某工作指引\n第一条　甲。\n第二条　乙。\n第三条　丙。\n"


def raw(text: str = "", **kwargs: object) -> RawDocument:
    return RawDocument(source="doc.md", format="md", text=text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "layout"),
    [
        (raw(CASE), "published_case"),
        (raw(COURT), "court_case"),
        (raw(OUTLINED), "outlined_case"),
        (raw(GUIDELINE), "guideline"),
        (raw("张某盗窃案\n张某于2023年窃取他人手机一部。"), "generic_case"),
        (raw(records=[{"kind": "case", "title": "某案"}]), "records"),
        (raw(tables=[[["事项", "行使主体"], ["批准逮捕", "检察官"]]]), "power_list"),
        (raw("。。。"), "empty"),
    ],
)
def test_detect_layout(document: RawDocument, layout: str) -> None:
    assert detect_layout(document) == layout


def test_published_case() -> None:
    (entry,) = parse_document(raw(CASE))
    assert (entry.number, entry.title, entry.charges) == ("检例第901号", "何某某盗窃案", ["盗窃罪"])


def test_outlined_case() -> None:
    (entry,) = parse_document(raw(OUTLINED))
    assert entry.title == "孙某帮助信息网络犯罪活动案（示例）"  # display punctuation restored
    assert [s.key for s in entry.sections] == ["facts", "process", "significance"]
    assert entry.outcomes == ["不起诉"]


def test_guideline_with_articles_in_a_case_text_stays_a_case() -> None:
    text = CASE + "\n【相关规定】\n第一条 甲\n第二条 乙\n第三条 丙\n"
    (entry,) = parse_document(raw(text))
    assert entry.kind == "case"


def test_generic_case() -> None:
    (entry,) = parse_document(raw("张某盗窃案\n\n张某于2023年窃取他人手机一部，检察机关以盗窃罪提起公诉。"))
    assert entry.kind == "case"
    assert entry.title == "张某盗窃案"
    assert [s.key for s in entry.sections] == ["body"]
    assert entry.charges == ["盗窃罪"]
    assert entry.outcomes == ["起诉"]


def test_generic_case_with_a_long_first_line_takes_the_file_name() -> None:
    text = "张某" + "于2023年窃取他人手机一部" * 10 + "。"
    (entry,) = parse_document(RawDocument(source="案例.txt", format="txt", text=text))
    assert entry.title == "案例"
    assert entry.section("body").startswith("张某")


def test_text_is_normalised_first() -> None:
    (entry,) = parse_document(
        raw("### （检例第\uff19\uff10\uff11号）何某某盗窃案\n【要旨】\n要旨。\n【基本案情】\n案情。")
    )
    assert entry.number == "检例第901号"


def test_power_list_table() -> None:
    entries = parse_document(raw(tables=[[["事项", "行使主体"], ["批准逮捕", "检察官"]]]))
    assert [(e.kind, e.title, e.power_subject) for e in entries] == [("power_item", "批准逮捕", "检察官")]


def test_docx_with_text_and_an_unrelated_table_uses_the_text() -> None:
    entries = parse_document(raw(CASE, tables=[[["姓名", "年龄"]]]))
    assert entries[0].number == "检例第901号"


@pytest.mark.parametrize("text", ["", "   \n\t", "。，、；！？……——", "123 456", "【】"])
def test_nothing_usable_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_document(raw(text))
    assert info.value.source == "doc.md"


def test_unrecognised_table_without_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_document(raw(tables=[[["姓名", "年龄"], ["张三", "30"]]]))
    assert "姓名" in info.value.detail


def test_every_entry_has_a_source() -> None:
    for document in (raw(CASE), raw(COURT), raw(GUIDELINE), raw(OUTLINED)):
        assert all(e.source == "doc.md" for e in parse_document(document))
