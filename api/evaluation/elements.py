"""`kb eval elements`: precision / recall of the legal-element extractors on a hand-labelled sample.

The sample (`api/evaluation/labels/elements.jsonl`, one JSON object a line) holds, per case, the file it comes from
(a demo case in kb/data/demo/cases, or an SPP guiding case read by path from the shared data folder — only its file
name and number are stored, never its text) and the labels a reader gave it: charges (罪名/案由), outcomes (处理结果),
decision factors and cited provisions.

Each case goes through the normal ingest path (`ingest.router.read_path` + `ingest.parsers.parse_document`), then
`enrich_case` runs again without front-matter overrides (a demo file states 处理结果 in its front matter; the
evaluation measures what the extractors find in the text), and `extract_case_factors` reads the sections.

Matching rule, per element type, micro-averaged over all cases (a label found = true positive, a prediction not
labelled = false positive, a label not predicted = false negative):

* charges, factors: the exact canonical label;
* outcomes: the exact outcome value (不起诉, 检察建议 …); subtypes (存疑不起诉, 诉前检察建议) are not scored;
* provisions: same law (name normalised: 中华人民共和国 dropped, brackets full-width) and same article, 之N kept
  (第一百三十三条之一 ≠ 第一百三十三条), 款/项 ignored; citations of a whole law without an article are not scored.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError

logger = logging.getLogger(__name__)

ELEMENT_TYPES: tuple[str, ...] = ("charges", "outcomes", "factors", "provisions")
TYPE_LABELS: dict[str, str] = {
    "charges": "罪名/案由",
    "outcomes": "处理结果",
    "factors": "决定因素",
    "provisions": "引用条文",
}
SOURCES: tuple[str, ...] = ("demo", "spp")
LABELS_PATH = Path(__file__).parent / "labels" / "elements.jsonl"
DEMO_DIR = Path(__file__).resolve().parents[2] / "kb" / "data" / "demo" / "cases"
SPP_DIR = Path("../shared/data/cn-guiding-cases/raw/spp_guiding")
MAX_BYTES = 20 * 1024 * 1024
MATCHING_RULE = (
    "逐类型微平均。罪名/案由、决定因素：规范标签完全一致；处理结果：主类一致（存疑不起诉、诉前检察建议等子类不计分）；"
    "引用条文：法律名称（去“中华人民共和国”、括号统一为全角）与条号一致，“之N”保留，款、项忽略；"
    "未写条号的整部法律引用不计分。"
)


class LabelsError(KBError):
    code = "labels_invalid"
    title = "标注样本无效"


@dataclass(frozen=True)
class LabelledCase:
    id: str
    source: str  # demo | spp
    file: str
    number: str | None
    line: str | None
    labels: dict[str, tuple[str, ...]]
    notes: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], predicted: set[str]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def as_dict(self) -> dict[str, float | int]:
        return {**prf(self.tp, self.fp, self.fn), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class CaseResult:
    case: LabelledCase
    predicted: dict[str, list[str]]
    missed: dict[str, list[str]] = field(default_factory=dict)
    spurious: dict[str, list[str]] = field(default_factory=dict)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1; a ratio with nothing to divide by is 0.0."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# --- the labelled sample ---------------------------------------------------------------------------------------


def _string_list(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        msg = f"{where}：字段 {key} 必须是非空字符串组成的列表"
        raise LabelsError(msg, field=key)
    return tuple(v.strip() for v in value)


def _check_vocabulary(case: LabelledCase, where: str) -> None:
    from kb.elements.factors import FACTOR_VALUES
    from kb.elements.outcomes import OUTCOME_VALUES

    for kind, allowed in (("outcomes", OUTCOME_VALUES), ("factors", FACTOR_VALUES)):
        unknown = [v for v in case.labels[kind] if v not in allowed]
        if unknown:
            msg = f"{where}：{kind} 中有词表外的标签：{'、'.join(unknown)}"
            raise LabelsError(msg, field=kind)
    for provision in case.labels["provisions"]:
        try:
            provision_key(provision)
        except ValueError as exc:
            msg = f"{where}：无法解析的条文标注“{provision}”（应形如《刑法》第一百三十三条之一）"
            raise LabelsError(msg, field="provisions") from exc


def parse_label_line(text: str, where: str) -> LabelledCase:
    """One JSON line of the sample; `where` (file and line number) goes into the error message."""
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{where} 不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）"
        raise LabelsError(msg) from exc
    if not isinstance(row, dict):
        msg = f"{where} 应是一个 JSON 对象"
        raise LabelsError(msg)
    for key in ("id", "source", "file"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            msg = f"{where}：缺少字段 {key}"
            raise LabelsError(msg, field=key)
    if row["source"] not in SOURCES:
        msg = f"{where}：source 只能是 {'、'.join(SOURCES)}，不是“{row['source']}”"
        raise LabelsError(msg, field="source")
    if Path(row["file"]).name != row["file"]:
        msg = f"{where}：file 只能是文件名，不能含路径（{row['file']}）"
        raise LabelsError(msg, field="file")
    labels = {kind: _string_list(row.get(kind, []), where, kind) for kind in ELEMENT_TYPES}
    case = LabelledCase(
        id=row["id"].strip(),
        source=row["source"],
        file=row["file"],
        number=row.get("number") or None,
        line=row.get("line") or None,
        labels=labels,
        notes=str(row.get("notes") or ""),
    )
    _check_vocabulary(case, where)
    return case


def load_labels(path: Path) -> list[LabelledCase]:
    """The labelled sample. Raises LabelsError naming the file and line for anything malformed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        msg = f"标注文件不存在：{path}"
        raise LabelsError(msg, path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"无法读取标注文件 {path}：{exc}"
        raise LabelsError(msg, path=str(path)) from exc
    cases: list[LabelledCase] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        case = parse_label_line(line, f"{path.name} 第 {number} 行")
        if case.id in seen:
            msg = f"{path.name} 第 {number} 行：重复的 id “{case.id}”"
            raise LabelsError(msg, field="id")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        msg = f"标注文件 {path} 中没有案例"
        raise LabelsError(msg, path=str(path))
    return cases


def case_path(case: LabelledCase, demo_dir: Path, spp_dir: Path) -> Path:
    path = (demo_dir if case.source == "demo" else spp_dir) / case.file
    if not path.is_file():
        folder = "示例案例目录" if case.source == "demo" else "最高检指导性案例目录（--spp-dir）"
        msg = f"标注 {case.id}：在{folder}中找不到案例文件 {path}"
        raise LabelsError(msg, path=str(path))
    return path


# --- canonical forms -------------------------------------------------------------------------------------------

_SUB_ARTICLE = re.compile(r"之[一二三四五六七八九十]+")


def provision_key(provision: str) -> str:
    """《中华人民共和国刑法》第133条之一第二款 -> 《刑法》第133条之一. Raises ValueError for a whole-law citation."""
    from kb.elements.provisions import parse_provision

    law, article, suffix = parse_provision(provision)
    if article is None:
        msg = f"no article: {provision!r}"
        raise ValueError(msg)
    sub = _SUB_ARTICLE.match(suffix)
    return f"《{law}》第{article}条{sub.group() if sub else ''}"


def canonical(kind: str, values: Iterable[str]) -> set[str]:
    """The comparable form of a list of labels or predictions of one element type."""
    if kind == "outcomes":
        from kb.elements.outcomes import OUTCOME_VALUES

        return {v for v in values if v in OUTCOME_VALUES}
    if kind == "provisions":
        keys: set[str] = set()
        for value in values:
            try:
                keys.add(provision_key(value))
            except ValueError:
                continue  # whole-law citation: not scored
        return keys
    return {v.strip() for v in values if v.strip()}


# --- running the extractors ------------------------------------------------------------------------------------


def predict(path: Path, number: str | None = None) -> dict[str, list[str]]:
    """Parse a case file through ingest and extract its elements from the text (front-matter values ignored)."""
    from ingest.parsers import parse_document
    from ingest.parsers.common import enrich_case, sections_by_key
    from ingest.router import read_path
    from kb.elements.factors import extract_case_factors

    entries = parse_document(read_path(path, max_bytes=MAX_BYTES))
    chosen = [e for e in entries if number and e.number == number] or (entries if len(entries) == 1 else [])
    if not chosen:
        numbers = "、".join(str(e.number) for e in entries)
        msg = f"{path.name} 解析出 {len(entries)} 个条目（{numbers}），没有编号为 {number} 的条目"
        raise LabelsError(msg, path=str(path))
    entry = enrich_case(chosen[0])
    return {
        "charges": list(entry.charges),
        "outcomes": list(entry.outcomes),
        "factors": extract_case_factors(sections_by_key(entry.sections)),
        "provisions": list(entry.provisions),
    }


def compare(case: LabelledCase, predicted: Mapping[str, Sequence[str]]) -> CaseResult:
    result = CaseResult(case, {k: list(v) for k, v in predicted.items()})
    for kind in ELEMENT_TYPES:
        gold, found = canonical(kind, case.labels[kind]), canonical(kind, predicted.get(kind, ()))
        if gold - found:
            result.missed[kind] = sorted(gold - found)
        if found - gold:
            result.spurious[kind] = sorted(found - gold)
    return result


def score(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Micro P/R/F1 per element type, overall and per subset (source, 检察类别), and per outcome/factor label."""
    overall = {kind: Counts() for kind in ELEMENT_TYPES}
    subsets: dict[str, dict[str, Counts]] = {}
    by_value: dict[str, dict[str, Counts]] = {"outcomes": {}, "factors": {}}
    for result in results:
        case = result.case
        groups = [f"source:{case.source}"] + ([f"line:{case.line}"] if case.line else [])
        for kind in ELEMENT_TYPES:
            gold = canonical(kind, case.labels[kind])
            found = canonical(kind, result.predicted.get(kind, ()))
            overall[kind].add(gold, found)
            for group in groups:
                subsets.setdefault(group, {k: Counts() for k in ELEMENT_TYPES})[kind].add(gold, found)
            if kind in by_value:
                for value in gold | found:
                    by_value[kind].setdefault(value, Counts()).add(gold & {value}, found & {value})
    sizes = Counter(f"source:{r.case.source}" for r in results) + Counter(
        f"line:{r.case.line}" for r in results if r.case.line
    )
    return {
        "metrics": {kind: counts.as_dict() for kind, counts in overall.items()},
        "subsets": {
            group: {"n": sizes[group], **{kind: c.as_dict() for kind, c in counts.items()}}
            for group, counts in sorted(subsets.items())
        },
        "by_value": {
            kind: {value: c.as_dict() for value, c in sorted(values.items(), key=lambda kv: -(kv[1].tp + kv[1].fn))}
            for kind, values in by_value.items()
        },
    }


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_elements(
    labels: Path = LABELS_PATH,
    demo_dir: Path = DEMO_DIR,
    spp_dir: Path = SPP_DIR,
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Load the sample, run the extractors on every case, score. Raises LabelsError before any work is done
    when the sample is malformed or a case file is missing."""
    started = time.perf_counter()
    cases = load_labels(labels)
    paths = [case_path(case, demo_dir, spp_dir) for case in cases]
    results: list[CaseResult] = []
    for case, path in zip(cases, paths, strict=True):
        results.append(compare(case, predict(path, case.number)))
        if progress is not None:
            progress(1)
    scored = score(results)
    return {
        "dataset": "elements",
        "labels": _display(labels),
        "n_cases": len(results),
        "n_labels": {kind: sum(len(canonical(kind, c.labels[kind])) for c in cases) for kind in ELEMENT_TYPES},
        "sources": dict(Counter(c.source for c in cases)),
        "matching": MATCHING_RULE,
        **scored,
        "cases": [
            {
                "id": r.case.id,
                "number": r.case.number,
                "file": r.case.file,
                "missed": r.missed,
                "spurious": r.spurious,
            }
            for r in results
            if r.missed or r.spurious
        ],
        "eval_seconds": round(time.perf_counter() - started, 2),
    }


# --- report files ----------------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _prf_cell(m: Mapping[str, Any]) -> str:
    if not m["tp"] + m["fp"] + m["fn"]:
        return "—"
    return f"{_pct(m['precision'])}/{_pct(m['recall'])}/{_pct(m['f1'])}"


def markdown(result: Mapping[str, Any]) -> str:
    lines = [
        "# 法律要素抽取评测（`kb eval elements`）",
        "",
        f"样本：{result['n_cases']} 个人工标注案例（{'，'.join(f'{k} {v}' for k, v in result['sources'].items())}）。",
        f"命令：`{result.get('command', 'kb eval elements')}`",
        "",
        f"匹配规则：{result['matching']}",
        "",
        "| 要素 | 标注数 | Precision | Recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in ELEMENT_TYPES:
        m = result["metrics"][kind]
        lines.append(
            f"| {TYPE_LABELS[kind]} ({kind}) | {result['n_labels'][kind]} | {_pct(m['precision'])} | {_pct(m['recall'])}"
            f" | {_pct(m['f1'])} | {m['tp']} | {m['fp']} | {m['fn']} |"
        )
    lines += ["", "## 分组（F1）", "", "| 分组 | 案例数 | " + " | ".join(TYPE_LABELS[k] for k in ELEMENT_TYPES) + " |"]
    lines.append("|---|---|" + "---|" * len(ELEMENT_TYPES))
    for group, scores in result["subsets"].items():
        cells = [_prf_cell(scores[k]) for k in ELEMENT_TYPES]
        lines.append(f"| {group} | {scores['n']} | " + " | ".join(cells) + " |")
    lines += ["", "（单元格为 P/R/F1；“—”表示该组此类要素既无标注也无抽取结果。）"]
    for kind in ("outcomes", "factors"):
        lines += [
            "",
            f"## {TYPE_LABELS[kind]}：逐标签",
            "",
            "| 标签 | 标注数 | P | R | F1 | FP | FN |",
            "|---|---|---|---|---|---|---|",
        ]
        for value, m in result["by_value"][kind].items():
            lines.append(
                f"| {value} | {m['tp'] + m['fn']} | {_pct(m['precision'])} | {_pct(m['recall'])} | {_pct(m['f1'])}"
                f" | {m['fp']} | {m['fn']} |"
            )
    lines += ["", "## 逐案错误（漏：标注有而未抽出；多：抽出而未标注）", ""]
    for case in result["cases"]:
        parts = []
        for kind in ELEMENT_TYPES:
            if kind in case["missed"]:
                parts.append(f"{TYPE_LABELS[kind]}漏：{'、'.join(case['missed'][kind])}")
            if kind in case["spurious"]:
                parts.append(f"{TYPE_LABELS[kind]}多：{'、'.join(case['spurious'][kind])}")
        lines.append(f"- **{case['id']}**（{case['number'] or case['file']}）：{'；'.join(parts)}")
    return "\n".join(lines) + "\n"


def write_report(result: Mapping[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "elements.json", out_dir / "elements.md"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(result), encoding="utf-8")
    logger.info("elements report written to %s", out_dir)
    return [json_path, md_path]
