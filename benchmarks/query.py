"""Query latency with a large store: list traces, filtered list, get trace, metrics.

Fills a fresh store with ``--spans`` realistic spans (written straight through the store's
ingest path, which is faster than HTTP and stores the same rows), starts ``spyglass server`` on
it, and times each query over HTTP from this process. Prints one JSON line with p50/p95 per
query in milliseconds.

    python benchmarks/query.py --spans 1000000                 # temporary SQLite
    python benchmarks/query.py --spans 1000000 --db postgresql://postgres@127.0.0.1/bench
    python benchmarks/query.py --db sqlite:////tmp/big.db --reuse  # query an existing store
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _harness import Templates, pct, server_on
from rich.progress import Progress
from sqlalchemy import func, select

from spyglass.server.ingest.otlp_decode import decode_protobuf
from spyglass.server.ingest.rows import build_rows
from spyglass.storage.sql.schema import spans
from spyglass.storage.sql.store import open_store

# Repetitions per query; p95 of 40 samples is the second-slowest.
REPEATS = 40
# Spans handed to the store per transaction while filling.
FILL_BATCH = 4096


def fill(db_url: str, n_spans: int, project: str) -> str:
    """Write ``n_spans`` spans for ``project`` and return a key for it."""
    store = open_store(db_url)
    key = store.create_key(project, name="bench").secret
    project_id = store.get_project(project).id  # type: ignore[union-attr]
    tpl = Templates(max(1, n_spans // 512))
    written = 0
    i = 0
    batch: list[tuple[object, ...]] = []
    with Progress(transient=True) as progress:
        task = progress.add_task("filling the store", total=n_spans)
        while written < n_spans:
            body, _, _ = tpl.body(i)
            i += 1
            batch.extend(build_rows(project_id, decode_protobuf(body).spans))
            if len(batch) >= FILL_BATCH:
                store.write_spans(batch)
                written += len(batch)
                progress.update(task, completed=written)
                batch = []
        if batch:
            store.write_spans(batch)
    store.close()
    return key


def timed(client: httpx.Client, path: str, params: dict[str, object]) -> float:
    t0 = time.perf_counter()
    r = client.get(path, params=params)
    ms = (time.perf_counter() - t0) * 1000
    r.raise_for_status()
    return ms


def measure(url: str, key: str) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"}
    rng = random.Random(3)
    out: dict[str, object] = {}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        first = client.get("/api/traces", params={"limit": 200}).json()["items"]
        trace_ids = [t["trace_id"] for t in first]
        users = sorted({t["user_id"] for t in first if t["user_id"]})
        now = time.time_ns()
        queries: dict[str, list[tuple[str, dict[str, object]]]] = {
            "list_traces_first_page": [("/api/traces", {"limit": 50})],
            "list_traces_filter_user": [
                ("/api/traces", {"limit": 50, "user_id": rng.choice(users)}) for _ in range(8)
            ],
            "list_traces_filter_error": [("/api/traces", {"limit": 50, "status": "ERROR"})],
            "list_traces_filter_model": [("/api/traces", {"limit": 50, "model": "gpt-4o"})],
            "get_trace": [(f"/api/traces/{rng.choice(trace_ids)}", {}) for _ in range(20)],
            "metrics_24h_hourly_p95_by_model": [
                (
                    "/api/metrics",
                    {
                        "start": now - 86_400 * 10**9,
                        "end": now,
                        "bucket": 3600,
                        "group_by": "model",
                        "kind": "LLM",
                    },
                )
            ],
        }
        for name, variants in queries.items():
            timed(client, *variants[0])  # warm the caches once
            samples = [timed(client, *variants[k % len(variants)]) for k in range(REPEATS)]
            out[name] = {
                "p50_ms": round(pct(samples, 0.5), 1),
                "p95_ms": round(pct(samples, 0.95), 1),
            }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--spans", type=int, default=1_000_000)
    ap.add_argument("--db", help="Database URL (default: a temporary SQLite file)")
    ap.add_argument("--reuse", action="store_true", help="Do not fill; query --db as it is")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="spyglass-query-") as tmp:
        db_url = args.db or f"sqlite:///{tmp}/spyglass.db"
        project = "bench-query"
        t0 = time.perf_counter()
        n_spans = args.spans
        if args.reuse:
            store = open_store(db_url)
            key = store.create_key(project, name="bench").secret
            with store.engine.connect() as conn:  # what is stored, not what --spans says
                n_spans = conn.execute(select(func.count()).select_from(spans)).scalar_one()
            store.close()
        else:
            key = fill(db_url, args.spans, project)
        fill_s = time.perf_counter() - t0
        with server_on(db_url, tmp) as srv:
            result = measure(srv.url, key)
    worst = max(v["p95_ms"] for k, v in result.items() if k != "metrics_24h_hourly_p95_by_model")  # type: ignore[index]
    print(
        json.dumps(
            {
                "spans": n_spans,
                "database": db_url.split(":")[0],
                "fill_seconds": round(fill_s, 1),
                **result,
                "worst_list_or_get_p95_ms": worst,
            }
        )
    )


if __name__ == "__main__":
    main()
