"""``spyglass db prune`` beside a live server that is being written to, on SQLite and PostgreSQL.

The store holds old traces written straight through it. While the command deletes them in
several chunks of ``retention.CHUNK_TRACES``, OTLP senders keep the server's ingest processes
busy with new traces and with late spans of the old ones, and an API client posts scores (which
the server process writes itself). Every request is answered, the command reports what it
deleted, no old trace is left, every new one is there whole, and the rollups equal what is
stored: a rebuild corrects nothing.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from sqlalchemy import bindparam, text

from spyglass._demo.sample import requests
from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.sql import retention
from spyglass.storage.sql.store import SqlStore, open_store
from tests.e2e.harness import ServerProcess, client, spyglass_cli
from tests.otlp_rows import MS, T0, request, sample_rows
from tests.server.otlp import PROTOBUF
from tests.storage.test_retention import _START, DAY, _score, _shifted

pytestmark = pytest.mark.e2e

# Four chunks of retention.CHUNK_TRACES (500), so ingest has turns between them.
OLD_TRACES = 2_000
OLD_SCORES = 30
OLD_SPREAD_S = 10 * 86_400  # old traces start 40 to 50 days back; the cutoff is 30 days
SENDERS = 3  # of new traces; one more sends late spans, and a client posts scores
SPANS_PER_REQUEST = 12  # a few traces per request: many requests while the command runs
TRACES_PER_ROUND = 40
LATE_PER_REQUEST = 3  # late spans, each of a different old trace
# Each sender sends at least this many requests, however quickly the command finishes.
MIN_REQUESTS = 10
# Bounded waits: a run takes a few seconds; these only turn a hang into a failure.
PRUNE_TIMEOUT_S = 60.0
JOIN_TIMEOUT_S = 30.0

_COUNT_OLD = text("SELECT COUNT(*) FROM traces WHERE project_id = :p AND start_ns < :cutoff")


@functools.cache
def _old_rows(project_id: int) -> tuple[SpanRow, ...]:
    # Built once for all tests (the project id is 1 in each new database).
    return tuple(sample_rows(project_id, OLD_TRACES, seed=40, spread_s=OLD_SPREAD_S))


def _fill(store: SqlStore) -> tuple[int, str, list[SpanRow]]:
    """Project ``live`` with OLD_TRACES traces 40-50 days old, OLD_SCORES scores on them."""
    pid = store.create_project("live").id
    key = store.create_key("live", name="e2e").secret
    old = _shifted(list(_old_rows(pid)), time.time_ns() - T0 - 40 * DAY)
    store.write_spans(old)
    for i, trace_id in enumerate(sorted({r[1] for r in old})[:OLD_SCORES]):
        store.create_score(pid, _score(f"old-{i}", trace_id))
    return pid, key, old


def _span_ids(body: bytes) -> list[tuple[str, str]]:
    req = ExportTraceServiceRequest.FromString(body)
    return [
        (sp.trace_id.hex(), sp.span_id.hex())
        for rs in req.resource_spans
        for ss in rs.scope_spans
        for sp in ss.spans
    ]


def _late_spans(trace_ids: list[str], n: int) -> bytes:
    """One new span in each of ``trace_ids`` (old traces), starting now."""
    now = time.time_ns()
    return request(
        Span(
            trace_id=bytes.fromhex(t),
            span_id=(0xA000_0000_0000_0000 + n * LATE_PER_REQUEST + i).to_bytes(8, "big"),
            name="late",
            kind=Span.SPAN_KIND_INTERNAL,
            start_time_unix_nano=now,
            end_time_unix_nano=now + MS,
        )
        for i, t in enumerate(trace_ids)
    )


def _span_counts(http: httpx.Client) -> dict[str, int]:
    """Every trace of the key's project through the API, with its span count."""
    out: dict[str, int] = {}
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        resp = http.get("/api/traces", params=params)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        out.update({t["trace_id"]: t["span_count"] for t in page["items"]})
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _assert_no_old_data_and_exact_rollups(store: SqlStore, old_ids: list[str]) -> None:
    with store.engine.connect() as conn:
        for table in ("traces", "spans", "scores"):
            of_old = text(f"SELECT COUNT(*) FROM {table} WHERE trace_id IN :ids")
            query = of_old.bindparams(bindparam("ids", old_ids, expanding=True))
            assert conn.execute(query).scalar_one() == 0, table
    assert [(t.table, t.corrected) for t in store.rebuild_rollups()] == [
        ("span_rollups", 0),
        ("trace_rollups", 0),
    ]


@dataclass
class _Load:
    """What the clients saw: acknowledged bodies, old traces given a late span, scores
    created, other answers, and the OTLP requests in flight while the command deleted."""

    acked: list[bytes] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    scores: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    overlapped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def test_prune_beside_a_live_server_that_is_ingesting(
    empty_database_url: str, spawn: Callable[[str], ServerProcess]
) -> None:
    assert OLD_TRACES > 3 * retention.CHUNK_TRACES
    url = empty_database_url
    store = open_store(url)
    try:
        pid, key, old = _fill(store)
        first_start: dict[str, int] = {}
        for r in old:
            first_start[r[1]] = min(r[_START], first_start.get(r[1], r[_START]))
        old_ids = sorted(first_start, key=first_start.__getitem__)  # the command's order
        cutoff = time.time_ns() - 30 * DAY

        def old_left() -> int:
            with store.engine.connect() as conn:
                return int(conn.execute(_COUNT_OLD, {"p": pid, "cutoff": cutoff}).scalar_one())

        assert old_left() == OLD_TRACES
        server = spawn(url)
        load = _Load()
        going = threading.Barrier(SENDERS + 3)
        pruned = threading.Event()

        def send(n: int, bodies: Iterator[tuple[bytes, list[str]]]) -> None:
            with client(server, key) as http:
                for sent, (body, late) in enumerate(bodies):
                    if sent >= MIN_REQUESTS and pruned.is_set():
                        return
                    before = old_left()
                    try:
                        resp = http.post(
                            "/v1/traces", content=body, headers={"Content-Type": PROTOBUF}
                        )
                    except httpx.TransportError as exc:
                        with load.lock:
                            load.failed.append(f"{type(exc).__name__}: {exc}")
                        return
                    after = old_left()
                    with load.lock:
                        if resp.status_code != 200:
                            load.failed.append(f"{resp.status_code} {resp.text}")
                        elif late:
                            load.late.extend(late)
                        else:
                            load.acked.append(body)
                        # Sent before the last old trace went, answered after the first did.
                        if before > 0 and after < OLD_TRACES:
                            load.overlapped += 1
                    if sent == 0:
                        going.wait(JOIN_TIMEOUT_S)

        def post_scores() -> None:
            # Scores are written by the server process itself, beside the ingest processes.
            with client(server, key) as http:
                for i in itertools.count():
                    if i >= MIN_REQUESTS and pruned.is_set():
                        return
                    score_id = f"live-{i}"
                    resp = http.post(
                        "/api/scores",
                        json={"id": score_id, "name": "ok", "value": True, "session_id": "s"},
                    )
                    with load.lock:
                        if resp.status_code == 201:
                            load.scores.append(score_id)
                        else:
                            load.failed.append(f"{resp.status_code} {resp.text}")
                    if i == 0:
                        going.wait(JOIN_TIMEOUT_S)

        def new_traces(n: int) -> Iterator[tuple[bytes, list[str]]]:
            return itertools.chain.from_iterable(
                (
                    (body, [])
                    for body, _ in requests(
                        TRACES_PER_ROUND,
                        spans_per_request=SPANS_PER_REQUEST,
                        seed=1_000 * (n + 1) + round_,
                        end_ns=time.time_ns(),
                        spread_s=60.0,
                    )
                )
                for round_ in itertools.count()
            )

        # Oldest first, as the command deletes: some land before their trace goes (and go
        # with it), some after (and start a trace afresh).
        groups = [old_ids[i : i + LATE_PER_REQUEST] for i in range(0, OLD_TRACES, LATE_PER_REQUEST)]
        late_bodies = itertools.chain((_late_spans(g, n), g) for n, g in enumerate(groups))
        threads = [
            threading.Thread(target=send, args=(n, new_traces(n)), daemon=True)
            for n in range(SENDERS)
        ]
        threads.append(threading.Thread(target=send, args=(SENDERS, late_bodies), daemon=True))
        threads.append(threading.Thread(target=post_scores, daemon=True))
        for t in threads:
            t.start()
        try:
            # Every sender has had an answer: the ingest processes are up and writing.
            going.wait(JOIN_TIMEOUT_S)
            done = spyglass_cli(
                "db",
                "prune",
                "--older-than",
                "30d",
                "--yes",
                "--db",
                url,
                home=server.home,
                timeout=PRUNE_TIMEOUT_S,
            )
        finally:
            pruned.set()
            for t in threads:
                t.join(JOIN_TIMEOUT_S)
        assert not any(t.is_alive() for t in threads), "a client hung"

        assert load.failed == []
        assert done.returncode == 0, done.stderr
        match = re.search(
            rf"deleted {OLD_TRACES} traces \((\d+) spans, {OLD_SCORES} scores\)", done.stdout
        )
        assert match, done.stdout
        log = server.log()
        assert "database is locked" not in log and "Traceback" not in log, log
        # Each OTLP sender had a request in flight while the command was deleting.
        assert load.overlapped >= SENDERS + 1, load.overlapped

        expected: dict[str, int] = {}
        for body in load.acked:
            for trace_id, _ in _span_ids(body):
                expected[trace_id] = expected.get(trace_id, 0) + 1
        assert len(expected) >= SENDERS * MIN_REQUESTS
        with client(server, key) as http:
            stored = _span_counts(http)
            for trace_id in sorted(expected)[:: max(1, len(expected) // 20)]:
                detail = http.get(f"/api/traces/{trace_id}")
                assert detail.status_code == 200, detail.text
                assert len(detail.json()["spans"]) == expected[trace_id]
        server.stop()

        # A late span that landed before its trace was deleted went with it (and was
        # counted); one that landed after is a trace of its own, of one span.
        restarted = {t: n for t, n in stored.items() if t in first_start}
        assert set(restarted) <= set(load.late)
        assert set(restarted.values()) <= {1}
        assert int(match.group(1)) == len(old) + len(load.late) - len(restarted)
        # Every new trace whole, and nothing else.
        assert {t: n for t, n in stored.items() if t not in first_start} == expected
        assert old_left() == 0
        with store.engine.connect() as conn:
            kept = conn.execute(text("SELECT id FROM scores")).scalars().all()
        assert sorted(kept) == sorted(load.scores)  # session scores stay
        gone = [t for t in old_ids if t not in restarted]
        _assert_no_old_data_and_exact_rollups(store, gone)
    finally:
        store.close()
