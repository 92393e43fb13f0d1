"""The ingest process's initializer: it stays when its parent is the server, whatever that
server's pid (pid 1 in a container), and leaves when the server is already gone; it freezes
what is alive by then out of the collector's sight. An ingest process commits without waiting
for the disk and leaves the flush to the server process."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spyglass.pricing import load_price_table
from spyglass.storage.sql.store import open_store
from tests.server.otlp import chat_trace, to_protobuf

_INIT = """
import os, sys
from spyglass.server.ingest import worker
worker.init(sys.argv[1], sys.argv[2], 30, int(sys.argv[3]) if sys.argv[3] else os.getppid())
print("ready")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
@pytest.mark.parametrize(
    ("server_pid", "ready"), [("", True), ("1", False)], ids=["parent", "gone"]
)
def test_init_stays_only_under_its_server(tmp_path: Path, server_pid: str, ready: bool) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    open_store(url).close()
    # "" makes the child name its real parent as the server; "1" stands for a server that
    # died before the child started (the child was handed to init, or its parent is not 1).
    proc = subprocess.run(
        [sys.executable, "-c", _INIT, url, str(tmp_path / "w.lock"), server_pid],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ready:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "ready"
    else:
        assert proc.returncode == 1
        assert "ready" not in proc.stdout


# Runs init and one request in a process of its own, as the pool would: init changes the
# process for good (parent-death signal, gc.freeze, logging), which no test process should get.
_INGEST = """
import gc, json, os, sys
from spyglass.server.ingest import worker
from spyglass.storage.sql import walsync

flushed = []
walsync._datasync = flushed.append
url, lock, body, prices, project_id = sys.argv[1:]
frozen_before = gc.get_freeze_count()
worker.init(url, lock, 30, os.getppid())
frozen_after = gc.get_freeze_count()
with open(body, "rb") as fh:
    body = fh.read()
with open(prices, "rb") as fh:
    blob = fh.read()
rejected, reasons, written, write_s = worker.ingest(
    body, None, worker.PROTOBUF, 10_000_000, int(project_id), 1, blob
)
(synchronous,) = worker._worker.sink._conn.execute("PRAGMA synchronous").fetchone()
print(json.dumps({
    "frozen_before": frozen_before,
    "frozen_after": frozen_after,
    "written": written,
    "write_s": write_s,
    "synchronous": synchronous,
    "datasyncs": len(flushed),
}))
"""


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What an initialised ingest process reports after writing one two-span request."""
    home = tmp_path_factory.mktemp("worker")
    url = f"sqlite:///{home / 'w.db'}"
    store = open_store(url)
    try:
        project_id = store.create_project("alpha").id
    finally:
        store.close()
    body, prices = home / "body.pb", home / "prices.pickle"
    body.write_bytes(to_protobuf(chat_trace(1)))
    prices.write_bytes(pickle.dumps(load_price_table(), protocol=pickle.HIGHEST_PROTOCOL))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _INGEST,
            url,
            str(home / "w.lock"),
            str(body),
            str(prices),
            str(project_id),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["written"] == 2
    return report


def test_init_freezes_what_is_alive(ingested: dict[str, Any]) -> None:
    assert ingested["frozen_before"] == 0
    assert ingested["frozen_after"] > 0


def test_an_ingest_process_reports_its_write_time(ingested: dict[str, Any]) -> None:
    # The seconds it held the write lock: what bounds the ingest rate of all processes.
    assert 0 < ingested["write_s"] < 60


def test_an_ingest_process_commits_without_syncing(ingested: dict[str, Any]) -> None:
    # synchronous = NORMAL (1): the commit did not wait for the disk, and the process did not
    # flush the log itself either; the server process does (test_ingest_pool.py).
    assert ingested["synchronous"] == 1
    assert ingested["datasyncs"] == 0
