from __future__ import annotations

import pytest
from embedder_fakes import CountingEmbedder


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder()
