from __future__ import annotations

import pytest

from kb.elements.outcomes import OUTCOME_VALUES, OUTCOMES, extract_outcomes, find_outcomes


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("检察机关对胡某某作出附条件不起诉决定，考验期一年", ["附条件不起诉"]),
        ("依法作出不批准逮捕决定", ["不批捕"]),
        ("检察院决定不予批准逮捕", ["不批捕"]),
        ("检察院批准逮捕", ["批准逮捕"]),
        ("检察机关向法院提起民事公益诉讼", ["提起公益诉讼"]),
        ("以抢劫罪向某区人民法院提起公诉", ["起诉"]),
        ("以盗窃罪向某区人民法院起诉", ["起诉"]),
        ("公安机关将案件移送审查起诉", []),
        ("公安机关提请批准逮捕", []),
        ("公安机关提请某县人民检察院批准逮捕", []),
        ("检察机关支持张某向法院提起诉讼", ["支持起诉"]),
        ("检察机关通知公安机关立案侦查", ["监督立案"]),
        ("检察机关通知公安机关撤销案件", ["监督撤案"]),
        ("检察机关向侦查机关发出纠正违法通知书", ["纠正违法"]),
        ("督促行政机关纠正违法行为", []),
        ("最高人民检察院决定不予核准追诉", ["不核准追诉"]),
        ("层报最高人民检察院核准追诉", []),
        ("对其开展国家司法救助", ["司法救助"]),
        ("双方达成和解协议", ["和解"]),
        ("省检察院向省高级人民法院提出抗诉", ["抗诉"]),
        ("行政相对人期满不起诉又不履行", []),
    ],
)
def test_extract_outcomes(text: str, outcomes: list[str]) -> None:
    assert extract_outcomes(text) == outcomes


@pytest.mark.parametrize(
    "text",
    [
        "检察机关未提起公诉",
        "不需要再向人民法院提起公益诉讼",
        "是否提起公益诉讼，存在不同意见",
        "对于此类案件，检察机关可以提起公益诉讼",
        "检察机关无需作出不起诉决定",
    ],
)
def test_negated_or_hypothetical_outcomes_are_skipped(text: str) -> None:
    assert extract_outcomes(text) == []


def test_negation_check_can_be_turned_off() -> None:
    assert extract_outcomes("是否提起公益诉讼", negation=False) == ["提起公益诉讼"]


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("作出存疑不起诉决定", ["不起诉", "存疑不起诉"]),
        ("作出相对不起诉决定", ["不起诉", "相对不起诉"]),
        ("依法作出酌定不起诉", ["不起诉", "相对不起诉"]),
        ("属于法定不起诉情形，决定不起诉", ["不起诉", "法定不起诉"]),
        ("向行政机关发出诉前检察建议", ["检察建议", "诉前检察建议"]),
        ("向法院提出再审检察建议", ["检察建议", "再审检察建议"]),
        ("制发检察建议书", ["检察建议"]),
    ],
)
def test_subtypes(text: str, outcomes: list[str]) -> None:
    assert extract_outcomes(text, with_subtypes=True) == outcomes
    assert extract_outcomes(text) == [outcomes[0]]


def test_order_of_first_appearance_without_duplicates() -> None:
    text = "检察机关不批准逮捕。后经补充侦查批准逮捕，提起公诉；一审后提出抗诉，法院采纳抗诉意见。"
    assert extract_outcomes(text) == ["不批捕", "批准逮捕", "起诉", "抗诉"]


def test_positions_point_at_the_phrase() -> None:
    text = "经审查，作出附条件不起诉决定"
    (outcome,) = find_outcomes(text)
    assert text[outcome.start : outcome.end] == "附条件不起诉"
    assert outcome.value == "附条件不起诉"
    assert outcome.subtype is None


def test_vocabulary_table_is_consistent() -> None:
    assert set(OUTCOME_VALUES) == set(OUTCOMES)
    for groups in OUTCOMES.values():
        assert "" in groups
        assert all(phrases for phrases in groups.values())


def test_normalised_punctuation_is_a_clause_break() -> None:
    # NFKC turns ， into , ; the blocker for 提请…批准逮捕 must stop at either
    assert extract_outcomes("公安机关提请逮捕,检察院依法批准逮捕") == ["批准逮捕"]
    assert extract_outcomes("公安机关提请逮捕，检察院依法批准逮捕") == ["批准逮捕"]
