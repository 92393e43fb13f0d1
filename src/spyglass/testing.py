"""Test helpers for apps that use Spyglass, and a pytest plugin (registered as ``spyglass``).

The ``spyglass_capture`` fixture configures the SDK with an in-memory exporter, sequential
ids and a clock that ticks by one millisecond per reading, so tests can assert on exact spans::

    def test_answer_is_traced(spyglass_capture):
        answer("Where is my order?")
        [root] = spyglass_capture.spans("answer")
        assert root.attributes["spyglass.input"] == '{"question": "Where is my order?"}'
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

from spyglass.sdk import config
from spyglass.sdk._state import STATE
from spyglass.sdk.instrumentation import uninstrument_all

START_NS = 1_700_000_000_000_000_000  # 2023-11-14T22:13:20Z
TICK_NS = 1_000_000


class SequentialIds(IdGenerator):
    """Trace ids 1, 2, 3, ... and span ids 1, 2, 3, ...: stable across runs."""

    def __init__(self) -> None:
        self._trace = itertools.count(1)
        self._span = itertools.count(1)

    def generate_trace_id(self) -> int:
        return next(self._trace)

    def generate_span_id(self) -> int:
        return next(self._span)


class TickingClock:
    """A clock that advances ``TICK_NS`` every time it is read."""

    def __init__(self, start_ns: int = START_NS, tick_ns: int = TICK_NS) -> None:
        self._next = itertools.count(start_ns, tick_ns)

    def __call__(self) -> int:
        return next(self._next)


class Capture:
    """Finished spans recorded in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()

    def all(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        """Finished spans, in the order they ended; only those called ``name`` if given."""
        return [s for s in self.all() if name is None or s.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.spans(name)
        assert len(found) == 1, f"expected one span {name!r}, found {len(found)}"
        return found[0]

    @staticmethod
    def json_attribute(sp: ReadableSpan, key: str) -> Any:
        value = (sp.attributes or {}).get(key)
        return json.loads(value) if isinstance(value, str) else value

    def clear(self) -> None:
        self.exporter.clear()


def start_capture(**settings: Any) -> Capture:
    """Configure the SDK to record into memory, deterministically; returns the capture."""
    capture = Capture()
    config.configure(
        exporter=capture.exporter,
        id_generator=SequentialIds(),
        set_global_provider=False,
        endpoint="",
        **settings,
    )
    STATE.clock = TickingClock()
    return capture


def stop_capture() -> None:
    uninstrument_all()
    config.shutdown()

    STATE.clock = time.time_ns


@pytest.fixture
def spyglass_capture() -> Iterator[Capture]:
    """The SDK configured to record spans in memory, with sequential ids and a ticking clock."""
    capture = start_capture()
    try:
        yield capture
    finally:
        stop_capture()


__all__ = [
    "Capture",
    "SequentialIds",
    "TickingClock",
    "spyglass_capture",
    "start_capture",
    "stop_capture",
]
