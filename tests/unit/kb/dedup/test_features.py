from __future__ import annotations

from kb.dedup.features import (
    ages,
    amounts,
    content_digest,
    dates,
    fingerprint,
    minhash,
    normalized_text,
    parties,
    shingles,
)
from kb.dedup.scoring import score_pair, text_similarity
from kb.models import Entry, Section


def _case(facts: str, *, title: str = "某案（示例）", charges: list[str] | None = None) -> Entry:
    return Entry(
        kind="case",
        title=title,
        sections=[Section("facts", "【基本案情】", facts)],
        charges=charges or [],
    )


def test_digest_ignores_punctuation_spacing_width_and_title() -> None:
    a = _case("张某某，男，16周岁。2022年7月，盗窃手机一部。", title="甲")
    b = _case("张某某 男 １６周岁\n2022年7月 盗窃手机一部", title="乙")
    c = _case("张某某，男，16周岁。2022年8月，盗窃手机一部。")
    assert content_digest(a) == content_digest(b) != content_digest(c)
    assert normalized_text("\uff21，b。\n\uff11") == "Ab1"  # full-width A and 1


def test_very_short_content_has_no_digest() -> None:
    assert content_digest(_case("盗窃。")) is None


def test_amounts_in_every_written_form() -> None:
    text = "价款4600万元，一亿二千万元，1.2亿元，四点六万元，四万六千元，八百元，三十五万余元，5万元"
    assert amounts(text) == {46_000_000, 120_000_000, 46_000, 800, 350_000, 50_000}


def test_dates_ages_and_parties() -> None:
    text = "2022年7月、二〇二三年三月，张某某（十六周岁）与李某（45岁）在某市某区某公司，该河某县段"
    assert dates(text) == {"2022-07", "2023-03"}
    assert ages(text) == {16, 45}
    assert parties(text) == {"张某", "李某"}


def test_minhash_estimates_jaccard() -> None:
    a = shingles("石某某无证驾驶无号牌两轮摩托车在某县乡道上超速行驶与横过道路的行人相撞致其死亡")
    b = shingles("石某没有驾照骑着没挂牌的两轮摩托车在某县乡道上超速撞上横穿马路的行人致其死亡")
    true = len(a & b) / len(a | b)
    estimate = float(text_similarity(minhash(a), minhash(b)[None, :])[0])
    assert abs(estimate - true) < 0.12
    assert float(text_similarity(minhash(a), minhash(a)[None, :])[0]) == 1.0


def test_a_retelling_scores_above_a_different_case_of_the_same_charge() -> None:
    original = _case(
        "张某某，男，十六周岁。2022年7月，张某某在某区手机店内趁店员不备盗走手机一部，价值四千一百元，以八百元卖出。",
        charges=["盗窃罪"],
    )
    retold = _case(
        "十六岁的张某在2022年7月趁店员忙碌从某区一家手机店拿走一部价值4100元的手机，随后以800元卖掉。",
        charges=["盗窃罪"],
    )
    other = _case(
        "马某某，男，十五周岁。2023年4月，马某某在某县超市内趁收银员不注意盗走白酒两瓶，价值一千九百元，以三百元卖出。",
        charges=["盗窃罪"],
    )
    same = score_pair(fingerprint(retold), fingerprint(original))
    different = score_pair(fingerprint(other), fingerprint(original))
    assert same.score >= 0.5 > different.score
    assert same.shared["amounts"] == ["4100", "800"] and same.shared["parties"] == ["张某"]
    assert "amounts" not in different.shared


def test_non_cases_get_no_near_duplicate_features() -> None:
    article = Entry(
        kind="guideline", title="指引", sections=[Section("article", "第一条", "为规范……，制定本指引。" * 3)]
    )
    fp = fingerprint(article)
    assert fp.facts_chars == 0 and not fp.parties and fp.digest is not None
