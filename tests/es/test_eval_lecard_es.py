"""`kb eval lecard --store elasticsearch`: the LeCaRD harness on the Elasticsearch backend, against the embedded one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from api.cli import app
from api.evaluation.corpus import eval_index_name
from tests.es.es_kb import drop_indices
from tests.unit.api.evaluation.conftest import write_lecard

pytestmark = pytest.mark.es


def _evaluate(lecard: Path, home: Path, store: str, es_url: str) -> dict[str, Any]:
    args = ["eval", "lecard", "--data", str(lecard), "--home", str(home), "--embedder", "hash", "--store", store]
    result = CliRunner().invoke(app, [*args, "--protocol", "all", "--json"], env={"KB_ES__URL": es_url})
    assert result.exit_code == 0, result.stdout
    payload: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return payload


def test_the_tiny_dataset_ranks_the_same_on_both_stores(tmp_path: Path, es_url: str, es_client: Elasticsearch) -> None:
    lecard = write_lecard(tmp_path / "lecard")
    home = tmp_path / "eval"
    index = eval_index_name(home / "hash-facts2-es")
    try:
        on_es = _evaluate(lecard, home, "elasticsearch", es_url)
        assert es_client.indices.exists_alias(
            name=index
        )  # the chunks went to Elasticsearch, under the home's own index
        assert (home / "hash-facts2-es").is_dir() and not (home / "hash-facts2").exists()
        embedded = _evaluate(lecard, home, "sqlite", es_url)
    finally:
        drop_indices(es_url, index)
    for protocol in ("rerank", "full"):
        es_run, sqlite_run = on_es[protocol], embedded[protocol]
        assert es_run["index"]["store"] == "elasticsearch" and sqlite_run["index"]["store"] == "sqlite"
        assert es_run["index"]["entries"] == sqlite_run["index"]["entries"] == 4
        assert es_run["metrics"]["all"]["n"] == 2
        assert es_run["metrics"] == sqlite_run["metrics"]
