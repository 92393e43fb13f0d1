"""Errors on web UI routes answer as HTML pages (or a login redirect); the JSON API keeps its
JSON envelope. One handler per exception class serves both, choosing by the path."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from spyglass.exceptions import ApiError, StoreError
from spyglass.server import errors
from spyglass.server.ui.logins import LoginRequired, PageError, login_url
from spyglass.server.ui.render import page

logger = logging.getLogger(__name__)

# Paths that belong to the API, ingest, docs and static files: errors there stay JSON.
NOT_UI = ("/api", "/v1/", "/healthz", "/docs", "/openapi.json", "/static/", "/assets/")


def is_ui(request: Request) -> bool:
    return not request.url.path.startswith(NOT_UI)


def error_page(request: Request, status: int, message: str) -> Response:
    if request.headers.get("hx-request"):
        # A fragment request: show the message where the fragment would have gone.
        return page(request, "fragments/error.html", {"message": message}, status)
    return page(request, "error.html", {"status": status, "message": message}, status)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_url)
    if request.headers.get("hx-request"):
        # htmx follows HX-Redirect with a full page load; a 303 would be swapped in place.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return error_page(request, exc.status, exc.message)


def _html_or_json(status_of_exc: type[Exception]) -> object:
    json_handler = errors.HANDLERS[status_of_exc]

    async def handler(request: Request, exc: Exception) -> Response:
        if not is_ui(request):
            return await json_handler(request, exc)
        if isinstance(exc, ApiError):
            return error_page(request, exc.status, exc.message)
        if isinstance(exc, RequestValidationError):
            return error_page(request, 400, "The address has a malformed parameter.")
        if isinstance(exc, StarletteHTTPException):
            message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
            return error_page(request, exc.status_code, message)
        if isinstance(exc, StoreError):
            logger.error("store error: %s", exc)
            return error_page(request, 503, "The database is unavailable; try again shortly.")
        logger.exception("unhandled error", exc_info=exc)
        return error_page(request, 500, "Something went wrong on the server.")

    return handler


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageError, _page_error)
    for exc_class in errors.HANDLERS:
        app.add_exception_handler(exc_class, _html_or_json(exc_class))  # type: ignore[arg-type]
