"""A full ingest queue answers 503 with Retry-After; a failed write is never acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from spyglass.exceptions import StoreError
from spyglass.storage.sql.store import SqlStore
from tests.server.harness import bearer, running_app, span_ids
from tests.server.otlp import PROTOBUF, T0, SpanSpec, chat_trace, sid, tid, to_protobuf

pytestmark = pytest.mark.anyio

# Bounded waits: long enough for a slow CI machine, short enough to fail fast when stuck.
WAIT_S = 10.0


class BlockingStore:
    """The real store, except ``write_spans`` waits until the test releases it."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def write_spans(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.entered.set()
        if not self.release.wait(WAIT_S):
            raise StoreError("test never released the writer")
        self.inner.write_spans(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class FailOnceStore:
    """The real store, except the first ``write_spans`` fails as a lost database would."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.failed = False

    def write_spans(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not self.failed:
            self.failed = True
            raise StoreError("connection lost")
        self.inner.write_spans(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _one_span(n: int) -> list[SpanSpec]:
    return [SpanSpec(tid(n), sid(n, 1), "single", T0, T0 + 1000)]


async def _wait_queued(client: httpx.AsyncClient, spans: int) -> None:
    with anyio.fail_after(WAIT_S):
        while (await client.get("/healthz")).json()["queued_spans"] != spans:
            await anyio.sleep(0.005)


async def test_full_queue_answers_503_and_everything_acknowledged_is_stored(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    store = BlockingStore(sqlite_store)
    headers = {"Content-Type": PROTOBUF, **bearer(sqlite_store.create_key("alpha").secret)}
    answers: dict[int, httpx.Response] = {}

    async with running_app(store, tmp_path, ingest_queue_spans=3) as client:

        async def send(n: int, spans: list[SpanSpec]) -> None:
            answers[n] = await client.post(
                "/v1/traces", content=to_protobuf(spans), headers=headers
            )

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(send, 1, chat_trace(1))  # 2 spans: the writer takes them, blocks
                await anyio.to_thread.run_sync(store.entered.wait, WAIT_S)
                await _wait_queued(client, 2)

                await send(2, chat_trace(2))  # 2 waiting + 2 > 3
                tg.start_soon(send, 3, _one_span(3))  # 2 + 1 fits: waits for the writer
                await _wait_queued(client, 3)
                await send(4, _one_span(4))  # 3 + 1 > 3

                assert set(answers) == {2, 4}  # 1 and 3 are still waiting for their commit
                for n in (2, 4):
                    resp = answers[n]
                    assert resp.status_code == 503, resp.text
                    assert resp.headers["Retry-After"] == "1"
                    assert resp.json()["error"]["code"] == "overloaded"
                    assert "queue is full" in resp.json()["error"]["message"]
                assert span_ids(sqlite_store) == set()
                store.release.set()
        finally:
            store.release.set()

        assert answers[1].status_code == 200, answers[1].text
        assert answers[3].status_code == 200, answers[3].text
        assert span_ids(sqlite_store) == {
            (tid(1), sid(1, 1)),
            (tid(1), sid(1, 2)),
            (tid(3), sid(3, 1)),
        }
        # Once drained, the refused request goes through on retry.
        await send(2, chat_trace(2))
        assert answers[2].status_code == 200
        assert (await client.get("/healthz")).json()["queued_spans"] == 0


async def test_a_failed_write_is_503_not_acknowledged(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    store = FailOnceStore(sqlite_store)
    headers = {"Content-Type": PROTOBUF, **bearer(sqlite_store.create_key("alpha").secret)}
    async with running_app(store, tmp_path) as client:
        resp = await client.post("/v1/traces", content=to_protobuf(chat_trace(1)), headers=headers)
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "5"
        assert resp.json()["error"] == {
            "code": "store_unavailable",
            "message": "the database is unavailable; retry",
        }
        assert span_ids(sqlite_store) == set()

        resp = await client.post("/v1/traces", content=to_protobuf(chat_trace(1)), headers=headers)
        assert resp.status_code == 200, resp.text
        assert len(span_ids(sqlite_store)) == 2
