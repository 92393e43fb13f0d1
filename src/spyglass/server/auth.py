"""API-key authentication: every API route resolves the caller's project from its key.

The key comes from ``Authorization: Bearer <key>`` or ``x-api-key: <key>``. Verified keys are
cached for ``key_cache_seconds`` so ingest does not pay a database round trip per request; a
revoked key therefore stops working within that time.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from spyglass.exceptions import Unauthorized
from spyglass.server.blocking import run_blocking
from spyglass.server.state import AppState

# Bounds the cache: past this many distinct keys it is simply cleared.
_MAX_CACHED_KEYS = 10_000

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
api_key_header = APIKeyHeader(name="x-api-key", auto_error=False)


class KeyCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[int, float]] = {}

    def get(self, secret: str) -> int | None:
        hit = self._entries.get(secret)
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, secret: str, project_id: int) -> None:
        if len(self._entries) >= _MAX_CACHED_KEYS:
            self._entries.clear()
        self._entries[secret] = (project_id, time.monotonic() + self.ttl)


async def project_for_key(state: AppState, secret: str | None) -> int:
    if not secret:
        raise Unauthorized(
            "an API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'"
        )
    cached = state.key_cache.get(secret)
    if cached is not None:
        return cached
    project_id = await run_blocking(state.store.verify_key, secret)
    if project_id is None:
        raise Unauthorized("API key is unknown or revoked")
    state.key_cache.put(secret, project_id)
    return project_id


async def require_project(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> int:
    """FastAPI dependency: the id of the project the caller's key belongs to."""
    secret = credentials.credentials if credentials else header_key
    state: AppState = request.app.state.spyglass
    return await project_for_key(state, secret)


ProjectId = Annotated[int, Depends(require_project)]
