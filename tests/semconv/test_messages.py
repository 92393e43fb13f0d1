"""Rebuilding chat messages from each dialect's shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from spyglass.semconv.messages import (
    from_genai_json,
    from_indexed,
    openai_call,
    system_instructions,
)


def test_from_indexed_openinference() -> None:
    groups = {
        1: {
            "message.role": "assistant",
            "message.content": "",
            "message.tool_calls.1.tool_call.function.name": "b",
            "message.tool_calls.0.tool_call.id": "c0",
            "message.tool_calls.0.tool_call.function.name": "a",
            "message.tool_calls.0.tool_call.function.arguments": "{}",
            "message.tool_calls.x.tool_call.id": "ignored",
            # Digits to str.isdigit(), not to int(): ignored, not a lost input.
            "message.tool_calls.\u00b2.tool_call.id": "ignored",
            "message.tool_calls." + "1" * 4_301 + ".tool_call.id": "ignored",
            "message.tool_calls.0.tool_call.other": "ignored",
        },
        0: {
            "message.role": "user",
            "message.name": "ann",
            "message.contents.1.message_content.text": "world",
            "message.contents.0.message_content.text": "hello ",
            "message.contents.0.message_content.type": "text",
            "message.contents.\u00b2.message_content.text": "ignored",
        },
        5: {"message.unknown": "x"},
    }
    assert from_indexed(groups, "openinference") == [
        {"role": "user", "name": "ann", "content": "hello world"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "c0", "name": "a", "arguments": "{}"}, {"name": "b"}],
        },
    ]


def test_from_indexed_openllmetry() -> None:
    groups = {
        0: {
            "role": "assistant",
            "finish_reason": "stop",
            "tool_calls.0.name": "f",
            "tool_calls.0.arguments": '{"x":1}',
            "tool_calls.0.id": "t",
        },
        1: {"role": "tool", "tool_call_id": "t", "content": "1"},
    }
    assert from_indexed(groups, "openllmetry") == [
        {
            "role": "assistant",
            "finish_reason": "stop",
            "tool_calls": [{"name": "f", "arguments": '{"x":1}', "id": "t"}],
        },
        {"role": "tool", "tool_call_id": "t", "content": "1"},
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]',
            [{"role": "user", "content": "hi"}],
        ),
        ({"role": "user", "parts": []}, [{"role": "user"}]),
        (
            [{"parts": [{"type": "text", "content": "no role"}]}],
            [{"role": "unknown", "content": "no role"}],
        ),
        (
            [
                {
                    "role": "assistant",
                    "parts": [
                        {"type": "tool_call", "id": "1", "name": "f", "arguments": {"q": "ü"}},
                        {"type": "tool_call", "name": "g", "arguments": "already text"},
                        {"type": "image", "content": "ignored"},
                        "not a part",
                    ],
                }
            ],
            [
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "1", "name": "f", "arguments": '{"q":"ü"}'},
                        {"name": "g", "arguments": "already text"},
                    ],
                }
            ],
        ),
        (
            [
                {
                    "role": "tool",
                    "parts": [
                        {"type": "tool_call_response", "id": "1", "result": ["a", {"text": "b"}]}
                    ],
                }
            ],
            [{"role": "tool", "tool_call_id": "1", "content": "ab"}],
        ),
        (
            [{"role": "tool", "parts": [{"type": "tool_call_response", "id": "1"}]}],
            [{"role": "tool", "tool_call_id": "1"}],
        ),
        (
            [{"role": "user", "content": [{"type": "text", "text": "a"}, {"content": "b"}, 3]}],
            [{"role": "user", "content": "ab3"}],
        ),
        ([{"role": "user", "content": {"k": 1}}], [{"role": "user", "content": '{"k":1}'}]),
        (
            [{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f"}}, "raw"]}],
            [{"role": "assistant", "tool_calls": [{"id": "c", "name": "f"}, {"arguments": "raw"}]}],
        ),
        ([{"role": "assistant", "parts": "oops"}], [{"role": "assistant"}]),
    ],
)
def test_from_genai_json(raw: Any, expected: list[dict[str, Any]]) -> None:
    assert from_genai_json(raw) == expected


@pytest.mark.parametrize("raw", ['"text"', "5", "[1]", '[{"role": "user"}, 2]', 7, None])
def test_from_genai_json_rejects_other_shapes(raw: Any) -> None:
    assert from_genai_json(raw) is None


def test_from_genai_json_raises_value_error_on_bad_json() -> None:
    with pytest.raises(ValueError):
        from_genai_json("[{")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Be brief.", {"role": "system", "content": "Be brief."}),
        (
            json.dumps([{"type": "text", "content": "A"}, {"type": "text", "content": "B"}, 1]),
            {"role": "system", "content": "AB"},
        ),
        ([{"content": "C"}], {"role": "system", "content": "C"}),
        ("[INST] be nice", {"role": "system", "content": "[INST] be nice"}),
        (5, None),
    ],
)
def test_system_instructions(raw: Any, expected: dict[str, str] | None) -> None:
    assert system_instructions(raw) == expected


def test_openai_call() -> None:
    assert openai_call(
        {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ) == {"id": "1", "name": "f", "arguments": "{}"}
    assert openai_call({"name": "flat", "arguments": "x"}) == {"name": "flat", "arguments": "x"}
    assert openai_call(3) == {"arguments": "3"}
