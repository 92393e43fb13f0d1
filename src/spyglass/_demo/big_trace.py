"""One very large agent trace, for the web UI's trace page tests and benchmark.

A research agent runs ``steps`` rounds, each a CHAIN with an LLM call (that asks for a tool),
the TOOL call and the RETRIEVER search under it: four spans a round, three levels deep. Every
fiftieth tool call fails. Sent as OTLP protobuf bodies of ``spans_per_request`` spans.
"""

from __future__ import annotations

import json
import random
import time

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass._demo.sample import _Builder, _resource_spans, _text

SPANS_PER_STEP = 4
FAIL_EVERY = 50


def big_trace_requests(
    n_spans: int,
    *,
    seed: int = 11,
    end_ns: int | None = None,
    spans_per_request: int = 2_048,
) -> tuple[str, list[bytes]]:
    """The trace id (hex) and the request bodies of one trace of about ``n_spans`` spans."""
    rng = random.Random(seed)
    trace_id = rng.randbytes(16)
    b = _Builder(rng, trace_id)
    steps = max(1, (n_spans - 1) // SPANS_PER_STEP)
    step_ns = 400_000_000  # 0.4 s a round
    end = end_ns if end_ns is not None else time.time_ns()
    start = end - steps * step_ns - 1_000_000_000
    root = b.span(
        "research-agent",
        None,
        start,
        steps * step_ns + 500_000_000,
        {
            "openinference.span.kind": "AGENT",
            "input.value": "Compile a report on late deliveries this quarter.",
            "output.value": _text(rng, 400),
            "user.id": "user-big",
            "session.id": "sess-big",
        },
    )
    for i in range(steps):
        t0 = start + 100_000_000 + i * step_ns
        step = b.span(
            f"step {i + 1}",
            root,
            t0,
            step_ns - 20_000_000,
            {"openinference.span.kind": "CHAIN", "input.value": f"round {i + 1}"},
        )
        args = json.dumps({"query": _text(rng, 40), "top_k": 3})
        b.span(
            "ChatCompletion",
            step,
            t0 + 1_000_000,
            150_000_000,
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "llm.provider": "openai",
                "llm.input_messages.0.message.role": "user",
                "llm.input_messages.0.message.content": _text(rng, 200),
                "llm.output_messages.0.message.role": "assistant",
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "search",
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": args,
                "llm.token_count.prompt": rng.randint(300, 900),
                "llm.token_count.completion": rng.randint(20, 80),
            },
            kind=3,
        )
        failed = (i + 1) % FAIL_EVERY == 0
        tool = b.span(
            "search",
            step,
            t0 + 160_000_000,
            200_000_000,
            {"openinference.span.kind": "TOOL", "tool.name": "search", "input.value": args},
            error="search backend unavailable" if failed else None,
        )
        b.span(
            "vector-search",
            tool,
            t0 + 165_000_000,
            120_000_000,
            {
                "openinference.span.kind": "RETRIEVER",
                "input.value": args,
                "retrieval.documents.0.document.id": f"doc-{i}",
                "retrieval.documents.0.document.content": _text(rng, 120),
                "retrieval.documents.0.document.score": 0.8,
            },
        )
    bodies = []
    for k in range(0, len(b.spans), spans_per_request):
        req = ExportTraceServiceRequest()
        req.resource_spans.append(
            _resource_spans(b.spans[k : k + spans_per_request], "2.0.0", "production")
        )
        bodies.append(req.SerializeToString())
    return trace_id.hex(), bodies


def span_count(n_spans: int) -> int:
    """How many spans ``big_trace_requests(n_spans)`` makes."""
    return 1 + max(1, (n_spans - 1) // SPANS_PER_STEP) * SPANS_PER_STEP
