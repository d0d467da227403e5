from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from kb.components.document_embedder import KbDocumentEmbedder
from kb.components.text_embedder import KbTextEmbedder
from kb.embedders import clear_shared_embedders
from kb.embedders.hashing import HashEmbedder
from kb.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    clear_shared_embedders()
    yield
    clear_shared_embedders()


class _Recording(HashEmbedder):
    """The hash embedder, remembering what it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(dim=16)
        self.seen: list[str] = []

    def _encode(self, inputs: list[str]) -> np.ndarray:
        self.seen.extend(inputs)
        return np.asarray(super()._encode(inputs))


def test_to_dict() -> None:
    component = KbDocumentEmbedder(embedder_spec="use-m3", cache_path="data/emb.sqlite3", embed_text_key="_text")
    assert component.to_dict() == {
        "type": "kb.components.document_embedder.KbDocumentEmbedder",
        "init_parameters": {"embedder_spec": "use-m3", "cache_path": "data/emb.sqlite3", "embed_text_key": "_text"},
    }


def test_from_dict() -> None:
    data = {
        "type": "kb.components.document_embedder.KbDocumentEmbedder",
        "init_parameters": {"embedder_spec": "hash", "cache_path": None, "embed_text_key": "_embed_text"},
    }
    component = KbDocumentEmbedder.from_dict(data)
    assert (component.embedder_spec, component.cache_path, component.embed_text_key) == ("hash", None, "_embed_text")


def test_init_checks() -> None:
    with pytest.raises(ConfigError):
        KbDocumentEmbedder(embedder_spec="none")
    with pytest.raises(ValueError, match="embed_text_key"):
        KbDocumentEmbedder(embedder_spec="hash", embed_text_key="")


def test_run_embeds_embed_text_else_content() -> None:
    recording = _Recording()
    component = KbDocumentEmbedder.from_embedder(recording)
    documents = [
        Document(id="a", content="本院认为", meta={"_embed_text": "张某盗窃案\n基本案情\n本院认为"}),
        Document(id="b", content="检察机关提出检察建议", meta={"_embed_text": "  "}),
        Document(id="c", content=None, meta={}),
    ]
    result = component.run(documents=documents)
    assert sorted(recording.seen) == sorted(["张某盗窃案\n基本案情\n本院认为", "检察机关提出检察建议", ""])
    embedded = result["documents"]
    assert [doc.id for doc in embedded] == ["a", "b", "c"]
    assert all(doc.embedding is not None and len(doc.embedding) == 16 for doc in embedded)
    assert all(doc.embedding is None for doc in documents)  # inputs untouched
    assert embedded[0].meta == documents[0].meta and embedded[0].content == "本院认为"


def test_passage_and_query_sides_meet(tmp_path: Path) -> None:
    path = str(tmp_path / "emb.sqlite3")
    documents = KbDocumentEmbedder(embedder_spec="hash", cache_path=path).run(
        documents=[
            Document(content="李某醉酒驾驶机动车，构成危险驾驶罪"),
            Document(content="行政机关怠于履行环境监管职责"),
        ]
    )["documents"]
    query = KbTextEmbedder(embedder_spec="hash", cache_path=path).run(text="醉酒驾驶机动车")["embedding"]
    scores = [float(np.dot(doc.embedding or [], query)) for doc in documents]
    assert scores[0] > scores[1]


def test_reindex_reuses_the_cache(tmp_path: Path) -> None:
    path = str(tmp_path / "emb.sqlite3")
    documents = [Document(content=f"第{i}条") for i in range(5)]
    first = KbDocumentEmbedder(embedder_spec="hash:16", cache_path=path)
    first.run(documents=documents)
    clear_shared_embedders()  # as if the process restarted
    second = KbDocumentEmbedder(embedder_spec="hash:16", cache_path=path)
    second.run(documents=documents)
    assert second.embedder.stats() == {"hits": 5, "misses": 0, "embedded": 0}  # type: ignore[attr-defined]


def test_run_with_no_documents_and_bad_input() -> None:
    component = KbDocumentEmbedder(embedder_spec="hash")
    assert component.run(documents=[]) == {"documents": []}
    with pytest.raises(TypeError, match="KbTextEmbedder"):
        component.run(documents="text")  # type: ignore[arg-type]
