"""Court guiding cases and judgments. Texts written for these tests (示例)."""

from __future__ import annotations

import pytest

from ingest.errors import ParseError
from ingest.parsers.court_case import looks_like_court_case, parse_court_case, parse_judgment_record

PLAIN = """### 指导性案例901号：李某侵犯公民个人信息刑事附带民事公益诉讼案
原文网址：https://example.invalid/case

李某侵犯公民个人信息刑事附带民事公益诉讼案

（最高人民法院审判委员会讨论通过　2029年12月26日发布　示例）

关键词

刑事/侵犯公民个人信息/人脸信息

裁判要点

利用软件窃取的人脸信息属于公民个人信息。

相关法条

《中华人民共和国刑法》第253条之一（示例引文：出售公民个人信息）

基本案情

2020年，被告人李某制作并出售窃取照片的软件。某区人民检察院向法院提起刑事附带民事公益诉讼。

裁判结果

法院以侵犯公民个人信息罪判处李某有期徒刑三年。

裁判理由

法院生效裁判认为：人脸信息能够识别特定自然人。
"""

DECORATED = """## 指导性案例902号：刘某非法采矿刑事附带民事公益诉讼案

\u3000\u3000**（最高人民法院审判委员会讨论通过2023年10月20日发布）**

\u3000\u3000**关键词** \u00a0刑事/非法采矿/非法采砂

\u3000\u3000**裁判要点**

\u3000\u30001.跨行政区划的非法采砂刑事案件，可以由相关法院管辖。

\u3000\u3000**相关法条**

\u3000\u3000《中华人民共和国刑法》第343条

\u3000\u3000**基本案情**

\u3000\u3000刘某在禁采区采砂。

\u3000\u3000**裁判结果**

\u3000\u3000法院以非法采矿罪判处刘某有期徒刑。

\u3000\u3000**裁判理由**

\u3000\u3000法院生效裁判认为：刘某构成非法采矿罪。
"""


def test_plain_court_case() -> None:
    (entry,) = parse_court_case(PLAIN, "指导性案例901号.md")
    assert entry.number == "指导案例901号"
    assert entry.title == "李某侵犯公民个人信息刑事附带民事公益诉讼案"
    assert entry.case_type == "指导性案例"
    assert entry.issuer == "最高人民法院"
    assert entry.publish_date == "2029-12-26"
    assert entry.keywords == ["刑事", "侵犯公民个人信息", "人脸信息"]
    assert [s.key for s in entry.sections] == ["keywords", "gist", "provisions", "facts", "result", "reasoning"]
    assert entry.provisions == ["《刑法》第二百五十三条之一"]
    assert entry.charges[0] == "侵犯公民个人信息罪"
    assert entry.line == "公益诉讼检察"
    assert "原文网址" not in entry.section("gist")


def test_bold_indented_headings_and_inline_keywords() -> None:
    (entry,) = parse_court_case(DECORATED, "x.md")
    assert entry.number == "指导案例902号"
    assert entry.title == "刘某非法采矿刑事附带民事公益诉讼案"
    assert entry.publish_date == "2023-10-20"
    assert entry.keywords == ["刑事", "非法采矿", "非法采砂"]
    assert entry.section("gist") == "1.跨行政区划的非法采砂刑事案件,可以由相关法院管辖。"
    assert entry.section("reasoning").startswith("法院生效裁判认为")
    assert entry.charges == ["非法采矿罪"]
    assert entry.provisions == ["《刑法》第三百四十三条"]


def test_title_cut_short_in_the_heading_is_completed() -> None:
    text = PLAIN.replace(
        "### 指导性案例901号：李某侵犯公民个人信息刑事附带民事公益诉讼案",
        "### 指导性案例901号：李某侵犯公民个人信息刑事...",
    ).replace("\n李某侵犯公民个人信息刑事附带民事公益诉讼案\n", "\n李某侵犯公民个人信息\n\n刑事附带民事公益诉讼案\n")
    (entry,) = parse_court_case(text, "x.md")
    assert entry.title == "李某侵犯公民个人信息刑事附带民事公益诉讼案"


def test_detection() -> None:
    assert looks_like_court_case(PLAIN)
    assert looks_like_court_case(DECORATED)
    assert not looks_like_court_case("本案的裁判要点在于……\n基本案情如下")


def test_text_without_headings_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_court_case("没有任何栏目的文字", "x.md")


RECORD = {
    "qid": 5156,
    "pid": 38633,
    "ajName": "曾某危险驾驶一案",
    "ajjbqk": " 某省某市某区人民法院判决认定：2018年3月19日，被告人曾某酒后驾驶小型轿车，血液酒精含量为180mg/100ml。",
    "cpfxgc": "本院认为，被告人曾某在道路上醉酒驾驶机动车，其行为已构成危险驾驶罪。",
    "pjjg": "被告人曾某犯危险驾驶罪，判处拘役二个月，并处罚金人民币四千元。",
}


def test_judgment_record() -> None:
    entry = parse_judgment_record(RECORD, "candidates.jsonl")
    assert entry.title == "曾某危险驾驶案"
    assert entry.number == "LeCaRD-38633"
    assert entry.case_type == "参考案例"
    assert [s.key for s in entry.sections] == ["facts", "reasoning", "result"]
    assert entry.issuer == "某省某市某区人民法院"
    assert entry.charges == ["危险驾驶罪"]
    assert entry.line == "刑事检察"
    assert entry.source == "candidates.jsonl"


def test_judgment_record_charges_are_the_convicting_ones() -> None:
    # 示例: the facts name a prior conviction and a co-defendant's charge, the reasoning the charge first alleged;
    # the judgment convicted of 故意伤害罪 only.
    record = {
        **RECORD,
        "ajName": "孙某一案",
        "ajjbqk": "被告人孙某曾因盗窃罪被判处有期徒刑一年。孙某与王某（另以寻衅滋事罪处理）在饭店内与被害人发生争执，孙某持酒瓶将被害人打成轻伤。",
        "cpfxgc": "公诉机关指控被告人孙某犯寻衅滋事罪。本院认为，被告人孙某故意伤害他人身体，致人轻伤，构成故意伤害罪。",
        "pjjg": "被告人孙某犯故意伤害罪，判处有期徒刑一年。",
    }
    assert parse_judgment_record(record, "x.jsonl").charges == ["故意伤害罪"]


def test_judgment_record_without_reasoning() -> None:
    record = {k: v for k, v in RECORD.items() if k != "cpfxgc"}
    entry = parse_judgment_record(record, "x.jsonl")
    assert [s.key for s in entry.sections] == ["facts", "result"]


def test_judgment_record_without_any_text() -> None:
    with pytest.raises(ParseError) as info:
        parse_judgment_record({"ajName": "某案", "pid": 1}, "x.jsonl")
    assert "x.jsonl" in info.value.detail
