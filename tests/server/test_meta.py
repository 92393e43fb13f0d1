"""/healthz, /openapi.json and /docs."""

from __future__ import annotations

import pytest

from tests.server.harness import Api

pytestmark = pytest.mark.anyio


async def test_healthz(api: Api) -> None:
    resp = await api.client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


async def test_openapi_lists_the_fixed_routes(api: Api) -> None:
    resp = await api.client.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["info"]["title"] == "Spyglass"
    paths = doc["paths"]
    assert "post" in paths["/v1/traces"]
    assert "get" in paths["/api/traces"]
    assert "get" in paths["/api/traces/{trace_id}"]
    assert "get" in paths["/api/traces/{trace_id}/spans/{span_id}"]
    assert {"get", "post"} <= set(paths["/api/scores"])
    for path in ("/api/sessions", "/api/users", "/api/metrics", "/healthz"):
        assert "get" in paths[path], path
    # The key is documented as a security scheme, so /docs can send it.
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}


async def test_docs_page_loads(api: Api) -> None:
    resp = await api.client.get("/docs")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in resp.text
    assert "swagger" in resp.text.lower()
