"""What a running server holds: settings, store, writer, key cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from spyglass.settings import Settings
from spyglass.storage.base import Store

if TYPE_CHECKING:
    from spyglass.server.auth import KeyCache
    from spyglass.server.ingest.pool import IngestPool
    from spyglass.server.ingest.writer import IngestWriter
    from spyglass.server.prices import ProjectPrices
    from spyglass.server.retention import RetentionThread


def store_of(request: Request) -> Store:
    """The store of the app serving ``request``."""
    state: AppState = request.app.state.spyglass
    return state.store


@dataclass
class AppState:
    settings: Settings
    store: Store
    writer: IngestWriter
    key_cache: KeyCache
    prices: ProjectPrices
    # Processes that decode and write OTLP requests (setting ``ingest_processes``); None: the
    # server's threads decode and ``writer`` writes.
    ingest_pool: IngestPool | None = None
    # The hourly deletion of old traces (setting ``retention_days``); None: keep everything.
    retention: RetentionThread | None = None
