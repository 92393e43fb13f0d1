"""The `spyglass` command: keys and the demo, as a user runs them."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from spyglass.storage.sql.store import open_store
from tests.e2e.harness import ServerProcess, clean_env, client, free_port, spyglass_cli
from tests.otlp_rows import sample_rows

pytestmark = pytest.mark.e2e


def test_keys_create_prints_the_key_alone_on_its_last_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/keys.db"
    first = spyglass_cli("keys", "create", "--project", "acme", "--db", url, home=tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.splitlines()[-1]
    assert re.fullmatch(r"\S{20,}", key), first.stdout
    second = spyglass_cli("keys", "create", "--project", "acme", "--db", url, home=tmp_path)
    assert second.returncode == 0, second.stderr
    other = second.stdout.splitlines()[-1]
    assert other != key

    store = open_store(url)
    try:
        (project,) = store.list_projects()
        assert project.name == "acme"
        assert store.verify_key(key) == project.id
        assert store.verify_key(other) == project.id
        keys = store.list_keys("acme")
    finally:
        store.close()
    assert len(keys) == 2

    listed = spyglass_cli("keys", "list", "--project", "acme", "--db", url, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert key[:8] in listed.stdout
    assert key not in listed.stdout  # shown once, never again

    revoked = spyglass_cli("keys", "revoke", str(keys[0].id), "--db", url, home=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    store = open_store(url)
    try:
        assert [k.revoked_ns is not None for k in store.list_keys("acme")].count(True) == 1
    finally:
        store.close()


def test_demo_exits_cleanly_and_its_data_is_queryable(
    tmp_path: Path, spawn: Callable[[str], ServerProcess]
) -> None:
    home = tmp_path / "home"
    result = spyglass_cli(
        "demo", "--exit", "--port", str(free_port()), "--traces", "50", home=home, timeout=120
    )
    assert result.returncode == 0, result.stderr
    match = re.search(r"API key:\s+(\S+)", result.stderr)
    assert match, result.stderr
    key = match.group(1)
    assert "Sent " in result.stderr
    # A first start prints one key, the one made for the new project, and the demo uses it.
    assert set(re.findall(r"sg_[\w-]{20,}", result.stderr)) == {key}
    assert "First start: created project default" in result.stderr

    # Later starts cannot show that key again (only its hash is kept): the demo makes its own.
    again = spyglass_cli(
        "demo", "--exit", "--port", str(free_port()), "--traces", "5", home=home, timeout=120
    )
    assert again.returncode == 0, again.stderr
    later = re.search(r"API key:\s+(\S+)", again.stderr)
    assert later and later.group(1) != key
    assert "First start" not in again.stderr

    # The embedded default database, queried through a server with the key the demo printed.
    server = spawn(f"sqlite:///{home}/spyglass.db")
    with client(server, key) as http:
        page = http.get("/api/traces", params={"limit": 500}).json()
        assert len(page["items"]) == 55  # both runs' traces, in the one default project
        assert page["next_cursor"] is None
        first = page["items"][0]
        detail = http.get(f"/api/traces/{first['trace_id']}").json()
        assert len(detail["spans"]) == first["span_count"] >= 2


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_demo_stops_quietly_on_a_signal_to_its_process_group(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # Ctrl-C in a terminal (and systemd or `timeout` stopping it) signals the whole process
    # group, ingest processes included: they used to die with a traceback each.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spyglass.cli",
            "demo",
            "--traces",
            "20",
            "--port",
            str(free_port()),
        ],
        env=clean_env(tmp_path / "home"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    seen = b""
    try:
        # Raw reads of the pipe: a buffered readline could hold the awaited line while the
        # selector waits on the empty descriptor.
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            deadline = time.monotonic() + 120
            while b"Serving until Ctrl-C" not in seen:
                assert sel.select(max(0.0, deadline - time.monotonic())), seen.decode()
                chunk = os.read(fd, 65_536)
                assert chunk, seen.decode()  # exited early
                seen += chunk
        os.killpg(proc.pid, signum)
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    output = (seen + rest).decode(errors="replace")
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "leaked" not in output, output


def test_db_prune_deletes_old_traces_and_says_so(tmp_path: Path) -> None:
    from tests.server.test_retention import _fill

    url = f"sqlite:///{tmp_path}/prune.db"
    store = open_store(url)
    try:
        _fill(store)  # 12 traces 40 days old, 8 recent
        store.create_project("empty")
    finally:
        store.close()

    dry = spyglass_cli(
        "db", "prune", "--older-than", "30d", "--dry-run", "--db", url, home=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    assert re.search(
        r"would delete 12 traces \(\d+ spans, 0 scores\) that started before", dry.stdout
    )

    other = spyglass_cli(
        "db", "prune", "--older-than", "720h", "--project", "empty", "--db", url, home=tmp_path
    )
    assert other.returncode == 0, other.stderr
    assert "deleted 0 traces" in other.stdout

    def prune_with_answer(answer: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "spyglass.cli", "db", "prune", "--older-than=4w", f"--db={url}"],
            env=clean_env(tmp_path),
            input=answer,
            stdin=subprocess.DEVNULL if answer is None else None,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # It says what would go and asks; no answer (no terminal) or "n" deletes nothing.
    silent = prune_with_answer(None)
    assert silent.returncode == 1 and "add --yes" in silent.stderr, silent.stderr
    assert re.search(r"Delete 12 traces \(\d+ spans, 0 scores\) that started before", silent.stderr)
    declined = prune_with_answer("n\n")
    assert declined.returncode == 0 and "nothing deleted" in declined.stdout, declined

    done = spyglass_cli("db", "prune", "--older-than", "30", "--yes", "--db", url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"deleted 12 traces \(\d+ spans, 0 scores\)", done.stdout), done.stdout
    store = open_store(url)
    try:
        (left,) = store.engine.connect().execute(text("SELECT COUNT(*) FROM traces")).one()
    finally:
        store.close()
    assert left == 8

    for bad, message in (
        (["--older-than", "0d"], "more than zero"),
        (["--older-than", "a month"], "not an age"),
        (["--older-than", "6m"], "not an age"),  # minutes or months: refused
        (["--older-than", "999999999"], "at most 36500 days"),
        (["--older-than", "1d", "--project", "nope"], "no project named 'nope'"),
    ):
        res = spyglass_cli("db", "prune", *bad, "--yes", "--db", url, home=tmp_path)
        assert res.returncode in (1, 2) and message in res.stderr, (bad, res.stderr)


def test_db_rebuild_rollups_says_what_it_corrected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/rollups.db"
    store = open_store(url)
    try:
        pid = store.create_project("acme").id
        store.write_spans(sample_rows(pid, 20))
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE trace_rollups SET trace_count = trace_count + 1"))
        (rows,) = store.engine.connect().execute(text("SELECT COUNT(*) FROM trace_rollups")).one()
    finally:
        store.close()

    done = spyglass_cli("db", "rebuild-rollups", "--db", url, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"trace_rollups: {rows} rows, {rows} corrected" in done.stdout
    assert re.search(r"span_rollups: \d+ rows, 0 corrected", done.stdout), done.stdout

    again = spyglass_cli("db", "rebuild-rollups", "--db", url, home=tmp_path)
    assert f"trace_rollups: {rows} rows, 0 corrected" in again.stdout

    bad = spyglass_cli("db", "rebuild-rollups", "--db", "mysql://x/y", home=tmp_path)
    assert bad.returncode == 2 and "unsupported database" in bad.stderr
