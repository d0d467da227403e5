"""Fixtures for tests that need a live Elasticsearch (marker `es`).

The server comes from KB_TEST_ES_URL (`./run test` starts one with api.devtools.es_server). When none answers the
session fails rather than skips: `es` tests only run when someone asked for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import pytest
from elasticsearch import ApiError, Elasticsearch, TransportError

from api.devtools.es_server import wipe_test_indices

TEST_INDEX_PREFIX = "kb-test-"


@pytest.fixture(scope="session")
def es_url() -> str:
    """URL of a healthy cluster, with every `kb-test-*` index left by earlier sessions deleted."""
    url = os.environ.get("KB_TEST_ES_URL", "http://localhost:9200").rstrip("/")
    client = Elasticsearch(url, request_timeout=40)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="30s")
    except (ApiError, TransportError):
        pytest.fail(f"No Elasticsearch at {url}; run: kb dev es-start")
    finally:
        client.close()
    wipe_test_indices(url, prefix=TEST_INDEX_PREFIX)
    return url


@pytest.fixture(scope="session")
def es_client(es_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def es_index(es_client: Elasticsearch) -> Iterator[str]:
    """A fresh `kb-test-*` index name, deleted after the test (the test creates the index)."""
    name = f"{TEST_INDEX_PREFIX}{uuid4().hex[:8]}"
    yield name
    es_client.options(ignore_status=[400, 404]).indices.delete(index=name)
