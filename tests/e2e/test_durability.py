"""2xx means committed: kill -9 the server during a load, restart it on the same database,
and every span of every acknowledged request is there."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass._demo.sample import requests
from tests.e2e.harness import ServerProcess, client, make_key
from tests.server.otlp import PROTOBUF

pytestmark = pytest.mark.e2e

SENDERS = 3
# Kill after this many acknowledged requests, so the kill lands while requests are in flight.
KILL_AFTER_ACKS = 12
WAIT_S = 30.0


def _span_ids(body: bytes) -> set[tuple[str, str]]:
    req = ExportTraceServiceRequest.FromString(body)
    return {
        (sp.trace_id.hex(), sp.span_id.hex())
        for rs in req.resource_spans
        for ss in rs.scope_spans
        for sp in ss.spans
    }


def test_kill_9_during_load_loses_no_acknowledged_span(
    spawn: Callable[[str], ServerProcess], tmp_path: Path
) -> None:
    db = tmp_path / "durable.db"
    url = f"sqlite:///{db}"
    key = make_key(url, "load")
    # Whole traces per request (the generator never splits a trace), about 64 spans each.
    bodies = [body for body, _ in requests(1500, spans_per_request=64, seed=11)]
    server = spawn(url)

    acked: list[bytes] = []
    unexpected: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def send(share: list[bytes]) -> None:
        with client(server, key) as http:
            for body in share:
                try:
                    resp = http.post("/v1/traces", content=body, headers={"Content-Type": PROTOBUF})
                except httpx.TransportError:
                    return  # the server is gone: this request's fate is unknown
                with lock:
                    if resp.status_code == 200:
                        acked.append(body)
                        if len(acked) >= KILL_AFTER_ACKS:
                            enough.set()
                    elif resp.status_code != 503:
                        unexpected.append(f"{resp.status_code} {resp.text}")

    threads = [
        threading.Thread(target=send, args=(bodies[i::SENDERS],), daemon=True)
        for i in range(SENDERS)
    ]
    for t in threads:
        t.start()
    assert enough.wait(WAIT_S), "the load never got going"
    server.kill_9()
    for t in threads:
        t.join(WAIT_S)
        assert not t.is_alive()

    assert unexpected == []
    assert KILL_AFTER_ACKS <= len(acked) < len(bodies), "the kill did not land mid-load"
    expected = set().union(*(_span_ids(b) for b in acked))
    sent = set().union(*(_span_ids(b) for b in bodies))

    restarted = spawn(url)
    expected_counts: dict[str, int] = {}
    for trace_id, _ in expected:
        expected_counts[trace_id] = expected_counts.get(trace_id, 0) + 1
    stored_counts: dict[str, int] = {}
    with client(restarted, key) as http:
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/traces", params=params).json()
            stored_counts.update({t["trace_id"]: t["span_count"] for t in page["items"]})
            cursor = page["next_cursor"]
            if cursor is None:
                break
    # Every acknowledged trace is complete (traces are never split across requests).
    assert {t: stored_counts.get(t) for t in expected_counts} == expected_counts

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        stored = set(conn.execute("SELECT trace_id, span_id FROM spans"))
    conn.close()
    assert expected <= stored
    assert stored <= sent
