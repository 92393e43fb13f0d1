"""Run ``spyglass server`` as a real process on 127.0.0.1 and wait until it answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from spyglass.storage.sql.store import open_store

# Bounded waits: a cold start imports FastAPI, SQLAlchemy and runs migrations (about a second
# here); a slow CI machine gets a generous margin, a broken server fails within it.
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(home: Path) -> dict[str, str]:
    """The test's environment without the developer's SPYGLASS_* settings, home in tmp."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPYGLASS_")}
    env["SPYGLASS_HOME"] = str(home)
    return env


def spyglass_cli(*args: str, home: Path, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``python -m spyglass.cli ARGS`` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "spyglass.cli", *args],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_key(db_url: str, project: str) -> str:
    """A new key for ``project``, made directly in the store (migrating it if new)."""
    store = open_store(db_url)
    try:
        return store.create_key(project, name="e2e").secret
    finally:
        store.close()


@dataclass
class ServerProcess:
    db_url: str
    home: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home / f"server-{self.port}.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> ServerProcess:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "spyglass.cli",
                    "server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--db",
                    self.db_url,
                ],
                env=clean_env(self.home),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode} before it was ready:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(POLL_INTERVAL_S)
        self.stop()
        raise AssertionError(f"server not ready within {STARTUP_TIMEOUT_S} s:\n{self.log()}")

    def kill_9(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no chance to finish anything."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(STOP_TIMEOUT_S)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT_S)


def client(server: ServerProcess, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=10.0
    )


# Spans and scores reach the store through the server's ingest queue and the SDK's
# background senders: poll for them this long at most.
ARRIVAL_TIMEOUT_S = 20.0


def poll(api: httpx.Client, path: str, ready: Any, **params: Any) -> Any:
    """GET ``path`` until ``ready(json)`` holds; fail with the last answer after the timeout."""
    deadline = time.monotonic() + ARRIVAL_TIMEOUT_S
    while True:
        # httpx replaces a query string in ``path`` with ``params``, even empty ones.
        resp = api.get(path, params=params) if params else api.get(path)
        if resp.status_code == 200 and ready(resp.json()):
            return resp.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"GET {path} never became ready: {resp.status_code} {resp.text}")
        time.sleep(POLL_INTERVAL_S)
