"""What the knowledge base loads for good is frozen out of garbage collection (kb.long_lived)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kb.elements import names
from kb.service import KnowledgeBase
from tests.conftest import citing_case


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture
def loaded(kb: KnowledgeBase) -> KnowledgeBase:
    kb.add_entries([citing_case("张某盗窃案（示例）", "示例-冻结-1", ["《中华人民共和国刑法》第二百六十四条"])])
    kb.index_pending()
    return kb


def _walked_by_a_collection(obj: object) -> bool:
    """True when a full collection visits `obj`: gc.get_objects lists the three generations, not the frozen ones."""
    return any(o is obj for o in gc.get_objects())


def _terms_index(kb: KnowledgeBase) -> object:
    index = kb.store._terms_slot.index  # type: ignore[attr-defined]
    assert index is not None and gc.is_tracked(index)
    return index


def test_the_warm_up_freezes_the_loaded_index(unfrozen: None, loaded: KnowledgeBase) -> None:
    loaded.warm_up()
    assert gc.get_freeze_count() > 0
    assert not _walked_by_a_collection(_terms_index(loaded))


def test_an_index_loaded_again_is_frozen_too(unfrozen: None, loaded: KnowledgeBase) -> None:
    loaded.warm_up()
    gc.unfreeze()
    loaded.store._terms_slot.index = None  # type: ignore[attr-defined]  # as when another process wrote the index
    loaded.store.warm_up()  # type: ignore[attr-defined]
    assert not _walked_by_a_collection(_terms_index(loaded))


def test_the_name_tagger_is_frozen_once_built(unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "_tagger_instance", None)
    tagger = names._tagger()
    assert gc.is_tracked(tagger) and not _walked_by_a_collection(tagger)


def test_objects_made_after_the_freeze_are_collected_as_usual(unfrozen: None, loaded: KnowledgeBase) -> None:
    loaded.warm_up()
    later: list[object] = []
    later.append(later)  # a reference cycle made after the freeze
    assert _walked_by_a_collection(later)
    del later
    assert gc.collect() >= 1  # the cycle is garbage, and the collector finds it
