"""Shared by the benchmark scripts: start a server process, make a key, load OTLP data."""

from __future__ import annotations

import http.client
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass._demo.sample import requests

PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    key: str
    proc: subprocess.Popen[bytes] | None
    db_url: str | None


@contextmanager
def server(db_url: str | None) -> Iterator[Server]:
    """A fresh `spyglass server` on a temporary SQLite file (or ``db_url``) with a new key."""
    with tempfile.TemporaryDirectory(prefix="spyglass-bench-") as home:
        db = db_url or f"sqlite:///{home}/spyglass.db"
        key = (
            subprocess.run(
                [PY, "-m", "spyglass.cli", "keys", "create", "--project", "bench"],
                env=_env(home, db),
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with server_on(db, home) as srv:
            yield Server(srv.url, key, srv.proc, db)


def _env(home: str, db: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPYGLASS_HOME": home,
        "SPYGLASS_DATABASE_URL": db,
        "SPYGLASS_BOOTSTRAP": "false",
        "SPYGLASS_LOG_LEVEL": "warning",
    }


@contextmanager
def server_on(db: str, home: str) -> Iterator[Server]:
    """`spyglass server` on an existing database; keys are the caller's business."""
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "spyglass.cli", "server", "--port", str(port)], env=_env(home, db)
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("server did not start")
        time.sleep(0.1)
    try:
        yield Server(url, "", proc, db)
    finally:
        proc.terminate()
        proc.wait(30)


def stats(url: str, key: str, client: httpx.Client | None = None) -> dict[str, float]:
    get = client.get if client is not None else httpx.get
    r = get(url + "/api/server", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    r.raise_for_status()
    return dict(r.json())


class Templates:
    """A pool of realistic requests replayed along a timeline.

    Body ``i`` is template ``i % n`` with fresh trace ids (the last 4 bytes set to ``i``) and
    its times shifted so that, over ``total_requests`` bodies, spans arrive in time order and
    cover the ``window_s`` seconds up to now — as a live app's exports would.
    """

    def __init__(
        self,
        total_requests: int = 1_000,
        n_templates: int = 48,
        spans_per_request: int = 512,
        window_s: float = 86_400.0,
    ) -> None:
        cycles = max(1, -(-total_requests // n_templates))
        self.cycle_ns = int(window_s / cycles * 1e9)
        end = time.time_ns() - int(window_s * 1e9) + self.cycle_ns
        self.requests: list[ExportTraceServiceRequest] = []
        self.counts: list[int] = []
        for body, n in requests(
            n_templates * spans_per_request // 3,
            spans_per_request=spans_per_request,
            seed=11,
            end_ns=end,
            spread_s=self.cycle_ns / 1e9,
        ):
            if n < spans_per_request:
                continue
            self.requests.append(ExportTraceServiceRequest.FromString(body))
            self.counts.append(n)
        self.spans_per_request = spans_per_request

    def body(self, i: int) -> tuple[bytes, int, bytes]:
        """Body ``i``, its span count and one of its trace ids."""
        t = i % len(self.requests)
        shift = (i // len(self.requests)) * self.cycle_ns
        req = ExportTraceServiceRequest()
        req.CopyFrom(self.requests[t])
        tag = struct.pack(">I", i)
        last = b""
        for rs in req.resource_spans:
            for ss in rs.scope_spans:
                for sp in ss.spans:
                    sp.trace_id = sp.trace_id[:12] + tag
                    sp.start_time_unix_nano += shift
                    sp.end_time_unix_nano += shift
                    for ev in sp.events:
                        ev.time_unix_nano += shift
                    last = sp.trace_id
        return req.SerializeToString(), self.counts[t], last


@dataclass
class LoadResult:
    sent_spans: int = 0
    ok_requests: int = 0
    retries_503: int = 0
    errors: list[str] = field(default_factory=list)
    last_trace: bytes = b""
    rss_samples: list[int] = field(default_factory=list)


def build_bodies(tpl: Templates, n_spans: int) -> list[tuple[bytes, int, bytes]]:
    """The request bodies of a load of about ``n_spans`` spans (see ``Templates.body``)."""
    return [tpl.body(i) for i in range(max(1, n_spans // 512))]


def load(
    url: str,
    key: str,
    n_spans: int,
    senders: int = 4,
    templates: Templates | None = None,
    bodies: list[tuple[bytes, int, bytes]] | None = None,
) -> LoadResult:
    """Send about ``n_spans`` spans as OTLP protobuf from ``senders`` concurrent threads.

    Pass ``bodies`` (``build_bodies``) built before the clock starts to time only the
    sending: the load generator shares the machine's cores with the server.
    """
    if bodies is None:
        bodies = build_bodies(templates or Templates(max(1, n_spans // 512)), n_spans)
    n_requests = len(bodies)
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(n_requests))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-protobuf"}

    def sender() -> None:
        # http.client: one sendall of the body. httpx spent ~5 ms of CPU per 850 KB request,
        # which on a 2-core machine is taken from the server being measured.
        host, _, port = url.removeprefix("http://").partition(":")
        conn = http.client.HTTPConnection(host, int(port or 80), timeout=120)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                body, n, tid = bodies[i]
                bodies[i] = (b"", n, tid)  # sent bodies need not stay in memory
                while True:
                    conn.request("POST", "/v1/traces", body=body, headers=headers)
                    r = conn.getresponse()
                    text = r.read()
                    if r.status in (429, 503):
                        with lock:
                            result.retries_503 += 1
                        time.sleep(float(r.getheader("Retry-After") or "1"))
                        continue
                    break
                with lock:
                    if r.status == 200:
                        result.ok_requests += 1
                        result.sent_spans += n
                        result.last_trace = tid
                    else:
                        result.errors.append(f"{r.status} {text[:200]!r}")
        finally:
            conn.close()

    stop = threading.Event()

    def sample_rss() -> None:
        with httpx.Client() as client:
            while not stop.wait(0.5):
                try:
                    rss = stats(url, key, client).get("rss_bytes")
                except httpx.HTTPError:
                    continue
                if rss:
                    result.rss_samples.append(int(rss))

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sampler.join()
    return result


def wait_visible(url: str, key: str, trace_id: bytes, timeout: float = 120.0) -> None:
    """Poll the query API until ``trace_id`` can be read."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(headers=headers, timeout=30) as client:
        while time.monotonic() < deadline:
            if client.get(f"{url}/api/traces/{trace_id.hex()}").status_code == 200:
                return
            time.sleep(0.01)
    raise RuntimeError("last trace never became visible")


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]
