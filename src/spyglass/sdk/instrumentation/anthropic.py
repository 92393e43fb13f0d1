"""``anthropic`` instrumentation: ``messages.create`` (plain and ``stream=True``) and the
``messages.stream()`` helper, sync and async.

Anthropic reports ``usage.input_tokens`` *without* the cache; Spyglass's convention counts
input tokens *with* cache reads and writes, so the span's ``gen_ai.usage.input_tokens`` is
``input_tokens + cache_read_input_tokens + cache_creation_input_tokens`` and the two cache
counts are recorded as sub-counts. Streams are returned as the same objects; the span ends
when the stream is exhausted, closed or dropped, with the usage of ``message_start`` and
``message_delta``.
"""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.trace import Span

from spyglass.sdk._safe import report
from spyglass.sdk._state import STATE
from spyglass.sdk.instrumentation._common import (
    Patch,
    StreamRecorder,
    clip,
    dumps,
    fail,
    patch,
    record_async_stream,
    record_sync_stream,
    start_llm_span,
    unpatch,
)
from spyglass.sdk.instrumentation._common import (
    field as _get,
)
from spyglass.sdk.tracing import _finish

_UNDO: list[Patch] = []
PROVIDER = "anthropic"
_PARAMS = {
    "max_tokens": "gen_ai.request.max_tokens",
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
}


def instrument() -> None:
    from anthropic.resources.messages import messages

    patch(messages.Messages, "create", lambda f: _wrap_create(f, False), _UNDO)
    patch(messages.AsyncMessages, "create", lambda f: _wrap_create(f, True), _UNDO)
    patch(messages.Messages, "stream", lambda f: _wrap_stream(f, False), _UNDO)
    patch(messages.AsyncMessages, "stream", lambda f: _wrap_stream(f, True), _UNDO)
    patch(messages.Messages, "parse", lambda f: _wrap_create(f, False), _UNDO)
    patch(messages.AsyncMessages, "parse", lambda f: _wrap_create(f, True), _UNDO)


def uninstrument() -> None:
    unpatch(_UNDO)


def _block_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": clip(content)}]
    parts: list[dict[str, Any]] = []
    for block in content or []:
        btype = _get(block, "type")
        if btype == "text":
            parts.append({"type": "text", "content": clip(_get(block, "text"))})
        elif btype == "tool_use":
            parts.append(
                {
                    "type": "tool_call",
                    "id": _get(block, "id"),
                    "name": _get(block, "name"),
                    "arguments": clip(json.dumps(_get(block, "input"), default=repr)),
                }
            )
        elif btype == "tool_result":
            inner = _get(block, "content")
            text = (
                inner
                if isinstance(inner, str)
                else "".join(str(_get(b, "text") or "") for b in inner or [])
            )
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": _get(block, "tool_use_id"),
                    "response": clip(text),
                }
            )
    return parts


def _request_attributes(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": PROVIDER,
        "gen_ai.request.model": kwargs.get("model"),
    }
    for key, attr in _PARAMS.items():
        value = kwargs.get(key)
        if isinstance(value, (int, float)):
            attrs[attr] = value
    if kwargs.get("stop_sequences"):
        attrs["gen_ai.request.stop_sequences"] = list(kwargs["stop_sequences"])
    if STATE.capture:
        messages: list[dict[str, Any]] = []
        system = kwargs.get("system")
        if system:
            messages.append({"role": "system", "parts": _block_parts(system)})
        for m in kwargs.get("messages") or []:
            parts = _block_parts(_get(m, "content"))
            role = _get(m, "role", "user")
            if parts and all(p["type"] == "tool_call_response" for p in parts):
                role = "tool"
            messages.append({"role": role, "parts": parts})
        attrs["gen_ai.input.messages"] = dumps(messages)
        if kwargs.get("tools"):
            attrs["gen_ai.tool.definitions"] = dumps(kwargs["tools"])
    return attrs


def _usage_attrs(usage: Any, output_tokens: Any = None) -> dict[str, Any]:
    if usage is None:
        return {}
    uncached = _get(usage, "input_tokens") or 0
    read = _get(usage, "cache_read_input_tokens") or 0
    write = _get(usage, "cache_creation_input_tokens") or 0
    return {
        "gen_ai.usage.input_tokens": uncached + read + write,
        "gen_ai.usage.output_tokens": output_tokens
        if output_tokens is not None
        else _get(usage, "output_tokens"),
        "gen_ai.usage.cache_read.input_tokens": read,
        "gen_ai.usage.cache_creation.input_tokens": write,
    }


def _response_attributes(message: Any) -> dict[str, Any]:
    stop = _get(message, "stop_reason")
    attrs: dict[str, Any] = {
        "gen_ai.response.id": _get(message, "id"),
        "gen_ai.response.model": _get(message, "model"),
        "gen_ai.response.finish_reasons": [str(stop)] if stop else None,
        **_usage_attrs(_get(message, "usage")),
    }
    if STATE.capture:
        attrs["gen_ai.output.messages"] = dumps(
            [
                {
                    "role": "assistant",
                    "parts": _block_parts(_get(message, "content")),
                    "finish_reason": stop,
                }
            ]
        )
    return attrs


_USAGE_KEYS = (
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


class _StreamState:
    """Rebuilds the message from raw stream events (message_start … message_stop)."""

    def __init__(self) -> None:
        self.message: Any = None
        self.blocks: dict[int, dict[str, Any]] = {}
        self.stop: str | None = None
        self.output_tokens: int | None = None
        self.usage: dict[str, Any] = {}

    def chunk(self, event: Any) -> None:
        etype = _get(event, "type")
        if etype == "message_start":
            self.message = _get(event, "message")
            self._merge_usage(_get(self.message, "usage"))
        elif etype == "content_block_start":
            block = _get(event, "content_block")
            self.blocks[_get(event, "index", 0)] = {
                "type": _get(block, "type"),
                "text": _get(block, "text") or "",
                "id": _get(block, "id"),
                "name": _get(block, "name"),
                "json": "",
            }
        elif etype == "content_block_delta":
            slot = self.blocks.setdefault(
                _get(event, "index", 0),
                {"type": "text", "text": "", "id": None, "name": None, "json": ""},
            )
            delta = _get(event, "delta")
            dtype = _get(delta, "type")
            if dtype == "text_delta":
                slot["text"] += _get(delta, "text") or ""
            elif dtype == "input_json_delta":
                slot["json"] += _get(delta, "partial_json") or ""
        elif etype == "message_delta":
            self.stop = _get(_get(event, "delta"), "stop_reason") or self.stop
            usage = _get(event, "usage")
            if _get(usage, "output_tokens") is not None:
                self.output_tokens = _get(usage, "output_tokens")
            # Newer API versions repeat (and may update) the input counts here; a count
            # left out (None) keeps the one message_start gave, as the SDK's snapshot does.
            self._merge_usage(usage)

    def _merge_usage(self, usage: Any) -> None:
        for key in _USAGE_KEYS:
            if _get(usage, key) is not None:
                self.usage[key] = _get(usage, key)

    def end(self, sp: Span) -> None:
        attrs: dict[str, Any] = {
            "gen_ai.response.id": _get(self.message, "id"),
            "gen_ai.response.model": _get(self.message, "model"),
            "gen_ai.response.finish_reasons": [self.stop] if self.stop else None,
            **_usage_attrs(self.usage or None, self.output_tokens),
        }
        if STATE.capture:
            parts: list[dict[str, Any]] = []
            for _, b in sorted(self.blocks.items()):
                if b["type"] == "text" and b["text"]:
                    parts.append({"type": "text", "content": clip(b["text"])})
                elif b["type"] == "tool_use":
                    parts.append(
                        {
                            "type": "tool_call",
                            "id": b["id"],
                            "name": b["name"],
                            "arguments": clip(b["json"] or "{}"),
                        }
                    )
            attrs["gen_ai.output.messages"] = dumps(
                [{"role": "assistant", "parts": parts, "finish_reason": self.stop}]
            )
        sp.set_attributes({k: v for k, v in attrs.items() if v is not None})


def _begin(kwargs: dict[str, Any], streaming: bool) -> Span | None:
    if STATE.tracer is None:
        return None
    try:
        model = kwargs.get("model")
        sp = start_llm_span(
            f"chat {model}" if model else "chat", "LLM", _request_attributes(kwargs)
        )
        if sp is not None and streaming:
            sp.set_attribute("gen_ai.request.stream", True)
        return sp
    except Exception as exc:
        report("anthropic request", exc)
        return None


def _done(sp: Span, result: Any, *, is_async: bool, streaming: bool) -> Any:
    """Record ``result`` (a message or a stream; None: nothing to record) and end the span,
    or hand the stream to a recorder that ends it."""
    try:
        if streaming and result is not None and hasattr(result, "_iterator"):
            state = _StreamState()
            rec = StreamRecorder(sp, state.chunk, state.end)
            return (record_async_stream if is_async else record_sync_stream)(result, rec)
        if result is not None:
            attrs = _response_attributes(result)
            sp.set_attributes({k: v for k, v in attrs.items() if v is not None})
        _finish(sp, None)
    except Exception as exc:
        report("anthropic response", exc)
    return result


def _raw(result: Any, streaming: bool) -> str | None:
    """``with_raw_response`` / ``with_streaming_response`` answer an ``APIResponse``. Its
    ``parse()`` caches what it returns, so parsing it here hands the caller the same (recorded)
    message or stream: "parse" when that reads nothing the caller has not read yet, "unread"
    for a body left for the caller to read (the span then ends without the response)."""
    if not (hasattr(result, "http_response") and callable(getattr(result, "parse", None))):
        return None
    return "parse" if streaming or getattr(result, "is_closed", False) else "unread"


def _wrap_create(original: Any, is_async: bool) -> Any:
    if is_async:

        async def acreate(self: Any, *args: Any, **kwargs: Any) -> Any:
            streaming = bool(kwargs.get("stream"))
            sp = _begin(kwargs, streaming)
            if sp is None:
                return await original(self, *args, **kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as exc:
                fail(sp, exc)
                raise
            body = result
            raw = _raw(result, streaming)
            if raw == "unread":
                body = None
            elif raw == "parse":
                try:
                    body = await result.parse()
                except Exception as exc:
                    _finish(sp, None)
                    report("anthropic raw response", exc)
                    return result
            _done(sp, body, is_async=True, streaming=streaming)
            return result

        return acreate

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        streaming = bool(kwargs.get("stream"))
        sp = _begin(kwargs, streaming)
        if sp is None:
            return original(self, *args, **kwargs)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            fail(sp, exc)
            raise
        body = result
        raw = _raw(result, streaming)
        if raw == "unread":
            body = None
        elif raw == "parse":
            try:
                body = result.parse()
            except Exception as exc:
                _finish(sp, None)
                report("anthropic raw response", exc)
                return result
        _done(sp, body, is_async=False, streaming=streaming)
        return result

    return create


class _SyncManager:
    """Stands in for ``MessageStreamManager``: the span starts on ``__enter__``."""

    def __init__(self, inner: Any, kwargs: dict[str, Any]) -> None:
        self._inner = inner
        self._kwargs = kwargs
        self._span: Span | None = None

    def __enter__(self) -> Any:
        self._span = _begin(self._kwargs, True)
        try:
            stream = self._inner.__enter__()
        except BaseException as exc:
            if self._span is not None:
                fail(self._span, exc)
            raise
        if self._span is None:
            return stream
        return _done(self._span, stream, is_async=False, streaming=True)

    def __exit__(self, *exc_info: Any) -> Any:
        return self._inner.__exit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _AsyncManager:
    def __init__(self, inner: Any, kwargs: dict[str, Any]) -> None:
        self._inner = inner
        self._kwargs = kwargs
        self._span: Span | None = None

    async def __aenter__(self) -> Any:
        self._span = _begin(self._kwargs, True)
        try:
            stream = await self._inner.__aenter__()
        except BaseException as exc:
            if self._span is not None:
                fail(self._span, exc)
            raise
        if self._span is None:
            return stream
        return _done(self._span, stream, is_async=True, streaming=True)

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._inner.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _wrap_stream(original: Any, is_async: bool) -> Any:
    def stream(self: Any, *args: Any, **kwargs: Any) -> Any:
        manager = original(self, *args, **kwargs)
        if STATE.tracer is None:
            return manager
        return (_AsyncManager if is_async else _SyncManager)(manager, kwargs)

    return stream
