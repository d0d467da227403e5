"""Snapshots of the SQLite store's in-memory indexes, so that a restart does not rebuild them from the rows.

Building the BM25 postings and the vector matrix from 100k rows takes seconds (reading and decoding every row,
then sorting postings by term); reading the finished arrays back takes a fraction of that. After a full load the
store writes both indexes next to the index file (`<index>.snapshot/terms.bin`, `vectors.bin`), and on close it
writes them again if writes moved them on. A snapshot is only used when it belongs to the same index file (a random
`store_id` kept in `kb_meta`) at the same generation, and was built with the same BM25 parameters; anything else, or
a damaged file, means a normal load from the rows. The snapshot is a cache: deleting it is always safe.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.stores.sqlite_terms import TermIndex
from kb.stores.sqlite_vectors import VectorIndex

logger = logging.getLogger(__name__)

# Below this many documents a load from the rows is quick anyway and a snapshot is not worth the disk.
MIN_DOCUMENTS = 5000
FORMAT = 1


def snapshot_dir(index_path: str | Path) -> Path:
    return Path(f"{index_path}.snapshot")


_MAGIC = b"KBSNAP01"
_ALIGN = 64


def _identity(store_id: str, generation: int) -> dict[str, Any]:
    return {"format": FORMAT, "store_id": store_id, "generation": generation}


def _write(path: Path, identity: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> None:
    """One file: magic, header length, a JSON header (identity; dtype, shape and offset of each array), then the
    arrays' bytes, each 64-byte aligned. Written to a temporary file and renamed: a reader sees the old file or the
    new one, never half of one."""
    layout: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in arrays.items():
        offset = -(-offset // _ALIGN) * _ALIGN
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset += array.nbytes
    header = json.dumps({"identity": identity, "arrays": layout}).encode("utf-8")
    start = -(-(len(_MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            for name, array in arrays.items():
                fh.seek(start + layout[name]["offset"])
                fh.write(np.ascontiguousarray(array).data)
            fh.truncate(start + offset)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path, identity: dict[str, Any]) -> dict[str, npt.NDArray[Any]] | None:
    """The arrays, as read-only views of a memory map of the file (the operating system pages them in as they are
    used, so opening costs next to nothing); None when the file is missing, damaged or not for `identity`."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if mapped[: len(_MAGIC)] != _MAGIC:
            msg = "not a snapshot file"
            raise ValueError(msg)
        size = int.from_bytes(mapped[len(_MAGIC) : len(_MAGIC) + 8], "little")
        header = json.loads(mapped[len(_MAGIC) + 8 : len(_MAGIC) + 8 + size].decode("utf-8"))
        if header.get("identity") != identity:
            logger.debug("snapshot %s is for another index or generation; loading from the rows", path)
            return None
        start = -(-(len(_MAGIC) + 8 + size) // _ALIGN) * _ALIGN
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, spec in header["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            shape = tuple(int(n) for n in spec["shape"])
            count = int(np.prod(shape)) if shape else 1
            array = np.frombuffer(mapped, dtype=dtype, count=count, offset=start + int(spec["offset"]))
            arrays[name] = array.reshape(shape)
        if hasattr(mmap, "MADV_WILLNEED"):
            mapped.madvise(mmap.MADV_WILLNEED)  # start reading the pages in now, in the background
        return arrays
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        logger.warning("snapshot %s unreadable (%s); loading from the rows", path, exc)
        return None


def save_terms(index_path: str | Path, store_id: str, index: TermIndex) -> None:
    arrays = index.export_arrays()
    if len(arrays["keys"]) < MIN_DOCUMENTS:
        return
    _write(snapshot_dir(index_path) / "terms.bin", _identity(store_id, index.generation), arrays)


def load_terms(index_path: str | Path, store_id: str, generation: int, *, title_weight: float) -> TermIndex | None:
    arrays = _read(snapshot_dir(index_path) / "terms.bin", _identity(store_id, generation))
    if arrays is None:
        return None
    try:
        return TermIndex.from_arrays(arrays, title_weight=title_weight, generation=generation)
    except (KeyError, ValueError) as exc:
        logger.warning("snapshot of %s has a bad BM25 index (%s); loading from the rows", index_path, exc)
        return None


def save_vectors(index_path: str | Path, store_id: str, index: VectorIndex) -> None:
    keys, matrix = index.export_arrays()
    if len(keys) < MIN_DOCUMENTS:
        return
    _write(
        snapshot_dir(index_path) / "vectors.bin",
        _identity(store_id, index.generation),
        {"keys": keys, "matrix": matrix},
    )


def load_vectors(index_path: str | Path, store_id: str, generation: int, *, dim: int | None) -> VectorIndex | None:
    arrays = _read(snapshot_dir(index_path) / "vectors.bin", _identity(store_id, generation))
    if arrays is None:
        return None
    keys, matrix = arrays.get("keys"), arrays.get("matrix")
    if keys is None or matrix is None or matrix.ndim != 2 or len(keys) != len(matrix):
        logger.warning("snapshot of %s has a bad vector index; loading from the rows", index_path)
        return None
    if dim is not None and matrix.shape[1] != dim:
        return None
    return VectorIndex.from_arrays(keys.astype(np.int64), matrix.astype(np.float32, copy=False), generation,
                                   copy=False, normalized=True)  # fmt: skip


def remove(index_path: str | Path) -> None:
    """Delete the snapshot (the index file was cleared or replaced)."""
    folder = snapshot_dir(index_path)
    for name in ("terms.bin", "vectors.bin"):
        (folder / name).unlink(missing_ok=True)
