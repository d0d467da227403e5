"""Legal elements found in text, used at ingest and at query time: 罪名/案由 (charges), 处理结果 (outcomes), cited
provisions, decision factors such as 认罪认罚 or 自首 (factors), Chinese numerals/dates/case numbers (numbers) and
检察类别/办案环节 (lines), and the person and place names a long query's terms leave out (names)."""

from __future__ import annotations


def warm_up() -> None:
    """Build every automaton and pattern now rather than on the first query. The name tagger is not among them: it
    takes 1.5 s and loads in the background (`names.warm_up_in_background`)."""
    from kb.elements import charges, factors, outcomes, provisions

    charges.warm_up()
    factors.extract_factors("预热")
    outcomes.find_outcomes("预热")
    provisions.extract_provisions("《刑法》第一条")
