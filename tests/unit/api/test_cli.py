"""The `kb` command through Typer's runner, on a temporary KB_HOME with the hash embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

CASE = """# 周某诈骗案（示例）
编号：示例CLI-001
案例类型：典型案例
检察类别：刑事检察
示例：是

【要旨】
冒充客服实施电信网络诈骗，数额较大的，以诈骗罪追究刑事责任。

【基本案情】
周某冒充网购平台客服，以退款为名骗取被害人钱款人民币二万元。

【检察机关履职过程】
检察机关以诈骗罪提起公诉。
"""


RULES = """# 某某办案规则（示例）

第一条 为了演示，制定本规则（示例）。

第二条 醉酒驾驶机动车的案件，依照本规则办理（示例）。

第三条 本规则自发布之日起施行（示例）。
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KB_EMBEDDER", "hash")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_ingest_search_and_stats(env: Path) -> None:
    runner = CliRunner()
    (env / "case.md").write_text(CASE, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(env / "case.md"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"created": 1' in result.output

    again = runner.invoke(app, ["ingest", str(env / "case.md")])
    assert again.exit_code == 0 and "未变 1" in again.output

    found = runner.invoke(app, ["search", "冒充客服 诈骗", "--json", "--top-k", "3"])
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")]
    assert rows[0]["number"] == "示例CLI-001"
    assert set(rows[0]) >= {"id", "kind", "title", "number", "case_type", "line", "score", "passage", "highlights"}

    filtered = runner.invoke(app, ["search", "诈骗", "--json", "--filter", "line=民事检察"])
    assert filtered.exit_code == 0 and not [x for x in filtered.stdout.splitlines() if x.startswith("{")]

    stats = runner.invoke(app, ["stats", "--json"])
    assert json.loads(stats.stdout.strip().splitlines()[-1])["entries_by_kind"] == {"case": 1}


def _library_of(env: Path, case: str) -> CliRunner:
    """A runner over a library holding just this case."""
    runner = CliRunner()
    (env / "case.md").write_text(case, encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(env / "case.md")]).exit_code == 0
    return runner


def _shown(runner: CliRunner, query: str) -> str:
    """What `kb search` prints for the query, in a terminal wide enough for its longest line."""
    shown = runner.invoke(app, ["search", query], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    return shown.output


def test_search_names_the_inferred_charges_and_can_leave_them_out(env: Path) -> None:
    runner = _library_of(env, CASE)
    facts = "某日有人冒充网购平台客服拨打被害人电话，谎称其订单异常需要退款，诱使被害人下载软件并转账。" * 3
    shown = _shown(runner, facts)
    assert "按相似案例推断为 诈骗罪（100%）" in shown and "--no-infer" in shown

    def reasons(*flags: str) -> list[str]:
        found = runner.invoke(app, ["search", facts, "--json", *flags])
        assert found.exit_code == 0, found.output
        rows = [json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")]
        return [label for row in rows for label in row["reasons"]]

    assert any(label.startswith("同推断罪名：诈骗罪") for label in reasons())
    assert not any("推断罪名" in label for label in reasons("--no-infer"))
    plain = runner.invoke(app, ["search", facts, "--no-infer"], env={"COLUMNS": "200"})
    assert plain.exit_code == 0 and "推断为" not in plain.output


CONTRACT_CASE = """# 吴某合同诈骗案（示例）
编号：示例CLI-002
案例类型：典型案例
检察类别：刑事检察
示例：是

【要旨】
签订购销合同后收取货款逃匿的，以合同诈骗罪追究刑事责任。

【基本案情】
吴某以某公司名义与被害单位签订钢材购销合同，收取预付款人民币五十万元后逃匿。

【检察机关履职过程】
检察机关以合同诈骗罪提起公诉。
"""


def test_search_says_why_the_fact_text_changed_the_vote(env: Path) -> None:
    # a fraud told without any contract: its only neighbour is a contract fraud
    facts = "某甲冒充某公司员工，以帮助被害人办理业务为名，骗取被害人钱款人民币二万元后逃匿，被害人多次联系未果。" * 3
    shown = _shown(_library_of(env, CONTRACT_CASE), facts)
    assert "按相似案例推断为 诈骗罪（100%）" in shown
    assert "依案情校正：案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断，改按诈骗罪。" in shown


def test_ingest_as_drafts_keeps_them_out_of_search(env: Path) -> None:
    runner = CliRunner()
    (env / "case.md").write_text(CASE, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(env / "case.md"), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["files"][0]["entries"][0]["workflow_status"] == "draft"
    found = runner.invoke(app, ["search", "冒充客服 诈骗", "--json"])
    assert found.exit_code == 0 and not [x for x in found.stdout.splitlines() if x.startswith("{")]


def test_failed_file_gives_non_zero_exit_and_a_chinese_reason(env: Path) -> None:
    (env / "empty.txt").write_bytes(b"")
    (env / "case.md").write_text(CASE, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(env / "empty.txt"), str(env / "case.md"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout[result.stdout.index("{") :])
    statuses = {f["name"]: f["status"] for f in report["files"]}
    assert statuses == {"empty.txt": "failed", "case.md": "created"}
    assert "空" in next(f["error"]["detail"] for f in report["files"] if f["error"])


def test_bad_filter_and_bad_query_are_reported(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["search", "盗窃", "--filter", "nonsense"]).exit_code == 2
    result = runner.invoke(app, ["search", "！！！"])
    assert result.exit_code == 2 and "没有可检索的文字" in result.output


def test_init_is_idempotent_and_loads_the_demo(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["init"]).exit_code == 0
    demo = runner.invoke(app, ["init", "--demo"])
    assert demo.exit_code == 0, demo.output
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).stdout.strip().splitlines()[-1])
    assert stats["entries_by_kind"]["case"] >= 30 and stats["entries_by_kind"]["power_item"] >= 30
    assert stats["entries_by_kind"]["guideline"] >= 3 and stats["pending_index"] == 0


def test_demo_embedding_cache_is_importable(tmp_path: Path) -> None:
    from kb.embedders.cache import EmbeddingCache

    bundled = Path(__file__).parents[3] / "kb" / "data" / "demo" / "embeddings.sqlite3"
    with EmbeddingCache(tmp_path / "cache.sqlite3") as cache:
        added = cache.import_from(bundled)
        assert added > 100 and cache.count("e5-small") == added
        assert cache.import_from(bundled) == 0


def test_ingest_kind_law_and_search_it(env: Path) -> None:
    runner = CliRunner()
    (env / "rules.md").write_text(RULES, encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--kind", "law", str(env / "rules.md"), "--json"])
    assert result.exit_code == 0, result.output
    stats = runner.invoke(app, ["stats", "--json"])
    assert json.loads(stats.stdout.strip().splitlines()[-1])["entries_by_kind"] == {"law": 1}
    plain = runner.invoke(app, ["stats"])
    assert "法律法规：1" in plain.output
    default = runner.invoke(app, ["search", "醉酒驾驶", "--json"])
    assert not [line for line in default.stdout.splitlines() if line.startswith("{")]  # cases only
    laws = runner.invoke(app, ["search", "醉酒驾驶", "--json", "--filter", "kind=law"])
    rows = [json.loads(line) for line in laws.stdout.splitlines() if line.startswith("{")]
    assert rows and rows[0]["kind"] == "law"


def test_an_unknown_kind_is_refused(env: Path) -> None:
    (env / "rules.md").write_text(RULES, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "--kind", "poem", str(env / "rules.md")])
    assert result.exit_code == 2 and "law" in result.output


def test_a_bad_setting_is_one_chinese_line_not_a_traceback(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_EMBED_SECTIONS", "基本案情")
    monkeypatch.setenv("KB_CHUNK_CHARS", "10")
    result = CliRunner().invoke(app, ["search", "盗窃"])
    assert result.exit_code == 2
    assert "配置有误" in result.output and "KB_EMBED_SECTIONS 含未知章节：基本案情" in result.output
    assert "KB_CHUNK_CHARS 应不小于 50" in result.output
    assert "Traceback" not in result.output
