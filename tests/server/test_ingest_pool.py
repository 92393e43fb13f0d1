"""Ingest processes (``ingest_processes`` > 0): the same answers and rows as the in-process
path, the same errors for bad bodies, a killed process costs at most a 503, the byte bound,
the SQLite log synced before an answer, and project prices reaching the processes."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import text

from spyglass.exceptions import BadRequest, Overloaded, StoreError
from spyglass.pricing import load_price_table
from spyglass.server.app import create_app
from spyglass.server.ingest.pool import IngestPool
from spyglass.server.state import AppState
from spyglass.settings import load_settings
from spyglass.storage.models import ProjectPrice
from spyglass.storage.sql import walsync
from spyglass.storage.sql.store import SqlStore, open_store
from tests.server.harness import BASE_URL, Api, bearer, span_ids
from tests.server.otlp import (
    JSON,
    PROTOBUF,
    T0,
    SpanSpec,
    chat_trace,
    gzipped,
    sid,
    tid,
    to_json,
    to_protobuf,
)

pytestmark = pytest.mark.anyio

# Bounded waits: long enough for a slow CI machine to spawn new ingest processes, short
# enough to fail fast when something is stuck.
WAIT_S = 30.0
POLL_S = 0.02


@asynccontextmanager
async def pool_app(
    store: SqlStore, home: Path, processes: int = 2, **overrides: Any
) -> AsyncIterator[tuple[Api, AppState]]:
    """``running_app`` with ``processes`` ingest processes, plus the app's state (to reach
    the pool) and a key of project alpha."""
    settings = load_settings(
        {"home": str(home), "key_cache_seconds": 0, "ingest_processes": processes, **overrides},
        environ={},
    )
    app = create_app(settings, store)
    key = store.create_key("alpha").secret
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
    ):
        state: AppState = app.state.spyglass
        assert (state.ingest_pool is None) == (processes == 0)
        yield Api(client, store, key, key), state


# ------------------------------------------------------------------ same rows as in-process


def _with_zero_ids() -> list[SpanSpec]:
    good = chat_trace(6)[0]
    zero_trace = SpanSpec("0" * 32, sid(7, 1), "zero-trace", T0, T0 + 1)
    zero_span = SpanSpec(tid(8), "0" * 16, "zero-span", T0, T0 + 1)
    return [good, zero_trace, zero_span]


# (body, content type, gzip) in the order sent.
EXCHANGES: list[tuple[bytes, str, bool]] = [
    (to_protobuf(chat_trace(1, tags=["a", "b"], metadata={"plan": "pro"})), PROTOBUF, False),
    (to_json(chat_trace(2, model="gpt-4o", input_tokens=900, error=True)), JSON, False),
    (to_protobuf(chat_trace(3, user="u-3", session="s-3")), PROTOBUF, True),
    (to_json(chat_trace(4, model="claude-sonnet-4-5", output_tokens=77)), JSON, True),
    # One trace over two requests, the child first.
    (to_protobuf(chat_trace(5, name="split")[1:]), PROTOBUF, False),
    (to_json(chat_trace(5, name="split")[:1]), JSON, False),
    # An exporter's retry of the first request.
    (to_protobuf(chat_trace(1, tags=["a", "b"], metadata={"plan": "pro"})), PROTOBUF, False),
    # Partial success: two of three spans have an all-zero id.
    (to_protobuf(_with_zero_ids()), PROTOBUF, False),
    (to_json(_with_zero_ids()), JSON, True),
]


def _tables(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))]
            for table, key in (
                ("spans", "project_id, trace_id, span_id"),
                ("traces", "project_id, trace_id"),
                ("span_rollups", "project_id, kind, hour_ns, model, latency_bin, name"),
                ("trace_rollups", "project_id, hour_ns, latency_bin, name, release"),
            )
        }


async def _ingest_all(store: SqlStore, home: Path, processes: int) -> dict[str, Any]:
    """Send ``EXCHANGES`` to a fresh app; what it answered and what it then serves."""
    seen: dict[str, Any] = {"answers": [], "traces": {}, "spans": {}}
    async with pool_app(store, home, processes) as (api, _):
        for body, media, gzip in EXCHANGES:
            resp = await api.ingest(body, media=media, gzip=gzip)
            seen["answers"].append((resp.status_code, resp.headers["content-type"], resp.content))
        for n in range(1, 9):
            resp = await api.get(f"/api/traces/{tid(n)}")
            seen["traces"][n] = (resp.status_code, resp.json())
            if resp.status_code == 200:
                for s in resp.json()["spans"]:
                    seen["spans"][(n, s["span_id"])] = await api.get_json(
                        f"/api/traces/{tid(n)}/spans/{s['span_id']}"
                    )
        seen["list"] = await api.get_json("/api/traces", limit=50)
    seen["tables"] = _tables(store)
    return seen


async def test_processes_store_and_answer_exactly_as_in_process(tmp_path: Path) -> None:
    results = {}
    for processes in (0, 2):
        home = tmp_path / f"p{processes}"
        home.mkdir()
        store = open_store(f"sqlite:///{home}/spyglass.db")
        try:
            results[processes] = await _ingest_all(store, home, processes)
        finally:
            store.close()
    inline, pooled = results[0], results[2]

    # The fixture is meaningful: partial success answered, the split trace joined, 404s.
    assert [a[0] for a in inline["answers"]] == [200] * len(EXCHANGES)
    assert b"all-zero" in inline["answers"][-2][2]
    assert b"rejectedSpans" in inline["answers"][-1][2]
    assert inline["traces"][5][1]["trace"]["name"] == "split"
    assert inline["traces"][5][1]["trace"]["span_count"] == 2
    assert inline["traces"][1][1]["trace"]["span_count"] == 2  # the retry counted once
    assert (inline["traces"][7][0], inline["traces"][8][0]) == (404, 404)
    assert len(inline["spans"]) == 11

    assert pooled["answers"] == inline["answers"]
    assert pooled["traces"] == inline["traces"]
    assert pooled["spans"] == inline["spans"]
    assert pooled["list"] == inline["list"]
    assert pooled["tables"] == inline["tables"]


async def test_concurrent_halves_of_traces_join_up_on_either_backend(
    store: SqlStore, tmp_path: Path
) -> None:
    # Each trace's root and child arrive at the same time, most likely in two processes.
    async with pool_app(store, tmp_path) as (api, _):

        async def send(body: bytes, media: str) -> None:
            await api.ingest_ok(body, media=media)

        async with anyio.create_task_group() as tg:
            for n in range(1, 7):
                tg.start_soon(send, to_protobuf(chat_trace(n)[1:]), PROTOBUF)
                tg.start_soon(send, to_json(chat_trace(n)[:1]), JSON)
        for n in range(1, 7):
            trace = (await api.get_json(f"/api/traces/{tid(n)}"))["trace"]
            assert (trace["name"], trace["span_count"], trace["total_tokens"]) == (
                "rag-chat",
                2,
                120,
            )
            assert trace["input_preview"] == "What is the refund policy?"
    assert span_ids(store) == {(tid(n), sid(n, i)) for n in range(1, 7) for i in (1, 2)}


# --------------------------------------------------------------------------- bad bodies


async def test_bad_bodies_keep_their_status_and_message(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    async with pool_app(sqlite_store, tmp_path, max_body_bytes=4096) as (api, state):

        async def post(body: bytes, content_type: str, **headers: str) -> httpx.Response:
            return await api.client.post(
                "/v1/traces",
                content=body,
                headers={**bearer(api.key), "Content-Type": content_type, **headers},
            )

        cases: list[tuple[httpx.Response, int, str]] = [
            (await post(b"\x0a\xff", PROTOBUF), 400, "protobuf"),
            (await post(b"{not json", JSON), 400, "JSON"),
            (
                await post(b"\x1f\x8bnot gzip", PROTOBUF, **{"Content-Encoding": "gzip"}),
                400,
                "gzip",
            ),
            (await post(b"x", PROTOBUF, **{"Content-Encoding": "br"}), 415, "gzip"),
            (await post(b"x", "text/plain"), 415, "Content-Type"),
            (await post(b"\x00" * 5000, PROTOBUF), 413, "limit"),
            # Small on the wire, over the limit once inflated: refused inside the process.
            (
                await post(gzipped(b"\x00" * 5000), PROTOBUF, **{"Content-Encoding": "gzip"}),
                413,
                "decompressed",
            ),
        ]
        for resp, status, words in cases:
            assert resp.status_code == status, resp.text
            assert words in resp.json()["error"]["message"], resp.text
        # The bad bodies that reached the processes left them working and the bound empty.
        await api.ingest_ok(to_protobuf(chat_trace(1)))
        await api.ingest_ok(to_json(chat_trace(2)), media=JSON)
        assert state.ingest_pool is not None and state.ingest_pool.queued_bytes == 0
    assert span_ids(sqlite_store) == {(tid(n), sid(n, i)) for n in (1, 2) for i in (1, 2)}


# ------------------------------------------------------------------ a killed ingest process


def _worker_pids(state: AppState) -> set[int]:
    assert state.ingest_pool is not None
    return set(state.ingest_pool._executor._processes or {})


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


async def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, what
        await anyio.sleep(POLL_S)


async def test_a_killed_process_costs_at_most_a_503_and_loses_nothing_acknowledged(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    async with pool_app(sqlite_store, tmp_path) as (api, state):
        # Concurrent requests, so both processes start.
        async with anyio.create_task_group() as tg:
            for n in (1, 2, 3, 4):
                tg.start_soon(api.ingest_ok, to_protobuf(chat_trace(n)))
        before = _worker_pids(state)
        assert before
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        await _until(lambda: _gone(victim), "the killed process lingers")

        # Requests right after the kill: each is committed (200) or refused whole (503).
        answers: dict[int, httpx.Response] = {}

        async def send(n: int) -> None:
            answers[n] = await api.ingest(to_protobuf(chat_trace(n)))

        async with anyio.create_task_group() as tg:
            for n in (5, 6, 7):
                tg.start_soon(send, n)
        for n, resp in answers.items():
            assert resp.status_code in (200, 503), (n, resp.text)
            if resp.status_code == 503:
                assert int(resp.headers["Retry-After"]) >= 1
                assert "retry" in resp.json()["error"]["message"]

        # The pool comes back: retry whatever was refused until it is taken.
        refused = sorted(n for n, resp in answers.items() if resp.status_code == 503)
        with anyio.fail_after(WAIT_S):
            for n in [*refused, 8]:
                while (resp := await api.ingest(to_protobuf(chat_trace(n)))).status_code == 503:
                    await anyio.sleep(POLL_S)
                assert resp.status_code == 200, resp.text
        assert not before & _worker_pids(state)
        # The broken pool's other process is stopped too, not left behind.
        await _until(lambda: all(_gone(pid) for pid in before), "old ingest processes linger")

    assert span_ids(sqlite_store) == {(tid(n), sid(n, i)) for n in range(1, 9) for i in (1, 2)}
    traces = {t["trace_id"]: t["span_count"] for t in _trace_counts(sqlite_store)}
    assert traces == {tid(n): 2 for n in range(1, 9)}


def _trace_counts(store: SqlStore) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT trace_id, span_count FROM traces"))
        return [{"trace_id": r[0], "span_count": r[1]} for r in rows]


# ----------------------------------------------------------------- the bound on waiting bytes


class HandExecutor:
    """Stands in for the process pool: records each submit; the test settles the futures."""

    def __init__(self, submit_error: BaseException | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.futures: list[Future[Any]] = []
        self.submit_error = submit_error
        self.shut_down = False

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        if self.submit_error is not None:
            raise self.submit_error
        future: Future[Any] = Future()
        self.calls.append(args)
        self.futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut_down = True


@pytest.fixture
def hand_pool(tmp_path: Path) -> Iterator[tuple[IngestPool, HandExecutor]]:
    # The real executor starts no process until something is submitted to it.
    pool = IngestPool(
        f"sqlite:///{tmp_path}/unused.db",
        str(tmp_path / "lock"),
        processes=1,
        max_queued_bytes=100,
    )
    pool._executor.shutdown()
    hand = HandExecutor()
    pool._executor = hand  # type: ignore[assignment]
    yield pool, hand
    pool._executor.shutdown()


PRICES = load_price_table()


def _start(
    pool: IngestPool, size: int, prices: Any = PRICES
) -> asyncio.Task[tuple[int, list[str]]]:
    return asyncio.ensure_future(pool.ingest(b"x" * size, None, PROTOBUF, 10_000, 1, prices))


async def _settle(task: asyncio.Task[Any]) -> Any:
    with anyio.fail_after(WAIT_S):
        return await task


async def test_bytes_past_the_bound_are_refused_while_others_wait(
    hand_pool: tuple[IngestPool, HandExecutor],
) -> None:
    pool, hand = hand_pool
    first = _start(pool, 60)
    await anyio.sleep(0)  # submit happens before the task's first wait
    assert (len(hand.calls), pool.queued_bytes) == (1, 60)

    with pytest.raises(Overloaded) as refused:
        await pool.ingest(b"x" * 41, None, PROTOBUF, 10_000, 1, PRICES)
    assert refused.value.status == 503
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)
    assert "queue is full" in refused.value.message
    assert (len(hand.calls), pool.queued_bytes) == (1, 60)

    second = _start(pool, 40)  # exactly up to the bound: let in
    await anyio.sleep(0)
    assert (len(hand.calls), pool.queued_bytes) == (2, 100)

    hand.futures[0].set_result((2, ["bad ids"], 3, 0.25))
    hand.futures[1].set_result((0, [], 5, 0.5))
    assert await _settle(first) == (2, ["bad ids"])
    assert await _settle(second) == (0, [])
    assert (pool.queued_bytes, pool.written_spans, pool.write_seconds) == (0, 8, 0.75)


async def test_an_oversized_request_is_let_in_when_nothing_waits(
    hand_pool: tuple[IngestPool, HandExecutor],
) -> None:
    pool, hand = hand_pool
    big = _start(pool, 500)
    await anyio.sleep(0)
    assert pool.queued_bytes == 500
    with pytest.raises(Overloaded):
        await pool.ingest(b"x", None, PROTOBUF, 10_000, 1, PRICES)
    hand.futures[0].set_result((0, [], 1, 0.0))
    assert await _settle(big) == (0, [])
    assert pool.queued_bytes == 0

    again = _start(pool, 500)
    await anyio.sleep(0)
    hand.futures[1].set_result((0, [], 1, 0.0))
    assert await _settle(again) == (0, [])


async def test_a_failed_request_gives_back_its_bytes(
    hand_pool: tuple[IngestPool, HandExecutor],
) -> None:
    pool, hand = hand_pool
    task = _start(pool, 90)
    await anyio.sleep(0)
    hand.futures[0].set_exception(BadRequest("body is not valid protobuf"))
    with pytest.raises(BadRequest, match="protobuf"):
        await _settle(task)
    assert pool.queued_bytes == 0
    assert pool._executor is hand  # a bad body is no reason to replace the processes


@pytest.mark.parametrize("when", ["running", "at-submit"])
async def test_a_broken_pool_is_503_and_replaced(
    hand_pool: tuple[IngestPool, HandExecutor], when: str
) -> None:
    pool, hand = hand_pool
    if when == "at-submit":
        hand.submit_error = BrokenProcessPool("a child process terminated abruptly")
        with pytest.raises(Overloaded, match="ingest process stopped"):
            await pool.ingest(b"x" * 10, None, PROTOBUF, 10_000, 1, PRICES)
    else:
        task = _start(pool, 10)
        await anyio.sleep(0)
        hand.futures[0].set_exception(BrokenProcessPool("a child process terminated abruptly"))
        with pytest.raises(Overloaded, match="ingest process stopped"):
            await _settle(task)
    assert pool.queued_bytes == 0
    assert hand.shut_down
    assert pool._executor is not hand


async def test_a_second_failure_of_the_same_pool_replaces_it_once(
    hand_pool: tuple[IngestPool, HandExecutor],
) -> None:
    pool, hand = hand_pool
    a, b = _start(pool, 10), _start(pool, 10)
    await anyio.sleep(0)
    hand.futures[0].set_exception(BrokenProcessPool("gone"))
    with pytest.raises(Overloaded):
        await _settle(a)
    replacement = pool._executor
    hand.futures[1].set_exception(BrokenProcessPool("gone"))
    with pytest.raises(Overloaded):
        await _settle(b)
    assert pool._executor is replacement  # not replaced again by the older pool's failure


async def test_a_closed_pool_refuses(hand_pool: tuple[IngestPool, HandExecutor]) -> None:
    pool, hand = hand_pool
    pool.close()
    with pytest.raises(Overloaded, match="shutting down"):
        await pool.ingest(b"x", None, PROTOBUF, 10_000, 1, PRICES)
    assert hand.calls == []


async def test_a_price_table_is_pickled_once_under_one_serial(
    hand_pool: tuple[IngestPool, HandExecutor],
) -> None:
    pool, hand = hand_pool
    other = PRICES.overlay([])  # an equal table, but another object
    tasks = [_start(pool, 1, PRICES), _start(pool, 1, PRICES), _start(pool, 1, other)]
    await anyio.sleep(0)
    for future in hand.futures:
        future.set_result((0, [], 0, 0.0))
    for task in tasks:
        await _settle(task)
    serials = [call[5] for call in hand.calls]
    blobs = [call[6] for call in hand.calls]
    assert serials[0] == serials[1] != serials[2]
    assert blobs[0] is blobs[1]


# ------------------------------------------------------------- the SQLite log synced first


class HandWal:
    """Stands in for the pool's ``WalSync``: counts syncs; ``error`` makes each one fail;
    ``on_sync`` runs inside each (on the thread the pool syncs from)."""

    def __init__(self, error: OSError | None = None) -> None:
        self.syncs = 0
        self.closed = False
        self.error = error
        self.on_sync: Callable[[], None] | None = None

    def sync(self) -> None:
        if self.on_sync is not None:
            self.on_sync()
        if self.error is not None:
            raise self.error
        self.syncs += 1

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def wal_pool(tmp_path: Path) -> Iterator[tuple[IngestPool, HandExecutor, HandWal]]:
    """``hand_pool`` on a SQLite file (``sqlite_path`` given), its log sync replaced."""
    pool = IngestPool(
        f"sqlite:///{tmp_path}/unused.db",
        str(tmp_path / "lock"),
        processes=1,
        max_queued_bytes=100,
        sqlite_path=str(tmp_path / "unused.db"),
    )
    assert pool._wal is not None and pool._wal.path == f"{tmp_path}/unused.db-wal"
    pool._executor.shutdown()
    hand = HandExecutor()
    pool._executor = hand  # type: ignore[assignment]
    wal = HandWal()
    pool._wal = wal  # type: ignore[assignment]
    yield pool, hand, wal
    pool._executor.shutdown()


async def test_written_spans_are_synced_before_ingest_returns(
    wal_pool: tuple[IngestPool, HandExecutor, HandWal],
) -> None:
    pool, hand, wal = wal_pool
    loop = asyncio.get_running_loop()
    syncing = asyncio.Event()
    release = threading.Event()
    seen: list[tuple[bool, bool]] = []
    task = _start(pool, 10)

    def hold() -> None:
        # (the process's answer is in, ingest() has returned), then wait for the test.
        seen.append((hand.futures[0].done(), task.done()))
        loop.call_soon_threadsafe(syncing.set)
        release.wait(WAIT_S)

    wal.on_sync = hold
    try:
        await anyio.sleep(0)
        hand.futures[0].set_result((1, ["bad ids"], 2, 0.0))
        with anyio.fail_after(WAIT_S):
            await syncing.wait()
        assert not task.done()  # the sync holds the answer back
    finally:
        release.set()
    assert await _settle(task) == (1, ["bad ids"])
    assert seen == [(True, False)]
    assert (wal.syncs, pool.queued_bytes, pool.written_spans) == (1, 0, 2)


async def test_nothing_written_is_not_synced(
    wal_pool: tuple[IngestPool, HandExecutor, HandWal],
) -> None:
    pool, hand, wal = wal_pool
    task = _start(pool, 10)
    await anyio.sleep(0)
    hand.futures[0].set_result((3, ["all-zero trace_id or span_id is invalid"], 0, 0.0))
    assert await _settle(task) == (3, ["all-zero trace_id or span_id is invalid"])
    assert (wal.syncs, pool.queued_bytes) == (0, 0)


async def test_a_failed_sync_is_a_store_error_and_gives_back_the_bytes(
    wal_pool: tuple[IngestPool, HandExecutor, HandWal],
) -> None:
    pool, hand, wal = wal_pool
    wal.error = OSError(errno.EIO, "Input/output error")
    task = _start(pool, 90)
    await anyio.sleep(0)
    hand.futures[0].set_result((0, [], 4, 0.0))
    with pytest.raises(StoreError) as failed:
        await _settle(task)
    assert isinstance(failed.value.__cause__, OSError)
    assert pool.queued_bytes == 0
    assert pool._executor is hand  # a disk error is no reason to replace the processes

    # The next request is taken and synced once the disk is back.
    wal.error = None
    again = _start(pool, 90)
    await anyio.sleep(0)
    hand.futures[1].set_result((0, [], 4, 0.0))
    assert await _settle(again) == (0, [])
    assert (wal.syncs, pool.queued_bytes) == (1, 0)


async def test_without_a_sqlite_path_nothing_is_synced(
    hand_pool: tuple[IngestPool, HandExecutor], monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: its commits wait for the disk themselves.
    pool, hand = hand_pool
    flushed: list[int] = []
    monkeypatch.setattr(walsync, "_datasync", flushed.append)
    assert pool._wal is None
    task = _start(pool, 10)
    await anyio.sleep(0)
    hand.futures[0].set_result((0, [], 5, 0.0))
    assert await _settle(task) == (0, [])
    assert flushed == []
    assert pool.written_spans == 5


async def test_closing_the_pool_closes_its_wal_sync(
    wal_pool: tuple[IngestPool, HandExecutor, HandWal],
) -> None:
    pool, _hand, wal = wal_pool
    pool.close()
    assert wal.closed


async def test_a_real_pool_syncs_the_log_of_its_sqlite_file(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    # The ingest process is out of a monkeypatch's reach; the server-side count tells.
    async with pool_app(sqlite_store, tmp_path, processes=1) as (api, state):
        pool = state.ingest_pool
        assert pool is not None and pool._wal is not None
        assert pool._wal.path == f"{sqlite_store.dialect.driver_url}-wal"
        await api.ingest_ok(to_protobuf(chat_trace(1)))
        assert pool._wal.syncs == 1
        await api.ingest_ok(to_protobuf(_with_zero_ids()[1:]))  # all rejected: nothing written
        assert pool._wal.syncs == 1
    assert span_ids(sqlite_store) == {(tid(1), sid(1, 1)), (tid(1), sid(1, 2))}


@pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_pool_on_postgresql_has_no_wal_sync(store: SqlStore, tmp_path: Path) -> None:
    async with pool_app(store, tmp_path, processes=1) as (_api, state):
        assert state.ingest_pool is not None
        assert state.ingest_pool._wal is None


# --------------------------------------------------------------------------- project prices


async def _cost(api: Api, n: int) -> Any:
    return (await api.get_json(f"/api/traces/{tid(n)}/spans/{sid(n, 2)}"))["cost"]


async def test_project_prices_reach_the_processes_and_follow_changes(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    def body(n: int) -> bytes:
        return to_protobuf(
            chat_trace(n, model="gpt-4o-mini-2024-07-18", input_tokens=1000, output_tokens=1000)
        )

    async with pool_app(sqlite_store, tmp_path) as (api, state):

        async def put_price(input_rate: float, output_rate: float) -> None:
            resp = await api.client.put(
                "/api/prices/gpt-4o-mini",
                json={"input": input_rate, "output": output_rate},
                headers=bearer(api.key),
            )
            assert resp.status_code == 200, resp.text

        await api.ingest_ok(body(1))
        assert await _cost(api, 1) == 0.00075  # the shipped price: 1000 x 0.15 + 1000 x 0.60

        await put_price(0.1, 0.5)
        # Both processes get requests under the new table, so neither keeps the old one.
        async with anyio.create_task_group() as tg:
            for n in (2, 3, 4):
                tg.start_soon(api.ingest_ok, body(n))
        for n in (2, 3, 4):
            assert await _cost(api, n) == 0.0006

        await put_price(1, 2)
        await api.ingest_ok(body(5))
        assert await _cost(api, 5) == 0.003

        # A price set behind this server's back (another replica) once its cache entry goes.
        project = sqlite_store.get_project("alpha")
        assert project is not None
        sqlite_store.put_model_price(
            project.id, ProjectPrice(model="gpt-4o-mini", input=2, output=4)
        )
        state.prices.invalidate(project.id)
        await api.ingest_ok(body(6))
        assert await _cost(api, 6) == 0.006
        trace = await api.get_json(f"/api/traces/{tid(5)}")
        assert trace["trace"]["cost"] == pytest.approx(0.003)
