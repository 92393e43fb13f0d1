"""``OtlpHttpExporter`` and ``BatchProcessor`` against a local receiver that records requests:
the wire format, retries, the queue bound, flushing, ``fork``; and scores sent in the
background."""

from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import spyglass
from spyglass.sdk.exporter import BatchProcessor, OtlpHttpExporter
from spyglass.server.ingest.otlp_decode import decode_protobuf

KEY = "sg_test_key"
# Bounded waits: generous for a loaded CI machine; a working path takes milliseconds.
WAIT_S = 10.0
# How often the receiver's serve loop checks for shutdown (the default 0.5 s slows teardown).
POLL_S = 0.02


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def span_names(self) -> list[str]:
        assert self.headers["content-encoding"] == "gzip"
        return [s.name for s in decode_protobuf(gzip.decompress(self.body)).spans]


@dataclass
class Receiver:
    """A local HTTP server recording every request; answers from ``replies`` (then 200)."""

    server: ThreadingHTTPServer
    replies: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)  # cleared: requests wait
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def wait_for(self, predicate: Callable[[list[Request]], bool]) -> list[Request]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with self.lock:
                seen = list(self.requests)
            if predicate(seen):
                return seen
            time.sleep(POLL_S)
        raise AssertionError(f"receiver never saw the expected requests: {seen}")

    def span_names(self) -> list[str]:
        with self.lock:
            return [n for r in self.requests if r.path == "/v1/traces" for n in r.span_names()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with rec.lock:
                rec.requests.append(
                    Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status, headers = rec.replies.pop(0) if rec.replies else (200, {})
            rec.gate.wait(WAIT_S)
            payload = b"{}" if status < 300 else b'{"error": {"message": "no"}}'
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec = Receiver(server)
    rec.gate.set()
    thread = threading.Thread(target=server.serve_forever, args=(POLL_S,), daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        rec.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(WAIT_S)


def finished_spans(*names: str) -> list[ReadableSpan]:
    """Real finished SDK spans, to hand to an exporter directly."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("test")
    for name in names:
        tracer.start_span(name, attributes={"n": name}).end()
    provider.shutdown()
    return list(memory.get_finished_spans())


@pytest.fixture
def pipeline(receiver: Receiver) -> Iterator[Callable[..., tuple[TracerProvider, BatchProcessor]]]:
    """``pipeline(max_queue=...)``: a tracer provider exporting to the receiver."""
    providers: list[TracerProvider] = []

    def make(max_queue: int = 100) -> tuple[TracerProvider, BatchProcessor]:
        processor = BatchProcessor(OtlpHttpExporter(receiver.url, KEY, 5.0), max_queue=max_queue)
        provider = TracerProvider()
        provider.add_span_processor(processor)
        providers.append(provider)
        return provider, processor

    yield make
    receiver.gate.set()
    for provider in providers:
        provider.shutdown()


# -- the exporter -------------------------------------------------------------------------


def test_batch_is_gzipped_protobuf_with_the_api_key(
    receiver: Receiver, pipeline: Callable[..., tuple[TracerProvider, BatchProcessor]]
) -> None:
    provider, processor = pipeline()
    tracer = provider.get_tracer("test")
    for name in ("a", "b", "c"):
        with tracer.start_as_current_span(name):
            pass
    assert processor.force_flush(int(WAIT_S * 1000)) is True
    [req] = receiver.requests
    assert req.path == "/v1/traces"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/x-protobuf"
    assert req.span_names() == ["a", "b", "c"]
    assert (processor.dropped, processor.failed) == (0, 0)


def test_retries_503_honouring_retry_after(receiver: Receiver) -> None:
    receiver.replies = [(503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    exporter = OtlpHttpExporter(receiver.url + "/", KEY, 5.0)
    started = time.monotonic()
    try:
        assert exporter.export(finished_spans("x")) is SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    # Retry-After: 0 overrides the 0.5 s default backoff.
    assert time.monotonic() - started < 0.5
    assert [r.span_names() for r in receiver.requests] == [["x"], ["x"], ["x"]]


def test_400_is_not_retried_and_counts_as_failed(
    receiver: Receiver,
    pipeline: Callable[..., tuple[TracerProvider, BatchProcessor]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.replies = [(400, {})]
    provider, processor = pipeline()
    with caplog.at_level(logging.WARNING, logger="spyglass"):
        for name in ("a", "b"):
            provider.get_tracer("test").start_span(name).end()
        assert processor.force_flush(int(WAIT_S * 1000)) is True
    assert len(receiver.requests) == 1
    assert (processor.failed, processor.dropped) == (2, 0)
    messages = [r.getMessage() for r in caplog.records]
    assert any("server refused 2 spans: 400" in m for m in messages), messages
    assert any("2 spans not delivered so far" in m for m in messages), messages


def test_full_queue_drops_and_counts_spans(
    receiver: Receiver,
    pipeline: Callable[..., tuple[TracerProvider, BatchProcessor]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.gate.clear()  # the server holds every request until released
    provider, processor = pipeline(max_queue=5)
    tracer = provider.get_tracer("test")
    tracer.start_span("first").end()
    assert processor.force_flush(50) is False  # the worker is stuck sending "first"
    receiver.wait_for(lambda seen: len(seen) == 1)
    for i in range(8):
        tracer.start_span(f"queued-{i}").end()
    assert processor.dropped == 3
    with caplog.at_level(logging.WARNING, logger="spyglass"):
        receiver.gate.set()
        assert processor.force_flush(int(WAIT_S * 1000)) is True
    assert receiver.span_names() == ["first"] + [f"queued-{i}" for i in range(5)]
    assert [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()] == [
        "spyglass: 3 spans not delivered so far (3 dropped because the export queue was full, "
        "0 failed to export)"
    ]


def test_force_flush_true_when_delivered_false_on_timeout(
    receiver: Receiver, pipeline: Callable[..., tuple[TracerProvider, BatchProcessor]]
) -> None:
    provider, processor = pipeline()
    assert processor.force_flush(100) is True  # nothing queued
    receiver.gate.clear()
    provider.get_tracer("test").start_span("slow").end()
    started = time.monotonic()
    assert processor.force_flush(100) is False
    assert time.monotonic() - started < WAIT_S / 2
    receiver.gate.set()
    assert processor.force_flush(int(WAIT_S * 1000)) is True
    assert receiver.span_names() == ["slow"]


# -- fork ---------------------------------------------------------------------------------


@pytest.fixture
def configured(receiver: Receiver) -> Iterator[Receiver]:
    """The SDK configured to send spans and scores to the receiver."""
    spyglass.configure(endpoint=receiver.url, api_key=KEY, set_global_provider=False)
    try:
        yield receiver
    finally:
        receiver.gate.set()
        spyglass.shutdown()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_forked_child_exports_its_own_spans(configured: Receiver) -> None:
    with spyglass.span("parent-before-fork"):
        pass
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            with spyglass.span("child-span"):
                pass
            code = 0 if spyglass.flush(WAIT_S) else 2
        except BaseException as exc:
            print(f"child failed: {exc!r}", file=sys.stderr)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "child-span" in configured.span_names()
    assert spyglass.flush(WAIT_S) is True
    names = configured.span_names()
    assert sorted(names) == ["child-span", "parent-before-fork"]


# -- scores -------------------------------------------------------------------------------


def test_score_is_posted_in_the_background_and_flush_waits(configured: Receiver) -> None:
    configured.gate.clear()  # the server holds the request: score() must not wait for it
    with spyglass.span("request"):
        trace_id, span_id = spyglass.current_trace_id(), spyglass.current_span_id()
        score_id = spyglass.score("thumbs", False, comment="wrong answer", metadata={"ui": 1})
    assert score_id is not None
    assert spyglass.flush(0.05) is False
    configured.gate.set()
    assert spyglass.flush(WAIT_S) is True
    [req] = [r for r in configured.requests if r.path == "/api/scores"]
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(req.body) == {
        "id": score_id,
        "name": "thumbs",
        "value": False,
        "source": "human",
        "trace_id": trace_id,
        "span_id": span_id,
        "comment": "wrong answer",
        "metadata": {"ui": 1},
    }


def test_score_on_an_explicit_trace_and_session(configured: Receiver) -> None:
    spyglass.score("rating", 4.5, trace_id="ab" * 16, score_id="s1", source="code")
    spyglass.score("csat", "good", session_id="sess-9")
    assert spyglass.flush(WAIT_S) is True
    bodies = sorted(
        (json.loads(r.body) for r in configured.requests if r.path == "/api/scores"),
        key=lambda b: b["name"],
    )
    assert bodies[0]["name"] == "csat"
    assert (bodies[0]["session_id"], bodies[0]["value"]) == ("sess-9", "good")
    assert bodies[1] == {
        "id": "s1",
        "name": "rating",
        "value": 4.5,
        "source": "code",
        "trace_id": "ab" * 16,
    }
