"""Every Alembic revision up and down on SQLite and PostgreSQL; migrated schema == metadata."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from spyglass.storage.sql import migrate, schema
from spyglass.storage.sql.dialect import dialect_for, make_engine
from spyglass.storage.sql.store import open_store
from tests import otlp_rows

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


def _compression(engine: Engine, table: str) -> dict[str, str]:
    """attcompression of each text column ('' = the server's default, 'l' = lz4)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped "
                "AND atttypid IN (CAST('text' AS regtype), CAST('varchar' AS regtype))"
            ),
            {"t": table},
        )
        return {name: str(method or "") for name, method in rows}


def test_postgresql_long_text_is_lz4_from_0007(empty_database_url: str) -> None:
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("compression methods are PostgreSQL's")
    eng = make_engine(dialect_for(empty_database_url))
    try:
        with eng.connect() as conn:
            if int(conn.execute(text("SHOW server_version_num")).scalar_one()) < 140_000:
                pytest.skip("compression methods per column came with PostgreSQL 14")
        migrate.upgrade(eng, "0006")
        assert set(_compression(eng, "spans").values()) == {""}
        migrate.upgrade(eng)
        with eng.connect() as conn:
            has_lz4 = (
                "lz4"
                in conn.execute(
                    text(
                        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
                    )
                ).scalar_one()
            )
        for table, long_columns in (
            ("spans", {"attributes", "input", "output", "events"}),
            ("traces", {"metadata", "input_preview"}),
        ):
            methods = _compression(eng, table)
            assert long_columns <= set(methods)
            assert set(methods.values()) == ({"l"} if has_lz4 else {""}), table
        # A long value is compressed and reads back whole, through the real write path.
        long_text = "the same few words again and again " * 400
        store = open_store(empty_database_url)
        try:
            pid = store.verify_key(store.create_key("lz4").secret)
            assert pid is not None
            store.write_spans(
                otlp_rows.rows(pid, [otlp_rows.span(1, 1, "s", 0, 5, {"input.value": long_text})])
            )
            assert store.get_span(pid, otlp_rows.tid(1), otlp_rows.sid(1)).input == long_text
        finally:
            store.close()
        with eng.connect() as conn:
            method, size = conn.execute(
                text("SELECT pg_column_compression(input), pg_column_size(input) FROM spans")
            ).one()
        assert method == ("lz4" if has_lz4 else "pglz")
        assert size < len(long_text) // 4
        migrate.downgrade(eng, "0006")
        for table in ("spans", "traces"):
            assert set(_compression(eng, table).values()) == {""}, table
    finally:
        eng.dispose()
