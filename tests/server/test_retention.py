"""The server deletes traces older than ``retention_days``: at start, then every hour."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from spyglass.exceptions import ConfigError, StoreError
from spyglass.server.app import create_app
from spyglass.server.retention import RetentionThread
from spyglass.settings import load_settings
from spyglass.storage.filters import TraceFilter
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import T0, sample_rows
from tests.storage.test_retention import DAY, _shifted

pytestmark = pytest.mark.anyio


def _fill(store: SqlStore) -> tuple[int, set[str]]:
    """Project alpha: 12 traces 40 days old and 8 from now; the recent ones' ids."""
    pid = store.create_project("alpha").id
    to_now = time.time_ns() - T0
    store.write_spans(_shifted(sample_rows(pid, 12, seed=1), to_now - 40 * DAY))
    recent = _shifted(sample_rows(pid, 8, seed=2), to_now)
    store.write_spans(recent)
    return pid, {r[1] for r in recent}


def _trace_ids(store: SqlStore, pid: int) -> set[str]:
    return {t.trace_id for t in store.list_traces(pid, TraceFilter(), 100, None).items}


async def test_the_server_prunes_at_start_with_retention_days(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    pid, recent = _fill(sqlite_store)
    settings = load_settings(
        {"home": str(tmp_path), "ingest_processes": 0, "retention_days": 30}, environ={}
    )
    app = create_app(settings, sqlite_store)
    async with app.router.lifespan_context(app):
        retention = app.state.spyglass.retention
        assert isinstance(retention, RetentionThread)
        assert retention.ran.wait(60)
        assert (retention.runs, retention.deleted_traces) == (1, 12)
        assert _trace_ids(sqlite_store, pid) == recent
    assert not retention._thread.is_alive()  # stopped with the server


async def test_no_retention_by_default(sqlite_store: SqlStore, tmp_path: Path) -> None:
    pid, _recent = _fill(sqlite_store)
    app = create_app(load_settings({"home": str(tmp_path)}, environ={}), sqlite_store)
    async with app.router.lifespan_context(app):
        assert app.state.spyglass.retention is None
    assert len(_trace_ids(sqlite_store, pid)) == 20


def test_a_failed_run_is_logged_and_retried_next_time(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def failing(before_ns: int, **_kw: object) -> None:
        calls.append(before_ns)
        raise StoreError("database is locked")

    monkeypatch.setattr(sqlite_store, "prune", failing)
    thread = RetentionThread(sqlite_store, 7, None, interval_s=3_600)
    thread.start()
    assert thread.ran.wait(60)
    thread.stop()
    assert len(calls) == 1 and thread.runs == 0
    # The cutoff is the retention back from now.
    assert abs(calls[0] - (time.time_ns() - 7 * DAY)) < 60 * 10**9
    assert "deleting old traces failed" in caplog.text


@pytest.mark.parametrize("raw", ["-1", "nan", "inf", "a week", "36501"])
def test_a_bad_retention_is_refused(raw: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SPYGLASS_RETENTION_DAYS"):
        load_settings({"home": str(tmp_path)}, environ={"SPYGLASS_RETENTION_DAYS": raw})
