"""The numbered parts of a fact text (kb.elements.fact_parts), for the part vote."""

from __future__ import annotations

from kb.elements.fact_parts import ALL_STYLES, MAX_PARTS, MIN_PART_CHARS, STYLES, fact_parts

# 示例 two facts of two kinds, numbered 一、二、, after a preamble about the defendant.
THEFT = "某年三月，被告人甲趁店员不备，从柜台内窃取手机两部，价值共计人民币六千元，后将手机变卖挥霍。"
DRIVE = "同年五月某日晚，甲酒后驾驶小型轿车在城区道路上行驶，被民警拦下，经检测血液酒精含量超标。"
PREAMBLE = "被告人甲，男，无业。"


def test_a_text_numbered_one_two_gives_its_parts_without_the_preamble() -> None:
    parts = fact_parts(f"{PREAMBLE}一、{THEFT}二、{DRIVE}")
    assert parts == [THEFT, DRIVE]


def test_bracketed_numerals_and_parts_after_a_line_break_or_colon() -> None:
    assert fact_parts(f"（一）{THEFT}\n（二）{DRIVE}") == [THEFT, DRIVE]
    assert fact_parts(f"经审理查明：一、{THEFT}二、{DRIVE}") == [THEFT, DRIVE]
    assert fact_parts(f"(一){THEFT}(二){DRIVE}") == [THEFT, DRIVE]  # half-width brackets, as normalised text has


def test_ten_and_more_parts_are_counted_and_only_the_first_ones_kept() -> None:
    numerals = "一二三四五六七八九十"
    text = "".join(f"{n}、{THEFT}" for n in numerals) + f"十一、{DRIVE}十二、{DRIVE}"
    parts = fact_parts(text)
    assert len(parts) == MAX_PARTS == 6
    assert parts[0] == THEFT


def test_a_text_of_one_fact_has_no_parts() -> None:
    assert fact_parts(THEFT + DRIVE) == []
    assert fact_parts(f"一、{THEFT}{DRIVE}") == []  # one numbered part is not several
    assert fact_parts("") == []


def test_numerals_inside_a_sentence_or_out_of_order_are_not_parts() -> None:
    assert fact_parts(f"甲供述其有一、二次{THEFT}二、{DRIVE}") == []  # no 一、 where a sentence starts
    assert fact_parts(f"一、{THEFT}三、{DRIVE}") == []  # 三 does not follow 一
    assert fact_parts(f"二、{THEFT}三、{DRIVE}") == []  # numbering must start at 一


def test_one_numbering_style_is_followed() -> None:
    """A part's own list of items (（一）…（二）… inside 一、) does not split it further."""
    items = f"（一）{THEFT}（二）{DRIVE}"
    parts = fact_parts(f"一、{items}二、{DRIVE}")
    assert parts == [items, DRIVE]


def test_short_numbered_pieces_are_headings_and_are_dropped() -> None:
    heading = "盗窃事实"
    assert len(heading) < MIN_PART_CHARS
    assert fact_parts(f"一、{heading}。二、{DRIVE}三、{THEFT}") == [DRIVE, THEFT]
    assert fact_parts(f"一、{heading}。二、{DRIVE}") == []  # one real part left: nothing to split


def test_hostile_and_huge_texts_are_handled() -> None:
    assert fact_parts("一、" * 5000) == []
    huge = "".join(f"{n}、{THEFT * 50}" for n in "一二三")
    assert len(fact_parts(huge)) == 3
    assert fact_parts("一、\x00\ufffd" + THEFT + "二、" + DRIVE) == ["\x00\ufffd" + THEFT, DRIVE]


def test_arabic_numbering_is_followed_only_when_asked() -> None:
    """Measured and not kept for the part vote (mostly counts of one crime), so the default leaves it out."""
    assert STYLES == ("chinese",)
    assert fact_parts(f"{PREAMBLE}1、{THEFT}2、{DRIVE}") == []
    assert fact_parts(f"{PREAMBLE}1、{THEFT}2、{DRIVE}", ALL_STYLES) == [THEFT, DRIVE]
    assert fact_parts(f"1.{THEFT}2.{DRIVE}", ALL_STYLES) == [THEFT, DRIVE]
    assert fact_parts(f"1\uff0e{THEFT}2\uff0e{DRIVE}", ALL_STYLES) == [THEFT, DRIVE]  # the full-width stop


def test_chinese_numerals_come_before_arabic_items_and_decimals_are_not_parts() -> None:
    items = f"1、{THEFT}2、{DRIVE}"
    assert fact_parts(f"一、{items}二、{DRIVE}", ALL_STYLES) == [items, DRIVE]  # the items of part 一 stay in it
    assert fact_parts(f"经称量：1.5克。{THEFT}2.5克。{DRIVE}", ALL_STYLES) == []  # a weight is not a numbered part
    assert fact_parts(f"1、{THEFT}3、{DRIVE}", ALL_STYLES) == []  # numbers must run in order
