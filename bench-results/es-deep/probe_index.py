"""The synthetic Elasticsearch index both probes of this folder search: built, force-merged, deleted afterwards.

The chunks are `api.bench_es`'s synthetic ones (hash:384 vectors), written through the product's store as
`kb bench --store elasticsearch` writes them. The scripts next to this file import it (Python puts a script's own
folder on the path).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from api.bench_es import _batches
from kb.config import EsSettings, Settings
from kb.embedders import Embedder
from kb.embedders.factory import build_embedder
from kb.service import KnowledgeBase

DIM = 384


@contextmanager
def synthetic_index(url: str, chunks: int) -> Iterator[tuple[Any, Embedder, list[Document]]]:
    """(the store, the hash embedder, the chunks written) for an index of `chunks` synthetic chunks at `url`."""
    model = build_embedder(f"hash:{DIM}")
    assert model is not None
    es = EsSettings(url=url, index=f"kb-bench-probe-{uuid4().hex[:6]}")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, home=Path(tempfile.mkdtemp()), embedder=f"hash:{DIM}", store="elasticsearch", es=es
    )
    kb = KnowledgeBase(settings, embedder=model)
    store: Any = kb.store
    try:
        kb.warm_up()
        written: list[Document] = []
        for batch in _batches(chunks, DIM):
            store.write_documents(batch, policy=DuplicatePolicy.SKIP, refresh=len(written) + len(batch) == chunks)
            written.extend(batch)
        store.optimize()
        yield store, model, written
    finally:
        store.drop_all_indices()
        kb.close()
