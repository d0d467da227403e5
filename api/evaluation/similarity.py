"""Calibrating 类案比对's similarity (kb.analysis) on LeCaRD's graded labels.

Every query is compared with every member of its 100-candidate pool exactly as the product compares a pasted case
with a similar case (`kb.analysis.similarity`: idf-weighted term cosine of the texts, charge overlap, factor overlap;
charges of the query read from its text, never from the labels). A pair counts as *similar* when LeCaRD labels it 2
or 3 (of 0–3). The divergence threshold is the lowest similarity at which at least `target` of the pairs at or above
it are similar, over at least `min_pairs` pairs; the report lists precision and the number of pairs for each
threshold, so the choice can be checked. The target is 0.6 (three times LeCaRD's base rate of 0.2): measured
2026-11-26, no threshold reaches 0.8 over 50 pairs — the similarity is weak on LeCaRD, whose queries do not name
their charge, so only text and factors count there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.evaluation.corpus import duplicate_aliases, open_eval_kb, pid_of
from api.evaluation.lecard import load_lecard
from kb.analysis import Elements, TermVectors, case_text, cosine, similarity
from kb.elements.charges import extract_charges_from_case
from kb.elements.factors import extract_case_factors, extract_factors
from kb.text import tokenize

SIMILAR_LABEL = 2


def calibrate(
    data: Path,
    home: Path,
    *,
    embedder: str = "use-m3",
    target: float = 0.6,
    min_pairs: int = 50,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    dataset = load_lecard(data)
    kb = open_eval_kb(home, embedder, cache=home.parent / "embeddings.sqlite3", dense_chunks=2)
    try:
        entries = {}
        for _, _, entry in kb.records.iter_current():
            pid = pid_of(entry.number)
            if pid is not None:
                entries[pid] = entry
        for alias, twin in duplicate_aliases(kb).items():
            if twin in entries:
                entries[alias] = entries[twin]
        vectors = TermVectors(getattr(kb.store, "doc_freqs", None))
        pairs: list[tuple[float, int]] = []
        case_cache: dict[str, tuple[dict[str, float], Elements]] = {}
        for query in dataset.queries:
            members = [p for p in dataset.pools[query.qid] if p in entries]
            q_tokens = tokenize(query.text)
            fresh = [p for p in members if p not in case_cache]
            tokens = {p: tokenize(case_text(entries[p])) for p in fresh}
            vectors.prepare([q_tokens, *tokens.values()])
            for pid in fresh:
                entry = entries[pid]
                sections = {s.key: s.text for s in entry.sections}
                elements = Elements(list(entry.charges), [], extract_case_factors(sections), [])
                case_cache[pid] = (vectors.vector(tokens[pid]), elements)
            q_vector = vectors.vector(q_tokens)
            q_elements = Elements(extract_charges_from_case({"facts": query.text}), [], extract_factors(query.text), [])
            labels = dataset.labels.get(query.qid, {})
            for pid in members:
                c_vector, c_elements = case_cache[pid]
                pairs.append((similarity(cosine(q_vector, c_vector), q_elements, c_elements), labels.get(pid, 0)))
            if progress:
                progress(1)
    finally:
        kb.close()
    table = []
    chosen = None
    for step in range(2, 91):
        threshold = step / 100
        above = [label for sim, label in pairs if sim >= threshold]
        if not above:
            break
        precision = sum(1 for label in above if label >= SIMILAR_LABEL) / len(above)
        table.append({"threshold": threshold, "pairs": len(above), "precision": round(precision, 4)})
        if chosen is None and precision >= target and len(above) >= min_pairs:
            chosen = threshold
    similar = sum(1 for _, label in pairs if label >= SIMILAR_LABEL)
    return {
        "pairs": len(pairs),
        "similar_pairs": similar,
        "base_rate": round(similar / len(pairs), 4) if pairs else 0.0,
        "target_precision": target,
        "min_pairs": min_pairs,
        "threshold": chosen,
        "table": table,
        "seconds": round(time.perf_counter() - started, 1),
        "command": f"kb eval similarity --data {data} --home {home}",
    }


def write_report(result: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "similarity.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        "# 类案比对 similarity calibrated on LeCaRD",
        "",
        f"Command: `{result['command']}`. {result['pairs']} query–candidate pairs, {result['similar_pairs']} labelled "
        f"2–3 (base rate {result['base_rate']:.3f}). Chosen threshold (lowest with precision ≥ "
        f"{result['target_precision']} over ≥ {result['min_pairs']} pairs): **{result['threshold']}**.",
        "",
        "| similarity ≥ | pairs | precision (label ≥ 2) |",
        "|---|---|---|",
        *(f"| {row['threshold']:.2f} | {row['pairs']} | {row['precision']:.3f} |" for row in result["table"][::2]),
    ]
    md_path = out_dir / "similarity.md"
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [json_path, md_path]
