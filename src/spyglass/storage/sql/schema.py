"""Table definitions used to build queries.

The migrations in ``migrations/versions`` create these tables; a test compares the migrated
database with this metadata so the two cannot drift. Column order in ``spans`` is deliberate:
small columns first and the large text (attributes, input, output) last, so that SQLite reads a
row's typed columns from its first page without touching overflow pages.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_ns", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_ns", BigInteger, nullable=False),
    Column("revoked_ns", BigInteger, nullable=True),
)

# Ingest writes rows as tuples in this order (see storage/sql/writer.py).
SPAN_COLUMNS: tuple[str, ...] = (
    "project_id", "trace_id", "span_id", "parent_span_id", "name", "kind",
    "start_ns", "end_ns", "duration_ns", "latency_bin", "status", "model", "provider",
    "input_tokens", "output_tokens", "total_tokens", "cache_read_tokens", "cache_write_tokens",
    "reasoning_tokens", "cost", "cost_reported", "ttft_ns", "session_id", "user_id",
    "environment", "release", "service", "tags", "metadata", "status_message", "otel_kind",
    "scope", "notes", "events", "links", "resource", "attributes", "input", "output",
)

spans = Table(
    "spans",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("trace_id", String(32), nullable=False),
    Column("span_id", String(16), nullable=False),
    Column("parent_span_id", String(16)),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("duration_ns", BigInteger, nullable=False),
    Column("latency_bin", Integer, nullable=False),
    Column("status", String(8), nullable=False),
    Column("model", Text),
    Column("provider", Text),
    Column("input_tokens", BigInteger),
    Column("output_tokens", BigInteger),
    Column("total_tokens", BigInteger),
    Column("cache_read_tokens", BigInteger),
    Column("cache_write_tokens", BigInteger),
    Column("reasoning_tokens", BigInteger),
    Column("cost", Float),
    Column("cost_reported", Float),
    Column("ttft_ns", BigInteger),
    Column("session_id", Text),
    Column("user_id", Text),
    Column("environment", Text),
    Column("release", Text),
    Column("service", Text),
    Column("tags", Text),
    Column("metadata", Text),
    Column("status_message", Text),
    Column("otel_kind", Integer, nullable=False),
    Column("scope", Text),
    Column("notes", Text),
    Column("events", Text),
    Column("links", Text),
    Column("resource", Text),
    Column("attributes", Text),
    Column("input", Text),
    Column("output", Text),
    PrimaryKeyConstraint("project_id", "trace_id", "span_id", name="pk_spans"),
    Index("ix_spans_project_start", "project_id", "start_ns"),
)

TRACE_COLUMNS: tuple[str, ...] = (
    "project_id", "trace_id", "root_span_id", "name", "start_ns", "end_ns", "duration_ns",
    "latency_bin", "status", "span_count", "error_count", "input_tokens", "output_tokens",
    "total_tokens", "cost", "user_id", "session_id", "environment", "release", "service",
    "tags", "metadata", "models", "input_preview", "output_preview",
)

traces = Table(
    "traces",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("trace_id", String(32), nullable=False),
    Column("root_span_id", String(16)),
    Column("name", Text, nullable=False),
    Column("start_ns", BigInteger, nullable=False),
    Column("end_ns", BigInteger, nullable=False),
    Column("duration_ns", BigInteger, nullable=False),
    Column("latency_bin", Integer, nullable=False),
    Column("status", String(8), nullable=False),
    Column("span_count", Integer, nullable=False),
    Column("error_count", Integer, nullable=False),
    Column("input_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    Column("total_tokens", BigInteger, nullable=False),
    Column("cost", Float),
    Column("user_id", Text),
    Column("session_id", Text),
    Column("environment", Text),
    Column("release", Text),
    Column("service", Text),
    Column("tags", Text),
    Column("metadata", Text),
    Column("models", Text),
    Column("input_preview", Text),
    Column("output_preview", Text),
    PrimaryKeyConstraint("project_id", "trace_id", name="pk_traces"),
    Index("ix_traces_project_start", "project_id", "start_ns", "trace_id"),
    Index("ix_traces_project_session", "project_id", "session_id", "start_ns"),
    Index("ix_traces_project_user", "project_id", "user_id", "start_ns"),
)

scores = Table(
    "scores",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("data_type", String(16), nullable=False),
    Column("value_number", Float),
    Column("value_string", Text),
    Column("source", String(16), nullable=False),
    Column("trace_id", String(32)),
    Column("span_id", String(16)),
    Column("session_id", Text),
    Column("comment", Text),
    Column("author", Text),
    Column("metadata", Text),
    Column("created_ns", BigInteger, nullable=False),
    Index("ix_scores_project_trace", "project_id", "trace_id"),
    Index("ix_scores_project_session", "project_id", "session_id"),
    Index("ix_scores_project_created", "project_id", "created_ns"),
)
