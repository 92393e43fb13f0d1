"""Shared fixtures: a migrated ``SqlStore`` on a real SQLite file and on a real PostgreSQL.

PostgreSQL comes from ``SPYGLASS_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). The session creates its own uniquely named
databases from that one and drops them at the end, so runs never see each other's data. When
the server cannot be reached the PostgreSQL tests fail under CI (``CI`` set) and are skipped
elsewhere, with a message saying how to point them at a server.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from spyglass.storage.sql import schema
from spyglass.storage.sql.store import SqlStore, open_store
from tests import otlp_rows

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
# Seconds to wait for PostgreSQL before calling it unreachable: long enough for a busy
# local server, short enough that a machine without one does not stall the suite.
PG_CONNECT_TIMEOUT_S = 3
_TABLES = ", ".join(t.name for t in schema.metadata.sorted_tables)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


class PostgresServer:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(
            self.admin_url, autocommit=True, connect_timeout=PG_CONNECT_TIMEOUT_S
        )

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"spyglass_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[PostgresServer | str]:
    """The server, or the reason it cannot be used (checked once per session)."""
    url = os.environ.get("SPYGLASS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        psycopg.connect(url, connect_timeout=PG_CONNECT_TIMEOUT_S).close()
    except psycopg.Error as exc:
        yield (
            f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} "
            f"is unreachable ({exc})"
        )
        return
    server = PostgresServer(url)
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def postgres_server(_postgres_server: PostgresServer | str) -> PostgresServer:
    """The PostgreSQL test server; fails under CI and skips elsewhere when unreachable."""
    if isinstance(_postgres_server, str):
        if _in_ci():
            pytest.fail(
                f"{_postgres_server}; CI must run the PostgreSQL tests for real "
                "(set SPYGLASS_TEST_POSTGRES_URL to a reachable server)"
            )
        pytest.skip(
            f"{_postgres_server}; set SPYGLASS_TEST_POSTGRES_URL="
            "postgresql://user@host:port/db to a server to run these tests"
        )
    return _postgres_server


@pytest.fixture(scope="session")
def _postgres_store_url(postgres_server: PostgresServer) -> str:
    """One database migrated once per session; tests empty it before they start."""
    url = postgres_server.create_database()
    open_store(url).close()
    return url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (cheaper than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "spyglass.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def sqlite_store(tmp_path: Path, _sqlite_template: Path) -> Iterator[SqlStore]:
    """A migrated, empty ``SqlStore`` on a SQLite file of its own."""
    path = tmp_path / "spyglass.db"
    shutil.copyfile(_sqlite_template, path)
    store = SqlStore(f"sqlite:///{path}")
    yield store
    store.close()


def _truncate(url: str) -> None:
    driver_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(driver_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated, empty ``SqlStore`` on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "spyglass.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("_postgres_store_url")
        _truncate(url)
    s = SqlStore(url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new database without any table, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def make_rows() -> Callable[..., list[otlp_rows.SpanRow]]:
    """``make_rows(project_id, spans, resource=None)``: rows through the real ingest path."""
    return otlp_rows.rows
