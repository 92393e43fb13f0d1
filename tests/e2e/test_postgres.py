"""`spyglass server --db postgresql://...` against the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from tests.e2e.harness import ServerProcess, client, make_key
from tests.server.otlp import JSON, PROTOBUF, T0, chat_trace, sid, tid, to_json, to_protobuf

if TYPE_CHECKING:  # the fixture comes from tests/conftest.py; pytest imports it itself
    from tests.conftest import PostgresServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_server_on_postgresql(
    postgres_server: PostgresServer, spawn: Callable[[str], ServerProcess]
) -> None:
    url = postgres_server.create_database()
    key = make_key(url, "pg")
    server = spawn(url)
    with client(server, key) as http:
        resp = http.post(
            "/v1/traces",
            content=to_protobuf(chat_trace(1, user="pg-user")),
            headers={"Content-Type": PROTOBUF},
        )
        assert resp.status_code == 200, resp.text
        assert ExportTraceServiceResponse.FromString(resp.content) == ExportTraceServiceResponse()
        resp = http.post(
            "/v1/traces",
            content=to_json(chat_trace(2, model="gpt-4o")),
            headers={"Content-Type": JSON},
        )
        assert resp.status_code == 200, resp.text

        page = http.get("/api/traces").json()
        # Equal start times: newest first, then by trace id descending.
        assert [t["trace_id"] for t in page["items"]] == [tid(2), tid(1)]
        assert [
            t["trace_id"]
            for t in http.get("/api/traces", params={"model": "gpt-4o"}).json()["items"]
        ] == [tid(2)]
        assert [
            t["trace_id"]
            for t in http.get("/api/traces", params={"metadata": "x=y"}).json()["items"]
        ] == []
        span = http.get(f"/api/traces/{tid(1)}/spans/{sid(1, 2)}").json()
        assert (span["model"], span["input_tokens"], span["output_tokens"]) == (
            "gpt-4o-mini",
            100,
            20,
        )
        root = http.get(f"/api/traces/{tid(1)}/spans/{sid(1, 1)}").json()
        assert root["user_id"] == "pg-user"
        score = http.post("/api/scores", json={"name": "ok", "value": True, "trace_id": tid(1)})
        assert score.status_code == 201, score.text
        assert http.get(f"/api/traces/{tid(1)}").json()["scores"][0]["value"] is True
        users = http.get("/api/users").json()["items"]
        assert [(u["user_id"], u["total_tokens"]) for u in users] == [
            ("user-1", 120),
            ("pg-user", 120),
        ]
        m = http.get(
            "/api/metrics",
            params={
                "start": str(T0),
                "end": str(T0 + 3_600 * 10**9),
                "group_by": "model",
                "kind": "LLM",
            },
        ).json()
        assert {p["group"]: p["count"] for p in m["points"]} == {"gpt-4o-mini": 1, "gpt-4o": 1}
    assert "postgresql" in server.log()
