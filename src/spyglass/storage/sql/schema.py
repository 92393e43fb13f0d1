"""Table definitions used to build queries.

The migrations in ``migrations/versions`` create these tables; a test compares the migrated
database with this metadata so the two cannot drift. Column order in ``spans`` is deliberate:
small columns first and the large text (attributes, input, output) last, so that SQLite reads a
row's typed columns from its first page without touching overflow pages.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
    UniqueConstraint,
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
    # The web UI account that made the key; NULL for the CLI and the first start (0005).
    Column(
        "created_by",
        Integer,
        ForeignKey("accounts.id", name="fk_api_keys_created_by"),
        nullable=True,
    ),
)

# Ingest writes rows as tuples in this order (see storage/sql/writer.py).
SPAN_COLUMNS: tuple[str, ...] = (
    "project_id",
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    "start_ns",
    "end_ns",
    "duration_ns",
    "latency_bin",
    "status",
    "model",
    "provider",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost",
    "cost_reported",
    "ttft_ns",
    "session_id",
    "user_id",
    "environment",
    "release",
    "service",
    "tags",
    "metadata",
    "status_message",
    "otel_kind",
    "scope",
    "notes",
    "events",
    "links",
    "resource",
    "attributes",
    "input",
    "output",
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
    "project_id",
    "trace_id",
    "root_span_id",
    "name",
    "start_ns",
    "end_ns",
    "duration_ns",
    "latency_bin",
    "status",
    "span_count",
    "error_count",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "user_id",
    "session_id",
    "environment",
    "release",
    "service",
    "tags",
    "metadata",
    "models",
    "input_preview",
    "output_preview",
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
    # Covering the sums of the sessions and users lists (migration 0003): a page of them is
    # read from these indexes alone, never from the wide trace rows.
    Index(
        "ix_traces_project_session",
        "project_id",
        "session_id",
        "start_ns",
        "user_id",
        "status",
        "total_tokens",
        "cost",
    ),
    Index(
        "ix_traces_project_user",
        "project_id",
        "user_id",
        "start_ns",
        "session_id",
        "status",
        "total_tokens",
        "cost",
    ),
)

span_rollups = Table(
    "span_rollups",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("hour_ns", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("model", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("release", Text, nullable=False),
    Column("environment", Text, nullable=False),
    Column("latency_bin", Integer, nullable=False),
    Column("span_count", BigInteger, nullable=False),
    Column("error_count", BigInteger, nullable=False),
    Column("input_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    Column("total_tokens", BigInteger, nullable=False),
    Column("cost", Float, nullable=False),
    Column("cost_count", BigInteger, nullable=False),
    Column("ttft_sum_ns", BigInteger, nullable=False),
    Column("ttft_count", BigInteger, nullable=False),
    PrimaryKeyConstraint(
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
    Index("ix_span_rollups_project_hour", "project_id", "hour_ns"),
    # Clustered on the key in SQLite: the hours of one kind (LLM for model metrics) are one
    # sequential range.
    sqlite_with_rowid=False,
)

# Hourly sums of trace summaries (``rollups.py``): the dashboard's requests, errors, latency,
# tokens and cost per hour without reading every trace of the window.
trace_rollups = Table(
    "trace_rollups",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("hour_ns", BigInteger, nullable=False),
    Column("latency_bin", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("release", Text, nullable=False),
    Column("environment", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("trace_count", BigInteger, nullable=False),
    Column("error_count", BigInteger, nullable=False),
    Column("input_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    Column("total_tokens", BigInteger, nullable=False),
    Column("cost", Float, nullable=False),
    Column("cost_count", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "project_id",
        "hour_ns",
        "latency_bin",
        "name",
        "release",
        "environment",
        "service",
        name="pk_trace_rollups",
    ),
    sqlite_with_rowid=False,
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
    # created_ns last so a target's scores come newest first straight from the index.
    Index("ix_scores_project_trace", "project_id", "trace_id", "created_ns"),
    Index("ix_scores_project_session", "project_id", "session_id", "created_ns"),
    Index("ix_scores_project_created", "project_id", "created_ns"),
)

# A project's own prices (``PUT /api/prices/{model}``), laid over the shipped table at ingest.
# Rates are USD per 1M tokens; effective_from_ns 0 means "since always".
model_prices = Table(
    "model_prices",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("model", String(200), nullable=False),
    Column("effective_from_ns", BigInteger, nullable=False),
    Column("input", Float, nullable=False),
    Column("output", Float, nullable=False),
    Column("cache_read", Float),
    Column("cache_write", Float),
    Column("reasoning", Float),
    Column("updated_ns", BigInteger, nullable=False),
    PrimaryKeyConstraint("project_id", "model", "effective_from_ns", name="pk_model_prices"),
)

# People who log in to the web UI (not the end users of traced apps, which are ``user_id``).
# Passwords are stored as argon2 hashes; admins see every project, others their memberships.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("created_ns", BigInteger, nullable=False),
)

account_projects = Table(
    "account_projects",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("created_ns", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "project_id", name="pk_account_projects"),
)

# Server-side login sessions: the cookie holds a random token, only its SHA-256 is stored, so
# logging out (deleting the row) really ends the session and a database leak yields no cookie.
login_sessions = Table(
    "login_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_ns", BigInteger, nullable=False),
    Column("expires_ns", BigInteger, nullable=False),
    Index("ix_login_sessions_account", "account_id"),
)

# Evaluation (migration 0004). A dataset's items keep the order they were added in (``seq``),
# which is the order its content version is hashed in, so a dataset pulled from the server has
# the version it was pushed with. ``version`` and ``item_count`` are refreshed by every write.
datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("item_count", Integer, nullable=False),
    Column("version", String(32), nullable=False),
    Column("created_ns", BigInteger, nullable=False),
    Column("updated_ns", BigInteger, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_datasets_project_name"),
)

dataset_items = Table(
    "dataset_items",
    metadata,
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("trace_id", Text),
    Column("created_ns", BigInteger, nullable=False),
    Column("updated_ns", BigInteger, nullable=False),
    Column("input", Text, nullable=False),
    Column("expected", Text),
    Column("documents", Text),
    Column("metadata", Text),
    PrimaryKeyConstraint("dataset_id", "item_id", name="pk_dataset_items"),
    Index("ix_dataset_items_dataset_seq", "dataset_id", "seq"),
)

# A run of ``spyglass eval run`` / ``evaluate()`` uploaded to the server: its run.json is
# ``summary``; ids are the run ids the SDK made, unique within a project.
experiments = Table(
    "experiments",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("dataset_name", String(200), nullable=False),
    Column("dataset_version", String(32), nullable=False),
    Column("created_ns", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),
    PrimaryKeyConstraint("project_id", "id", name="pk_experiments"),
    Index("ix_experiments_project_created", "project_id", "created_ns"),
    Index("ix_experiments_project_name", "project_id", "name", "created_ns"),
)

experiment_results = Table(
    "experiment_results",
    metadata,
    Column("project_id", Integer, nullable=False),
    Column("experiment_id", String(200), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("repeat", Integer, nullable=False),
    Column("latency_ms", Float),
    Column("trace_id", Text),
    Column("error", Text),
    Column("scores", Text, nullable=False),
    Column("output", Text),
    PrimaryKeyConstraint(
        "project_id", "experiment_id", "item_id", "repeat", name="pk_experiment_results"
    ),
)
