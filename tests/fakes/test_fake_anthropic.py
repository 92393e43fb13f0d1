"""The fake Anthropic upstream speaks a wire format the real ``anthropic`` SDK
accepts: plain and streamed messages, sync and async, tool use, and errors."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest
from anthropic import Anthropic, AsyncAnthropic
from anthropic.types import MessageParam, TextBlock, ToolParam, ToolUseBlock

from .anthropic_upstream import DEFAULT_REPLY, DEFAULT_TOOL_INPUT, FakeAnthropic, Script

MODEL = "claude-haiku-4-5"
SNAPSHOT = "claude-haiku-4-5-20251001"
MESSAGES: list[MessageParam] = [{"role": "user", "content": "Say hello."}]
WEATHER_TOOL: ToolParam = {
    "name": "get_weather",
    "description": "Get the current weather in a given location.",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def client(fake: FakeAnthropic) -> Iterator[Anthropic]:
    fake.script = Script()
    with Anthropic(base_url=fake.base_url, api_key="test", max_retries=0) as sdk:
        yield sdk


def test_base_url_is_loopback(fake: FakeAnthropic) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert not fake.base_url.endswith("/v1"), "the SDK appends /v1/messages itself"


def test_not_started_has_no_base_url() -> None:
    with pytest.raises(RuntimeError):
        _ = FakeAnthropic().base_url


def test_start_stop_without_context_manager() -> None:
    server = FakeAnthropic().start()
    try:
        with Anthropic(base_url=server.base_url, api_key="test", max_retries=0) as sdk:
            msg = sdk.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
        assert msg.content[0].type == "text"
    finally:
        server.stop()
    server.stop()  # idempotent


def test_create_message(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(
        reply="Hi there.",
        model=SNAPSHOT,
        input_tokens=30,
        output_tokens=7,
        cache_creation_input_tokens=11,
        cache_read_input_tokens=5,
    )
    before = len(fake.requests)
    msg = client.messages.create(model=MODEL, max_tokens=64, system="Be brief.", messages=MESSAGES)

    assert msg.id.startswith("msg_")
    assert (msg.type, msg.role, msg.model) == ("message", "assistant", SNAPSHOT)
    [block] = msg.content
    assert isinstance(block, TextBlock)
    assert block.text == "Hi there."
    assert (msg.stop_reason, msg.stop_sequence) == ("end_turn", None)
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (30, 7)
    assert msg.usage.cache_creation_input_tokens == 11
    assert msg.usage.cache_read_input_tokens == 5
    assert msg._request_id is not None
    assert msg._request_id.startswith("req_")

    [req] = fake.requests[before:]
    assert (req.method, req.path) == ("POST", "/v1/messages")
    assert req.body["model"] == MODEL
    assert req.body["messages"] == MESSAGES
    assert req.body["system"] == "Be brief."
    assert req.body["max_tokens"] == 64
    assert "stream" not in req.body
    # This SDK generation sends the key as a bearer token (older ones used x-api-key).
    assert req.headers["authorization"] == "Bearer test"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", req.headers["anthropic-version"])


def test_model_echoed_by_default(client: Anthropic) -> None:
    msg = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    assert msg.model == MODEL
    assert msg.content[0].type == "text"
    assert msg.content[0].text == DEFAULT_REPLY
    assert msg.usage.cache_creation_input_tokens == 0
    assert msg.usage.cache_read_input_tokens == 0


def test_async_create(fake: FakeAnthropic) -> None:
    fake.script = Script(reply="Async hello.", model=SNAPSHOT, cache_read_input_tokens=3)

    async def run() -> anthropic.types.Message:
        async with AsyncAnthropic(base_url=fake.base_url, api_key="test", max_retries=0) as sdk:
            return await sdk.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    msg = asyncio.run(run())
    assert msg.model == SNAPSHOT
    assert isinstance(msg.content[0], TextBlock)
    assert msg.content[0].text == "Async hello."
    assert msg.usage.cache_read_input_tokens == 3


def test_async_stream_helper(fake: FakeAnthropic) -> None:
    fake.script = Script(reply="Streamed asynchronously.")

    async def run() -> tuple[list[str], anthropic.types.Message]:
        async with (
            AsyncAnthropic(base_url=fake.base_url, api_key="test", max_retries=0) as sdk,
            sdk.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream,
        ):
            pieces = [text async for text in stream.text_stream]
            return pieces, await stream.get_final_message()

    pieces, final = asyncio.run(run())
    assert len(pieces) > 1
    assert "".join(pieces) == "Streamed asynchronously."
    assert final.stop_reason == "end_turn"


def test_create_stream_events(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(
        reply="Hello from the stream.",
        model=SNAPSHOT,
        input_tokens=25,
        output_tokens=15,
        cache_creation_input_tokens=4,
        cache_read_input_tokens=9,
    )
    before = len(fake.requests)
    with client.messages.create(
        model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
    ) as stream:
        events = list(stream)

    types = [e.type for e in events]  # the SDK drops ``ping``; see the raw-wire test
    assert types[0] == "message_start"
    assert types[1] == "content_block_start"
    assert types[-4:] == [
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0]
    assert start.type == "message_start"
    assert start.message.model == SNAPSHOT
    assert start.message.content == []
    assert start.message.stop_reason is None
    assert start.message.usage.input_tokens == 25
    assert start.message.usage.output_tokens == 1
    assert start.message.usage.cache_creation_input_tokens == 4
    assert start.message.usage.cache_read_input_tokens == 9

    texts = []
    for e in events:
        if e.type == "content_block_delta":
            assert e.index == 0
            assert e.delta.type == "text_delta"
            texts.append(e.delta.text)
    assert len(texts) > 1, "text must arrive in pieces"
    assert "".join(texts) == "Hello from the stream."

    delta = events[-2]
    assert delta.type == "message_delta"
    assert delta.delta.stop_reason == "end_turn"
    assert delta.delta.stop_sequence is None
    assert delta.usage.output_tokens == 15

    [req] = fake.requests[before:]
    assert req.body["stream"] is True


def test_stream_helper_final_message(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(
        reply="A streamed reply, accumulated.",
        model=SNAPSHOT,
        input_tokens=40,
        output_tokens=9,
        cache_read_input_tokens=32,
    )
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()

    assert len(pieces) > 1
    assert "".join(pieces) == "A streamed reply, accumulated."
    assert final.model == SNAPSHOT
    assert final.id.startswith("msg_")
    [block] = final.content
    assert isinstance(block, TextBlock)
    assert block.text == "A streamed reply, accumulated."
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (40, 9)
    assert final.usage.cache_read_input_tokens == 32


def test_tool_use(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(model=SNAPSHOT)
    msg = client.messages.create(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
    )

    assert msg.stop_reason == "tool_use"
    [block] = msg.content
    assert isinstance(block, ToolUseBlock)
    assert block.id.startswith("toolu_")
    assert block.name == "get_weather"
    assert block.input == DEFAULT_TOOL_INPUT
    assert fake.requests[-1].body["tools"][0]["name"] == "get_weather"


def test_tool_use_with_preamble_and_scripted_tool(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(
        tool_preamble="Let me check.", tool_name="lookup", tool_input={"q": "weather", "n": 3}
    )
    msg = client.messages.create(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
    )

    text, tool = msg.content
    assert isinstance(text, TextBlock)
    assert text.text == "Let me check."
    assert isinstance(tool, ToolUseBlock)
    assert (tool.name, tool.input) == ("lookup", {"q": "weather", "n": 3})


def test_tool_use_streamed(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(model=SNAPSHOT, output_tokens=33)
    with client.messages.create(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL], stream=True
    ) as stream:
        events = list(stream)

    [block_start] = [e for e in events if e.type == "content_block_start"]
    assert block_start.content_block.type == "tool_use"
    assert block_start.content_block.name == "get_weather"
    assert block_start.content_block.input == {}
    partials = []
    for e in events:
        if e.type == "content_block_delta":
            assert e.delta.type == "input_json_delta"
            partials.append(e.delta.partial_json)
    assert len([p for p in partials if p]) > 1, "tool input must arrive in pieces"
    assert json.loads("".join(partials)) == DEFAULT_TOOL_INPUT
    message_delta = events[-2]
    assert message_delta.type == "message_delta"
    assert message_delta.delta.stop_reason == "tool_use"
    assert message_delta.usage.output_tokens == 33


def test_tool_use_stream_helper(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(tool_preamble="Checking the weather.")
    with client.messages.stream(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
    ) as stream:
        event_types = [e.type for e in stream]
        final = stream.get_final_message()

    assert "input_json" in event_types
    assert "text" in event_types
    assert final.stop_reason == "tool_use"
    text, tool = final.content
    assert isinstance(text, TextBlock)
    assert text.text == "Checking the weather."
    assert isinstance(tool, ToolUseBlock)
    assert (tool.name, tool.input) == ("get_weather", DEFAULT_TOOL_INPUT)


def test_raw_sse_wire_format(fake: FakeAnthropic) -> None:
    """Framing as Anthropic sends it, including the ``ping`` the SDK swallows."""
    fake.script = Script(reply="Hello!")
    payload: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 64,
        "messages": MESSAGES,
        "stream": True,
    }
    resp = httpx.post(f"{fake.base_url}/v1/messages", json=payload, timeout=10)

    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.headers["request-id"].startswith("req_")
    assert resp.text.endswith("\n\n")
    frames = resp.text[:-2].split("\n\n")
    names = []
    for frame in frames:
        event_line, data_line = frame.split("\n")
        assert event_line.startswith("event: ")
        assert data_line.startswith("data: ")
        name = event_line.removeprefix("event: ")
        assert json.loads(data_line.removeprefix("data: "))["type"] == name
        names.append(name)
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert names.count("ping") == 1


@pytest.mark.parametrize(
    ("status", "exc_type", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
def test_scripted_error(
    fake: FakeAnthropic,
    client: Anthropic,
    status: int,
    exc_type: type[anthropic.APIStatusError],
    error_type: str,
) -> None:
    fake.script = Script(error_status=status, error_message="model: claude-nope")
    with pytest.raises(exc_type) as info:
        client.messages.create(model="claude-nope", max_tokens=64, messages=MESSAGES)

    err = info.value
    assert err.status_code == status
    assert err.request_id is not None
    assert err.body == {
        "type": "error",
        "error": {"type": error_type, "message": "model: claude-nope"},
        "request_id": err.body["request_id"],  # type: ignore[index]
    }


def test_scripted_error_on_stream(fake: FakeAnthropic, client: Anthropic) -> None:
    fake.script = Script(error_status=400, error_type="invalid_request_error")
    with (
        pytest.raises(anthropic.BadRequestError),
        client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream,
    ):
        stream.get_final_message()


def test_unknown_path_is_404(fake: FakeAnthropic) -> None:
    fake.script = Script()
    resp = httpx.post(f"{fake.base_url}/v1/nope", json={}, timeout=10)
    assert resp.status_code == 404
    assert resp.json()["error"]["type"] == "not_found_error"
