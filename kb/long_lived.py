"""What the knowledge base loads once and keeps for the life of the process is left out of garbage collection.

CPython's cyclic collector walks every tracked container in a full collection, and each one it walks costs a visit
to every reference the container holds. The loaded index, the jieba dictionaries and the name tagger are such
containers, large and never garbage. With 100k synthetic chunks and use-m3 loaded, one full collection takes 75 ms,
and a pasted fact text's deep search (then 1,000 chunks per retriever) allocates enough to set one off every few
queries: in `kb bench` those queries took about 164 ms instead of 57 (p95 163.9 ms). After `gc.freeze()` the objects
loaded so far sit in the permanent generation, which no collection walks: a full collection takes 0.1 ms and the
p95 is 55.6 ms. Figures and commands in bench-results/README.md ("Pasted fact texts, and long-lived objects
frozen").

Objects created later are collected as usual, and frozen ones are still freed by reference counting once nothing
refers to them (an index replaced by a reload, for example); only a reference cycle among frozen objects would stay.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Move every object tracked so far into the collector's permanent generation (cheap: no objects are visited)."""
    gc.freeze()
