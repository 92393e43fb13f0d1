"""Datasets and experiment runs on a Spyglass server, through its JSON API.

The SDK's ``configure()`` (or ``SPYGLASS_ENDPOINT`` / ``SPYGLASS_API_KEY``) names the server.
``push_dataset`` stores a dataset's items under a name, ``pull_dataset`` reads them back (the
version is the same content hash either way), and ``upload_run`` stores a finished run — its
summary and every item's result — so the web UI can show it and compare runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from spyglass.evals.dataset import Dataset, Item
from spyglass.evals.results import RUN_FILE, iter_results
from spyglass.exceptions import ConfigError, SpyglassError

__all__ = ["Server", "pull_dataset", "push_dataset", "upload_run"]

# Items and results go up in batches: small enough for the server's body limit with large
# outputs, large enough that 100,000 results take a few hundred requests.
BATCH = 500
TIMEOUT_S = 30.0


class Server:
    """Where to send: ``Server.from_sdk()`` uses the SDK's configuration or settings."""

    def __init__(self, endpoint: str, api_key: str) -> None:
        if not endpoint or not api_key:
            raise ConfigError("a Spyglass server needs an endpoint and an API key")
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key

    @classmethod
    def from_sdk(cls) -> Server | None:
        from spyglass.sdk._state import STATE
        from spyglass.settings import load_settings

        if STATE.endpoint and STATE.api_key:
            return cls(STATE.endpoint, STATE.api_key)
        settings = load_settings()
        if settings.endpoint and settings.api_key:
            return cls(str(settings.endpoint), str(settings.api_key))
        return None

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.endpoint,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=TIMEOUT_S,
        )


def _check(resp: httpx.Response) -> Any:
    if resp.status_code >= 400:
        try:
            message = resp.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = resp.text[:200]
        raise SpyglassError(f"server answered {resp.status_code}: {message}")
    return resp.json()


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def push_dataset(dataset: Dataset, server: Server, name: str | None = None) -> str:
    """Store ``dataset``'s items on the server under ``name``; returns the server's version."""
    name = name or dataset.name
    version = ""
    with server.client() as http:
        _check(http.post("/api/datasets", json={"name": name}))
        for batch in _batches(i.to_dict() for i in dataset):
            version = _check(http.post(f"/api/datasets/{name}/items", json={"items": batch}))[
                "version"
            ]
    return version


def pull_dataset(name: str, server: Server) -> Dataset:
    """A dataset stored on the server, all its items, paged."""
    items: list[Item] = []
    cursor: str | None = None
    with server.client() as http:
        while True:
            params: dict[str, Any] = {"limit": BATCH}
            if cursor:
                params["cursor"] = cursor
            page = _check(http.get(f"/api/datasets/{name}", params=params))
            items.extend(Item.from_mapping(raw, f"{name}:{raw.get('id')}") for raw in page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return Dataset(items, name)


def upload_run(run_dir: Path, server: Server) -> str:
    """Store a finished run (``run.json`` and ``results.jsonl``) on the server; its id."""
    summary = json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))
    with server.client() as http:
        _check(http.post("/api/experiments", json={"summary": summary}))
        run_id = summary["run_id"]
        for batch in _batches(iter_results(run_dir)):
            _check(http.post(f"/api/experiments/{run_id}/results", json={"results": batch}))
    return str(run_id)
