"""What runs inside an ingest process: decode, map and write one OTLP request.

Also the in-process path's decoding (``decode_request``). This module stays free of the web
framework so a spawned ingest process imports only what the work needs.

On SQLite, writers take turns through an exclusive ``flock`` on a lock file next to the
database, not through SQLite's own busy wait (which sleeps in steps of milliseconds): the
kernel wakes the next writer the moment the lock is free, and drops the lock of a process that
dies. On PostgreSQL they write side by side and take turns per trace (``storage/sql/writes``).
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import logging
import os
import pickle
import signal
import sys
import time

from spyglass.exceptions import StoreError
from spyglass.pricing import PriceTable
from spyglass.server.ingest.body import decode_content
from spyglass.server.ingest.otlp_decode import decode_json, decode_protobuf
from spyglass.server.ingest.rows import SpanRow, build_rows
from spyglass.storage.sql.dialect import dialect_for
from spyglass.storage.sql.sink import SpanSink
from spyglass.storage.sql.writes import prepare

logger = logging.getLogger(__name__)

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_PR_SET_PDEATHSIG = 1


def decode_request(
    body: bytes, encoding: str | None, media: str, limit: int, project_id: int, prices: PriceTable
) -> tuple[int, list[str], list[SpanRow]]:
    """Body bytes to storage rows. Returns the rejected span count, the reasons, the rows."""
    raw = decode_content(body, encoding, limit)
    decoded = decode_protobuf(raw) if media == PROTOBUF else decode_json(raw)
    return decoded.rejected, decoded.reasons, build_rows(project_id, decoded.spans, prices)


class _Worker:
    def __init__(self, db_url: str, lock_path: str) -> None:
        # The sink alone, not the whole store: this process only writes spans, and the
        # store's query modules, models and migrations would cost it ~20 MB of memory.
        # Deferred sync (SQLite): the server process flushes the log to disk before it
        # answers (pool.py), while this process already prepares its next request.
        self.sink = SpanSink(dialect_for(db_url), deferred_sync=True)
        self.lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self.prices: dict[int, PriceTable] = {}

    def prices_for(self, serial: int, blob: bytes) -> PriceTable:
        table = self.prices.get(serial)
        if table is None:
            if len(self.prices) >= 1_000:
                self.prices.clear()
            # The blob comes from the server process that started this one, never a client.
            table = self.prices[serial] = pickle.loads(blob)  # noqa: S301
        return table


_worker: _Worker | None = None


def init(db_url: str, lock_path: str, log_level: int, server_pid: int) -> None:
    """Process initializer: die with the server, open the store and the lock file."""
    global _worker
    if sys.platform.startswith("linux"):
        # A server killed with SIGKILL cannot stop its children; the kernel does it instead.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # The server died before the line above ran: this process was handed to init or a
        # subreaper. Compared with the server's pid, not with 1, so a server that is itself
        # pid 1 (a container's entrypoint) keeps its ingest processes.
        if os.getppid() != server_pid:
            os._exit(1)
    # Ctrl-C in a terminal reaches the whole process group, these processes too: the server
    # stops them itself once it has answered what they are working on, and dying first
    # printed a KeyboardInterrupt traceback per process. SIGTERM keeps its default: it is how
    # the pool stops the survivors of a broken pool (ProcessPoolExecutor.terminate), and a
    # group-wide SIGTERM (systemd) ends them quietly; an exporter retries what was in flight.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    _worker = _Worker(db_url, lock_path)
    # Everything alive now (modules, the protobuf and SQL machinery) lives as long as the
    # process: out of the collector's sight, the full collections that a request's many new
    # objects trigger no longer walk it. 18 % fewer instructions per span (callgrind).
    gc.freeze()


def ingest(
    body: bytes,
    encoding: str | None,
    media: str,
    limit: int,
    project_id: int,
    prices_serial: int,
    prices_blob: bytes,
) -> tuple[int, list[str], int, float]:
    """Decode, map and commit one request. Returns rejected count, reasons, spans written
    and the seconds the write took (on SQLite, holding the write lock: the part of ingest that
    runs one process at a time, and so bounds the throughput of all of them).

    On SQLite the commit is not yet on disk: the caller syncs the log (``WalSync``) before it
    reports the spans as saved.

    Everything but the write itself (decoding, mapping, grouping by trace, trace summaries,
    rollup sums) happens before the lock, beside the other processes' writes.
    """
    worker = _worker
    if worker is None:
        raise RuntimeError("ingest process was not initialised")
    prices = worker.prices_for(prices_serial, prices_blob)
    rejected, reasons, rows = decode_request(body, encoding, media, limit, project_id, prices)
    write_s = 0.0
    if rows:
        batch = prepare(rows)
        # SQLite has one writer at a time anyway; PostgreSQL writers run side by side and
        # take turns per trace inside the store (advisory locks).
        exclusive = worker.sink.dialect.is_sqlite
        if exclusive:
            fcntl.flock(worker.lock_fd, fcntl.LOCK_EX)
        started = time.perf_counter()
        try:
            worker.sink.write(batch)
        except StoreError:
            logger.exception("writing %d spans failed", len(rows))
            raise StoreError("the store could not save the spans") from None
        finally:
            write_s = time.perf_counter() - started
            if exclusive:
                fcntl.flock(worker.lock_fd, fcntl.LOCK_UN)
    return rejected, reasons, len(rows), write_s
