"""`kb eval provisions`: do the provision links find the articles a case cites, from its facts alone?

Protocol (docs/evaluation.md, "Provision links"):

1. A knowledge base of its own (``<home>/<embedder>``, kept between runs) gets, through the normal ingest path
   (`ingest.pipeline.ingest_paths`), the laws (``--kind law``; every ``*.md`` under the chosen folders of the
   laws collection; a law published one part per file — the 民法典 — is joined into one document first) and the
   SPP guiding cases. A manifest of the source files lets a second run skip the ingest.
2. For each case, its 相关规定 citations (kb.elements.provisions, article level) are resolved to law articles
   (kb.provision_links). A case is evaluated when at least one resolves; its relevant set is the resolved articles.
3. Query: the case's 基本案情 with every citation masked (《…》 names and 第X条 numbers removed), so the facts
   cannot name the answer.
4. Each query goes through the product's 类案比对 (`kb.analysis.analyze_case`, the query case left out of the
   search), whose 可能适用的条文 come from `kb.provision_suggest`; the rankings it fused are scored one by one:
   * ``direct`` — hybrid retrieval over law chunks, chunks mapped to their articles;
   * ``similar_cases_k10_rank`` — the first run's vote: the top 10 similar cases vote for the articles their
     provisions resolve to, weight 1 / log2(rank + 1);
   * ``similar_cases`` — the product's vote (VOTE_K cases, VOTE_WEIGHTING);
   * ``charge_articles`` — the 刑法 articles defining the charges the analysis recognises (named or inferred);
   * ``direct_cited`` — a candidate, not in the product: the direct retrieval held to the laws the first VOTE_K
     similar cases cite; it enters the weight grid (CITED_WEIGHTS) and stays out of the product at weight 0;
   * ``fusion_previous`` — the first run's fusion: RRF of direct (weight 0.25) and the k10/rank vote (weight 1);
   * ``fusion_no_charges`` — the product's fusion without the charge ranking (its gain);
   * ``fusion_tuned`` — the vote setting from VOTE_GRID, then the fusion weights from DIRECT_WEIGHTS ×
     CHARGE_WEIGHTS × CITED_WEIGHTS, each the best Recall@10 on the odd 检例 numbers;
   * ``fusion`` — what the product shows (its constants; set to the tuned values, `product_is_tuned` says whether
     they still are): the reported figure; its ``even`` row is the held-out one.
5. Recall@5 / Recall@10 (share of the case's relevant articles in the first 5 / 10, averaged over cases) and MRR
   (reciprocal rank of the first relevant article), over all cases and over odd / even 检例 numbers. RRF's k is
   fixed; only the vote setting and the fusion weights are tuned, on odd numbers.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.evaluation.eval_index import advance, built_already, embedder_home, index_summary, open_cached_kb
from api.evaluation.metrics import mean, recall_at
from ingest.pipeline import IngestReport, expand_paths, ingest_paths
from kb.analysis import analyze_case
from kb.elements.numbers import CN_NUM_CHARS
from kb.elements.provisions import extract_provisions
from kb.errors import KBError
from kb.models import Entry, EntryKind
from kb.provision_links import ProvisionResolver
from kb.provision_suggest import (
    RRF_K,
    VOTE_K,
    VOTE_WEIGHTING,
    WEIGHTS,
    Signals,
    VoteSettings,
    cited_laws,
    direct_ranking,
    fuse,
    rankings,
    vote,
)
from kb.service import KnowledgeBase

logger = logging.getLogger(__name__)

Tick = Callable[[int], None]
ProgressFactory = Callable[[str, int], Tick]
ArticleId = tuple[str, str]  # (law entry id, article heading)

# Folders of the laws collection holding what the SPP guiding cases cite (see its SOURCE.md); 宪法, 案例 and 其他
# are left out (no article the cases cite; 案例 are not laws).
DEFAULT_LAW_FOLDERS = (
    "刑法",
    "诉讼与非诉讼程序法",
    "宪法相关法",
    "司法解释",
    "民法典",
    "行政法",
    "社会法",
    "经济法",
    "民法商法",
    "行政法规",
    "部门规章",
)
RANKERS = (
    "direct",
    "similar_cases_k10_rank",
    "similar_cases",
    "charge_articles",
    "direct_cited",
    "fusion_previous",
    "fusion_no_charges",
    "fusion_tuned",
    "fusion",
)
DEFAULT_RANKER = "fusion"
SIMILAR_K = 10  # the first run's vote: 10 cases, weight 1 / log2(rank + 1)
# Settings tried on the odd 检例 numbers (the similar-case ranking weighs 1 in the fusion).
VOTE_GRID = tuple(VoteSettings(k, w) for k in (5, 10, 20) for w in ("rank", "similarity", "rank_similarity"))
DIRECT_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)
PREVIOUS_WEIGHTS = {"direct": 0.25, "similar": 1.0}  # the first run's fusion (with the k10/rank vote)
CHARGE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
CITED_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)
MANIFEST = "manifest.json"


class ProvisionEvalError(KBError):
    code, title = "provision_eval_error", "条文关联评测无法进行"


@dataclass
class ProvisionRun:
    laws: Path
    cases: Path
    home: Path = Path("var/eval/provisions")
    embedder: str = "use-m3"
    folders: Sequence[str] = DEFAULT_LAW_FOLDERS
    limit: int | None = None  # evaluate only the first N cases (a quick try)


@dataclass
class CaseQuery:
    entry_id: str
    number: str
    query: str
    relevant: list[ArticleId]
    citations: int  # article-level citations in its 相关规定
    resolved: int  # of which resolve


@dataclass
class BuildInfo:
    skipped: bool = False
    law_files: int = 0
    case_files: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0


# --- building -----------------------------------------------------------------------------------------------------

_TITLE = re.compile(r"^#[ \t]+(?P<title>[^\n]+)\n+#[ \t]+(?P<part>[^\n#]{1,20})[ \t]*\n")
_FIRST_ARTICLE = re.compile(rf"^第(?P<n>[{CN_NUM_CHARS}]+)条", re.MULTILINE)


def _part_order(text: str) -> int:
    from kb.elements.numbers import chinese_to_int

    m = _FIRST_ARTICLE.search(text)
    return chinese_to_int(m["n"]) if m else 10**9


def join_parts(files: Sequence[Path], out_dir: Path) -> list[Path]:
    """Files that are parts of one law (``# 中华人民共和国民法典`` then ``# 总则``) joined into one document, parts
    in article order, each part's name a 编 heading; other files as they are."""
    groups: dict[str, list[tuple[int, str, str]]] = {}
    plain: list[Path] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        m = _TITLE.match(text.lstrip("\ufeff"))
        if m is None:
            plain.append(path)
            continue
        body = text.lstrip("\ufeff")[m.end() :]
        groups.setdefault(m["title"].strip(), []).append((_part_order(body), m["part"].strip(), body))
    out_dir.mkdir(parents=True, exist_ok=True)
    joined: list[Path] = []
    from kb.elements.numbers import int_to_chinese

    for title, parts in groups.items():
        parts.sort()
        lines = [f"# {title}", ""]
        for i, (_, name, body) in enumerate(parts, start=1):
            body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
            lines += [f"# 第{int_to_chinese(i)}编 {name}", "", _drop_preamble(body)]
        target = out_dir / f"{title}.md"
        content = "\n".join(lines)
        if not target.is_file() or target.read_text(encoding="utf-8") != content:  # keep its mtime: the manifest
            target.write_text(content, encoding="utf-8")
        joined.append(target)
    return plain + joined


def _drop_preamble(body: str) -> str:
    """A part's text from its first structure line on (its own 通过/施行 lines repeat the law's)."""
    m = re.search(rf"^(?:#+[ \t]*)?第[{CN_NUM_CHARS}]+(?:分编|章|节|条)", body, re.MULTILINE)
    return body[m.start() :] if m else body


def law_files(laws: Path, folders: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for folder in folders:
        base = laws / folder
        if not base.is_dir():
            msg = f"法律法规目录中没有 {folder}：{base}"
            raise ProvisionEvalError(msg, path=str(base))
        out += [p for p in expand_paths([base]) if p.suffix == ".md" and not p.name.startswith("_")]
    return out


def _manifest(paths: Iterable[Path]) -> list[list[Any]]:
    return [[str(p), p.stat().st_size, int(p.stat().st_mtime)] for p in paths]


def open_kb(run: ProvisionRun) -> KnowledgeBase:
    return open_cached_kb(run.home, run.embedder)


def index_home(run: ProvisionRun) -> Path:
    return embedder_home(run.home, run.embedder)


def build(kb: KnowledgeBase, run: ProvisionRun, progress: ProgressFactory | None = None) -> BuildInfo:
    """Ingest the laws (as laws) and the cases through the normal path, unless the manifest says it is done."""
    home = index_home(run)
    files = join_parts(law_files(run.laws, run.folders), home / "joined")
    case_dir = run.cases / "raw" / "spp_guiding" if (run.cases / "raw" / "spp_guiding").is_dir() else run.cases
    case_files = [p for p in expand_paths([case_dir]) if p.suffix == ".md"]
    if not case_files:
        msg = f"案例目录中没有 .md 文件：{case_dir}"
        raise ProvisionEvalError(msg, path=str(case_dir))
    manifest = {"laws": _manifest(files), "cases": _manifest(case_files)}
    stamp = home / MANIFEST
    info = BuildInfo(law_files=len(files), case_files=len(case_files))
    if built_already(kb, stamp, manifest):
        info.skipped = True
        return info
    started = time.perf_counter()
    reports: list[IngestReport] = []
    for label, paths, kind in (("导入法律法规", files, EntryKind.LAW.value), ("导入指导性案例", case_files, None)):
        tick = progress(label, len(paths)) if progress else None
        reports.append(ingest_paths(kb, paths, kind=kind, on_file=advance(tick)))
    info.failed = [f.error_line() for r in reports for f in r.files if f.error is not None]
    info.seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return info


# --- queries ------------------------------------------------------------------------------------------------------

_BOOK = re.compile(r"《[^《》\n]{1,120}》")
_ARTICLE_NO = re.compile(
    rf"第\s*[0-9{CN_NUM_CHARS}]+\s*条(?:\s*之\s*[{CN_NUM_CHARS}]+)?(?:\s*第\s*[0-9{CN_NUM_CHARS}]+\s*[款项])*"
)


def mask_citations(text: str) -> str:
    """The text with law names in 《》 and article numbers removed (the answer must not be in the query)."""
    return _ARTICLE_NO.sub("", _BOOK.sub("", text))


def cited_articles(entry: Entry) -> list[str]:
    """The article-level citations of a case's 相关规定 (whole-law citations left out)."""
    return [p for p in extract_provisions(entry.section("provisions")) if not p.endswith("》")]


def case_queries(kb: KnowledgeBase, resolver: ProvisionResolver) -> tuple[list[CaseQuery], dict[str, Any]]:
    """Every SPP guiding case with a resolvable citation, and counts over all cases."""
    queries: list[CaseQuery] = []
    totals = {"cases": 0, "cases_with_citations": 0, "citations": 0, "resolved": 0}
    for entry_id, _, entry in kb.records.iter_published(kind=EntryKind.CASE.value):
        totals["cases"] += 1
        cited = cited_articles(entry)
        if not cited:
            continue
        totals["cases_with_citations"] += 1
        refs = resolver.resolve_many(cited)
        relevant = list(dict.fromkeys((r.law_entry_id, r.article) for r in refs if r is not None))
        resolved = sum(1 for r in refs if r is not None)
        totals["citations"] += len(cited)
        totals["resolved"] += resolved
        facts = entry.section("facts")
        if not relevant or not facts.strip():
            continue
        queries.append(
            CaseQuery(entry_id, entry.number or entry.title, mask_citations(facts), relevant, len(cited), resolved)
        )
    queries.sort(key=lambda q: (_number(q.number), q.number))
    return queries, totals


def _number(number: str) -> int:
    m = re.search(r"\d+", number)
    return int(m.group(0)) if m else 10**9


# --- rankers ------------------------------------------------------------------------------------------------------


def reciprocal_rank(ranking: Sequence[ArticleId], relevant: Iterable[ArticleId]) -> float:
    wanted = set(relevant)
    return next((1.0 / i for i, a in enumerate(ranking, start=1) if a in wanted), 0.0)


def score(ranking: Sequence[ArticleId], relevant: Sequence[ArticleId]) -> dict[str, float]:
    keys = [f"{a}|{h}" for a, h in ranking]
    wanted = [f"{a}|{h}" for a, h in relevant]
    return {
        "recall@5": recall_at(keys, wanted, 5),
        "recall@10": recall_at(keys, wanted, 10),
        "mrr": reciprocal_rank(ranking, relevant),
    }


def _subsets(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "all": rows,
        "odd": [r for r in rows if _number(r["number"]) % 2 == 1],
        "even": [r for r in rows if _number(r["number"]) % 2 == 0],
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean metrics per ranker over all cases and over odd / even 检例 numbers."""
    out: dict[str, Any] = {}
    for ranker in RANKERS:
        out[ranker] = {
            name: {
                "n": len(subset),
                **{m: round(mean([r[ranker][m] for r in subset]), 4) for m in ("recall@5", "recall@10", "mrr")},
            }
            for name, subset in _subsets(rows).items()
        }
    return out


def _odd(queries: Sequence[CaseQuery]) -> list[int]:
    return [i for i, q in enumerate(queries) if _number(q.number) % 2 == 1]


def _odd_recall(rankings: Sequence[Sequence[ArticleId]], queries: Sequence[CaseQuery]) -> float:
    return round(mean([score(rankings[i], queries[i].relevant)["recall@10"] for i in _odd(queries)]), 4)


def tune_vote(signals: Sequence[Signals], queries: Sequence[CaseQuery]) -> tuple[VoteSettings, dict[str, float]]:
    """The similar-case vote (k, weighting) with the best Recall@10 on the odd 检例 numbers (the first of
    VOTE_GRID on a tie); also the odd-case Recall@10 of every setting tried."""
    tried = {f"k={s.k},{s.weighting}": _odd_recall([vote(sig, s) for sig in signals], queries) for s in VOTE_GRID}
    best = max(VOTE_GRID, key=lambda s: (tried[f"k={s.k},{s.weighting}"], -VOTE_GRID.index(s)))
    return best, tried


def tune_weights(
    signals: Sequence[Signals],
    queries: Sequence[CaseQuery],
    settings: VoteSettings,
    candidates: Sequence[list[ArticleId]] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """The fusion weights (similar cases weigh 1) with the best Recall@10 on the odd 检例 numbers. `candidates`: the
    candidate ranking ``direct_cited`` per query (not in the product; weight 0 there unless chosen here)."""
    ranks = [
        {**rankings(sig, settings), "direct_cited": candidates[i] if candidates else []}
        for i, sig in enumerate(signals)
    ]
    tried: dict[str, float] = {}
    grid = [
        {"direct": d, "similar": 1.0, "charges": c, "direct_cited": dc}
        for d in DIRECT_WEIGHTS
        for c in CHARGE_WEIGHTS
        for dc in CITED_WEIGHTS
    ]
    for weights in grid:
        fused = [[a for a, _ in fuse(r, weights)] for r in ranks]
        tried[_key(weights)] = _odd_recall(fused, queries)
    best = max(grid, key=lambda w: (tried[_key(w)], -grid.index(w)))
    return best, tried


def _key(weights: dict[str, float]) -> str:
    return f"direct={weights['direct']},charges={weights['charges']},direct_cited={weights['direct_cited']}"


def evaluate(
    kb: KnowledgeBase, queries: list[CaseQuery], *, tick: Tick | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-case scores of every ranker, from the product's own analysis of each case (its 可能适用的条文 and the
    signals they were ranked from), the case itself left out; and how the settings compare on the odd numbers."""
    signals: list[Signals] = []
    candidates: list[list[ArticleId]] = []
    product: list[list[ArticleId]] = []
    for q in queries:
        result = analyze_case(kb, q.query, exclude_ids=[q.entry_id])
        assert result.signals is not None
        signals.append(result.signals)
        laws = cited_laws(result.signals)
        candidates.append(direct_ranking(kb, q.query, law_ids=laws) if laws else [])
        product.append([(p.law_entry_id, p.article) for p in result.provisions])
        if tick:
            tick(1)
    vote_best, vote_tried = tune_vote(signals, queries)
    weights_best, weights_tried = tune_weights(signals, queries, vote_best, candidates)
    baseline = VoteSettings(SIMILAR_K, "rank")
    rows = []
    for q, sig, shown, candidate in zip(queries, signals, product, candidates, strict=True):
        ranks = rankings(sig)
        fused = [a for a, _ in fuse(ranks, WEIGHTS)]
        assert fused[: len(shown)] == shown  # what the product shows is the head of this ranking
        previous = {"direct": ranks["direct"], "similar": vote(sig, baseline)}
        rows.append({
            "id": q.entry_id,
            "number": q.number,
            "relevant": len(q.relevant),
            "direct": score(ranks["direct"], q.relevant),
            "similar_cases_k10_rank": score(vote(sig, baseline), q.relevant),
            "similar_cases": score(ranks["similar"], q.relevant),
            "charge_articles": score(ranks["charges"], q.relevant),
            "direct_cited": score(candidate, q.relevant),
            "fusion_previous": score([a for a, _ in fuse(previous, PREVIOUS_WEIGHTS)], q.relevant),
            "fusion_no_charges": score([a for a, _ in fuse(ranks, {**WEIGHTS, "charges": 0.0})], q.relevant),
            "fusion_tuned": score([a for a, _ in fuse(rankings(sig, vote_best), weights_best)], q.relevant),
            "fusion": score(fused, q.relevant),
        })
    settings = {
        "product": {"vote": {"k": VOTE_K, "weighting": VOTE_WEIGHTING}, "weights": WEIGHTS, "rrf_k": RRF_K},
        "tuned_on": "odd 检例 numbers, Recall@10",
        "vote_tried": vote_tried,
        "vote_best": {"k": vote_best.k, "weighting": vote_best.weighting},
        "weights_tried": weights_tried,
        "weights_best": weights_best,
        "product_is_tuned": (vote_best.k, vote_best.weighting) == (VOTE_K, VOTE_WEIGHTING)
        and weights_best == {**WEIGHTS, "direct_cited": 0.0},
    }
    return rows, settings


def run_provisions(run: ProvisionRun, progress: ProgressFactory | None = None) -> dict[str, Any]:
    kb = open_kb(run)
    try:
        info = build(kb, run, progress)
        kb.warm_up()
        resolver = kb.provision_resolver
        queries, totals = case_queries(kb, resolver)
        if run.limit:
            queries = queries[: run.limit]
        if not queries:
            msg = "没有可评测的案例：相关规定中的引用都未能对应到已导入的法律法规条文"
            raise ProvisionEvalError(msg)
        started = time.perf_counter()
        tick = progress("评测案例", len(queries)) if progress else None
        rows, fusion = evaluate(kb, queries, tick=tick)
        return {
            "dataset": "provisions",
            "default_ranker": DEFAULT_RANKER,
            "metrics": summarise(rows),
            "cases_evaluated": len(rows),
            "citations": totals,
            "resolved_share": round(totals["resolved"] / totals["citations"], 4) if totals["citations"] else 0.0,
            "rrf_k": RRF_K,
            "settings": fusion,
            "index": index_summary(kb, index_home(run), info),
            "eval_seconds": round(time.perf_counter() - started, 1),
            "cases": rows,
        }
    finally:
        kb.close()


TOP_SHOWN = 8


def _best_of(tried: dict[str, float]) -> str:
    ranked = sorted(tried.items(), key=lambda item: -item[1])[:TOP_SHOWN]
    return "; ".join(f"{name} {value:.4f}" for name, value in ranked)


def write_report(result: dict[str, Any], out_dir: Path) -> list[Path]:
    """provisions.json (everything) and provisions.md (the summary)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "provisions.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    c = result["citations"]
    lines = [
        "# Provision links: cited articles found from a case's facts",
        "",
        f"Command: `{result.get('command', 'kb eval provisions')}`",
        "",
        f"- cases: {c['cases']}, with article citations in 相关规定: {c['cases_with_citations']}, "
        f"evaluated (≥ 1 citation resolves): {result['cases_evaluated']}",
        f"- citations: {c['citations']}, resolved to an ingested article: {c['resolved']} "
        f"({result['resolved_share']:.1%})",
        f"- index: {result['index']['entries_by_kind']}, {result['index']['chunks']} chunks, "
        f"embedder {result['index']['embedder']}; build {result['index']['build']['seconds']:.0f} s "
        f"({'cached' if result['index']['build']['skipped'] else 'ingested'}); evaluation {result['eval_seconds']} s",
        "",
        "| ranker | subset | n | Recall@5 | Recall@10 | MRR |",
        "|---|---|---|---|---|---|",
    ]
    for ranker, subsets in result["metrics"].items():
        for name, m in subsets.items():
            lines.append(
                f"| {ranker} | {name} | {m['n']} | {m['recall@5']:.3f} | {m['recall@10']:.3f} | {m['mrr']:.3f} |"
            )
    st = result["settings"]
    lines += [
        "",
        f"Default figure: `{result['default_ranker']}` — what 类案比对 shows as 可能适用的条文 (kb.provision_suggest): "
        f"RRF (k = {result['rrf_k']}) of the three rankings with weights {st['product']['weights']}, the vote "
        f"{st['product']['vote']}. Tuned on the odd 检例 numbers (Recall@10), so the `even` rows are held out:",
        f"- vote settings: {st['vote_tried']} -> {st['vote_best']}",
        f"- fusion weights (similar cases 1), the best {TOP_SHOWN} of {len(st['weights_tried'])}: "
        f"{_best_of(st['weights_tried'])} -> {st['weights_best']}",
        f"- the product's constants are the tuned ones: {st['product_is_tuned']}",
    ]
    md_path = out_dir / "provisions.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [json_path, md_path]
