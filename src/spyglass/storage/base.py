"""The ``Store`` interface every part of the server talks to.

One SQL implementation (``storage/sql``) serves SQLite and PostgreSQL. Methods are blocking:
the server calls them through its one ``run_blocking`` helper so the event loop never stalls.
``write_spans`` is called by one ingest writer at a time (see ``server/ingest``); a return
means committed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from spyglass.storage.eval_models import (
    DatasetInfo,
    DatasetItem,
    ExperimentRecord,
    ExperimentResult,
    ItemsWritten,
)
from spyglass.storage.filters import MetricsQuery, ScoreFilter, TraceFilter
from spyglass.storage.models import (
    Account,
    AccountLogin,
    ApiKeyInfo,
    CreatedKey,
    LoginSession,
    MetricsResult,
    Page,
    Project,
    ProjectPrice,
    Score,
    SessionSummary,
    Span,
    TraceDetail,
    TraceOutline,
    TraceSummary,
    UserSummary,
)

if TYPE_CHECKING:
    from spyglass.evals.dataset import Item

SpanRow = tuple[Any, ...]


class Store(Protocol):
    """Durable storage of projects, keys, spans, trace summaries and scores."""

    url_for_display: str
    is_sqlite: bool

    def migrate(self) -> None:
        """Bring the schema to the newest revision."""

    def ping(self) -> None:
        """Raise ``StoreError`` when the database cannot be reached."""

    def close(self) -> None: ...

    # access
    def create_project(self, name: str) -> Project: ...
    def get_project(self, name: str) -> Project | None: ...
    def list_projects(self) -> list[Project]: ...
    def create_key(
        self, project: str, name: str = "default", created_by: int | None = None
    ) -> CreatedKey:
        """A new key; ``created_by`` is the web UI account that made it, if any."""

    def list_keys(self, project: str | None = None) -> list[ApiKeyInfo]: ...
    def revoke_key(self, key_id_or_prefix: str) -> ApiKeyInfo: ...
    def verify_key(self, secret: str) -> int | None:
        """The project id of a live key, or None."""

    # ingest
    def write_spans(self, rows: Sequence[SpanRow]) -> None:
        """Insert spans (duplicates ignored) and refresh their traces' summaries; commit."""

    # queries
    def list_traces(
        self, project_id: int, flt: TraceFilter, limit: int, cursor: str | None
    ) -> Page[TraceSummary]: ...
    def get_trace(self, project_id: int, trace_id: str) -> TraceDetail | None: ...
    def get_trace_outline(self, project_id: int, trace_id: str) -> TraceOutline | None:
        """``get_trace`` with the spans as plain tuples of the tree's columns (web UI)."""

    def get_trace_summary(self, project_id: int, trace_id: str) -> TraceSummary | None:
        """The trace's summary alone, without its spans (cheap)."""

    def get_span(self, project_id: int, trace_id: str, span_id: str) -> Span | None: ...
    def list_sessions(
        self,
        project_id: int,
        start_ns: int | None,
        end_ns: int | None,
        user_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[SessionSummary]: ...
    def list_users(
        self,
        project_id: int,
        start_ns: int | None,
        end_ns: int | None,
        limit: int,
        cursor: str | None,
    ) -> Page[UserSummary]: ...
    def metrics(self, project_id: int, query: MetricsQuery) -> MetricsResult: ...

    # scores
    def create_score(self, project_id: int, score: Score) -> Score: ...
    def list_scores(
        self, project_id: int, flt: ScoreFilter, limit: int, cursor: str | None
    ) -> Page[Score]: ...
    def scores_of_traces(
        self, project_id: int, trace_ids: list[str], limit: int
    ) -> dict[str, list[Score]]:
        """The newest scores (at most ``limit`` in all) of the given traces, by trace id."""

    # custom prices
    def list_model_prices(self, project_id: int) -> list[ProjectPrice]:
        """The project's custom price periods, by model then start."""

    def put_model_price(self, project_id: int, price: ProjectPrice) -> ProjectPrice:
        """Insert a price period, or replace the one with the same model and start."""

    def delete_model_prices(
        self, project_id: int, model: str, effective_from_ns: int | None = None
    ) -> int:
        """Remove a model's custom periods (or one of them); the number removed."""

    # web UI accounts (people who log in; not the end users of traced apps)
    def create_account(self, email: str, password_hash: str, is_admin: bool) -> Account:
        """A new account; ``BadRequest`` when the email is taken or malformed."""

    def account_login(self, email: str) -> AccountLogin | None:
        """The account with that email and its password hash, for checking a login."""

    def list_accounts(self) -> list[Account]: ...
    def set_password_hash(self, account_id: int, password_hash: str) -> None: ...
    def add_member(self, account_id: int, project_id: int) -> None:
        """Let the account see the project (idempotent)."""

    def remove_member(self, account_id: int, project_id: int) -> bool:
        """Stop the account seeing the project; False when it was not a member. Admins see
        every project whatever their memberships."""

    def project_members(self, project_id: int) -> list[Account]:
        """The accounts added to the project, by email (admins see it without being added)."""

    def account_projects(self, account: Account) -> list[Project]:
        """The projects the account may see: all of them for an admin."""

    def create_login_session(
        self, token: str, account_id: int, csrf_token: str, expires_ns: int
    ) -> None: ...
    def get_login_session(self, token: str) -> LoginSession | None:
        """The live (unexpired) session of a cookie token, or None."""

    def delete_login_session(self, token: str) -> None: ...

    # evaluation: datasets
    def create_dataset(
        self, project_id: int, name: str, description: str | None = None
    ) -> tuple[DatasetInfo, bool]:
        """The dataset, created unless it exists; True when it was created now."""

    def get_dataset(self, project_id: int, name: str) -> DatasetInfo | None: ...
    def list_datasets(self, project_id: int) -> list[DatasetInfo]: ...
    def list_dataset_items(
        self, project_id: int, name: str, limit: int, cursor: str | None
    ) -> Page[DatasetItem] | None:
        """A page of the items in their order; None when there is no such dataset."""

    def put_dataset_items(self, project_id: int, name: str, items: Sequence[Item]) -> ItemsWritten:
        """Add items, creating the dataset if needed; an item with a known id is replaced."""

    def delete_dataset_item(self, project_id: int, name: str, item_id: str) -> bool:
        """Remove one item; False when the dataset or the item is not there."""

    # evaluation: experiments
    def put_experiment(self, project_id: int, record: ExperimentRecord) -> bool:
        """Store a run's summary, replacing an earlier upload (and its results); True if new."""

    def get_experiment(self, project_id: int, experiment_id: str) -> ExperimentRecord | None: ...
    def list_experiments(
        self, project_id: int, name: str | None, limit: int, cursor: str | None
    ) -> Page[ExperimentRecord]:
        """Newest first."""

    def put_experiment_results(
        self, project_id: int, experiment_id: str, results: Sequence[ExperimentResult]
    ) -> int:
        """Upsert results by (item, repeat); the number stored. The run must exist."""

    def list_experiment_results(
        self, project_id: int, experiment_id: str, limit: int, cursor: str | None
    ) -> Page[ExperimentResult]:
        """By item id, then repeat."""

    def experiment_results_of_items(
        self, project_id: int, experiment_id: str, item_ids: Sequence[str]
    ) -> list[ExperimentResult]: ...
    def experiment_scores(
        self, project_id: int, experiment_id: str
    ) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
        """Every result's (item id, scores), streamed."""
