"""Synthetic chunks for benchmarking the index: Chinese-like text with a Zipf word distribution, random vectors.

The text is built from the official charge names, the legal dictionary and generated two- to four-character words,
and is handed to the store already segmented (`_tokens`), so a benchmark measures the index rather than jieba.
Meta looks like the indexer's (entry_id, line, case_type, charges, outcomes, year, region, section ...), eight chunks
per entry. Everything is a function of `seed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document

from kb.models import CASE_TYPES, LINES, SECTION_LABELS
from kb.stores.sqlite import SqliteDocumentStore

_HAN = (
    "人民检察院法院公安机关被告犯罪嫌疑审查起诉逮捕证据事实认定量刑情节自首立功从轻减轻处罚判决裁定抗诉监督"
    "案件办理程序合法违法行为责任赔偿损失财产金额数额巨大较大特别严重后果社会危害性质主观故意过失明知非法"
    "占有盗窃诈骗抢劫伤害杀人贩卖毒品走私受贿贪污挪用职务侵占妨害公务寻衅滋事聚众斗殴交通肇事危险驾驶醉酒"
    "未成年人民事行政公益诉讼环境资源生态食品药品安全国有土地出让征收补偿执行刑罚变更减刑假释暂予监外"
    "控告申诉信访复查纠正错误意见建议采纳整改回复跟踪落实协调沟通会商听证公开宣告释法说理认罪认罚具结"
)
_OUTCOMES = ("不批捕", "不起诉", "附条件不起诉", "起诉", "抗诉", "检察建议", "提起公益诉讼", "支持起诉", "监督立案")
_REGIONS = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
    "陕西", "甘肃", "青海", "宁夏", "新疆",
)  # fmt: skip
CHUNKS_PER_ENTRY = 8


@dataclass(frozen=True)
class SyntheticQuery:
    tokens: list[str]
    embedding: list[float]
    filters: dict[str, Any] | None


class _Corpus:
    def __init__(self, seed: int, vocabulary_size: int = 20000) -> None:
        from kb.text import charge_names, legal_terms

        rng = np.random.default_rng(seed)
        self.charges = sorted({c.replace("、", "") for c in charge_names()})
        fixed = list(dict.fromkeys([*self.charges, *legal_terms()]))
        han = np.array(list(dict.fromkeys(_HAN)))
        generated: set[str] = set()
        while len(fixed) + len(generated) < vocabulary_size:
            length = int(rng.choice([2, 2, 2, 3, 4]))
            generated.add("".join(rng.choice(han, size=length)))
        words = fixed + sorted(generated)
        order = rng.permutation(len(words))
        self.words = np.array(words, dtype=object)[order]
        ranks = np.arange(1, len(words) + 1, dtype=np.float64)
        weights = 1.0 / ranks**1.07
        self.cumulative = np.cumsum(weights / weights.sum())
        charge_weights = 1.0 / np.arange(1, len(self.charges) + 1, dtype=np.float64)
        self.charge_p = charge_weights / charge_weights.sum()

    def sample_words(self, rng: np.random.Generator, n: int) -> list[str]:
        picks = np.searchsorted(self.cumulative, rng.random(n))
        return [str(w) for w in self.words[np.minimum(picks, len(self.words) - 1)]]


@lru_cache(maxsize=4)
def _corpus(seed: int) -> _Corpus:
    return _Corpus(seed)


def _text(words: list[str]) -> str:
    parts: list[str] = []
    for i, word in enumerate(words, 1):
        parts.append(word)
        parts.append("。" if i % 19 == 0 else "，" if i % 7 == 0 else "")
    return "".join(parts)


def synthetic_documents(n_chunks: int, dim: int, seed: int, *, start: int = 0) -> list[Document]:
    """Chunks `start` .. `start + n_chunks - 1` of the synthetic corpus for `seed` (the same for any batching)."""
    corpus = _corpus(seed)
    documents: list[Document] = []
    sections = list(SECTION_LABELS)
    for i in range(start, start + n_chunks):
        rng = np.random.default_rng([seed, i])
        entry = i // CHUNKS_PER_ENTRY
        entry_rng = np.random.default_rng([seed, 1_000_000_007, entry])
        words = corpus.sample_words(rng, int(rng.integers(80, 220)))
        charges = sorted({
            str(c) for c in entry_rng.choice(corpus.charges, size=int(entry_rng.integers(1, 3)), p=corpus.charge_p)
        })
        meta: dict[str, Any] = {
            "entry_id": f"e{entry:07d}",
            "version": 1,
            "kind": "case",
            "title": f"{charges[0]}案（合成{entry}）",
            "case_type": str(entry_rng.choice(CASE_TYPES)),
            "line": str(entry_rng.choice(LINES, p=[0.55, 0.15, 0.15, 0.15])),
            "year": int(entry_rng.integers(2010, 2025)),
            "region": str(entry_rng.choice(_REGIONS)),
            "charges": charges,
            "outcomes": [str(entry_rng.choice(_OUTCOMES))],
            "section": sections[int(rng.integers(0, len(sections)))],
            "chunk_index": i % CHUNKS_PER_ENTRY,
            "illustrative": True,
            "_tokens": " ".join(words),
        }
        embedding = rng.standard_normal(dim, dtype=np.float32)
        documents.append(Document(id=f"c{i:08d}", content=_text(words), meta=meta, embedding=embedding.tolist()))
    return documents


def build_synthetic_store(
    path: str | Path, n_chunks: int, dim: int = 384, seed: int = 0, *, batch_size: int = 2000
) -> SqliteDocumentStore:
    """Create (or extend) a store at `path` holding `n_chunks` synthetic chunks; returns it open.

    Chunks already in the file (same ids) are skipped, so an interrupted build can be resumed.
    """
    store = SqliteDocumentStore(path, embedding_dim=dim)
    from haystack.document_stores.types import DuplicatePolicy

    for start in range(0, n_chunks, batch_size):
        batch = synthetic_documents(min(batch_size, n_chunks - start), dim, seed, start=start)
        store.write_documents(batch, policy=DuplicatePolicy.SKIP)
    store.optimize()
    return store


def synthetic_queries(n: int, dim: int = 384, seed: int = 0) -> list[SyntheticQuery]:
    """Queries drawn from the same vocabulary: 2-12 tokens, a random vector, and a filter on every other query."""
    corpus = _corpus(seed)
    rng = np.random.default_rng([seed, 7])
    queries: list[SyntheticQuery] = []
    for i in range(n):
        tokens = corpus.sample_words(rng, int(rng.integers(2, 13)))
        filters: dict[str, Any] | None = None
        if i % 4 == 1:
            filters = {"field": "meta.line", "operator": "==", "value": "刑事检察"}
        elif i % 4 == 3:
            filters = {
                "operator": "AND",
                "conditions": [
                    {"field": "meta.charges", "operator": "in", "value": list(corpus.charges[:3])},
                    {"field": "meta.year", "operator": ">=", "value": 2018},
                ],
            }
        embedding = rng.standard_normal(dim, dtype=np.float32).tolist()
        queries.append(SyntheticQuery(tokens=tokens, embedding=embedding, filters=filters))
    return queries
