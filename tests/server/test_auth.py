"""API keys: required on every route but /healthz; Bearer or x-api-key; revocation."""

from __future__ import annotations

import httpx
import pytest

from tests.server.harness import Api, bearer, span_ids
from tests.server.otlp import PROTOBUF, chat_trace, tid, to_protobuf

pytestmark = pytest.mark.anyio

ROUTES = [
    ("GET", "/api/traces"),
    ("GET", f"/api/traces/{tid(1)}"),
    ("GET", f"/api/traces/{tid(1)}/spans/{'0' * 15}1"),
    ("GET", "/api/sessions"),
    ("GET", "/api/users"),
    ("GET", "/api/metrics"),
    ("GET", "/api/scores"),
    ("POST", "/api/scores"),
    ("GET", "/api/project"),
    ("POST", "/v1/traces"),
]


def _assert_401(resp: httpx.Response, words: str) -> None:
    assert resp.status_code == 401, resp.text
    err = resp.json()["error"]
    assert err["code"] == "unauthorized"
    assert words in err["message"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_needs_a_key(api: Api, method: str, path: str) -> None:
    resp = await api.client.request(method, path, json={})
    _assert_401(resp, "an API key is required")


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_refuses_a_wrong_key(api: Api, method: str, path: str) -> None:
    resp = await api.client.request(method, path, json={}, headers=bearer("sg-not-a-key"))
    _assert_401(resp, "unknown or revoked")
    resp = await api.client.request(method, path, json={}, headers={"x-api-key": "nope"})
    _assert_401(resp, "unknown or revoked")


async def test_wrong_key_on_ingest_stores_nothing(api: Api) -> None:
    resp = await api.ingest(to_protobuf(chat_trace(1)), key="sg-wrong")
    _assert_401(resp, "unknown or revoked")
    assert span_ids(api.store) == set()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda k: {"Authorization": f"Bearer {k}"}, id="bearer"),
        pytest.param(lambda k: {"Authorization": f"bearer {k}"}, id="bearer-lowercase"),
        pytest.param(lambda k: {"x-api-key": k}, id="x-api-key"),
    ],
)
async def test_bearer_and_x_api_key_both_work(api: Api, headers) -> None:  # type: ignore[no-untyped-def]
    h = headers(api.key)
    resp = await api.client.post(
        "/v1/traces", content=to_protobuf(chat_trace(1)), headers={"Content-Type": PROTOBUF, **h}
    )
    assert resp.status_code == 200, resp.text
    resp = await api.client.get("/api/traces", headers=h)
    assert resp.status_code == 200, resp.text
    assert [t["trace_id"] for t in resp.json()["items"]] == [tid(1)]
    resp = await api.client.get("/api/project", headers=h)
    assert resp.json()["name"] == "alpha"


async def test_revoked_key_is_refused_after_the_cache_expires(api: Api) -> None:
    # The app runs with key_cache_seconds=0, so revocation takes effect on the next request.
    created = api.store.create_key("alpha", name="short-lived")
    resp = await api.ingest(to_protobuf(chat_trace(1)), key=created.secret)
    assert resp.status_code == 200

    api.store.revoke_key(str(created.info.id))

    resp = await api.ingest(to_protobuf(chat_trace(2)), key=created.secret)
    _assert_401(resp, "unknown or revoked")
    resp = await api.get("/api/traces", key=created.secret)
    _assert_401(resp, "unknown or revoked")
    assert {t for t, _ in span_ids(api.store)} == {tid(1)}
    # The project's other key is untouched.
    assert (await api.get("/api/traces")).status_code == 200


async def test_healthz_needs_no_key(api: Api) -> None:
    resp = await api.client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "queued_spans": 0, "queued_bytes": 0}
