"""Guidelines split into 章/节/条. The fixture was written for these tests (示例)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import ParseError
from ingest.parsers.guideline import count_articles, guideline_line, looks_like_guideline, parse_guideline

GUIDELINE = """# 某省人民检察院办理轻伤害案件工作指引（示例）

（2023年4月20日某省人民检察院第十三届检察委员会第五次会议通过）

为统一轻伤害案件的办理标准，制定本指引。

## 第一章　总　则

第一条　为规范轻伤害案件办理，根据《中华人民共和国刑事诉讼法》等规定，制定本指引。

第二条　本指引适用于故意伤害致人轻伤的案件。

## 第二章　审查逮捕

### 第一节　一般规定

第三条　办理轻伤害案件，应当全面审查社会危险性。
第一百七十七条规定的情形，不属于本条所称情形。

第4条　对于双方达成和解的，一般不予批准逮捕：
（一）犯罪嫌疑人认罪认罚的；
（二）已经赔偿损失的。

### 第二节　特别规定

第五条之一　未成年人案件另行规定。

## 第三章　附则

第六条　本指引自发布之日起施行。
"""


def test_articles_with_their_path() -> None:
    (entry,) = parse_guideline(GUIDELINE, "指引.md")
    assert entry.kind == "guideline"
    assert entry.title == "某省人民检察院办理轻伤害案件工作指引(示例)"
    assert entry.publish_date == "2023-04-20"
    assert entry.issuer == "某省人民检察院"
    assert entry.line == "刑事检察"
    articles = [s for s in entry.sections if s.key == "article"]
    assert [a.heading for a in articles] == ["第一条", "第二条", "第三条", "第四条", "第五条之一", "第六条"]
    assert articles[0].path == ["第一章 总则"]
    assert articles[2].path == ["第二章 审查逮捕", "第一节 一般规定"]
    assert articles[4].path == ["第二章 审查逮捕", "第二节 特别规定"]
    assert articles[5].path == ["第三章 附则"]
    # a paragraph that starts with a reference stays in its article
    assert articles[2].text.endswith("第一百七十七条规定的情形,不属于本条所称情形。")
    assert articles[3].text.split("\n") == [
        "对于双方达成和解的,一般不予批准逮捕:",
        "(一)犯罪嫌疑人认罪认罚的;",
        "(二)已经赔偿损失的。",
    ]
    preface = [s for s in entry.sections if s.key == "body"]
    assert preface and preface[0].text == "为统一轻伤害案件的办理标准,制定本指引。"


def test_front_matter_and_meta_lines() -> None:
    text = "某院民事支持起诉工作指引（示例）\n发布机关：某省人民检察院\n发布日期：2024-02-26\n检察类别：民事检察\n示例：是\n\n第一条　甲。\n第二条　乙。\n第三条　丙。\n"
    (entry,) = parse_guideline(text, "x.md")
    assert entry.title == "某院民事支持起诉工作指引(示例)"
    assert (entry.issuer, entry.publish_date, entry.line, entry.illustrative) == (
        "某省人民检察院",
        "2024-02-26",
        "民事检察",
        True,
    )
    assert len(entry.sections) == 3


def test_outline_guideline_without_articles() -> None:
    text = "关于办理某类案件的指导意见\n\n一、总体要求\n依法办理。\n二、具体要求\n（一）审查证据。\n（二）听取意见。\n"
    assert looks_like_guideline(text)
    (entry,) = parse_guideline(text, "x.md")
    assert [s.heading for s in entry.sections] == ["一、总体要求", "二、具体要求"]
    assert entry.sections[1].text.endswith("(二)听取意见。")


def test_detection() -> None:
    assert count_articles(GUIDELINE) == 6
    assert looks_like_guideline(GUIDELINE)
    assert not looks_like_guideline("张某盗窃案\n张某于2023年窃取财物。依照刑法第二百六十四条处理。")


def test_guideline_line() -> None:
    assert guideline_line("人民检察院刑事诉讼规则") == "刑事检察"
    assert guideline_line("人民检察院行政诉讼监督规则") == "行政检察"
    assert guideline_line("人民检察院公益诉讼办案规则") == "公益诉讼检察"
    assert guideline_line("人民检察院民事诉讼监督规则") == "民事检察"


def test_empty_guideline_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_guideline("？？？\n。。。", "x.md")


REAL_RULES = Path("/work/shared/data/lawrefbook-laws/司法解释/人民检察院刑事诉讼规则(2019-12-02).md")


@pytest.mark.slow
@pytest.mark.skipif(not REAL_RULES.exists(), reason="lawrefbook-laws not present")
def test_real_rules_of_criminal_procedure() -> None:
    (entry,) = parse_guideline(REAL_RULES.read_text(encoding="utf-8"), REAL_RULES.name)
    articles = [s for s in entry.sections if s.key == "article"]
    assert entry.title == "人民检察院刑事诉讼规则"
    assert entry.issuer == "最高人民检察院"
    assert entry.publish_date == "2019-12-02"
    assert len(articles) == 684
    assert articles[0].heading == "第一条" and articles[-1].heading == "第六百八十四条"
    assert articles[100].path == ["第六章 强制措施", "第二节 取保候审"]
