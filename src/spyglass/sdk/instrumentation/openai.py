"""``openai`` instrumentation: chat completions, completions, responses, embeddings.

Each call becomes an LLM (or EMBEDDING) span with OTel GenAI attributes: provider, request
and response model, parameters, input and output messages in the GenAI "parts" form (tool
calls and tool results included), finish reasons, and usage — ``input_tokens`` is OpenAI's
``prompt_tokens`` (cached tokens included, as our token convention wants), with
``cache_read.input_tokens`` and ``reasoning.output_tokens`` as sub-counts. Streams are returned
to the caller as the same object, yielding the same chunks; the span ends when the stream is
exhausted, closed or dropped, and records time to first token and the final chunk's usage.
"""

from __future__ import annotations

import functools
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
PROVIDER = "openai"
_PARAMS = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "max_tokens": "gen_ai.request.max_tokens",
    "max_completion_tokens": "gen_ai.request.max_tokens",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
    "n": "gen_ai.request.choice.count",
}


def instrument() -> None:
    from openai.resources import completions, embeddings, responses
    from openai.resources.chat import completions as chat

    _patch_pair(chat.Completions, chat.AsyncCompletions, _Chat)
    _patch_pair(completions.Completions, completions.AsyncCompletions, _TextCompletion)
    _patch_pair(responses.Responses, responses.AsyncResponses, _Responses)
    _patch_pair(embeddings.Embeddings, embeddings.AsyncEmbeddings, _Embeddings)


def _patch_pair(sync_cls: Any, async_cls: Any, call_type: type[_Call]) -> None:
    patch(sync_cls, "create", lambda f: _wrap(f, False, call_type), _UNDO)
    patch(async_cls, "create", lambda f: _wrap(f, True, call_type), _UNDO)


def uninstrument() -> None:
    unpatch(_UNDO)


def _text(content: Any) -> str | None:
    """Text of a message content: a string or a list of parts."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(_get(p, "text") or "")
            for p in content
            if _get(p, "type") in ("text", "input_text", "output_text")
        )
    return str(content)


def _usage_attrs(usage: Any, input_key: str, output_key: str) -> dict[str, Any]:
    if usage is None:
        return {}
    details_in = _get(usage, "prompt_tokens_details") or _get(usage, "input_tokens_details")
    details_out = _get(usage, "completion_tokens_details") or _get(usage, "output_tokens_details")
    return {
        "gen_ai.usage.input_tokens": _get(usage, input_key),
        "gen_ai.usage.output_tokens": _get(usage, output_key),
        "gen_ai.usage.cache_read.input_tokens": _get(details_in, "cached_tokens"),
        "gen_ai.usage.reasoning.output_tokens": _get(details_out, "reasoning_tokens"),
    }


class _Call:
    """One kind of API call: how to name its span and read its request and response."""

    kind = "LLM"
    operation = "chat"

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
        self.model = kwargs.get("model")

    def name(self) -> str:
        return f"{self.operation} {self.model}" if self.model else self.operation

    def request_attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": self.operation,
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.request.model": self.model,
        }
        for key, attr in _PARAMS.items():
            value = self.kwargs.get(key)
            if isinstance(value, (int, float, str, bool)):
                attrs[attr] = value
        stop = self.kwargs.get("stop")
        if stop:
            attrs["gen_ai.request.stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        if STATE.capture:
            attrs.update(self.captured_request())
        return attrs

    def captured_request(self) -> dict[str, Any]:
        return {}

    def response_attributes(self, response: Any) -> dict[str, Any]:
        return {}

    # streaming
    def chunk(self, item: Any) -> None:
        return None

    def stream_end(self, sp: Span) -> None:
        return None


def _messages_to_genai(messages: Any) -> list[dict[str, Any]]:
    out = []
    for m in messages or []:
        role = _get(m, "role", "user")
        parts: list[dict[str, Any]] = []
        text = _text(_get(m, "content"))
        if role == "tool":
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": _get(m, "tool_call_id"),
                    "response": clip(text),
                }
            )
        elif text:
            parts.append({"type": "text", "content": clip(text)})
        for call in _get(m, "tool_calls") or []:
            fn = _get(call, "function")
            parts.append(
                {
                    "type": "tool_call",
                    "id": _get(call, "id"),
                    "name": _get(fn, "name"),
                    "arguments": clip(_get(fn, "arguments")),
                }
            )
        out.append({"role": role, "parts": parts})
    return out


class _Chat(_Call):
    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__(kwargs)
        self._content: dict[int, list[str]] = {}
        self._calls: dict[int, dict[int, dict[str, Any]]] = {}
        self._finish: dict[int, str] = {}
        self._usage: Any = None
        self._response_model: str | None = None
        self._id: str | None = None

    def captured_request(self) -> dict[str, Any]:
        attrs = {"gen_ai.input.messages": dumps(_messages_to_genai(self.kwargs.get("messages")))}
        tools = self.kwargs.get("tools")
        if tools:
            attrs["gen_ai.tool.definitions"] = dumps(tools)
        return attrs

    def response_attributes(self, response: Any) -> dict[str, Any]:
        choices = _get(response, "choices") or []
        attrs: dict[str, Any] = {
            "gen_ai.response.id": _get(response, "id"),
            "gen_ai.response.model": _get(response, "model"),
            "gen_ai.response.finish_reasons": [str(_get(c, "finish_reason")) for c in choices],
            **_usage_attrs(_get(response, "usage"), "prompt_tokens", "completion_tokens"),
        }
        if STATE.capture:
            out = []
            for c in choices:
                msg = _get(c, "message")
                [converted] = (
                    _messages_to_genai([msg])
                    if msg is not None
                    else [{"role": "assistant", "parts": []}]
                )
                converted["finish_reason"] = _get(c, "finish_reason")
                out.append(converted)
            attrs["gen_ai.output.messages"] = dumps(out)
        return attrs

    def chunk(self, item: Any) -> None:
        self._id = self._id or _get(item, "id")
        self._response_model = self._response_model or _get(item, "model")
        if _get(item, "usage") is not None:
            self._usage = _get(item, "usage")
        for c in _get(item, "choices") or []:
            index = _get(c, "index", 0)
            delta = _get(c, "delta")
            if _get(c, "finish_reason"):
                self._finish[index] = _get(c, "finish_reason")
            if delta is None:
                continue
            text = _get(delta, "content")
            if text:
                self._content.setdefault(index, []).append(text)
            for call in _get(delta, "tool_calls") or []:
                slot = self._calls.setdefault(index, {}).setdefault(
                    _get(call, "index", 0), {"id": None, "name": None, "arguments": ""}
                )
                fn = _get(call, "function")
                slot["id"] = slot["id"] or _get(call, "id")
                slot["name"] = slot["name"] or _get(fn, "name")
                slot["arguments"] += _get(fn, "arguments") or ""

    def stream_end(self, sp: Span) -> None:
        indexes = sorted(set(self._content) | set(self._calls) | set(self._finish))
        attrs: dict[str, Any] = {
            "gen_ai.response.id": self._id,
            "gen_ai.response.model": self._response_model,
            "gen_ai.response.finish_reasons": [self._finish.get(i, "") for i in indexes],
            **_usage_attrs(self._usage, "prompt_tokens", "completion_tokens"),
        }
        if STATE.capture:
            out = []
            for i in indexes:
                parts: list[dict[str, Any]] = []
                if self._content.get(i):
                    parts.append({"type": "text", "content": clip("".join(self._content[i]))})
                for _, call in sorted(self._calls.get(i, {}).items()):
                    parts.append(
                        {"type": "tool_call", **call, "arguments": clip(call["arguments"])}
                    )
                out.append(
                    {"role": "assistant", "parts": parts, "finish_reason": self._finish.get(i)}
                )
            attrs["gen_ai.output.messages"] = dumps(out)
        sp.set_attributes({k: v for k, v in attrs.items() if v is not None})


class _TextCompletion(_Call):
    operation = "text_completion"

    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__(kwargs)
        self._text: list[str] = []
        self._usage: Any = None
        self._finish: str | None = None

    def captured_request(self) -> dict[str, Any]:
        prompt = self.kwargs.get("prompt")
        text = prompt if isinstance(prompt, str) else dumps(prompt)
        return {
            "gen_ai.input.messages": dumps(
                [{"role": "user", "parts": [{"type": "text", "content": clip(text)}]}]
            )
        }

    def response_attributes(self, response: Any) -> dict[str, Any]:
        choices = _get(response, "choices") or []
        attrs = {
            "gen_ai.response.id": _get(response, "id"),
            "gen_ai.response.model": _get(response, "model"),
            "gen_ai.response.finish_reasons": [str(_get(c, "finish_reason")) for c in choices],
            **_usage_attrs(_get(response, "usage"), "prompt_tokens", "completion_tokens"),
        }
        if STATE.capture:
            attrs["gen_ai.output.messages"] = dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [{"type": "text", "content": clip(_get(c, "text"))}],
                        "finish_reason": _get(c, "finish_reason"),
                    }
                    for c in choices
                ]
            )
        return attrs

    def chunk(self, item: Any) -> None:
        if _get(item, "usage") is not None:
            self._usage = _get(item, "usage")
        for c in _get(item, "choices") or []:
            self._text.append(_get(c, "text") or "")
            self._finish = _get(c, "finish_reason") or self._finish

    def stream_end(self, sp: Span) -> None:
        attrs = _usage_attrs(self._usage, "prompt_tokens", "completion_tokens")
        if STATE.capture:
            attrs["gen_ai.output.messages"] = dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [{"type": "text", "content": clip("".join(self._text))}],
                        "finish_reason": self._finish,
                    }
                ]
            )
        sp.set_attributes({k: v for k, v in attrs.items() if v is not None})


class _Responses(_Call):
    operation = "chat"

    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__(kwargs)
        self._final: Any = None

    def captured_request(self) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        if self.kwargs.get("instructions"):
            messages.append(
                {
                    "role": "system",
                    "parts": [{"type": "text", "content": clip(self.kwargs["instructions"])}],
                }
            )
        inp = self.kwargs.get("input")
        if isinstance(inp, str):
            messages.append({"role": "user", "parts": [{"type": "text", "content": clip(inp)}]})
        else:
            for item in inp or []:
                itype = _get(item, "type", "message")
                if itype == "function_call_output":
                    messages.append(
                        {
                            "role": "tool",
                            "parts": [
                                {
                                    "type": "tool_call_response",
                                    "id": _get(item, "call_id"),
                                    "response": clip(_get(item, "output")),
                                }
                            ],
                        }
                    )
                elif itype == "function_call":
                    messages.append(
                        {
                            "role": "assistant",
                            "parts": [
                                {
                                    "type": "tool_call",
                                    "id": _get(item, "call_id"),
                                    "name": _get(item, "name"),
                                    "arguments": clip(_get(item, "arguments")),
                                }
                            ],
                        }
                    )
                else:
                    messages.append(
                        {
                            "role": _get(item, "role", "user"),
                            "parts": [
                                {"type": "text", "content": clip(_text(_get(item, "content")))}
                            ],
                        }
                    )
        return {"gen_ai.input.messages": dumps(messages)}

    def response_attributes(self, response: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "gen_ai.response.id": _get(response, "id"),
            "gen_ai.response.model": _get(response, "model"),
            **_usage_attrs(_get(response, "usage"), "input_tokens", "output_tokens"),
        }
        status = _get(response, "status")
        if status:
            attrs["gen_ai.response.finish_reasons"] = [str(status)]
        if STATE.capture:
            parts: list[dict[str, Any]] = []
            for item in _get(response, "output") or []:
                itype = _get(item, "type")
                if itype == "message":
                    parts.append({"type": "text", "content": clip(_text(_get(item, "content")))})
                elif itype == "function_call":
                    parts.append(
                        {
                            "type": "tool_call",
                            "id": _get(item, "call_id"),
                            "name": _get(item, "name"),
                            "arguments": clip(_get(item, "arguments")),
                        }
                    )
                elif itype == "reasoning":
                    continue
            attrs["gen_ai.output.messages"] = dumps(
                [{"role": "assistant", "parts": parts, "finish_reason": status}]
            )
        return attrs

    def chunk(self, item: Any) -> None:
        if _get(item, "type") in ("response.completed", "response.incomplete", "response.failed"):
            self._final = _get(item, "response")

    def stream_end(self, sp: Span) -> None:
        if self._final is not None:
            attrs = self.response_attributes(self._final)
            sp.set_attributes({k: v for k, v in attrs.items() if v is not None})


class _Embeddings(_Call):
    kind = "EMBEDDING"
    operation = "embeddings"

    def captured_request(self) -> dict[str, Any]:
        inp = self.kwargs.get("input")
        texts = [inp] if isinstance(inp, str) else inp
        if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
            return {"spyglass.input": dumps([clip(t) for t in texts])}
        return {}

    def response_attributes(self, response: Any) -> dict[str, Any]:
        usage = _get(response, "usage")
        data = _get(response, "data") or []
        first = _get(data[0], "embedding") if data else None
        return {
            "gen_ai.response.model": _get(response, "model"),
            "gen_ai.usage.input_tokens": _get(usage, "prompt_tokens"),
            "gen_ai.embeddings.dimension.count": len(first) if isinstance(first, list) else None,
        }


def _wrap(original: Any, is_async: bool, call_type: type[_Call]) -> Any:
    if is_async:

        async def awrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            call, sp = _begin(call_type, kwargs)
            if sp is None:
                return await original(self, *args, **kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as exc:
                fail(sp, exc)
                raise
            return _complete(call, sp, result, is_async=True)

        return awrapper

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        call, sp = _begin(call_type, kwargs)
        if sp is None:
            return original(self, *args, **kwargs)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            fail(sp, exc)
            raise
        return _complete(call, sp, result, is_async=False)

    return wrapper


def _begin(call_type: type[_Call], kwargs: dict[str, Any]) -> tuple[_Call, Span | None]:
    if STATE.tracer is None:
        return _Call({}), None
    try:
        call = call_type(kwargs)
        sp = start_llm_span(call.name(), call.kind, call.request_attributes())
        if sp is not None and kwargs.get("stream"):
            sp.set_attribute("gen_ai.request.stream", True)
        return call, sp
    except Exception as exc:
        report("openai request", exc)
        return _Call({}), None


def _complete(call: _Call, sp: Span, result: Any, *, is_async: bool) -> Any:
    try:
        if hasattr(result, "_iterator") and call.kwargs.get("stream"):
            rec = StreamRecorder(sp, call.chunk, call.stream_end)
            return (record_async_stream if is_async else record_sync_stream)(result, rec)
        parsed = (
            result.parse()
            if hasattr(result, "parse") and hasattr(result, "http_response")
            else result
        )
        attrs = call.response_attributes(parsed)
        sp.set_attributes({k: v for k, v in attrs.items() if v is not None})
        _finish(sp, None)
    except Exception as exc:
        report("openai response", exc)
        try:
            _finish(sp, None)
        except Exception as err:
            report("openai response", err)
    return result
