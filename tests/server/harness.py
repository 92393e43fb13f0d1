"""The app tier's harness: run the real ASGI app in-process over a real store.

``httpx.ASGITransport`` does not run the lifespan (which starts the ingest writer), so
``running_app`` enters ``app.router.lifespan_context`` itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from spyglass.server.app import create_app
from spyglass.settings import load_settings
from spyglass.storage.base import Store
from spyglass.storage.sql.store import SqlStore
from tests.server.otlp import PROTOBUF, gzipped

BASE_URL = "http://spyglass.test"


@asynccontextmanager
async def running_app(
    store: Store, home: Path, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app over ``store`` with its lifespan running, and a client without credentials."""
    # environ={}: the developer's SPYGLASS_* variables must not change what tests see.
    # ingest_processes=0: in-process tests write through the writer thread unless they ask.
    settings = load_settings(
        {"home": str(home), "key_cache_seconds": 0, "ingest_processes": 0, **overrides},
        environ={},
    )
    app = create_app(settings, store)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
    ):
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def span_ids(store: SqlStore) -> set[tuple[str, str]]:
    """Every stored (trace_id, span_id), read straight from the database."""
    with store.engine.connect() as conn:
        return {(r[0], r[1]) for r in conn.execute(text("SELECT trace_id, span_id FROM spans"))}


@dataclass
class Api:
    """A running app, its store, and keys of two projects (alpha, beta)."""

    client: httpx.AsyncClient
    store: SqlStore
    key: str
    beta_key: str

    async def ingest(
        self, body: bytes, *, media: str = PROTOBUF, gzip: bool = False, key: str | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": media, **bearer(key or self.key)}
        if gzip:
            body = gzipped(body)
            headers["Content-Encoding"] = "gzip"
        return await self.client.post("/v1/traces", content=body, headers=headers)

    async def ingest_ok(self, body: bytes, *, media: str = PROTOBUF) -> None:
        resp = await self.ingest(body, media=media)
        assert resp.status_code == 200, resp.text

    async def get(self, path: str, *, key: str | None = None, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=bearer(key or self.key))

    async def get_json(self, path: str, **params: Any) -> Any:
        resp = await self.get(path, **params)
        assert resp.status_code == 200, resp.text
        return resp.json()
