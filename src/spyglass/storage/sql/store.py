"""``SqlStore``: the ``Store`` for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from spyglass.exceptions import StoreError
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
from spyglass.storage.sql import (
    access,
    accounts,
    datasets,
    experiments,
    groups,
    migrate,
    prices,
    scores,
    traces,
)
from spyglass.storage.sql import metrics as metrics_query
from spyglass.storage.sql.dialect import dialect_for, make_engine
from spyglass.storage.sql.rebuild import RebuiltTable, rebuild_rollups
from spyglass.storage.sql.retention import Pruned, count_prunable, prune
from spyglass.storage.sql.sink import SpanSink
from spyglass.storage.sql.writes import PreparedBatch

if TYPE_CHECKING:
    from spyglass.evals.dataset import Item

logger = logging.getLogger(__name__)

# Scores shown with a trace; more are reachable through the scores API.
TRACE_SCORES_LIMIT = 500


class SqlStore:
    """One SQL implementation of ``Store`` for SQLite and PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = dialect_for(url)
        self.is_sqlite = self.dialect.is_sqlite
        self.url_for_display = self.dialect.display_url()
        self.engine = make_engine(self.dialect)
        self._sink = SpanSink(self.dialect)
        self._write_lock = threading.Lock()

    # -- lifecycle
    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StoreError("database is unreachable") from exc

    def close(self) -> None:
        with self._write_lock:
            self._sink.close()
        self.engine.dispose()

    # -- access
    def create_project(self, name: str) -> Project:
        return access.create_project(self.engine, name)

    def get_project(self, name: str) -> Project | None:
        return access.get_project(self.engine, name)

    def list_projects(self) -> list[Project]:
        return access.list_projects(self.engine)

    def create_key(
        self, project: str, name: str = "default", created_by: int | None = None
    ) -> CreatedKey:
        return access.create_key(self.engine, project, name, created_by)

    def list_keys(self, project: str | None = None) -> list[ApiKeyInfo]:
        return access.list_keys(self.engine, project)

    def revoke_key(self, key_id_or_prefix: str) -> ApiKeyInfo:
        return access.revoke_key(self.engine, key_id_or_prefix)

    def verify_key(self, secret: str) -> int | None:
        return access.verify_key(self.engine, secret)

    # -- ingest
    def write_spans(self, rows: Sequence[tuple[Any, ...]] | PreparedBatch) -> None:
        with self._write_lock:
            self._sink.write(rows)

    def rebuild_rollups(self) -> list[RebuiltTable]:
        """Recompute both rollup tables from the stored spans and traces (``rebuild.py``)."""
        with self._write_lock:
            try:
                return rebuild_rollups(self.engine)
            except SQLAlchemyError as exc:
                raise StoreError(f"rebuilding the rollups failed: {exc}") from exc

    def prune(
        self,
        before_ns: int,
        project_ids: list[int] | None = None,
        *,
        lock_path: str | None = None,
        progress: Callable[[Pruned], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        dry_run: bool = False,
    ) -> Pruned:
        """Delete the traces that started before ``before_ns``, of ``project_ids`` (default
        all), with their spans and scores (``retention.py``); ``dry_run`` only counts them."""
        # The chunks write through the driver's own cursor too, whose errors are the driver's.
        driver_error: type[Exception] = self.engine.dialect.dbapi.Error  # type: ignore[union-attr]
        try:
            ids = project_ids if project_ids is not None else [p.id for p in self.list_projects()]
            if dry_run:
                return count_prunable(self.engine, before_ns, ids)
            return prune(
                self.engine,
                before_ns,
                ids,
                lock_path=lock_path,
                write_lock=self._write_lock,
                progress=progress,
                should_stop=should_stop,
            )
        except (SQLAlchemyError, driver_error, OSError) as exc:
            raise StoreError(f"deleting old traces failed: {exc}") from exc

    # -- queries
    def list_traces(
        self, project_id: int, flt: TraceFilter, limit: int, cursor: str | None
    ) -> Page[TraceSummary]:
        return traces.list_traces(self.engine, self.dialect, project_id, flt, limit, cursor)

    def get_trace(self, project_id: int, trace_id: str) -> TraceDetail | None:
        summary = traces.get_trace_summary(self.engine, project_id, trace_id)
        if summary is None:
            return None
        tree = traces.span_tree(self.engine, project_id, trace_id)
        trace_scores = scores.list_scores(
            self.engine, project_id, ScoreFilter(trace_id=trace_id), TRACE_SCORES_LIMIT, None
        ).items
        return TraceDetail(trace=summary, spans=tree, scores=trace_scores)

    def get_trace_outline(self, project_id: int, trace_id: str) -> TraceOutline | None:
        summary = traces.get_trace_summary(self.engine, project_id, trace_id)
        if summary is None:
            return None
        outline = traces.span_outline(self.engine, project_id, trace_id)
        trace_scores = scores.list_scores(
            self.engine, project_id, ScoreFilter(trace_id=trace_id), TRACE_SCORES_LIMIT, None
        ).items
        return TraceOutline(trace=summary, spans=outline, scores=trace_scores)

    def get_trace_summary(self, project_id: int, trace_id: str) -> TraceSummary | None:
        return traces.get_trace_summary(self.engine, project_id, trace_id)

    def get_span(self, project_id: int, trace_id: str, span_id: str) -> Span | None:
        return traces.get_span(self.engine, project_id, trace_id, span_id)

    def list_sessions(
        self,
        project_id: int,
        start_ns: int | None,
        end_ns: int | None,
        user_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[SessionSummary]:
        return groups.list_sessions(
            self.engine, project_id, start_ns, end_ns, user_id, limit, cursor
        )

    def list_users(
        self,
        project_id: int,
        start_ns: int | None,
        end_ns: int | None,
        limit: int,
        cursor: str | None,
    ) -> Page[UserSummary]:
        return groups.list_users(self.engine, project_id, start_ns, end_ns, limit, cursor)

    def metrics(self, project_id: int, query: MetricsQuery) -> MetricsResult:
        return metrics_query.metrics(self.engine, project_id, query)

    # -- scores
    def create_score(self, project_id: int, score: Score) -> Score:
        return scores.create_score(self.engine, self.is_sqlite, project_id, score)

    def list_scores(
        self, project_id: int, flt: ScoreFilter, limit: int, cursor: str | None
    ) -> Page[Score]:
        return scores.list_scores(self.engine, project_id, flt, limit, cursor)

    def scores_of_traces(
        self, project_id: int, trace_ids: list[str], limit: int
    ) -> dict[str, list[Score]]:
        return scores.scores_of_traces(self.engine, project_id, trace_ids, limit)

    # -- custom prices
    def list_model_prices(self, project_id: int) -> list[ProjectPrice]:
        return prices.list_model_prices(self.engine, project_id)

    def put_model_price(self, project_id: int, price: ProjectPrice) -> ProjectPrice:
        return prices.put_model_price(self.engine, self.is_sqlite, project_id, price)

    def delete_model_prices(
        self, project_id: int, model: str, effective_from_ns: int | None = None
    ) -> int:
        return prices.delete_model_prices(self.engine, project_id, model, effective_from_ns)

    # -- web UI accounts
    def create_account(self, email: str, password_hash: str, is_admin: bool) -> Account:
        return accounts.create_account(self.engine, email, password_hash, is_admin)

    def account_login(self, email: str) -> AccountLogin | None:
        return accounts.account_login(self.engine, email)

    def list_accounts(self) -> list[Account]:
        return accounts.list_accounts(self.engine)

    def set_password_hash(self, account_id: int, password_hash: str) -> None:
        accounts.set_password_hash(self.engine, account_id, password_hash)

    def add_member(self, account_id: int, project_id: int) -> None:
        accounts.add_member(self.engine, account_id, project_id)

    def remove_member(self, account_id: int, project_id: int) -> bool:
        return accounts.remove_member(self.engine, account_id, project_id)

    def project_members(self, project_id: int) -> list[Account]:
        return accounts.project_members(self.engine, project_id)

    def account_projects(self, account: Account) -> list[Project]:
        return accounts.account_projects_of(self.engine, account)

    def create_login_session(
        self, token: str, account_id: int, csrf_token: str, expires_ns: int
    ) -> None:
        accounts.create_login_session(self.engine, token, account_id, csrf_token, expires_ns)

    def get_login_session(self, token: str) -> LoginSession | None:
        return accounts.get_login_session(self.engine, token)

    def delete_login_session(self, token: str) -> None:
        accounts.delete_login_session(self.engine, token)

    # -- evaluation: datasets
    def create_dataset(
        self, project_id: int, name: str, description: str | None = None
    ) -> tuple[DatasetInfo, bool]:
        return datasets.create_dataset(self.engine, self.is_sqlite, project_id, name, description)

    def get_dataset(self, project_id: int, name: str) -> DatasetInfo | None:
        return datasets.get_dataset(self.engine, project_id, name)

    def list_datasets(self, project_id: int) -> list[DatasetInfo]:
        return datasets.list_datasets(self.engine, project_id)

    def list_dataset_items(
        self, project_id: int, name: str, limit: int, cursor: str | None
    ) -> Page[DatasetItem] | None:
        return datasets.list_items(self.engine, project_id, name, limit, cursor)

    def put_dataset_items(self, project_id: int, name: str, items: Sequence[Item]) -> ItemsWritten:
        return datasets.put_items(self.engine, self.is_sqlite, project_id, name, items)

    def delete_dataset_item(self, project_id: int, name: str, item_id: str) -> bool:
        return datasets.delete_item(self.engine, project_id, name, item_id)

    # -- evaluation: experiments
    def put_experiment(self, project_id: int, record: ExperimentRecord) -> bool:
        return experiments.put_experiment(self.engine, self.is_sqlite, project_id, record)

    def get_experiment(self, project_id: int, experiment_id: str) -> ExperimentRecord | None:
        return experiments.get_experiment(self.engine, project_id, experiment_id)

    def list_experiments(
        self, project_id: int, name: str | None, limit: int, cursor: str | None
    ) -> Page[ExperimentRecord]:
        return experiments.list_experiments(self.engine, project_id, name, limit, cursor)

    def put_experiment_results(
        self, project_id: int, experiment_id: str, results: Sequence[ExperimentResult]
    ) -> int:
        return experiments.put_results(
            self.engine, self.is_sqlite, project_id, experiment_id, results
        )

    def list_experiment_results(
        self, project_id: int, experiment_id: str, limit: int, cursor: str | None
    ) -> Page[ExperimentResult]:
        return experiments.list_results(self.engine, project_id, experiment_id, limit, cursor)

    def experiment_results_of_items(
        self, project_id: int, experiment_id: str, item_ids: Sequence[str]
    ) -> list[ExperimentResult]:
        return experiments.results_of_items(self.engine, project_id, experiment_id, item_ids)

    def experiment_scores(
        self, project_id: int, experiment_id: str
    ) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
        return experiments.iter_scores(self.engine, project_id, experiment_id)


def open_store(url: str, *, migrate_schema: bool = True) -> SqlStore:
    """Open the store at ``url`` and (by default) bring its schema up to date."""
    store = SqlStore(url)
    if migrate_schema:
        store.migrate()
    return store
