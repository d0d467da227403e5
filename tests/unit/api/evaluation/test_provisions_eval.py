"""`kb eval provisions` on a tiny illustrative fixture (tests/data/provisions): the metrics it computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.evaluation.metrics import mean
from api.evaluation.provisions import (
    RANKERS,
    ProvisionRun,
    join_parts,
    mask_citations,
    open_kb,
    reciprocal_rank,
    run_provisions,
)
from kb.analysis import analyze_case

DATA = Path(__file__).resolve().parents[3] / "data" / "provisions"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    home = tmp_path_factory.mktemp("provisions-eval")
    run = ProvisionRun(laws=DATA / "laws", cases=DATA / "cases", home=home, embedder="hash", folders=("刑法", "程序法"))
    first = run_provisions(run)
    second = run_provisions(run)  # the manifest matches: nothing is ingested again
    assert not first["index"]["build"]["skipped"] and second["index"]["build"]["skipped"]
    assert second["metrics"] == first["metrics"]
    first["home"] = str(home)
    return first


def test_counts_of_cases_and_citations(result: dict) -> None:  # type: ignore[type-arg]
    assert result["index"]["entries_by_kind"] == {"law": 2, "case": 4}
    assert result["citations"] == {"cases": 4, "cases_with_citations": 4, "citations": 9, "resolved": 8}
    assert result["resolved_share"] == round(8 / 9, 4)  # 《未成年人保护法》 is not in the fixture
    assert result["cases_evaluated"] == 4
    assert [row["relevant"] for row in result["cases"]] == [2, 2, 2, 2]


def test_metrics_are_the_means_of_the_per_case_scores(result: dict) -> None:  # type: ignore[type-arg]
    rows = result["cases"]
    for ranker in ("direct", "similar_cases", "fusion"):
        summary = result["metrics"][ranker]
        assert summary["all"]["n"] == 4 and summary["odd"]["n"] == 2 and summary["even"]["n"] == 2
        for metric in ("recall@5", "recall@10", "mrr"):
            assert summary["all"][metric] == round(mean([r[ranker][metric] for r in rows]), 4)
            assert 0.0 <= summary["all"][metric] <= 1.0
        # six articles in all: every ranking that lists them all has them in its first ten
        assert summary["all"]["recall@10"] == 1.0
    assert result["metrics"]["similar_cases"]["all"]["recall@5"] == 1.0  # the other three cases cite them all


def test_the_query_case_is_left_out_of_its_own_analysis(result: dict) -> None:  # type: ignore[type-arg]
    run = ProvisionRun(laws=DATA / "laws", cases=DATA / "cases", home=Path(result["home"]), embedder="hash")
    kb = open_kb(run)
    try:
        me = next(i for i, _, e in kb.records.iter_published(kind="case") if e.number == "检例第1号")
        analysis = analyze_case(kb, "醉酒驾驶机动车", exclude_ids=[me])
        assert analysis.signals is not None
        assert me not in {c.entry_id for c in analysis.signals.neighbours}
        assert all(me not in {c.entry_id for c in p.cited_by} for p in analysis.provisions)
    finally:
        kb.close()


def test_citations_are_masked_in_the_query() -> None:
    text = "依照《中华人民共和国刑法》第一百三十三条之一、第133条第二款及刑法第二百六十四条的规定，构成犯罪。"
    masked = mask_citations(text)
    assert "第一百三十三条" not in masked and "133" not in masked and "第二百六十四条" not in masked
    assert "《" not in masked and "构成犯罪" in masked


def test_reciprocal_rank() -> None:
    a, b, c = ("x", "第一条"), ("x", "第二条"), ("y", "第一条")
    assert reciprocal_rank([a, b, c], [c]) == pytest.approx(1 / 3) and reciprocal_rank([a], [c]) == 0.0


def test_a_law_in_several_files_is_joined_in_article_order(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "b.md").write_text(
        "# 中华人民共和国某法典\n\n# 分则\n\n施行\n\n第三条 三。\n\n第四条 四。\n", encoding="utf-8"
    )
    (parts / "a.md").write_text(
        "# 中华人民共和国某法典\n\n# 总则\n\n施行\n\n第一条 一。\n\n第二条 二。\n", encoding="utf-8"
    )
    (parts / "c.md").write_text("# 中华人民共和国另一法\n\n第一条 一。\n", encoding="utf-8")
    files = join_parts(sorted(parts.glob("*.md")), tmp_path / "joined")
    assert [f.name for f in files] == ["c.md", "中华人民共和国某法典.md"]
    text = files[1].read_text(encoding="utf-8")
    assert text.index("# 第一编 总则") < text.index("第一条") < text.index("# 第二编 分则") < text.index("第四条")
    stamp = files[1].stat().st_mtime_ns
    assert join_parts(sorted(parts.glob("*.md")), tmp_path / "joined")[1].stat().st_mtime_ns == stamp  # unchanged


def test_cli_json_and_report(tmp_path: Path) -> None:
    args = ["eval", "provisions", "--laws", str(DATA / "laws"), "--cases", str(DATA / "cases")]
    args += ["--folders", "刑法,程序法", "--embedder", "hash", "--home", str(tmp_path / "home")]
    args += ["--out", str(tmp_path / "out"), "--json"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    summary = json.loads(outcome.stdout.strip().splitlines()[-1])
    assert summary["default_ranker"] == "fusion" and summary["cases_evaluated"] == 4 and "cases" not in summary
    report = (tmp_path / "out" / "provisions.md").read_text(encoding="utf-8")
    assert "| fusion | all | 4 |" in report
    assert json.loads((tmp_path / "out" / "provisions.json").read_text(encoding="utf-8"))["cases"]


def test_a_missing_folder_is_a_chinese_error(tmp_path: Path) -> None:
    args = ["eval", "provisions", "--laws", str(DATA / "laws"), "--cases", str(DATA / "cases")]
    args += ["--folders", "没有这个目录", "--embedder", "hash", "--home", str(tmp_path / "home"), "--json"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 2 and "没有这个目录" in outcome.output


def test_the_vote_and_the_weights_are_chosen_on_odd_numbers_only() -> None:
    from api.evaluation.provisions import CaseQuery, tune_vote, tune_weights
    from kb.provision_suggest import Neighbour, Signals, VoteSettings

    good, bad = ("law", "好"), ("law", "坏")
    neighbours = [Neighbour(f"n{i}", f"案{i}", None, 0.1 * (20 - i), ()) for i in range(20)]
    # odd case: the answer is cited only by the 15th neighbour; k = 5 or 10 cannot see it
    odd_signals = Signals(neighbours, {"n14": [good], "n0": [bad]}, [], {}, [])
    # even case: only k = 5 finds its answer; it must not count in the choice
    even_signals = Signals(neighbours, {"n0": [good], "n6": [bad]}, [], {}, [])
    odd = CaseQuery("a", "检例第1号", "案情", [good], 1, 1)
    even = CaseQuery("b", "检例第2号", "案情", [good], 1, 1)
    best, tried = tune_vote([odd_signals, even_signals], [odd, even])
    assert best == VoteSettings(20, "rank") and tried["k=5,rank"] == 0.0 and tried["k=20,rank"] == 1.0
    # charge ranking alone holds the odd answer: any charge weight > 0 finds it; the first such weight wins
    charged = Signals([], {}, ["某罪"], {good: ["某罪"]}, [bad])
    weights, tried_weights = tune_weights([charged, even_signals], [odd, even], best)
    assert tried_weights["direct=0.0,charges=0.0,direct_cited=0.0"] == 0.0
    assert weights == {"direct": 0.0, "similar": 1.0, "charges": 0.25, "direct_cited": 0.0}
    # a candidate ranking holding the answer is found the same way
    weights, _ = tune_weights([Signals([], {}, [], {}, []), even_signals], [odd, even], best, [[good], []])
    assert weights == {"direct": 0.0, "similar": 1.0, "charges": 0.0, "direct_cited": 0.1}


def test_the_result_says_how_the_settings_were_chosen(result: dict) -> None:  # type: ignore[type-arg]
    from api.evaluation.provisions import DIRECT_WEIGHTS, VOTE_GRID

    settings = result["settings"]
    assert len(settings["vote_tried"]) == len(VOTE_GRID)
    assert len(settings["weights_tried"]) == len(DIRECT_WEIGHTS) * 5 * 5
    assert set(result["metrics"]) == set(RANKERS)
    assert isinstance(settings["product_is_tuned"], bool)
