"""What the store takes and returns: our own pydantic models, never ORM rows.

The same models are the JSON shapes of the query API, so the OpenAPI document describes
exactly what the store returns. Times are integers in nanoseconds since the Unix epoch (as in
OTLP); durations are also given in milliseconds for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Project(BaseModel):
    id: int
    name: str
    created_ns: int


class ApiKeyInfo(BaseModel):
    id: int
    project_id: int
    project: str
    name: str
    prefix: str = Field(description="The first characters of the key, enough to recognise it.")
    created_ns: int
    revoked_ns: int | None = None
    created_by: str | None = Field(
        None, description="Email of the web UI account that made the key; null for the CLI."
    )


class CreatedKey(BaseModel):
    info: ApiKeyInfo
    secret: str = Field(description="The key itself. Shown once; only its hash is stored.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class TraceSummary(BaseModel):
    trace_id: str
    name: str
    root_span_id: str | None
    start_ns: int
    end_ns: int
    duration_ms: float
    status: str = Field(description="ERROR when any span failed, else OK.")
    span_count: int
    error_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost: float | None = Field(None, description="USD; null when no span's cost is known.")
    user_id: str | None
    session_id: str | None
    tags: list[str]
    metadata: dict[str, Any]
    release: str | None
    environment: str | None
    service: str | None
    models: list[str]
    input_preview: str | None
    output_preview: str | None


class SpanNode(BaseModel):
    """A span in a trace's tree: typed columns without the large payloads."""

    span_id: str
    parent_span_id: str | None
    depth: int
    child_count: int
    name: str
    kind: str
    start_ns: int
    end_ns: int
    duration_ms: float
    status: str
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost: float | None


class Span(BaseModel):
    """One span with everything stored about it."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    otel_kind: int
    start_ns: int
    end_ns: int
    duration_ms: float
    status: str
    status_message: str | None
    model: str | None
    provider: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    cost: float | None
    cost_reported: float | None
    ttft_ms: float | None
    session_id: str | None
    user_id: str | None
    environment: str | None
    release: str | None
    service: str | None
    scope: str | None
    tags: list[str]
    metadata: dict[str, Any]
    input: Any = Field(None, description="Text, or a list of chat messages when recognised.")
    output: Any = None
    attributes: dict[str, Any]
    resource: dict[str, Any]
    events: list[dict[str, Any]]
    links: list[dict[str, Any]]
    notes: list[str] = Field(description="Mapping notes: attributes that could not be read.")


class ScoreDataType(StrEnum):
    NUMERIC = "NUMERIC"
    CATEGORICAL = "CATEGORICAL"
    BOOLEAN = "BOOLEAN"


class ScoreSource(StrEnum):
    HUMAN = "human"
    LLM = "llm"
    CODE = "code"
    GUARD = "guard"


class Score(BaseModel):
    id: str
    name: str
    data_type: ScoreDataType
    value: float | str | bool
    source: ScoreSource
    trace_id: str | None
    span_id: str | None
    session_id: str | None
    comment: str | None
    author: str | None
    metadata: dict[str, Any]
    created_ns: int


class TraceDetail(BaseModel):
    trace: TraceSummary
    spans: list[SpanNode] = Field(
        description="Every span in depth-first order; `depth` and `parent_span_id` give the "
        "tree. Payloads are left out: fetch one span for its input, output and attributes."
    )
    scores: list[Score]


# One span of a ``TraceOutline``: span id, parent span id, depth, name, kind, start ns, end ns,
# status, model, total tokens, cost.
OutlineRow = tuple[
    str, str | None, int, str, str, int, int, str, str | None, int | None, float | None
]


@dataclass(frozen=True, slots=True)
class TraceOutline:
    """A trace's tree as plain tuples, for the web UI's trace page.

    The lean twin of ``TraceDetail``: the same spans in the same depth-first order, but only
    the columns the tree draws and no model object per span (at 10,000 spans building and then
    taking apart 10,000 ``SpanNode`` objects cost more than the query). Not part of the API.
    """

    trace: TraceSummary
    spans: list[OutlineRow]
    scores: list[Score]


class SessionSummary(BaseModel):
    session_id: str
    user_id: str | None
    turns: int
    first_ns: int
    last_ns: int
    total_tokens: int
    cost: float | None
    error_count: int


class UserSummary(BaseModel):
    user_id: str
    traces: int
    total_tokens: int
    cost: float | None
    first_seen_ns: int
    last_seen_ns: int
    error_count: int


class MetricPoint(BaseModel):
    bucket_start_ns: int
    group: str | None
    count: int
    error_count: int
    error_rate: float
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_p99_ms: float | None
    ttft_avg_ms: float | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost: float | None


class MetricsResult(BaseModel):
    scope: str
    group_by: str | None
    start_ns: int
    end_ns: int
    bucket_seconds: int
    groups: list[str | None]
    points: list[MetricPoint]
    latency_relative_error: float = Field(
        description="Percentiles come from logarithmic bins; each is within this relative "
        "error of the exact value."
    )


class ProjectPrice(BaseModel):
    """One price period a project set for a model; rates in USD per 1M tokens."""

    model: str = Field(description="Lowercase model name (or alias, or provider/model).")
    effective_from_ns: int = Field(0, description="In force from this time on; 0: always.")
    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    updated_ns: int = 0


class Account(BaseModel):
    """A person who logs in to the web UI (not an end user of a traced app)."""

    id: int
    email: str
    is_admin: bool
    created_ns: int


class AccountLogin(BaseModel):
    """An account with its stored password hash: only the login code asks for this."""

    account: Account
    password_hash: str


class LoginSession(BaseModel):
    """A live login session: whose it is and the CSRF token its forms must carry."""

    account: Account
    csrf_token: str
    expires_ns: int
