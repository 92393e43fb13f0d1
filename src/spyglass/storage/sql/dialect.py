"""Every difference between SQLite and PostgreSQL lives here.

The rest of the SQL store is written once: SQLAlchemy Core for queries, plain SQL with the
driver's placeholder for the ingest hot path. What differs is how to connect, how to read a key
out of a JSON text column, and the placeholder style.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Text, cast, create_engine, event, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.sql.elements import ColumnElement

from spyglass.exceptions import ConfigError

# SQLite waits this long for a lock instead of failing at once: readers never block the
# writer in WAL mode, but a CLI command writing keys may overlap the server's writer.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# WAL pages after which a committing connection checkpoints inline. The server checkpoints
# from a background thread (checkpoint.py) long before this, so a writer only ever does it
# itself when nothing else runs the checkpoints (a CLI command, a stalled server).
# 32 MiB of log at SQLITE_PAGE_SIZE.
SQLITE_AUTOCHECKPOINT_PAGES = 2_048
# Page size of a new database file (an existing one keeps its own). A span row is about 2.5 KB:
# with SQLite's default 4 KiB pages each row nearly fills a page, and a 512-span batch wrote
# about 4.5 log frames (each its own write call) and read 2.3 pages back per span. 16 KiB pages
# cut those system calls about fourfold and the insert's CPU time by about a quarter
# (benchmarks/ingest.py, docs/benchmarks.md).
SQLITE_PAGE_SIZE = 16_384
# Connection execution option: begin its transactions with BEGIN IMMEDIATE on SQLite.
SQLITE_IMMEDIATE = "sqlite_immediate"
# Read connections kept open; the server answers queries from a thread pool of similar size.
READ_POOL_SIZE = 8


@dataclass(frozen=True)
class Dialect:
    name: str  # "sqlite" or "postgresql"
    sqlalchemy_url: str
    driver_url: str  # what sqlite3.connect / psycopg.connect takes

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    @property
    def placeholder(self) -> str:
        return "?" if self.is_sqlite else "%s"

    def json_text(self, column: Any, key: str) -> ColumnElement[Any]:
        """The text value of top-level ``key`` in a JSON object stored as TEXT."""
        if self.is_sqlite:
            path = '$."' + key.replace('"', '""') + '"'
            # json_extract returns numbers as numbers; compare as text like PostgreSQL's ->>.
            return cast(func.json_extract(column, literal(path)), Text)
        expr: ColumnElement[Any] = cast(column, JSONB)[key].astext
        return expr

    def display_url(self) -> str:
        url = make_url(self.sqlalchemy_url)
        return url.render_as_string(hide_password=True)


def dialect_for(url: str) -> Dialect:
    """Parse a database URL (sqlite:///path or postgresql://...)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
        raise ConfigError(f"cannot parse database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError("SQLite needs a file path (sqlite:///path/to/spyglass.db)")
        return Dialect("sqlite", f"sqlite:///{parsed.database}", parsed.database)
    if backend in ("postgresql", "postgres"):
        sa_url = parsed.set(drivername="postgresql+psycopg")
        driver = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return Dialect("postgresql", sa_url.render_as_string(hide_password=False), driver)
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def sqlite_pragmas(conn: sqlite3.Connection) -> None:
    """The settings of every connection (the server's, the CLI's, the ingest benchmark's)."""
    conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # Before journal_mode: switching to WAL writes the header of a new, empty file, which
    # fixes its page size. On an existing file this does nothing.
    conn.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit that returned survives power loss, which is what "2xx means durable"
    # promises. Batched commits make its cost (one fsync of the WAL) per batch, not per span.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT_PAGES}")


def make_engine(dialect: Dialect) -> Engine:
    """The read/admin engine (pooled)."""
    if dialect.is_sqlite:
        Path(dialect.driver_url).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            dialect.sqlalchemy_url,
            connect_args={"check_same_thread": False},
            pool_size=READ_POOL_SIZE,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's transaction events issue BEGIN; pysqlite's own would be late.
            dbapi_conn.isolation_level = None
            sqlite_pragmas(dbapi_conn)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # IMMEDIATE (execution option ``sqlite_immediate``) for a transaction that reads
            # before it writes: a deferred one fails at once with "database is locked" when
            # another connection commits between its first read and its first write.
            immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(dialect.sqlalchemy_url, pool_size=READ_POOL_SIZE, pool_pre_ping=True)


def open_writer(dialect: Dialect) -> Any:
    """A dedicated DBAPI connection for an ingest writer (or the WAL checkpointer)."""
    if dialect.is_sqlite:
        conn = sqlite3.connect(dialect.driver_url, isolation_level=None, check_same_thread=False)
        sqlite_pragmas(conn)
        return conn
    import psycopg

    return psycopg.connect(dialect.driver_url, autocommit=False)
