"""JSON API routes whose request body is read within the server's ``max_body_bytes``.

FastAPI reads a JSON body whole before the route runs; routes of a router made with
``route_class=LimitedBodyRoute`` read it through the same bounded reader as OTLP ingest, so a
body over the limit is refused with 413 while it streams in, before any of it is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from spyglass.server.ingest.body import read_limited
from spyglass.server.state import AppState

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


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
            if request.method in _WITH_BODY:
                state: AppState = request.app.state.spyglass
                body = await read_limited(
                    request.stream(),
                    request.headers.get("content-length"),
                    state.settings.max_body_bytes,
                )
                request = _ReadRequest(request.scope, body)
            return await handler(request)

        return limited
