"""`kb eval lecard` end to end on the tiny dataset, and the report files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from api.evaluation.lecard import load_lecard
from api.evaluation.report import markdown, rows
from api.evaluation.runner import perfect_scores


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


def test_keep_names_is_recorded_in_the_command(lecard_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    code, stdout = _run(lecard_dir, tmp_path, "--protocol", "rerank", "--keep-names", "--out", str(out))
    assert code == 0, stdout
    result = json.loads((out / "lecard.json").read_text(encoding="utf-8"))
    assert result["command"].endswith("--keep-names")


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


def test_the_report_puts_a_perfect_order_the_published_figures_and_the_bars_next_to_ours(
    lecard_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    code, stdout = _run(lecard_dir, tmp_path, "--protocol", "all", "--config", "hybrid", "--out", str(out))
    assert code == 0, stdout
    result = json.loads((out / "lecard.json").read_text(encoding="utf-8"))
    assert result["perfect"]["all"]["upstream"]["map"] == 1.0
    rerank_upstream, full_ours = (
        _section(markdown(result), "rerank · upstream"),
        _section(markdown(result), "full · ours"),
    )
    perfect = next(line for line in rerank_upstream if line.startswith("| reference | perfect order | all (2) |"))
    assert perfect.endswith("| 1.000 | 1.000 | 1.000 | 0.200 | 0.100 | 1.000 |")
    assert any(line.startswith("| reference | BM25 (published) | as published | 0.731 |") for line in rerank_upstream)
    assert "| bar | fully automatic | all | 0.850 | – | 0.920 | 0.550 | – | 0.650 |" in rerank_upstream
    assert "| bar | fully automatic | all | – | – | – | – | – | – | 0.900 |" in full_ours
    assert not any("perfect order" in line or "published" in line for line in full_ours)


def _section(table: str, title: str) -> list[str]:
    """The lines of one table of the markdown report, from its bold title to the next title."""
    lines = table.splitlines()
    start = lines.index(f"**{title}**")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("**")), len(lines))
    return lines[start:end]


def test_a_perfect_order_is_below_1_where_graded_judgments_lie_outside_the_pool(lecard_dir: Path) -> None:
    dataset = load_lecard(lecard_dir)
    dataset.labels["22"]["9"] = 3  # a grade-3 judgment that is not in query 22's pool
    scores = {q.qid: perfect_scores(dataset, [q])["all"]["upstream"] for q in dataset.queries}
    assert scores["11"]["ndcg@10"] == 1.0 and scores["11"]["map"] == 1.0
    assert scores["22"]["ndcg@10"] < 1.0  # the ideal counts the grade-3 judgment no ranking of the pool can reach
    assert scores["22"]["map"] == 1.0  # upstream AP divides by the grade-3 judgments found


def test_the_provisions_table_names_every_ranker_the_evaluation_reports() -> None:
    """`kb eval provisions` without --json prints a table from the report; it once read a key the report lost."""
    from rich.console import Console

    import api.cli_eval as cli_eval

    metrics = {"n": 3, "recall@5": 0.2, "recall@10": 0.3, "mrr": 0.5}
    rankers = ["direct", "direct_cited", "similar_cases", "charge_articles", "fusion_tuned", "fusion"]
    result = {
        "citations": {"citations": 12},
        "cases_evaluated": 3,
        "resolved_share": 0.75,
        "settings": {"product": {"weights": {"direct": 0.25, "similar": 1.0, "charges": 1.0}}},
        "metrics": {name: {"all": metrics} for name in rankers},
        "index": {"build": {"skipped": True, "seconds": 0}, "entries_by_kind": {"case": 3, "law": 2}},
        "eval_seconds": 1.5,
    }
    console = Console(record=True, width=200)
    original = cli_eval.out
    cli_eval.out = console
    try:
        cli_eval._provisions_table(result)
    finally:
        cli_eval.out = original
    text = console.export_text()
    assert "融合（产品默认：直接检索 0.25、类案 1.0、罪名条文 1.0）" in text
    assert "罪名对应条文" in text and "直接检索（仅被引条文）" in text
    assert "75.0%" in text and "沿用已建索引" in text


def test_an_unknown_store_is_refused_before_anything_is_built(lecard_dir: Path, tmp_path: Path) -> None:
    code, _ = _run(lecard_dir, tmp_path, "--store", "solr")
    assert code != 0
    assert not (tmp_path / "eval").exists()


def test_a_full_evaluation_needs_the_candidates_outside_the_pools(lecard_dir: Path, tmp_path: Path) -> None:
    # a judgment in the candidate file but in no query's pool, as LeCaRD's 18 extra files are
    candidates = lecard_dir / "candidates" / "candidates_noqw.jsonl.gz"
    with gzip.open(candidates, "at", encoding="utf-8") as handle:
        extra = {
            "qid": "22",
            "pid": "9",
            "ajName": "周某危险驾驶一案",
            "ajjbqk": "经审理查明，被告人周某醉酒后驾驶摩托车在公路上行驶，经检验血液中乙醇含量为一百二十毫克。",
            "cpfxgc": "本院认为，被告人周某在道路上醉酒驾驶机动车，其行为已构成危险驾驶罪。",
            "pjjg": "被告人周某犯危险驾驶罪，判处拘役二个月，并处罚金人民币三千元。",
        }
        handle.write(json.dumps(extra, ensure_ascii=False) + "\n")
    code, stdout = _run(lecard_dir, tmp_path, "--protocol", "rerank", "--json")  # builds the pools only
    assert code == 0, stdout
    assert json.loads(stdout.strip().splitlines()[-1])["index"]["complete"] is False
    args = ["eval", "lecard", "--data", str(lecard_dir), "--home", str(tmp_path / "eval"), "--embedder", "hash"]
    result = CliRunner().invoke(app, [*args, "--protocol", "full", "--json", "--no-build"])
    assert result.exit_code != 0
    assert "评测索引缺少 1 件候选案例" in result.output.replace("\n", "")
    code, stdout = _run(lecard_dir, tmp_path, "--protocol", "full", "--json")  # the build adds the rest
    assert code == 0, stdout
    index = json.loads(stdout.strip().splitlines()[-1])["index"]
    assert index["complete"] is True and index["entries"] == 5
