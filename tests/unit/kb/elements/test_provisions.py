from __future__ import annotations

import pytest

from kb.elements.provisions import extract_provisions, merge_provisions, normalize_law_name, parse_provision
from kb.text import normalize


def provisions(text: str, **kwargs: bool) -> list[str]:
    return extract_provisions(normalize(text), **kwargs)


def test_drops_the_state_prefix_and_keeps_zhi_yi() -> None:
    assert provisions("《中华人民共和国刑法》第一百三十三条之一") == ["《刑法》第一百三十三条之一"]


def test_arabic_article_numbers_become_chinese() -> None:
    assert provisions("《中华人民共和国刑法》第253条之一") == ["《刑法》第二百五十三条之一"]
    assert provisions("《中华人民共和国民法典》第1195条、第1197条") == [
        "《民法典》第一千一百九十五条",
        "《民法典》第一千一百九十七条",
    ]


def test_a_list_after_one_law_name() -> None:
    text = "《中华人民共和国刑事诉讼法》第一百七十七条、第二百七十七条和第二百七十九条"
    assert provisions(text) == [
        "《刑事诉讼法》第一百七十七条",
        "《刑事诉讼法》第二百七十七条",
        "《刑事诉讼法》第二百七十九条",
    ]


def test_clauses_are_dropped_by_default_and_kept_on_request() -> None:
    text = "触犯了《中华人民共和国刑法》第二百九十二条第一款、第二十五条第一款之规定"
    assert provisions(text) == ["《刑法》第二百九十二条", "《刑法》第二十五条"]
    assert provisions(text, clauses=True) == ["《刑法》第二百九十二条第一款", "《刑法》第二十五条第一款"]


def test_more_clauses_of_the_same_article() -> None:
    text = "《中华人民共和国刑法》第五条第二款、第三款"
    assert provisions(text, clauses=True) == ["《刑法》第五条第二款", "《刑法》第五条第三款"]
    assert provisions("《解释》第五条第二款第一项", clauses=True) == ["《解释》第五条第二款第一项"]


def test_bare_law_names_and_this_law() -> None:
    text = "根据刑事诉讼法第一百七十七条第二款的规定；该法第十五条亦有规定。"
    assert provisions(text) == ["《刑事诉讼法》第一百七十七条", "《刑事诉讼法》第十五条"]
    assert provisions("刑法第一百八十条第四款规定的利用未公开信息交易罪") == ["《刑法》第一百八十条"]


def test_this_law_without_a_named_law_is_ignored() -> None:
    assert provisions("本法第十条规定") == []


def test_bracketed_notes_after_the_law_name() -> None:
    assert provisions("《中华人民共和国刑法》（1997年修订）第二百一十七条") == ["《刑法》第二百一十七条"]
    text = "《中华人民共和国刑法》(根据2011年5月1日起施行的《中华人民共和国刑法修正案(八)》修正)第338条"
    assert provisions(text) == ["《刑法》第三百三十八条"]


def test_long_names_keep_their_inner_brackets_full_width() -> None:
    text = "《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（二）》（2007年施行）第一条"
    assert provisions(text) == [
        "《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（二）》第一条"
    ]
    text = "《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》第一百一十九条"
    assert provisions(text) == ["《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》第一百一十九条"]


def test_short_names_introduced_in_the_text() -> None:
    text = "《关于办理侵犯公民个人信息刑事案件适用法律若干问题的解释》（以下简称《解释》）第五条……依照《解释》第六条"
    full = "《关于办理侵犯公民个人信息刑事案件适用法律若干问题的解释》"
    assert provisions(text) == [f"{full}第五条", f"{full}第六条"]


def test_whole_laws_only_on_request() -> None:
    text = "国土资源部《关于农村集体土地确权登记发证的若干意见》"
    assert provisions(text) == []
    assert provisions(text, whole_laws=True) == ["《关于农村集体土地确权登记发证的若干意见》"]


def test_duplicates_are_dropped_in_order() -> None:
    text = "《刑法》第二百六十四条……刑法第二百六十四条……《刑法》第二十五条"
    assert provisions(text) == ["《刑法》第二百六十四条", "《刑法》第二十五条"]


def test_an_article_far_from_any_law_is_not_attached() -> None:
    assert provisions("《刑法》第二十五条规定了共同犯罪。另见第二十六条。") == ["《刑法》第二十五条"]


@pytest.mark.parametrize(
    ("provision", "parsed"),
    [
        ("《刑法》第一百三十三条之一", ("刑法", 133, "之一")),
        ("《中华人民共和国刑法》第292条第1款", ("刑法", 292, "第二百九十二条第一款"[-3:])),
        ("《民法典》第一千一百九十五条", ("民法典", 1195, "")),
        ("《某规定》", ("某规定", None, "")),
    ],
)
def test_parse_provision(provision: str, parsed: tuple[str, int | None, str]) -> None:
    assert parse_provision(provision) == parsed


@pytest.mark.parametrize("text", ["刑法", "第一百条", "《刑法》第一条、第二条", ""])
def test_parse_provision_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_provision(text)


def test_normalize_law_name() -> None:
    assert normalize_law_name("《中华人民共和国刑法修正案(十一)》") == "刑法修正案（十一）"


def test_merge_provisions_drops_whole_laws_cited_by_article() -> None:
    merged = merge_provisions(["《某意见》", "《刑法》第一条"], ["《某意见》第六条", "《刑法》第一条", "《另一规定》"])
    assert merged == ["《刑法》第一条", "《某意见》第六条", "《另一规定》"]
