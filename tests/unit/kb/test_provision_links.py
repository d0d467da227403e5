"""Citations resolved to law articles (kb.provision_links): names, brackets, prefixes, unknown laws and articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parsers.law import parse_law
from kb.models import Entry, EntryKind, Section
from kb.provision_links import ProvisionResolver, article_count, article_key, case_order, cut_text
from kb.records import RecordStore


def _law(title: str, articles: dict[str, str], **fields: object) -> Entry:
    sections = [Section(key="body", heading="前言", text="说明（示例）")]
    sections += [Section(key="article", heading=h, text=t, path=["第一章 总则"]) for h, t in articles.items()]
    return Entry(kind=EntryKind.LAW.value, title=title, sections=sections, **fields)  # type: ignore[arg-type]


@pytest.fixture
def records(tmp_path: Path) -> RecordStore:
    store = RecordStore(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    store.init_schema()
    store.upsert_many([
        _law("中华人民共和国刑法", {"第一百三十三条": "交通肇事（示例）", "第一百三十三条之一": "危险驾驶（示例）"}),
        _law(
            "最高人民法院 最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释",
            {"第二条": "盗窃数额（示例）"},
        ),
        _law("最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释", {"第一条": "管辖（示例）"}),
        _law("中华人民共和国刑事诉讼法（示例节选）", {"第十五条": "认罪认罚（示例）"}, illustrative=True),
    ])
    return store


def test_article_key_normalises_numbers_and_keeps_zhi() -> None:
    assert article_key("《中华人民共和国刑法》第133条之一") == ("刑法", "第一百三十三条之一")
    assert article_key("《刑法》第二百九十二条第一款") == ("刑法", "第二百九十二条")
    assert article_key("《某某规定》") is None and article_key("没有引用") is None


@pytest.mark.parametrize(
    ("provision", "article"),
    [
        ("《刑法》第一百三十三条之一", "第一百三十三条之一"),
        ("《中华人民共和国刑法》第一百三十三条", "第一百三十三条"),
        ("《刑法》第133条", "第一百三十三条"),
    ],
)
def test_short_and_full_names_resolve(records: RecordStore, provision: str, article: str) -> None:
    ref = ProvisionResolver(records).resolve(provision)
    assert ref is not None and ref.law_title == "中华人民共和国刑法" and ref.article == article
    assert ref.text.endswith("（示例）") and ref.section_index >= 1  # section 0 is the preface


def test_interpretations_resolve_with_or_without_issuers_and_any_brackets(records: RecordStore) -> None:
    resolver = ProvisionResolver(records)
    for cited in (
        "《最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释》第二条",
        "《关于办理盗窃刑事案件适用法律若干问题的解释》第二条",
    ):
        ref = resolver.resolve(cited)
        assert ref is not None and ref.article == "第二条" and "盗窃" in ref.law_title
    ref = resolver.resolve("《最高人民法院关于适用〈中华人民共和国刑事诉讼法〉的解释》第一条")
    assert ref is not None and ref.text == "管辖（示例）"
    ref = resolver.resolve("《刑法（2020）》第一百三十三条")  # a year after the name: the law as it is now
    assert ref is not None and ref.law_title == "中华人民共和国刑法"
    ref = resolver.resolve("《最高人民法院关于适用(中华人民共和国刑事诉讼法)的解释》第一条")
    assert ref is None  # half-width round brackets are not quotation marks: a different name


def test_unknown_law_and_unknown_article_do_not_resolve(records: RecordStore) -> None:
    resolver = ProvisionResolver(records)
    assert resolver.resolve("《民法典》第一条") is None
    assert resolver.resolve("《刑法》第一百三十四条") is None
    assert resolver.resolve("《刑法》") is None
    assert resolver.resolve_many(["《刑法》第一百三十三条", "《民法典》第一条"])[1] is None


def test_an_illustrative_law_answers_to_its_name_without_the_marker(records: RecordStore) -> None:
    ref = ProvisionResolver(records).resolve("《刑事诉讼法》第十五条")
    assert ref is not None and ref.law_title == "中华人民共和国刑事诉讼法（示例节选）"


def test_an_official_law_wins_over_an_illustrative_one(records: RecordStore) -> None:
    resolver = ProvisionResolver(records)
    assert resolver.resolve("《刑事诉讼法》第十五条") is not None
    records.upsert(_law("中华人民共和国刑事诉讼法", {"第十五条": "正式文本（示例）"}))
    ref = resolver.resolve("《刑事诉讼法》第十五条")  # the table was rebuilt: the set of laws changed
    assert ref is not None and ref.law_title == "中华人民共和国刑事诉讼法"


def test_a_new_version_of_a_law_is_picked_up(records: RecordStore) -> None:
    resolver = ProvisionResolver(records)
    assert resolver.resolve("《刑法》第一百三十四条") is None
    records.upsert(_law("中华人民共和国刑法", {"第一百三十三条": "新文本（示例）", "第一百三十四条": "新增（示例）"}))
    ref = resolver.resolve("《刑法》第一百三十四条")
    assert ref is not None and ref.text == "新增（示例）"
    assert resolver.resolve("《刑法》第一百三十三条之一") is None  # gone from the current version


def test_a_draft_law_does_not_resolve(tmp_path: Path) -> None:
    store = RecordStore(f"sqlite:///{tmp_path / 'draft.sqlite3'}")
    store.init_schema()
    store.upsert(_law("中华人民共和国刑法", {"第一条": "草稿（示例）"}), publish=False)
    assert ProvisionResolver(store).resolve("《刑法》第一条") is None


def test_the_table_is_not_rebuilt_while_laws_are_unchanged(
    records: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = ProvisionResolver(records)
    resolver.refresh()
    calls: list[int] = []
    original = records.iter_published
    monkeypatch.setattr(records, "iter_published", lambda *a, **k: calls.append(1) or original(*a, **k))
    for _ in range(5):
        resolver.resolve("《刑法》第一百三十三条")
    assert calls == []


def test_text_is_cut_at_600_characters() -> None:
    assert cut_text("字" * 600) == "字" * 600
    cut = cut_text("字" * 601)
    assert len(cut) == 600 and cut.endswith("…")


def test_case_order_puts_guiding_cases_first_then_numbers_naturally() -> None:
    keys = [
        ("典型案例", "示例刑-001", "甲"),
        ("指导性案例", "检例第10号", "乙"),
        ("指导性案例", "检例第9号", "丙"),
        (None, None, "丁"),
    ]
    ordered = sorted(keys, key=lambda k: case_order(*k))
    assert [k[1] for k in ordered] == ["检例第9号", "检例第10号", "示例刑-001", None]


def test_article_count_counts_article_sections_of_laws_only() -> None:
    (law,) = parse_law(
        "# 中华人民共和国示例法\n\n第一章 总则\n\n第一条 一（示例）。\n\n第二条 二（示例）。\n\n第二条之一 三（示例）。\n",
        "示例法.md",
    )
    assert article_count(law) == 3
    # An amendment's items (一、二、) are sections but no articles; a one-paragraph law has none either.
    (amendment,) = parse_law(
        "# 中华人民共和国刑法修正案（示例）\n\n一、将第一条修改为：示例。\n\n二、将第二条修改为：示例。\n", "修正案.md"
    )
    assert len(amendment.sections) == 2 and article_count(amendment) == 0
    assert article_count(_law("中华人民共和国示例法", {"第一条": "一（示例）"})) == 1  # 前言 is not counted
    case = Entry(
        kind=EntryKind.CASE.value, title="某案（示例）", sections=[Section(key="article", heading="第一条", text="")]
    )
    assert article_count(case) is None
