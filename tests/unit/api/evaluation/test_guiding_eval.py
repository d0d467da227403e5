"""`kb eval guiding` on a tiny illustrative collection (tests/data/guiding): labels, leave-one-out, metrics, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.evaluation.guiding import (
    CONFIG_NAMES,
    GuidingEvalError,
    GuidingRun,
    case_queries,
    eval_configs,
    keyword_gains,
    keywords_related,
    open_kb,
    query_metrics,
    rankings,
    related_gains,
    run_guiding,
    summarise,
)
from api.evaluation.runner import ConfigRanker
from kb.models import EntryKind

DATA = Path(__file__).resolve().parents[3] / "data" / "guiding"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    home = tmp_path_factory.mktemp("guiding-eval")
    run = GuidingRun(data=DATA, home=home, embedder="hash")
    first = run_guiding(run)
    second = run_guiding(run)  # the manifest matches: nothing is ingested again
    assert not first["index"]["build"]["skipped"] and second["index"]["build"]["skipped"]
    assert second["metrics"] == first["metrics"]
    first["home"] = str(home)
    return first


def test_the_collection_is_ingested_through_the_normal_path(result: dict) -> None:  # type: ignore[type-arg]
    assert result["index"]["entries_by_kind"] == {"case": 7}
    assert result["index"]["build"]["files"] == {"spp_guiding": 5, "spc_guiding": 1, "spc_gazette": 1}
    assert result["index"]["build"]["failed"] == []
    assert (result["entries"], result["spp_entries"]) == (7, 5)


def test_cases_without_a_shared_keyword_are_not_evaluated(result: dict) -> None:  # type: ignore[type-arg]
    assert result["cases"] == {"spp_cases": 5, "with_keywords": 5, "with_facts": 5, "with_relevant": 4}
    assert [row["number"] for row in result["rows"]] == ["检例第1号", "检例第2号", "检例第3号", "检例第4号"]
    assert [row["relevant"] for row in result["rows"]] == [2, 2, 2, 2]
    first = result["rows"][0]["first"]  # the product's first ten, named by number (or title)
    assert "检例第1号" not in first and "检例第2号" in first and len(first) == 6


def test_labels_are_the_shared_keywords_of_spp_cases(result: dict) -> None:  # type: ignore[type-arg]
    kb = open_kb(GuidingRun(data=DATA, home=Path(result["home"]), embedder="hash"))
    try:
        entries = [(i, e) for i, _, e in kb.records.iter_published(kind=EntryKind.CASE.value)]
        queries, _, spp_ids = case_queries(entries)
        number = {i: e.number for i, e in entries}
        gains = {q.number: {number[i]: g for i, g in q.gains.items()} for q in queries}
        assert gains["检例第1号"] == {"检例第2号": 1, "检例第3号": 1}
        assert gains["检例第4号"] == {"检例第3号": 1, "检例第2号": 1}
        assert {number[i] for i in spp_ids} == {f"检例第{n}号" for n in range(1, 6)}  # court cases are distractors
        assert all("基本案情" not in q.text and q.text for q in queries)  # the facts section's text, no heading
    finally:
        kb.close()


def test_the_query_case_is_left_out_of_the_library(result: dict) -> None:  # type: ignore[type-arg]
    kb = open_kb(GuidingRun(data=DATA, home=Path(result["home"]), embedder="hash"))
    try:
        kb.warm_up()
        entries = [(i, e) for i, _, e in kb.records.iter_published(kind=EntryKind.CASE.value)]
        queries, _, _ = case_queries(entries)
        ranker = ConfigRanker(kb)
        configs = list(eval_configs("hash").values())
        for query in queries:
            ranked = rankings(ranker, query, configs)
            assert set(ranked) == set(CONFIG_NAMES)
            assert all(query.entry_id not in r for r in ranked.values())
            assert ranked["hybrid"], "the fixture's facts share words with other cases"
    finally:
        kb.close()


def test_metrics_are_the_means_of_the_per_case_scores(result: dict) -> None:  # type: ignore[type-arg]
    for name in CONFIG_NAMES:
        cell = result["metrics"][name]["all"]
        assert cell["n"] == 4
        for metric in ("ndcg@10", "p@5", "mrr", "recall@20", "court@10"):
            values = [row["metrics"][name][metric] for row in result["rows"]]
            assert cell[metric] == pytest.approx(sum(values) / len(values), abs=1e-4)
    # six other cases in the library, two of them relevant: every one is found within 20
    assert result["metrics"]["hybrid"]["all"]["recall@20"] == 1.0


def test_query_metrics() -> None:
    spp = {"a", "b", "c", "q"}
    gains = {"b": 2, "c": 1}
    m = query_metrics(["x", "b", "y", "a", "c"], gains, spp)
    assert m["mrr"] == 0.5
    assert m["p@5"] == pytest.approx(2 / 5)
    assert m["recall@20"] == 1.0
    assert m["court@10"] == pytest.approx(2 / 5)  # x and y are not SPP cases
    ideal = 2 + 1 / 1.5849625007211563  # gains 2, 1 at ranks 1, 2
    actual = 2 / 1.5849625007211563 + 1 / 2.584962500721156  # ranks 2 and 5
    assert m["ndcg@10"] == pytest.approx(actual / ideal)
    empty = query_metrics([], gains, spp)
    assert empty == {"ndcg@10": 0.0, "p@5": 0.0, "mrr": 0.0, "recall@20": 0.0, "court@10": 0.0}


def test_keyword_gains_count_shared_keywords_once() -> None:
    gains = keyword_gains({"a": ["盗窃", "不起诉", "盗窃"], "b": ["盗窃", "不起诉"], "c": ["诈骗"]})
    assert gains == {"a": {"b": 2}, "b": {"a": 2}, "c": {}}


def test_summaries_have_a_subset_per_line_with_five_cases() -> None:
    rows = [
        {
            "line": "刑事检察" if i < 5 else "民事检察",
            "metrics": {"product": dict.fromkeys(("ndcg@10", "p@5", "mrr", "recall@20", "court@10"), float(i))},
        }
        for i in range(7)
    ]
    out = summarise(rows, ["product"])
    assert list(out["product"]) == ["all", "刑事检察"]  # 民事检察 has two cases: no row of its own
    assert out["product"]["刑事检察"]["n"] == 5 and out["product"]["刑事检察"]["mrr"] == 2.0
    assert out["product"]["all"]["ndcg@10"] == 3.0


def test_cli_json_and_report(tmp_path: Path) -> None:
    args = ["eval", "guiding", "--data", str(DATA), "--embedder", "hash", "--home", str(tmp_path / "home")]
    args += ["--out", str(tmp_path / "out"), "--json"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    summary = json.loads(outcome.stdout.strip().splitlines()[-1])
    assert summary["default_config"] == "product" and summary["cases_evaluated"] == 4 and "rows" not in summary
    assert set(summary["metrics"]) == set(CONFIG_NAMES)
    report = (tmp_path / "out" / "guiding.md").read_text(encoding="utf-8")
    assert "| product | all | 4 |" in report
    assert json.loads((tmp_path / "out" / "guiding.json").read_text(encoding="utf-8"))["rows"]


def test_the_table_is_printed_without_json(tmp_path: Path) -> None:
    args = ["eval", "guiding", "--data", str(DATA), "--embedder", "hash", "--home", str(tmp_path / "home")]
    outcome = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert outcome.exit_code == 0, outcome.output
    assert "指导性案例检索" in outcome.output and "产品默认" in outcome.output and "按关键词相关" in outcome.output


def test_a_collection_without_spp_cases_is_a_chinese_error(tmp_path: Path) -> None:
    (tmp_path / "raw" / "spc_guiding").mkdir(parents=True)
    args = ["eval", "guiding", "--data", str(tmp_path), "--embedder", "hash", "--home", str(tmp_path / "home")]
    outcome = CliRunner().invoke(app, [*args, "--json"])
    assert outcome.exit_code == 2 and "检察院指导性案例" in outcome.output.replace("\n", "")
    with pytest.raises(GuidingEvalError):
        run_guiding(GuidingRun(data=tmp_path / "没有这个目录", home=tmp_path / "home", embedder="hash"))


def test_bad_files_in_the_collection_are_reported_and_the_rest_evaluated(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    spp = data / "raw" / "spp_guiding"
    # a GBK-encoded case reads as any other; an empty file, binary garbage and a file of no case are reported
    text = (spp / "检例第5号.md").read_text(encoding="utf-8").replace("第5号", "第6号").replace("戊某", "辛某")
    (spp / "检例第6号.md").write_bytes(text.replace("正当防卫", "正当防卫 不起诉", 1).encode("gbk"))
    (spp / "空白.md").write_bytes(b"")
    (spp / "乱码.md").write_bytes(bytes(range(256)) * 8)
    (data / "raw" / "spc_gazette" / "无栏目.md").write_text("只有一句话，没有任何栏目。", encoding="utf-8")
    out = run_guiding(GuidingRun(data=data, home=tmp_path / "home", embedder="hash"))
    assert out["spp_entries"] == 6
    assert len(out["index"]["build"]["failed"]) >= 2
    assert any(f.startswith("空白.md：") and f.count("空白.md") == 1 for f in out["index"]["build"]["failed"])
    # 检例第6号 now shares 不起诉 with 第1号 and 第3号, and 正当防卫 with 第5号: both become evaluated
    assert [r["number"] for r in out["rows"]][-2:] == ["检例第5号", "检例第6号"]


def test_keywords_related_by_containment() -> None:
    assert keywords_related("故意伤害罪", "故意伤害")  # a trailing 罪 is dropped
    assert keywords_related("核准追诉", "不予核准追诉") and keywords_related("再审检察建议", "检察建议")
    assert not keywords_related("监督", "侦查活动监督")  # too short to stand for the longer one
    assert not keywords_related("盗窃", "诈骗")
    gains = related_gains({"a": ["核准追诉", "悔罪表现"], "b": ["不予核准追诉"], "c": ["正当防卫"]})
    assert gains == {"a": {"b": 1}, "b": {"a": 1}, "c": {}}


def test_related_labels_are_reported_beside_the_exact_ones(result: dict) -> None:  # type: ignore[type-arg]
    assert set(result["metrics_related"]) == set(CONFIG_NAMES)
    for row in result["rows"]:
        assert row["related"] >= row["relevant"]  # every shared keyword is also a related one
        assert set(row["related_metrics"]) == set(CONFIG_NAMES)
    # the fixture's keywords are all distinct words: the two label sets agree
    assert result["metrics_related"] == result["metrics"]
