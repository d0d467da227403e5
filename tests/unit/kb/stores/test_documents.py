"""kb.stores.documents.make_document: the same Document as the constructor builds, without its tracking."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from haystack import Document

from kb.stores.documents import make_document


def test_equal_to_a_constructed_document_in_every_way() -> None:
    fields: dict[str, Any] = {
        "id": "d1",
        "content": "被告人某甲盗窃。",
        "blob": None,
        "meta": {"charges": ["盗窃罪"], "year": 2024},
        "score": 0.5,
        "embedding": [0.1, 0.2],
        "sparse_embedding": None,
    }
    fast = make_document(**fields)
    slow = Document(**fields)
    assert type(fast) is Document
    assert fast == slow
    assert fast.to_dict() == slow.to_dict()
    assert Document.from_dict(fast.to_dict()) == slow
    assert copy.deepcopy(fast) == slow


def test_every_field_is_required() -> None:
    with pytest.raises(TypeError, match="exactly the fields"):
        make_document(id="d1", content="x")
