"""Read a request body within the size limit, and undo gzip without a decompression bomb."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from spyglass.exceptions import BadRequest, PayloadTooLarge, UnsupportedMediaType


async def read_limited(
    chunks: AsyncIterator[bytes], declared_length: str | None, limit: int
) -> bytes:
    """The whole body, refusing with 413 as soon as it passes ``limit`` bytes."""
    if declared_length is not None:
        try:
            if int(declared_length) > limit:
                raise PayloadTooLarge(f"body is {declared_length} bytes; the limit is {limit}")
        except ValueError as exc:
            raise BadRequest("Content-Length is not a number") from exc
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body is over the limit of {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def decode_content(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding``; never inflate more than ``limit`` bytes."""
    enc = (encoding or "identity").strip().lower()
    if enc in ("identity", ""):
        return body
    if enc != "gzip":
        raise UnsupportedMediaType(f"Content-Encoding {enc!r} is not supported; use gzip")
    out = b""
    # A gzip stream may hold several members (RFC 1952); all of them are the body.
    while True:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(body, limit + 1 - len(out))
        except zlib.error as exc:
            raise BadRequest(f"body is not valid gzip: {exc}") from exc
        if len(out) > limit or inflater.unconsumed_tail:
            raise PayloadTooLarge(f"decompressed body is over the limit of {limit} bytes")
        if not inflater.eof:
            raise BadRequest("gzip body is truncated")
        body = inflater.unused_data
        if not body:
            return out
