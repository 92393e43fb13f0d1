"""``observe``, ``span``, ``update_span``/``update_trace``, context propagation, the testing
plugin's deterministic ids and clock, and the never-raise guard."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import spyglass
from spyglass.sdk import _safe, threads
from spyglass.sdk._state import STATE
from spyglass.testing import START_NS, TICK_NS, Capture, start_capture, stop_capture


@pytest.fixture
def capture_with() -> Iterator[Callable[..., Capture]]:
    """``capture_with(**settings)``: the in-memory capture with non-default settings."""
    started = False

    def start(**settings: Any) -> Capture:
        nonlocal started
        started = True
        return start_capture(**settings)

    yield start
    if started:
        stop_capture()


def attrs(sp: ReadableSpan) -> dict[str, Any]:
    return dict(sp.attributes or {})


def parent_id(sp: ReadableSpan) -> int | None:
    return sp.parent.span_id if sp.parent is not None else None


# -- before configure ---------------------------------------------------------------------


@spyglass.observe
def double(x: int) -> int:
    return 2 * x


@spyglass.observe
async def adouble(x: int) -> int:
    await asyncio.sleep(0)
    return 2 * x


@spyglass.observe
def count_to(n: int) -> Iterator[int]:
    sent = yield 0
    yield from range(1, n)
    assert sent is None or sent == "hello"


@spyglass.observe(name="acount")
async def acount_to(n: int) -> AsyncIterator[int]:
    for i in range(n):
        await asyncio.sleep(0)
        yield i


def test_every_api_is_a_quiet_no_op_before_configure() -> None:
    spyglass.shutdown()
    assert STATE.tracer is None
    assert double(21) == 42
    assert asyncio.run(adouble(21)) == 42
    assert list(count_to(3)) == [0, 1, 2]

    async def collect() -> list[int]:
        return [i async for i in acount_to(3)]

    assert asyncio.run(collect()) == [0, 1, 2]
    with spyglass.span("block", input={"q": 1}) as handle:
        assert isinstance(handle, spyglass.SpanHandle)
        assert handle.otel_span is None
        handle.set_output("ignored")
        handle.set_input("ignored")
        handle.update(name="x")
    assert spyglass.update_trace(user_id="u", session_id="s", tags=["t"]) is None
    assert spyglass.update_span(name="x", output=1) is None
    assert spyglass.score("thumbs", False) is None
    assert spyglass.score("thumbs", True, trace_id="0" * 31 + "1") is None
    assert spyglass.current_trace_id() is None
    assert spyglass.flush(1.0) is True


def test_exception_passes_through_unchanged_before_configure() -> None:
    spyglass.shutdown()
    err = KeyError("k")

    @spyglass.observe
    def fails() -> None:
        raise err

    with pytest.raises(KeyError) as info:
        fails()
    assert info.value is err


# -- the four kinds of function -----------------------------------------------------------


class Assistant:
    @spyglass.observe
    def answer(self, question: str, *, style: str = "terse") -> dict[str, Any]:
        return {"text": question.upper(), "style": style}

    @classmethod
    @spyglass.observe
    def build(cls, name: str) -> str:
        return name


def test_sync_captures_bound_arguments_without_self_and_the_output(
    spyglass_capture: Capture,
) -> None:
    assert Assistant().answer("where?", style="long") == {"text": "WHERE?", "style": "long"}
    sp = spyglass_capture.one("Assistant.answer")
    assert attrs(sp)["spyglass.span.kind"] == "CHAIN"
    assert json.loads(attrs(sp)["spyglass.input"]) == {"question": "where?", "style": "long"}
    assert json.loads(attrs(sp)["spyglass.output"]) == {"text": "WHERE?", "style": "long"}
    assert sp.status.status_code is StatusCode.UNSET
    assert sp.end_time is not None

    assert Assistant.build("bot") == "bot"
    assert attrs(spyglass_capture.one("Assistant.build"))["spyglass.input"] == '{"name": "bot"}'


def test_string_output_is_kept_as_text(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="greet", kind="tool", attributes={"team": "search"})
    def greet(who: str) -> str:
        return f"hi {who}"

    assert greet("ana") == "hi ana"
    sp = spyglass_capture.one("greet")
    assert attrs(sp) == {
        "spyglass.span.kind": "TOOL",
        "team": "search",
        "spyglass.input": '{"who": "ana"}',
        "spyglass.output": "hi ana",
    }


def test_async(spyglass_capture: Capture) -> None:
    assert asyncio.run(adouble(4)) == 8
    sp = spyglass_capture.one("adouble")
    assert (attrs(sp)["spyglass.input"], attrs(sp)["spyglass.output"]) == ('{"x": 4}', "8")


def test_generator_span_ends_when_exhausted(spyglass_capture: Capture) -> None:
    gen = count_to(3)
    assert next(gen) == 0
    assert gen.send("hello") == 1  # send() reaches the wrapped generator
    assert spyglass_capture.spans() == []
    # Between items the generator's span is not the current one.
    assert spyglass.current_span_id() is None
    assert list(gen) == [2]
    sp = spyglass_capture.one("count_to")
    assert json.loads(attrs(sp)["spyglass.output"]) == [0, 1, 2]
    assert attrs(sp)["spyglass.input"] == '{"n": 3}'


def test_generator_return_value_is_preserved(spyglass_capture: Capture) -> None:
    @spyglass.observe
    def gen() -> Iterator[str]:
        yield "a"
        yield "b"
        return "done"

    def outer() -> Iterator[str]:
        result = yield from gen()
        assert result == "done"

    assert list(outer()) == ["a", "b"]
    assert (
        attrs(spyglass_capture.one("test_generator_return_value_is_preserved.<locals>.gen"))[
            "spyglass.output"
        ]
        == "ab"
    )


def test_generator_closed_early_ends_its_span(spyglass_capture: Capture) -> None:
    closed = []

    @spyglass.observe(name="words")
    def words() -> Iterator[str]:
        try:
            yield "one "
            yield "two "
            yield "three"
        finally:
            closed.append(True)

    gen = words()
    assert next(gen) == "one "
    gen.close()
    assert closed == [True]  # the wrapped generator was closed too
    sp = spyglass_capture.one("words")
    assert attrs(sp)["spyglass.output"] == "one "
    assert sp.status.status_code is StatusCode.UNSET


def test_abandoned_generator_ends_its_span_when_collected(spyglass_capture: Capture) -> None:
    gen = count_to(10)
    assert next(gen) == 0
    assert next(gen) == 1
    del gen
    gc.collect()
    sp = spyglass_capture.one("count_to")
    assert json.loads(attrs(sp)["spyglass.output"]) == [0, 1]


def test_async_generator_exhausted_and_closed_early(spyglass_capture: Capture) -> None:
    async def main() -> None:
        assert [i async for i in acount_to(3)] == [0, 1, 2]
        agen = acount_to(5)
        assert await agen.__anext__() == 0
        await agen.aclose()

    asyncio.run(main())
    full, early = spyglass_capture.spans("acount")
    assert attrs(full)["spyglass.output"] == "[0, 1, 2]"
    assert attrs(early)["spyglass.output"] == "[0]"
    assert early.end_time is not None


# -- errors -------------------------------------------------------------------------------


class Boom(Exception):
    pass


def _assert_error(sp: ReadableSpan, message: str) -> None:
    assert sp.status.status_code is StatusCode.ERROR
    assert sp.status.description == f"Boom: {message}"
    [event] = sp.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.type"].endswith("Boom")
    assert event.attributes["exception.message"] == message
    assert "spyglass.output" not in attrs(sp)


def test_exceptions_set_error_status_and_are_reraised_as_the_same_object(
    spyglass_capture: Capture,
) -> None:
    err = Boom("sync")

    @spyglass.observe(name="sync")
    def sync() -> None:
        raise err

    with pytest.raises(Boom) as info:
        sync()
    assert info.value is err
    _assert_error(spyglass_capture.one("sync"), "sync")

    aerr = Boom("async")

    @spyglass.observe(name="async")
    async def afail() -> None:
        raise aerr

    with pytest.raises(Boom) as ainfo:
        asyncio.run(afail())
    assert ainfo.value is aerr
    _assert_error(spyglass_capture.one("async"), "async")

    gerr = Boom("gen")

    @spyglass.observe(name="gen")
    def gfail() -> Iterator[int]:
        yield 1
        raise gerr

    gen = gfail()
    assert next(gen) == 1
    with pytest.raises(Boom) as ginfo:
        next(gen)
    assert ginfo.value is gerr
    _assert_error(spyglass_capture.one("gen"), "gen")

    agerr = Boom("agen")

    @spyglass.observe(name="agen")
    async def agfail() -> AsyncIterator[int]:
        yield 1
        raise agerr

    async def drain() -> None:
        async for _ in agfail():
            pass

    with pytest.raises(Boom) as aginfo:
        asyncio.run(drain())
    assert aginfo.value is agerr
    _assert_error(spyglass_capture.one("agen"), "agen")

    serr = Boom("block")
    with pytest.raises(Boom) as sinfo, spyglass.span("block"):
        raise serr
    assert sinfo.value is serr
    _assert_error(spyglass_capture.one("block"), "block")


# -- nesting ------------------------------------------------------------------------------


def test_nested_calls_and_span_blocks(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="root")
    def root() -> str:
        with spyglass.span("retrieve", kind="retriever", input="q") as s:
            s.set_output(["doc1", "doc2"])
            s.update(attributes={"k": 3})
        return double(2) and "ok"

    assert root() == "ok"
    retrieve = spyglass_capture.one("retrieve")
    child = spyglass_capture.one("double")
    top = spyglass_capture.one("root")
    assert parent_id(top) is None
    assert parent_id(retrieve) == parent_id(child) == top.context.span_id
    assert retrieve.context.trace_id == child.context.trace_id == top.context.trace_id
    assert attrs(retrieve) == {
        "spyglass.span.kind": "RETRIEVER",
        "spyglass.input": "q",
        "spyglass.output": '["doc1", "doc2"]',
        "k": 3,
    }


def test_nesting_across_asyncio_gather(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="fan_out")
    async def fan_out() -> list[int]:
        return list(await asyncio.gather(adouble(1), adouble(2), adouble(3)))

    assert asyncio.run(fan_out()) == [2, 4, 6]
    top = spyglass_capture.one("fan_out")
    children = spyglass_capture.spans("adouble")
    assert len(children) == 3
    assert {parent_id(c) for c in children} == {top.context.span_id}
    assert {c.context.trace_id for c in children} == {top.context.trace_id}


# -- update_span / update_trace -----------------------------------------------------------


def test_update_trace_and_update_span(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="handler")
    def handler() -> None:
        spyglass.update_trace(
            user_id="user-7",
            session_id="sess-1",
            tags=["beta", "eu"],
            metadata={"plan": "pro", "seats": 3},
        )
        spyglass.update_span(
            name="renamed",
            kind="agent",
            input={"override": True},
            metadata={"step": 1},
            attributes={"custom.flag": True},
        )

    handler()
    sp = spyglass_capture.one("renamed")
    assert attrs(sp) == {
        "spyglass.span.kind": "AGENT",
        "spyglass.input": '{"override": true}',
        "spyglass.output": "null",
        "user.id": "user-7",
        "session.id": "sess-1",
        "spyglass.tags": ("beta", "eu"),
        # update_span's metadata adds to update_trace's on the same span.
        "spyglass.metadata": '{"plan": "pro", "seats": 3, "step": 1}',
        "custom.flag": True,
    }


def test_update_trace_metadata_is_json(spyglass_capture: Capture) -> None:
    with spyglass.span("root"):
        spyglass.update_trace(metadata={"a": [1, 2], "b": None})
    assert json.loads(attrs(spyglass_capture.one("root"))["spyglass.metadata"]) == {
        "a": [1, 2],
        "b": None,
    }


def test_update_outside_a_span_is_ignored(spyglass_capture: Capture) -> None:
    spyglass.update_trace(user_id="nobody")
    spyglass.update_span(name="nothing")
    assert spyglass_capture.spans() == []


# -- capture, redaction, truncation -------------------------------------------------------


def test_capture_off_globally(capture_with: Callable[..., Capture]) -> None:
    cap = capture_with(capture=False)
    assert double(3) == 6
    with spyglass.span("block", input="secret") as s:
        s.set_output("secret")
    assert attrs(cap.one("double")) == {"spyglass.span.kind": "CHAIN"}
    assert attrs(cap.one("block")) == {"spyglass.span.kind": "CHAIN"}


def test_capture_off_per_function(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="no_in", capture_input=False)
    def no_in(password: str) -> str:
        return "fine"

    @spyglass.observe(name="no_out", capture_output=False)
    def no_out(x: int) -> str:
        return "token-123"

    no_in("hunter2")
    no_out(1)
    assert attrs(spyglass_capture.one("no_in")) == {
        "spyglass.span.kind": "CHAIN",
        "spyglass.output": "fine",
    }
    assert attrs(spyglass_capture.one("no_out")) == {
        "spyglass.span.kind": "CHAIN",
        "spyglass.input": '{"x": 1}',
    }


def test_redaction_hook_applies_to_inputs_and_outputs(
    capture_with: Callable[..., Capture],
) -> None:
    cap = capture_with(redact=lambda text: text.replace("4111-1111", "[card]"))

    @spyglass.observe(name="pay")
    def pay(card: str) -> str:
        return f"charged {card}"

    assert pay("4111-1111") == "charged 4111-1111"  # the app still sees the real value
    sp = cap.one("pay")
    assert attrs(sp)["spyglass.input"] == '{"card": "[card]"}'
    assert attrs(sp)["spyglass.output"] == "charged [card]"


def test_truncation_at_max_payload_chars(capture_with: Callable[..., Capture]) -> None:
    cap = capture_with(max_payload_chars=100)

    @spyglass.observe(name="long")
    def long(text: str) -> str:
        return text * 3

    long("x" * 100)
    sp = cap.one("long")
    assert attrs(sp)["spyglass.output"] == "x" * 100 + "…[truncated 200 chars]"
    # The input is the JSON text {"text": "xxx..."}: 112 characters.
    assert attrs(sp)["spyglass.input"] == '{"text": "' + "x" * 90 + "…[truncated 12 chars]"


# -- threads ------------------------------------------------------------------------------


def _run_in_thread(func: Callable[[], Any]) -> None:
    t = threading.Thread(target=func)
    t.start()
    t.join(10)
    assert not t.is_alive()


def test_plain_thread_starts_a_new_trace(spyglass_capture: Capture) -> None:
    with spyglass.span("root"):
        _run_in_thread(lambda: double(1))
    root, child = spyglass_capture.one("root"), spyglass_capture.one("double")
    assert parent_id(child) is None
    assert child.context.trace_id != root.context.trace_id


def test_with_context_nests_a_thread_under_the_caller(spyglass_capture: Capture) -> None:
    with spyglass.span("root"):
        _run_in_thread(spyglass.with_context(lambda: double(1)))
    root, child = spyglass_capture.one("root"), spyglass_capture.one("double")
    assert parent_id(child) == root.context.span_id
    assert child.context.trace_id == root.context.trace_id


def test_propagate_to_threads_nests_executor_work(
    spyglass_capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # propagate_to_threads patches the executor for good; put it back after the test.
    monkeypatch.setattr(
        concurrent.futures.ThreadPoolExecutor,
        "submit",
        concurrent.futures.ThreadPoolExecutor.submit,
    )
    monkeypatch.setattr(threads, "_original_submit", None)
    with concurrent.futures.ThreadPoolExecutor(2) as pool, spyglass.span("before"):
        assert pool.submit(double, 1).result(10) == 2
    spyglass.propagate_to_threads()
    spyglass.propagate_to_threads()  # idempotent
    with concurrent.futures.ThreadPoolExecutor(2) as pool, spyglass.span("after"):
        assert list(pool.map(double, [1, 2])) == [2, 4]
    before, first, second, third = (
        spyglass_capture.one("before"),
        *spyglass_capture.spans("double"),
    )
    after = spyglass_capture.one("after")
    assert parent_id(first) is None
    assert {parent_id(second), parent_id(third)} == {after.context.span_id}
    assert before.context.trace_id != after.context.trace_id


# -- other OpenTelemetry tracers ----------------------------------------------------------


def test_other_tracer_providers_spans_nest_both_ways(spyglass_capture: Capture) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    other = provider.get_tracer("some.library")
    try:

        @spyglass.observe(name="ours")
        def ours() -> None:
            with other.start_as_current_span("db.query"):
                double(1)

        with other.start_as_current_span("http.request"):
            ours()
    finally:
        provider.shutdown()
    theirs = {s.name: s for s in exporter.get_finished_spans()}
    http, db = theirs["http.request"], theirs["db.query"]
    mine, inner = spyglass_capture.one("ours"), spyglass_capture.one("double")
    assert parent_id(mine) == http.context.span_id
    assert parent_id(db) == mine.context.span_id
    assert parent_id(inner) == db.context.span_id
    assert {s.context.trace_id for s in (http, db, mine, inner)} == {http.context.trace_id}


# -- the testing plugin -------------------------------------------------------------------


def test_deterministic_ids_and_ticking_clock(spyglass_capture: Capture) -> None:
    @spyglass.observe(name="outer")
    def outer() -> None:
        double(1)

    outer()
    double(2)
    inner, top, second = spyglass_capture.spans()
    assert (top.name, inner.name, second.name) == ("outer", "double", "double")
    assert (top.context.trace_id, top.context.span_id) == (1, 1)
    assert (inner.context.trace_id, inner.context.span_id) == (1, 2)
    assert (second.context.trace_id, second.context.span_id) == (2, 3)
    assert spyglass_capture.json_attribute(second, "spyglass.input") == {"x": 2}
    # Every clock reading ticks: outer starts, inner starts and ends, outer ends, ...
    assert (top.start_time, inner.start_time, inner.end_time, top.end_time) == (
        START_NS,
        START_NS + TICK_NS,
        START_NS + 2 * TICK_NS,
        START_NS + 3 * TICK_NS,
    )
    assert (second.start_time, second.end_time) == (START_NS + 4 * TICK_NS, START_NS + 5 * TICK_NS)
    spyglass_capture.clear()
    assert spyglass_capture.spans() == []


def test_current_ids_inside_a_span(spyglass_capture: Capture) -> None:
    with spyglass.span("root"):
        assert spyglass.current_trace_id() == f"{1:032x}"
        assert spyglass.current_span_id() == f"{1:016x}"
    assert spyglass.current_trace_id() is None


# -- never raise into the app -------------------------------------------------------------


def test_internal_errors_are_logged_once_and_swallowed_outside_pytest(
    capture_with: Callable[..., Capture],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(_safe, "under_pytest", lambda: False)
    monkeypatch.setattr(_safe, "_reported", set())

    def broken_redact(text: str) -> str:
        raise RuntimeError("redactor bug")

    cap = capture_with(redact=broken_redact)

    @spyglass.observe(name="work", capture_output=False)
    def work(x: int) -> int:
        return x + 1

    with caplog.at_level(logging.WARNING, logger="spyglass"):
        assert [work(i) for i in range(3)] == [1, 2, 3]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "redactor bug" in warnings[0].getMessage()
    # The spans still exist, only without the input that could not be redacted.
    assert [attrs(s) for s in cap.spans("work")] == [{"spyglass.span.kind": "CHAIN"}] * 3


def test_internal_errors_are_reraised_under_pytest(capture_with: Callable[..., Capture]) -> None:
    def broken_redact(text: str) -> str:
        raise RuntimeError("redactor bug")

    capture_with(redact=broken_redact)
    with pytest.raises(RuntimeError, match="redactor bug"):
        double(1)


# -- generators keep their full protocol --------------------------------------------------


def test_generator_throw_reaches_the_wrapped_generator(spyglass_capture: Capture) -> None:
    handled: list[str] = []

    @contextlib.contextmanager
    @spyglass.observe(name="managed")
    def managed() -> Iterator[int]:
        try:
            yield 1
        except ValueError as exc:
            handled.append(str(exc))

    # contextmanager throws the block's exception into the generator, which handles it.
    with managed() as value:
        assert value == 1
        raise ValueError("handled inside")
    assert handled == ["handled inside"]
    sp = spyglass_capture.one("managed")
    assert sp.status.status_code is StatusCode.UNSET
    assert attrs(sp)["spyglass.output"] == "[1]"


def test_async_generator_athrow_and_asend_reach_the_wrapped_generator(
    spyglass_capture: Capture,
) -> None:
    received: list[Any] = []

    @spyglass.observe(name="echo")
    async def echo() -> AsyncIterator[str]:
        while True:
            try:
                received.append((yield "ready"))
            except KeyError:
                received.append("caught")

    async def main() -> None:
        agen = echo()
        assert await agen.asend(None) == "ready"
        assert await agen.asend("hello") == "ready"
        assert await agen.athrow(KeyError("k")) == "ready"
        await agen.aclose()

    asyncio.run(main())
    assert received == ["hello", "caught"]
    spyglass.shutdown()
    received.clear()
    asyncio.run(main())  # and the same before configure
    assert received == ["hello", "caught"]


def test_instrumenting_a_library_that_is_not_installed_is_a_quiet_false(
    spyglass_capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("openai", "anthropic") else real_find_spec(name, *a),
    )
    assert spyglass.instrument_openai() is False
    assert spyglass.instrument_anthropic() is False
