"""The stored term counts of each case version's 基本案情 (kb.facts_terms). Texts are illustrative (示例)."""

from __future__ import annotations

import pytest

from kb.facts_terms import FactsTerms, FactsTermStore, facts_terms, token_hash, token_hashes
from kb.models import Entry, Section
from kb.records import RecordStore

FACTS = "某日被告人张某酒后驾驶小型轿车，经鉴定血液乙醇含量为一百八十毫克每百毫升，张某醉酒驾驶。"  # 示例


def _case(facts: str = FACTS, number: str = "示例-1") -> Entry:
    return Entry(kind="case", title="张某危险驾驶案", number=number, sections=[Section("facts", "【基本案情】", facts)])


@pytest.fixture
def records() -> RecordStore:
    store = RecordStore("sqlite:///:memory:")
    store.init_schema()
    return store


def test_a_case_is_counted_by_its_facts_only() -> None:
    entry = _case()
    entry.sections.append(Section("reasoning", "【裁判理由】", "盗窃盗窃盗窃"))
    terms = facts_terms(entry)
    assert terms is not None
    assert terms.count("醉酒") == 1 and terms.count("盗窃") == 0
    assert terms.length == int(terms.counts.sum())
    assert list(terms.hashes) == sorted(terms.hashes) and len(set(terms.hashes.tolist())) == len(terms.hashes)
    assert terms.count("，") == 0 and terms.count("a") == 0  # punctuation and single ASCII letters are not terms


@pytest.mark.parametrize(
    "entry",
    [
        Entry(kind="guideline", title="办案指引", sections=[Section("facts", "【基本案情】", FACTS)]),
        Entry(kind="case", title="无案情的案例", sections=[Section("gist", "【要旨】", "醉酒驾驶")]),
        _case(""),
        _case("，。；！？ ……"),
    ],
    ids=["not a case", "no facts", "empty facts", "only punctuation"],
)
def test_entries_without_countable_facts_have_none(entry: Entry) -> None:
    assert facts_terms(entry) is None


def test_put_then_lookup_and_a_new_version_replaces_the_old(records: RecordStore) -> None:
    store = FactsTermStore(records.engine)
    store.put("e1", 1, _case())
    store.put("e1", 2, _case("某日被告人张某在超市盗窃财物。"))
    found = store.lookup([("e1", 2), ("e1", 1)])
    assert set(found) == {("e1", 2)}  # version 1's counts were dropped with the new version
    assert found[("e1", 2)].count("盗窃") == 1


def test_a_version_never_counted_is_counted_from_the_record_and_kept(records: RecordStore) -> None:
    stored = records.upsert(_case())
    store = FactsTermStore(records.engine)
    found = store.lookup([(stored.entry_id, stored.version)])
    assert found[(stored.entry_id, stored.version)].count("醉酒") == 1
    again = FactsTermStore(records.engine).lookup([(stored.entry_id, stored.version)])
    assert again == found
    assert store.average_length() == found[(stored.entry_id, stored.version)].length


def test_unknown_versions_and_many_keys(records: RecordStore) -> None:
    store = FactsTermStore(records.engine)
    assert store.lookup([]) == {}
    assert store.lookup([("nope", 1)]) == {}
    for i in range(450):  # more than one SELECT batch
        store.put(f"e{i}", 1, _case(f"{FACTS}第{i}次。"))
    found = store.lookup([(f"e{i}", 1) for i in range(450)] + [("nope", 3)])
    assert len(found) == 450


def test_forget_and_a_version_without_facts_remove_the_row(records: RecordStore) -> None:
    store = FactsTermStore(records.engine)
    store.put("e1", 1, _case())
    store.put("e2", 1, _case())
    store.forget("e1")
    store.put("e2", 2, _case(""))
    assert store.lookup([("e1", 1), ("e2", 1), ("e2", 2)]) == {}
    assert store.average_length() == 0.0


def test_hostile_and_huge_facts_are_counted_safely(records: RecordStore) -> None:
    store = FactsTermStore(records.engine)
    hostile = "'; DROP TABLE facts_terms; -- \x00 <script>醉酒</script> " + "醉酒驾驶" * 20000
    store.put("e1", 1, _case(hostile))
    terms = store.lookup([("e1", 1)])[("e1", 1)]
    assert terms.count("醉酒") >= 20000
    assert store.lookup([("e1", 1)]) == {("e1", 1): terms}


def test_token_hashes_are_stable_and_match_counts() -> None:
    """The hash must not depend on the process (Python's own hash() does), or stored rows would stop matching."""
    assert (
        token_hash("醉酒") == 0x7BFF0D42720281A4
    )  # fixed: rows written by another process or release must still match
    terms = FactsTerms.from_tokens(["醉酒", "驾驶", "醉酒"])
    assert terms.counts_of(token_hashes(["驾驶", "盗窃", "醉酒"])).tolist() == [1, 0, 2]
    assert FactsTerms.from_tokens([]).counts_of(token_hashes(["醉酒"])).tolist() == [0]
