"""App tier fixtures: the real app in-process over a real SQLite file (see harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from spyglass.storage.sql.store import SqlStore, open_store
from tests.server.harness import Api, running_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_store(f"sqlite:///{tmp_path}/spyglass.db")
    yield store
    store.close()


@pytest.fixture
async def api(sqlite_store: SqlStore, tmp_path: Path) -> AsyncIterator[Api]:
    key = sqlite_store.create_key("alpha").secret
    beta_key = sqlite_store.create_key("beta").secret
    async with running_app(sqlite_store, tmp_path) as client:
        yield Api(client, sqlite_store, key, beta_key)
