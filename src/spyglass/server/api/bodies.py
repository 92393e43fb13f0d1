"""JSON API routes whose request body is read within the server's ``max_body_bytes``, and
whose input holds only text a store can keep.

FastAPI reads a JSON body whole before the route runs; routes of a router made with
``route_class=LimitedBodyRoute`` read it through the same bounded reader as OTLP ingest, so a
body over the limit is refused with 413 while it streams in, before any of it is parsed.

They also refuse with 400, before the route runs, two things that parse but that no database
can hold: U+0000 (NUL) in a JSON string (PostgreSQL text cannot contain it), and a lone
surrogate (``"\\ud800"`` without its pair; no UTF-8 encodes it). Found by
``tests/server/test_api_fuzz.py``: both reached the database driver and answered 500. NUL in
the URL is refused for every route, the web UI's included, by ``check_url``, which the app
installs as a dependency of all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from spyglass.exceptions import BadRequest
from spyglass.server.ingest.body import read_limited
from spyglass.server.state import AppState

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# A \u0000 escape, not an escaped backslash followed by "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# Any escape of a UTF-16 surrogate; orjson then tells a lone one from a pair.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def check_url(request: Request) -> None:
    """400 for NUL in the path or the query string: an app-wide dependency (app.py)."""
    if "\x00" in request.url.path or b"%00" in request.scope.get("query_string", b""):
        raise BadRequest("the URL holds a NUL character (U+0000), which cannot be stored")


def check_body(body: bytes) -> None:
    """400 for NUL or a lone surrogate in a JSON body's strings."""
    if b"\\u" not in body:
        return
    if _NUL_ESCAPE.search(body):
        raise BadRequest("the body holds a NUL character (\\u0000), which cannot be stored")
    if _SURROGATE_ESCAPE.search(body):
        try:
            orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            if "surrogate" in str(exc):
                raise BadRequest(f"the body holds a lone UTF-16 surrogate: {exc}") from None


class _ReadRequest(Request):
    """A request whose body was already read (within the limit)."""

    def __init__(self, scope: Any, body: bytes) -> None:
        super().__init__(scope)
        self._read = body

    async def body(self) -> bytes:
        return self._read


class LimitedBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            # The URL is checked for every route by the app (``check_url``, app.py).
            if request.method in _WITH_BODY:
                state: AppState = request.app.state.spyglass
                body = await read_limited(
                    request.stream(),
                    request.headers.get("content-length"),
                    state.settings.max_body_bytes,
                )
                check_body(body)
                request = _ReadRequest(request.scope, body)
            return await handler(request)

        return limited
