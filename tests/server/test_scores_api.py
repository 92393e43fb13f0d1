"""POST/GET /api/scores: numeric, boolean and categorical scores on spans, traces, sessions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.harness import Api, bearer
from tests.server.otlp import chat_trace, sid, tid, to_protobuf

pytestmark = pytest.mark.anyio


async def _post(api: Api, body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    resp = await api.client.post("/api/scores", json=body, headers=bearer(key or api.key))
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def test_create_and_list_each_kind_of_score(api: Api) -> None:
    await api.ingest_ok(to_protobuf(chat_trace(1)))
    numeric = await _post(
        api,
        {
            "name": "faithfulness",
            "value": 0.75,
            "source": "llm",
            "trace_id": tid(1),
            "comment": "mostly grounded",
            "author": "judge-v1",
            "metadata": {"model": "gpt-4o"},
        },
    )
    boolean = await _post(
        api, {"name": "thumbs_up", "value": False, "trace_id": tid(1), "span_id": sid(1, 2)}
    )
    categorical = await _post(
        api, {"name": "topic", "value": "billing", "source": "code", "session_id": "sess-9"}
    )

    assert numeric["data_type"] == "NUMERIC"
    assert numeric["value"] == 0.75
    assert (numeric["source"], numeric["comment"], numeric["author"]) == (
        "llm",
        "mostly grounded",
        "judge-v1",
    )
    assert numeric["metadata"] == {"model": "gpt-4o"}
    assert len(numeric["id"]) == 32
    assert (boolean["data_type"], boolean["value"], boolean["source"]) == (
        "BOOLEAN",
        False,
        "human",
    )
    assert (boolean["trace_id"], boolean["span_id"]) == (tid(1), sid(1, 2))
    assert (categorical["data_type"], categorical["value"]) == ("CATEGORICAL", "billing")
    assert (categorical["session_id"], categorical["trace_id"]) == ("sess-9", None)

    listed = await api.get_json("/api/scores")
    assert listed["items"] == [categorical, boolean, numeric]  # newest first, stored as sent
    assert listed["next_cursor"] is None

    on_trace = await api.get_json(f"/api/traces/{tid(1)}")
    assert {s["id"] for s in on_trace["scores"]} == {numeric["id"], boolean["id"]}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"trace_id": tid(1)}, ["b", "a"]),
        ({"trace_id": tid(1), "span_id": sid(1, 2)}, ["b"]),
        ({"session_id": "s"}, ["c"]),
        ({"name": "a"}, ["a"]),
        ({"source": "guard"}, ["c"]),
        ({"source": "human"}, ["b", "a"]),
    ],
)
async def test_list_filters(api: Api, params: dict[str, Any], names: list[str]) -> None:
    await _post(api, {"name": "a", "value": 1, "trace_id": tid(1)})
    await _post(api, {"name": "b", "value": True, "trace_id": tid(1), "span_id": sid(1, 2)})
    await _post(api, {"name": "c", "value": "blocked", "session_id": "s", "source": "guard"})
    listed = await api.get_json("/api/scores", **params)
    assert [s["name"] for s in listed["items"]] == names


async def test_list_paginates(api: Api) -> None:
    created = [await _post(api, {"name": f"n{i}", "value": i, "session_id": "s"}) for i in range(5)]
    got: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await api.get_json("/api/scores", **params)
        got += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert got == [s["id"] for s in reversed(created)]


async def test_explicit_data_type_and_idempotent_id(api: Api) -> None:
    first = await _post(
        api,
        {"id": "fb-1", "name": "rating", "value": 2, "data_type": "NUMERIC", "trace_id": tid(1)},
    )
    assert (first["id"], first["value"]) == ("fb-1", 2.0)
    again = await _post(api, {"id": "fb-1", "name": "rating", "value": 4, "trace_id": tid(1)})
    assert again["value"] == 4.0
    listed = await api.get_json("/api/scores")
    assert [(s["id"], s["value"]) for s in listed["items"]] == [("fb-1", 4.0)]


async def test_a_score_in_one_project_is_not_visible_in_another(api: Api) -> None:
    await _post(api, {"id": "shared-id", "name": "alpha", "value": 1, "session_id": "s"})
    listed = (await api.get("/api/scores", key=api.beta_key)).json()
    assert listed["items"] == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "x", "value": 1}, "a score needs a target"),
        ({"name": "x", "value": 1, "span_id": sid(1, 1)}, "a score needs a target"),
        (
            {"name": "x", "value": 1, "session_id": "s", "span_id": sid(1, 1)},
            "span_id needs the trace_id",
        ),
        (
            {"name": "x", "value": "high", "data_type": "NUMERIC", "session_id": "s"},
            "NUMERIC score needs a finite number",
        ),
        (
            {"name": "x", "value": True, "data_type": "NUMERIC", "session_id": "s"},
            "NUMERIC score needs a finite number",
        ),
        (
            {"name": "x", "value": 1, "data_type": "BOOLEAN", "session_id": "s"},
            "BOOLEAN score needs true or false",
        ),
        (
            {"name": "x", "value": 3, "data_type": "CATEGORICAL", "session_id": "s"},
            "CATEGORICAL score needs a string",
        ),
        ({"name": "x", "value": 1, "data_type": "PERCENT", "session_id": "s"}, "data_type"),
        ({"name": "x", "value": 1, "source": "robot", "session_id": "s"}, "source"),
        ({"name": "", "value": 1, "session_id": "s"}, "name"),
        ({"value": 1, "session_id": "s"}, "name"),
        ({"name": "x", "session_id": "s"}, "value"),
        ({"name": "x", "value": None, "session_id": "s"}, "value"),
        ({"name": "x", "value": 1, "trace_id": "abc"}, "trace_id must be 32 hex characters"),
        (
            {"name": "x", "value": 1, "trace_id": tid(1), "span_id": "abc"},
            "span_id must be 16 hex characters",
        ),
        ({"name": "x", "value": 1, "session_id": "s", "id": "i" * 33}, "id"),
    ],
)
async def test_invalid_scores_are_400_with_a_message(
    api: Api, body: dict[str, Any], words: str
) -> None:
    resp = await api.client.post("/api/scores", json=body, headers=bearer(api.key))
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_request"
    assert words in resp.json()["error"]["message"]
    assert (await api.get_json("/api/scores"))["items"] == []


@pytest.mark.parametrize("raw", [b"Infinity", b"-Infinity", b"NaN", b"1e400"])
async def test_numeric_score_must_be_finite(api: Api, raw: bytes) -> None:
    body = b'{"name": "x", "session_id": "s", "value": ' + raw + b"}"
    resp = await api.client.post(
        "/api/scores", content=body, headers={"Content-Type": "application/json", **bearer(api.key)}
    )
    assert resp.status_code == 400, resp.text
    assert "NUMERIC score needs a finite number" in resp.json()["error"]["message"]
    assert (await api.get_json("/api/scores"))["items"] == []


async def test_score_body_that_is_not_json_is_400(api: Api) -> None:
    resp = await api.client.post(
        "/api/scores",
        content=b"{not json",
        headers={"Content-Type": "application/json", **bearer(api.key)},
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"trace_id": "nope"}, "trace_id must be 32 hex"),
        ({"source": "robot"}, "source"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
async def test_bad_score_query_is_400(api: Api, params: dict[str, Any], words: str) -> None:
    resp = await api.get("/api/scores", **params)
    assert resp.status_code == 400, resp.text
    assert words in resp.json()["error"]["message"]
