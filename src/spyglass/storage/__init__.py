"""Storage: the ``Store`` interface and its SQL implementation (SQLite and PostgreSQL).

The names load on first use, so a module that needs one small part of storage (the ingest
processes need the span writer and ``latency``) does not import every query module and the
migrations with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spyglass.storage.base import Store
    from spyglass.storage.sql.store import SqlStore, open_store

_LAZY = {
    "Store": "spyglass.storage.base",
    "SqlStore": "spyglass.storage.sql.store",
    "open_store": "spyglass.storage.sql.store",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'spyglass.storage' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["SqlStore", "Store", "open_store"]
