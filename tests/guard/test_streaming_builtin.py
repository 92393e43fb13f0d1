"""Streaming with the built-in checks: chunking never changes what the user sees."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.guard import Guard

SENTENCES = st.sampled_from(
    [
        "Thanks for waiting.",
        "Your order shipped on 12 March and should arrive by Friday.",
        "You can reach our billing team at billing@example.com any time.",
        "Call us on +44 20 7946 0958 if the parcel is late.",
        "The refund of $49.99 was issued to the card ending 4242.",
        "Use the token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 only once.",
        "Version 2.4.1 fixed the crash on startup.",
        "Order #48213 is on its way.",
        "Connect with postgres://admin:S3cr3tPassw0rd@db.internal:5432/prod today.",
    ]
)
TEXTS = st.lists(SENTENCES, min_size=1, max_size=12).map(" ".join)
GUARD = Guard("output-default", record=False)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.lists(st.integers(min_value=0, max_value=5_000), max_size=30))
def test_any_chunking_matches_the_whole_text_result(text: str, cuts: list[int]) -> None:
    whole = GUARD.check_output(text)
    stream = GUARD.stream(chunked(text, cuts))
    shown = "".join(stream)
    assert stream.blocked == whole.blocked
    assert shown == whole.text
    for secret in ("billing@example.com", "7946 0958", "S3cr3tPassw0rd", "ghp_A1b2"):
        assert secret not in shown
