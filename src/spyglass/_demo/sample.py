"""Generate realistic LLM traces as OTLP protobuf requests.

Three shapes, each in the attribute dialect a real instrumentor uses for it:

* a RAG chat turn (OpenInference): CHAIN → RETRIEVER + LLM, with session, user, tags, metadata;
* a support agent (OTel GenAI): invoke_agent → chat (tool call) → execute_tool → chat;
* a summariser (OpenLLMetry): workflow → openai.chat with flattened gen_ai.prompt.N.*.

About one call in twenty fails. Text is built from a fixed vocabulary by a seeded generator, so
the same seed gives the same traces, with roughly 2 KB of prompt and response per model call.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

_WORDS = (
    "order",
    "refund",
    "shipping",
    "account",
    "invoice",
    "delivery",
    "warranty",
    "battery",
    "screen",
    "subscription",
    "customer",
    "policy",
    "return",
    "label",
    "tracking",
    "courier",
    "discount",
    "payment",
    "card",
    "address",
    "password",
    "update",
    "support",
    "agent",
    "ticket",
    "priority",
    "status",
    "replace",
    "repair",
    "model",
    "device",
    "charger",
    "cable",
    "store",
    "pickup",
    "window",
    "schedule",
    "confirm",
    "cancel",
    "escrow",
    "balance",
    "credit",
    "statement",
    "region",
    "language",
    "setting",
    "profile",
    "email",
    "notification",
    "service",
    "outage",
    "latency",
    "answer",
    "question",
)
_MODELS = ("gpt-4o-mini", "gpt-4o", "o4-mini", "claude-sonnet-4-5")
_USERS = tuple(f"user-{i:03d}" for i in range(60))
_RELEASES = ("1.4.2", "1.5.0")
_TOOLS = ("get_order_status", "lookup_invoice", "schedule_pickup")


def _text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        w = rng.choice(_WORDS)
        words.append(w)
        size += len(w) + 1
    return " ".join(words)[:chars].capitalize() + "."


def _kv(key: str, value: Any) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    if isinstance(value, (list, tuple)):
        arr = AnyValue()
        arr.array_value.values.extend(AnyValue(string_value=str(v)) for v in value)
        return KeyValue(key=key, value=arr)
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


@dataclass
class _Builder:
    rng: random.Random
    trace_id: bytes
    spans: list[Span] = field(default_factory=list)

    def span(
        self,
        name: str,
        parent: Span | None,
        start: int,
        dur_ns: int,
        attrs: dict[str, Any],
        error: str | None = None,
        kind: int = 1,
    ) -> Span:
        sp = Span(
            trace_id=self.trace_id,
            span_id=self.rng.randbytes(8),
            name=name,
            kind=cast(Any, kind),  # the generated enum type is a NewType of int
            start_time_unix_nano=start,
            end_time_unix_nano=start + dur_ns,
        )
        if parent is not None:
            sp.parent_span_id = parent.span_id
        sp.attributes.extend(_kv(k, v) for k, v in attrs.items() if v is not None)
        if error:
            sp.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
            ev = sp.events.add(name="exception", time_unix_nano=start + dur_ns)
            ev.attributes.extend(
                [
                    _kv("exception.type", "openai.APITimeoutError"),
                    _kv("exception.message", error),
                    _kv(
                        "exception.stacktrace",
                        "Traceback (most recent call last):\n  File "
                        '"app.py", line 42, in answer\nopenai.APITimeoutError: ' + error,
                    ),
                ]
            )
        self.spans.append(sp)
        return sp


def _usage(rng: random.Random, model: str) -> dict[str, int]:
    prompt = rng.randint(400, 1800)
    completion = rng.randint(60, 500)
    cached = rng.choice((0, 0, 256, 512)) if prompt > 600 else 0
    reasoning = rng.randint(50, 300) if model.startswith("o") else 0
    return {
        "prompt": prompt,
        "completion": completion + reasoning,
        "cached": cached,
        "reasoning": reasoning,
    }


def _rag(b: _Builder, start: int, user: str, session: str) -> None:
    rng = b.rng
    model = rng.choice(_MODELS[:2])
    question = _text(rng, 120).rstrip(".") + "?"
    answer = _text(rng, 700)
    docs = [_text(rng, 350) for _ in range(3)]
    llm_ms = rng.randint(400, 4000)
    total_ms = llm_ms + rng.randint(30, 200)
    failed = rng.random() < 0.05
    root = b.span(
        "rag-chat",
        None,
        start,
        total_ms * 1_000_000,
        {
            "openinference.span.kind": "CHAIN",
            "input.value": question,
            "output.value": None if failed else answer,
            "session.id": session,
            "user.id": user,
            "tag.tags": ["rag", rng.choice(("web", "mobile"))],
            "metadata": json.dumps({"plan": rng.choice(("free", "pro")), "locale": "en-GB"}),
        },
        error="Request timed out." if failed else None,
    )
    ret = b.span(
        "retrieve",
        root,
        start + 1_000_000,
        25_000_000,
        {
            "openinference.span.kind": "RETRIEVER",
            "input.value": question,
            **{
                f"retrieval.documents.{i}.document.{k}": v
                for i, d in enumerate(docs)
                for k, v in (
                    ("id", f"kb-{rng.randint(1, 999)}"),
                    ("content", d),
                    ("score", round(rng.uniform(0.5, 0.95), 3)),
                )
            },
        },
    )
    u = _usage(rng, model)
    system = "You are a helpful support assistant. Answer from the documents.\n" + "\n".join(docs)
    b.span(
        "ChatCompletion",
        root,
        ret.end_time_unix_nano,
        llm_ms * 1_000_000,
        {
            "openinference.span.kind": "LLM",
            "llm.model_name": model,
            "llm.provider": "openai",
            "llm.system": "openai",
            "llm.invocation_parameters": json.dumps({"temperature": 0.2, "max_tokens": 800}),
            "llm.input_messages.0.message.role": "system",
            "llm.input_messages.0.message.content": system,
            "llm.input_messages.1.message.role": "user",
            "llm.input_messages.1.message.content": question,
            "llm.output_messages.0.message.role": None if failed else "assistant",
            "llm.output_messages.0.message.content": None if failed else answer,
            "llm.token_count.prompt": u["prompt"],
            "llm.token_count.completion": None if failed else u["completion"],
            "llm.token_count.total": None if failed else u["prompt"] + u["completion"],
            "llm.token_count.prompt_details.cache_read": u["cached"] or None,
            "session.id": session,
            "user.id": user,
        },
        error="Request timed out." if failed else None,
        kind=3,
    )


def _agent(b: _Builder, start: int, user: str, session: str) -> None:
    rng = b.rng
    model = rng.choice(("gpt-4o", "o4-mini"))
    tool = rng.choice(_TOOLS)
    ask = _text(rng, 400)
    args = json.dumps({"order_id": f"A{rng.randint(10000, 99999)}"})
    result = json.dumps({"status": rng.choice(("shipped", "delayed")), "note": _text(rng, 300)})
    final = _text(rng, 900)
    t1, t2, t3 = rng.randint(500, 2500), rng.randint(40, 400), rng.randint(600, 3000)
    root = b.span(
        "invoke_agent support-agent",
        None,
        start,
        (t1 + t2 + t3 + 20) * 1_000_000,
        {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "support-agent",
            "gen_ai.conversation.id": session,
            "user.id": user,
            "spyglass.input": ask,
            "spyglass.output": final,
        },
    )
    call_in = [
        {"role": "system", "parts": [{"type": "text", "content": "You help with orders."}]},
        {"role": "user", "parts": [{"type": "text", "content": ask}]},
    ]
    u1 = _usage(rng, model)
    c1 = b.span(
        f"chat {model}",
        root,
        start + 5_000_000,
        t1 * 1_000_000,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.response.model": model + "-2025-04-16",
            "gen_ai.request.temperature": 0.0,
            "gen_ai.input.messages": json.dumps(call_in),
            "gen_ai.output.messages": json.dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [
                            {"type": "tool_call", "id": "call_1", "name": tool, "arguments": args}
                        ],
                        "finish_reason": "tool_calls",
                    }
                ]
            ),
            "gen_ai.response.finish_reasons": ["tool_calls"],
            "gen_ai.usage.input_tokens": u1["prompt"],
            "gen_ai.usage.output_tokens": u1["completion"],
            "gen_ai.usage.cache_read.input_tokens": u1["cached"] or None,
            "gen_ai.usage.reasoning.output_tokens": u1["reasoning"] or None,
        },
        kind=3,
    )
    tl = b.span(
        f"execute_tool {tool}",
        root,
        c1.end_time_unix_nano,
        t2 * 1_000_000,
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "gen_ai.tool.call.id": "call_1",
            "input.value": args,
            "output.value": result,
        },
    )
    u2 = _usage(rng, model)
    b.span(
        f"chat {model}",
        root,
        tl.end_time_unix_nano,
        t3 * 1_000_000,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.response.model": model + "-2025-04-16",
            "gen_ai.input.messages": json.dumps(
                [
                    *call_in,
                    {
                        "role": "assistant",
                        "parts": [
                            {"type": "tool_call", "id": "call_1", "name": tool, "arguments": args}
                        ],
                    },
                    {
                        "role": "tool",
                        "parts": [
                            {"type": "tool_call_response", "id": "call_1", "response": result}
                        ],
                    },
                ]
            ),
            "gen_ai.output.messages": json.dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [{"type": "text", "content": final}],
                        "finish_reason": "stop",
                    }
                ]
            ),
            "gen_ai.usage.input_tokens": u2["prompt"],
            "gen_ai.usage.output_tokens": u2["completion"],
            "gen_ai.usage.reasoning.output_tokens": u2["reasoning"] or None,
        },
        kind=3,
    )


def _summarise(b: _Builder, start: int, user: str, session: str) -> None:
    rng = b.rng
    doc = _text(rng, 1400)
    summary = _text(rng, 400)
    ms = rng.randint(300, 2000)
    root = b.span(
        "summarise_ticket.workflow",
        None,
        start,
        (ms + 10) * 1_000_000,
        {
            "traceloop.span.kind": "workflow",
            "traceloop.entity.name": "summarise_ticket",
            "traceloop.workflow.name": "summarise_ticket",
            "traceloop.association.properties.user_id": user,
            "traceloop.association.properties.session_id": session,
            "traceloop.entity.input": json.dumps({"ticket": doc[:200]}),
            "traceloop.entity.output": json.dumps({"summary": summary[:200]}),
        },
    )
    u = _usage(rng, "claude-sonnet-4-5")
    b.span(
        "anthropic.chat",
        root,
        start + 2_000_000,
        ms * 1_000_000,
        {
            "llm.request.type": "chat",
            "gen_ai.system": "anthropic",
            "gen_ai.request.model": "claude-sonnet-4-5",
            "gen_ai.response.model": "claude-sonnet-4-5-20250929",
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "Summarise:\n" + doc,
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": summary,
            "gen_ai.completion.0.finish_reason": "end_turn",
            "gen_ai.usage.prompt_tokens": u["prompt"],
            "gen_ai.usage.completion_tokens": u["completion"],
            "llm.usage.total_tokens": u["prompt"] + u["completion"],
        },
        kind=3,
    )


_SHAPES = (_rag, _rag, _agent, _summarise)


def generate_traces(
    n_traces: int, *, seed: int = 7, end_ns: int | None = None, spread_s: float = 86_400.0
) -> Iterator[list[Span]]:
    """Yield the spans of ``n_traces`` traces, start times spread over ``spread_s`` seconds."""
    rng = random.Random(seed)
    end = end_ns if end_ns is not None else time.time_ns()
    for i in range(n_traces):
        b = _Builder(rng, rng.randbytes(16))
        start = end - int(spread_s * 1e9 * (n_traces - i) / max(n_traces, 1))
        user = rng.choice(_USERS)
        session = f"sess-{user[-3:]}-{rng.randint(0, 5)}"
        rng.choice(_SHAPES)(b, start, user, session)
        yield b.spans


def _resource_spans(spans: list[Span], release: str, env: str) -> ResourceSpans:
    rs = ResourceSpans()
    rs.resource.attributes.extend(
        [
            _kv("service.name", "support-bot"),
            _kv("service.version", release),
            _kv("deployment.environment.name", env),
            _kv("telemetry.sdk.language", "python"),
        ]
    )
    ss = rs.scope_spans.add()
    ss.scope.name = "spyglass.demo"
    ss.spans.extend(spans)
    return rs


def requests(
    n_traces: int,
    *,
    spans_per_request: int = 512,
    seed: int = 7,
    end_ns: int | None = None,
    spread_s: float = 86_400.0,
) -> Iterator[tuple[bytes, int]]:
    """Serialized ``ExportTraceServiceRequest`` bodies of about ``spans_per_request`` spans,
    with the number of spans in each."""
    rng = random.Random(seed + 1)
    pending: list[Span] = []

    def flush() -> tuple[bytes, int]:
        req = ExportTraceServiceRequest()
        release = rng.choice(_RELEASES)
        env = "production" if rng.random() < 0.8 else "staging"
        req.resource_spans.append(_resource_spans(pending, release, env))
        return req.SerializeToString(), len(pending)

    for spans in generate_traces(n_traces, seed=seed, end_ns=end_ns, spread_s=spread_s):
        pending.extend(spans)
        if len(pending) >= spans_per_request:
            yield flush()
            pending = []
    if pending:
        yield flush()
