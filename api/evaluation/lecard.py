"""LeCaRD (SIGIR 2021) read by path: queries, graded labels, golden labels, 100-candidate pools and candidates.

Nothing is copied: every file is read from the dataset folder given on the command line (see
../shared/data/lecard/SOURCE.md for its layout). Candidates are streamed from the gzipped JSONL, one record at a
time.

Query subsets follow the upstream evaluation script (myx666/LeCaRD ``metrics.py``): ``--q common`` takes the first
77 keys of ``label_top30_dict.json`` in file order and ``--q controversial`` the remaining 30. Upstream also ships
``data/query/common_query.json`` whose first entries are the same queries in the same order.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError

COMMON_COUNT = 77  # upstream metrics.py: keys[:77] are "common", keys[77:] "controversial"
CANDIDATE_FIELDS = ("pid", "ajName", "ajjbqk", "cpfxgc", "pjjg")  # what the index may see (no qid, no labels)


class DatasetError(KBError):
    code = "dataset_invalid"
    title = "评测数据集无效"


@dataclass(frozen=True)
class LecardQuery:
    qid: str
    text: str
    charges: list[str]
    subset: str  # "common" | "controversial"


@dataclass
class LecardDataset:
    root: Path
    queries: list[LecardQuery]
    labels: dict[str, dict[str, int]]  # qid -> pid -> grade 0..3 (label_top30_dict, in file order)
    golden: dict[str, list[str]]  # qid -> golden pids
    pools: dict[str, list[str]]  # qid -> the 100 pooled pids (combined_top100)
    baselines: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # name -> qid -> ranked pids

    @property
    def candidates_path(self) -> Path:
        return self.root / "candidates" / "candidates_noqw.jsonl.gz"

    def subset(self, name: str) -> list[LecardQuery]:
        if name == "all":
            return list(self.queries)
        return [q for q in self.queries if q.subset == name]


def _read_json(path: Path) -> Any:
    if not path.is_file():
        msg = f"找不到评测数据文件：{path}"
        raise DatasetError(msg, path=str(path))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        msg = f"评测数据文件不是有效的 JSON：{path}（{exc}）"
        raise DatasetError(msg, path=str(path)) from exc


def _read_queries(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        msg = f"找不到查询文件：{path}"
        raise DatasetError(msg, path=str(path))
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                msg = f"查询文件 {path} 第{number}行不是有效的 JSON：{exc}"
                raise DatasetError(msg, path=str(path), line=number) from exc
    return rows


def load_lecard(root: Path) -> LecardDataset:
    """Read the small files of the dataset (the candidates are streamed separately by `iter_candidates`)."""
    root = Path(root)
    if not root.is_dir():
        msg = f"评测数据目录不存在：{root}"
        raise DatasetError(msg, path=str(root))
    raw_labels: dict[str, dict[str, Any]] = _read_json(root / "label" / "label_top30_dict.json")
    labels = {str(q): {str(p): int(g) for p, g in grades.items()} for q, grades in raw_labels.items()}
    order = {qid: i for i, qid in enumerate(labels)}
    golden = {str(q): [str(p) for p in pids] for q, pids in _read_json(root / "label" / "golden_labels.json").items()}
    pools = {
        str(q): [str(p) for p in pids] for q, pids in _read_json(root / "prediction" / "combined_top100.json").items()
    }
    queries = []
    for row in _read_queries(root / "query" / "query.json"):
        qid = str(row.get("ridx"))
        if qid not in labels:
            msg = f"查询 {qid} 在 label_top30_dict.json 中没有标注"
            raise DatasetError(msg, qid=qid)
        subset = "common" if order[qid] < COMMON_COUNT else "controversial"
        queries.append(LecardQuery(qid, str(row.get("q") or ""), [str(c) for c in row.get("crime") or []], subset))
    baselines: dict[str, dict[str, list[str]]] = {}
    for name in ("bm25", "tfidf", "lm"):
        path = root / "prediction" / f"{name}_top100.json"
        if path.is_file():
            baselines[name] = {str(q): [str(p) for p in pids] for q, pids in _read_json(path).items()}
    return LecardDataset(root=root, queries=queries, labels=labels, golden=golden, pools=pools, baselines=baselines)


def iter_candidates(path: Path) -> Iterator[dict[str, Any]]:
    """Candidate records, one at a time, reduced to `CANDIDATE_FIELDS` (the query folder `qid` is dropped).

    The same judgment (pid) sits in several query folders; it is yielded once, at its first occurrence.
    """
    if not path.is_file():
        msg = f"找不到候选案例文件：{path}"
        raise DatasetError(msg, path=str(path))
    seen: set[str] = set()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                msg = f"候选案例文件 {path} 第{number}行不是有效的 JSON：{exc}"
                raise DatasetError(msg, path=str(path), line=number) from exc
            pid = str(record.get("pid"))
            if pid in seen:
                continue
            seen.add(pid)
            yield {k: (pid if k == "pid" else record[k]) for k in CANDIDATE_FIELDS if k in record}
