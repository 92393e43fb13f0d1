"""Shared by the LLM client instrumentations: patching, the LLM span, stream recording."""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import Span, Status, StatusCode

from spyglass.sdk import names
from spyglass.sdk._safe import report
from spyglass.sdk._state import STATE
from spyglass.sdk.tracing import _finish

Patch = tuple[Any, str, Any]


def field(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a client library's response model, or of a plain dict (requests are dicts)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def patch(owner: Any, attr: str, make: Callable[[Any], Any], undo: list[Patch]) -> None:
    """Replace ``owner.attr`` by ``make(original)``; remember how to put it back."""
    original = getattr(owner, attr)
    if getattr(original, "__spyglass_wrapped__", False):
        return
    wrapper = make(original)
    functools.update_wrapper(wrapper, original)
    wrapper.__spyglass_wrapped__ = True
    setattr(owner, attr, wrapper)
    undo.append((owner, attr, original))


def unpatch(undo: list[Patch]) -> None:
    while undo:
        owner, attr, original = undo.pop()
        setattr(owner, attr, original)


def clip(text: Any) -> Any:
    """A captured text within the payload limit (each message, not the JSON as a whole, so
    the JSON stays valid)."""
    if isinstance(text, str) and len(text) > STATE.max_payload_chars:
        return (
            text[: STATE.max_payload_chars]
            + f"…[truncated {len(text) - STATE.max_payload_chars} chars]"
        )
    return text


def dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return STATE.redact(text) if STATE.redact is not None else text


def start_llm_span(name: str, kind: str, attributes: dict[str, Any]) -> Span | None:
    tracer = STATE.tracer
    if tracer is None:
        return None
    try:
        sp = tracer.start_span(name, start_time=STATE.clock())
        sp.set_attribute(names.SPAN_KIND, kind)
        sp.set_attributes({k: v for k, v in attributes.items() if v is not None})
        return sp
    except Exception as exc:
        report("instrumentation start", exc)
        return None


def fail(sp: Span, exc: BaseException) -> None:
    try:
        sp.set_attribute("error.type", type(exc).__qualname__)
        _finish(sp, exc)
    except Exception as err:
        report("instrumentation error", err)


# Streams whose spans are still open; shutdown ends them so no span is lost at exit.
OPEN_STREAMS: weakref.WeakSet[StreamRecorder] = weakref.WeakSet()


def end_open_streams() -> None:
    for rec in list(OPEN_STREAMS):
        rec.finish(how="unfinished at shutdown")


class StreamRecorder:
    """Collects a stream's chunks for one span and ends the span exactly once: when the stream
    is exhausted, closed, fails, or is dropped by the caller without being read to the end."""

    def __init__(
        self, sp: Span, on_chunk: Callable[[Any], None], on_end: Callable[[Span], None]
    ) -> None:
        self.span = sp
        self._on_chunk = on_chunk
        self._on_end = on_end
        self._first_ns: int | None = None
        # Time to first token counts from the request's start (the span's), not from when the
        # response headers arrived: the wait for them is part of what the user waits for.
        start = getattr(sp, "start_time", None)
        self._start_ns = start if isinstance(start, int) else STATE.clock()
        self.done = False
        OPEN_STREAMS.add(self)

    def chunk(self, item: Any) -> None:
        if self._first_ns is None:
            self._first_ns = STATE.clock()
            self.span.set_attribute(names.TTFT_MS, (self._first_ns - self._start_ns) / 1e6)
        try:
            self._on_chunk(item)
        except Exception as exc:
            report("stream chunk", exc)

    def finish(self, error: BaseException | None = None, how: str = "completed") -> None:
        if self.done:
            return
        self.done = True
        OPEN_STREAMS.discard(self)
        try:
            if how != "completed":
                self.span.set_attribute("spyglass.stream.ended", how)
            if error is None:
                self._on_end(self.span)
            else:
                self.span.set_attribute("error.type", type(error).__qualname__)
            _finish(self.span, error)
        except Exception as exc:
            report("stream end", exc)


def record_sync_stream(stream: Any, rec: StreamRecorder) -> Any:
    """Route ``stream``'s iteration through ``rec``; the caller gets the same object back,
    yielding the same chunks at the same moments."""
    inner = stream._iterator

    def traced() -> Any:
        try:
            for item in inner:
                rec.chunk(item)
                yield item
        except GeneratorExit:
            rec.finish(how="closed")
            raise
        except BaseException as exc:
            rec.finish(exc)
            raise
        rec.finish()

    stream._iterator = traced()
    _on_close(stream, rec)
    return stream


def record_async_stream(stream: Any, rec: StreamRecorder) -> Any:
    inner = stream._iterator

    async def traced() -> Any:
        try:
            async for item in inner:
                rec.chunk(item)
                yield item
        except GeneratorExit:
            rec.finish(how="closed")
            raise
        except BaseException as exc:
            rec.finish(exc)
            raise
        rec.finish()

    stream._iterator = traced()
    _on_close(stream, rec)
    return stream


def _on_close(stream: Any, rec: StreamRecorder) -> None:
    original_close = getattr(stream, "close", None)
    if original_close is not None:
        if _is_coroutine_function(original_close):

            async def aclose() -> Any:
                rec.finish(how="closed")
                return await original_close()

            stream.close = aclose
        else:

            def close() -> Any:
                rec.finish(how="closed")
                return original_close()

            stream.close = close
    # A stream the caller drops unread still ends its span (when it is garbage collected).
    weakref.finalize(stream, rec.finish, None, "abandoned")


def _is_coroutine_function(func: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(func)


def set_error_status(sp: Span, message: str) -> None:
    sp.set_status(Status(StatusCode.ERROR, message))
