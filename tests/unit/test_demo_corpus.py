"""The bundled demo corpus (kb/data/demo) is complete, marked as 示例 and internally consistent."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from docx import Document
from openpyxl import load_workbook

from kb.models import CASE_TYPES, LINES, POWER_SUBJECTS
from kb.text import find_charges

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "kb" / "data" / "demo"
CASES = DEMO / "cases"
GUIDELINES = DEMO / "guidelines"
POWER_LIST = DEMO / "power_list" / "检察官权力清单（示例）.xlsx"
DOCX = GUIDELINES / "行政非诉执行监督工作指引（示例）.docx"
GOLDEN = ROOT / "tests" / "data" / "golden_queries.json"

REQUIRED_KEYS = ("编号", "案例类型", "检察类别", "发布机关", "发布日期", "批次", "地区", "办案环节", "示例")
OPTIONAL_KEYS = ("子类别", "处理结果")
WARNING_KEYS = ("错误类型", "涉及权力清单事项", "责任后果")
SECTIONS = ("关键词", "要旨", "基本案情", "检察机关履职过程", "意义", "相关规定")
POWER_HEADERS = ("序号", "检察类别", "办案环节", "权力事项", "行使主体", "依据", "备注")

_META_LINE = re.compile(r"^([^：\s]+)：(.*)$")
_SECTION = re.compile(r"^【([^】]+)】\s*$", re.MULTILINE)
_ARTICLE = re.compile(r"^第([一二三四五六七八九十百]+)条　", re.MULTILINE)
_CN = {c: i for i, c in enumerate("零一二三四五六七八九")}


def cn_to_int(text: str) -> int:
    """Chinese numerals below 1000 (三十, 二十八, 一百零五) to int."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN[ch]
    return total + current


class DemoCase:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        lines = self.text.split("\n")
        self.title_line = lines[0]
        self.meta: dict[str, str] = {}
        for line in lines[1:]:
            if line.startswith("【"):
                break
            match = _META_LINE.match(line)
            if match:
                self.meta[match.group(1)] = match.group(2)
            elif line.strip():
                msg = f"{path.name}: not a key：value line before the first section: {line!r}"
                raise AssertionError(msg)
        self.body = self.text[self.text.index("【") :]
        parts = _SECTION.split(self.body)
        self.sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))

    @property
    def number(self) -> str:
        return self.meta["编号"]

    @property
    def line(self) -> str:
        return self.meta["检察类别"]

    @property
    def is_warning(self) -> bool:
        return self.meta["案例类型"] == "警示案例"


@cache
def load_cases() -> tuple[DemoCase, ...]:
    return tuple(DemoCase(p) for p in sorted(CASES.glob("*.md")))


@cache
def power_rows() -> tuple[tuple[object, ...], ...]:
    wb = load_workbook(POWER_LIST, read_only=True)
    ws = wb.worksheets[0]
    rows = tuple(tuple(row) for row in ws.iter_rows(values_only=True))
    wb.close()
    return rows


def power_items() -> list[str]:
    return [str(row[3]) for row in power_rows()[2:]]


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMO / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- cases ---------------------------------------------------------------------------------------------------------


def test_case_counts_per_line_and_type() -> None:
    cases = load_cases()
    assert len(cases) >= 36
    per_line = Counter(c.line for c in cases)
    assert per_line["刑事检察"] >= 14
    assert per_line["民事检察"] >= 7
    assert per_line["行政检察"] >= 6
    assert per_line["公益诉讼检察"] >= 7
    types = Counter(c.meta["案例类型"] for c in cases)
    assert types["典型案例"] > len(cases) / 2
    assert types["警示案例"] >= 8
    assert types["参考案例"] >= 2
    warning_lines = {c.line for c in cases if c.is_warning}
    assert warning_lines == set(LINES)


def test_every_case_is_marked_illustrative() -> None:
    for case in load_cases():
        assert case.title_line.startswith("# "), case.path.name
        assert case.title_line.endswith("（示例）"), case.path.name
        assert case.meta["示例"] == "是", case.path.name
        assert "示例" in case.meta["发布机关"], case.path.name
        assert case.number.startswith("示例"), case.path.name


def test_front_matter_keys_and_values() -> None:
    allowed = set(REQUIRED_KEYS) | set(OPTIONAL_KEYS) | set(WARNING_KEYS)
    for case in load_cases():
        name = case.path.name
        assert set(REQUIRED_KEYS) <= case.meta.keys(), name
        assert case.meta.keys() <= allowed, name
        assert case.meta["案例类型"] in CASE_TYPES, name
        assert case.line in LINES, name
        assert date.fromisoformat(case.meta["发布日期"]).year >= 2020, name
        assert re.fullmatch(r"第\d+批", case.meta["批次"]), name
        assert all(case.meta[key].strip() for key in case.meta), name


def test_numbers_are_unique_and_match_the_line() -> None:
    cases = load_cases()
    numbers = [c.number for c in cases]
    assert len(numbers) == len(set(numbers))
    prefix = {"刑事检察": "示例刑-", "民事检察": "示例民-", "行政检察": "示例行-", "公益诉讼检察": "示例公-"}
    for case in cases:
        assert case.number.startswith(prefix[case.line]), case.path.name
        assert case.path.stem.endswith(case.number[-3:]), case.path.name


def test_sections_in_order_and_length() -> None:
    for case in load_cases():
        name = case.path.name
        headings = list(case.sections)
        assert len(headings) == len(SECTIONS), (name, headings)
        for heading, expected in zip(headings, SECTIONS, strict=True):
            assert heading.endswith(expected), (name, heading)
        significance = headings[4]
        if case.is_warning:
            assert significance == "警示意义", name
        else:
            assert significance in {"典型意义", "指导意义"}, name
        assert all(text for text in case.sections.values()), name
        assert 600 <= len(case.body) <= 1800, (name, len(case.body))
        for provision in case.sections["相关规定"].splitlines():
            assert provision.startswith("《"), (name, provision)


def test_warning_cases_name_an_existing_power_item() -> None:
    items = set(power_items())
    for case in load_cases():
        if case.is_warning:
            assert all(case.meta.get(key) for key in WARNING_KEYS), case.path.name
            assert case.meta["涉及权力清单事项"] in items, (case.path.name, case.meta["涉及权力清单事项"])
        else:
            assert not set(WARNING_KEYS) & case.meta.keys(), case.path.name


def test_required_charges_occur() -> None:
    found = {name for case in load_cases() if case.line == "刑事检察" for _, _, name in find_charges(case.text)}
    required = {
        "盗窃罪",
        "诈骗罪",
        "危险驾驶罪",
        "帮助信息网络犯罪活动罪",
        "掩饰、隐瞒犯罪所得、犯罪所得收益罪",
        "故意伤害罪",
        "交通肇事罪",
        "非法吸收公众存款罪",
        "污染环境罪",
        "职务侵占罪",
        "寻衅滋事罪",
        "生产、销售有毒、有害食品罪",
    }
    assert required <= found, required - found
    all_found = {name for case in load_cases() for _, _, name in find_charges(case.text)}
    assert "非法捕捞水产品罪" in all_found


def test_outcomes_and_sub_lines_are_covered() -> None:
    outcomes: dict[str, set[str]] = {line: set() for line in LINES}
    for case in load_cases():
        outcomes[case.line].update(case.meta.get("处理结果", "").split("、"))
    assert {"附条件不起诉", "不起诉", "起诉", "抗诉", "不批捕"} <= outcomes["刑事检察"]
    assert {"支持起诉", "抗诉", "再审检察建议", "检察建议"} <= outcomes["民事检察"]
    assert {"再审检察建议", "行政争议实质性化解", "检察建议"} <= outcomes["行政检察"]
    assert {"诉前检察建议", "提起公益诉讼"} <= outcomes["公益诉讼检察"]
    sub_lines = {c.meta.get("子类别") for c in load_cases()}
    assert {
        "未成年人检察",
        "生态环境和资源保护",
        "食品药品安全",
        "国有财产保护",
        "国有土地使用权出让",
        "英烈保护",
        "个人信息保护",
    } <= sub_lines


def test_cross_references_point_at_existing_cases() -> None:
    numbers = {c.number for c in load_cases()}
    for case in load_cases():
        for ref in re.findall(r"示例[刑民行公]-\d{3}", case.body):
            assert ref in numbers, (case.path.name, ref)


# --- guidelines ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "刑事检察不起诉案件办理指引（示例）",
        "民事检察支持起诉工作指引（示例）",
        "公益诉讼检察诉前检察建议办案指引（示例）",
    ],
)
def test_markdown_guideline_structure(title: str) -> None:
    text = (GUIDELINES / f"{title}.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == f"# {title}"
    assert lines[1].startswith("发布机关：") and "示例" in lines[1]
    assert date.fromisoformat(lines[2].removeprefix("发布日期："))
    assert lines[3].removeprefix("检察类别：") in LINES
    assert lines[4] == "示例：是"
    assert re.search(r"^第一章　总则$", text, re.MULTILINE)
    numbers = [cn_to_int(n) for n in _ARTICLE.findall(text)]
    assert 25 <= len(numbers) <= 50
    assert numbers == list(range(1, len(numbers) + 1))


def test_only_the_expected_guidelines_exist() -> None:
    assert len(list(GUIDELINES.glob("*.md"))) == 3
    assert sorted(p.suffix for p in GUIDELINES.iterdir()) == [".docx", ".md", ".md", ".md"]


def test_docx_guideline_opens_and_is_marked() -> None:
    doc = Document(str(DOCX))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0] == "行政非诉执行监督工作指引（示例）"
    assert "示例：是" in paragraphs[:6]
    assert any(p.startswith("发布机关：") for p in paragraphs[:6])
    articles = [p for p in paragraphs if _ARTICLE.match(p)]
    assert [cn_to_int(_ARTICLE.match(p).group(1)) for p in articles] == list(range(1, len(articles) + 1))  # type: ignore[union-attr]
    assert len(articles) >= 8
    assert any(p.startswith("第一章") for p in paragraphs)


def test_chinese_number_helper_round_trips() -> None:
    module = load_script("build_docx")
    for n in (1, 9, 10, 11, 20, 23, 30, 99):
        assert cn_to_int(module.chinese_number(n)) == n
    with pytest.raises(ValueError, match="out of range"):
        module.chinese_number(100)


# --- power list ----------------------------------------------------------------------------------------------------


def test_power_list_title_and_headers() -> None:
    rows = power_rows()
    assert rows[0][0] == "某省人民检察院检察官权力清单（示例）"
    assert tuple(rows[1]) == POWER_HEADERS
    wb = load_workbook(POWER_LIST, read_only=True)
    assert "示例" in wb.sheetnames[0]
    wb.close()


def test_power_list_items() -> None:
    items = power_rows()[2:]
    assert len(items) >= 40
    assert [row[0] for row in items] == list(range(1, len(items) + 1))
    assert {row[1] for row in items} == set(LINES)
    names = [row[3] for row in items]
    assert len(names) == len(set(names)), "权力事项 must be unique"
    for row in items:
        assert row[4] in POWER_SUBJECTS, row
        assert str(row[5]).startswith("《") and "第" in str(row[5]), row
    assert "示例" in str(items[0][6])
    subject = {str(row[3]): row[4] for row in items}
    assert subject["不批准逮捕（一般案件）"] == "检察官"
    assert subject["批准或者不批准逮捕（重大案件）"] == "检察长"
    assert subject["作出酌定不起诉决定"] == "检察长"
    assert subject["作出附条件不起诉决定"] == "检察长"
    assert subject["提出量刑建议"] == "检察官"
    assert subject["提起民事公益诉讼"] == "检察长"


@pytest.mark.parametrize(
    ("script", "function", "committed"),
    [("build_power_list", "build_power_list", POWER_LIST), ("build_docx", "build_docx", DOCX)],
)
def test_generated_files_match_their_scripts(script: str, function: str, committed: Path, tmp_path: Path) -> None:
    module = load_script(script)
    target = tmp_path / committed.name
    assert getattr(module, function)(target) == target
    assert target.read_bytes() == committed.read_bytes(), f"rerun kb/data/demo/{script}.py and commit its output"


# --- README and golden queries -------------------------------------------------------------------------------------


def test_readme_states_counts_and_illustrative_nature() -> None:
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "示例" in readme and "不是任何检察机关正式发布" in readme
    cases = load_cases()
    assert f"**{len(cases)}**" in readme
    per_line = Counter(c.line for c in cases)
    for line, count in per_line.items():
        assert re.search(rf"^\| {line} \|.*\| {count} \|$", readme, re.MULTILINE), line
    assert f"{len(power_rows()) - 2} items" in readme


def test_golden_queries_point_at_existing_entries() -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    queries = data["queries"]
    assert len(queries) == 20
    assert len({q["id"] for q in queries}) == 20
    numbers = {c.number for c in load_cases()}
    titles = {c.title_line.removeprefix("# ") for c in load_cases()}
    items = set(power_items())
    power_questions = 0
    for query in queries:
        assert query["query"] not in titles
        if "expected_power_items" in query:
            power_questions += 1
            assert query["filters"] == {"kind": "power_item"}
            assert set(query["expected_power_items"]) <= items, query["id"]
        else:
            assert query["expected_numbers"], query["id"]
            assert set(query["expected_numbers"]) <= numbers, query["id"]
    assert power_questions >= 2
    assert {n[:3] for q in queries for n in q.get("expected_numbers", [])} == {"示例刑", "示例民", "示例行", "示例公"}
