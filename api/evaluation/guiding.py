"""`kb eval guiding`: given an SPP guiding case's facts, does the search bring up the guiding cases on the same issue,
ahead of the court cases around them?

Protocol (docs/evaluation.md, "Similar guiding cases"):
1. A knowledge base of its own (``<home>/<embedder>``, kept between runs; a manifest of the source files lets a
   second run skip the ingest) gets, through the normal ingest path (`ingest.pipeline.ingest_paths`, format detected
   per file), the SPP guiding cases (``raw/spp_guiding``) and, as distractors, the SPC guiding cases
   (``raw/spc_guiding``) and the SPC gazette cases (``raw/spc_gazette``) of the cn-guiding-cases collection.
2. Relevance comes from the SPP itself: every guiding case carries 【关键词】 chosen by the SPP. Another SPP guiding
   case is relevant to a query case when the two share at least one keyword; its gain is the number they share.
   Nobody here wrote a label. The labels are sparse and coarse (a shared 行政公益诉讼 or 检察建议 counts as much as a
   shared 正当防卫), so the figures compare configurations; they are not a bar.
3. Query: the case's 基本案情, as a prosecutor would paste a new case's facts. The query case is left out of the
   library before ranking (its own chunks are dropped from the retrieved lists), so it can neither be found nor vote
   for its own charges. A case is evaluated when it has 基本案情 and at least one relevant case.
4. Configurations, each ranked from one retrieval per query with the pipeline's own components
   (`api.evaluation.runner.ConfigRanker`): BM25, dense, hybrid RRF, the product without the charge vote, and the
   product pipeline as the knowledge base builds it for the embedder (`product_config`). Nothing is tuned here.
5. Metrics per case, averaged over cases, for all cases and per 检察类别 (line) of the query case: nDCG@10 with the
   shared-keyword gains, P@5 (share of the first five that are relevant), MRR (first relevant case), Recall@20, and
   court@10 — the share of the first ten that are court cases (SPC guiding or gazette), the distractors.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from api.evaluation.eval_index import advance, built_already, embedder_home, index_summary, open_cached_kb
from api.evaluation.metrics import mean, ndcg_at, precision_at, recall_at
from api.evaluation.runner import CONFIGS, ConfigRanker, EvalConfig, product_config
from ingest.pipeline import IngestReport, expand_paths, ingest_paths
from kb.errors import KBError
from kb.models import Entry, EntryKind
from kb.service import KnowledgeBase

logger = logging.getLogger(__name__)

Tick = Callable[[int], None]
ProgressFactory = Callable[[str, int], Tick]

# (folder under raw/, progress label): the SPP guiding cases first, then the court cases around them
SOURCES = (
    ("spp_guiding", "导入检察院指导性案例"),
    ("spc_guiding", "导入法院指导性案例（干扰项）"),
    ("spc_gazette", "导入法院公报案例（干扰项）"),
)
SPP_NUMBER = re.compile(r"^检例第\d+号$")
MANIFEST = "manifest.json"
RANKED = 100  # entries ranked per query
DEFAULT_CONFIG = "product"
CONFIG_NAMES = ("bm25", "dense", "hybrid", "product@no-vote", "product")
SUBSET_ALL = "all"
RELATED_MIN_CHARS = 4  # a keyword inside another relates them only from this length (not 监督 in 侦查活动监督)


class GuidingEvalError(KBError):
    code, title = "guiding_eval_error", "指导性案例检索评测无法进行"


@dataclass
class GuidingRun:
    data: Path  # the cn-guiding-cases collection
    home: Path = Path("var/eval/guiding")
    embedder: str = "use-m3"
    limit: int | None = None  # evaluate only the first N cases (a quick try)


@dataclass
class CaseQuery:
    entry_id: str
    number: str
    line: str
    text: str
    gains: dict[str, int]  # relevant entry id -> keywords shared with the query case
    related: dict[str, int] = field(default_factory=dict)  # the same with keywords related by containment


@dataclass
class BuildInfo:
    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False
    failed: list[str] = field(default_factory=list)


# --- index ---------------------------------------------------------------------------------------------------------


def index_home(run: GuidingRun) -> Path:
    return embedder_home(run.home, run.embedder)


def open_kb(run: GuidingRun) -> KnowledgeBase:
    return open_cached_kb(run.home, run.embedder)


def source_files(data: Path) -> dict[str, list[Path]]:
    """folder -> its markdown files; the SPP folder must hold some."""
    out: dict[str, list[Path]] = {}
    for folder, _ in SOURCES:
        base = data / "raw" / folder
        out[folder] = sorted(p for p in expand_paths([base]) if p.suffix == ".md") if base.is_dir() else []
    if not out["spp_guiding"]:
        msg = f"指导性案例目录中没有检察院指导性案例（raw/spp_guiding/*.md）：{data}"
        raise GuidingEvalError(msg, path=str(data))
    return out


def _manifest(paths: Iterable[Path]) -> list[list[Any]]:
    return [[p.name, p.stat().st_size, int(p.stat().st_mtime)] for p in paths]


def build(kb: KnowledgeBase, run: GuidingRun, progress: ProgressFactory | None = None) -> BuildInfo:
    """Ingest every source folder through the normal path, unless the manifest says it is done."""
    files = source_files(run.data)
    info = BuildInfo(files={folder: len(paths) for folder, paths in files.items()})
    manifest = {folder: _manifest(paths) for folder, paths in files.items()}
    stamp = index_home(run) / MANIFEST
    if built_already(kb, stamp, manifest):
        info.skipped = True
        return info
    started = time.perf_counter()
    reports: list[IngestReport] = []
    for folder, label in SOURCES:
        paths = files[folder]
        if not paths:
            continue
        tick = progress(label, len(paths)) if progress else None
        reports.append(ingest_paths(kb, paths, on_file=advance(tick)))
    info.failed = [f.error_line() for r in reports for f in r.files if f.error is not None]
    info.seconds = round(time.perf_counter() - started, 1)
    stamp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return info


# --- queries and labels --------------------------------------------------------------------------------------------


def is_spp_case(entry: Entry) -> bool:
    return bool(entry.number and SPP_NUMBER.match(entry.number))


def spp_number(number: str) -> int:
    digits = re.sub(r"\D", "", number)
    return int(digits) if digits else 0


def keyword_gains(keywords: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    """entry id -> {other entry id: keywords the two share}, for every pair sharing at least one."""
    holders: dict[str, set[str]] = {}
    for entry_id, words in keywords.items():
        for word in set(words):
            holders.setdefault(word, set()).add(entry_id)
    gains: dict[str, dict[str, int]] = {}
    for entry_id, words in keywords.items():
        shared: Counter[str] = Counter()
        for word in set(words):
            shared.update(holders[word] - {entry_id})
        gains[entry_id] = dict(shared)
    return gains


def _normal_keyword(word: str) -> str:
    """故意伤害罪 and 故意伤害 are one keyword."""
    return word[:-1] if word.endswith("罪") and len(word) > 2 else word


def keywords_related(a: str, b: str) -> bool:
    """The same keyword, or one of at least RELATED_MIN_CHARS characters inside the other (核准追诉 in 不予核准追诉,
    检察建议 in 再审检察建议), after a trailing 罪 is dropped."""
    a, b = _normal_keyword(a), _normal_keyword(b)
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= RELATED_MIN_CHARS and short in long)


def related_gains(keywords: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    """entry id -> {other entry id: the query's keywords related to one of the other's}, for every pair with one."""
    gains: dict[str, dict[str, int]] = {}
    for entry_id, words in keywords.items():
        mine = set(words)
        gains[entry_id] = {}
        for other, theirs in keywords.items():
            if other == entry_id:
                continue
            shared = sum(1 for w in mine if any(keywords_related(w, t) for t in set(theirs)))
            if shared:
                gains[entry_id][other] = shared
    return gains


def case_queries(entries: Iterable[tuple[str, Entry]]) -> tuple[list[CaseQuery], dict[str, int], set[str]]:
    """The evaluated SPP cases, counts over all of them, and the ids of every SPP case (the rest are distractors)."""
    spp = {entry_id: entry for entry_id, entry in entries if is_spp_case(entry)}
    keywords = {entry_id: [k.strip() for k in e.keywords if k.strip()] for entry_id, e in spp.items()}
    gains, related = keyword_gains(keywords), related_gains(keywords)
    queries: list[CaseQuery] = []
    counts = {"spp_cases": len(spp), "with_keywords": 0, "with_facts": 0, "with_relevant": 0}
    for entry_id, entry in spp.items():
        facts = entry.section("facts").strip()
        counts["with_keywords"] += bool(entry.keywords)
        counts["with_facts"] += bool(facts)
        counts["with_relevant"] += bool(gains[entry_id])
        if facts and gains[entry_id]:
            number = entry.number or entry.title
            line = entry.line or "未标类别"
            queries.append(CaseQuery(entry_id, number, line, facts, gains[entry_id], related[entry_id]))
    queries.sort(key=lambda q: spp_number(q.number))
    return queries, counts, set(spp)


# --- ranking and metrics -------------------------------------------------------------------------------------------


def eval_configs(embedder: str) -> dict[str, EvalConfig]:
    """The configurations compared, by name: the product as built for this embedder, and what it is made of."""
    product = replace(product_config(embedder), name="product")
    return {
        "bm25": CONFIGS["bm25"],
        "dense": CONFIGS["dense"],
        "hybrid": CONFIGS["hybrid"],
        "product@no-vote": replace(product, name="product@no-vote", infer_from=0),
        "product": product,
    }


def rankings(ranker: ConfigRanker, query: CaseQuery, configs: Sequence[EvalConfig]) -> dict[str, list[str]]:
    """config name -> the first RANKED entry ids, the query case left out of the library before ranking."""
    retrieved = ranker.retrieve(query, filters=None, top_k=ranker.library_depth(query))
    retrieved.bm25 = [d for d in retrieved.bm25 if d.meta.get("entry_id") != query.entry_id]
    retrieved.dense = [d for d in retrieved.dense if d.meta.get("entry_id") != query.entry_id]
    return {c.name: [h.entry_id for h in ranker.rank(retrieved, c)][:RANKED] for c in configs}


def query_metrics(ranking: Sequence[str], gains: Mapping[str, int], spp_ids: set[str]) -> dict[str, float]:
    relevant = set(gains)
    first = next((i for i, entry_id in enumerate(ranking, start=1) if entry_id in relevant), None)
    top10 = ranking[:10]
    return {
        "ndcg@10": ndcg_at(ranking, gains, 10),
        "p@5": precision_at(ranking, relevant, 5),
        "mrr": 1.0 / first if first else 0.0,
        "recall@20": recall_at(ranking, relevant, 20),
        "court@10": sum(1 for e in top10 if e not in spp_ids) / len(top10) if top10 else 0.0,
    }


METRICS = ("ndcg@10", "p@5", "mrr", "recall@20", "court@10")


def summarise(
    rows: Sequence[dict[str, Any]], config_names: Sequence[str], labels: str = "metrics"
) -> dict[str, dict[str, dict[str, float]]]:
    """config -> subset (all, then each line with at least 5 cases) -> metric means (and n); `labels`: the rows'
    field to average ("metrics": shared keywords, "related_metrics": keywords related by containment)."""
    lines = Counter(row["line"] for row in rows)
    subsets = [SUBSET_ALL, *sorted(line for line, n in lines.items() if n >= 5)]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in config_names:
        out[name] = {}
        for subset in subsets:
            chosen = [r for r in rows if subset in (SUBSET_ALL, r["line"])]
            cell = {m: round(mean([r[labels][name][m] for r in chosen]), 4) for m in METRICS}
            out[name][subset] = {"n": len(chosen), **cell}
    return out


def run_guiding(run: GuidingRun, progress: ProgressFactory | None = None) -> dict[str, Any]:
    kb = open_kb(run)
    try:
        info = build(kb, run, progress)
        kb.warm_up()
        entries = [(entry_id, entry) for entry_id, _, entry in kb.records.iter_published(kind=EntryKind.CASE.value)]
        queries, counts, spp_ids = case_queries(entries)
        label = {entry_id: entry.number or entry.title for entry_id, entry in entries}  # how a case is named
        if run.limit:
            queries = queries[: run.limit]
        if not queries:
            msg = "没有可评测的案例：检察院指导性案例中没有既有基本案情、又与其他案例有共同关键词的案例"
            raise GuidingEvalError(msg)
        configs = eval_configs(run.embedder)
        ranker = ConfigRanker(kb)
        started = time.perf_counter()
        tick = progress("评测案例", len(queries)) if progress else None
        rows: list[dict[str, Any]] = []
        for query in queries:
            ranked = rankings(ranker, query, list(configs.values()))
            rows.append({
                "number": query.number,
                "line": query.line,
                "relevant": len(query.gains),
                "related": len(query.related),
                "metrics": {name: query_metrics(r, query.gains, spp_ids) for name, r in ranked.items()},
                "related_metrics": {name: query_metrics(r, query.related, spp_ids) for name, r in ranked.items()},
                "first": [label.get(entry_id, entry_id) for entry_id in ranked[DEFAULT_CONFIG][:10]],
            })
            if tick:
                tick(1)
        return {
            "dataset": "guiding",
            "default_config": DEFAULT_CONFIG,
            "metrics": summarise(rows, list(configs)),
            "metrics_related": summarise(rows, list(configs), "related_metrics"),
            "cases": counts,
            "cases_evaluated": len(rows),
            "entries": len(entries),
            "spp_entries": len(spp_ids),
            "index": index_summary(kb, index_home(run), info),
            "eval_seconds": round(time.perf_counter() - started, 1),
            "rows": rows,
        }
    finally:
        kb.close()


CONFIG_LABELS = {
    "bm25": "BM25",
    "dense": "dense",
    "hybrid": "hybrid (RRF)",
    "product@no-vote": "product without the charge vote",
    "product": "product",
}


def write_report(result: dict[str, Any], out_dir: Path) -> list[Path]:
    """guiding.json (every figure and every case) and guiding.md (the summary)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "guiding.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    c, index = result["cases"], result["index"]
    build_info = index["build"]
    lines = [
        "# Similar guiding cases: an SPP guiding case's facts against the SPP and court cases",
        "",
        f"Command: `{result.get('command', 'kb eval guiding')}`",
        "",
        f"- SPP guiding cases: {c['spp_cases']} ({c['with_keywords']} with 关键词, {c['with_facts']} with 基本案情, "
        f"{c['with_relevant']} sharing a keyword with another); evaluated: {result['cases_evaluated']}",
        f"- index: {result['entries']} cases ({result['entries'] - result['spp_entries']} court cases as "
        f"distractors), {index['chunks']} chunks, embedder {index['embedder']}; build {build_info['seconds']:.0f} s "
        f"({'cached' if build_info['skipped'] else 'ingested'}); evaluation {result['eval_seconds']} s",
        "- relevant: another SPP guiding case sharing a 关键词 (gain = keywords shared); court@10 is the share of "
        "the first ten that are court cases (lower is better)",
        "",
        "| configuration | subset | n | nDCG@10 | P@5 | MRR | Recall@20 | court@10 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += _table_rows(result["metrics"])
    lines += [
        "",
        "The same rankings against keywords related by containment (故意伤害罪 = 故意伤害; 核准追诉 relates to "
        f"不予核准追诉; the shorter keyword at least {RELATED_MIN_CHARS} characters), a check on how much the "
        "figures depend on the SPP's wording:",
        "",
        "| configuration | subset | n | nDCG@10 | P@5 | MRR | Recall@20 | court@10 |",
        "|---|---|---|---|---|---|---|---|",
        *_table_rows(result["metrics_related"], subsets=(SUBSET_ALL,)),
    ]
    md_path = out_dir / "guiding.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [json_path, md_path]


def _table_rows(metrics: dict[str, Any], subsets: Sequence[str] | None = None) -> list[str]:
    lines = []
    for name, by_subset in metrics.items():
        for subset, m in by_subset.items():
            if subsets is None or subset in subsets:
                cells = " | ".join(f"{m[k]:.3f}" for k in METRICS)
                lines.append(f"| {CONFIG_LABELS.get(name, name)} | {subset} | {m['n']} | {cells} |")
    return lines
