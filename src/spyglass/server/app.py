"""``create_app``: the ASGI application of ``spyglass server``."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from spyglass._version import __version__
from spyglass.pricing import load_price_table
from spyglass.server import errors
from spyglass.server.api import datasets, experiments, metrics, scores, sessions, traces
from spyglass.server.api.bodies import check_url
from spyglass.server.api.prices import router as prices_router
from spyglass.server.auth import KeyCache, ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.ingest import routes as ingest_routes
from spyglass.server.ingest.pool import IngestPool, lock_path_for
from spyglass.server.ingest.writer import IngestWriter
from spyglass.server.prices import ProjectPrices
from spyglass.server.retention import RetentionThread
from spyglass.server.state import AppState
from spyglass.server.ui import install as install_ui
from spyglass.settings import Settings, load_settings
from spyglass.storage.base import Store
from spyglass.storage.models import Project
from spyglass.storage.sql.checkpoint import start_checkpointer
from spyglass.storage.sql.store import SqlStore, open_store

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The server application. Opens (and migrates) the store at startup unless one is given."""
    settings = settings or load_settings()
    # Read at creation, so a bad prices file stops the server before it listens.
    price_table = load_price_table(settings.prices_file or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_store: Store = (
            store
            if store is not None
            else await run_blocking(open_store, settings.resolved_database_url)
        )
        writer = IngestWriter(
            the_store,
            max_queued_spans=settings.ingest_queue_spans,
            batch_spans=settings.writer_batch_spans,
        )
        writer.start()
        pool = _ingest_pool(settings, the_store)
        checkpointer = (
            start_checkpointer(the_store.dialect) if isinstance(the_store, SqlStore) else None
        )
        retention = _retention(settings, the_store)
        app.state.spyglass = AppState(
            settings=settings,
            store=the_store,
            writer=writer,
            key_cache=KeyCache(settings.key_cache_seconds),
            prices=ProjectPrices(price_table),
            ingest_pool=pool,
            retention=retention,
        )
        try:
            yield
        finally:
            # Retention first: it may hold the writers' turn the ingest processes finish with.
            if retention is not None:
                await run_blocking(retention.stop)
            if pool is not None:
                await run_blocking(pool.close)
            await run_blocking(writer.close)
            if checkpointer is not None:
                checkpointer.stop()
            if store is None:
                the_store.close()

    app = FastAPI(
        title="Spyglass",
        version=__version__,
        description="OTLP trace ingest and the query API of Spyglass. Every route except "
        "`/healthz` needs an API key (`Authorization: Bearer <key>` or `x-api-key`), and only "
        "sees the data of that key's project. The web UI at `/` uses logins instead.",
        lifespan=lifespan,
        # /docs is served below from vendored files: FastAPI's default loads them from a CDN,
        # which an offline install cannot reach.
        docs_url=None,
        redoc_url=None,
        # Every route, the web UI's pages included: NUL in a URL is a 400 (PostgreSQL text
        # cannot hold it; a filter with it was a 500).
        dependencies=[Depends(check_url)],
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Spyglass API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    app.include_router(ingest_routes.router)
    app.include_router(traces.router)
    app.include_router(sessions.router)
    app.include_router(metrics.router)
    app.include_router(scores.router)
    app.include_router(prices_router)
    app.include_router(datasets.router)
    app.include_router(experiments.router)

    @app.get("/healthz", tags=["health"], summary="200 when the store is reachable")
    async def healthz(request: Request) -> JSONResponse:
        state: AppState = request.app.state.spyglass
        await run_blocking(state.store.ping)
        pool = state.ingest_pool
        return JSONResponse(
            {
                "status": "ok",
                "queued_spans": state.writer.queued_spans,
                "queued_bytes": pool.queued_bytes if pool is not None else 0,
            }
        )

    @app.get(
        "/api/project",
        response_model=Project,
        tags=["projects"],
        summary="The project of the API key",
    )
    async def current_project(request: Request, project_id: ProjectId) -> Project:
        state: AppState = request.app.state.spyglass
        projects = await run_blocking(state.store.list_projects)
        return next(p for p in projects if p.id == project_id)

    @app.get(
        "/api/server",
        tags=["health"],
        summary="Server process figures: CPU time, memory, spans written",
    )
    async def server_stats(request: Request, _project_id: ProjectId) -> dict[str, object]:
        state: AppState = request.app.state.spyglass
        cpu, rss = await run_blocking(_process_tree_usage)
        return {
            "version": __version__,
            "database": "sqlite" if state.store.is_sqlite else "postgresql",
            # With decode processes, their CPU and memory count as the server's.
            "cpu_seconds": cpu,
            "rss_bytes": rss,
            "written_spans": state.writer.written_spans
            + (state.ingest_pool.written_spans if state.ingest_pool else 0),
            # Seconds spent writing spans to the store. On SQLite one write runs at a time,
            # so written spans over these seconds bounds the ingest rate (benchmarks/ingest.py).
            "write_seconds": state.writer.write_seconds
            + (state.ingest_pool.write_seconds if state.ingest_pool else 0.0),
            "queued_spans": state.writer.queued_spans,
            "queued_bytes": state.ingest_pool.queued_bytes if state.ingest_pool else 0,
        }

    # Last: the UI's catch-all HTML error handlers wrap the JSON ones installed above.
    install_ui(app)
    return app


def _retention(settings: Settings, store: Store) -> RetentionThread | None:
    """The hourly deletion of old traces, when ``retention_days`` asks for it."""
    if settings.retention_days <= 0 or not isinstance(store, SqlStore):
        return None
    lock_path = (
        lock_path_for(store.dialect.driver_url, str(settings.home_path))
        if store.is_sqlite and os.name == "posix"
        else None
    )
    thread = RetentionThread(store, settings.retention_days, lock_path)
    thread.start()
    return thread


def _ingest_pool(settings: Settings, store: Store) -> IngestPool | None:
    """The ingest processes, when configured and possible (a SQL store, a POSIX system)."""
    if settings.ingest_processes <= 0 or not isinstance(store, SqlStore) or os.name != "posix":
        return None
    db_path = store.dialect.driver_url if store.is_sqlite else None
    return IngestPool(
        store.url,
        lock_path_for(db_path, str(settings.home_path)),
        processes=settings.ingest_processes,
        max_queued_bytes=settings.ingest_queue_bytes,
        sqlite_path=db_path,
    )


def _process_tree_usage() -> tuple[float, int | None]:
    """CPU seconds and resident bytes of this process and its children (the decode
    processes), read from /proc; (process CPU, None) where /proc is not available."""
    try:
        pids = [os.getpid()]
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as fh:
                pids.extend(int(p) for p in fh.read().split())
        cpu = 0.0
        rss = 0
        ticks = os.sysconf("SC_CLK_TCK")
        page = os.sysconf("SC_PAGE_SIZE")
        for pid in pids:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            with open(f"/proc/{pid}/statm") as fh:
                rss += int(fh.read().split()[1]) * page
    except (OSError, ValueError, IndexError):
        return time.process_time(), None
    return cpu, rss
