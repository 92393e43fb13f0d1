"""The bounded ingest queue and the single batched writer.

HTTP handlers put decoded rows on the queue and wait; one writer thread takes everything that
is waiting (up to ``writer_batch_spans``), writes it in one transaction and only then wakes the
handlers, so a 2xx answer means committed. Many requests share one commit, which is where the
throughput comes from: a commit costs a disk sync, a row does not.

The queue is bounded in spans. When it is full, ``submit`` raises ``Overloaded`` and the client
gets 503 with Retry-After instead of the server growing without bound.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from spyglass.exceptions import Overloaded, StoreError
from spyglass.storage.base import Store

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait when the queue is full: about one writer batch.
RETRY_AFTER_SECONDS = 1

_Job = tuple[Sequence[tuple[Any, ...]], "Future[None]"]


class IngestWriter:
    """A bounded queue drained by one writer thread."""

    def __init__(self, store: Store, *, max_queued_spans: int, batch_spans: int) -> None:
        self._store = store
        self._max_queued = max_queued_spans
        self._batch_spans = batch_spans
        self._jobs: collections.deque[_Job] = collections.deque()
        self._cond = threading.Condition()
        self._queued_spans = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="spyglass-writer", daemon=True)
        self.written_spans = 0
        self.failed_batches = 0
        # Seconds spent in the store's write, the part of ingest that runs one at a time.
        self.write_seconds = 0.0

    def start(self) -> None:
        self._thread.start()

    @property
    def queued_spans(self) -> int:
        return self._queued_spans

    def submit(self, rows: Sequence[tuple[Any, ...]]) -> Future[None]:
        """Queue rows for writing; the future completes when they are committed."""
        fut: Future[None] = Future()
        if not rows:
            fut.set_result(None)
            return fut
        with self._cond:
            if self._stopping:
                raise Overloaded("server is shutting down", retry_after=RETRY_AFTER_SECONDS)
            # An oversized request is still let in when the queue is empty, so it can never
            # be refused forever; the body-size limit bounds it.
            if self._queued_spans and self._queued_spans + len(rows) > self._max_queued:
                raise Overloaded(
                    f"ingest queue is full ({self._queued_spans} spans waiting); retry later",
                    retry_after=RETRY_AFTER_SECONDS,
                )
            self._jobs.append((rows, fut))
            self._queued_spans += len(rows)
            self._cond.notify()
        return fut

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _take(self) -> list[_Job] | None:
        with self._cond:
            while not self._jobs and not self._stopping:
                self._cond.wait()
            if not self._jobs:
                return None
            batch = [self._jobs.popleft()]
            size = len(batch[0][0])
            while self._jobs and size + len(self._jobs[0][0]) <= self._batch_spans:
                job = self._jobs.popleft()
                size += len(job[0])
                batch.append(job)
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            n = sum(len(rows) for rows, _ in batch)
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._queued_spans -= n

    def _write(self, batch: list[_Job]) -> None:
        rows = [row for job_rows, _ in batch for row in job_rows]
        started = time.perf_counter()
        try:
            self._store.write_spans(rows)
        except StoreError:
            if len(batch) == 1:
                self.failed_batches += 1
                logger.exception("writing %d spans failed", len(rows))
                batch[0][1].set_exception(StoreError("the store could not save the spans"))
                return
            # One request's rows may be the problem: write each alone so the others land.
            for job in batch:
                self._write([job])
            return
        self.written_spans += len(rows)
        self.write_seconds += time.perf_counter() - started
        for _, fut in batch:
            fut.set_result(None)
