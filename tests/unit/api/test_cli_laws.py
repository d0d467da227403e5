"""`kb ingest --kind law` and `kb search --filter kind=law` through Typer's runner (hash embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

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
