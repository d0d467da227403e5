"""kb.pipelines.runner: components run in dependency order, independent branches at the same time."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from haystack import Pipeline, component
from haystack.core.errors import PipelineRuntimeError

from kb.errors import InvalidQuery
from kb.pipelines.runner import run_graph


@component
class Source:
    @component.output_types(text=str)
    def run(self, query: str) -> dict[str, Any]:
        return {"text": query.strip()}


@component
class Meeting:
    """Waits at a barrier shared with its sibling: only finishes if both run at the same time."""

    def __init__(self, barrier: threading.Barrier, label: str) -> None:
        self.barrier = barrier
        self.label = label
        self.thread = ""

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, Any]:
        self.thread = threading.current_thread().name
        self.barrier.wait(timeout=5)
        return {"text": f"{self.label}:{text}"}


@component
class Upper:
    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, Any]:
        return {"text": text.upper()}


@component
class Join:
    @component.output_types(text=str)
    def run(self, left: str, right: str) -> dict[str, Any]:
        return {"text": f"{left}|{right}"}


@component
class Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, Any]:
        raise self.error


def _diamond(left: Any, right: Any) -> Pipeline:
    pipe = Pipeline()
    pipe.add_component("source", Source())
    pipe.add_component("left", left)
    pipe.add_component("right", right)
    pipe.add_component("upper", Upper())
    pipe.add_component("join", Join())
    pipe.connect("source.text", "left.text")
    pipe.connect("source.text", "right.text")
    pipe.connect("right.text", "upper.text")
    pipe.connect("left.text", "join.left")
    pipe.connect("upper.text", "join.right")
    return pipe


def test_independent_branches_run_at_the_same_time_and_outputs_flow_by_name() -> None:
    barrier = threading.Barrier(2)
    left, right = Meeting(barrier, "l"), Meeting(barrier, "r")
    outputs = run_graph(_diamond(left, right), {"source": {"query": "  q "}})
    assert outputs["join"]["text"] == "l:q|R:Q"
    assert {left.thread, right.thread} & {threading.current_thread().name}  # one branch stays on the caller
    assert left.thread != right.thread


def test_same_answer_as_haystack_pipeline_run() -> None:
    pipe = _diamond(Upper(), Upper())
    ours = run_graph(pipe, {"source": {"query": "abc"}})
    theirs = pipe.run({"source": {"query": "abc"}}, include_outputs_from={"join"})
    assert ours["join"] == theirs["join"] == {"text": "ABC|ABC"}


def test_a_chain_never_leaves_the_calling_thread() -> None:
    pipe = Pipeline()
    pipe.add_component("source", Source())
    pipe.add_component("upper", Upper())
    pipe.connect("source.text", "upper.text")
    seen: list[str] = []
    original = Upper.run

    def spy(self: Upper, text: str) -> dict[str, Any]:
        seen.append(threading.current_thread().name)
        return original(self, text)

    Upper.run = spy  # type: ignore[method-assign]
    try:
        assert run_graph(pipe, {"source": {"query": "x"}})["upper"]["text"] == "X"
    finally:
        Upper.run = original  # type: ignore[method-assign]
    assert seen == [threading.current_thread().name]


def test_our_errors_pass_through_and_others_are_wrapped_after_branches_finish() -> None:
    with pytest.raises(InvalidQuery):
        run_graph(_diamond(Failing(InvalidQuery("坏查询")), Upper()), {"source": {"query": "q"}})
    with pytest.raises(PipelineRuntimeError, match="'left' failed"):
        run_graph(_diamond(Failing(ValueError("boom")), Upper()), {"source": {"query": "q"}})
