"""Query parameters the store understands, independent of HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TraceFilter:
    start_ns: int | None = None
    end_ns: int | None = None
    name: str | None = None
    status: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tag: str | None = None
    model: str | None = None
    release: str | None = None
    environment: str | None = None
    metadata: tuple[str, str] | None = None
    text: str | None = None
    min_duration_ns: int | None = None
    max_duration_ns: int | None = None


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    start_ns: int
    end_ns: int
    bucket_seconds: int
    scope: str = "traces"
    group_by: str | None = None
    kind: str | None = None
    max_groups: int = 10
    # False: no latency percentiles (None in every point), for a cheaper query: counts and
    # sums per bucket only, not per latency bin.
    latency: bool = True


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    trace_id: str | None = None
    span_id: str | None = None
    session_id: str | None = None
    name: str | None = None
    source: str | None = None
