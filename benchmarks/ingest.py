"""Ingest throughput: OTLP protobuf, batches of 512, 4 concurrent senders.

Prints one JSON line with at least ``persisted_spans_per_s`` (timed until the last span is
readable through the query API), ``server_cpu_ms_per_span`` and, for a SQLite server,
``sqlite_limit_spans_per_s``: a raw ``executemany`` of the same span rows into a fresh SQLite
file with the same schema and the same connection settings as the server's writers (WAL,
synchronous=FULL, page size, checkpoint threshold: ``dialect.sqlite_pragmas``), one commit per
512 rows, measured in the same run (median of three), and the ratio of the two. The request
bodies are built before the clock starts: the load generator shares the machine's cores with
the server.

Also ``server_write_ms_per_span``: the server's seconds in the store's write (spans, trace
summaries, rollups, commit) per span. On SQLite one write runs at a time, so its inverse bounds
the ingest rate whatever the rest costs; ``write_bound_ratio`` is that bound over the raw
``executemany``.

    python benchmarks/ingest.py --spans 200000                 # own server, temporary SQLite
    python benchmarks/ingest.py --db postgresql://postgres@127.0.0.1/bench --spans 200000
    python benchmarks/ingest.py --url http://127.0.0.1:4318 --key sg_... --spans 200000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Templates, build_bodies, load, server, stats, wait_visible

from spyglass.server.ingest.otlp_decode import decode_protobuf
from spyglass.server.ingest.rows import build_rows
from spyglass.storage.sql.dialect import sqlite_pragmas
from spyglass.storage.sql.schema import SPAN_COLUMNS
from spyglass.storage.sql.store import open_store

# Rows the raw-SQLite baseline inserts per repeat: enough for a stable rate, small enough to
# be quick. Its rate swings by a fifth from run to run on a shared disk, so the ratio uses
# the median of BASELINE_REPEATS.
BASELINE_ROWS = 100_000
BASELINE_REPEATS = 3


def sqlite_limit(tpl: Templates, n_rows: int) -> tuple[float, float]:
    """Rows/s of a bare executemany of the same rows into the same schema, and its CPU
    seconds per row (this process's, which does nothing else meanwhile)."""
    batches: list[list[tuple[object, ...]]] = []
    i = 0
    total = 0
    while total < n_rows:
        body, _, _ = tpl.body(i)
        rows = build_rows(1, decode_protobuf(body).spans)
        batches.append(rows)
        total += len(rows)
        i += 1
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/limit.db"
        open_store(url).close()  # same schema, via the migrations
        conn = sqlite3.connect(f"{d}/limit.db", isolation_level=None)
        sqlite_pragmas(conn)
        sql = (
            f"INSERT INTO spans ({', '.join(SPAN_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(SPAN_COLUMNS))})"
        )
        t0, c0 = time.perf_counter(), time.process_time()
        for rows in batches:
            conn.execute("BEGIN")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        conn.close()
    return total / elapsed, cpu / total


def run(
    url: str, key: str, n_spans: int, senders: int, is_sqlite: bool | None
) -> dict[str, object]:
    tpl = Templates(max(1, n_spans // 512))
    # Built before the clock starts: the load generator shares the cores with the server.
    bodies = build_bodies(tpl, n_spans)
    before = stats(url, key)
    t0 = time.perf_counter()
    res = load(url, key, n_spans, senders=senders, bodies=bodies)
    wait_visible(url, key, res.last_trace)
    elapsed = time.perf_counter() - t0
    after = stats(url, key)
    if is_sqlite is None:
        is_sqlite = after.get("database") == "sqlite"
    out: dict[str, object] = {
        "spans": res.sent_spans,
        "seconds": round(elapsed, 2),
        "persisted_spans_per_s": round(res.sent_spans / elapsed),
        "server_cpu_ms_per_span": round(
            (after["cpu_seconds"] - before["cpu_seconds"]) * 1000 / res.sent_spans, 4
        ),
        # Seconds in the store's write per span: on SQLite one write runs at a time, so no
        # amount of decoding, mapping or cores makes ingest faster than 1 / this.
        "server_write_ms_per_span": round(
            (after.get("write_seconds", 0.0) - before.get("write_seconds", 0.0))
            * 1000
            / res.sent_spans,
            4,
        ),
        "server_rss_mb_max_during": round(max(res.rss_samples or [0]) / 2**20, 1),
        "server_rss_mb_after": round((after.get("rss_bytes") or 0) / 2**20, 1),
        "retries_503": res.retries_503,
        "errors": len(res.errors),
        "database": after.get("database"),
        "senders": senders,
    }
    if res.errors:
        out["first_error"] = res.errors[0]
    if is_sqlite:
        runs = sorted(
            sqlite_limit(tpl, min(BASELINE_ROWS, max(10_000, res.sent_spans)))
            for _ in range(BASELINE_REPEATS)
        )
        limit, limit_cpu = runs[len(runs) // 2]
        out["sqlite_limit_spans_per_s"] = round(limit)
        out["sqlite_limit_runs"] = [round(r) for r, _ in runs]
        out["ratio_vs_sqlite_limit"] = round(res.sent_spans / elapsed / limit, 3)
        write_ms = float(out["server_write_ms_per_span"])  # type: ignore[arg-type]
        if write_ms > 0:
            # The ratio the server could reach if everything but its serial write were free.
            out["write_bound_ratio"] = round(1000 / write_ms / limit, 3)
        # The server's CPU per span over the bare insert's per row: how much work the server
        # adds, in a figure that does not move with the machine's speed as ms do.
        out["sqlite_limit_cpu_ms_per_row"] = round(limit_cpu * 1000, 4)
        out["cpu_ratio_vs_sqlite_limit"] = round(
            float(out["server_cpu_ms_per_span"]) / (limit_cpu * 1000),
            2,  # type: ignore[arg-type]
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url", help="An already running server (needs --key)")
    ap.add_argument("--key", help="API key for --url")
    ap.add_argument("--db", help="Database URL for the server this script starts")
    ap.add_argument("--spans", type=int, default=100_000)
    ap.add_argument("--senders", type=int, default=4)
    args = ap.parse_args()
    if args.url:
        if not args.key:
            ap.error("--url needs --key")
        result = run(args.url.rstrip("/"), args.key, args.spans, args.senders, None)
    else:
        with server(args.db) as srv:
            result = run(
                srv.url,
                srv.key,
                args.spans,
                args.senders,
                srv.db_url is not None and srv.db_url.startswith("sqlite"),
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
