"""2xx means committed: kill -9 the server during a load, restart it on the same database,
and every span of every acknowledged request is there. The server's ingest processes die with
it rather than write on after it."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass._demo.sample import requests
from spyglass.settings import REGISTRY
from tests.e2e.harness import ServerProcess, client, make_key
from tests.server.otlp import PROTOBUF

pytestmark = pytest.mark.e2e

SENDERS = 3
# Kill after this many acknowledged requests, so the kill lands while requests are in flight.
KILL_AFTER_ACKS = 12
WAIT_S = 30.0
# The kernel signals a dead server's children at once; a few seconds covers a busy machine.
CHILDREN_GONE_S = 5.0
POLL_S = 0.02
INGEST_PROCESSES = next(s.default for s in REGISTRY if s.name == "ingest_processes")


def _stat(pid: int) -> tuple[str, int] | None:
    """The state letter and start time of process ``pid``; None when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``, by pid, with its start time (to tell a reused pid)."""
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as fh:
                    children = [int(c) for c in fh.read().split()]
            except FileNotFoundError:
                continue
            for child in children:
                stat = _stat(child)
                if stat is not None and child not in found:
                    found[child] = stat[1]
                    todo.append(child)
    return found


def _is_ingest_process(pid: int) -> bool:
    # Spawned by multiprocessing (the ingest pool); its resource tracker is a child too.
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing.spawn" in fh.read()
    except (FileNotFoundError, ProcessLookupError):
        return False


def _alive(pid: int, started: int) -> bool:
    # A zombie has exited; its new parent (init or a subreaper) reaps it when it gets to it.
    stat = _stat(pid)
    return stat is not None and stat[1] == started and stat[0] not in ("Z", "X")


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
    assert server.proc is not None
    children = _descendants(server.proc.pid)
    # Three senders keep every ingest process (two by default) busy by now.
    ingest_processes = [pid for pid in children if _is_ingest_process(pid)]
    assert len(ingest_processes) == INGEST_PROCESSES, children
    server.kill_9()
    for t in threads:
        t.join(WAIT_S)
        assert not t.is_alive()

    deadline = time.monotonic() + CHILDREN_GONE_S
    while alive := [pid for pid, started in children.items() if _alive(pid, started)]:
        assert time.monotonic() < deadline, f"outlived the killed server: {alive}"
        time.sleep(POLL_S)

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
