"""可能适用的条文: law articles suggested for a case description, ranked, each with why it is suggested.

Three signals, each a ranking of articles (law entry id, article heading):

* **similar cases** — the similar cases found for the description (the 类案比对 list, in its order) vote for the
  articles their own cited provisions resolve to (kb.provision_links): the first `VOTE_K` cases, each vote weighted
  by `vote_weight` (`VOTE_WEIGHTING`: by rank, by the case's similarity, or both);
* **charges** — the charges recognised in the description (named, or inferred from the nearest cases when the facts
  do not name one, as the analysis does) suggest the 刑法 articles that define them (kb.charge_articles, from the
  official charge lists);
* **direct** — the product's hybrid retrieval (query analysis, BM25 + dense, weighted RRF) over the chunks of
  published laws, chunks mapped to their articles.

The three are joined by weighted reciprocal rank fusion (`RRF_K`, `WEIGHTS`). The vote settings and the weights
were chosen by `kb eval provisions` on the odd 检例 numbers of the SPP guiding cases only (docs/evaluation.md,
"Provision links"); the even numbers are the held-out figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kb.charge_articles import CRIMINAL_LAW, defining_articles
from kb.models import EntryKind
from kb.provision_links import ProvisionResolver, cut_text
from kb.search_request import to_haystack_filters

ArticleId = tuple[str, str]  # (law entry id, article heading)

VOTE_K = 20
VOTE_WEIGHTING = "rank"  # "rank": 1 / log2(rank + 1); "similarity": the case's similarity; "rank_similarity": both
RRF_K = 60
WEIGHTS = {"direct": 0.25, "similar": 1.0, "charges": 1.0}  # kb eval provisions, odd 检例 numbers
CANDIDATES = 200  # law chunks asked of each retriever for the direct ranking
TOP = 10
TEXT_CHARS = 300


@dataclass(frozen=True)
class Neighbour:
    """A similar case as the vote sees it: id, what is shown of it, its similarity and its cited provisions."""

    entry_id: str
    title: str
    number: str | None
    similarity: float
    provisions: Sequence[str]


@dataclass(frozen=True)
class SuggestedProvision:
    law_entry_id: str
    law_title: str
    article: str
    section_index: int
    text: str
    score: float
    cited_by: list[Neighbour] = field(default_factory=list)  # the similar cases citing it
    charges: list[str] = field(default_factory=list)  # the recognised charges it defines
    direct_rank: int | None = None  # its place in the direct retrieval of law articles (1-based), when in the top


@dataclass
class Signals:
    """The three rankings of one description, kept so that an evaluation can weigh them otherwise."""

    neighbours: list[Neighbour]
    cited: dict[str, list[ArticleId]]  # neighbour id -> the articles it cites (resolved)
    charges: list[str]
    charge_articles: dict[ArticleId, list[str]]  # article -> the charges it defines, in the charges' order
    direct: list[ArticleId]


@dataclass(frozen=True)
class VoteSettings:
    k: int = VOTE_K
    weighting: str = VOTE_WEIGHTING


def vote_weight(rank: int, similarity: float, weighting: str) -> float:
    if weighting == "rank":
        return 1.0 / math.log2(rank + 1)
    if weighting == "similarity":
        return similarity
    if weighting == "rank_similarity":
        return similarity / math.log2(rank + 1)
    msg = f"unknown vote weighting: {weighting}"
    raise ValueError(msg)


def vote(signals: Signals, settings: VoteSettings = VoteSettings()) -> list[ArticleId]:
    """The articles cited by the first k neighbours, by summed vote weight (ties by id)."""
    votes: dict[ArticleId, float] = {}
    for rank, case in enumerate(signals.neighbours[: settings.k], start=1):
        weight = vote_weight(rank, case.similarity, settings.weighting)
        for article in dict.fromkeys(signals.cited.get(case.entry_id, [])):
            votes[article] = votes.get(article, 0.0) + weight
    return [a for a, v in sorted(votes.items(), key=lambda item: (-item[1], item[0])) if v > 0]


def charge_ranking(signals: Signals) -> list[ArticleId]:
    return list(signals.charge_articles)


def fuse(rankings: Mapping[str, Sequence[ArticleId]], weights: Mapping[str, float]) -> list[tuple[ArticleId, float]]:
    """Weighted reciprocal rank fusion (k = RRF_K); a ranking with weight 0 is left out."""
    scores: dict[ArticleId, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 0.0)
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def rankings(signals: Signals, settings: VoteSettings = VoteSettings()) -> dict[str, list[ArticleId]]:
    return {"direct": signals.direct, "similar": vote(signals, settings), "charges": charge_ranking(signals)}


def direct_ranking(
    kb: Any, text: str, top_k: int = CANDIDATES, law_ids: Sequence[str] | None = None
) -> list[ArticleId]:
    """The product's hybrid retrieval over law chunks (analysis, BM25 + dense, weighted RRF), chunks -> articles;
    `law_ids`: only those laws."""
    pipe = kb.pipeline
    wanted = {"kind": [EntryKind.LAW.value], **({"entry_id": list(law_ids)} if law_ids is not None else {})}
    filters = to_haystack_filters(wanted)
    analysed = pipe.get_component("normalizer").run(query=text)
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


def cited_laws(signals: Signals, k: int = VOTE_K) -> list[str]:
    """The laws the first k neighbours cite (law entry ids)."""
    return sorted({law for case in signals.neighbours[:k] for law, _ in signals.cited.get(case.entry_id, [])})


def charge_signal(resolver: ProvisionResolver, charges: Iterable[str]) -> dict[ArticleId, list[str]]:
    """Article -> the charges (of `charges`, in order) it defines, for the 刑法 articles the KB holds."""
    out: dict[ArticleId, list[str]] = {}
    for charge in dict.fromkeys(charges):
        for heading in defining_articles(charge):
            ref = resolver.resolve(f"《{CRIMINAL_LAW}》{heading}", refresh=False)
            if ref is not None:
                out.setdefault((ref.law_entry_id, ref.article), []).append(charge)
    return out


def gather(
    kb: Any,
    text: str,
    neighbours: Sequence[Neighbour],
    charges: Sequence[str],
    direct: Callable[[Any, str], list[ArticleId]] = direct_ranking,
) -> Signals:
    """The three signals for a description (kb: a KnowledgeBase); `neighbours` are its similar cases, in order."""
    resolver: ProvisionResolver = kb.provision_resolver
    resolver.refresh()
    cited: dict[str, list[ArticleId]] = {}
    for case in neighbours:
        refs = resolver.resolve_many(case.provisions) if case.provisions else []
        cited[case.entry_id] = list(dict.fromkeys((r.law_entry_id, r.article) for r in refs if r is not None))
    has_laws = resolver.has_laws()
    return Signals(
        neighbours=list(neighbours),
        cited=cited,
        charges=list(charges),
        charge_articles=charge_signal(resolver, charges),
        direct=direct(kb, text) if has_laws else [],
    )


def suggest(
    resolver: ProvisionResolver,
    signals: Signals,
    *,
    top: int = TOP,
    settings: VoteSettings = VoteSettings(),
    weights: Mapping[str, float] = WEIGHTS,
) -> list[SuggestedProvision]:
    """The first `top` articles of the fusion, each with its text and reasons."""
    ranks = rankings(signals, settings)
    direct_rank = {a: i for i, a in enumerate(signals.direct[:CANDIDATES], start=1)}
    voters = signals.neighbours[: settings.k]
    out: list[SuggestedProvision] = []
    for (law_id, heading), score in fuse(ranks, weights)[:top]:
        table = resolver.law(law_id)
        if table is None or heading not in table.articles:
            continue
        index, article_text = table.articles[heading]
        article = (law_id, heading)
        out.append(
            SuggestedProvision(
                law_entry_id=law_id,
                law_title=table.title,
                article=heading,
                section_index=index,
                text=cut_text(article_text, TEXT_CHARS),
                score=round(score, 6),
                cited_by=[c for c in voters if article in signals.cited.get(c.entry_id, [])],
                charges=list(signals.charge_articles.get(article, [])),
                direct_rank=direct_rank.get(article),
            )
        )
    return out
