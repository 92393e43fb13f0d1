"""A local fake of the Anthropic HTTP API, speaking Anthropic's exact wire format.

The sibling of :mod:`tests.fakes.openai_upstream`: tests drive the real
``anthropic`` SDK (and any instrumentor wrapped around it) against this server,
so what we ingest is exactly what real traffic produces, without any network.

Only ``POST /v1/messages`` is implemented: a plain ``Message`` object, or with
``"stream": true`` the named SSE events Anthropic sends::

    event: message_start        (message with empty content, input usage, output_tokens 1)
    event: content_block_start  (per block: text "" or tool_use with input {})
    event: ping                 (once, after the first content_block_start)
    event: content_block_delta  (text_delta / input_json_delta, split over several events)
    event: content_block_stop
    event: message_delta        (stop_reason, stop_sequence; usage.output_tokens)
    event: message_stop

each framed as ``event: NAME\\ndata: {json}\\n\\n``.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["ERROR_TYPES", "FakeAnthropic", "RecordedRequest", "Script"]

DEFAULT_REPLY = "Hello! The telescope is focused and ready."
DEFAULT_TOOL_INPUT: dict[str, Any] = {"location": "Paris, France", "unit": "celsius"}

# Anthropic's error ``type`` for each HTTP status it documents.
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

_ID_ALPHABET = string.ascii_letters + string.digits


def _new_id(prefix: str) -> str:
    """An Anthropic-looking object id, e.g. ``msg_01AbC...`` (24 chars after the prefix)."""
    return prefix + "01" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


@dataclass
class Script:
    """What the fake answers; tests mutate it between calls.

    ``None`` for ``model`` means "echo the requested model". Anthropic answers
    an alias (``claude-haiku-4-5``) with the dated snapshot
    (``claude-haiku-4-5-20251001``); set ``model`` to mimic that.

    When the request offers ``tools`` the reply is a ``tool_use`` block (for
    ``tool_name``, default the first tool offered, with ``tool_input``),
    preceded by a text block when ``tool_preamble`` is non-empty, and
    ``stop_reason`` is ``"tool_use"``.
    """

    reply: str = DEFAULT_REPLY
    model: str | None = None
    input_tokens: int = 21
    output_tokens: int = 12
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    stop_reason: str | None = None  # default: "end_turn", or "tool_use" for a tool reply
    stop_sequence: str | None = None
    tool_name: str | None = None  # default: the first tool offered in the request
    tool_input: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TOOL_INPUT))
    tool_preamble: str = ""
    service_tier: str = "standard"
    # When set, requests fail with this HTTP status and an Anthropic error body.
    error_status: int | None = None
    error_type: str | None = None  # default: ERROR_TYPES[error_status], else "api_error"
    error_message: str = "model: claude-does-not-exist"

    def usage(self) -> dict[str, Any]:
        """Anthropic's ``usage`` object for a complete ``Message``."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_creation_input_tokens,
                "ephemeral_1h_input_tokens": 0,
            },
            "output_tokens": self.output_tokens,
            "service_tier": self.service_tier,
        }

    def error_body(self, status: int) -> dict[str, Any]:
        """Anthropic's error JSON: ``{"type": "error", "error": {type, message}, request_id}``."""
        return _error_body(
            self.error_type or ERROR_TYPES.get(status, "api_error"), self.error_message
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received, for assertions (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


def _error_body(error_type: str, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": _new_id("req_"),
    }


def _split(text: str, parts: int) -> list[str]:
    """Split ``text`` into about ``parts`` non-empty pieces, as a stream delivers it."""
    if not text:
        return []
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


class _Handler(BaseHTTPRequestHandler):
    """Routes requests to the owning :class:`FakeAnthropic`."""

    protocol_version = "HTTP/1.1"  # keep-alive like the real API; SSE uses chunked encoding
    timeout = 10  # idle keep-alive connections do not pin handler threads forever
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
        path = self.path.split("?", 1)[0]
        if script.error_status is not None:
            self._send_json(script.error_status, script.error_body(script.error_status))
        elif path == "/v1/messages":
            if body.get("stream"):
                self._send_sse(_message_events(body, script))
            else:
                self._send_json(200, _message(body, script))
        else:
            self._send_json(404, _error_body("not_found_error", "Not Found"))

    def _common_headers(self) -> None:
        self.send_header("request-id", _new_id("req_"))
        self.send_header("anthropic-organization-id", "00000000-0000-4000-8000-000000000000")
        self.send_header("x-robots-tag", "none")

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self._common_headers()
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, events: Iterator[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self._common_headers()
        self.end_headers()
        frames = [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events]
        for frame in frames:
            self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAnthropic


def _response_model(body: dict[str, Any], script: Script) -> str:
    return script.model or str(body.get("model", "claude-haiku-4-5"))


def _content(body: dict[str, Any], script: Script) -> tuple[list[dict[str, Any]], str]:
    """The complete content blocks of the reply, and its default stop reason."""
    if body.get("tools"):
        blocks: list[dict[str, Any]] = []
        if script.tool_preamble:
            blocks.append({"type": "text", "text": script.tool_preamble})
        blocks.append(
            {
                "type": "tool_use",
                "id": _new_id("toolu_"),
                "name": script.tool_name or str(body["tools"][0]["name"]),
                "input": script.tool_input,
            }
        )
        return blocks, "tool_use"
    return [{"type": "text", "text": script.reply}], "end_turn"


def _message(body: dict[str, Any], script: Script) -> dict[str, Any]:
    """A non-streaming ``Message`` object."""
    blocks, stop_reason = _content(body, script)
    return {
        "id": _new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": _response_model(body, script),
        "content": blocks,
        "stop_reason": script.stop_reason or stop_reason,
        "stop_sequence": script.stop_sequence,
        "usage": script.usage(),
    }


def _message_events(body: dict[str, Any], script: Script) -> Iterator[dict[str, Any]]:
    """The SSE event payloads of one streamed message, in order (each has its ``type``).

    Mirrors Anthropic: ``message_start`` carries the message with empty content,
    the input-side usage and ``output_tokens: 1``; each content block is
    opened with an empty shell (``text: ""`` / ``input: {}``), filled by
    several deltas and closed; one ``ping`` follows the first block start;
    ``message_delta`` carries the stop reason and the final ``output_tokens``.
    """
    blocks, stop_reason = _content(body, script)
    start_usage = script.usage()
    start_usage["output_tokens"] = 1
    yield {
        "type": "message_start",
        "message": {
            "id": _new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": _response_model(body, script),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": start_usage,
        },
    }
    for index, block in enumerate(blocks):
        if block["type"] == "tool_use":
            shell = {**block, "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": ""}]
            deltas += [
                {"type": "input_json_delta", "partial_json": piece}
                for piece in _split(json.dumps(block["input"]), 4)
            ]
        else:
            shell = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": piece} for piece in _split(block["text"], 4)]
        yield {"type": "content_block_start", "index": index, "content_block": shell}
        if index == 0:
            yield {"type": "ping"}
        for delta in deltas:
            yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
    yield {
        "type": "message_delta",
        "delta": {
            "stop_reason": script.stop_reason or stop_reason,
            "stop_sequence": script.stop_sequence,
        },
        "usage": {"output_tokens": script.output_tokens},
    }
    yield {"type": "message_stop"}


class FakeAnthropic:
    """A fake Anthropic upstream on 127.0.0.1 (ephemeral port), served from a thread.

    Use as a context manager, or call :meth:`start` / :meth:`stop`. Point the
    SDK at it with ``Anthropic(base_url=fake.base_url, api_key="test")``.
    """

    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The SDK ``base_url``, e.g. ``http://127.0.0.1:PORT`` (the SDK appends ``/v1/...``)."""
        if self._server is None:
            raise RuntimeError("FakeAnthropic is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def start(self) -> FakeAnthropic:
        """Bind an ephemeral port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="fake-anthropic",
            daemon=True,
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

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
