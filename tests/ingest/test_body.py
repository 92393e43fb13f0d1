"""Reading a body within the limit, and gzip without decompression bombs."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import pytest

from spyglass.exceptions import BadRequest, PayloadTooLarge, UnsupportedMediaType
from spyglass.server.ingest.body import decode_content, read_limited

KIB = 1024
MIB = 1024 * KIB


def _gzip_bomb(inflated: int) -> bytes:
    """``inflated`` zero bytes, gzipped, built without holding them in memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MIB)
    parts = [comp.compress(chunk) for _ in range(inflated // MIB)]
    parts.append(comp.flush())
    return b"".join(parts)


@pytest.mark.parametrize("encoding", [None, "", "identity", " Identity "])
def test_identity_passes_through(encoding: str | None) -> None:
    assert decode_content(b"abc", encoding, 1) == b"abc"


@pytest.mark.parametrize("encoding", ["gzip", "GZIP", " gzip "])
def test_gzip_round_trip(encoding: str) -> None:
    data = b"spans " * 1000
    assert decode_content(gzip.compress(data), encoding, len(data)) == data


def test_gzip_at_the_limit_passes_and_one_byte_over_fails() -> None:
    data = bytes(range(256)) * 40
    assert decode_content(gzip.compress(data), "gzip", len(data)) == data
    with pytest.raises(PayloadTooLarge, match=f"limit of {len(data) - 1} bytes"):
        decode_content(gzip.compress(data), "gzip", len(data) - 1)


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = _gzip_bomb(256 * MIB)
    assert len(bomb) < MIB // 2
    limit = MIB
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge, match="decompressed body is over the limit"):
            decode_content(bomb, "gzip", limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # At most the limit (plus a byte) is ever inflated, never the 256 MiB.
    assert peak < 4 * limit


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(b"x" * 10_000)[:-12],  # cut inside the deflate stream
        gzip.compress(b"x" * 10_000)[:20],
        b"",
    ],
)
def test_truncated_gzip_is_bad_request(body: bytes) -> None:
    with pytest.raises(BadRequest, match="truncated"):
        decode_content(body, "gzip", MIB)


@pytest.mark.parametrize(
    "body",
    [
        b"not gzip at all",
        b"\x1f\x8b\x08\x00garbage-follows-here",
        gzip.compress(b"x")[:10] + b"\xff" * 20,
    ],
)
def test_corrupt_gzip_is_bad_request(body: bytes) -> None:
    with pytest.raises(BadRequest, match="not valid gzip"):
        decode_content(body, "gzip", MIB)


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "gzip, br", "x-gzip"])
def test_unknown_encoding_is_unsupported_media_type(encoding: str) -> None:
    with pytest.raises(UnsupportedMediaType, match="use gzip") as info:
        decode_content(b"abc", encoding, MIB)
    assert info.value.status == 415


# ---------------------------------------------------------------------------- read_limited


class _Chunks:
    """An async body that counts how much of it was read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:  # type: ignore[override]
        for chunk in self.chunks:
            self.read += 1
            yield chunk


def _read(chunks: _Chunks, declared: str | None, limit: int) -> bytes:
    return asyncio.run(read_limited(chunks.__aiter__(), declared, limit))


def test_read_whole_body_within_limit() -> None:
    body = _Chunks([b"ab", b"", b"cd"])
    assert _read(body, "4", 4) == b"abcd"
    assert _read(_Chunks([b"ab", b"cd"]), None, 4) == b"abcd"


def test_declared_length_over_limit_is_refused_before_reading() -> None:
    body = _Chunks([b"x" * 10])
    with pytest.raises(PayloadTooLarge, match="body is 11 bytes; the limit is 10"):
        _read(body, "11", 10)
    assert body.read == 0


def test_body_over_limit_is_refused_while_reading() -> None:
    body = _Chunks([b"x" * 4] * 1000)
    with pytest.raises(PayloadTooLarge, match="over the limit of 10 bytes"):
        _read(body, None, 10)
    assert body.read == 3  # stopped at the first chunk past the limit


def test_lying_content_length_is_still_bounded() -> None:
    body = _Chunks([b"x" * 6, b"x" * 6])
    with pytest.raises(PayloadTooLarge):
        _read(body, "5", 10)


@pytest.mark.parametrize("declared", ["abc", "1e3", ""])
def test_content_length_not_a_number_is_bad_request(declared: str) -> None:
    with pytest.raises(BadRequest, match="Content-Length"):
        _read(_Chunks([b"x"]), declared, 10)
