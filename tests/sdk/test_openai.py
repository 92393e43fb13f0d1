"""``instrument_openai``: the real ``openai`` package against a local fake of the OpenAI API.

Chat completions (plain, streamed, tool calls), responses, embeddings and legacy completions
become LLM/EMBEDDING spans with OTel GenAI attributes; streams reach the caller untouched;
the spans map to the right storage rows through the server's ingest path.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

import spyglass
from spyglass.sdk._state import STATE
from spyglass.server.ingest.otlp_decode import decode_protobuf
from spyglass.server.ingest.rows import build_row
from spyglass.storage.sql.schema import SPAN_COLUMNS
from spyglass.testing import START_NS, TICK_NS, Capture, start_capture, stop_capture
from tests.fakes import openai_upstream
from tests.fakes.openai_upstream import (
    DEFAULT_REPLY,
    DEFAULT_TOOL_ARGUMENTS,
    FakeOpenAI,
    Script,
)

MODEL = "gpt-4o-mini"
SNAPSHOT = "gpt-4o-mini-2024-07-18"  # what OpenAI answers with: request != response model
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello."},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather at a place",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        },
    }
]


# -- a fake that also answers /v1/responses and /v1/completions ---------------------------
# tests/fakes/openai_upstream.py only serves chat completions and embeddings; these two
# answers follow OpenAI's documented response objects.


def _responses_body(body: dict[str, Any], script: Script) -> dict[str, Any]:
    output: list[dict[str, Any]] = [
        {
            "type": "reasoning",
            "id": f"rs_{uuid.uuid4().hex}",
            "summary": [],
        }
    ]
    if body.get("tools"):
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{uuid.uuid4().hex}",
                "call_id": "call_resp_1",
                "name": body["tools"][0]["name"],
                "arguments": script.tool_arguments,
                "status": "completed",
            }
        )
    else:
        output.append(
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": script.reply, "annotations": []}],
            }
        )
    return {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "model": script.model or body["model"],
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": body.get("tools", []),
        "temperature": 1.0,
        "top_p": 1.0,
        "metadata": {},
        "usage": {
            "input_tokens": script.prompt_tokens,
            "input_tokens_details": {"cached_tokens": script.cached_tokens},
            "output_tokens": script.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": script.reasoning_tokens},
            "total_tokens": script.prompt_tokens + script.completion_tokens,
        },
    }


def _completion_base(body: dict[str, Any], script: Script) -> dict[str, Any]:
    return {
        "id": f"cmpl-{uuid.uuid4().hex[:29]}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": script.model or body["model"],
    }


def _completion_body(body: dict[str, Any], script: Script) -> dict[str, Any]:
    return {
        **_completion_base(body, script),
        "choices": [{"text": script.reply, "index": 0, "logprobs": None, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": script.prompt_tokens,
            "completion_tokens": script.completion_tokens,
            "total_tokens": script.prompt_tokens + script.completion_tokens,
        },
    }


def _completion_chunks(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
    base = _completion_base(body, script)
    pieces = openai_upstream._split(script.reply, 3)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        yield {
            **base,
            "choices": [
                {
                    "text": piece,
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": "stop" if last else None,
                }
            ],
        }
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {
            **base,
            "choices": [],
            "usage": {
                "prompt_tokens": script.prompt_tokens,
                "completion_tokens": script.completion_tokens,
                "total_tokens": script.prompt_tokens + script.completion_tokens,
            },
        }


class _Handler(openai_upstream._Handler):
    def do_POST(self) -> None:
        if self.path not in ("/v1/responses", "/v1/completions"):
            super().do_POST()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        script = self.server.fake.script
        if self.path == "/v1/responses":
            self._send_json(200, _responses_body(body, script))
        elif body.get("stream"):
            self._send_sse(_completion_chunks(body, script))
        else:
            self._send_json(200, _completion_body(body, script))


class _Server(openai_upstream._Server):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a caller that closes a stream early resets the connection mid-answer."""


class FakeOpenAIPlus(FakeOpenAI):
    def start(self) -> FakeOpenAIPlus:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self


# -- fixtures and helpers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAIPlus() as upstream:
        yield upstream


@pytest.fixture
def client(fake: FakeOpenAI) -> Iterator[openai.OpenAI]:
    fake.script = Script(model=SNAPSHOT)
    with openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0) as c:
        yield c


@pytest.fixture
def cap(spyglass_capture: Capture) -> Capture:
    """The in-memory capture with openai instrumented (the fixture's teardown undoes it)."""
    assert spyglass.instrument_openai() is True
    return spyglass_capture


def attrs(sp: ReadableSpan) -> dict[str, Any]:
    return dict(sp.attributes or {})


def json_attr(sp: ReadableSpan, key: str) -> Any:
    return json.loads(attrs(sp)[key])


def row_of(sp: ReadableSpan) -> dict[str, Any]:
    """The storage row the server would write for ``sp`` (OTLP protobuf → decode → row)."""
    decoded = decode_protobuf(encode_spans([sp]).SerializeToString())
    assert decoded.rejected == 0, decoded.reasons
    [span] = decoded.spans
    return dict(zip(SPAN_COLUMNS, build_row(1, span), strict=True))


def text_message(role: str, content: str, **extra: Any) -> dict[str, Any]:
    return {"role": role, "parts": [{"type": "text", "content": content}], **extra}


INPUT_MESSAGES = [text_message("system", "You are terse."), text_message("user", "Say hello.")]
REQUEST_ATTRS = {
    "spyglass.span.kind": "LLM",
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": MODEL,
}


def usage_attrs(input_tokens: int, output_tokens: int, cached: int, reasoning: int) -> Any:
    return {
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
        "gen_ai.usage.cache_read.input_tokens": cached,
        "gen_ai.usage.reasoning.output_tokens": reasoning,
    }


# -- chat completions ---------------------------------------------------------------------


def test_chat_completion(cap: Capture, client: openai.OpenAI, fake: FakeOpenAI) -> None:
    fake.script.cached_tokens, fake.script.reasoning_tokens = 6, 2
    resp = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, temperature=0.2, max_tokens=50, stop=["\n"], seed=7
    )
    assert resp.choices[0].message.content == DEFAULT_REPLY
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp) == {
        **REQUEST_ATTRS,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.seed": 7,
        "gen_ai.request.stop_sequences": ("\n",),
        "gen_ai.input.messages": json.dumps(INPUT_MESSAGES),
        "gen_ai.response.id": resp.id,
        "gen_ai.response.model": SNAPSHOT,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attrs(19, 10, 6, 2),
        "gen_ai.output.messages": json.dumps(
            [text_message("assistant", DEFAULT_REPLY, finish_reason="stop")]
        ),
    }
    assert sp.status.status_code is StatusCode.UNSET

    row = row_of(sp)
    assert (row["kind"], row["model"], row["provider"], row["status"]) == (
        "LLM",
        SNAPSHOT,
        "openai",
        "UNSET",
    )
    assert (
        row["input_tokens"],
        row["output_tokens"],
        row["total_tokens"],
        row["cache_read_tokens"],
        row["reasoning_tokens"],
    ) == (19, 10, 29, 6, 2)
    assert json.loads(row["input"]) == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello."},
    ]
    assert json.loads(row["output"]) == [
        {"role": "assistant", "content": DEFAULT_REPLY, "finish_reason": "stop"}
    ]
    assert row["ttft_ns"] is None


def test_chat_completion_nests_under_observe(cap: Capture, client: openai.OpenAI) -> None:
    @spyglass.observe(name="answer")
    def answer() -> str:
        r = client.chat.completions.create(model=MODEL, messages=MESSAGES)
        return r.choices[0].message.content or ""

    assert answer() == DEFAULT_REPLY
    root, llm = cap.one("answer"), cap.one(f"chat {MODEL}")
    assert llm.parent is not None
    assert llm.parent.span_id == root.context.span_id


def test_async_chat_completion(cap: Capture, fake: FakeOpenAI) -> None:
    fake.script = Script(model=SNAPSHOT)

    async def call() -> str:
        async with openai.AsyncOpenAI(
            base_url=fake.base_url, api_key="sk-test", max_retries=0
        ) as aclient:
            resp = await aclient.chat.completions.create(model=MODEL, messages=MESSAGES)
            return resp.choices[0].message.content or ""

    assert asyncio.run(call()) == DEFAULT_REPLY
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp)["gen_ai.response.model"] == SNAPSHOT
    assert json_attr(sp, "gen_ai.output.messages") == [
        text_message("assistant", DEFAULT_REPLY, finish_reason="stop")
    ]
    assert attrs(sp)["gen_ai.usage.input_tokens"] == 19


def _normalised(chunks: list[Any]) -> list[dict[str, Any]]:
    """Chunk JSON without what differs between two calls (random ids, creation time)."""
    out = []
    for chunk in chunks:
        data = json.loads(chunk.model_dump_json())
        data.pop("id")
        data.pop("created")
        for choice in data["choices"]:
            for call in choice["delta"].get("tool_calls") or []:
                call.pop("id", None)
        out.append(data)
    return out


def _stream(client: openai.OpenAI, **extra: Any) -> Any:
    return client.chat.completions.create(
        model=MODEL,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )


def test_stream_is_passed_through_untouched(
    spyglass_capture: Capture, client: openai.OpenAI, fake: FakeOpenAI
) -> None:
    fake.script.cached_tokens, fake.script.reasoning_tokens = 4, 3
    plain = _stream(client)
    plain_type = type(plain)
    with plain:
        expected = _normalised(list(plain))

    assert spyglass.instrument_openai()
    traced = _stream(client)
    assert type(traced) is plain_type is openai.Stream
    with traced:
        got = list(traced)
    assert _normalised(got) == expected
    assert len(got) == 7  # role, 4 text pieces (the reply in 4), finish, usage

    sp = spyglass_capture.one(f"chat {MODEL}")
    assert attrs(sp) == {
        **REQUEST_ATTRS,
        "gen_ai.input.messages": json.dumps(INPUT_MESSAGES),
        "gen_ai.request.stream": True,
        # The ticking clock reads once when the stream is returned, once at the first chunk.
        "spyglass.ttft_ms": 1.0,
        "gen_ai.response.id": got[0].id,
        "gen_ai.response.model": SNAPSHOT,
        "gen_ai.response.finish_reasons": ("stop",),
        **usage_attrs(19, 10, 4, 3),
        "gen_ai.output.messages": json.dumps(
            [text_message("assistant", DEFAULT_REPLY, finish_reason="stop")]
        ),
    }
    row = row_of(sp)
    assert row["ttft_ns"] == 1_000_000
    assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"]) == (19, 10, 4)
    assert row["reasoning_tokens"] == 3
    assert json.loads(row["output"]) == [
        {"role": "assistant", "content": DEFAULT_REPLY, "finish_reason": "stop"}
    ]


def test_async_stream(cap: Capture, fake: FakeOpenAI) -> None:
    fake.script = Script(model=SNAPSHOT)

    async def call() -> list[Any]:
        async with openai.AsyncOpenAI(
            base_url=fake.base_url, api_key="sk-test", max_retries=0
        ) as aclient:
            stream = await aclient.chat.completions.create(
                model=MODEL,
                messages=MESSAGES,
                stream=True,
                stream_options={"include_usage": True},
            )
            assert type(stream) is openai.AsyncStream
            async with stream:
                return [c async for c in stream]

    chunks = asyncio.run(call())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == DEFAULT_REPLY
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp)["spyglass.ttft_ms"] == 1.0
    assert "spyglass.stream.ended" not in attrs(sp)
    assert json_attr(sp, "gen_ai.output.messages") == [
        text_message("assistant", DEFAULT_REPLY, finish_reason="stop")
    ]
    assert attrs(sp)["gen_ai.usage.output_tokens"] == 10


def test_stream_without_usage_has_no_token_counts(cap: Capture, client: openai.OpenAI) -> None:
    with client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True) as stream:
        assert "".join(c.choices[0].delta.content or "" for c in stream) == DEFAULT_REPLY
    a = attrs(cap.one(f"chat {MODEL}"))
    assert "gen_ai.usage.input_tokens" not in a
    assert a["gen_ai.response.finish_reasons"] == ("stop",)


TOOL_HISTORY = [
    {"role": "user", "content": "Weather in Paris?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "18C, cloudy"},
]
TOOL_HISTORY_GENAI = [
    text_message("user", "Weather in Paris?"),
    {
        "role": "assistant",
        "parts": [
            {
                "type": "tool_call",
                "id": "call_1",
                "name": "get_weather",
                "arguments": '{"location": "Paris"}',
            }
        ],
    },
    {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1", "response": "18C, cloudy"}],
    },
]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_tool_calls(cap: Capture, client: openai.OpenAI, stream: bool) -> None:
    if stream:
        with _stream(client, tools=TOOLS) as s:
            chunks = list(s)
        call_id = chunks[0].choices[0].delta.tool_calls[0].id
    else:
        resp = client.chat.completions.create(model=MODEL, messages=TOOL_HISTORY, tools=TOOLS)
        call_id = resp.choices[0].message.tool_calls[0].id
    sp = cap.one(f"chat {MODEL}")
    expected_call = {
        "type": "tool_call",
        "id": call_id,
        "name": "get_weather",
        "arguments": DEFAULT_TOOL_ARGUMENTS,  # reassembled from 4 pieces when streamed
    }
    assert json_attr(sp, "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [expected_call], "finish_reason": "tool_calls"}
    ]
    assert attrs(sp)["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert json_attr(sp, "gen_ai.tool.definitions") == TOOLS
    if not stream:
        assert json_attr(sp, "gen_ai.input.messages") == TOOL_HISTORY_GENAI

    row = row_of(sp)
    assert json.loads(row["output"]) == [
        {
            "role": "assistant",
            "tool_calls": [
                {"id": call_id, "name": "get_weather", "arguments": DEFAULT_TOOL_ARGUMENTS}
            ],
            "finish_reason": "tool_calls",
        }
    ]
    if not stream:
        assert json.loads(row["input"]) == [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "call_1", "name": "get_weather", "arguments": '{"location": "Paris"}'}
                ],
            },
            {"role": "tool", "content": "18C, cloudy", "tool_call_id": "call_1"},
        ]


def test_stream_closed_early_ends_the_span(cap: Capture, client: openai.OpenAI) -> None:
    with _stream(client) as stream:
        for _chunk in stream:
            break
        assert cap.spans() == []
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp)["spyglass.stream.ended"] == "closed"
    assert sp.end_time is not None
    assert sp.status.status_code is StatusCode.UNSET


def test_abandoned_stream_ends_its_span_when_collected(cap: Capture, client: openai.OpenAI) -> None:
    stream = _stream(client)
    next(iter(stream))
    next(stream)
    assert cap.spans() == []
    del stream
    gc.collect()
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp)["spyglass.stream.ended"] == "abandoned"
    assert sp.end_time is not None


# -- responses, embeddings, legacy completions --------------------------------------------


def test_responses_api(cap: Capture, client: openai.OpenAI, fake: FakeOpenAI) -> None:
    fake.script.cached_tokens, fake.script.reasoning_tokens = 3, 5
    resp = client.responses.create(
        model=MODEL, instructions="Be brief.", input="Say hello.", max_output_tokens=64
    )
    assert resp.output_text == DEFAULT_REPLY
    sp = cap.one(f"chat {MODEL}")
    assert attrs(sp) == {
        **REQUEST_ATTRS,
        "gen_ai.request.max_tokens": 64,
        "gen_ai.input.messages": json.dumps(
            [text_message("system", "Be brief."), text_message("user", "Say hello.")]
        ),
        "gen_ai.response.id": resp.id,
        "gen_ai.response.model": SNAPSHOT,
        "gen_ai.response.finish_reasons": ("completed",),
        **usage_attrs(19, 10, 3, 5),
        "gen_ai.output.messages": json.dumps(
            [
                {
                    "role": "assistant",
                    "parts": [{"type": "text", "content": DEFAULT_REPLY}],
                    "finish_reason": "completed",
                }
            ]
        ),
    }
    row = row_of(sp)
    assert (row["kind"], row["model"], row["reasoning_tokens"]) == ("LLM", SNAPSHOT, 5)


def test_responses_api_tool_call_and_tool_output(cap: Capture, client: openai.OpenAI) -> None:
    client.responses.create(
        model=MODEL,
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "type": "function_call",
                "call_id": "call_0",
                "name": "get_weather",
                "arguments": "{}",
            },
            {"type": "function_call_output", "call_id": "call_0", "output": "18C"},
        ],
        tools=[{"type": "function", "name": "get_weather", "parameters": {}, "strict": False}],
    )
    sp = cap.one(f"chat {MODEL}")
    assert json_attr(sp, "gen_ai.input.messages") == [
        text_message("user", "Weather in Paris?"),
        {
            "role": "assistant",
            "parts": [
                {"type": "tool_call", "id": "call_0", "name": "get_weather", "arguments": "{}"}
            ],
        },
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "call_0", "response": "18C"}],
        },
    ]
    assert json_attr(sp, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_resp_1",
                    "name": "get_weather",
                    "arguments": DEFAULT_TOOL_ARGUMENTS,
                }
            ],
            "finish_reason": "completed",
        }
    ]


def test_embeddings(cap: Capture, client: openai.OpenAI) -> None:
    resp = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert len(resp.data) == 2
    sp = cap.one("embeddings text-embedding-3-small")
    assert attrs(sp) == {
        "spyglass.span.kind": "EMBEDDING",
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "text-embedding-3-small",
        "spyglass.input": '["a", "b"]',
        "gen_ai.response.model": "text-embedding-3-small",
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.embeddings.dimension.count": 8,
    }
    row = row_of(sp)
    assert (row["kind"], row["model"], row["input_tokens"]) == (
        "EMBEDDING",
        "text-embedding-3-small",
        5,
    )


def test_legacy_completions(cap: Capture, client: openai.OpenAI) -> None:
    resp = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hello.")
    assert resp.choices[0].text == DEFAULT_REPLY
    with client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="Say hello.",
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        assert "".join(c.choices[0].text for c in stream if c.choices) == DEFAULT_REPLY
    plain, streamed = cap.spans("text_completion gpt-3.5-turbo-instruct")
    expected_in = [text_message("user", "Say hello.")]
    expected_out = [text_message("assistant", DEFAULT_REPLY, finish_reason="stop")]
    for sp in (plain, streamed):
        assert attrs(sp)["gen_ai.operation.name"] == "text_completion"
        assert json_attr(sp, "gen_ai.input.messages") == expected_in
        assert json_attr(sp, "gen_ai.output.messages") == expected_out
        assert attrs(sp)["gen_ai.usage.input_tokens"] == 19
        assert attrs(sp)["gen_ai.usage.output_tokens"] == 10
    assert attrs(plain)["gen_ai.response.model"] == SNAPSHOT
    assert attrs(streamed)["spyglass.ttft_ms"] == 1.0


# -- errors and capture off ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(404, openai.NotFoundError), (500, openai.InternalServerError)],
)
def test_api_error_sets_error_status_and_is_reraised(
    cap: Capture,
    client: openai.OpenAI,
    fake: FakeOpenAI,
    status: int,
    error_type: type[openai.APIStatusError],
) -> None:
    fake.script.error_status = status
    with pytest.raises(error_type) as info:
        client.chat.completions.create(model="does-not-exist", messages=MESSAGES)
    assert type(info.value) is error_type
    assert info.value.status_code == status
    assert info.value.body == {
        "message": fake.script.error_message,
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
    sp = cap.one("chat does-not-exist")
    assert sp.status.status_code is StatusCode.ERROR
    assert attrs(sp)["error.type"] == error_type.__qualname__
    [event] = sp.events
    assert event.name == "exception"
    assert event.attributes is not None
    assert event.attributes["exception.message"] == str(info.value)
    assert "gen_ai.output.messages" not in attrs(sp)
    assert row_of(sp)["status"] == "ERROR"


def test_capture_off_keeps_model_and_tokens(fake: FakeOpenAI, client: openai.OpenAI) -> None:
    cap = start_capture(capture=False)
    try:
        assert spyglass.instrument_openai()
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
        with _stream(client) as stream:
            list(stream)
        plain, streamed = cap.spans(f"chat {MODEL}")
    finally:
        stop_capture()
    for sp in (plain, streamed):
        a = attrs(sp)
        assert "gen_ai.input.messages" not in a
        assert "gen_ai.output.messages" not in a
        assert a["gen_ai.request.model"] == MODEL
        assert a["gen_ai.response.model"] == SNAPSHOT
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (19, 10)
    assert "gen_ai.usage.input_tokens" in attrs(streamed)


def test_uninstrumented_after_the_fixture(client: openai.OpenAI) -> None:
    from openai.resources.chat.completions import Completions

    assert not getattr(Completions.create, "__spyglass_wrapped__", False)
    assert client.chat.completions.create(model=MODEL, messages=MESSAGES).choices


def test_ttft_counts_from_the_request_not_from_the_response_headers(
    cap: Capture, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time to first token includes the wait for the response headers (queueing, prompt
    processing), as the OTel GenAI ``time_to_first_token`` and the server's event-based TTFT
    both count it from the request's start."""
    clock = ManualClock()
    monkeypatch.setattr(STATE, "clock", clock)

    def headers_arrive(response: httpx.Response) -> None:
        clock.now += 500 * TICK_NS  # the server took 500 ms to answer with headers

    fake.script = Script(model=SNAPSHOT)
    with (
        httpx.Client(event_hooks={"response": [headers_arrive]}) as http,
        openai.OpenAI(
            base_url=fake.base_url, api_key="sk-test", max_retries=0, http_client=http
        ) as slow,
        _stream(slow) as stream,
    ):
        list(stream)
    sp = cap.one(f"chat {MODEL}")
    assert sp.start_time is not None
    assert attrs(sp)["spyglass.ttft_ms"] == 501.0


class ManualClock:
    """Ticks 1 ms per reading; tests move it further by hand."""

    def __init__(self) -> None:
        self.now = START_NS

    def __call__(self) -> int:
        self.now += TICK_NS
        return self.now
