"""Query terms for the SQLite store, and the FTS5 MATCH expression for its on-disk fallback path.

Terms are what FTS5's unicode61 tokenizer would make of the text: lower-cased runs of letters and digits (a run of
Han characters stays one term, so jieba's segmentation decides what a term is). The in-memory BM25 index and FTS5
therefore see the same terms.

The MATCH expression cannot be a syntax error: every term is an FTS5 string ("..." with inner quotes doubled) and
terms are joined by OR, so keywords (AND, OR, NOT, NEAR) are plain words and operator characters never reach it.
FTS5 has no per-term boost, but its bm25() sums one contribution per phrase, so a term repeated n times weighs n
times: on that path weights are rounded to 1..MAX_REPEAT copies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

MAX_REPEAT = 5
_TERM = re.compile(r"[^\W_]+")


def index_terms(text: str) -> list[str]:
    """The terms of a (segmented) text, in order, with repeats."""
    return _TERM.findall(text.lower())


def token_weights(query: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Distinct terms with their weights: the given weight of each token, or how many times it occurs.

    A token that splits into several terms (`a.b`) gives each of them its weight; tokens with no letter or digit
    (punctuation, emoji) and non-positive weights are dropped.
    """
    weights: dict[str, float] = {}
    items: Iterable[tuple[str, float]] = query.items() if isinstance(query, Mapping) else ((t, 1.0) for t in query)
    for token, weight in items:
        if not isinstance(token, str) or not isinstance(weight, int | float) or not weight > 0:
            continue
        for term in index_terms(token):
            weights[term] = weights.get(term, 0.0) + float(weight)
    return weights


def strongest(weights: Mapping[str, float], limit: int, rank: Mapping[str, float] | None = None) -> dict[str, float]:
    """The `limit` terms with the largest rank (default: weight, then length — longer Chinese words are rarer)."""
    if len(weights) <= limit:
        return dict(weights)
    score = rank if rank is not None else weights
    best = sorted(weights, key=lambda t: (-score[t], -len(t), t))[:limit]
    return {t: weights[t] for t in best}


def quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(weights: Mapping[str, float]) -> str | None:
    """`"a" OR "b" OR "b"` for {a: 1, b: 2}; None when there is nothing to search for."""
    if not weights:
        return None
    top = max(weights.values())
    scale = 1.0 if top <= MAX_REPEAT else MAX_REPEAT / top
    phrases: list[str] = []
    for term, weight in weights.items():
        repeats = min(MAX_REPEAT, max(1, round(weight * scale)))
        phrases.extend([quote(term)] * repeats)
    return " OR ".join(phrases)
