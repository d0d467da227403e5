"""`kb eval lecard` end to end on the tiny dataset, and the report files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from api.evaluation.report import markdown, rows


def _run(lecard_dir: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    args = ["eval", "lecard", "--data", str(lecard_dir), "--home", str(tmp_path / "eval"), "--embedder", "hash"]
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.stdout


def test_json_prints_one_object_with_the_default_configuration(lecard_dir: Path, tmp_path: Path) -> None:
    code, stdout = _run(lecard_dir, tmp_path, "--protocol", "rerank", "--json")
    assert code == 0, stdout
    payload = json.loads(stdout.strip().splitlines()[-1])
    assert payload["protocol"] == "rerank" and payload["config"] == "hybrid+elements"
    assert payload["setting"] == "auto"
    assert payload["metrics"]["all"]["n"] == 2
    assert 0 <= payload["metrics"]["all"]["ndcg@10"] <= 1
    assert set(payload["metrics"]["all"]["upstream"]) >= {"ndcg@30", "p@5", "map"}
    assert payload["index"]["entries"] == 4


def test_out_writes_json_markdown_and_chart_and_rejects_unknown_configs(lecard_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    code, _ = _run(lecard_dir, tmp_path, "--protocol", "all", "--config", "bm25,hybrid", "--out", str(out))
    assert code == 0
    result = json.loads((out / "lecard.json").read_text(encoding="utf-8"))
    assert set(result["results"]) == {"rerank", "full"}
    assert set(result["results"]["full"]["charge"]) == {"bm25", "hybrid"}
    table = (out / "lecard.md").read_text(encoding="utf-8")
    assert "| auto | bm25 | all (2) |" in table and "recall@100" in table
    assert (out / "lecard.png").stat().st_size > 1000
    assert table == markdown(result)
    assert {r["family"] for r in rows(result)} == {"ours", "upstream"}
    code, _ = _run(lecard_dir, tmp_path, "--config", "nonsense")
    assert code != 0
