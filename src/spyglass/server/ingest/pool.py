"""Ingest processes: decode, map and write OTLP requests beside the server process.

Decoding and mapping a span is Python work that holds the GIL, and so is much of writing it;
in one process they take turns on one core. The pool runs them in ``ingest_processes``
spawned processes instead (``worker.py``): each decodes its request and prepares the batch
while another one writes, and they take turns only for the write itself. A 2xx still means
committed: a request is answered when its process has committed it and, on SQLite, when this
process has then flushed the log to disk (``WalSync``; the ingest processes commit without
waiting for the disk, so each goes on to its next request meanwhile).

The server process keeps the bound on waiting work: request bytes handed to the pool and not
yet answered. Past ``ingest_queue_bytes`` the answer is 503 with Retry-After. A process that
dies (killed, out of memory) fails only its own request with 503; the pool is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from spyglass.exceptions import Overloaded, StoreError
from spyglass.pricing import PriceTable
from spyglass.server.ingest import worker
from spyglass.server.ingest.writer import RETRY_AFTER_SECONDS
from spyglass.storage.sql.walsync import WalSync

logger = logging.getLogger(__name__)


class IngestPool:
    """``processes`` ingest processes writing to the database at ``db_url``.

    ``sqlite_path``: the SQLite file whose log is synced before each answer (None on PostgreSQL,
    whose commits wait for the disk themselves).
    """

    def __init__(
        self,
        db_url: str,
        lock_path: str,
        *,
        processes: int,
        max_queued_bytes: int,
        sqlite_path: str | None = None,
    ) -> None:
        self._db_url = db_url
        self._wal = WalSync(sqlite_path) if sqlite_path else None
        self._lock_path = lock_path
        self._processes = processes
        self._max_queued = max_queued_bytes
        self._queued = 0
        self._closed = False
        # spawn: the server already runs threads, which fork would copy mid-flight.
        self._ctx = multiprocessing.get_context("spawn")
        self._executor = self._new_executor()
        # Price tables go to the processes pickled once, under a serial number they cache by:
        # unpickling a table for every request cost more than a span's mapping.
        self._tables: dict[int, tuple[PriceTable, int, bytes]] = {}
        self._serial = 0
        self.written_spans = 0
        # Seconds the processes spent writing (on SQLite: holding the write lock).
        self.write_seconds = 0.0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=self._ctx,
            initializer=worker.init,
            initargs=(
                self._db_url,
                self._lock_path,
                logging.getLogger().getEffectiveLevel(),
                os.getpid(),
            ),
        )

    @property
    def queued_bytes(self) -> int:
        return self._queued

    async def ingest(
        self,
        body: bytes,
        encoding: str | None,
        media: str,
        limit: int,
        project_id: int,
        prices: PriceTable,
    ) -> tuple[int, list[str]]:
        """Decode and commit one request in an ingest process; rejected count and reasons.

        Called on the event loop only, so the byte count needs no lock.
        """
        size = len(body)
        if self._closed:
            raise Overloaded("server is shutting down", retry_after=RETRY_AFTER_SECONDS)
        # An oversized request is still let in when nothing waits, so it is never refused
        # forever; the body-size limit bounds it.
        if self._queued and self._queued + size > self._max_queued:
            raise Overloaded(
                f"ingest queue is full ({self._queued} bytes waiting); retry later",
                retry_after=RETRY_AFTER_SECONDS,
            )
        self._queued += size
        executor = self._executor
        loop = asyncio.get_running_loop()
        future = None
        try:
            # Submitted from the event loop's thread: a process's parent-death signal is
            # tied to the thread that started it, and this one lives as long as the server.
            serial, blob = self._table_blob(prices)
            future = executor.submit(
                worker.ingest, body, encoding, media, limit, project_id, serial, blob
            )
            rejected, reasons, written, write_s = await asyncio.wrap_future(future)
            if written and self._wal is not None:
                await loop.run_in_executor(None, self._sync)
        except BrokenProcessPool:
            self._replace(executor)
            raise Overloaded(
                "an ingest process stopped; nothing of this request was committed, retry",
                retry_after=RETRY_AFTER_SECONDS,
            ) from None
        finally:
            if future is None or future.done():
                self._queued -= size
            else:
                # The client went away; its request still occupies a process until it ends.
                future.add_done_callback(lambda _f: loop.call_soon_threadsafe(self._release, size))
        self.written_spans += written
        self.write_seconds += write_s
        return rejected, reasons

    def _sync(self) -> None:
        assert self._wal is not None
        try:
            self._wal.sync()
        except OSError as exc:
            logger.exception("syncing the write-ahead log failed")
            raise StoreError("the store could not save the spans") from exc

    def _release(self, size: int) -> None:
        self._queued -= size

    def _table_blob(self, prices: PriceTable) -> tuple[int, bytes]:
        hit = self._tables.get(id(prices))
        if hit is not None and hit[0] is prices:
            return hit[1], hit[2]
        if len(self._tables) >= 1_000:
            self._tables.clear()
        self._serial += 1
        blob = pickle.dumps(prices, protocol=pickle.HIGHEST_PROTOCOL)
        # The table itself is kept too, so its id cannot be reused by another object.
        self._tables[id(prices)] = (prices, self._serial, blob)
        return self._serial, blob

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken and not self._closed:
            logger.error("an ingest process died; starting new ones")
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()

    def close(self) -> None:
        """Finish what was submitted, then stop the processes."""
        self._closed = True
        self._executor.shutdown(wait=True)
        if self._wal is not None:
            self._wal.close()


def lock_path_for(db_path: str | None, home: str) -> str:
    """The lock file the ingest processes take turns on: next to a SQLite file, else in home."""
    if db_path:
        return db_path + ".ingest-lock"
    os.makedirs(home, exist_ok=True)
    return os.path.join(home, "ingest.lock")
