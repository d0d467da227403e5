from __future__ import annotations

import time

import pytest

from kb.elements.names import is_inside_name, name_words

# 示例 fact text (illustrative): a defendant, two places and a street, all named more than once.
FACTS = (
    "2019年3月2日晚，被告人韦大能在贵阳市云岩区中华北路酒后驾驶小型轿车，被贵阳市公安局交通警察支队民警查获，"
    "经鉴定其血液中乙醇含量为180毫克/100毫升。韦大能到案后如实供述了自己的罪行。"
)


def test_person_and_place_names_are_found() -> None:
    words = name_words(FACTS)
    assert "韦大能" in words
    assert "贵阳市" in words


def test_legal_words_are_never_names() -> None:
    words = name_words(FACTS)
    for word in ("酒后", "驾驶", "血液", "乙醇", "如实供述", "被告人", "罪行", "公安局"):
        assert word not in words


def test_anonymised_names_are_names() -> None:
    words = name_words("被害人张某与被告人王某某发生争执，王某某持刀将张某砍伤。")
    assert words & {"张某", "王某某", "王某"}


def test_a_token_inside_a_name_counts_as_the_name() -> None:
    names = {"长沙市", "莫大国"}
    assert is_inside_name("沙市", names)
    assert is_inside_name("长沙市", names)
    assert not is_inside_name("醉酒", names)


def test_a_legal_term_inside_a_name_is_kept() -> None:
    # A tagger that misreads a legal term as a name must not take the term out of the query.
    assert not is_inside_name("检察机关", {"检察机关", "某县检察机关"})


@pytest.mark.parametrize("text", ["", "   ", "！？。", "abc 123", "\x00\ufffd", "𠀀𠀁"])
def test_odd_input_gives_a_set_and_no_error(text: str) -> None:
    assert isinstance(name_words(text), set)


def test_a_long_text_is_tagged_in_reasonable_time() -> None:
    name_words("预热")
    start = time.perf_counter()
    name_words(FACTS * 100)  # about 10,000 characters
    assert time.perf_counter() - start < 10  # a hang guard, not a benchmark


def test_only_the_start_of_a_long_text_is_tagged() -> None:
    text = "被告人韦大能酒后驾驶机动车。" + "案情经过如下。" * 10 + "被害人欧阳明受伤。"
    assert "韦大能" in name_words(text, scan_chars=20)
    assert "欧阳明" not in name_words(text, scan_chars=20)
    assert "欧阳明" in name_words(text)


def test_background_warm_up_and_a_query_share_one_tagger(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.elements import names

    monkeypatch.setattr(names, "_tagger_instance", None)
    thread = names.warm_up_in_background(delay=0)
    assert "韦大能" in name_words(FACTS)  # waits for the loading thread rather than building a second tagger
    thread.join(timeout=30)
    assert not thread.is_alive()
    first = names._tagger()
    assert names._tagger() is first


def test_the_background_load_waits_before_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.elements import names

    loads: list[int] = []
    monkeypatch.setattr(names, "warm_up", lambda: loads.append(1))
    thread = names.warm_up_in_background(delay=0.3)
    assert thread.daemon
    assert not loads
    thread.join(timeout=5)
    assert loads == [1]
