"""E2E tier: a real ``spyglass server`` process on 127.0.0.1 (see harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import ServerProcess


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[str], ServerProcess]]:
    """Start servers on a database URL; every one is stopped at teardown."""
    started: list[ServerProcess] = []

    def _spawn(db_url: str) -> ServerProcess:
        server = ServerProcess(db_url, tmp_path / "home")
        started.append(server)
        return server.start()

    yield _spawn
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server per module on its own SQLite file; tests use a project each."""
    home = tmp_path_factory.mktemp("e2e-home")
    server = ServerProcess(f"sqlite:///{home}/spyglass.db", home)
    server.start()
    yield server
    server.stop()
