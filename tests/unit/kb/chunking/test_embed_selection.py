from __future__ import annotations

import pytest
from haystack import Document

from kb.chunking.embed_selection import chunks_to_embed
from kb.config import Settings, load_settings
from kb.errors import ConfigError


def _docs(*chunks: tuple[str, str]) -> list[Document]:
    """(entry id, section) per chunk, in order."""
    return [
        Document(content=f"{entry}-{n}", meta={"entry_id": entry, "section": section})
        for n, (entry, section) in enumerate(chunks)
    ]


JUDGMENT = [("a", "gist"), ("a", "facts"), ("a", "facts"), ("a", "facts"), ("a", "reasoning"), ("a", "result")]


def test_without_settings_every_chunk_gets_a_vector() -> None:
    assert chunks_to_embed(_docs(*JUDGMENT), frozenset(), 0) == [True] * 6


def test_the_first_chunks_of_the_chosen_sections() -> None:
    flags = chunks_to_embed(_docs(*JUDGMENT), frozenset({"facts"}), 2)
    assert flags == [False, True, True, False, False, False]


def test_all_chunks_of_the_chosen_sections_when_there_is_no_cap() -> None:
    flags = chunks_to_embed(_docs(*JUDGMENT), frozenset({"facts", "result"}), 0)
    assert flags == [False, True, True, True, False, True]


def test_a_cap_alone_takes_each_entrys_first_chunks() -> None:
    assert chunks_to_embed(_docs(*JUDGMENT), frozenset(), 2) == [True, True, False, False, False, False]


def test_an_entry_without_the_chosen_sections_gets_its_first_chunks() -> None:
    guideline = [("g", "article")] * 4
    assert chunks_to_embed(_docs(*guideline), frozenset({"facts"}), 2) == [True, True, False, False]
    assert chunks_to_embed(_docs(*guideline), frozenset({"facts"}), 0) == [True] * 4


def test_entries_are_counted_apart_even_when_interleaved() -> None:
    docs = _docs(("a", "facts"), ("b", "facts"), ("a", "facts"), ("b", "gist"), ("b", "facts"))
    assert chunks_to_embed(docs, frozenset({"facts"}), 1) == [True, True, False, False, False]
    assert chunks_to_embed([], frozenset({"facts"}), 1) == []


def test_the_setting_reads_a_comma_list_and_drops_repeats() -> None:
    settings = Settings(_env_file=None, embed_sections=" facts，reasoning,facts ,", embed_max_chunks=2)  # type: ignore[call-arg]
    assert settings.embed_sections == "facts,reasoning"
    assert settings.embed_section_keys == frozenset({"facts", "reasoning"})
    assert Settings(_env_file=None).embed_section_keys == frozenset()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"embed_sections": "fact"}, "KB_EMBED_SECTIONS 含未知章节：fact；可选：keywords（关键词）"),
        ({"embed_max_chunks": -1}, "KB_EMBED_MAX_CHUNKS 应不小于 0"),
        ({"embed_max_chunks": "两个"}, "KB_EMBED_MAX_CHUNKS 应为整数"),
        ({"store": "mysql"}, "KB_STORE 只能是 'sqlite'、'elasticsearch'"),
    ],
)
def test_a_bad_value_is_a_chinese_config_error_naming_the_variable(values: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, **values)
    assert caught.value.detail.startswith("配置有误：")
    assert expected in caught.value.detail
