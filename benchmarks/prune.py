"""Retention: how fast ``spyglass db prune`` deletes, and that the rollups stay right.

Fills a fresh store with ``--spans`` realistic spans over the last 24 hours (through the
store's ingest path, as ``query.py`` does), deletes the traces that started more than 12 hours
ago (about half), and prints one JSON line: traces and spans deleted, seconds, spans deleted
per second, and how many rollup rows a rebuild from what is left had to correct (0: the
prune took away exactly what the deleted traces had added).

    python benchmarks/prune.py --spans 1000000                # temporary SQLite
    python benchmarks/prune.py --spans 1000000 --db postgresql://postgres@127.0.0.1/bench

``--db`` must name an empty database: the prune covers every project in it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from query import fill

from spyglass.storage.sql.store import open_store

HOUR_NS = 3_600 * 10**9


def run(db_url: str, n_spans: int) -> dict[str, object]:
    fill(db_url, n_spans, "bench")
    store = open_store(db_url)
    try:
        cutoff = time.time_ns() - 12 * HOUR_NS
        t0 = time.perf_counter()
        done = store.prune(cutoff)
        elapsed = time.perf_counter() - t0
        rebuilt = store.rebuild_rollups()
    finally:
        store.close()
    return {
        "spans_stored": n_spans,
        "traces_deleted": done.traces,
        "spans_deleted": done.spans,
        "seconds": round(elapsed, 2),
        "spans_deleted_per_s": round(done.spans / elapsed) if elapsed else None,
        "rollup_rows_corrected_by_rebuild": sum(r.corrected for r in rebuilt),
        "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", help="Database URL (default: a temporary SQLite file)")
    ap.add_argument("--spans", type=int, default=200_000)
    args = ap.parse_args()
    if args.db:
        print(json.dumps(run(args.db, args.spans)))
        return
    with tempfile.TemporaryDirectory(prefix="spyglass-prune-") as d:
        print(json.dumps(run(f"sqlite:///{d}/prune.db", args.spans)))


if __name__ == "__main__":
    main()
