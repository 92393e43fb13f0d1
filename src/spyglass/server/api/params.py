"""Parsing of query parameters shared by the API routes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from spyglass.exceptions import BadRequest

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
# Times are stored as signed 64-bit nanoseconds (up to the year 2262).
_MAX_NS = 2**63 - 1


def parse_time(value: str | None, name: str) -> int | None:
    """An ISO-8601 time (naive means UTC) or integer nanoseconds since the epoch, as ns."""
    if value is None or value == "":
        return None
    if value.isascii() and value.isdigit():  # "²".isdigit() is True; int() refuses it
        # Length first: int() refuses more than 4,300 digits, and 20 are already too many.
        if len(value) > 19 or int(value) > _MAX_NS:
            raise BadRequest(f"{name} is out of range (at most {_MAX_NS} ns, the year 2262)")
        return int(value)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(
            f"{name} must be an ISO-8601 time (2026-01-31T12:00:00Z) or nanoseconds"
        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    ns = int(dt.timestamp() * 1_000_000) * 1000
    if not -_MAX_NS <= ns <= _MAX_NS:
        raise BadRequest(f"{name} is out of range (years 1678 to 2262)")
    return ns


def trace_id(value: str) -> str:
    if not _HEX32.match(value):
        raise BadRequest("trace_id must be 32 hex characters")
    return value.lower()


def span_id(value: str) -> str:
    if not _HEX16.match(value):
        raise BadRequest("span_id must be 16 hex characters")
    return value.lower()


def metadata_pair(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise BadRequest("metadata filter must look like key=value")
    return key, val
