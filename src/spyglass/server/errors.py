"""One JSON error envelope for every failure: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from spyglass.exceptions import ApiError, StoreError

logger = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


async def api_error(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def validation_error(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        # Our own validators' messages are sentences already; pydantic prefixes them.
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(f"{where}: {msg}" if where else msg)
    return error_response(400, "bad_request", "; ".join(problems))


async def http_error(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "not_found" if exc.status_code == 404 else "http_error"
    return error_response(exc.status_code, code, str(exc.detail), exc.headers)


async def store_error(_req: Request, exc: Exception) -> JSONResponse:
    logger.error("store error: %s", exc)
    return error_response(
        503, "store_unavailable", "the database is unavailable; retry", {"Retry-After": "5"}
    )


async def unexpected_error(_req: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


# Exception class -> JSON handler; the web UI wraps these to answer its pages in HTML.
HANDLERS = {
    ApiError: api_error,
    RequestValidationError: validation_error,
    StarletteHTTPException: http_error,
    StoreError: store_error,
    Exception: unexpected_error,
}


def install(app: FastAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
