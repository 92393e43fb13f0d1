"""Cost at ingest through the real OTLP path, and the /api/prices routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spyglass.storage.sql.store import SqlStore
from tests.server.harness import Api, bearer, running_app
from tests.server.otlp import MS, T0, SpanSpec, chat_trace, sid, tid, to_json, to_protobuf

pytestmark = pytest.mark.anyio


def llm_span(n: int, model: str, **attrs: Any) -> SpanSpec:
    """An OTel GenAI chat span starting at T0 (2025-06-15)."""
    return SpanSpec(
        tid(n),
        sid(n, 1),
        f"chat {model}",
        T0,
        T0 + 500 * MS,
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            **attrs,
        },
        kind=3,
    )


async def _span(api: Api, n: int, span_n: int = 1, key: str | None = None) -> Any:
    resp = await api.get(f"/api/traces/{tid(n)}/spans/{sid(n, span_n)}", key=key)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_ingest_computes_cost_with_cached_and_reasoning_tokens(api: Api) -> None:
    spans = [
        llm_span(
            1,
            "gpt-4o",
            **{
                "gen_ai.response.model": "gpt-4o-2024-08-06",
                "gen_ai.usage.input_tokens": 1000,
                "gen_ai.usage.cache_read.input_tokens": 400,
                "gen_ai.usage.output_tokens": 100,
            },
        ),
        llm_span(
            2,
            "o4-mini",
            **{
                "gen_ai.response.model": "o4-mini-2025-04-16",
                "gen_ai.usage.input_tokens": 1000,
                "gen_ai.usage.output_tokens": 500,
                "gen_ai.usage.reasoning_tokens": 300,
                "gen_ai.usage.cost": 0.01,  # what the provider (or another SDK) said
            },
        ),
        llm_span(
            3,
            "claude-sonnet-4-5",
            **{
                "gen_ai.provider.name": "anthropic",
                "gen_ai.usage.input_tokens": 100,  # Anthropic's count, without the cache
                "gen_ai.usage.cache_read.input_tokens": 100,
                "gen_ai.usage.cache_creation.input_tokens": 1000,
                "gen_ai.usage.output_tokens": 50,
            },
        ),
        llm_span(
            4,
            "my-own-model",
            **{
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 10,
                "llm.cost.total": 0.42,
            },
        ),
        llm_span(5, "my-own-model", **{"gen_ai.usage.input_tokens": 10}),
    ]
    await api.ingest_ok(to_protobuf(spans))

    s1 = await _span(api, 1)
    assert (s1["cost"], s1["cost_reported"]) == (0.003, None)
    s2 = await _span(api, 2)
    assert (s2["cost"], s2["cost_reported"]) == (0.0033, 0.01)  # computed, reported beside
    s3 = await _span(api, 3)
    assert s3["input_tokens"] == 1200  # mapping added the cache back
    assert s3["cost"] == 0.00483
    s4 = await _span(api, 4)
    assert (s4["cost"], s4["cost_reported"]) == (0.42, 0.42)  # unknown model: the reported one
    s5 = await _span(api, 5)
    assert (s5["cost"], s5["cost_reported"]) == (None, None)  # never guessed


async def test_openinference_trace_totals_include_cost(api: Api) -> None:
    # A CHAIN root (not priced, not counted) and one OpenInference LLM span with cached tokens.
    spans = chat_trace(7, model="gpt-4o-mini-2024-07-18", input_tokens=2000, output_tokens=100)
    spans[1].attributes["llm.token_count.prompt_details.cache_read"] = 1500
    spans[0].attributes["llm.token_count.prompt"] = 2000  # repeated usage on the chain
    await api.ingest_ok(to_json(spans), media="application/json")
    llm = await _span(api, 7, 2)
    assert llm["cost"] == 0.0002475  # 500 x 0.15 + 1500 x 0.075 + 100 x 0.60, per 1M
    chain = await _span(api, 7, 1)
    assert chain["cost"] is None
    trace = await api.get_json(f"/api/traces/{tid(7)}")
    assert trace["trace"]["cost"] == pytest.approx(0.0002475)
    sessions = await api.get_json("/api/sessions")
    assert sessions["items"][0]["cost"] == pytest.approx(0.0002475)


async def test_prices_crud_and_project_isolation(api: Api) -> None:
    listing = await api.get_json("/api/prices")
    by_model = {m["model"]: m for m in listing["models"]}
    assert listing["version"] and listing["unit"] == "per 1M tokens"
    assert by_model["gpt-4o-mini"]["source"] == "shipped"
    assert by_model["gpt-4o-mini"]["prices"][0]["input"] == 0.15
    assert "claude-sonnet-4-5-20250929" in by_model["claude-sonnet-4-5"]["aliases"]

    resp = await api.client.put(
        "/api/prices/gpt-4o-mini",
        json={"input": 0.1, "output": 0.5, "cache_read": 0.01},
        headers=bearer(api.key),
    )
    assert resp.status_code == 200, resp.text
    entry = resp.json()
    assert (entry["source"], entry["prices"][0]["input"]) == ("project", 0.1)
    assert "gpt-4o-mini-2024-07-18" in entry["aliases"]  # the shipped aliases still lead here

    resp = await api.client.put(
        "/api/prices/acme/Custom-1",
        json={"input": 1, "output": 2, "effective_from": "2025-01-01"},
        headers=bearer(api.key),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["prices"][0]["effective_from"] == "2025-01-01T00:00:00Z"

    mine = {m["model"]: m for m in (await api.get_json("/api/prices"))["models"]}
    assert mine["gpt-4o-mini"]["source"] == "project"
    assert mine["acme/custom-1"]["source"] == "project"
    theirs = (await api.get("/api/prices", key=api.beta_key)).json()
    theirs_by_model = {m["model"]: m for m in theirs["models"]}
    assert theirs_by_model["gpt-4o-mini"]["source"] == "shipped"
    assert "acme/custom-1" not in theirs_by_model

    # Ingest applies the project's prices at once; the other project keeps the list price.
    body = to_protobuf(
        chat_trace(1, model="gpt-4o-mini-2024-07-18", input_tokens=1000, output_tokens=1000)
    )
    await api.ingest_ok(body)
    assert (await api.ingest(body, key=api.beta_key)).status_code == 200
    assert (await _span(api, 1, 2))["cost"] == 0.0006  # 1000 x 0.1 + 1000 x 0.5
    assert (await _span(api, 1, 2, key=api.beta_key))["cost"] == 0.00075
    custom = llm_span(
        2, "Custom-1", **{"gen_ai.provider.name": "acme", "gen_ai.usage.input_tokens": 1000}
    )
    await api.ingest_ok(to_protobuf([custom]))
    assert (await _span(api, 2))["cost"] == 0.001  # found as provider/model

    # DELETE: by the beta key it is not found; by the owner it is gone, and ingest follows.
    resp = await api.client.delete("/api/prices/gpt-4o-mini", headers=bearer(api.beta_key))
    assert resp.status_code == 404
    assert "no custom price" in resp.json()["error"]["message"]
    resp = await api.client.delete("/api/prices/gpt-4o-mini", headers=bearer(api.key))
    assert resp.status_code == 204
    again = {m["model"]: m for m in (await api.get_json("/api/prices"))["models"]}
    assert again["gpt-4o-mini"]["source"] == "shipped"
    resp = await api.client.delete(
        "/api/prices/acme/custom-1",
        params={"effective_from": "2025-01-02"},
        headers=bearer(api.key),
    )
    assert resp.status_code == 404
    # "²" is a digit to str.isdigit() but not to int(): a 400, not a 500.
    resp = await api.client.delete(
        "/api/prices/acme/custom-1",
        params={"effective_from": "\u00b2"},
        headers=bearer(api.key),
    )
    assert resp.status_code == 400
    assert "effective_from" in resp.json()["error"]["message"]
    resp = await api.client.delete(
        "/api/prices/acme/custom-1",
        params={"effective_from": "1" * 4_301},  # more digits than int() takes
        headers=bearer(api.key),
    )
    assert resp.status_code == 400
    assert "effective_from is out of range" in resp.json()["error"]["message"]
    resp = await api.client.delete(
        "/api/prices/acme/custom-1",
        params={"effective_from": "2025-01-01"},
        headers=bearer(api.key),
    )
    assert resp.status_code == 204


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"input": -1, "output": 1}, "input: Input should be greater than or equal to 0"),
        ({"input": 1}, "output: Field required"),
        ({"input": 1, "output": 1, "cached": 1}, "cached: Extra inputs are not permitted"),
        ({"input": True, "output": 1}, "input: Input should be a valid number"),
        ({"input": "1", "output": 1}, "input: Input should be a valid number"),
        ({"input": 1, "output": 1, "effective_from": "someday"}, "effective_from: expected"),
        ({"input": 1, "output": 1, "effective_from": -5}, "effective_from: out of range"),
    ],
)
async def test_bad_prices_are_refused(api: Api, body: dict[str, Any], words: str) -> None:
    resp = await api.client.put("/api/prices/gpt-4o", json=body, headers=bearer(api.key))
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_request"
    assert words in resp.json()["error"]["message"]
    listing = {m["model"]: m for m in (await api.get_json("/api/prices"))["models"]}
    assert listing["gpt-4o"]["source"] == "shipped"


async def test_prices_need_a_key(api: Api) -> None:
    assert (await api.client.get("/api/prices")).status_code == 401
    resp = await api.client.put("/api/prices/x", json={"input": 1, "output": 1})
    assert resp.status_code == 401


async def test_prices_file_setting(sqlite_store: SqlStore, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps({"models": {"gpt-4o": {"prices": [{"input": 1, "output": 1}]}}}),
        encoding="utf-8",
    )
    key = sqlite_store.create_key("alpha").secret
    async with running_app(sqlite_store, tmp_path, prices_file=str(prices)) as client:
        api = Api(client, sqlite_store, key, key)
        listing = {m["model"]: m for m in (await api.get_json("/api/prices"))["models"]}
        assert listing["gpt-4o"]["source"] == "file"
        assert "gpt-4o-2024-11-20" in listing["gpt-4o"]["aliases"]
        await api.ingest_ok(
            to_protobuf(
                [
                    llm_span(
                        1,
                        "gpt-4o-2024-11-20",
                        **{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 1000},
                    )
                ]
            )
        )
        assert (await _span(api, 1))["cost"] == 0.002


def test_a_bad_prices_file_stops_the_server(tmp_path: Path) -> None:
    from spyglass.exceptions import ConfigError
    from spyglass.server.app import create_app
    from spyglass.settings import load_settings

    bad = tmp_path / "prices.json"
    bad.write_text('{"models": {"m": {"prices": [{"input": -1, "output": 1}]}}}', "utf-8")
    settings = load_settings({"home": str(tmp_path), "prices_file": str(bad)}, environ={})
    with pytest.raises(ConfigError, match="must be a finite number >= 0"):
        create_app(settings)
