from __future__ import annotations

import pytest

from ingest.errors import ParseError
from ingest.parsers.records import parse_records, record_layout
from kb.models import Entry, Section


def test_our_own_export_round_trips() -> None:
    entry = Entry(
        kind="case",
        title="张某盗窃案（示例）",
        number="示例刑-001",
        line="刑事检察",
        keywords=["盗窃"],
        charges=["盗窃罪"],
        sections=[Section(key="facts", heading="【基本案情】", text="张某盗窃。")],
        source="export.json",
    )
    (parsed,) = parse_records([entry.to_dict()], "export.json")
    assert parsed == entry
    assert parsed.content_hash() == entry.content_hash()


def test_export_record_gets_the_file_as_source() -> None:
    data = Entry(kind="guideline", title="某指引").to_dict()
    (parsed,) = parse_records([data], "in.json")
    assert parsed.source == "in.json"


def test_bad_export_record() -> None:
    with pytest.raises(ParseError) as info:
        parse_records([{"kind": "case", "title": "某案", "sections": [{"text": "无键"}]}], "x.json")
    assert "第1条" in info.value.detail


def test_guiding_case_record_with_flat_fields() -> None:
    record = {
        "id": "检例第901号",
        "number": 901,
        "title": "何某某盗窃案",
        "keywords": ["盗窃", "附条件不起诉"],
        "yaozhi": "办理未成年人盗窃案件，应当综合评估。",
        "facts": "何某某窃取商品。",
        "procuratorial_process": "检察机关依法作出附条件不起诉决定。",
        "guiding_significance": "坚持教育挽救。",
        "related_provisions": "《中华人民共和国刑法》第二百六十四条",
    }
    (entry,) = parse_records([record], "spp.jsonl")
    assert entry.number == "检例第901号"
    assert entry.case_type == "指导性案例"
    assert entry.issuer == "最高人民检察院"
    assert [s.key for s in entry.sections] == ["keywords", "gist", "facts", "process", "significance", "provisions"]
    assert entry.charges == ["盗窃罪"]
    assert entry.outcomes == ["附条件不起诉"]
    assert entry.provisions == ["《刑法》第二百六十四条"]


def test_guiding_case_record_with_sections_list() -> None:
    record = {
        "id": "检例第902号",
        "title": "某案",
        "yaozhi": "x",
        "sections": [
            {"header": "要旨", "text": "要旨文字。"},
            {"header": "基本案情", "text": "案情文字。"},
            {"header": "检察机关监督情况", "text": "提出抗诉。"},
            {"header": "相关法律规定", "text": "《刑法》第一条"},
        ],
    }
    (entry,) = parse_records([record], "x.jsonl")
    assert [s.key for s in entry.sections] == ["gist", "facts", "process", "provisions"]
    assert entry.sections[2].heading == "【检察机关监督情况】"


def test_court_guiding_record() -> None:
    record = {
        "id": "指导案例9号",
        "title": "某公司诉某公司买卖合同纠纷案",
        "release": "2012年9月18日发布",
        "keywords": ["民事", "买卖合同"],
        "holding": "裁判要点。",
        "facts": "事实。",
        "result": "结果。",
        "reasoning": "理由。",
        "related_provisions": "《中华人民共和国合同法》第一百零七条",
    }
    (entry,) = parse_records([record], "spc.jsonl")
    assert entry.number == "指导案例9号"
    assert entry.issuer == "最高人民法院"
    assert entry.publish_date == "2012-09-18"
    assert entry.line == "民事检察"
    assert entry.charges == ["买卖合同纠纷"]


def test_lecard_record() -> None:
    record = {"qid": 1, "pid": 7, "ajName": "王某盗窃一案", "ajjbqk": "王某窃取财物。", "pjjg": "被告人王某犯盗窃罪。"}
    assert record_layout(record) == "judgment"
    (entry,) = parse_records([record], "lecard.jsonl")
    assert (entry.number, entry.title, entry.charges) == ("LeCaRD-7", "王某盗窃案", ["盗窃罪"])


def test_unknown_records_name_their_keys() -> None:
    with pytest.raises(ParseError) as info:
        parse_records([{"ridx": 1, "q": "查询", "crime": ["盗窃罪"]}], "query.json")
    assert "crime" in info.value.detail and "query.json" in info.value.detail


def test_non_object_and_empty() -> None:
    with pytest.raises(ParseError):
        parse_records(["文本"], "x.json")  # type: ignore[list-item]
    with pytest.raises(ParseError):
        parse_records([], "x.json")
