from __future__ import annotations

import pytest

from kb.export.linebreak import NO_LINE_END, NO_LINE_START, check_lines, units, wrap


def width(text: str) -> float:
    """Full-width characters count 1, ASCII 0.5 (like a CJK font at 1 em)."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


FACTS = (
    "石某某，男，作案时十七周岁。2022年10月，石某某无证驾驶无号牌两轮摩托车（“某某牌”），在某县乡道上超速行驶，"
    "与横过道路的行人相撞，致其死亡。交通管理部门认定石某某负事故主要责任；案发后赔偿五十万元，取得谅解！"
)


@pytest.mark.parametrize("max_width", [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 23])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(max_width: int) -> None:
    lines = wrap(FACTS, width, max_width)
    assert check_lines(lines) == []
    assert "".join(lines) == FACTS  # nothing lost, nothing added
    for line in lines:
        # Only a hanging punctuation mark may pass the margin, by one mark.
        assert width(line) <= max_width or (line[-1] in NO_LINE_START and width(line[:-1]) <= max_width)


def test_the_character_before_a_closing_mark_moves_down_with_it() -> None:
    # Width 3 would end "甲乙丙" and start the next line with "，": 丙 goes down with the comma instead.
    assert wrap("甲乙丙，丁戊", width, 3) == ["甲乙", "丙，丁", "戊"]


def test_an_opening_mark_never_ends_a_line() -> None:
    assert wrap("甲乙（丙丁）", width, 3) == ["甲乙", "（丙", "丁）"]


def test_latin_runs_and_numbers_stay_whole() -> None:
    assert units("罚款2022元ABC-1，") == ["罚", "款", "2022", "元", "ABC-1", "，"]
    lines = wrap("血液酒精含量为96.3毫克/100毫升", width, 9)
    assert all("96.3" in line or "96" not in line for line in lines)
    assert any("96.3" in line for line in lines)


def test_a_latin_run_longer_than_a_line_is_cut() -> None:
    assert wrap("ABCDEFGHIJ", width, 2) == ["ABCD", "EFGH", "IJ"]


def test_first_line_indent_takes_room() -> None:
    assert wrap("甲乙丙丁戊己", width, 4, first_indent=2) == ["甲乙", "丙丁戊己"]


def test_spaces_at_a_break_disappear() -> None:
    assert wrap("ab cd ef", width, 2) == ["ab", "cd", "ef"]


def test_rejects_a_non_positive_width() -> None:
    with pytest.raises(ValueError, match="max_width"):
        wrap("甲", width, 0)


def test_rule_sets_cover_the_common_marks() -> None:
    assert set("，。、；：！？）」") <= NO_LINE_START
    assert set("（「《“") <= NO_LINE_END
