from __future__ import annotations

from pathlib import Path

import pytest

from kb.embedders.hashing import HashEmbedder
from kb.pipelines.tuning import DEFAULT_TUNING, TUNINGS, PipelineTuning, tuning_for
from kb.service import KnowledgeBase
from tests.conftest import make_settings


class _NamedHash(HashEmbedder):
    """Hash vectors under another embedder's name: the tuning is chosen by the name alone."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def name(self) -> str:
        return self._name


def test_e5_small_has_its_own_facts_weight() -> None:
    assert tuning_for("e5-small") == PipelineTuning(long_query_dense_weight=0.3, facts_weight=1.5)


@pytest.mark.parametrize("name", ["use-m3", "hash:256", "st:/models/bge", "", None])
def test_other_embedders_and_none_get_the_defaults(name: str | None) -> None:
    assert tuning_for(name) is DEFAULT_TUNING
    assert PipelineTuning(long_query_dense_weight=0.3, facts_weight=1.0) == DEFAULT_TUNING


@pytest.mark.parametrize("name", ["e5-small", "use-m3"])
def test_the_knowledge_base_builds_its_pipeline_with_the_embedders_tuning(tmp_path: Path, name: str) -> None:
    kb = KnowledgeBase(make_settings(tmp_path), embedder=_NamedHash(name))
    try:
        expected = TUNINGS.get(name, DEFAULT_TUNING)
        assert kb.tuning == expected
        assert kb.facts_ranker.weight == expected.facts_weight
        assert kb.pipeline.graph.nodes["facts"]["instance"] is kb.facts_ranker
        joiner = kb.pipeline.graph.nodes["joiner"]["instance"]
        assert joiner.long_query_dense_weight == expected.long_query_dense_weight
    finally:
        kb.close()


def test_without_an_embedder_the_defaults_hold(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path, embedder="none"))
    try:
        assert kb.tuning is DEFAULT_TUNING and kb.facts_ranker.weight == 1.0
    finally:
        kb.close()
