"""/api/datasets: create, add items (idempotent), page, take a trace, delete; per project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from spyglass.evals.dataset import Dataset
from spyglass.storage.sql.store import SqlStore
from tests.server.harness import Api, bearer, running_app
from tests.server.otlp import chat_trace, tid, to_protobuf

pytestmark = pytest.mark.anyio

ROWS = [
    {"id": "q1", "input": "2+2?", "expected": "4"},
    {"input": {"question": "capital of Peru?"}, "expected": "Lima", "documents": ["Peru..."]},
    {"id": "q3", "input": "hi", "metadata": {"topic": "greeting"}},
]


async def _post(api: Api, path: str, body: Any, key: str | None = None) -> httpx.Response:
    return await api.client.post(path, json=body, headers=bearer(key or api.key))


async def _error(resp: httpx.Response, status: int, *needles: str) -> None:
    assert resp.status_code == status, resp.text
    message = resp.json()["error"]["message"]
    for needle in needles:
        assert needle in message, message


async def test_create_add_page_and_read_back_with_the_sdks_version(api: Api) -> None:
    made = await _post(api, "/api/datasets", {"name": "qa", "description": "smoke"})
    assert made.status_code == 201 and made.json()["item_count"] == 0
    again = await _post(api, "/api/datasets", {"name": "qa"})
    assert again.status_code == 200 and again.json()["description"] == "smoke"

    added = await _post(api, "/api/datasets/qa/items", {"items": ROWS})
    assert added.status_code == 200, added.text
    local = Dataset.from_items(ROWS)
    assert added.json() == {"added": 3, "updated": 0, "item_count": 3, "version": local.version}
    # The same items again: replaced, nothing added, the same version.
    again = (await _post(api, "/api/datasets/qa/items", {"items": ROWS})).json()
    assert (again["added"], again["updated"], again["version"]) == (0, 3, local.version)

    first = await api.get_json("/api/datasets/qa", limit=2)
    assert first["version"] == local.version and first["item_count"] == 3
    second = await api.get_json("/api/datasets/qa", limit=2, cursor=first["next_cursor"])
    assert second["next_cursor"] is None
    items = first["items"] + second["items"]
    assert [i["id"] for i in items] == [i.id for i in local]
    assert items[1]["input"] == {"question": "capital of Peru?"}
    assert items[1]["documents"] == ["Peru..."] and items[2]["metadata"] == {"topic": "greeting"}
    listed = await api.get_json("/api/datasets")
    assert [(d["name"], d["item_count"]) for d in listed["items"]] == [("qa", 3)]

    gone = await api.client.delete("/api/datasets/qa/items/q1", headers=bearer(api.key))
    assert gone.status_code == 204
    again_gone = await api.client.delete("/api/datasets/qa/items/q1", headers=bearer(api.key))
    await _error(again_gone, 404, "no item 'q1'")
    left = await api.get_json("/api/datasets/qa")
    assert left["item_count"] == 2 and left["version"] == Dataset.from_items(ROWS[1:]).version


async def test_adding_items_creates_the_dataset(api: Api) -> None:
    resp = await _post(api, "/api/datasets/fresh/items", {"items": ROWS[:1]})
    assert resp.status_code == 200 and resp.json()["added"] == 1
    assert (await api.get_json("/api/datasets/fresh"))["items"][0]["id"] == "q1"


async def test_a_trace_becomes_an_item_linked_back(api: Api) -> None:
    await api.ingest_ok(to_protobuf(chat_trace(1, question="Refunds?", answer="Five days.")))
    resp = await _post(api, "/api/datasets/prod/items/from-trace", {"trace_id": tid(1)})
    assert resp.status_code == 201, resp.text
    item = resp.json()
    assert item["input"] == "Refunds?" and item["expected"] == "Five days."
    assert item["trace_id"] == tid(1) and item["metadata"] == {"source": "trace"}
    own = await _post(
        api, "/api/datasets/prod/items/from-trace", {"trace_id": tid(1), "expected": "3 days"}
    )
    assert own.json()["expected"] == "3 days"
    stored = await api.get_json("/api/datasets/prod")
    assert [i["trace_id"] for i in stored["items"]] == [tid(1), tid(1)]
    # Another project's trace is not there for this key.
    other = await _post(
        api, "/api/datasets/prod/items/from-trace", {"trace_id": tid(1)}, key=api.beta_key
    )
    await _error(other, 404, "no such trace")
    await _error(
        await _post(api, "/api/datasets/prod/items/from-trace", {"trace_id": "xyz"}),
        400,
        "32 hex",
    )


async def test_projects_do_not_see_each_others_datasets(api: Api) -> None:
    await _post(api, "/api/datasets/qa/items", {"items": ROWS})
    assert (await api.get_json("/api/datasets"))["items"]
    beta = await api.get("/api/datasets", key=api.beta_key)
    assert beta.json()["items"] == []
    await _error(await api.get("/api/datasets/qa", key=api.beta_key), 404, "no dataset 'qa'")
    gone = await api.client.delete("/api/datasets/qa/items/q1", headers=bearer(api.beta_key))
    assert gone.status_code == 404
    assert (await api.get("/api/datasets")).status_code == 200
    assert (await api.client.get("/api/datasets")).status_code == 401


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ({"items": [{"expected": "x"}]}, ("items[0]", "needs an 'input'")),
        ({"items": [{"input": "a", "colour": 1}]}, ("items[0]", "unknown keys", "colour")),
        ({"items": [{"input": "a", "id": "x"}, {"input": "b", "id": "x"}]}, ("items[1]", "'x'")),
        ({"items": [{"input": "a", "documents": [1]}]}, ("documents",)),
        ({"items": [{"input": "a", "id": "x" * 201}]}, ("at most 200",)),
        ({"items": "nope"}, ("items",)),
        ({}, ("items",)),
    ],
)
async def test_bad_items_are_400_with_the_reason(
    api: Api, body: dict[str, Any], needles: tuple[str, ...]
) -> None:
    await _error(await _post(api, "/api/datasets/qa/items", body), 400, *needles)
    assert (await api.get("/api/datasets/qa")).status_code == 404  # nothing half-written


async def test_bad_names_and_bodies(api: Api) -> None:
    await _error(await _post(api, "/api/datasets", {"name": "  "}), 400, "dataset name")
    await _error(await _post(api, "/api/datasets", {"name": "a\\b"}), 400, "dataset name")
    await _error(await _post(api, "/api/datasets", {"name": "x" * 201}), 400, "name")
    raw = await api.client.post(
        "/api/datasets",
        content=b"{not json",
        headers={**bearer(api.key), "Content-Type": "application/json"},
    )
    assert raw.status_code == 400
    await _post(api, "/api/datasets/qa/items", {"items": ROWS})
    await _error(await api.get("/api/datasets/qa", cursor="garbage"), 400, "cursor")


async def test_a_body_over_the_limit_is_413(sqlite_store: SqlStore, tmp_path: Path) -> None:
    key = sqlite_store.create_key("alpha").secret
    async with running_app(sqlite_store, tmp_path, max_body_bytes=2_000) as client:
        big = {"items": [{"input": "x" * 3_000}]}
        resp = await client.post("/api/datasets/qa/items", json=big, headers=bearer(key))
        assert resp.status_code == 413, resp.text
        assert resp.json()["error"]["code"] == "payload_too_large"
        small = await client.post(
            "/api/datasets/qa/items", json={"items": ROWS}, headers=bearer(key)
        )
        assert small.status_code == 200
