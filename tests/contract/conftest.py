"""The contract suite's backends: the demo corpus on the embedded store and on a real Elasticsearch.

`backend_kb` (in the test module) is parametrised over both; the Elasticsearch variant carries the `es` marker, so a
bare `pytest` runs the embedded store only, and `pytest -m ''` runs both (failing when no server answers).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb.service import KnowledgeBase
from tests.es.conftest import es_url  # noqa: F401 - the harness's health check, for the elasticsearch variant
from tests.es.es_kb import drop_indices, es_knowledge_base, load_demo, new_index_name


@pytest.fixture(scope="session")
def es_demo_kb(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:  # noqa: F811
    """The demo corpus ingested once into a `kb-test-*` index (hash embedder, as `demo_kb`)."""
    index = new_index_name("contract")
    kb = es_knowledge_base(es_url, tmp_path_factory.mktemp("es-demo-kb"), index=index)
    load_demo(kb)
    yield kb
    kb.close()
    drop_indices(es_url, index)
