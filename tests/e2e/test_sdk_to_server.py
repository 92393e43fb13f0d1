"""The SDK into a real server: ``configure`` + ``instrument_openai`` + ``@observe`` against
the fake OpenAI upstream, then the query API shows the trace, its LLM spans, and the score."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

import spyglass
from tests.e2e.harness import ServerProcess, client, make_key, poll
from tests.fakes.openai_upstream import DEFAULT_REPLY, FakeOpenAI, Script

pytestmark = pytest.mark.e2e

MODEL = "gpt-4o-mini"
SNAPSHOT = "gpt-4o-mini-2024-07-18"  # the answering model: an alias of gpt-4o-mini's price
QUESTION = "Where is my order?"
# Spans arrive through the server's ingest queue; poll for them this long at most.
ARRIVAL_TIMEOUT_S = 15.0


@pytest.fixture
def sdk(
    shared_server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The SDK configured to export to the server; yields the project's API key."""
    monkeypatch.setenv("SPYGLASS_HOME", str(tmp_path))  # no developer config file
    key = make_key(shared_server.db_url, "sdk-e2e")
    # Not the global OpenTelemetry provider: it could not be unset for the tests that follow.
    spyglass.configure(
        endpoint=shared_server.url,
        api_key=key,
        service_name="support-bot",
        environment="e2e",
        release="1.2.3",
        set_global_provider=False,
    )
    try:
        assert spyglass.instrument_openai()
        yield key
    finally:
        from spyglass.sdk.instrumentation import uninstrument_all

        uninstrument_all()
        spyglass.shutdown()


def test_observed_openai_app_shows_up_in_the_server(shared_server: ServerProcess, sdk: str) -> None:
    with (
        FakeOpenAI(Script(model=SNAPSHOT, cached_tokens=4)) as fake,
        openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0) as llm,
    ):

        @spyglass.observe(name="answer")
        def answer(question: str) -> str:
            spyglass.update_trace(
                user_id="user-42", session_id="sess-7", tags=["e2e"], metadata={"plan": "pro"}
            )
            messages = [{"role": "user", "content": question}]
            first = llm.chat.completions.create(model=MODEL, messages=messages)
            with llm.chat.completions.create(
                model=MODEL,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            ) as stream:
                second = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            spyglass.score("thumbs", False, comment="slow answer")
            return f"{first.choices[0].message.content} / {second}"

        assert answer(QUESTION) == f"{DEFAULT_REPLY} / {DEFAULT_REPLY}"
    assert spyglass.flush(ARRIVAL_TIMEOUT_S) is True

    with client(shared_server, sdk) as api:
        listed = poll(api, "/api/traces", lambda page: len(page["items"]) == 1)
        trace_id = listed["items"][0]["trace_id"]
        detail = poll(api, f"/api/traces/{trace_id}", lambda d: d["trace"]["span_count"] == 3)
        trace = detail["trace"]
        assert trace["name"] == "answer"
        assert (trace["user_id"], trace["session_id"]) == ("user-42", "sess-7")
        assert trace["tags"] == ["e2e"]
        assert trace["metadata"] == {"plan": "pro"}
        assert (trace["service"], trace["environment"], trace["release"]) == (
            "support-bot",
            "e2e",
            "1.2.3",
        )
        assert trace["models"] == [SNAPSHOT]
        assert (trace["input_tokens"], trace["output_tokens"], trace["total_tokens"]) == (
            38,
            20,
            58,
        )
        assert trace["status"] == "OK"

        root, *llm_nodes = detail["spans"]
        assert (root["name"], root["kind"], root["parent_span_id"]) == ("answer", "CHAIN", None)
        assert [n["kind"] for n in llm_nodes] == ["LLM", "LLM"]
        assert {n["parent_span_id"] for n in llm_nodes} == {root["span_id"]}

        root_span = api.get(f"/api/traces/{trace_id}/spans/{root['span_id']}").json()
        assert root_span["input"] == f'{{"question": "{QUESTION}"}}'
        assert root_span["output"] == f"{DEFAULT_REPLY} / {DEFAULT_REPLY}"

        spans = [api.get(f"/api/traces/{trace_id}/spans/{n['span_id']}").json() for n in llm_nodes]
        plain, streamed = sorted(spans, key=lambda s: s["start_ns"])
        for span in (plain, streamed):
            assert span["name"] == f"chat {MODEL}"
            assert (span["model"], span["provider"]) == (SNAPSHOT, "openai")
            assert (span["input_tokens"], span["output_tokens"], span["total_tokens"]) == (
                19,
                10,
                29,
            )
            assert span["cache_read_tokens"] == 4
            assert span["input"] == [{"role": "user", "content": QUESTION}]
            assert span["output"] == [
                {"role": "assistant", "content": DEFAULT_REPLY, "finish_reason": "stop"}
            ]
            _assert_cost(span)
        assert plain["ttft_ms"] is None
        assert streamed["ttft_ms"] is not None
        assert 0 < streamed["ttft_ms"] < streamed["duration_ms"] + 1

        scores = poll(api, f"/api/scores?trace_id={trace_id}", lambda p: len(p["items"]) == 1)
        [score] = scores["items"]
        assert (score["name"], score["value"], score["comment"]) == ("thumbs", False, "slow answer")
        assert (score["trace_id"], score["source"]) == (trace_id, "human")
        assert score["span_id"] == root["span_id"]
        detail = api.get(f"/api/traces/{trace_id}").json()
        assert [s["id"] for s in detail["scores"]] == [score["id"]]


def _assert_cost(span: dict[str, Any]) -> None:
    if importlib.util.find_spec("spyglass.pricing") is None:
        # No pricing engine in this tree yet: the server cannot price the span.
        assert span["cost"] is None
        return
    from spyglass.pricing import compute_cost

    expected = compute_cost(MODEL, "openai", 19, 10, cache_read_tokens=4, at_ns=span["start_ns"])
    assert expected is not None
    # OpenAI's list price for gpt-4o-mini: $0.15 per million input tokens, $0.075 cached,
    # $0.60 output: 15 uncached + 4 cached + 10 output tokens.
    assert expected.total == pytest.approx((15 * 0.15 + 4 * 0.075 + 10 * 0.60) / 1e6)
    assert span["cost"] == pytest.approx(expected.total)
