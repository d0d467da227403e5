"""Run an acyclic Haystack pipeline's components with independent branches at the same time, passing outputs by
reference.

`Pipeline.run` deep-copies every component's inputs; with a few hundred retrieved chunks that copying took 80% of a
query's time. Our components treat their inputs as read-only, so the search path skips the copies. The graph is still
the Haystack pipeline (same components, same connections, same to_dict).

Branches: once the query is analysed, BM25 and the dense branch (query embedding, then vector search) do not depend
on each other. The embedding model (a C library called through ctypes), numpy's matrix products and SQLite all
release the GIL, so on two cores the BM25 branch runs while the query is being embedded instead of after it. A node
is started as soon as everything it reads from has finished: all but one of the nodes that become ready together go
to a small shared thread pool and the calling thread runs the last one itself, so a pipeline without branches never
leaves the calling thread.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

import networkx
from haystack import Pipeline
from haystack.core.errors import PipelineRuntimeError

from kb.errors import KBError
from kb.threads import LazyPool

# Separate from kb.stores.sqlite_vectors' pool: a branch waits for its vector blocks, never for another branch.
_branch_pool = LazyPool(4, "kb-branch")


def _call(pipe: Pipeline, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    instance = pipe.graph.nodes[name]["instance"]
    try:
        result: dict[str, Any] = instance.run(**kwargs)
    except KBError:
        raise
    except Exception as exc:
        msg = f"Component {name!r} failed: {exc}"
        raise PipelineRuntimeError(name, type(instance), msg) from exc
    return result


def _inputs(
    pipe: Pipeline, name: str, data: dict[str, dict[str, Any]], outputs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    kwargs = dict(data.get(name, {}))
    for sender, _, edge in pipe.graph.in_edges(name, data=True):
        produced = outputs.get(sender, {})
        socket = edge["from_socket"].name
        if socket in produced:
            kwargs[edge["to_socket"].name] = produced[socket]
    return kwargs


def run_graph(pipe: Pipeline, data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every component's outputs by name. A component's exception propagates once the running branches finish."""
    order = list(networkx.topological_sort(pipe.graph))
    needs = {name: {sender for sender, _ in pipe.graph.in_edges(name)} for name in order}
    outputs: dict[str, dict[str, Any]] = {}
    running: dict[Future[dict[str, Any]], str] = {}
    waiting = order
    try:
        while waiting or running:
            ready = [name for name in waiting if needs[name] <= outputs.keys()]
            waiting = [name for name in waiting if name not in ready]
            for name in ready[:-1]:
                context = contextvars.copy_context()  # the request id of the log lines, in the worker too
                future = _branch_pool.get().submit(context.run, _call, pipe, name, _inputs(pipe, name, data, outputs))
                running[future] = name
            if ready:
                last = ready[-1]
                outputs[last] = _call(pipe, last, _inputs(pipe, last, data, outputs))
                finished = [future for future in running if future.done()]
            elif running:
                finished = list(wait(running, return_when=FIRST_COMPLETED).done)
            else:  # pragma: no cover - a DAG always has a ready node while some are waiting
                msg = f"pipeline nodes {waiting} can never run"
                raise RuntimeError(msg)
            for future in finished:
                outputs[running.pop(future)] = future.result()
    finally:
        if running:
            wait(running)
    return outputs
