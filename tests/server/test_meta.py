"""/healthz, /openapi.json and /docs."""

from __future__ import annotations

import re

import pytest

from tests.server.harness import Api
from tests.server.otlp import chat_trace, to_protobuf

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


async def test_docs_page_works_offline(api: Api) -> None:
    # Every asset the page loads is served by Spyglass itself: no CDN, no network.
    html = (await api.client.get("/docs")).text
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", html)
    assert assets, html
    for url in assets:
        assert url.startswith("/static/"), f"/docs loads {url} from outside the server"
        resp = await api.client.get(url)
        assert resp.status_code == 200, url
        assert len(resp.content) > 500, url  # real files, not error pages
    assert "cdn" not in html.lower()


async def test_server_figures_count_written_spans_and_write_time(api: Api) -> None:
    before = await api.get_json("/api/server")
    await api.ingest_ok(to_protobuf(chat_trace(1)))
    after = await api.get_json("/api/server")
    assert after["database"] in ("sqlite", "postgresql")
    assert after["written_spans"] - before["written_spans"] == 2
    # Seconds in the store's write: what benchmarks/ingest.py divides into a rate bound.
    assert after["write_seconds"] > before["write_seconds"] >= 0
    assert after["cpu_seconds"] > 0 and after["rss_bytes"] > 0
