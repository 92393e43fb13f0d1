"""Turn decoded spans into storage rows (tuples in ``SPAN_COLUMNS`` order).

This is the per-span hot path of ingest: it runs once for every span the server accepts, so it
builds plain tuples and uses orjson rather than pydantic models.

Cost: for LLM, EMBEDDING and RERANKER spans with a model and token counts, ``cost`` is
computed from the price table (the project's custom prices over the settings file over the
shipped list prices, see ``spyglass.pricing``) at the span's start time; when the model is not
priced it is the provider-reported cost. ``cost_reported`` always keeps the reported one.
"""

from __future__ import annotations

from typing import Any

import orjson

from spyglass.pricing import PriceTable, shipped_table
from spyglass.pricing.cost import cost_total
from spyglass.semconv.mapping import ResourceFields, map_span, resource_fields
from spyglass.server.ingest.otlp_decode import DecodedSpan
from spyglass.storage.latency import latency_bin

SpanRow = tuple[Any, ...]

# The kinds whose usage counts towards trace totals (storage/sql/writes.py): frameworks repeat
# their children's usage on agent and chain spans, and pricing those would count it twice.
_PRICED_KINDS = frozenset({"LLM", "EMBEDDING", "RERANKER"})


def _json(value: Any) -> str | None:
    if not value:
        return None
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


# Span events that mark the first streamed token: OpenInference records one named event,
# OpenLLMetry one event per chunk (the first is the one that counts).
_FIRST_TOKEN_EVENTS = frozenset({"First Token Stream Event", "gen_ai.content.completion.chunk"})


def _ttft_from_events(span: DecodedSpan, start: int, end: int) -> int | None:
    for name, time_ns, _attrs in span.events:
        if name in _FIRST_TOKEN_EVENTS and start <= time_ns <= end:
            return time_ns - start
    return None


def build_rows(
    project_id: int, spans: list[DecodedSpan], prices: PriceTable | None = None
) -> list[SpanRow]:
    """Rows of a request's spans; each resource is serialised once, not once per span."""
    # Keyed by id(): the spans hold their resources alive for the whole loop.
    resources: dict[int, tuple[str | None, ResourceFields]] = {}
    out = []
    for span in spans:
        key = id(span.resource)
        res = resources.get(key)
        if res is None:
            res = resources[key] = (_json(span.resource), resource_fields(span.resource))
        out.append(build_row(project_id, span, res[0], prices, res[1]))
    return out


_UNSET: Any = object()


def build_row(
    project_id: int,
    span: DecodedSpan,
    resource_json: str | None = _UNSET,
    prices: PriceTable | None = None,
    resource_info: ResourceFields | None = None,
) -> SpanRow:
    """The storage row of one span, with typed columns derived from its attributes.

    ``prices`` defaults to the shipped price table.
    """
    m = map_span(span.attributes, span.resource, span.events, resource_info)
    start, end = span.start_ns, span.end_ns
    cost = m.cost_reported
    if (
        m.model
        and m.kind in _PRICED_KINDS
        and (m.input_tokens is not None or m.output_tokens is not None)
    ):
        computed = cost_total(
            m.model,
            m.provider,
            m.input_tokens,
            m.output_tokens,
            m.cache_read_tokens,
            m.cache_write_tokens,
            m.reasoning_tokens,
            start,
            prices or shipped_table(),
        )
        if computed is not None:
            cost = computed
    if end < start:
        m.notes.append("end time before start time; duration set to 0")
        end = start
    duration = end - start
    if m.ttft_ns is None:
        m.ttft_ns = _ttft_from_events(span, start, end)
    events = [{"name": n, "time_ns": t, "attributes": a} for n, t, a in span.events]
    status_message = span.status_message
    if status_message is None and span.status == "ERROR":
        for name, _t, attrs in span.events:
            if name == "exception" and attrs.get("exception.message"):
                status_message = str(attrs["exception.message"])
                break
    return (
        project_id,
        span.trace_id,
        span.span_id,
        span.parent_span_id,
        span.name,
        m.kind,
        start,
        end,
        duration,
        latency_bin(duration),
        span.status,
        m.model,
        m.provider,
        m.input_tokens,
        m.output_tokens,
        m.total_tokens,
        m.cache_read_tokens,
        m.cache_write_tokens,
        m.reasoning_tokens,
        cost,
        m.cost_reported,
        m.ttft_ns,
        m.session_id,
        m.user_id,
        m.environment,
        m.release,
        m.service,
        _json(m.tags),
        _json(m.metadata),
        status_message,
        span.otel_kind,
        span.scope,
        _json(m.notes),
        _json(events),
        _json(span.links),
        _json(span.resource) if resource_json is _UNSET else resource_json,
        _json(span.attributes),
        m.input,
        m.output,
    )
