"""Storage: the ``Store`` interface and its SQL implementation (SQLite and PostgreSQL)."""

from spyglass.storage.base import Store
from spyglass.storage.sql.store import SqlStore, open_store

__all__ = ["SqlStore", "Store", "open_store"]
