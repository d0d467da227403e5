"""Which chunks of an entry get a vector (KB_EMBED_SECTIONS, KB_EMBED_MAX_CHUNKS).

Embedding is the slow part of ingest on a CPU: e5-small embeds about 7 chunks of 400 characters a second on two
cores, and a court judgment makes 15–20 chunks. A deployment that loads thousands of judgments can therefore give
vectors only to the chunks that carry a case's story — the first chunks of its 基本案情 — and leave the rest to BM25,
which still indexes every chunk. That is how LeCaRD is evaluated (docs/evaluation.md, "Embedding").

Per entry, in chunk order: the candidates are its chunks in the chosen sections, or all its chunks when it has none
in them (a guideline, a power-list item); then the first `max_chunks` candidates (0 = all). With both settings
empty every chunk gets a vector, as before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from haystack import Document


def chunks_to_embed(documents: Sequence[Document], sections: Collection[str], max_chunks: int) -> list[bool]:
    """One flag per document, in order: whether it gets a vector. Documents are grouped by `meta.entry_id`."""
    if not sections and max_chunks <= 0:
        return [True] * len(documents)
    by_entry: dict[str, list[int]] = {}
    for position, doc in enumerate(documents):
        by_entry.setdefault(str(doc.meta.get("entry_id")), []).append(position)
    flags = [False] * len(documents)
    for positions in by_entry.values():
        chosen = [p for p in positions if str(documents[p].meta.get("section")) in sections] if sections else []
        candidates = chosen or positions
        for position in candidates[:max_chunks] if max_chunks > 0 else candidates:
            flags[position] = True
    return flags
