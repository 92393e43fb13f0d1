"""``push_dataset``, ``pull_dataset`` and ``upload_run`` against a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spyglass.evals import Dataset, evaluate, remote
from spyglass.evals.remote import Server, pull_dataset, push_dataset, upload_run
from spyglass.exceptions import SpyglassError
from tests.e2e.harness import ServerProcess, make_key

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("remote")
    db = f"sqlite:///{home}/spyglass.db"
    key = make_key(db, "alpha")
    process = ServerProcess(db, home).start()
    try:
        yield Server(process.url, key)
    finally:
        process.stop()


def test_a_pushed_dataset_pulls_back_with_the_same_version(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "BATCH", 7)  # several pages each way
    rows = [{"input": f"q{i}", "expected": str(i), "metadata": {"i": i}} for i in range(20)]
    rows.append({"id": "z", "input": {"nested": [1, 2]}, "documents": ["d"], "trace_id": "a" * 32})
    data = Dataset.from_items(rows, name="numbers")
    assert push_dataset(data, server) == data.version
    back = pull_dataset("numbers", server)
    assert back.version == data.version and len(back) == 21
    assert [i.to_dict() for i in back] == [i.to_dict() for i in data]
    # Pushing again changes nothing.
    assert push_dataset(data, server, name="numbers") == data.version
    with pytest.raises(SpyglassError, match=r"404.*no dataset"):
        pull_dataset("missing", server)


def test_an_uploaded_run_is_listed_with_its_results(server: Server, tmp_path: Path) -> None:
    data = Dataset.from_items([{"input": f"{i}", "expected": f"{i}"} for i in range(12)])
    run = evaluate(lambda q: q, data, checks=["exact-match"], evals_dir=tmp_path, progress=False)
    assert upload_run(run.dir, server) == run.id
    with server.client() as http:
        detail = http.get(f"/api/experiments/{run.id}", params={"limit": 500}).json()
        listed = http.get("/api/experiments").json()["items"]
    assert len(detail["results"]) == 12 and detail["experiment"]["run_id"] == run.id
    assert any(e["id"] == run.id for e in listed)
    with pytest.raises(httpx.ConnectError):
        upload_run(run.dir, Server("http://127.0.0.1:9", "key"))
