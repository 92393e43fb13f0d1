"""``instrument_anthropic``: the real ``anthropic`` package against a local fake of its API.

``messages.create`` (plain and ``stream=True``) and the ``messages.stream()`` helper, sync and
async, become LLM spans with OTel GenAI attributes; input tokens include the cache (Anthropic
reports them without it); streams reach the caller untouched and end their span however the
caller stops reading; the spans map to the right storage rows through the server's ingest path.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic import Anthropic, AsyncAnthropic
from anthropic.types import MessageParam, ToolParam
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

import spyglass
from spyglass.server.ingest.otlp_decode import decode_protobuf
from spyglass.server.ingest.rows import build_row
from spyglass.storage.sql.schema import SPAN_COLUMNS
from spyglass.testing import Capture, start_capture, stop_capture
from tests.fakes.anthropic_upstream import DEFAULT_TOOL_INPUT, FakeAnthropic, Script

MODEL = "claude-haiku-4-5"
SNAPSHOT = "claude-haiku-4-5-20251001"  # Anthropic answers an alias with the dated snapshot
SPAN = f"chat {MODEL}"
SYSTEM = "You are terse."
MESSAGES: list[MessageParam] = [{"role": "user", "content": "Say hello."}]
WEATHER_TOOL: ToolParam = {
    "name": "get_weather",
    "description": "Get the current weather in a given location.",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["location"],
    },
}
INPUT_WITH_CACHE = 450  # Anthropic counts input *without* the cache, Spyglass with: 100+300+50


def _cached(**kwargs: Any) -> Script:
    """A script whose usage has cache reads and writes."""
    return Script(
        input_tokens=100,
        cache_read_input_tokens=300,
        cache_creation_input_tokens=50,
        output_tokens=40,
        **kwargs,
    )


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        # Streams closed early make the server's writes fail; that is expected, not news.
        assert server._server is not None
        report = server._server.handle_error

        def quiet(request: Any, address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):
                report(request, address)

        server._server.handle_error = quiet  # type: ignore[method-assign,assignment]
        yield server


@pytest.fixture
def client(fake: FakeAnthropic) -> Iterator[Anthropic]:
    fake.script = Script()
    with Anthropic(base_url=fake.base_url, api_key="test", max_retries=0) as sdk:
        yield sdk


@pytest.fixture
def traced(spyglass_capture: Capture) -> Capture:
    """Capture on, ``anthropic`` instrumented (the capture's teardown uninstruments)."""
    assert spyglass.instrument_anthropic() is True
    return spyglass_capture


def _async_client(fake: FakeAnthropic) -> AsyncAnthropic:
    return AsyncAnthropic(base_url=fake.base_url, api_key="test", max_retries=0)


def _attrs(sp: ReadableSpan) -> dict[str, Any]:
    return dict(sp.attributes or {})


def _json(sp: ReadableSpan, key: str) -> Any:
    return Capture.json_attribute(sp, key)


def _row(sp: ReadableSpan) -> dict[str, Any]:
    """The storage row the server would write for ``sp`` (OTLP protobuf → decode → row)."""
    decoded = decode_protobuf(encode_spans([sp]).SerializeToString())
    assert decoded.rejected == 0
    [span] = decoded.spans
    return dict(zip(SPAN_COLUMNS, build_row(1, span), strict=True))


def _assert_common(sp: ReadableSpan, *, max_tokens: int = 64) -> dict[str, Any]:
    a = _attrs(sp)
    assert sp.name == SPAN
    assert a["spyglass.span.kind"] == "LLM"
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "anthropic"
    assert a["gen_ai.request.model"] == MODEL
    assert a["gen_ai.request.max_tokens"] == max_tokens
    assert sp.status.status_code is StatusCode.UNSET
    assert sp.end_time is not None
    return a


def _assert_cached_usage(a: dict[str, Any]) -> None:
    assert a["gen_ai.usage.input_tokens"] == INPUT_WITH_CACHE
    assert a["gen_ai.usage.cache_read.input_tokens"] == 300
    assert a["gen_ai.usage.cache_creation.input_tokens"] == 50
    assert a["gen_ai.usage.output_tokens"] == 40


def _assert_cached_row(sp: ReadableSpan) -> dict[str, Any]:
    row = _row(sp)
    assert row["kind"] == "LLM"
    assert row["model"] == SNAPSHOT
    assert row["provider"] == "anthropic"
    assert row["input_tokens"] == INPUT_WITH_CACHE
    assert row["cache_read_tokens"] == 300
    assert row["cache_write_tokens"] == 50
    assert row["output_tokens"] == 40
    notes = json.loads(row["notes"]) if row["notes"] else []
    assert not any("excluded cache" in n for n in notes), notes
    assert row["input"] and "Say hello." in row["input"]
    assert row["output"]
    return row


EXPECTED_INPUT = [
    {"role": "system", "parts": [{"type": "text", "content": SYSTEM}]},
    {"role": "user", "parts": [{"type": "text", "content": "Say hello."}]},
]


# -- messages.create ------------------------------------------------------------------------


def test_create_is_an_llm_span(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = _cached(reply="Hi there.", model=SNAPSHOT)
    msg = client.messages.create(model=MODEL, max_tokens=64, system=SYSTEM, messages=MESSAGES)
    assert msg.content[0].type == "text"

    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.response.id"] == msg.id
    assert a["gen_ai.response.model"] == SNAPSHOT
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("end_turn",)
    assert "gen_ai.request.stream" not in a
    assert "spyglass.ttft_ms" not in a
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_INPUT
    assert _json(sp, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Hi there."}],
            "finish_reason": "end_turn",
        }
    ]
    row = _assert_cached_row(sp)
    assert row["ttft_ns"] is None
    assert row["status"] == "UNSET"


def test_system_as_blocks_and_content_blocks(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    client.messages.create(
        model=MODEL,
        max_tokens=64,
        system=[{"type": "text", "text": SYSTEM}],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "Say hello."}]},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "Again."},
        ],
        stop_sequences=["END"],
    )
    sp = traced.one(SPAN)
    a = _attrs(sp)
    assert tuple(a["gen_ai.request.stop_sequences"]) == ("END",)
    assert _json(sp, "gen_ai.input.messages") == [
        *EXPECTED_INPUT,
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Again."}]},
    ]
    # Uncached usage: input is passed through as is.
    assert a["gen_ai.usage.input_tokens"] == 21
    assert a["gen_ai.usage.output_tokens"] == 12


def test_async_create(fake: FakeAnthropic, traced: Capture) -> None:
    fake.script = _cached(reply="Async hello.", model=SNAPSHOT)

    async def run() -> anthropic.types.Message:
        async with _async_client(fake) as sdk:
            return await sdk.messages.create(
                model=MODEL, max_tokens=64, system=SYSTEM, messages=MESSAGES
            )

    msg = asyncio.run(run())
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.response.id"] == msg.id
    assert a["gen_ai.response.model"] == SNAPSHOT
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_INPUT
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [
        {"type": "text", "content": "Async hello."}
    ]
    _assert_cached_row(sp)


def test_create_nests_under_an_observed_function(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    @spyglass.observe
    def answer() -> str:
        msg = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
        return msg.content[0].text  # type: ignore[union-attr]

    answer()
    llm = traced.one(SPAN)
    [parent] = [s for s in traced.spans() if s.name != SPAN]
    assert llm.parent is not None and parent.context is not None
    assert llm.parent.span_id == parent.context.span_id
    assert llm.context is not None and llm.context.trace_id == parent.context.trace_id


# -- create(stream=True) --------------------------------------------------------------------


def _dumps(events: list[Any]) -> list[dict[str, Any]]:
    dumped = [e.model_dump() for e in events]
    for e in dumped:  # ids are random per reply
        if e["type"] == "message_start":
            e["message"]["id"] = "msg"
        if e["type"] == "content_block_start" and e["content_block"]["type"] == "tool_use":
            e["content_block"]["id"] = "toolu"
    return dumped


def _raw_stream(client: Anthropic, **kwargs: Any) -> tuple[type, list[Any]]:
    with client.messages.create(
        model=MODEL, max_tokens=64, messages=MESSAGES, stream=True, **kwargs
    ) as stream:
        return type(stream), list(stream)


def test_create_stream_passes_events_through_untouched(
    fake: FakeAnthropic, client: Anthropic, spyglass_capture: Capture
) -> None:
    fake.script = _cached(reply="Hello from the stream.", model=SNAPSHOT)
    plain_type, plain = _raw_stream(client, system=SYSTEM)
    assert spyglass_capture.all() == []

    assert spyglass.instrument_anthropic()
    traced_type, events = _raw_stream(client, system=SYSTEM)

    assert traced_type is plain_type is anthropic.Stream
    assert [type(e) for e in events] == [type(e) for e in plain]
    assert _dumps(events) == _dumps(plain)

    sp = spyglass_capture.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.request.stream"] is True
    assert a["spyglass.ttft_ms"] > 0
    assert "spyglass.stream.ended" not in a
    assert a["gen_ai.response.id"] == events[0].message.id
    assert a["gen_ai.response.model"] == SNAPSHOT
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("end_turn",)
    # input side from message_start, output_tokens from message_delta (not message_start's 1)
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_INPUT
    assert _json(sp, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Hello from the stream."}],
            "finish_reason": "end_turn",
        }
    ]
    row = _assert_cached_row(sp)
    assert row["ttft_ns"] == int(a["spyglass.ttft_ms"] * 1e6)
    assert row["ttft_ns"] > 0


def test_create_stream_iterated_with_next(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    first = next(stream)
    assert first.type == "message_start"
    rest = list(stream)
    assert rest[-1].type == "message_stop"
    sp = traced.one(SPAN)
    assert "spyglass.stream.ended" not in _attrs(sp)
    assert _attrs(sp)["gen_ai.usage.output_tokens"] == 12


def test_async_create_stream(fake: FakeAnthropic, traced: Capture) -> None:
    fake.script = _cached(reply="Async stream.", model=SNAPSHOT)

    async def run() -> tuple[type, list[Any]]:
        async with _async_client(fake) as sdk:
            stream = await sdk.messages.create(
                model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
            )
            async with stream:
                return type(stream), [e async for e in stream]

    stream_type, events = asyncio.run(run())
    assert stream_type is anthropic.AsyncStream
    assert events[0].type == "message_start" and events[-1].type == "message_stop"
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["spyglass.ttft_ms"] > 0
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [
        {"type": "text", "content": "Async stream."}
    ]
    assert _row(sp)["ttft_ns"] > 0


def test_usage_repeated_in_message_delta(
    fake: FakeAnthropic, client: Anthropic, traced: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Newer API versions repeat the input counts in ``message_delta``'s usage."""
    from tests.fakes import anthropic_upstream

    original = anthropic_upstream._message_events

    def events(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
        for e in original(body, script):
            if e["type"] == "message_delta":
                e["usage"] = {**script.usage(), "output_tokens": script.output_tokens}
            yield e

    monkeypatch.setattr(anthropic_upstream, "_message_events", events)
    fake.script = _cached(model=SNAPSHOT)
    _raw_stream(client)
    a = _attrs(traced.one(SPAN))
    _assert_cached_usage(a)


def test_message_delta_repeating_only_some_counts(
    fake: FakeAnthropic, client: Anthropic, traced: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count ``message_delta`` leaves out keeps ``message_start``'s, as in the SDK's own
    accumulated message (a proxy may repeat ``input_tokens`` without the cache counts)."""
    from tests.fakes import anthropic_upstream

    original = anthropic_upstream._message_events

    def events(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
        for e in original(body, script):
            if e["type"] == "message_delta":
                e["usage"] = {"input_tokens": 100, "output_tokens": 40}
            yield e

    monkeypatch.setattr(anthropic_upstream, "_message_events", events)
    fake.script = _cached(model=SNAPSHOT)
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        final = stream.get_final_message()
    assert final.usage.cache_read_input_tokens == 300  # the SDK keeps it
    _assert_cached_usage(_attrs(traced.one(SPAN)))


# -- the messages.stream() helper -----------------------------------------------------------


def test_stream_helper(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = _cached(reply="A streamed reply, accumulated.", model=SNAPSHOT)
    with client.messages.stream(
        model=MODEL, max_tokens=64, system=SYSTEM, messages=MESSAGES
    ) as stream:
        assert isinstance(stream, anthropic.MessageStream)
        pieces = list(stream.text_stream)
        final = stream.get_final_message()

    assert "".join(pieces) == "A streamed reply, accumulated."
    assert len(pieces) > 1
    assert final.usage.input_tokens == 100  # the caller's message is Anthropic's, untouched
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.request.stream"] is True
    assert a["spyglass.ttft_ms"] > 0
    assert "spyglass.stream.ended" not in a
    assert a["gen_ai.response.id"] == final.id
    assert a["gen_ai.response.model"] == SNAPSHOT
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("end_turn",)
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_INPUT
    assert _json(sp, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "A streamed reply, accumulated."}],
            "finish_reason": "end_turn",
        }
    ]
    assert _assert_cached_row(sp)["ttft_ns"] > 0


def test_stream_helper_get_final_message_only(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        final = stream.get_final_message()
        assert stream.get_final_text() == final.content[0].text  # type: ignore[union-attr]
    a = _attrs(traced.one(SPAN))
    assert a["gen_ai.response.id"] == final.id
    assert a["gen_ai.usage.output_tokens"] == 12


def test_stream_helper_events_unchanged(
    fake: FakeAnthropic, client: Anthropic, spyglass_capture: Capture
) -> None:
    def helper_events() -> list[Any]:
        with client.messages.stream(
            model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
        ) as stream:
            return list(stream)

    fake.script = Script(tool_preamble="Checking.")
    plain = helper_events()
    assert spyglass.instrument_anthropic()
    events = helper_events()
    assert [e.type for e in events] == [e.type for e in plain]
    assert "input_json" in {e.type for e in events}
    assert len(spyglass_capture.spans(SPAN)) == 1


def test_async_stream_helper(fake: FakeAnthropic, traced: Capture) -> None:
    fake.script = _cached(reply="Streamed asynchronously.", model=SNAPSHOT)

    async def run() -> tuple[list[str], anthropic.types.Message]:
        async with (
            _async_client(fake) as sdk,
            sdk.messages.stream(
                model=MODEL, max_tokens=64, system=SYSTEM, messages=MESSAGES
            ) as stream,
        ):
            assert isinstance(stream, anthropic.AsyncMessageStream)
            pieces = [text async for text in stream.text_stream]
            return pieces, await stream.get_final_message()

    pieces, final = asyncio.run(run())
    assert "".join(pieces) == "Streamed asynchronously."
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["spyglass.ttft_ms"] > 0
    assert a["gen_ai.response.id"] == final.id
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_INPUT
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [
        {"type": "text", "content": "Streamed asynchronously."}
    ]
    assert _assert_cached_row(sp)["ttft_ns"] > 0


# -- tool use ---------------------------------------------------------------------------------

TOOL_RESULT_TURN: list[MessageParam] = [
    {"role": "user", "content": "Weather in Paris?"},
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me check."},
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "get_weather",
                "input": {"location": "Paris"},
            },
        ],
    },
    {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C, sunny"},
        ],
    },
]
EXPECTED_TOOL_TURN_INPUT = [
    {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
    {
        "role": "assistant",
        "parts": [
            {"type": "text", "content": "Let me check."},
            {
                "type": "tool_call",
                "id": "toolu_1",
                "name": "get_weather",
                "arguments": '{"location": "Paris"}',
            },
        ],
    },
    {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "toolu_1", "response": "18°C, sunny"}],
    },
]


def _tool_call(sp: ReadableSpan) -> dict[str, Any]:
    [out] = _json(sp, "gen_ai.output.messages")
    assert out["finish_reason"] == "tool_use"
    call: dict[str, Any] = out["parts"][-1]
    assert call["type"] == "tool_call"
    assert json.loads(call["arguments"]) == DEFAULT_TOOL_INPUT
    return call


def test_tool_use(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = Script(tool_preamble="Let me check.")
    msg = client.messages.create(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
    )
    sp = traced.one(SPAN)
    a = _attrs(sp)
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("tool_use",)
    assert _json(sp, "gen_ai.tool.definitions") == [WEATHER_TOOL]
    [out] = _json(sp, "gen_ai.output.messages")
    assert out["parts"][0] == {"type": "text", "content": "Let me check."}
    call = _tool_call(sp)
    assert (call["id"], call["name"]) == (msg.content[1].id, "get_weather")  # type: ignore[union-attr]


def test_tool_use_streamed(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = Script(tool_preamble="Let me check.", output_tokens=33)
    _, events = _raw_stream(client, tools=[WEATHER_TOOL])
    [tool_start] = [
        e for e in events if e.type == "content_block_start" and e.content_block.type == "tool_use"
    ]
    sp = traced.one(SPAN)
    assert tuple(_attrs(sp)["gen_ai.response.finish_reasons"]) == ("tool_use",)
    assert _attrs(sp)["gen_ai.usage.output_tokens"] == 33
    [out] = _json(sp, "gen_ai.output.messages")
    assert out["parts"][0] == {"type": "text", "content": "Let me check."}
    call = _tool_call(sp)
    assert (call["id"], call["name"]) == (tool_start.content_block.id, "get_weather")


def test_tool_use_stream_helper(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    with client.messages.stream(
        model=MODEL, max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_message()
    call = _tool_call(traced.one(SPAN))
    assert call["id"] == final.content[0].id  # type: ignore[union-attr]


def test_tool_result_in_request(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    client.messages.create(
        model=MODEL, max_tokens=256, messages=TOOL_RESULT_TURN, tools=[WEATHER_TOOL]
    )
    sp = traced.one(SPAN)
    assert _json(sp, "gen_ai.input.messages") == EXPECTED_TOOL_TURN_INPUT
    row = _row(sp)
    assert row["input"] and "18°C, sunny" in row["input"]


def test_tool_result_with_block_content(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    turn = [
        *TOOL_RESULT_TURN[:2],
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [
                        {"type": "text", "text": "18°C, "},
                        {"type": "text", "text": "sunny"},
                    ],
                }
            ],
        },
    ]
    client.messages.create(model=MODEL, max_tokens=256, messages=turn)  # type: ignore[arg-type]
    assert _json(traced.one(SPAN), "gen_ai.input.messages") == EXPECTED_TOOL_TURN_INPUT


# -- streams the caller stops reading ---------------------------------------------------------


def test_stream_closed_early_with_break(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    with client.messages.create(
        model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
    ) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                break
    sp = traced.one(SPAN)
    a = _attrs(sp)
    assert a["spyglass.stream.ended"] == "closed"
    assert a["spyglass.ttft_ms"] > 0
    assert a["gen_ai.usage.input_tokens"] == 21  # message_start had arrived
    assert sp.status.status_code is StatusCode.UNSET


def test_stream_close(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    next(iter(stream))
    stream.close()
    stream.close()  # idempotent: still one span
    assert _attrs(traced.one(SPAN))["spyglass.stream.ended"] == "closed"


def test_stream_helper_closed_early(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
        for _text in stream.text_stream:
            break
    assert _attrs(traced.one(SPAN))["spyglass.stream.ended"] == "closed"


def test_async_stream_closed_early(fake: FakeAnthropic, traced: Capture) -> None:
    async def run() -> None:
        async with _async_client(fake) as sdk:
            stream = await sdk.messages.create(
                model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
            )
            async for _event in stream:
                break
            await stream.close()
            async with sdk.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as helper:
                async for _text in helper.text_stream:
                    break

    asyncio.run(run())
    spans = traced.spans(SPAN)
    assert len(spans) == 2
    assert [_attrs(s)["spyglass.stream.ended"] for s in spans] == ["closed", "closed"]


def test_abandoned_stream_ends_its_span(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    next(iter(stream))
    assert traced.spans(SPAN) == []
    del stream
    gc.collect()
    sp = traced.one(SPAN)
    assert _attrs(sp)["spyglass.stream.ended"] == "abandoned"
    assert sp.end_time is not None


def test_unread_stream_ends_its_span(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    del stream
    gc.collect()
    a = _attrs(traced.one(SPAN))
    assert a["spyglass.stream.ended"] == "abandoned"
    assert "spyglass.ttft_ms" not in a


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [(400, anthropic.BadRequestError), (529, anthropic.OverloadedError)],
)
def test_api_error(
    fake: FakeAnthropic,
    client: Anthropic,
    spyglass_capture: Capture,
    status: int,
    exc_type: type[anthropic.APIStatusError],
) -> None:
    fake.script = Script(error_status=status)
    with pytest.raises(exc_type) as plain:
        client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)

    assert spyglass.instrument_anthropic()
    with pytest.raises(exc_type) as info:
        client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    err = info.value
    assert type(err) is type(plain.value)
    assert err.status_code == status
    assert isinstance(err.body, dict) and isinstance(plain.value.body, dict)
    assert err.body["error"] == plain.value.body["error"]

    sp = spyglass_capture.one(SPAN)
    assert sp.status.status_code is StatusCode.ERROR
    a = _attrs(sp)
    assert a["error.type"] == exc_type.__qualname__
    assert a["gen_ai.request.model"] == MODEL
    assert "gen_ai.output.messages" not in a
    [event] = sp.events
    assert event.name == "exception"
    row = _row(sp)
    assert (row["status"], row["kind"], row["model"]) == ("ERROR", "LLM", MODEL)


def test_api_error_on_streams(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = Script(error_status=529)
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    with (
        pytest.raises(anthropic.OverloadedError),
        client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream,
    ):
        stream.get_final_message()

    async def run() -> None:
        fake.script = Script(error_status=400)
        async with _async_client(fake) as sdk:
            with pytest.raises(anthropic.BadRequestError):
                await sdk.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
        fake.script = Script(error_status=529)
        async with _async_client(fake) as sdk:
            with pytest.raises(anthropic.OverloadedError):
                async with sdk.messages.stream(
                    model=MODEL, max_tokens=64, messages=MESSAGES
                ) as helper:
                    await helper.get_final_message()

    asyncio.run(run())
    spans = traced.spans(SPAN)
    assert [_attrs(s)["error.type"] for s in spans] == [
        "OverloadedError",
        "OverloadedError",
        "BadRequestError",
        "OverloadedError",
    ]
    assert all(s.status.status_code is StatusCode.ERROR for s in spans)


def test_error_event_inside_a_stream(
    fake: FakeAnthropic, client: Anthropic, traced: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anthropic's mid-stream ``event: error`` fails the span; the caller gets the SDK's error."""
    from tests.fakes import anthropic_upstream

    original = anthropic_upstream._message_events

    def events(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
        for e in original(body, script):
            if e["type"] == "content_block_delta":
                yield {
                    "type": "error",
                    "error": {"type": "overloaded_error", "message": "Overloaded"},
                }
                return
            yield e

    monkeypatch.setattr(anthropic_upstream, "_message_events", events)
    seen = []
    with pytest.raises(anthropic.APIStatusError) as info:
        for event in client.messages.create(
            model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
        ):
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]
    sp = traced.one(SPAN)
    assert sp.status.status_code is StatusCode.ERROR
    a = _attrs(sp)
    assert a["error.type"] == type(info.value).__qualname__
    assert "spyglass.stream.ended" not in a


# -- raw responses and structured outputs ----------------------------------------------------


def test_with_raw_response(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    fake.script = _cached(reply="Raw.", model=SNAPSHOT)
    raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    assert raw.headers["request-id"].startswith("req_")
    msg = raw.parse()
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.response.id"] == msg.id
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [{"type": "text", "content": "Raw."}]

    traced.clear()
    raw_stream = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
    )
    assert traced.spans(SPAN) == []  # the stream is not read yet
    stream = raw_stream.parse()
    assert type(stream) is anthropic.Stream
    events: list[Any] = list(stream)
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    assert a["gen_ai.response.id"] == events[0].message.id
    assert a["spyglass.ttft_ms"] > 0
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [{"type": "text", "content": "Raw."}]


def test_async_with_raw_response(fake: FakeAnthropic, traced: Capture) -> None:
    fake.script = _cached(model=SNAPSHOT)

    async def run() -> list[Any]:
        async with _async_client(fake) as sdk:
            raw = await sdk.messages.with_raw_response.create(
                model=MODEL, max_tokens=64, messages=MESSAGES
            )
            await raw.parse()
            raw_stream = await sdk.messages.with_raw_response.create(
                model=MODEL, max_tokens=64, messages=MESSAGES, stream=True
            )
            return [e async for e in await raw_stream.parse()]

    events = asyncio.run(run())
    assert events[-1].type == "message_stop"
    spans = traced.spans(SPAN)
    assert len(spans) == 2
    for sp in spans:
        _assert_cached_usage(_attrs(sp))
    assert "spyglass.ttft_ms" in _attrs(spans[1])


def test_with_streaming_response_leaves_the_body_to_the_caller(
    fake: FakeAnthropic, client: Anthropic, traced: Capture
) -> None:
    with client.messages.with_streaming_response.create(
        model=MODEL, max_tokens=64, messages=MESSAGES
    ) as response:
        assert not response.is_closed  # the instrumentation did not read it
        body = json.loads(b"".join(response.iter_bytes()))
    assert body["type"] == "message"
    sp = traced.one(SPAN)
    a = _attrs(sp)
    assert a["gen_ai.request.model"] == MODEL
    assert "gen_ai.output.messages" not in a
    assert sp.status.status_code is StatusCode.UNSET


def test_parse_structured_output(fake: FakeAnthropic, client: Anthropic, traced: Capture) -> None:
    from pydantic import BaseModel

    class Weather(BaseModel):
        city: str
        celsius: int

    fake.script = _cached(reply='{"city": "Paris", "celsius": 18}', model=SNAPSHOT)
    msg = client.messages.parse(
        model=MODEL, max_tokens=64, messages=MESSAGES, output_format=Weather
    )
    assert msg.parsed_output == Weather(city="Paris", celsius=18)
    sp = traced.one(SPAN)
    a = _assert_common(sp)
    _assert_cached_usage(a)
    assert _json(sp, "gen_ai.output.messages")[0]["parts"] == [
        {"type": "text", "content": '{"city": "Paris", "celsius": 18}'}
    ]


# -- capture off ------------------------------------------------------------------------------


def test_capture_off_keeps_model_and_tokens(fake: FakeAnthropic, client: Anthropic) -> None:
    capture = start_capture(capture=False)
    try:
        assert spyglass.instrument_anthropic()
        fake.script = _cached(model=SNAPSHOT)
        client.messages.create(
            model=MODEL, max_tokens=64, system=SYSTEM, messages=MESSAGES, tools=[WEATHER_TOOL]
        )
        _raw_stream(client, system=SYSTEM)
        with client.messages.stream(model=MODEL, max_tokens=64, messages=MESSAGES) as stream:
            stream.get_final_message()
        spans = capture.spans(SPAN)
        assert len(spans) == 3
        for sp in spans:
            a = _attrs(sp)
            assert a["gen_ai.request.model"] == MODEL
            assert a["gen_ai.response.model"] == SNAPSHOT
            _assert_cached_usage(a)
            for key in ("gen_ai.input.messages", "gen_ai.output.messages"):
                assert key not in a
            assert "gen_ai.tool.definitions" not in a
            row = _row(sp)
            assert (row["input_tokens"], row["output_tokens"]) == (INPUT_WITH_CACHE, 40)
            assert row["input"] is None and row["output"] is None
    finally:
        stop_capture()


def test_uninstrumented_after_teardown(fake: FakeAnthropic, client: Anthropic) -> None:
    from anthropic.resources.messages.messages import AsyncMessages, Messages

    capture = start_capture()
    try:
        assert spyglass.instrument_anthropic()
        assert spyglass.instrument_anthropic()  # idempotent
        client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
        assert len(capture.spans(SPAN)) == 1
    finally:
        stop_capture()
    for cls in (Messages, AsyncMessages):
        for name in ("create", "stream", "parse"):
            assert not getattr(getattr(cls, name), "__spyglass_wrapped__", False)
    client.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    assert len(capture.spans(SPAN)) == 1
