"""``observe``, ``span``, ``update_span``, ``update_trace``: the tracing API.

Spans are OpenTelemetry spans on Spyglass's tracer, so OpenTelemetry instrumentation in the
same app nests under them and they nest under it. Inputs and outputs are captured as JSON text
(``spyglass.input`` / ``spyglass.output``), redacted by the configured hook and truncated to
``max_payload_chars``; capture can be turned off globally or per call.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from spyglass.sdk import names
from spyglass.sdk._safe import report, safe
from spyglass.sdk._state import STATE
from spyglass.sdk.payload import to_text

F = TypeVar("F", bound=Callable[..., Any])
_NOT_GIVEN: Any = object()


def _capture_text(value: Any) -> str:
    return to_text(value, STATE.max_payload_chars, STATE.redact)


def _start(name: str, kind: str, attributes: Mapping[str, Any] | None) -> Span:
    tracer = STATE.tracer
    assert tracer is not None
    sp = tracer.start_span(name, start_time=STATE.clock())
    if kind:
        sp.set_attribute(names.SPAN_KIND, kind)
    if attributes:
        sp.set_attributes(dict(attributes))
    return sp


def _finish(sp: Span, exc: BaseException | None) -> None:
    if exc is not None:
        sp.record_exception(exc, timestamp=STATE.clock())
        sp.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
    sp.end(end_time=STATE.clock())


def _set_input(sp: Span, value: Any) -> None:
    try:
        sp.set_attribute(names.INPUT, _capture_text(value))
    except Exception as exc:
        report("capture input", exc)


def _set_output(sp: Span, value: Any) -> None:
    try:
        sp.set_attribute(names.OUTPUT, _capture_text(value))
    except Exception as exc:
        report("capture output", exc)


class _Observed:
    """Per-function settings of ``@observe``, resolved once at decoration."""

    __slots__ = ("attributes", "capture_input", "capture_output", "kind", "name", "signature")

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None,
        kind: str,
        capture_input: bool,
        capture_output: bool,
        attributes: Mapping[str, Any] | None,
    ) -> None:
        self.name = name or getattr(func, "__qualname__", None) or repr(func)
        self.kind = kind.upper()
        self.capture_input = capture_input
        self.capture_output = capture_output
        self.attributes = dict(attributes) if attributes else None
        try:
            self.signature: inspect.Signature | None = inspect.signature(func)
        except (TypeError, ValueError):
            self.signature = None

    def start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Span:
        sp = _start(self.name, self.kind, self.attributes)
        if self.capture_input and STATE.capture:
            _set_input(sp, self._arguments(args, kwargs))
        return sp

    def _arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.signature is None:
            return {"args": list(args), "kwargs": kwargs}
        try:
            bound = self.signature.bind_partial(*args, **kwargs).arguments
        except TypeError:
            return {"args": list(args), "kwargs": kwargs}
        bound.pop("self", None)
        bound.pop("cls", None)
        return bound

    def output(self, sp: Span, value: Any) -> None:
        if self.capture_output and STATE.capture:
            _set_output(sp, value)


@overload
def observe(func: F) -> F: ...
@overload
def observe(
    func: None = None,
    *,
    name: str | None = None,
    kind: str = "CHAIN",
    capture_input: bool = True,
    capture_output: bool = True,
    attributes: Mapping[str, Any] | None = None,
) -> Callable[[F], F]: ...


def observe(
    func: Any = None,
    *,
    name: str | None = None,
    kind: str = "CHAIN",
    capture_input: bool = True,
    capture_output: bool = True,
    attributes: Mapping[str, Any] | None = None,
) -> Any:
    """Trace each call of a function as a span: sync, async, generator or async generator.

    The span records the arguments as input and the return value as output (for generators,
    the yielded items, and it ends when the generator is exhausted or closed). An exception
    sets the error status and is re-raised unchanged. Before ``configure`` the function runs
    untouched.
    """
    if func is None:
        return lambda f: observe(
            f,
            name=name,
            kind=kind,
            capture_input=capture_input,
            capture_output=capture_output,
            attributes=attributes,
        )
    spec = _Observed(func, name, kind, capture_input, capture_output, attributes)
    if inspect.isasyncgenfunction(func):
        return _wrap_async_gen(func, spec)
    if inspect.isgeneratorfunction(func):
        return _wrap_gen(func, spec)
    if inspect.iscoroutinefunction(func):
        return _wrap_async(func, spec)
    return _wrap_sync(func, spec)


def _enter(
    spec: _Observed, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Span, object] | None:
    if STATE.tracer is None:
        return None
    try:
        sp = spec.start(args, kwargs)
        token = otel_context.attach(trace.set_span_in_context(sp))
    except Exception as exc:
        report("observe", exc)
        return None
    return sp, token


def _exit(
    entered: tuple[Span, object], exc: BaseException | None, result: Any, spec: _Observed
) -> None:
    sp, token = entered
    try:
        otel_context.detach(token)  # type: ignore[arg-type]
        if exc is None:
            spec.output(sp, result)
        _finish(sp, exc)
    except Exception as err:
        report("observe", err)


def _wrap_sync(func: Callable[..., Any], spec: _Observed) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        entered = _enter(spec, args, kwargs)
        if entered is None:
            return func(*args, **kwargs)
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            _exit(entered, exc, None, spec)
            raise
        _exit(entered, None, result, spec)
        return result

    return wrapper


def _wrap_async(func: Callable[..., Any], spec: _Observed) -> Any:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        entered = _enter(spec, args, kwargs)
        if entered is None:
            return await func(*args, **kwargs)
        try:
            result = await func(*args, **kwargs)
        except BaseException as exc:
            _exit(entered, exc, None, spec)
            raise
        _exit(entered, None, result, spec)
        return result

    return wrapper


class _Items:
    """Yielded items kept as the output, bounded so a long stream cannot grow memory."""

    __slots__ = ("count", "items", "size")

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.count = 0
        self.size = 0

    def add(self, item: Any) -> None:
        self.count += 1
        if self.size < STATE.max_payload_chars:
            self.items.append(item)
            self.size += len(item) if isinstance(item, str) else 64

    def value(self) -> Any:
        if self.items and all(isinstance(i, str) for i in self.items):
            return "".join(self.items)
        return self.items


def _wrap_gen(func: Callable[..., Any], spec: _Observed) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        if STATE.tracer is None:
            return (yield from func(*args, **kwargs))
        try:
            sp = spec.start(args, kwargs)
        except Exception as exc:
            report("observe", exc)
            return (yield from func(*args, **kwargs))
        ctx = trace.set_span_in_context(sp)
        gen = func(*args, **kwargs)
        items = _Items()
        error: BaseException | None = None
        try:
            to_send: Any = None
            to_throw: BaseException | None = None
            while True:
                # The span is current only while the generator body runs, not between items.
                token = otel_context.attach(ctx)
                try:
                    if to_throw is not None:
                        thrown, to_throw = to_throw, None
                        item = gen.throw(thrown)
                    else:
                        item = gen.send(to_send)
                except StopIteration as stop:
                    return stop.value
                finally:
                    otel_context.detach(token)
                items.add(item)
                try:
                    to_send = yield item
                except GeneratorExit:
                    raise
                except BaseException as exc:  # throw(): the wrapped generator may handle it
                    to_send, to_throw = None, exc
        except GeneratorExit:
            gen.close()
            raise
        except BaseException as exc:
            error = exc
            raise
        finally:
            try:
                if error is None:
                    spec.output(sp, items.value())
                _finish(sp, error)
            except Exception as exc:
                report("observe", exc)

    return wrapper


def _wrap_async_gen(func: Callable[..., Any], spec: _Observed) -> Any:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        # Without a span the loop still runs: asend()/athrow() must reach the wrapped generator
        # before configure too (there is no ``yield from`` for async generators).
        sp: Span | None = None
        if STATE.tracer is not None:
            try:
                sp = spec.start(args, kwargs)
            except Exception as exc:
                report("observe", exc)
        ctx = trace.set_span_in_context(sp) if sp is not None else None
        agen = func(*args, **kwargs)
        items = _Items()
        error: BaseException | None = None
        try:
            to_send: Any = None
            to_throw: BaseException | None = None
            while True:
                token = otel_context.attach(ctx) if ctx is not None else None
                try:
                    if to_throw is not None:
                        thrown, to_throw = to_throw, None
                        item = await agen.athrow(thrown)
                    else:
                        item = await agen.asend(to_send)
                except StopAsyncIteration:
                    return
                finally:
                    if token is not None:
                        otel_context.detach(token)
                if sp is not None:
                    items.add(item)
                try:
                    to_send = yield item
                except GeneratorExit:
                    raise
                except BaseException as exc:  # athrow(): the wrapped generator may handle it
                    to_send, to_throw = None, exc
        except GeneratorExit:
            await agen.aclose()
            raise
        except BaseException as exc:
            error = exc
            raise
        finally:
            if sp is not None:
                try:
                    if error is None:
                        spec.output(sp, items.value())
                    _finish(sp, error)
                except Exception as exc:
                    report("observe", exc)

    return wrapper


class SpanHandle:
    """What ``with spyglass.span(...) as s`` gives: set output and attributes on the span."""

    __slots__ = ("_span",)

    def __init__(self, sp: Span | None) -> None:
        self._span = sp

    @property
    def otel_span(self) -> Span | None:
        return self._span

    @safe()
    def set_output(self, value: Any) -> None:
        if self._span is not None and STATE.capture:
            _set_output(self._span, value)

    @safe()
    def set_input(self, value: Any) -> None:
        if self._span is not None and STATE.capture:
            _set_input(self._span, value)

    @safe()
    def update(self, **fields: Any) -> None:
        if self._span is not None:
            _update(self._span, **fields)


@contextmanager
def span(
    name: str,
    *,
    kind: str = "CHAIN",
    input: Any = _NOT_GIVEN,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[SpanHandle]:
    """A span around a block: ``with spyglass.span("retrieve", kind="RETRIEVER") as s:``.

    An exception in the block sets the error status and propagates unchanged.
    """
    if STATE.tracer is None:
        yield SpanHandle(None)
        return
    try:
        sp = _start(name, kind.upper(), attributes)
        if input is not _NOT_GIVEN and STATE.capture:
            _set_input(sp, input)
        token = otel_context.attach(trace.set_span_in_context(sp))
    except Exception as exc:
        report("span", exc)
        yield SpanHandle(None)
        return
    error: BaseException | None = None
    try:
        yield SpanHandle(sp)
    except BaseException as exc:
        error = exc
        raise
    finally:
        try:
            otel_context.detach(token)
            _finish(sp, error)
        except Exception as exc:
            report("span", exc)


def _update(
    sp: Span,
    *,
    name: str | None = None,
    input: Any = _NOT_GIVEN,
    output: Any = _NOT_GIVEN,
    metadata: Mapping[str, Any] | None = None,
    attributes: Mapping[str, Any] | None = None,
    kind: str | None = None,
) -> None:
    if name is not None:
        sp.update_name(name)
    if kind is not None:
        sp.set_attribute(names.SPAN_KIND, kind.upper())
    if input is not _NOT_GIVEN and STATE.capture:
        _set_input(sp, input)
    if output is not _NOT_GIVEN and STATE.capture:
        _set_output(sp, output)
    if metadata:
        _merge_metadata(sp, metadata)
    if attributes:
        sp.set_attributes(dict(attributes))


def _merge_metadata(sp: Span, metadata: Mapping[str, Any]) -> None:
    """Add keys to the span's metadata: later calls add to earlier ones, same keys replace."""
    merged: dict[str, Any] = {}
    existing = getattr(sp, "attributes", None) or {}
    raw = existing.get(names.METADATA)
    if isinstance(raw, str):
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            merged.update(loaded)
    merged.update(metadata)
    sp.set_attribute(names.METADATA, json.dumps(merged, default=repr))


def _current() -> Span | None:
    if STATE.tracer is None:
        return None
    sp = trace.get_current_span()
    return sp if sp.is_recording() else None


@safe()
def update_span(
    *,
    name: str | None = None,
    input: Any = _NOT_GIVEN,
    output: Any = _NOT_GIVEN,
    metadata: Mapping[str, Any] | None = None,
    attributes: Mapping[str, Any] | None = None,
    kind: str | None = None,
) -> None:
    """Change the current span: its name, kind, input, output, metadata or raw attributes."""
    sp = _current()
    if sp is not None:
        _update(
            sp,
            name=name,
            input=input,
            output=output,
            metadata=metadata,
            attributes=attributes,
            kind=kind,
        )


@safe()
def update_trace(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    tags: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Set trace-level fields (user, session, tags, metadata) from anywhere inside a trace.

    They are recorded on the current span; the server lifts them to the trace (tags are
    united, metadata merged, the root span's values win).
    """
    sp = _current()
    if sp is None:
        return
    if user_id is not None:
        sp.set_attribute(names.USER_ID, str(user_id))
    if session_id is not None:
        sp.set_attribute(names.SESSION_ID, str(session_id))
    if tags:
        sp.set_attribute(names.TAGS, [str(t) for t in tags])
    if metadata:
        _merge_metadata(sp, metadata)


def current_trace_id() -> str | None:
    """The current trace id as 32 hex characters, or None outside a trace."""
    sp = trace.get_current_span()
    ctx = sp.get_span_context()
    return f"{ctx.trace_id:032x}" if ctx.is_valid else None


def current_span_id() -> str | None:
    """The current span id as 16 hex characters, or None outside a span."""
    ctx = trace.get_current_span().get_span_context()
    return f"{ctx.span_id:016x}" if ctx.is_valid else None
