"""ChatModel against the fake OpenAI upstream, driven by the real openai package."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest

from spyglass.exceptions import CheckError, ConfigError
from spyglass.llm import ChatModel, Completion, LLMCache, LLMError
from tests.fakes.openai_upstream import FakeOpenAI, Reply, Script

MESSAGES = [{"role": "user", "content": "Say hello."}]
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"],
            "additionalProperties": False,
        },
    },
}

Make = Callable[..., ChatModel]


def _chat_requests(fake: FakeOpenAI, since: int = 0) -> list[dict[str, Any]]:
    return [r.body for r in fake.requests[since:] if r.path == "/v1/chat/completions"]


def test_complete_returns_text_usage_and_raw(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(reply="Hi.", prompt_tokens=7, completion_tokens=3)
    before = len(fake.requests)
    got = make_model().complete(MESSAGES)

    assert isinstance(got, Completion)
    assert (got.text, got.cached) == ("Hi.", False)
    assert (got.usage.prompt_tokens, got.usage.completion_tokens, got.usage.total_tokens) == (
        7,
        3,
        10,
    )
    assert got.raw["object"] == "chat.completion"
    assert len(got.key) == 64
    (body,) = _chat_requests(fake, before)
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.0
    assert "max_tokens" not in body
    assert "response_format" not in body


def test_parameters_reach_the_endpoint(fake: FakeOpenAI, make_model: Make) -> None:
    before = len(fake.requests)
    model = make_model(temperature=0.7, max_tokens=50)
    model.complete(MESSAGES, seed=3, temperature=0.2, logprobs=True, top_logprobs=2)
    (body,) = _chat_requests(fake, before)
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.2, 50, 3)
    assert (body["logprobs"], body["top_logprobs"]) == (True, 2)


def test_json_schema_response_format_is_sent_when_asked(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(reply='{"answer": "hi"}')
    before = len(fake.requests)
    model = make_model()
    got = model.complete(MESSAGES, response_format=SCHEMA)
    (body,) = _chat_requests(fake, before)
    assert body["response_format"] == SCHEMA
    assert json.loads(got.text) == {"answer": "hi"}
    assert model.supports_json_schema


def _refuses_schema(body: dict[str, Any]) -> str | Reply:
    if "response_format" in body:
        return Reply("Invalid parameter: 'response_format' of type 'json_schema'.", status=400)
    return '{"answer": "hi"}'


def test_400_on_response_format_falls_back_to_instructions_and_remembers(
    fake: FakeOpenAI, make_model: Make
) -> None:
    fake.script = Script(handler=_refuses_schema)
    before = len(fake.requests)
    model = make_model()
    got = model.complete(MESSAGES, response_format=SCHEMA)

    assert got.text == '{"answer": "hi"}'
    first, retry = _chat_requests(fake, before)
    assert first["response_format"] == SCHEMA
    assert "response_format" not in retry
    system = retry["messages"][0]
    assert system["role"] == "system"
    assert "JSON Schema" in system["content"]
    assert '"answer"' in system["content"]
    assert retry["messages"][1:] == MESSAGES
    assert not model.supports_json_schema

    # Remembered: the next request goes straight to instructions, one call.
    model.complete([{"role": "system", "content": "Be brief."}, *MESSAGES], response_format=SCHEMA)
    (third,) = _chat_requests(fake, before + 2)
    assert "response_format" not in third
    assert third["messages"][0]["content"].startswith("Be brief.\n\n")
    assert model.stats.calls == 3


def test_400_without_response_format_is_an_llm_error(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(error_status=400, error_message="bad model")
    model = make_model()
    with pytest.raises(LLMError, match=r"HTTP 400: bad model") as info:
        model.complete(MESSAGES, response_format=None)
    assert info.value.status == 400
    assert isinstance(info.value, CheckError)
    assert model.stats.errors == 1


def test_400_in_both_attempts_is_an_error_and_schema_stays_supported(
    fake: FakeOpenAI, make_model: Make
) -> None:
    fake.script = Script(error_status=400)
    model = make_model()
    with pytest.raises(LLMError, match="HTTP 400"):
        model.complete(MESSAGES, response_format=SCHEMA)
    assert model.supports_json_schema
    assert model.stats.calls == 2


def test_500_after_sdk_retries_is_an_llm_error(fake: FakeOpenAI, make_model: Make) -> None:
    # retry-after-ms keeps the SDK's backoff at a millisecond: the test does not wait.
    fake.script = Script(
        error_status=500, error_message="upstream down", error_headers={"retry-after-ms": "1"}
    )
    before = len(fake.requests)
    model = make_model(max_retries=2)
    with pytest.raises(LLMError, match="HTTP 500: upstream down") as info:
        model.complete(MESSAGES)
    assert info.value.status == 500
    assert len(_chat_requests(fake, before)) == 3  # the first try and two SDK retries


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_timeout_is_an_llm_error(make_model: Make, silent_port: int) -> None:
    model = make_model(base_url=f"http://127.0.0.1:{silent_port}/v1", timeout=0.05)
    with pytest.raises(LLMError, match="timed out"):
        model.complete(MESSAGES)


def test_unreachable_endpoint_is_an_llm_error(make_model: Make) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = make_model(base_url=f"http://127.0.0.1:{port}/v1")
    with pytest.raises(LLMError, match="cannot reach"):
        model.complete(MESSAGES)


def test_acomplete(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(reply="async hi")
    model = make_model()

    async def main() -> list[Completion]:
        return list(
            await asyncio.gather(
                model.acomplete(MESSAGES),
                model.acomplete([{"role": "user", "content": "other"}]),
            )
        )

    first = asyncio.run(main())
    assert [c.text for c in first] == ["async hi", "async hi"]
    assert [c.cached for c in first] == [False, False]
    # A second event loop gets its own connection pool, and the cache answers.
    again = asyncio.run(main())
    assert [c.cached for c in again] == [True, True]
    assert model.stats.calls == 2


def test_async_errors_are_llm_errors(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(error_status=503, error_message="overloaded")
    model = make_model()
    with pytest.raises(LLMError, match="HTTP 503"):
        asyncio.run(model.acomplete(MESSAGES))


def test_async_400_fallback(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(handler=_refuses_schema)
    model = make_model()
    got = asyncio.run(model.acomplete(MESSAGES, response_format=SCHEMA))
    assert got.text == '{"answer": "hi"}'
    assert not model.supports_json_schema


def test_missing_api_key_fails_only_when_the_endpoint_is_needed(
    fake: FakeOpenAI, make_model: Make, cache: LLMCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_model().complete(MESSAGES)  # fills the cache
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keyless = make_model(api_key=None)
    assert keyless.complete(MESSAGES).cached
    with pytest.raises(LLMError, match="no API key"):
        keyless.complete([{"role": "user", "content": "not cached"}])
    with pytest.raises(LLMError, match="no API key"):
        asyncio.run(keyless.acomplete([{"role": "user", "content": "not cached"}]))


def test_missing_openai_package_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ConfigError, match=r"pip install 'spyglass\[evals\]'"):
        ChatModel("gpt-4o-mini", cache=None)


def test_model_name_is_required() -> None:
    with pytest.raises(ConfigError):
        ChatModel("", cache=None)


def test_the_real_openai_package_is_the_client(make_model: Make) -> None:
    model = make_model()
    assert isinstance(model._sync, openai.OpenAI)
