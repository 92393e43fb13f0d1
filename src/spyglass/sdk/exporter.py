"""Export spans to the Spyglass server over OTLP/HTTP, without ever slowing the app down.

``BatchProcessor`` holds finished spans in a bounded queue that one background thread drains
in batches; when the queue is full, new spans are dropped and counted (reported in a log line)
rather than growing the app's memory. ``OtlpHttpExporter`` posts protobuf, gzipped, and retries
answers that say "later" (429, 502, 503, 504, timeouts) with exponential backoff, honouring
``Retry-After``. Both survive ``fork`` (gunicorn workers): the child starts a fresh thread and
an empty queue.
"""

from __future__ import annotations

import collections
import gzip
import logging
import os
import random
import threading
import time
import weakref
from collections.abc import Sequence

import httpx
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

logger = logging.getLogger("spyglass")

# Spans per export request: ~1 MB of protobuf for typical LLM spans, far under the server's
# 16 MiB body limit, and few enough requests per second to stay cheap.
EXPORT_BATCH = 512
# The worker wakes at least this often to export a partial batch, so spans show up within
# about a second when traffic is light.
EXPORT_INTERVAL_S = 1.0
# Retries of one batch before it is dropped (and counted): 0.5 + 1 + 2 + 4 + 8 s of backoff.
MAX_RETRIES = 5
# How long shutdown (at interpreter exit) waits for queued spans to be delivered.
SHUTDOWN_FLUSH_MS = 5_000
RETRYABLE = frozenset({408, 429, 502, 503, 504})


class OtlpHttpExporter(SpanExporter):
    """POST ``/v1/traces`` as gzipped protobuf with the project's API key."""

    def __init__(self, endpoint: str, api_key: str, timeout_s: float) -> None:
        self.url = endpoint.rstrip("/") + "/v1/traces"
        self._headers = {
            "Content-Type": "application/x-protobuf",
            "Content-Encoding": "gzip",
            "Authorization": f"Bearer {api_key}",
        }
        self._timeout = timeout_s
        self._client: httpx.Client | None = None
        self._pid = os.getpid()
        self._closed = threading.Event()

    def _http(self) -> httpx.Client:
        if self._client is None or self._pid != os.getpid():
            self._client = httpx.Client(timeout=self._timeout)
            self._pid = os.getpid()
        return self._client

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        body = gzip.compress(encode_spans(spans).SerializeToString(), compresslevel=1)
        delay = 0.5
        for attempt in range(MAX_RETRIES + 1):
            try:
                resp = self._http().post(self.url, content=body, headers=self._headers)
            except httpx.TransportError as exc:
                status, wait, reason = None, delay, repr(exc)
            else:
                if resp.status_code < 300:
                    return SpanExportResult.SUCCESS
                status, reason = resp.status_code, resp.text[:200]
                if status not in RETRYABLE:
                    logger.warning(
                        "spyglass: server refused %d spans: %s %s", len(spans), status, reason
                    )
                    return SpanExportResult.FAILURE
                wait = _retry_after(resp.headers.get("Retry-After"), delay)
            if attempt == MAX_RETRIES or self._closed.is_set():
                break
            logger.debug("spyglass: export got %s (%s); retrying in %.1fs", status, reason, wait)
            # Jitter keeps many app processes from retrying in lockstep.
            if self._closed.wait(wait * random.uniform(0.8, 1.2)):
                break
            delay = min(delay * 2, 30.0)
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._closed.set()
        if self._client is not None:
            self._client.close()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


def _retry_after(header: str | None, default: float) -> float:
    if header is None:
        return default
    try:
        return min(max(float(header), 0.0), 60.0)
    except ValueError:
        return default


# Live instances: one fork hook, registered once, restarts their threads in a child process.
# (A hook per instance would keep every instance ever configured alive.)
_LIVE: weakref.WeakSet[BatchProcessor] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for instance in list(_LIVE):
        instance._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)


class BatchProcessor(SpanProcessor):
    """A bounded queue of finished spans drained by one background thread."""

    def __init__(self, exporter: SpanExporter, max_queue: int) -> None:
        self._exporter = exporter
        self._max_queue = max_queue
        self.dropped = 0
        self.failed = 0
        self._reported_lost = 0
        self._stopping = False
        self._reset()
        _LIVE.add(self)

    def _reset(self) -> None:
        # Also the child's start after fork: the parent's thread does not exist there and its
        # lock may have been held at the fork.
        self._cond = threading.Condition()
        self._queue: collections.deque[ReadableSpan] = collections.deque()
        self._enqueued = 0
        self._handled = 0
        self._flush_requested = False
        self._thread = threading.Thread(target=self._run, name="spyglass-export", daemon=True)
        self._thread.start()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if not span.context.trace_flags.sampled:
            return
        with self._cond:
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
                return
            self._queue.append(span)
            self._enqueued += 1
            if len(self._queue) >= EXPORT_BATCH:
                self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                if (
                    not self._stopping
                    and not self._flush_requested
                    and len(self._queue) < EXPORT_BATCH
                ):
                    self._cond.wait(EXPORT_INTERVAL_S)
                self._flush_requested = False
                stopping = self._stopping
                n = min(len(self._queue), EXPORT_BATCH)
                batch = [self._queue.popleft() for _ in range(n)]
            if batch:
                try:
                    if self._exporter.export(batch) is not SpanExportResult.SUCCESS:
                        self.failed += len(batch)
                except Exception:
                    self.failed += len(batch)
                    logger.exception("spyglass: exporting %d spans failed", len(batch))
                self._report_lost()
            with self._cond:
                self._handled += len(batch)
                self._cond.notify_all()
                if stopping and not self._queue:
                    return

    def _report_lost(self) -> None:
        lost = self.dropped + self.failed
        if lost > self._reported_lost:
            logger.warning(
                "spyglass: %d spans not delivered so far (%d dropped because the export queue "
                "was full, %d failed to export)",
                lost,
                self.dropped,
                self.failed,
            )
            self._reported_lost = lost

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export everything queued so far; False if that took longer than the timeout."""
        deadline = time.monotonic() + timeout_millis / 1000
        with self._cond:
            target = self._enqueued
            while self._handled < target:
                self._flush_requested = True
                self._cond.notify_all()
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def shutdown(self) -> None:
        # At most ~5 s at interpreter exit, even with the server down: flush what can go,
        # then stop the exporter first so a retry's backoff wait ends at once.
        self.force_flush(SHUTDOWN_FLUSH_MS)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._exporter.shutdown()
        self._thread.join(1.0)
