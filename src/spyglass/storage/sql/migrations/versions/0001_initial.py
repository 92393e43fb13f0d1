"""Initial schema: projects, API keys, spans, trace summaries, scores.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("revoked_ns", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "spans",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start_ns", sa.BigInteger, nullable=False),
        sa.Column("end_ns", sa.BigInteger, nullable=False),
        sa.Column("duration_ns", sa.BigInteger, nullable=False),
        sa.Column("latency_bin", sa.Integer, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("model", sa.Text),
        sa.Column("provider", sa.Text),
        sa.Column("input_tokens", sa.BigInteger),
        sa.Column("output_tokens", sa.BigInteger),
        sa.Column("total_tokens", sa.BigInteger),
        sa.Column("cache_read_tokens", sa.BigInteger),
        sa.Column("cache_write_tokens", sa.BigInteger),
        sa.Column("reasoning_tokens", sa.BigInteger),
        sa.Column("cost", sa.Float),
        sa.Column("cost_reported", sa.Float),
        sa.Column("ttft_ns", sa.BigInteger),
        sa.Column("session_id", sa.Text),
        sa.Column("user_id", sa.Text),
        sa.Column("environment", sa.Text),
        sa.Column("release", sa.Text),
        sa.Column("service", sa.Text),
        sa.Column("tags", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("status_message", sa.Text),
        sa.Column("otel_kind", sa.Integer, nullable=False),
        sa.Column("scope", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("events", sa.Text),
        sa.Column("links", sa.Text),
        sa.Column("resource", sa.Text),
        sa.Column("attributes", sa.Text),
        sa.Column("input", sa.Text),
        sa.Column("output", sa.Text),
        sa.PrimaryKeyConstraint("project_id", "trace_id", "span_id", name="pk_spans"),
    )
    op.create_index("ix_spans_project_start", "spans", ["project_id", "start_ns"])
    op.create_table(
        "traces",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("root_span_id", sa.String(16)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_ns", sa.BigInteger, nullable=False),
        sa.Column("end_ns", sa.BigInteger, nullable=False),
        sa.Column("duration_ns", sa.BigInteger, nullable=False),
        sa.Column("latency_bin", sa.Integer, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("span_count", sa.Integer, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_tokens", sa.BigInteger, nullable=False),
        sa.Column("cost", sa.Float),
        sa.Column("user_id", sa.Text),
        sa.Column("session_id", sa.Text),
        sa.Column("environment", sa.Text),
        sa.Column("release", sa.Text),
        sa.Column("service", sa.Text),
        sa.Column("tags", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("models", sa.Text),
        sa.Column("input_preview", sa.Text),
        sa.Column("output_preview", sa.Text),
        sa.PrimaryKeyConstraint("project_id", "trace_id", name="pk_traces"),
    )
    op.create_index("ix_traces_project_start", "traces", ["project_id", "start_ns", "trace_id"])
    op.create_index("ix_traces_project_session", "traces", ["project_id", "session_id", "start_ns"])
    op.create_index("ix_traces_project_user", "traces", ["project_id", "user_id", "start_ns"])
    op.create_table(
        "span_rollups",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("hour_ns", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("release", sa.Text, nullable=False),
        sa.Column("environment", sa.Text, nullable=False),
        sa.Column("latency_bin", sa.Integer, nullable=False),
        sa.Column("span_count", sa.BigInteger, nullable=False),
        sa.Column("error_count", sa.BigInteger, nullable=False),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_tokens", sa.BigInteger, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("cost_count", sa.BigInteger, nullable=False),
        sa.Column("ttft_sum_ns", sa.BigInteger, nullable=False),
        sa.Column("ttft_count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id",
            "kind",
            "hour_ns",
            "model",
            "latency_bin",
            "name",
            "release",
            "environment",
            name="pk_span_rollups",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_span_rollups_project_hour", "span_rollups", ["project_id", "hour_ns"])
    op.create_table(
        "scores",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("data_type", sa.String(16), nullable=False),
        sa.Column("value_number", sa.Float),
        sa.Column("value_string", sa.Text),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("trace_id", sa.String(32)),
        sa.Column("span_id", sa.String(16)),
        sa.Column("session_id", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_scores_project_trace", "scores", ["project_id", "trace_id", "created_ns"])
    op.create_index(
        "ix_scores_project_session", "scores", ["project_id", "session_id", "created_ns"]
    )
    op.create_index("ix_scores_project_created", "scores", ["project_id", "created_ns"])


def downgrade() -> None:
    for name in ("scores", "span_rollups", "traces", "spans", "api_keys", "projects"):
        op.drop_table(name)
