"""Published procuratorate cases. All texts below were written for these tests (示例)."""

from __future__ import annotations

import pytest

from ingest.errors import ParseError
from ingest.parsers.published_case import looks_like_published_case, parse_published_case
from kb.models import SectionKey

GUIDING = """### （检例第901号）何某某盗窃案

（检例第901号）

【关键词】

盗窃　未成年人　附条件不起诉
考验期

【要旨】

办理未成年人盗窃案件，应当综合评估帮教条件，依法适用附条件不起诉。

【基本案情】

何某某，男，作案时十六周岁。2021年3月，何某某在某超市窃取商品，价值人民币一千二百元。

【诉讼过程】

公安机关以何某某涉嫌盗窃罪移送审查起诉。检察机关审查认为，何某某认罪悔罪，退赔全部损失，
依法作出附条件不起诉决定，考验期六个月。考验期满后，检察机关依法作出不起诉决定。

【指导意义】

对于涉罪未成年人，检察机关应当坚持教育、感化、挽救方针。

【相关规定】

《中华人民共和国刑法》第二百六十四条
《中华人民共和国刑事诉讼法》第二百八十二条、第二百八十四条
"""


def test_guiding_case_fields() -> None:
    (entry,) = parse_published_case(GUIDING, "检例第901号.md")
    assert entry.number == "检例第901号"
    assert entry.title == "何某某盗窃案"
    assert entry.kind == "case"
    assert entry.case_type == "指导性案例"
    assert entry.issuer == "最高人民检察院"
    assert entry.keywords == ["盗窃", "未成年人", "附条件不起诉", "考验期"]
    assert [s.key for s in entry.sections] == ["keywords", "gist", "facts", "process", "significance", "provisions"]
    assert entry.sections[3].heading == "【诉讼过程】"
    assert entry.charges == ["盗窃罪"]
    assert entry.outcomes == ["附条件不起诉", "不起诉"]
    assert entry.provisions == [
        "《刑法》第二百六十四条",
        "《刑事诉讼法》第二百八十二条",
        "《刑事诉讼法》第二百八十四条",
    ]
    assert entry.line == "刑事检察"
    assert entry.sub_line == "未成年人检察"
    assert entry.stage == "审查起诉"
    assert entry.source == "检例第901号.md"
    assert "\n\n" not in entry.section("facts")


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("检察机关履职过程", "process"),
        ("检察机关履职情况", "process"),
        ("检察履职情况", "process"),
        ("检察机关监督情况", "process"),
        ("指控与证明犯罪", "process"),
        ("不批准逮捕的理由", "process"),
        ("诉前程序", "process"),
        ("抗诉理由", "process"),
        ("案件结果", "result"),
        ("终审判决", "result"),
        ("典型意义", "significance"),
        ("警示意义", "significance"),
        ("相关法律规定", "provisions"),
        ("相关立法", "provisions"),
    ],
)
def test_yearly_heading_variants(heading: str, key: str) -> None:
    text = GUIDING.replace("【诉讼过程】", f"【{heading}】").replace("【指导意义】", "【其他】")
    (entry,) = parse_published_case(text, "x.md")
    assert key in [s.key for s in entry.sections]


def test_broken_and_spaced_headings_are_repaired() -> None:
    text = GUIDING.replace("【要旨】", "【要  旨】").replace("【基本案情】", "【基本\n\n案情】")
    (entry,) = parse_published_case(text, "x.md")
    assert entry.section("gist").startswith("办理未成年人盗窃案件")
    assert entry.section("facts").startswith("何某某")


def test_early_cases_without_keywords_or_significance() -> None:
    text = GUIDING.split("【关键词】")[0] + "【要旨】" + GUIDING.split("【要旨】")[1].split("【指导意义】")[0]
    (entry,) = parse_published_case(text, "x.md")
    assert entry.keywords == []
    assert {s.key for s in entry.sections} == {"gist", "facts", "process"}


def test_title_on_its_own_line_above_the_number() -> None:
    text = "### 朱某涉嫌盗窃不批捕复议复核案\n\n（检例第902号）\n\n【要旨】\n要旨。\n\n【基本案情】\n案情。\n"
    (entry,) = parse_published_case(text, "x.md")
    assert (entry.number, entry.title) == ("检例第902号", "朱某涉嫌盗窃不批捕复议复核案")


def test_file_name_style_first_line_and_case_marker_are_cleaned() -> None:
    text = "检例第903号_尹某某等人诈骗立案监督案\n\n（检例第903号）\n\n【要旨】\n要旨。\n\n【基本案情】\n案情。\n"
    (entry,) = parse_published_case(text, "x.md")
    assert (entry.number, entry.title) == ("检例第903号", "尹某某等人诈骗立案监督案")
    text = "### （检例第904号） 案例三：陈某等八人侵犯著作权案\n\n【要旨】\n要旨。\n\n【基本案情】\n案情。\n"
    (entry,) = parse_published_case(text, "x.md")
    assert (entry.number, entry.title) == ("检例第904号", "陈某等八人侵犯著作权案")


def test_two_cases_in_one_file() -> None:
    second = (
        "《最高人民法院关于某问题的规定》第一条\n\n赵某诉某旗退役军人事务局给付生活补助诉讼监督案\n\n（检例第905号）\n\n"
        "【关键词】\n\n行政给付　再审检察建议\n\n【要旨】\n\n行政给付案件的要旨。\n\n【基本案情】\n\n赵某申请给付。\n\n"
        "【检察机关履职过程】\n\n检察机关向法院提出再审检察建议。\n"
    )
    entries = parse_published_case(GUIDING + "\n" + second, "x.md")
    assert [e.number for e in entries] == ["检例第901号", "检例第905号"]
    assert entries[1].title == "赵某诉某旗退役军人事务局给付生活补助诉讼监督案"
    # the second title moved out of the first case's 相关规定
    assert "赵某" not in entries[0].section("provisions")
    assert entries[0].provisions[-1] == "《最高人民法院关于某问题的规定》第一条"
    assert entries[1].line == "行政检察"
    assert entries[1].outcomes == ["检察建议", "再审检察建议"]


RELEASE = """# 某省人民检察院发布依法惩治电信网络诈骗犯罪典型案例（示例）

为统一执法尺度，现发布典型案例二件。

案例一
孙某帮助信息网络犯罪活动案

【基本案情】
孙某系在校学生，将本人银行卡出租给他人使用。

【检察机关履职情况】
检察机关认为孙某情节轻微，依法作出相对不起诉决定。

【典型意义】
对在校学生出租本人银行卡的，应当区别对待。

案例二：钱某帮助信息网络犯罪活动案

【基本案情】
钱某收购出售银行卡二十余张。

【检察机关履职情况】
检察机关以帮助信息网络犯罪活动罪对钱某提起公诉。

【典型意义】
对卡商应当依法从严惩处。
"""


def test_typical_case_release_is_split_per_case() -> None:
    entries = parse_published_case(RELEASE, "release.md")
    assert [e.title for e in entries] == ["孙某帮助信息网络犯罪活动案", "钱某帮助信息网络犯罪活动案"]
    assert [e.outcomes for e in entries] == [["不起诉", "相对不起诉"], ["起诉"]]
    assert all(e.charges == ["帮助信息网络犯罪活动罪"] for e in entries)
    assert "案例二" not in entries[0].section("significance")


FRONT_MATTER = """---
案例类型：警示案例
检察类别：刑事检察
发布机关：某省人民检察院
发布日期：2024年3月1日
批次：第三批
地区：某省某市
办案环节：审查起诉
罪名：危险驾驶罪
错误类型：滥用不起诉权
涉及权力清单事项：作出酌定不起诉决定
责任后果：诫勉谈话
示例：是
---
# 周某危险驾驶案不起诉决定被撤销（示例）

【关键词】
醉驾　不起诉　警示

【基本案情】
周某醉酒驾驶机动车，承办检察官隐瞒其曾因酒驾受过处罚的情节。

【检察机关履职过程】
承办检察官提出酌定不起诉意见。上级检察机关复查后撤销不起诉决定，依法提起公诉。

【警示意义】
不起诉权必须依法行使。
"""


def test_front_matter_fields_win() -> None:
    (entry,) = parse_published_case(FRONT_MATTER, "warning.md")
    assert entry.title == "周某危险驾驶案不起诉决定被撤销(示例)"
    assert entry.case_type == "警示案例"
    assert entry.line == "刑事检察"
    assert entry.issuer == "某省人民检察院"
    assert entry.publish_date == "2024-03-01"
    assert entry.batch == "第3批"
    assert entry.region == "某省某市"
    assert entry.stage == "审查起诉"
    assert entry.charges == ["危险驾驶罪"]
    assert entry.error_type == "滥用不起诉权"
    assert entry.misused_power == "作出酌定不起诉决定"
    assert entry.consequence == "诫勉谈话"
    assert entry.illustrative is True
    assert entry.number is None
    assert "significance" in [s.key for s in entry.sections]


def test_meta_lines_under_the_title() -> None:
    text = (
        "# 张某某盗窃案（示例）\n编号：示例刑-001\n案例类型：典型案例\n检察类别：刑事\n处理结果：附条件不起诉、不批捕\n"
        "示例：否\n\n【要旨】\n要旨。\n\n【基本案情】\n张某某盗窃。\n"
    )
    (entry,) = parse_published_case(text, "x.md")
    assert entry.number == "示例刑-001"
    assert entry.title == "张某某盗窃案(示例)"
    assert entry.line == "刑事检察"
    assert entry.outcomes == ["附条件不起诉", "不批捕"]
    assert entry.illustrative is False


def test_gazette_style_summary_followed_by_the_judgment() -> None:
    text = "#甲公司诉乙公司著作权侵权纠纷案\n【裁判摘要】\n\n未经许可使用软件的，应当承担赔偿责任。\n\n原告：甲公司。\n\n被告：乙公司。\n\n原告诉称……"
    assert looks_like_published_case(text)
    (entry,) = parse_published_case(text, "x.md")
    assert entry.section("gist") == "未经许可使用软件的,应当承担赔偿责任。"
    assert entry.section("body").startswith("原告:甲公司。")


def test_no_headings_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_published_case("只有一段文字。", "plain.md")
    assert "plain.md" in info.value.detail


def test_detection() -> None:
    assert looks_like_published_case(GUIDING)
    assert not looks_like_published_case("第一条 为了规范……\n第二条 ……")
    assert not looks_like_published_case("正文中提到【要旨】一词。")
    assert SectionKey.GIST.value == "gist"
