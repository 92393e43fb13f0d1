"""A content-addressed cache of LLM answers in one SQLite file.

The key of an answer is the SHA-256 of the canonical JSON of everything that decides it: the
endpoint, the model, the messages and every parameter that changes the answer (temperature,
max_tokens, response_format, seed, ...). The same request therefore finds the same answer,
and re-running an unchanged experiment makes no model calls; changing any of those makes a
new key. Only successful answers are stored: errors are never cached.

The file is shared by threads and processes: WAL lets readers work beside the one writer,
``busy_timeout`` makes a second process wait for the write lock instead of failing, and one
connection per :class:`LLMCache` is guarded by a lock so threads may share an instance.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spyglass.exceptions import ConfigError

__all__ = ["LLMCache", "cache_key", "default_cache"]

logger = logging.getLogger(__name__)

# Bump when the stored value's shape or the key's inputs change: old entries stop matching.
KEY_VERSION = 1
# Milliseconds a connection waits for another process's write lock. Writes are one small
# row each, so five seconds is far beyond any real wait yet short enough to surface a stuck
# lock as an error.
BUSY_TIMEOUT_MS = 5_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    created_at REAL NOT NULL,
    value TEXT NOT NULL
)
"""


def cache_key(endpoint: str, model: str, request: Mapping[str, Any]) -> str:
    """The cache key of one request: hex SHA-256 of canonical JSON.

    ``request`` holds the messages and every answer-changing parameter. Canonical JSON
    (sorted keys, no whitespace, UTF-8) makes the key independent of dict order.
    """
    payload = {"v": KEY_VERSION, "endpoint": endpoint, "model": model, "request": request}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LLMCache:
    """Answers by key in a SQLite file; safe to share between threads and processes.

    ``path`` may be ``":memory:"`` for a cache that lives as long as the object.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash may lose
            # the last answers (they are fetched again) but never corrupts the file, and a
            # commit stops costing a disk sync per answer.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise ConfigError(f"cannot open the LLM cache {self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"LLM cache {self.path} is closed")
        return self._conn

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer of ``key``, or None."""
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT value FROM completions WHERE key = ?", (key,))
                .fetchone()
            )
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            logger.warning("LLM cache %s: unreadable entry %s ignored", self.path, key[:12])
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, model: str, value: Mapping[str, Any]) -> None:
        """Store (or replace) the answer of ``key``."""
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        with self._lock:
            self._connection().execute(
                "INSERT OR REPLACE INTO completions (key, model, created_at, value) "
                "VALUES (?, ?, ?, ?)",
                (key, model, time.time(), text),
            )

    def __len__(self) -> int:
        with self._lock:
            row = self._connection().execute("SELECT count(*) FROM completions").fetchone()
        return int(row[0])

    def clear(self) -> None:
        """Forget every stored answer."""
        with self._lock:
            self._connection().execute("DELETE FROM completions")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> LLMCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LLMCache({self.path!r})"


_shared: dict[str, LLMCache] = {}
_shared_lock = threading.Lock()


def default_cache(path: str | Path) -> LLMCache:
    """The process-wide cache of ``path``: every client of one file shares one connection."""
    resolved = str(Path(path).expanduser().resolve())
    with _shared_lock:
        cache = _shared.get(resolved)
        if cache is None:
            cache = _shared[resolved] = LLMCache(resolved)
        return cache


@atexit.register
def _close_shared() -> None:
    with _shared_lock:
        for cache in _shared.values():
            cache.close()
        _shared.clear()
