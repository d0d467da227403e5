from __future__ import annotations

import pytest

from kb.elements.lines import STAGES, SUB_LINES, infer_line, infer_stage, infer_stages, infer_sub_line
from kb.models import LINES


@pytest.mark.parametrize(
    ("title", "keywords", "text", "line"),
    [
        ("张某盗窃案", [], "", "刑事检察"),
        ("某县环保局行政公益诉讼案", [], "行政机关 行政处罚 行政诉讼", "公益诉讼检察"),
        ("督促整治某河道污染案", ["行政公益诉讼"], "", "公益诉讼检察"),
        ("某公司与某公司买卖合同纠纷抗诉案", [], "", "民事检察"),
        ("某实业公司诉某市住房和城乡建设局征收补偿认定纠纷抗诉案", [], "", "行政检察"),
        ("某材料公司诉某区安监局行政处罚检察监督案", [], "", "行政检察"),
        ("杨某涉嫌虚假诉讼不批捕复议案", [], "", "刑事检察"),
        ("某公司骗取支付令执行虚假诉讼监督案", [], "以虚假诉讼罪追究刑事责任", "民事检察"),
        ("李某案", ["刑事", "侵犯公民个人信息"], "", "刑事检察"),
        ("李某案", ["民事", "居间合同"], "", "民事检察"),
        ("社区矫正对象王某收监执行监督案", [], "罪犯王某 暂予监外执行 社区矫正", "刑事检察"),
    ],
)
def test_infer_line(title: str, keywords: list[str], text: str, line: str) -> None:
    assert infer_line(text, title, keywords) == line


def test_infer_line_from_text_alone() -> None:
    text = "犯罪嫌疑人王某以涉嫌诈骗罪被提请批准逮捕，检察机关审查起诉后提起公诉。"
    assert infer_line(text) == "刑事检察"
    text = "检察机关向行政机关发出诉前检察建议，督促其依法履职，维护国家利益和社会公共利益。"
    assert infer_line(text) == "公益诉讼检察"


def test_infer_line_returns_none_without_cues() -> None:
    assert infer_line("今天天气很好。", "一份说明") is None


def test_public_interest_beats_administrative_cues() -> None:
    text = "行政机关 行政处罚 行政机关 行政行为 公益诉讼 社会公共利益 诉前检察建议"
    assert infer_line(text, "督促某局依法履职案") == "公益诉讼检察"


def test_every_inferred_line_is_an_official_line() -> None:
    for title in ("张某盗窃案", "某公司民间借贷纠纷案", "某局行政处罚监督案", "某局行政公益诉讼案"):
        assert infer_line("", title) in LINES


@pytest.mark.parametrize(
    ("title", "keywords", "text", "sub_line"),
    [
        ("胡某某抢劫案", ["在校学生", "附条件不起诉"], "未成年人 未成年", "未成年人检察"),
        ("罪犯向某假释监督案", [], "假释 减刑 刑罚执行", "刑事执行检察"),
        ("陈某某刑事申诉公开听证案", [], "刑事申诉 司法救助", "控告申诉检察"),
        ("张某盗窃案", [], "张某窃取他人财物", None),
    ],
)
def test_infer_sub_line(title: str, keywords: list[str], text: str, sub_line: str | None) -> None:
    assert infer_sub_line(text, title, keywords) == sub_line
    assert sub_line is None or sub_line in SUB_LINES


def test_one_mention_of_minors_is_not_enough() -> None:
    assert infer_sub_line("被告人张某与其未成年子女共同生活。", "张某诈骗案") is None


def test_infer_stage() -> None:
    assert infer_stage("", "尹某某等人诈骗立案监督案") == "立案监督"
    assert infer_stage("经审查，作出附条件不起诉决定。考验期满后作出不起诉决定。") == "审查起诉"
    assert infer_stage("依法作出不批准逮捕决定") == "审查逮捕"
    assert infer_stage("向行政机关发出诉前检察建议") == "公益诉讼诉前程序"
    assert infer_stage("随后向人民法院提起行政公益诉讼") == "提起公益诉讼"
    assert infer_stage("张某窃取手机一部") is None


def test_infer_stages_ranks_every_stage_found() -> None:
    text = "检察机关不批准逮捕。审查起诉阶段作出附条件不起诉决定，后作出不起诉决定。"
    stages = infer_stages(text)
    assert stages[0] == "审查起诉"
    assert "审查逮捕" in stages
    assert all(stage in STAGES for stage in stages)
