"""The parsers against the real guiding cases in ../shared/data (read by path, never copied).

Skipped only when the data folder is absent; any wrong case fails the test.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.parsers.court_case import parse_court_case
from ingest.parsers.dispatch import detect_layout, parse_document
from ingest.readers.base import RawDocument

# the project sits next to ../shared/data
DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "cn-guiding-cases"
SPP = DATA / "raw" / "spp_guiding"
SPC = DATA / "raw" / "spc_guiding"

pytestmark = pytest.mark.slow
SPP_NUMBER = re.compile(r"检例第(\d+)号")
SPC_NUMBER = re.compile(r"(\d+)号")


def _number(pattern: re.Pattern[str], name: str) -> str:
    m = pattern.search(name)
    assert m is not None, name
    return m.group(1)


# SOURCE.md: keywords 215, 要旨 218, 基本案情 218, process 218, 指导意义 195, 相关规定 215
EXPECTED_SPP = {"keywords": 215, "gist": 218, "facts": 218, "process": 218, "significance": 195, "provisions": 215}


@pytest.mark.skipif(not SPP.exists(), reason=f"{SPP} not present")
def test_every_spp_guiding_case() -> None:
    files = sorted(SPP.glob("*.md"))
    assert len(files) == 218
    coverage: Counter[str] = Counter()
    problems: list[str] = []
    for path in files:
        expected = f"检例第{_number(SPP_NUMBER, path.name)}号"
        document = RawDocument(source=path.name, format="md", text=path.read_text(encoding="utf-8"))
        assert detect_layout(document) == "published_case", path.name
        entries = [e for e in parse_document(document) if e.number == expected]
        if len(entries) != 1:
            problems.append(f"{path.name}: 编号 {[e.number for e in parse_document(document)]}")
            continue
        entry = entries[0]
        keys = {s.key for s in entry.sections}
        missing = {"gist", "facts", "process"} - keys
        if not entry.title or missing or entry.title.startswith(("检例", "(", "（")):
            problems.append(f"{path.name}: title={entry.title!r} missing={sorted(missing)}")
        if entry.case_type != "指导性案例" or entry.issuer != "最高人民检察院":
            problems.append(f"{path.name}: case_type/issuer {entry.case_type} {entry.issuer}")
        coverage["keywords"] += bool(entry.keywords)
        for key in ("gist", "facts", "process", "significance", "provisions"):
            coverage[key] += key in keys
        coverage["charges_or_causes"] += bool(entry.charges)
        coverage["line"] += entry.line is not None
    assert not problems, "\n".join(problems)
    assert {k: coverage[k] for k in EXPECTED_SPP} == EXPECTED_SPP
    assert coverage["line"] == 218
    assert coverage["charges_or_causes"] >= 190


@pytest.mark.skipif(not SPC.exists(), reason=f"{SPC} not present")
def test_every_spc_guiding_case() -> None:
    files = sorted(SPC.glob("*.md"))
    assert len(files) == 246
    coverage: Counter[str] = Counter()
    problems: list[str] = []
    for path in files:
        expected = f"指导案例{_number(SPC_NUMBER, path.name)}号"
        (entry,) = parse_court_case(path.read_text(encoding="utf-8"), path.name)
        if entry.number != expected or not entry.title or entry.title.endswith("..."):
            problems.append(f"{path.name}: {entry.number} {entry.title!r}")
        for key in {s.key for s in entry.sections}:
            coverage[key] += 1
        coverage["keywords_list"] += bool(entry.keywords)
        coverage["publish_date"] += entry.publish_date is not None
    assert not problems, "\n".join(problems)
    for key in ("keywords", "gist", "provisions", "facts", "result", "reasoning", "keywords_list", "publish_date"):
        assert coverage[key] == 246, key
