from __future__ import annotations

import pytest

from kb.elements.charges import (
    charge_variants,
    extract_causes,
    extract_charges,
    extract_charges_from_case,
    fact_text_charges,
    result_charges,
    title_causes,
    title_charges,
)


def test_extract_charges_in_order_without_duplicates() -> None:
    text = "以涉嫌盗窃罪提请批准逮捕，后又查明其犯诈骗罪；盗窃罪部分证据确实充分。"
    assert extract_charges(text) == ["盗窃罪", "诈骗罪"]


def test_longest_name_wins() -> None:
    assert extract_charges("以合同诈骗罪提起公诉") == ["合同诈骗罪"]
    assert extract_charges("构成非法吸收公众存款罪") == ["非法吸收公众存款罪"]


def test_names_with_enumeration_comma() -> None:
    text = "以掩饰、隐瞒犯罪所得、犯罪所得收益罪和生产、销售有毒、有害食品罪起诉"
    assert extract_charges(text) == ["掩饰、隐瞒犯罪所得、犯罪所得收益罪", "生产、销售有毒、有害食品罪"]


@pytest.mark.parametrize(
    ("text", "official"),
    [
        ("犯贩卖毒品罪", "走私、贩卖、运输、制造毒品罪"),
        ("构成贩卖、运输毒品罪", "走私、贩卖、运输、制造毒品罪"),
        ("犯非法持有枪支罪", "非法持有、私藏枪支、弹药罪"),
        ("犯伪造国家机关公文罪", "伪造、变造、买卖国家机关公文、证件、印章罪"),
        ("犯容留卖淫罪", "引诱、容留、介绍卖淫罪"),
        ("犯参加黑社会性质组织罪", "组织、领导、参加黑社会性质组织罪"),
        ("犯虚开增值税专用发票罪", "虚开增值税专用发票、用于骗取出口退税、抵扣税款发票罪"),
        ("帮信罪", "帮助信息网络犯罪活动罪"),
    ],
)
def test_short_forms_map_to_the_official_name(text: str, official: str) -> None:
    assert extract_charges(text) == [official]


def test_variants_never_shadow_official_names() -> None:
    variants = charge_variants()
    assert "盗窃罪" not in variants
    assert variants["贩卖毒品罪"] == "走私、贩卖、运输、制造毒品罪"
    assert all(form.endswith("罪") for form in variants)


def test_names_in_cited_statute_titles_are_ignored() -> None:
    text = "依照《关于办理盗窃刑事案件适用法律若干问题的解释》及《刑法》第二百六十四条（盗窃罪）"
    assert extract_charges("《最高人民法院关于审理抢劫罪案件的意见》") == []
    assert extract_charges(text) == ["盗窃罪"]


@pytest.mark.parametrize(
    ("title", "charges"),
    [
        ("胡某某抢劫案", ["抢劫罪"]),
        ("施某某等17人聚众斗殴案", ["聚众斗殴罪"]),
        ("陈邓昌抢劫、盗窃，付志强盗窃案", ["抢劫罪", "盗窃罪"]),
        ("黎达文等人受贿、食品监管渎职案", ["受贿罪", "食品监管渎职罪"]),
        (
            "柳立国等人生产、销售有毒、有害食品，生产、销售伪劣产品案",
            ["生产、销售有毒、有害食品罪", "生产、销售伪劣产品罪"],
        ),
        ("朱某涉嫌盗窃不批捕复议复核案", ["盗窃罪"]),
        ("杨菊云（故意杀人）不核准追诉案", ["故意杀人罪"]),
        ("朱凤山故意伤害（防卫过当）案", ["故意伤害罪"]),
        ("卫学臣编造虚假恐怖信息案", ["编造、故意传播虚假恐怖信息罪"]),
        ("王敏生产、销售伪劣种子案", ["生产、销售伪劣农药、兽药、化肥、种子罪"]),
        ("### （检例第100号） 案例三：陈力等八人侵犯著作权案", ["侵犯著作权罪"]),
        ("粟春华贩卖毒品罪一案", ["走私、贩卖、运输、制造毒品罪"]),
        ("江苏某银行申请执行监督案", []),
        ("", []),
    ],
)
def test_title_charges(title: str, charges: list[str]) -> None:
    assert title_charges(title) == charges


def test_title_charge_in_the_middle_needs_the_text_to_confirm_it() -> None:
    title = "李某诈骗、传授犯罪方法牛某等人诈骗案"
    assert title_charges(title) == ["诈骗罪"]
    assert title_charges(title, "检察机关以传授犯罪方法罪对李某提起公诉") == ["诈骗罪", "传授犯罪方法罪"]


def test_case_charges_prefer_title_keywords_and_stated_charges() -> None:
    sections = {
        "gist": "办理盗窃案件，应当区分盗窃罪与诈骗罪。",
        "facts": "张某曾因抢劫罪被判处有期徒刑三年。2022年，张某窃取他人手机一部。",
        "process": "公安机关以张某涉嫌盗窃罪移送审查起诉。检察机关审查认为张某的行为不构成诈骗罪，以盗窃罪提起公诉。",
        "significance": "对于侵占罪与盗窃罪的界限……",
    }
    assert extract_charges_from_case(sections, "张某盗窃案", ["盗窃"]) == ["盗窃罪"]


def test_case_charges_skip_negated_and_prior_convictions() -> None:
    sections = {
        "facts": "李某曾因故意伤害罪被判处有期徒刑一年。",
        "process": "检察机关认为李某的行为不构成寻衅滋事罪，以故意毁坏财物罪提起公诉。",
    }
    assert extract_charges_from_case(sections) == ["故意毁坏财物罪"]


def test_case_charges_fall_back_to_plain_mentions() -> None:
    sections = {"facts": "该案涉及非法采矿罪的认定问题，各方意见分歧较大"}
    assert extract_charges_from_case(sections) == ["非法采矿罪"]


def test_the_result_section_decides_a_judgments_charges() -> None:
    # 示例: the prosecution alleged 诈骗罪, the court convicted of 合同诈骗罪; a co-defendant's charge and the
    # alleged one are named in the other sections only.
    sections = {
        "facts": "被告人王某伙同赵某（另以盗窃罪处理）虚构购车意向，骗取某汽车销售公司车辆一辆。",
        "reasoning": "公诉机关指控被告人王某犯诈骗罪。本院认为，被告人王某在签订、履行合同过程中骗取对方财物，构成合同诈骗罪。",
        "result": "被告人王某犯合同诈骗罪，判处有期徒刑三年，并处罚金人民币二万元。",
    }
    assert result_charges(sections) == ["合同诈骗罪"]
    assert extract_charges_from_case(sections) == ["合同诈骗罪"]
    # the title's charges stay in front
    assert extract_charges_from_case(sections, "王某诈骗案") == ["诈骗罪", "合同诈骗罪"]


def test_result_charges_with_several_charges_and_variants() -> None:
    result = "一、被告人甲犯贩卖毒品罪，判处有期徒刑九年；犯容留他人吸毒罪，判处有期徒刑六个月；决定执行有期徒刑九年。"
    assert result_charges({"result": result}) == ["走私、贩卖、运输、制造毒品罪", "容留他人吸毒罪"]


@pytest.mark.parametrize(
    "result",
    [
        "",  # no result section text
        "驳回上诉，维持原判。",  # states no charge
        "上诉人邓某无罪。",
        "被告人李某不构成寻衅滋事罪。",  # negated
    ],
)
def test_a_result_without_a_stated_charge_leaves_the_other_sections_to_decide(result: str) -> None:
    sections = {"process": "检察机关以故意伤害罪提起公诉。", "result": result}
    assert extract_charges_from_case(sections) == ["故意伤害罪"]


def test_keywords_map_to_charges() -> None:
    assert extract_charges_from_case({}, "", ["醉驾", "帮信", "附条件不起诉", "危险驾驶罪"]) == [
        "危险驾驶罪",
        "帮助信息网络犯罪活动罪",
    ]


def test_extract_causes() -> None:
    text = "原告因民间借贷纠纷起诉，另涉劳动合同纠纷；某局作出行政处罚决定。民间借贷"
    assert extract_causes(text) == ["民间借贷纠纷", "劳动争议", "行政处罚"]
    assert extract_causes("督促整治校园周边食品安全问题") == ["食品药品安全"]
    assert extract_causes("") == []


@pytest.mark.parametrize(
    ("title", "causes"),
    [
        ("李某荣等七人与李某云民间借贷纠纷抗诉案", ["民间借贷纠纷"]),
        ("张某诉李某、刘某监护权纠纷案", ["监护权纠纷"]),
        ("甲公司诉乙公司、南某水产研究所财产损害赔偿纠纷案", ["财产损害赔偿纠纷"]),
        ("某村委会诉某市不动产登记中心行政登记诉讼监督案", ["行政登记"]),
        ("王大明诉李小红名誉权、荣誉权纠纷案", []),
        ("胡某某抢劫案", []),
    ],
)
def test_title_causes(title: str, causes: list[str]) -> None:
    assert title_causes(title) == causes


# Illustrative fact texts (示例), written for these tests.
@pytest.mark.parametrize(
    ("text", "charges"),
    [
        ("公诉机关以诈骗罪提起公诉。", ["诈骗罪"]),
        ("被告人甲因涉嫌敲诈勒索罪被公安机关取保候审。", ["敲诈勒索罪"]),
        ("经查，其行为构成盗窃罪。", ["盗窃罪"]),
        ("某市公安局以涉嫌犯盗窃罪对乙立案侦查。", ["盗窃罪"]),
        # a third person's case, co-offenders already judged, an earlier conviction: none is the case's charge
        ("乙（系被害人丈夫）因涉嫌非法吸收公众存款罪，于2014年被批准逮捕。", []),
        ("丙、丁（均因犯运输毒品罪已被判刑）将货物交给被告人甲。", []),
        ("戊因犯盗窃罪，于2017年4月被判处有期徒刑一年。", []),
        ("被告人甲曾因盗窃罪被判处有期徒刑。", []),
        ("被告人甲因犯盗窃罪，于2015年3月被判处有期徒刑一年，2016年刑满释放。", []),
        ("被告人甲犯盗窃罪，判处有期徒刑一年。", ["盗窃罪"]),  # a result pasted with the facts states the charge
        ("被告人甲因涉嫌盗窃罪，于2018年5月被刑事拘留。", ["盗窃罪"]),
        ("同案人己（另案处理）涉嫌诈骗罪。", []),
        ("被告人甲的行为不构成诈骗罪。", []),
        # a bare mention states nothing about the case
        ("让其扮演盗窃罪的小偷。", []),
    ],
)
def test_a_fact_text_states_only_its_own_cases_charges(text: str, charges: list[str]) -> None:
    assert fact_text_charges(text) == charges


def test_a_fact_text_keeps_its_own_charge_next_to_a_third_persons() -> None:
    text = "乙因涉嫌非法吸收公众存款罪被批准逮捕。被告人甲为索债将丙拘禁于某处，公诉机关以非法拘禁罪提起公诉。"
    assert fact_text_charges(text) == ["非法拘禁罪"]
    assert extract_charges(text) == ["非法吸收公众存款罪", "非法拘禁罪"]
