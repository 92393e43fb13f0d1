"""What the span detail pane shows, worked out from a stored span.

Inputs and outputs are shown for what they are: chat messages (``semconv/messages.py``'s one
shape: role, content, tool_calls, tool_call_id), retrieved documents with their scores, JSON
(pretty, collapsible) or plain text. Parameters are gathered from the attribute names the
instrumentors use; exceptions come from the span's ``exception`` events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from spyglass.storage.models import Span

# Beyond this many characters a JSON payload is shown as one <pre>, not as a tree of nested
# <details>: a tree of a 1 MB document would be tens of thousands of DOM nodes.
MAX_TREE_CHARS = 50_000
# Attribute prefixes that hold request parameters, per dialect (OTel GenAI, OpenLLMetry).
PARAM_PREFIXES = ("gen_ai.request.", "llm.request.")
# Keys of the request that are not parameters but the model name, shown elsewhere.
NOT_PARAMS = {"model", "gen_ai.request.model", "llm.request.model", "type"}
# OpenInference puts every parameter in one JSON attribute.
INVOCATION_PARAMS = "llm.invocation_parameters"


@dataclass
class ToolCall:
    name: str
    id: str | None
    arguments: Any  # parsed JSON when the arguments are JSON, else the text


@dataclass
class Message:
    role: str
    content: Any  # text, or a structure (multi-part content) shown as JSON
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    finish_reason: str | None = None


@dataclass
class Document:
    content: str
    id: str | None
    score: float | None


@dataclass
class Payload:
    """One input or output: ``kind`` is messages, documents, json or text."""

    kind: str
    messages: list[Message] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    value: Any = None
    large: bool = False


@dataclass
class RaisedError:
    type: str
    message: str
    stacktrace: str | None


@dataclass
class SpanView:
    span: Span
    input: Payload | None
    output: Payload | None
    parameters: dict[str, Any]
    exceptions: list[RaisedError]
    other_events: list[dict[str, Any]]


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def _is_messages(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(m, dict) and "role" in m for m in value)
    )


def _is_documents(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(d, dict) and "content" in d and "role" not in d for d in value)
    )


def _message(raw: dict[str, Any]) -> Message:
    calls = []
    for call in raw.get("tool_calls") or []:
        if not isinstance(call, dict):
            continue
        fn: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else call
        calls.append(
            ToolCall(
                name=str(fn.get("name") or "tool"),
                id=call.get("id"),
                arguments=_maybe_json(fn.get("arguments")),
            )
        )
    content = raw.get("content")
    if isinstance(content, list):
        # Multi-part content: the text parts as text; images and the like as JSON.
        texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if len(texts) == len(content):
            content = "\n".join(str(t) for t in texts)
    return Message(
        role=str(raw.get("role") or "unknown"),
        content=_maybe_json(content) if raw.get("role") == "tool" else content,
        tool_calls=calls,
        tool_call_id=raw.get("tool_call_id"),
        name=raw.get("name"),
        finish_reason=raw.get("finish_reason"),
    )


def _score_of(raw: Any) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def payload(value: Any) -> Payload | None:
    if value is None or value == "":
        return None
    parsed = _maybe_json(value)
    if _is_messages(parsed):
        return Payload("messages", messages=[_message(m) for m in parsed])
    if _is_documents(parsed):
        docs = [
            Document(
                content=str(d.get("content")),
                id=str(d["id"]) if d.get("id") is not None else None,
                score=_score_of(d.get("score")),
            )
            for d in parsed
        ]
        return Payload("documents", documents=docs)
    if isinstance(parsed, (dict, list)):
        size = len(value) if isinstance(value, str) else len(json.dumps(parsed, default=str))
        return Payload("json", value=parsed, large=size > MAX_TREE_CHARS)
    return Payload("text", value=str(parsed))


def parameters(attributes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    invocation = _maybe_json(attributes.get(INVOCATION_PARAMS))
    if isinstance(invocation, dict):
        out.update({k: v for k, v in invocation.items() if k not in NOT_PARAMS})
    for key, value in attributes.items():
        for prefix in PARAM_PREFIXES:
            if key.startswith(prefix) and key not in NOT_PARAMS:
                out.setdefault(key.removeprefix(prefix), value)
    return out


def span_view(span: Span) -> SpanView:
    exceptions = []
    others = []
    for event in span.events:
        attrs = event.get("attributes") or {}
        if event.get("name") == "exception":
            exceptions.append(
                RaisedError(
                    type=str(attrs.get("exception.type") or "Exception"),
                    message=str(attrs.get("exception.message") or ""),
                    stacktrace=attrs.get("exception.stacktrace"),
                )
            )
        else:
            others.append(event)
    return SpanView(
        span=span,
        input=payload(span.input),
        output=payload(span.output),
        parameters=parameters(span.attributes),
        exceptions=exceptions,
        other_events=others,
    )
