from __future__ import annotations

import pytest

from kb.elements.factors import FACTOR_VALUES, FACTORS, extract_case_factors, extract_factors


@pytest.mark.parametrize(
    ("text", "factors"),
    [
        ("犯罪嫌疑人自愿认罪认罚，在值班律师见证下签署具结书", ["认罪认罚"]),
        ("到案后，王某签署了认罪认罚具结书", ["认罪认罚"]),
        ("案发后，李某主动到派出所投案，如实供述了全部事实", ["自首"]),
        ("郑某肇事后报警并在现场等候，构成自首", ["自首"]),
        ("二人被抓获后如实供述了犯罪事实", ["坦白"]),
        ("归案后能够坦白交代", ["坦白"]),
        ("在羁押期间检举揭发他人重大犯罪线索", ["立功"]),
        ("家属代为退赔被害人全部损失，被害人出具了谅解书", ["赔偿谅解"]),
        ("其已取得被害人谅解", ["赔偿谅解"]),
        ("违法所得已全部退缴", ["赔偿谅解"]),
        ("吴某系未成年人，在校读书", ["未成年"]),
        ("赵某，男，作案时十七周岁", ["未成年"]),
        ("陈某犯罪时已满十六周岁不满十八周岁", ["未成年"]),
        ("孙某系初犯，平时表现良好", ["初犯"]),
        ("王某，无违法犯罪记录", ["初犯"]),
        ("许某系累犯，应当从重处罚", ["累犯"]),
        ("张某在共同犯罪中起主要作用，是主犯；李某起辅助作用", ["主犯", "从犯"]),
        ("因意志以外的原因未得逞，系犯罪未遂", ["犯罪未遂"]),
        ("其自动放弃犯罪，属于犯罪中止", ["犯罪中止"]),
        ("盗窃财物价值四千元，数额较大", ["数额较大"]),
        ("骗取钱款五十二万元，属于数额特别巨大", ["数额特别巨大"]),
        ("支付结算金额超过二十万元，属于情节严重", ["情节严重"]),
        ("手段残忍，情节特别严重", ["情节特别严重"]),
        ("犯罪情节轻微，不需要判处刑罚", ["情节轻微"]),
        ("发生重大事故，致一人死亡", ["造成严重后果"]),
        ("被害人经抢救无效于次日死亡", ["造成严重后果"]),
        ("陈某的行为属于正当防卫，不负刑事责任", ["正当防卫"]),
        ("朱某的行为属于防卫过当，应当减轻处罚", ["防卫过当"]),
    ],
)
def test_positive_phrasings(text: str, factors: list[str]) -> None:
    assert extract_factors(text) == factors


@pytest.mark.parametrize(
    "text",
    [
        "李某不认罪",
        "其拒不认罪认罚",
        "王某没有自首情节",
        "赵某的行为不构成自首",
        "自首情节不能成立",
        "是否构成自首存在争议",
        "未取得被害人谅解",
        "赃款至今未退赔",
        "其揭发的线索经查证不属于立功",
        "陈某的防卫行为不属于防卫过当",
        "并非初犯",
        "不属于犯罪情节轻微的情形",
        "本罪不要求造成严重后果",
        "未造成严重后果",
        "被害人系未成年人",
        "未成年被害人受到侵害",
        "依照未成年人保护法的规定",
        "从犯罪情节看，沈某某的行为更重",
        "在公安机关协助下将杨某抓获",
    ],
)
def test_negated_questioned_or_look_alike_phrases_give_nothing(text: str) -> None:
    assert extract_factors(text) == []


def test_confession_after_surrender_is_not_a_separate_factor() -> None:
    assert extract_factors("案发后次日在家人陪同下到公安机关投案，如实供述了犯罪事实。") == ["自首"]
    assert extract_factors("张某投案自首。李某被抓获后如实供述。") == ["自首", "坦白"]


def test_order_of_first_appearance_without_duplicates_and_negation_off() -> None:
    text = "王某系初犯，自愿认罪认罚；其系初犯，认罪认罚。"
    assert extract_factors(text) == ["初犯", "认罪认罚"]
    assert extract_factors("是否构成自首") == []
    assert extract_factors("是否构成自首", negation=False) == ["自首"]


def test_longer_amount_and_circumstance_phrases_win() -> None:
    assert extract_factors("数额巨大") == ["数额巨大"]
    assert extract_factors("数额特别巨大") == ["数额特别巨大"]
    assert extract_factors("情节严重") == ["情节严重"]
    assert extract_factors("情节特别严重") == ["情节特别严重"]


def test_case_factors_read_narrative_sections_only() -> None:
    sections = {
        "gist": "对于自首、立功的犯罪嫌疑人，可以依法从宽处理。",
        "facts": "李某，作案时十六周岁。",
        "process": "李某到案后如实供述，取得被害人谅解。",
        "significance": "累犯不适用缓刑。",
    }
    assert extract_case_factors(sections) == ["未成年", "坦白", "赔偿谅解"]
    assert extract_case_factors({}) == []


def test_vocabulary_is_fixed_and_every_label_has_phrasings() -> None:
    assert tuple(FACTORS) == FACTOR_VALUES
    assert {"认罪认罚", "自首", "坦白", "立功", "赔偿谅解", "未成年", "初犯", "主犯", "从犯"} <= set(FACTOR_VALUES)
    assert all(FACTORS[label] for label in FACTOR_VALUES)
    assert extract_factors("") == []
