"""The dashboard's series, computed on a real store: whole traces for requests and latency
(from the trace rollups), LLM spans for time to first token (counts and sums only)."""

from __future__ import annotations

import time

import pytest

from spyglass.server.ui.dashboard import _compute
from spyglass.storage.sql.schema import SPAN_COLUMNS
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import T0, rows, span

pytestmark = pytest.mark.anyio

HOUR_MS = 3_600_000
_TTFT = SPAN_COLUMNS.index("ttft_ns")
LLM = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_series_add_up_traces_and_average_time_to_first_token(store: SqlStore) -> None:
    pid = store.create_project("main").id
    # Two hours ago, so the hour is whole and read from the rollups.
    now_ms = (time.time_ns() - T0) / 1e6
    at = now_ms - now_ms % HOUR_MS - 2 * HOUR_MS + 60_000
    batch = []
    for n, (ttft_ms, error) in enumerate([(100, None), (300, "boom")], start=1):
        (row,) = rows(pid, [span(n, n, "chat", at + n * 1_000, 800, LLM, error=error)])
        batch.append((*row[:_TTFT], ttft_ms * 1_000_000, *row[_TTFT + 1 :]))
    store.write_spans(batch)

    data = await _compute(store, pid, "24h", "model")

    hour = (T0 + int(at * 1e6)) // 10**9
    hour -= hour % 3_600
    i = data["x"].index(hour)
    assert data["requests"][i] == 2 and sum(data["requests"]) == 2
    assert data["errors"][i] == 1
    assert data["ttft"][i] == pytest.approx(200.0)
    assert data["p95"][i] == pytest.approx(800, rel=0.02)
    assert data["groups"] == ["gpt-4o-mini"]
    assert data["group_requests"][0][i] == 2
    assert data["totals"]["requests"] == 2
