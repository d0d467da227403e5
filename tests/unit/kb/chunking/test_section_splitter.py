from __future__ import annotations

import pytest

from kb.chunking.section_splitter import CaseSectionSplitter, pack_sentences, split_entry
from kb.models import Entry, Section


def test_sentences_are_packed_without_crossing_the_limit() -> None:
    text = "第一句话。第二句话比较长一些！第三句？" * 20
    chunks = pack_sentences(text, 50)
    assert all(len(c) <= 50 for c in chunks)
    assert "".join(chunks) == text.replace("\n", "")
    assert all(c.endswith(("。", "！", "？")) for c in chunks)


def test_an_overlong_sentence_is_cut_at_commas_then_hard() -> None:
    sentence = "，".join(["甲乙丙丁戊己庚辛"] * 30) + "。"
    chunks = pack_sentences(sentence, 40)
    assert all(len(c) <= 40 for c in chunks)
    assert "".join(chunks) == sentence


def test_chunks_never_cross_sections_and_carry_title_and_section() -> None:
    entry = Entry(
        kind="case",
        title="张某盗窃案",
        charges=["盗窃罪"],
        keywords=["盗窃", "附条件不起诉"],
        sections=[
            Section("keywords", "【关键词】", "盗窃 附条件不起诉"),
            Section("gist", "【要旨】", "要旨内容。"),
            Section("facts", "【基本案情】", "案情第一句。" * 100),
        ],
    )
    docs = split_entry(entry, "e1", 3, 120)
    assert docs[0].meta["section"] == "gist" and docs[0].content == "要旨内容。"
    assert {d.meta["section"] for d in docs[1:]} == {"facts"}
    assert all(d.meta["title"] == "张某盗窃案" and d.meta["charges"] == ["盗窃罪"] for d in docs)
    assert all(d.meta["_embed_text"].startswith("张某盗窃案｜") for d in docs)
    assert "盗窃" in docs[1].meta["_tokens"].split()
    assert [d.id for d in docs[:2]] == ["e1:3:0", "e1:3:1"]


def test_power_item_is_one_chunk_with_its_fields() -> None:
    entry = Entry(
        kind="power_item", title="作出不起诉决定", power_subject="检察长", basis="《刑事诉讼法》第一百七十七条"
    )
    (doc,) = split_entry(entry, "p1", 1)
    assert "行使主体：检察长" in (doc.content or "") and doc.meta["section"] == "item"


def test_component_validates_and_serialises() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        CaseSectionSplitter(max_chars=0)
    splitter = CaseSectionSplitter(max_chars=200)
    assert splitter.to_dict()["init_parameters"] == {"max_chars": 200}
    out = splitter.run(entries=[{"entry_id": "x", "version": 1, "entry": Entry(kind="case", title="空案例")}])
    assert len(out["documents"]) == 1
