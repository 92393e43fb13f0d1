"""The fake OpenAI upstream speaks a wire format the real SDK accepts, and every
instrumentor emits spans against it: the premise of our ingest-mapping tests."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from openai import BadRequestError, OpenAI
from openai.types.chat import ChatCompletionMessageParam

from .instrumentors import (
    CHAT_RESPONSE_MODEL,
    SCENARIO_STEPS,
    WEATHER_TOOL,
    available_instrumentors,
    run_scenario,
)
from .openai_upstream import FakeOpenAI, Script

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello."}]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def client(fake: FakeOpenAI) -> Iterator[OpenAI]:
    fake.script = Script()
    with OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0) as sdk:
        yield sdk


def test_base_url_is_loopback_v1(fake: FakeOpenAI) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.base_url.endswith("/v1")


def test_chat_completion(fake: FakeOpenAI, client: OpenAI) -> None:
    fake.script = Script(
        reply="Hi there.", model="gpt-4o-mini-2024-07-18", cached_tokens=4, reasoning_tokens=2
    )
    before = len(fake.requests)
    resp = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert resp.object == "chat.completion"
    assert resp.model == "gpt-4o-mini-2024-07-18"
    assert resp.choices[0].message.content == "Hi there."
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (19, 10)
    assert resp.usage.total_tokens == 29
    assert resp.usage.prompt_tokens_details is not None
    assert resp.usage.prompt_tokens_details.cached_tokens == 4
    assert resp.usage.completion_tokens_details is not None
    assert resp.usage.completion_tokens_details.reasoning_tokens == 2
    [req] = fake.requests[before:]
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.body["messages"] == MESSAGES
    assert req.headers["authorization"] == "Bearer sk-test"


def test_streamed_chat_with_usage(client: OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content for c in chunks if c.choices]
    assert len([piece for piece in content if piece]) > 1, "content must arrive in pieces"
    assert "".join(piece or "" for piece in content) == Script().reply
    assert chunks[-2].choices[0].finish_reason == "stop"
    # OpenAI: every chunk but the last has usage null; the last has no choices.
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 29


def test_streamed_chat_without_usage_has_no_usage_chunk(client: OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert all(c.choices for c in chunks)
    assert all(c.usage is None for c in chunks)


def test_tool_call(client: OpenAI) -> None:
    resp = client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, tools=[WEATHER_TOOL]
    )

    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls or []
    assert call.type == "function"
    assert call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Paris, France", "unit": "celsius"}


def test_streamed_tool_call_arguments_arrive_in_pieces(client: OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, tools=[WEATHER_TOOL], stream=True
        )
    )

    deltas = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert deltas[0].id is not None
    assert deltas[0].function is not None
    assert deltas[0].function.name == "get_weather"
    pieces = [d.function.arguments for d in deltas[1:] if d.function and d.function.arguments]
    assert len(pieces) > 1
    assert json.loads("".join(pieces)) == {"location": "Paris, France", "unit": "celsius"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_embeddings(fake: FakeOpenAI, client: OpenAI) -> None:
    before = len(fake.requests)
    resp = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])

    assert resp.model == "text-embedding-3-small"
    assert [e.index for e in resp.data] == [0, 1]
    assert all(len(e.embedding) == 8 for e in resp.data)
    assert (resp.usage.prompt_tokens, resp.usage.total_tokens) == (5, 5)
    # The SDK asks for base64 by default and decodes it; the fake must honour that.
    [req] = fake.requests[before:]
    assert req.body["encoding_format"] == "base64"


def test_float_embeddings(client: OpenAI) -> None:
    resp = client.embeddings.create(model="e", input="a", encoding_format="float", dimensions=3)
    assert len(resp.data[0].embedding) == 3


def test_scripted_error(fake: FakeOpenAI, client: OpenAI) -> None:
    fake.script = Script(error_status=400)
    with pytest.raises(BadRequestError, match="does not exist"):
        client.chat.completions.create(model="does-not-exist", messages=MESSAGES)


def test_all_instrumentors_are_installed() -> None:
    # The dev environment installs every one of them; a silent skip would hide drift.
    assert set(available_instrumentors()) >= {"openinference", "openllmetry", "otel_genai"}


@pytest.mark.parametrize("instrumentor", available_instrumentors())
def test_instrumentor_emits_a_span_per_call(fake: FakeOpenAI, instrumentor: str) -> None:
    capture = run_scenario(instrumentor, fake)

    assert capture.spans
    for step in SCENARIO_STEPS:
        assert len(capture.steps[step]) == 1, (instrumentor, step)
    rendered = json.dumps([dict(s.attributes or {}) for s in capture.steps["chat"]], default=str)
    assert CHAT_RESPONSE_MODEL in rendered


def test_instrumentors_run_back_to_back(fake: FakeOpenAI) -> None:
    """Each run uninstruments fully, so a later run sees only its own spans."""
    names = available_instrumentors()
    captures = [run_scenario(name, fake) for name in names]
    again = run_scenario(names[0], fake)

    for capture in [*captures, again]:
        scopes = {str(s.instrumentation_scope) for s in capture.spans}
        assert len(capture.spans) == len(SCENARIO_STEPS), (capture.instrumentor, scopes)
