"""Opaque keyset-pagination cursors: the sort key of the last row of a page."""

from __future__ import annotations

import base64
import json
from typing import Any

from spyglass.exceptions import BadRequest


def encode(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: [[[[...
        raise BadRequest("cursor is not one this server handed out") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise BadRequest("cursor is not one this server handed out")
    # Every cursor we hand out is (time in ns, id); other types would reach the SQL.
    first, *rest = values
    if (
        isinstance(first, bool)
        or not isinstance(first, int)
        or not -(2**63) <= first < 2**63
        or not all(isinstance(v, str) and _storable(v) for v in rest)
    ):
        raise BadRequest("cursor is not one this server handed out")
    return values


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL text cannot hold it) and no lone surrogate (UTF-8 cannot)."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
