"""CPU time per traced call: ``@spyglass.observe`` against a bare OpenTelemetry span.

Both record the same span — 10 attributes, a small input and output — through the same
no-network exporter on a ``SimpleSpanProcessor``, in the same process, interleaved in rounds
so that machine noise hits both alike. With ``langfuse`` installed its ``@observe`` is measured
too, exporting nowhere. Prints one JSON line; figures are medians over the rounds.

    python benchmarks/sdk_overhead.py [--spans 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

import spyglass

ATTRIBUTES = {f"app.attr_{i}": f"value-{i}" for i in range(10)}


class NoExport(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def bare_otel() -> Callable[[str, int], dict[str, Any]]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(NoExport()))
    tracer = provider.get_tracer("bench")

    def handle(question: str, user: int) -> dict[str, Any]:
        with tracer.start_as_current_span("handle", attributes=ATTRIBUTES) as sp:
            sp.set_attribute("input", json.dumps({"question": question, "user": user}))
            result = {"answer": question.upper(), "user": user}
            sp.set_attribute("output", json.dumps(result))
            return result

    return handle


def spyglass_observe() -> Callable[[str, int], dict[str, Any]]:
    spyglass.configure(exporter=NoExport(), set_global_provider=False)

    @spyglass.observe(attributes=ATTRIBUTES)
    def handle(question: str, user: int) -> dict[str, Any]:
        return {"answer": question.upper(), "user": user}

    return handle


def langfuse_observe() -> Callable[[str, int], dict[str, Any]] | None:
    try:
        from langfuse import Langfuse, observe
    except ImportError:
        return None
    kwargs: dict[str, Any] = {
        "public_key": "pk",
        "secret_key": "sk",
        "host": "http://127.0.0.1:9",
        "tracing_enabled": True,
    }
    try:  # Langfuse 3+ takes an exporter: give it the same no-network one as the others
        client = Langfuse(**kwargs, span_exporter=NoExport())
    except TypeError:
        client = Langfuse(**kwargs)

    @observe()
    def handle(question: str, user: int) -> dict[str, Any]:
        client.update_current_span(metadata=ATTRIBUTES)
        return {"answer": question.upper(), "user": user}

    return handle


def cpu_us_per_call(func: Callable[[str, int], Any], n: int) -> float:
    start = time.process_time()
    for i in range(n):
        func("where is my order?", i)
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--spans", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    candidates = {"bare_otel": bare_otel(), "observe": spyglass_observe()}
    lf = langfuse_observe()
    if lf is not None:
        candidates["langfuse"] = lf
    for func in candidates.values():  # warm up caches and lazy imports
        cpu_us_per_call(func, 500)
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(args.rounds):
        for name, func in candidates.items():
            samples[name].append(cpu_us_per_call(func, args.spans))
    med = {name: statistics.median(v) for name, v in samples.items()}
    out: dict[str, Any] = {
        "spans_per_round": args.spans,
        "rounds": args.rounds,
        "observe_us_per_span": round(med["observe"], 1),
        "bare_otel_us_per_span": round(med["bare_otel"], 1),
        "ratio_vs_bare_otel": round(med["observe"] / med["bare_otel"], 3),
        "langfuse_us_per_span": round(med["langfuse"], 1) if "langfuse" in med else None,
    }
    spyglass.shutdown()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
