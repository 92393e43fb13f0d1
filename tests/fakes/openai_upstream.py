"""A local fake of the OpenAI HTTP API, speaking OpenAI's exact wire format.

Tests drive the real ``openai`` SDK (and the real OpenTelemetry instrumentors
wrapped around it) against this server, so what we ingest is exactly what the
instrumentors emit for real traffic, without any network access.

Only what the tests need is implemented: ``POST /v1/chat/completions``
(plain, SSE-streamed, tool calls) and ``POST /v1/embeddings``. A test that needs a
different answer per request sets ``Script.handler`` (like httpx's ``MockTransport``):
it sees each chat request body and returns the reply text or a :class:`Reply`.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "Script"]

DEFAULT_REPLY = "Hello! The telescope is focused and ready."
DEFAULT_TOOL_ARGUMENTS = '{"location": "Paris, France", "unit": "celsius"}'


@dataclass(frozen=True)
class Reply:
    """One scripted chat answer from ``Script.handler``.

    A ``status`` other than 200 answers with OpenAI's error body, ``content`` being the error
    message. ``logprobs`` becomes ``choices[0].logprobs.content`` (OpenAI's token list).
    """

    content: str = DEFAULT_REPLY
    status: int = 200
    logprobs: list[dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    """What the fake answers; tests mutate it between calls.

    ``None`` for ``model`` / ``embedding_model`` means "echo the requested
    model". OpenAI answers chat with a dated snapshot name; set ``model`` to
    mimic that and tell request and response model apart.
    """

    reply: str = DEFAULT_REPLY
    model: str | None = None
    embedding_model: str | None = None
    prompt_tokens: int = 19
    completion_tokens: int = 10
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    tool_name: str | None = None  # default: the first tool offered in the request
    tool_arguments: str = DEFAULT_TOOL_ARGUMENTS
    embedding_dimensions: int = 8
    embedding_prompt_tokens: int = 5
    system_fingerprint: str = "fp_fake0001"
    # When set, the next requests fail with this HTTP status and an OpenAI error body.
    error_status: int | None = None
    error_message: str = "The model `does-not-exist` does not exist."
    # Extra headers of error answers, e.g. {"retry-after-ms": "1"} so SDK retries do not wait.
    error_headers: dict[str, str] = field(default_factory=dict)
    # When set, the vector of each embeddings input text (else a vector from its index).
    embedding_handler: Callable[[str], list[float]] | None = None
    # When set, answers each non-streaming chat completion without tools: called with the
    # request body, returns the reply text or a Reply (which may be an error).
    handler: Callable[[dict[str, Any]], str | Reply] | None = None

    def usage(self) -> dict[str, Any]:
        """OpenAI's ``usage`` object for a chat completion."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received, for assertions."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


def _split(text: str, parts: int) -> list[str]:
    """Split ``text`` into about ``parts`` non-empty pieces, as a stream delivers it."""
    if not text:
        return []
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the owning :class:`FakeOpenAI`."""

    protocol_version = "HTTP/1.1"  # keep-alive like the real API; SSE uses chunked encoding
    timeout = 10  # idle keep-alive connections do not pin handler threads forever
    # Headers and body go out in separate writes; with Nagle's algorithm the body then waits
    # for the client's delayed ACK (about 40 ms a request on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: dict[str, Any] = json.loads(raw) if raw else {}
        fake = self.server.fake
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake._record(RecordedRequest("POST", self.path, headers, body))
        script = fake.script
        if script.error_status is not None:
            self._send_json(
                script.error_status,
                {
                    "error": {
                        "message": script.error_message,
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "model_not_found",
                    }
                },
                script.error_headers,
            )
        elif (
            self.path == "/v1/chat/completions"
            and script.handler is not None
            and not body.get("stream")
            and not body.get("tools")
        ):
            try:
                answer = script.handler(body)
            except Exception as exc:  # a test's bug: answer 500 instead of dropping the socket
                answer = Reply(content=f"fake handler raised {exc!r}", status=500)
            self._send_handled(body, script, answer)
        elif self.path == "/v1/chat/completions":
            if body.get("stream"):
                self._send_sse(_chat_chunks(body, script))
            else:
                self._send_json(200, _chat_completion(body, script))
        elif self.path == "/v1/embeddings":
            self._send_json(200, _embeddings(body, script))
        else:
            self._send_json(
                404,
                {
                    "error": {
                        "message": f"Invalid URL (POST {self.path})",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )

    def _send_handled(self, body: dict[str, Any], script: Script, answer: str | Reply) -> None:
        reply = answer if isinstance(answer, Reply) else Reply(content=answer)
        if reply.status != 200:
            error = {
                "message": reply.content,
                "type": "invalid_request_error" if reply.status < 500 else "server_error",
                "param": None,
                "code": None,
            }
            self._send_json(reply.status, {"error": error}, reply.headers)
            return
        payload = _chat_completion(body, script)
        payload["choices"][0]["message"]["content"] = reply.content
        if reply.logprobs is not None:
            payload["choices"][0]["logprobs"] = {"content": reply.logprobs, "refusal": None}
        self._send_json(200, payload, reply.headers)

    def _common_headers(self) -> None:
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        self.send_header("openai-processing-ms", "42")
        self.send_header("openai-version", "2020-10-01")

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._common_headers()
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, chunks: Iterator[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self._common_headers()
        self.end_headers()
        events = [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]
        events.append(b"data: [DONE]\n\n")
        for event in events:
            self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI


def _response_model(body: dict[str, Any], script: Script) -> str:
    return script.model or str(body.get("model", "gpt-4o-mini"))


def _tool_call(body: dict[str, Any], script: Script) -> dict[str, Any]:
    name = script.tool_name or body["tools"][0]["function"]["name"]
    return {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": name, "arguments": script.tool_arguments},
    }


def _chat_completion(body: dict[str, Any], script: Script) -> dict[str, Any]:
    """A non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": script.reply,
        "refusal": None,
        "annotations": [],
    }
    finish_reason = "stop"
    if body.get("tools"):
        message["content"] = None
        message["tool_calls"] = [_tool_call(body, script)]
        finish_reason = "tool_calls"
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:29]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": _response_model(body, script),
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": script.usage(),
        "service_tier": "default",
        "system_fingerprint": script.system_fingerprint,
    }


def _chat_chunks(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of one streamed completion, in order.

    Mirrors OpenAI: the first delta carries the role, content (or tool-call
    arguments) arrive split over several chunks, the last choice chunk carries
    ``finish_reason``; with ``stream_options.include_usage`` every chunk has
    ``"usage": null`` and one extra chunk with empty ``choices`` carries usage.
    """
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    base: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:29]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": _response_model(body, script),
        "service_tier": "default",
        "system_fingerprint": script.system_fingerprint,
    }

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        out = dict(base)
        out["choices"] = [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        ]
        if include_usage:
            out["usage"] = None
        return out

    if body.get("tools"):
        call = _tool_call(body, script)
        yield chunk(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ],
                "refusal": None,
            }
        )
        for piece in _split(script.tool_arguments, 4):
            yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        yield chunk({}, "tool_calls")
    else:
        yield chunk({"role": "assistant", "content": "", "refusal": None})
        for piece in _split(script.reply, 4):
            yield chunk({"content": piece})
        yield chunk({}, "stop")
    if include_usage:
        final = dict(base)
        final["choices"] = []
        final["usage"] = script.usage()
        yield final


def _embeddings(body: dict[str, Any], script: Script) -> dict[str, Any]:
    """A ``list`` of ``embedding`` objects, float or base64 (float32 LE) as requested."""
    inputs = body.get("input", "")
    items = inputs if isinstance(inputs, list) else [inputs]
    dims = int(body.get("dimensions") or script.embedding_dimensions)
    data = []
    for index, item in enumerate(items):
        if script.embedding_handler is not None:
            vector = script.embedding_handler(str(item))
            dims = len(vector)
        else:
            vector = [round(0.1 * ((index + d) % 7) - 0.3, 4) for d in range(dims)]
        embedding: list[float] | str = vector
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {
        "object": "list",
        "data": data,
        "model": script.embedding_model or str(body.get("model", "text-embedding-3-small")),
        "usage": {
            "prompt_tokens": script.embedding_prompt_tokens,
            "total_tokens": script.embedding_prompt_tokens,
        },
    }


class FakeOpenAI:
    """A fake OpenAI upstream on 127.0.0.1 (ephemeral port), served from a thread.

    Use as a context manager, or call :meth:`start` / :meth:`stop`. Point the
    SDK at it with ``OpenAI(base_url=fake.base_url, api_key="sk-test")``.
    """

    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The SDK ``base_url``, e.g. ``http://127.0.0.1:PORT/v1``."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def start(self) -> FakeOpenAI:
        """Bind an ephemeral port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
