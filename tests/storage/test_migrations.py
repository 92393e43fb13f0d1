"""Every Alembic revision up and down on SQLite and PostgreSQL; migrated schema == metadata."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from spyglass.storage.sql import migrate, schema
from spyglass.storage.sql.dialect import dialect_for, make_engine
from spyglass.storage.sql.store import open_store

TABLES = {
    "projects",
    "api_keys",
    "spans",
    "traces",
    "span_rollups",
    "trace_rollups",
    "scores",
    "model_prices",
    "accounts",
    "account_projects",
    "login_sessions",
    "datasets",
    "dataset_items",
    "experiments",
    "experiment_results",
}


@pytest.fixture
def engine(empty_database_url: str) -> Iterator[Engine]:
    eng = make_engine(dialect_for(empty_database_url))
    try:
        yield eng
    finally:
        eng.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_every_revision_up_and_down(engine: Engine) -> None:
    revisions = migrate.all_revisions(engine)
    assert revisions[0] == "0001"
    assert len(revisions) == len(set(revisions))
    assert migrate.current_revision(engine) is None

    seen_tables: list[set[str]] = [_tables(engine)]
    for rev in revisions:
        migrate.upgrade(engine, rev)
        assert migrate.current_revision(engine) == rev
        seen_tables.append(_tables(engine))
    assert seen_tables[-1] == TABLES

    # Down one step at a time: each step gives back the tables of the revision before it.
    for i in range(len(revisions) - 1, -1, -1):
        target = revisions[i - 1] if i > 0 else "base"
        migrate.downgrade(engine, target)
        assert migrate.current_revision(engine) == (None if target == "base" else target)
        assert _tables(engine) == seen_tables[i]
    assert _tables(engine) == set()

    # And up again to head in one go, which is what the server does at start.
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == revisions[-1]
    # Upgrading a current schema is a no-op.
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == revisions[-1]


def test_migrated_schema_matches_metadata(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, schema.metadata)
    # Nothing is ignored: the migration and schema.py declare the same tables, columns,
    # types, nullability, indexes and unique constraints on both backends.
    assert diffs == []


def test_reopening_a_migrated_database_keeps_its_data(empty_database_url: str) -> None:
    # open_store migrates; opening again on a migrated database must keep the data.
    store = open_store(empty_database_url)
    try:
        key = store.create_key("alpha")
    finally:
        store.close()
    again = open_store(empty_database_url)
    try:
        assert again.verify_key(key.secret) is not None
    finally:
        again.close()
