"""Guarding streams: any chunking gives the same text and verdict; blocks stop cleanly."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.checks import create_check
from spyglass.guard import Action, Guard, Policy, Rule
from spyglass.guard.redaction import redact

WORDS = st.sampled_from(
    ["the", "order", "shipped", "today", "call", "me", "at", "thanks,", "bye.", "\n", "ok"]
)
EMAILS = st.from_regex(r"[a-z]{1,12}(\.[a-z]{1,8})?@[a-z]{2,10}\.(com|org|co\.uk)", fullmatch=True)
TEXTS = st.lists(st.one_of(WORDS, WORDS, WORDS, EMAILS), max_size=60).map(" ".join)


def email_guard(refusal: str | None = None) -> Guard:
    rules = [
        Rule(create_check("test-word"), Action.BLOCK),
        Rule(create_check("test-email"), Action.REDACT),
    ]
    return Guard(Policy(name="s", output=rules, refusal=refusal), record=False)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.lists(st.integers(min_value=0, max_value=10_000), max_size=40))
def test_any_chunking_gives_the_redaction_of_the_whole_text(text: str, cuts: list[int]) -> None:
    guard = email_guard()
    whole = guard.check_output(text).text
    stream = guard.stream(chunked(text, cuts))
    assert "".join(stream) == whole
    one_char = guard.stream(list(text))
    assert "".join(one_char) == whole
    assert stream.blocked is one_char.blocked is False
    assert whole == redact(text, create_check("test-email").run(text).findings)


@settings(max_examples=60, deadline=None)
@given(TEXTS, TEXTS, st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_a_block_midstream_stops_at_the_same_place_for_any_chunking(
    before: str, after: str, cuts: list[int]
) -> None:
    text = f"{before} forbidden {after}"
    guard = email_guard(refusal="[stopped]")
    a = guard.stream(chunked(text, cuts))
    b = guard.stream([text])
    out_a, out_b = "".join(a), "".join(b)
    assert out_a == out_b and a.blocked and b.blocked
    assert out_a.endswith("[stopped]")
    assert "forbidden" not in out_a
    assert a.reason == b.reason and (a.reason or "").startswith("test-word")


def test_text_is_released_before_the_stream_ends() -> None:
    guard = email_guard()
    stream = guard.stream([])
    pieces = [stream.push("word " * 10) for _ in range(10)]
    assert sum(len(p) for p in pieces) >= 500 - guard_window_and_step()
    assert pieces[-1] != ""  # released while the stream is still going
    rest = stream.close()
    assert "".join(pieces) + rest == "word " * 100
    assert stream.max_held_chars <= guard_window_and_step() + 50
    latency = stream.added_latency_ms
    assert set(latency) == {"p50", "p95", "max"} and latency["max"] >= latency["p50"] >= 0


def guard_window_and_step() -> int:
    from spyglass.guard.streaming import DEFAULT_STEP, DEFAULT_WINDOW

    return DEFAULT_WINDOW + DEFAULT_STEP


def test_an_email_split_across_chunks_is_never_released_in_the_clear() -> None:
    chunks = ["write to jane.", "doe@exa", "mple.com", " please"]
    out = "".join(email_guard().stream(chunks))
    assert out == "write to [EMAIL] please"


def test_fix_rules_hold_the_whole_answer_and_release_the_repair() -> None:
    guard = Guard(
        Policy(name="j", output=[Rule(create_check("test-json"), Action.FIX)]), record=False
    )
    stream = guard.stream([])
    assert stream.push('{"a": ') == "" and stream.push("1,}") == ""
    assert stream.close() == '{"a": 1}'


def test_the_final_check_on_the_whole_text_can_still_block_the_tail() -> None:
    # A score-only failure cannot be redacted, so it blocks; it sits in the held-back tail.
    guard = Guard(
        Policy(name="b", output=[Rule(create_check("test-score-only"), Action.REDACT)]),
        record=False,
    )
    stream = guard.stream(["fine text " * 20, "bad"])
    out = "".join(stream)
    assert stream.blocked and "bad" not in out


def test_async_stream() -> None:
    async def chunks() -> AsyncIterator[str]:
        for piece in ["mail ", "a@b", ".com", " now"]:
            yield piece

    async def main() -> str:
        return "".join([p async for p in email_guard().astream(chunks())])

    assert asyncio.run(main()) == "mail [EMAIL] now"


def test_the_stream_restores_placeholders_split_across_chunks() -> None:
    guard = Guard(
        Policy(
            name="p",
            input=[Rule(create_check("test-email"), Action.REDACT)],
            redaction="pseudonymize",
        ),
        record=False,
    )
    assert guard.check_input("I am a@b.com").text == "I am <EMAIL_1>"
    out = "".join(guard.stream(["Hello <EMA", "IL_1>, done"]))
    assert out == "Hello a@b.com, done"
