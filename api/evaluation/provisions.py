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
4. Rankers, each a ranked list of articles (law entry, article heading); an article with several chunks takes its
   best chunk:
   * ``direct`` — the product's hybrid retrieval (query analysis, BM25 + dense, weighted RRF) over chunks of
     kind=law, chunks mapped to their articles;
   * ``similar_cases`` — the product's case search (kind=case) for the same query, the query case itself left
     out; each of the top `similar_k` cases votes for the resolved articles of its own 相关规定 with weight
     1 / log2(rank + 1);
   * ``fusion_equal`` — reciprocal rank fusion of the two (k = 60, equal weights);
   * ``fusion`` — the same with the direct ranking's weight chosen from DIRECT_WEIGHTS by Recall@10 on the odd
     检例 numbers: the reported figure; its ``even`` row is the held-out one.
5. Recall@5 / Recall@10 (share of the case's relevant articles in the first 5 / 10, averaged over cases) and MRR
   (reciprocal rank of the first relevant article), over all cases and over odd / even 检例 numbers. `similar_k`
   = 10, the vote weight and RRF's k were fixed before any run; only the fusion weight is tuned (on odd numbers).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.evaluation.metrics import mean, recall_at
from ingest.pipeline import IngestReport, expand_paths, ingest_paths
from kb.config import Settings
from kb.elements.numbers import CN_NUM_CHARS
from kb.elements.provisions import extract_provisions
from kb.errors import KBError
from kb.models import Entry, EntryKind
from kb.provision_links import ProvisionResolver
from kb.search_request import SearchRequest, to_haystack_filters
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
RANKERS = ("direct", "similar_cases", "fusion_equal", "fusion")
DEFAULT_RANKER = "fusion"
SIMILAR_K = 10
RRF_K = 60
# Weights of the direct ranking in the fusion tried on the odd 检例 numbers (the similar-case ranking weighs 1).
DIRECT_WEIGHTS = (1.0, 0.5, 0.25, 0.1)
CANDIDATES = 200  # chunks asked of each retriever for the direct ranking
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
    similar_k: int = SIMILAR_K
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
    from kb.embedders.cache import CachedEmbedder, EmbeddingCache
    from kb.embedders.factory import build_embedder

    home = index_home(run)
    settings = Settings(home=home, embedder=run.embedder, store="sqlite")
    base = build_embedder(run.embedder)
    if base is None:
        return KnowledgeBase(settings, embedder_spec="none")
    return KnowledgeBase(settings, embedder=CachedEmbedder(base, EmbeddingCache(run.home / "embeddings.sqlite3")))


def index_home(run: ProvisionRun) -> Path:
    return run.home / run.embedder.replace(":", "-").replace("/", "_")


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
    done = stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == manifest
    if done and kb.records.pending_count() == 0:
        info.skipped = True
        return info
    started = time.perf_counter()
    reports: list[IngestReport] = []
    for label, paths, kind in (("导入法律法规", files, EntryKind.LAW.value), ("导入指导性案例", case_files, None)):
        tick = progress(label, len(paths)) if progress else None
        reports.append(ingest_paths(kb, paths, kind=kind, on_file=_advance(tick)))
    info.failed = [f"{f.name}：{f.error.detail}" for r in reports for f in r.files if f.error is not None]
    info.seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return info


def _advance(tick: Tick | None) -> Callable[[Any], None] | None:
    if tick is None:
        return None
    return lambda _report: tick(1)


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


def direct_ranking(kb: KnowledgeBase, query: str, top_k: int = CANDIDATES) -> list[ArticleId]:
    """The product's hybrid retrieval over law chunks (analysis, BM25 + dense, weighted RRF), chunks -> articles."""
    pipe = kb.pipeline
    filters = to_haystack_filters({"kind": [EntryKind.LAW.value]})
    analysed = pipe.get_component("normalizer").run(query=query)
    bm25 = pipe.get_component("bm25").run(query=analysed["terms"], filters=filters, top_k=top_k)["documents"]
    dense: list[Any] = []
    if "dense" in pipe.graph.nodes:
        vector = pipe.get_component("embedder").run(text=analysed["text"])["embedding"]
        dense = pipe.get_component("dense").run(query_embedding=vector, filters=filters, top_k=top_k)["documents"]
    joined = pipe.get_component("joiner").run(
        bm25_documents=bm25, dense_documents=dense, analysis=analysed["analysis"]
    )["documents"]
    ranked: dict[ArticleId, None] = {}
    for doc in joined:
        heading = doc.meta.get("heading")
        if doc.meta.get("section") == "article" and isinstance(heading, str) and heading.startswith("第"):
            ranked.setdefault((str(doc.meta["entry_id"]), heading), None)
    return list(ranked)


def similar_case_ranking(
    kb: KnowledgeBase, query: str, exclude: str, case_articles: dict[str, list[ArticleId]], k: int = SIMILAR_K
) -> list[ArticleId]:
    """The top-k similar cases (the query case left out) vote for the articles they cite: 1 / log2(rank + 1)."""
    hits = kb.search(SearchRequest(query=query, page_size=k, exclude_ids=[exclude])).hits
    votes: dict[ArticleId, float] = {}
    for rank, hit in enumerate(hits[:k], start=1):
        for article in case_articles.get(hit.entry_id, []):
            votes[article] = votes.get(article, 0.0) + 1.0 / math.log2(rank + 1)
    return [a for a, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0]))]


def rrf(
    rankings: Sequence[Sequence[ArticleId]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[ArticleId]:
    """Weighted reciprocal rank fusion (equal weights by default)."""
    scores: dict[ArticleId, float] = {}
    for i, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return [a for a, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))]


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


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean metrics per ranker over all cases and over odd / even 检例 numbers."""
    out: dict[str, Any] = {}
    subsets = {
        "all": rows,
        "odd": [r for r in rows if _number(r["number"]) % 2 == 1],
        "even": [r for r in rows if _number(r["number"]) % 2 == 0],
    }
    for ranker in RANKERS:
        out[ranker] = {
            name: {
                "n": len(subset),
                **{m: round(mean([r[ranker][m] for r in subset]), 4) for m in ("recall@5", "recall@10", "mrr")},
            }
            for name, subset in subsets.items()
        }
    return out


def tune_direct_weight(
    rankings: list[tuple[list[ArticleId], list[ArticleId]]], queries: list[CaseQuery]
) -> tuple[float, dict[str, float]]:
    """The weight of the direct ranking in the fusion with the best mean Recall@10 on the odd 检例 numbers (the
    first of DIRECT_WEIGHTS on a tie); the even numbers stay unseen. Also the odd-case Recall@10 of every weight."""
    odd = [i for i, q in enumerate(queries) if _number(q.number) % 2 == 1]
    tried: dict[str, float] = {}
    for weight in DIRECT_WEIGHTS:
        values = [score(rrf(list(rankings[i]), weights=(weight, 1.0)), queries[i].relevant)["recall@10"] for i in odd]
        tried[str(weight)] = round(mean(values), 4)
    best = max(DIRECT_WEIGHTS, key=lambda w: (tried[str(w)], -DIRECT_WEIGHTS.index(w)))
    return best, tried


def evaluate(
    kb: KnowledgeBase, queries: list[CaseQuery], *, similar_k: int = SIMILAR_K, tick: Tick | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-case scores of every ranker, and how the fusion weight was chosen (on the odd 检例 numbers)."""
    case_articles = {q.entry_id: q.relevant for q in queries}
    rankings: list[tuple[list[ArticleId], list[ArticleId]]] = []
    for q in queries:
        direct = direct_ranking(kb, q.query)
        similar = similar_case_ranking(kb, q.query, q.entry_id, case_articles, similar_k)
        rankings.append((direct, similar))
        if tick:
            tick(1)
    weight, tried = tune_direct_weight(rankings, queries)
    rows = [
        {
            "id": q.entry_id,
            "number": q.number,
            "relevant": len(q.relevant),
            "direct": score(direct, q.relevant),
            "similar_cases": score(similar, q.relevant),
            "fusion_equal": score(rrf([direct, similar]), q.relevant),
            "fusion": score(rrf([direct, similar], weights=(weight, 1.0)), q.relevant),
        }
        for q, (direct, similar) in zip(queries, rankings, strict=True)
    ]
    return rows, {"direct_weight": weight, "tuned_on": "odd 检例 numbers, Recall@10", "tried": tried}


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
        rows, fusion = evaluate(kb, queries, similar_k=run.similar_k, tick=tick)
        stats = kb.stats()
        return {
            "dataset": "provisions",
            "default_ranker": DEFAULT_RANKER,
            "metrics": summarise(rows),
            "cases_evaluated": len(rows),
            "citations": totals,
            "resolved_share": round(totals["resolved"] / totals["citations"], 4) if totals["citations"] else 0.0,
            "similar_k": run.similar_k,
            "rrf_k": RRF_K,
            "fusion": fusion,
            "index": {
                "home": str(index_home(run)),
                "embedder": stats.get("embedder"),
                "entries_by_kind": stats.get("entries_by_kind"),
                "chunks": stats.get("chunks"),
                "build": info.__dict__,
            },
            "eval_seconds": round(time.perf_counter() - started, 1),
            "cases": rows,
        }
    finally:
        kb.close()


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
    fusion = result["fusion"]
    lines += [
        "",
        f"Default figure: `{result['default_ranker']}` — RRF (k = {result['rrf_k']}) of `direct` (weight "
        f"{fusion['direct_weight']}) and `similar_cases` (weight 1); the weight was chosen on the odd 检例 numbers "
        f"(Recall@10 per weight: {fusion['tried']}), so the `even` row is the held-out figure. `fusion_equal` is "
        "the untuned fusion (equal weights).",
    ]
    md_path = out_dir / "provisions.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [json_path, md_path]
