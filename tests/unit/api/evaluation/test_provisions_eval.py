"""`kb eval provisions` on a tiny illustrative fixture (tests/data/provisions): the metrics it computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.evaluation.metrics import mean
from api.evaluation.provisions import (
    ProvisionRun,
    join_parts,
    mask_citations,
    open_kb,
    reciprocal_rank,
    rrf,
    run_provisions,
    similar_case_ranking,
)

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


def test_similar_cases_vote_by_rank() -> None:
    from types import SimpleNamespace

    hits = [SimpleNamespace(entry_id=i) for i in ("twin", "other1", "other2")]
    kb = SimpleNamespace(search=lambda request: SimpleNamespace(hits=hits))
    a, b, c = ("law", "第一条"), ("law", "第二条"), ("law", "第三条")
    cited = {"twin": [a], "other1": [b], "other2": [b, c]}
    # a: 1/log2(2) = 1; b: 1/log2(3) + 1/log2(4) = 1.13; c: 0.5
    assert similar_case_ranking(kb, "案情", "me", cited, k=3) == [b, a, c]  # type: ignore[arg-type]
    assert similar_case_ranking(kb, "案情", "me", cited, k=1) == [a]  # type: ignore[arg-type]


def test_the_query_case_never_votes_for_itself(result: dict) -> None:  # type: ignore[type-arg]
    run = ProvisionRun(laws=DATA / "laws", cases=DATA / "cases", home=Path(result["home"]), embedder="hash")
    kb = open_kb(run)
    try:
        me = next(i for i, _, e in kb.records.iter_published(kind="case") if e.number == "检例第1号")
        marker = ("me", "第一条")
        ranking = similar_case_ranking(kb, "醉酒驾驶机动车", me, {me: [marker]}, k=10)
        assert marker not in ranking
    finally:
        kb.close()


def test_citations_are_masked_in_the_query() -> None:
    text = "依照《中华人民共和国刑法》第一百三十三条之一、第133条第二款及刑法第二百六十四条的规定，构成犯罪。"
    masked = mask_citations(text)
    assert "第一百三十三条" not in masked and "133" not in masked and "第二百六十四条" not in masked
    assert "《" not in masked and "构成犯罪" in masked


def test_rrf_and_reciprocal_rank() -> None:
    a, b, c = ("x", "第一条"), ("x", "第二条"), ("y", "第一条")
    assert rrf([[a, b], [b, c]])[0] == b
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


def test_the_fusion_weight_is_chosen_on_odd_numbers_only() -> None:
    from api.evaluation.provisions import CaseQuery, tune_direct_weight

    good = ("law", "好")
    direct = [("law", f"直{n}") for n in range(12)]
    similar = [*(("law", f"类{n}") for n in range(5)), good]
    odd = CaseQuery("a", "检例第1号", "案情", [good], 1, 1)
    # even: the direct ranking alone has the answer; it must not count in the choice
    even = CaseQuery("b", "检例第2号", "案情", [direct[0]], 1, 1)
    weight, tried = tune_direct_weight([(direct, similar), (direct, [])], [odd, even])
    # equal weights interleave the two lists and push `good` (6th of its list) out of the top 10; any lower weight
    # keeps it 6th; the first of the best weights is taken
    assert tried == {"1.0": 0.0, "0.5": 1.0, "0.25": 1.0, "0.1": 1.0} and weight == 0.5


def test_the_result_says_how_the_fusion_was_tuned(result: dict) -> None:  # type: ignore[type-arg]
    from api.evaluation.provisions import DIRECT_WEIGHTS

    assert result["fusion"]["direct_weight"] in DIRECT_WEIGHTS
    assert set(result["fusion"]["tried"]) == {str(w) for w in DIRECT_WEIGHTS}
    assert set(result["metrics"]) == {"direct", "similar_cases", "fusion_equal", "fusion"}
