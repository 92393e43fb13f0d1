"""The ingest process's initializer: it stays when its parent is the server, whatever that
server's pid (pid 1 in a container), and leaves when the server is already gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spyglass.storage.sql.store import open_store

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
