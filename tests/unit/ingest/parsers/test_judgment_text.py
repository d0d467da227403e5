"""Judgments and decisions printed as running text: split into parties, facts, reasoning and result.

Every text here is illustrative (示例), written for these tests in the layout of the SPC gazette and of 判决书 /
不起诉决定书; no sentence is taken from a real case.
"""

from __future__ import annotations

import pytest

from ingest.parsers.dispatch import parse_document
from ingest.parsers.judgment_text import split_judgment_text
from ingest.readers.base import RawDocument
from ingest.router import read_bytes
from kb.models import Entry

CRIMINAL = """## 甲某侵犯著作权案（示例）

公诉机关：某市某区人民检察院。

被告人：甲某，男，1970年生，无业。

某区人民检察院以被告人甲某犯非法经营罪，向某区人民法院提起公诉。

起诉书指控：被告人甲某未经许可印制图书三千册并出售，获利二万元（示例）。

某区人民法院经审理查明：被告人甲某未经著作权人许可，复制发行他人享有专有出版权的图书三千册，获利二万元（示例）。

上述事实，有证人证言、书证证实，被告人甲某亦供认不讳。

某区人民法院认为：被告人甲某以营利为目的，未经著作权人许可复制发行他人图书，情节严重，其行为构成侵犯著作权罪。\
公诉机关指控的事实成立，但定性不当。据此，某区人民法院判决：

一、被告人甲某犯侵犯著作权罪，判处有期徒刑一年，并处罚金一万元。

二、违法所得予以没收。

被告人甲某没有上诉，检察院亦未抗诉。
"""

TWO_INSTANCES = """乙公司诉丙公司买卖合同纠纷案（示例）

原告：乙公司，住所地某市。

法定代表人：乙某，该公司经理。

被告：丙公司，住所地某市。

原告乙公司因与被告丙公司发生买卖合同纠纷，向某市某区人民法院提起诉讼。

原告乙公司诉称：乙公司向丙公司供货，丙公司未付货款十万元，请求判决：丙公司支付货款十万元。

某区人民法院一审查明：双方签订供货合同，乙公司交货后丙公司未付款（示例）。

某区人民法院一审认为：合同合法有效，丙公司应当支付货款。据此，判决如下：

丙公司于判决生效之日起十日内支付乙公司货款十万元。

丙公司不服一审判决，向某市中级人民法院提起上诉称：货物质量不合格，不应付款。

某市中级人民法院经二审，确认了一审查明的事实。

某市中级人民法院二审认为：丙公司未在约定期间提出质量异议，上诉理由不能成立。依照民事诉讼法的规定，于某年某月某日判决：

驳回上诉，维持原判。

本判决为终审判决。
"""

NON_PROSECUTION = """丁某盗窃不起诉决定书（示例）

被不起诉人：丁某，男，2001年生。

本案由某县公安局侦查终结，以被不起诉人丁某涉嫌盗窃罪，移送本院审查起诉。

经本院依法审查查明：丁某窃取他人电动车一辆，价值二千元，案发后退赔并取得谅解（示例）。

本院认为，丁某实施了刑法第二百六十四条规定的行为，但犯罪情节轻微，具有坦白情节，不需要判处刑罚。\
依照《中华人民共和国刑事诉讼法》第一百七十七条第二款的规定，决定对丁某不起诉。

被不起诉人如不服本决定，可以自收到本决定书后七日内向本院申诉。
"""


# A judgment's first instance: who the parties are, what was found, why, what was decided.
FIRST_INSTANCE = [("body", "当事人"), ("facts", "基本案情"), ("reasoning", "裁判理由"), ("result", "裁判结果")]


def parse(text: str) -> tuple[list[tuple[str, str]], Entry]:
    """(key, heading) of each section, and the entry."""
    (entry,) = parse_document(RawDocument(source="judgment.md", format="md", text=text))
    return [(s.key, s.heading) for s in entry.sections], entry


def test_criminal_judgment_splits_into_parties_facts_reasoning_result() -> None:
    sections, entry = parse(CRIMINAL)
    assert sections == [*FIRST_INSTANCE, ("facts", "审理经过")]
    assert entry.section("result").startswith("一、被告人甲某犯侵犯著作权罪")
    assert entry.section("reasoning").endswith("据此，某区人民法院判决：")
    assert "起诉书指控" in entry.section("facts")


def test_the_judgment_s_charge_wins_over_the_charge_first_alleged() -> None:
    """Kept whole, the text named 非法经营罪 (the allegation) as much as 侵犯著作权罪 (the judgment)."""
    _, entry = parse(CRIMINAL)
    assert entry.charges == ["侵犯著作权罪"]


def test_a_second_instance_is_read_in_order() -> None:
    sections, entry = parse(TWO_INSTANCES)
    assert sections == [*FIRST_INSTANCE, ("facts", "审理经过"), ("reasoning", "裁判理由"), ("result", "裁判结果")]
    results = [s.text for s in entry.sections if s.key == "result"]
    assert results[0].startswith("丙公司于判决生效之日起十日内支付")
    assert results[1] == "驳回上诉，维持原判。\n本判决为终审判决。"
    # the claim's 请求判决： is not a decision
    assert "请求判决" in entry.sections[1].text


def test_a_non_prosecution_decision_has_its_result() -> None:
    sections, entry = parse(NON_PROSECUTION)
    assert [key for key, _ in sections] == ["body", "facts", "reasoning", "result"]
    assert entry.section("result").startswith(
        "依照《中华人民共和国刑事诉讼法》第一百七十七条第二款的规定，决定对丁某不起诉"
    )
    assert "如不服本决定" in entry.section("result")
    assert "不起诉" in entry.outcomes


def test_a_decision_stated_in_the_reasoning_without_a_heading() -> None:
    text = (
        "戊某诬告陷害案（示例）\n被告人：戊某，男。\n某中级人民法院经审理查明：戊某捏造他人受贿的事实向有关机关告发（示例）。\n"
        "某中级人民法院认为：戊某捏造事实诬告他人，情节严重，其行为构成诬告陷害罪。据此，该院以诬告陷害罪判处被告人戊某有期徒刑三年。\n"
    )
    sections, entry = parse(text)
    assert [key for key, _ in sections] == ["body", "facts", "reasoning", "result"]
    assert entry.section("result").startswith("据此，该院以诬告陷害罪判处")
    assert entry.section("reasoning").endswith("构成诬告陷害罪。")


def test_an_earlier_suit_s_judgment_told_in_the_facts_stays_in_the_facts() -> None:
    earlier = "某法院曾于某年判决：" + "己公司停止销售涉案软件并赔偿损失，" * 12 + "该判决已生效。"
    text = (
        "己公司诉庚公司著作权纠纷案（示例）\n原告：己公司。\n被告：庚公司。\n"
        f"某区人民法院经审理查明：{earlier}\n某区人民法院认为：庚公司再次侵权，应承担责任。据此，判决如下：\n"
        "庚公司赔偿己公司损失五万元。\n"
    )
    _, entry = parse(text)
    assert earlier in entry.section("facts")
    assert entry.section("result") == "庚公司赔偿己公司损失五万元。"


def test_a_gist_line_opens_the_gist() -> None:
    text = "辛某盗窃案（示例）\n裁判要旨：入户盗窃不以数额较大为要件（示例）。\n" + CRIMINAL.split("\n", 1)[1]
    sections, entry = parse(text)
    assert sections[0] == ("gist", "裁判要旨")
    assert entry.section("gist") == "入户盗窃不以数额较大为要件（示例）。"
    assert sections[1] == ("body", "当事人")


def test_a_gazette_case_with_a_bracketed_gist() -> None:
    text = "## 壬某盗窃案（示例）\n\n【裁判摘要】\n\n摘要一句（示例）。\n\n" + CRIMINAL.split("\n", 1)[1]
    sections, entry = parse(text)
    assert [key for key, _ in sections][:4] == ["gist", "body", "facts", "reasoning"]
    assert entry.charges == ["侵犯著作权罪"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "。。。",
        "张某于2023年窃取他人手机一部，检察机关以盗窃罪提起公诉。",
        "本院认为：应当支持。\n判决如下：\n驳回起诉。",  # reasons and a result, but no facts before them
        "某公司决定：自下月起调整作息时间，请各部门遵照执行。",  # a decision in a story, no parties, no reasons
    ],
)
def test_text_that_is_not_a_judgment_stays_whole(text: str) -> None:
    assert split_judgment_text(text) is None


def test_plain_case_text_keeps_one_body_section() -> None:
    sections, _ = parse("张某盗窃案\n\n张某于2023年窃取他人手机一部，检察机关以盗窃罪提起公诉。")
    assert sections == [("body", "正文")]


def test_gbk_judgment_file_is_split_too() -> None:
    raw = read_bytes(CRIMINAL.encode("gbk"), "判决书.txt", max_bytes=1_000_000)
    (entry,) = parse_document(raw)
    assert [s.key for s in entry.sections][:4] == ["body", "facts", "reasoning", "result"]
    assert entry.charges == ["侵犯著作权罪"]


def test_huge_and_hostile_paragraphs_finish() -> None:
    """No cue at all in one long paragraph, and cue fragments repeated without end: linear time, no split."""
    assert split_judgment_text("某" * 200_000) is None
    hostile = "依照" + "规定" * 20_000 + "据此" * 20_000 + "认为" * 20_000
    assert split_judgment_text("原告：某。\n" + hostile) is None
    many = "\n".join(["某区人民法院经审理查明：某事实。"] * 5_000 + ["某区人民法院认为：成立。判决如下：", "驳回。"])
    sections = split_judgment_text("原告：某。\n" + many)
    assert sections is not None
    assert [s.key for s in sections] == ["body", "facts", "reasoning", "result"]


def test_a_long_judgment_takes_its_cause_from_where_its_story_starts() -> None:
    """A judgment's facts run long and name other disputes in passing (an earlier 行政处罚 here); its cause of action
    is stated in the first paragraph. A guiding case's short 基本案情 is read whole, as before."""
    earlier = "某局曾于某年对丙某作出行政处罚决定，丙某未申请复议（示例）。" * 60
    text = (
        "丙某诉丁公司案（示例）\n原告：丙某。\n被告：丁公司。\n"
        "原告丙某因与被告丁公司劳动争议纠纷一案，向某区人民法院提起诉讼。\n"
        f"某区人民法院经审理查明：{earlier}\n某区人民法院认为：丁公司应当支付赔偿金。判决如下：\n"
        "丁公司支付丙某赔偿金五万元。\n"
    )
    _, entry = parse(text)
    assert len(entry.section("facts")) > 1500
    assert entry.charges == ["劳动争议"]
    short = (
        "丙某诉丁公司案（示例）\n原告：丙某。\n被告：丁公司。\n原告丙某因与被告丁公司发生纠纷，向某区人民法院提起诉讼。\n"
        "某区人民法院经审理查明：双方因解除劳动合同发生劳动争议（示例）。\n"
        "某区人民法院认为：丁公司应当支付赔偿金。判决如下：\n丁公司支付丙某赔偿金五万元。\n"
    )
    _, entry = parse(short)
    assert entry.charges == ["劳动争议"]  # named after the first paragraph, found in short facts
