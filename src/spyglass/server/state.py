"""What a running server holds: settings, store, writer, key cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spyglass.settings import Settings
from spyglass.storage.base import Store

if TYPE_CHECKING:
    from spyglass.server.auth import KeyCache
    from spyglass.server.ingest.writer import IngestWriter


@dataclass
class AppState:
    settings: Settings
    store: Store
    writer: IngestWriter
    key_cache: KeyCache
