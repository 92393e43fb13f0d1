"""Output-format checks: JSON, JSON Schema, regex, length, token limit and refusals."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spyglass.checks import CheckResult, create_check
from spyglass.checks.format import (
    Json,
    JsonSchema,
    Length,
    Refusal,
    RegexCheck,
    TokenLimit,
    _pretokens,
    estimate_tokens,
    repair_json,
)
from spyglass.exceptions import PolicyError

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def failed(check: Any, text: str) -> CheckResult:
    result: CheckResult = check.run(text)
    assert result.passed is False
    assert result.score == 1.0
    return result


# -- json --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['{"a": 1}', "[]", "42", '"text"', "null", ' {"a": [1, 2]}\n'])
def test_valid_json_passes(text: str) -> None:
    result = Json().run(text)
    assert (result.passed, result.score) == (True, 0.0)


@pytest.mark.parametrize("text", ["", "{", "{'a': 1}", '{"a": NaN}', "Sure! {}", '{"a": 1,}'])
def test_invalid_json_fails(text: str) -> None:
    result = failed(Json(), text)
    assert result.explanation.startswith("not valid JSON")


def test_fenced_json_is_accepted_unless_disabled() -> None:
    fenced = '```json\n{"a": 1}\n```'
    assert Json().run(fenced).passed is True
    assert Json().run("```\n[1, 2]\n```\n").passed is True
    assert Json(allow_fenced=False).run(fenced).passed is False
    assert Json().run('Here:\n```json\n{"a": 1}\n```').passed is False  # prose: fix() it


REPAIRS = [
    ('```json\n{"a": 1}\n```', '{"a": 1}'),
    ('Here you go:\n```json\n{"a": 1,}\n```\nHope it helps', '{"a": 1}'),
    ('Sure! {"a": 1, "b": [1, 2, 3]} Let me know.', '{"a": 1, "b": [1, 2, 3]}'),
    ('{"a": 1, "b": [1, 2,],}', '{"a": 1, "b": [1, 2]}'),
    ("{'a': 'it\\'s', 'b': 'say \"hi\"'}", '{"a": "it\'s", "b": "say \\"hi\\""}'),
    ('{"a": True, "b": False, "c": None}', '{"a": true, "b": false, "c": null}'),
    ('{a: 1, b_c: "x"}', '{"a": 1, "b_c": "x"}'),
    ('{"a": 1, // note\n "b": 2 /* block */ # hash\n}', '{"a": 1, \n "b": 2  \n}'),
    ('{"a": [1, 2, {"b": "cut off', '{"a": [1, 2, {"b": "cut off"}]}'),
    ('{"a": 1, "b"', '{"a": 1, "b":null}'),
    ('{"a": 1, "b":', '{"a": 1, "b":null}'),
    ('{"a": 1, "b": tru', '{"a": 1, "b": true}'),
    ("[1, 2, 3", "[1, 2, 3]"),
    ('{"a": 1 "b": 2}', '{"a": 1 ,"b": 2}'),
    ('{"a": "line\nbreak"}', '{"a": "line\\nbreak"}'),
    ('{"a": +1, "b": .5, "c": 1., "d": 2e}', '{"a": 1, "b": 0.5, "c": 1, "d": 2}'),
    ('{"a": NaN}', '{"a": null}'),
    ('{"a": [1, 2}', '{"a": [1, 2]}'),
    ('{"key": "value"}} and more', '{"key": "value"}'),
    ("'just a string'", '"just a string"'),
    ("True", "true"),
]


@pytest.mark.parametrize(("broken", "repaired"), REPAIRS)
def test_fix_repairs_common_breakage(broken: str, repaired: str) -> None:
    check = Json()
    result = check.run(broken)
    assert check.fix(broken, result) == repaired
    assert check.run(repaired).passed is True


@pytest.mark.parametrize("text", ["", "no json here", "   ", "```\nplain prose\n```"])
def test_fix_gives_up_on_text_without_json(text: str) -> None:
    assert repair_json(text) is None


@pytest.mark.parametrize(
    "text", ['{"a": 1}', '  [1, 2.50, "x"]\n', '{"a": {"b": [true, null]}, "c": -0.0e1}', '"x"']
)
def test_fix_returns_valid_json_unchanged(text: str) -> None:
    assert repair_json(text) == text


@given(JSON_VALUES, st.sampled_from([None, 2]))
def test_any_json_value_passes_and_survives_fix(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    check = Json()
    assert check.run(text).passed is True
    repaired = check.fix(text, check.run(text))
    assert repaired is not None
    assert json.loads(repaired) == value


@given(JSON_VALUES, st.integers(min_value=0, max_value=200))
def test_fix_of_truncated_json_is_valid_or_none(value: Any, cut: int) -> None:
    text = json.dumps(value)[:cut]
    repaired = repair_json(text)
    if repaired is not None:
        json.loads(repaired)


@given(st.text(alphabet="{}[]:,\"'\\ tfnTFN0123456789.-eE/*#\nabc`", max_size=60))
def test_fix_never_raises(text: str) -> None:
    repaired = repair_json(text)
    if repaired is not None:
        json.loads(repaired)


def test_json_parameters() -> None:
    with pytest.raises(PolicyError, match="allow_fenced"):
        create_check("json", allow_fenced="yes")


# -- json-schema ---------------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}


def test_schema_valid_document_passes() -> None:
    check = JsonSchema(schema=SCHEMA)
    assert check.run('{"name": "Ada", "age": 36}').passed is True
    assert check.run('```json\n{"name": "Ada", "age": 36}\n```').passed is True


def test_schema_errors_are_listed_with_paths() -> None:
    check = JsonSchema(schema=SCHEMA)
    result = failed(check, '{"age": -1, "tags": ["a", 2], "extra": 1}')
    assert result.explanation.startswith("4 schema errors: ")
    assert "$.age: -1 is less than the minimum of 0" in result.explanation
    assert "$: 'name' is a required property" in result.explanation
    assert "(and 1 more)" in result.explanation


def test_schema_check_reports_broken_json() -> None:
    result = failed(JsonSchema(schema=SCHEMA), "{")
    assert result.explanation.startswith("not valid JSON")


def test_schema_fix_repairs_then_revalidates() -> None:
    check = JsonSchema(schema=SCHEMA)
    broken = "Here: {'name': 'Ada', 'age': 36,}"
    assert check.fix(broken, check.run(broken)) == '{"name": "Ada", "age": 36}'
    invalid = '{"name": "Ada"}'
    assert check.fix(invalid, check.run(invalid)) is None


def test_schema_draft_and_formats() -> None:
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "string"}]}
    assert JsonSchema(schema=draft7).run("[1]").passed is False
    email = {"type": "string", "format": "email"}
    assert JsonSchema(schema=email).run('"nope"').passed is True  # format is an annotation
    assert JsonSchema(schema=email, check_formats=True).run('"nope"').passed is False


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "objekt"}, "invalid schema"),
        ({"properties": {"a": {"minimum": "zero"}}}, "invalid schema at"),
        ({"$schema": "https://example.com/my-schema"}, "unknown \\$schema"),
        ("not a schema", "must be a JSON Schema"),
    ],
)
def test_bad_schema_is_a_policy_error(schema: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        create_check("json-schema", schema=schema)


# -- regex ---------------------------------------------------------------------------------------


def test_regex_modes() -> None:
    match = RegexCheck(pattern=r"[A-Z]{3}-\d+", mode="match")
    assert match.run("ABC-123").passed is True
    assert failed(match, "ABC-123 and more").explanation.startswith("text does not match")
    search = RegexCheck(pattern=r"\bthanks\b", mode="search", ignore_case=True)
    assert search.run("Many THANKS!").passed is True
    failed(search, "nothing")


def test_regex_forbid_reports_each_match() -> None:
    check = create_check("regex", pattern=r"\d{3}-\d{4}", mode="forbid")
    result = failed(check, "call 555-1234 or 555-9876")
    assert [(f.start, f.end, f.entity, f.text) for f in result.findings] == [
        (5, 13, "PATTERN", "555-1234"),
        (17, 25, "PATTERN", "555-9876"),
    ]
    assert check.run("no numbers").passed is True
    assert RegexCheck(pattern="x*", mode="forbid").run("abc").passed is True  # empty matches


@pytest.mark.parametrize(
    "params",
    [
        {"pattern": "("},
        {"pattern": "a", "mode": "contains"},
        {"pattern": 3},
        {"pattern": "a", "ignore_case": 1},
    ],
)
def test_bad_regex_parameters(params: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match="regex"):
        create_check("regex", **params)


# -- length and token-limit ------------------------------------------------------------------------


def test_length_bounds() -> None:
    check = Length(min_words=2, max_chars=20)
    assert check.run("two words").passed is True
    assert failed(check, "one").explanation == "1 words, under min_words 2"
    assert "over max_chars 20" in failed(check, "a much longer text than allowed").explanation
    assert Length(max_words=3).run("one two  three\n").passed is True
    failed(Length(max_words=3), "one two three four")


def test_length_fix_cuts_at_a_word_boundary() -> None:
    check = Length(max_chars=12)
    text = "Hello brave new world"
    assert check.fix(text, check.run(text)) == "Hello brave"
    words = Length(max_words=2)
    assert words.fix("one  two three", words.run("one  two three")) == "one  two"
    assert Length(max_chars=4).fix("abcdefgh", CheckResult("length", 1.0, False)) == "abcd"
    too_short = Length(min_chars=50, max_chars=60)
    assert too_short.fix("short", too_short.run("short")) is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"max_chars": -1},
        {"max_chars": 1.5},
        {"max_words": True},
        {"min_chars": 10, "max_chars": 5},
        {"min_words": 3, "max_words": 2},
    ],
)
def test_bad_length_parameters(params: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match="length"):
        create_check("length", **params)


# Counts from OpenAI's cl100k_base tokenizer.
REFERENCE_COUNTS = [
    ("Hello world", 2),
    ("The quick brown fox jumps over the lazy dog.", 10),
    ("tiktoken is great!", 6),
    ("antidisestablishmentarianism", 6),
    ("2 + 2 = 4", 7),
    ("お誕生日おめでとう", 9),
]


@pytest.mark.parametrize(("text", "tokens"), REFERENCE_COUNTS)
def test_token_estimate_is_close_to_cl100k(text: str, tokens: int) -> None:
    assert abs(estimate_tokens(text) - tokens) <= 1


def test_token_estimate_on_prose_within_ten_percent() -> None:
    # 'The quick brown fox...' repeated: 10 cl100k tokens per sentence plus one per space.
    prose = " ".join(["The quick brown fox jumps over the lazy dog."] * 100)
    assert abs(estimate_tokens(prose) - 1000) <= 100
    assert estimate_tokens("") == 0


# Pieces that reach every branch of the estimate: short and long ASCII words, accented,
# Cyrillic and CJK words, punctuation runs of every length, digits, contractions, newlines.
_TOKEN_PIECES = st.sampled_from(
    [
        "a",
        "word",
        "antidisestablishmentarianism",
        "_x",
        "café",
        "déjà",
        "привет",
        "東京",
        "タワー",
        "!",
        "?!",
        "...",
        "----",
        "=======",
        "'s",
        "'ll",
        "1234567",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "€",
    ]
)


@given(st.text(max_size=300) | st.lists(_TOKEN_PIECES, max_size=60).map("".join))
def test_token_estimate_equals_the_sum_of_pretokens(text: str) -> None:
    # estimate_tokens is the fast form of the pre-token walk that fix() cuts along: the two
    # must count alike, or fix() would cut where the check says the text does not fit.
    # Added one by one as fix() does; not sum(), which compensates from Python 3.12 on.
    total = 0.0
    for _, tokens in _pretokens(text):
        total += tokens
    assert estimate_tokens(text) == round(total)


def test_token_limit() -> None:
    check = create_check("token-limit", max_tokens=5)
    assert check.run("Hello world").passed is True
    result = failed(check, "The quick brown fox jumps over the lazy dog.")
    assert result.explanation == "about 11 tokens, over the limit of 5"
    assert (
        check.fix("The quick brown fox jumps over the lazy dog.", result)
        == "The quick brown fox jumps"
    )


@pytest.mark.parametrize(
    "params", [{}, {"max_tokens": None}, {"max_tokens": -5}, {"max_tokens": "100"}]
)
def test_bad_token_limit_parameters(params: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match=r"token-limit|max_tokens"):
        create_check("token-limit", **params)


@given(st.text(max_size=300), st.integers(min_value=0, max_value=40))
def test_token_limit_fix_always_fits(text: str, limit: int) -> None:
    check = TokenLimit(max_tokens=limit)
    result = check.run(text)
    repaired = check.fix(text, result)
    assert repaired is not None
    assert check.run(repaired).passed is True
    assert text.startswith(repaired)


@given(st.text(max_size=300), st.integers(min_value=0, max_value=40))
def test_length_fix_always_fits(text: str, limit: int) -> None:
    check = Length(max_chars=limit * 3, max_words=limit)
    repaired = check.fix(text, check.run(text))
    assert repaired is not None
    assert check.run(repaired).passed is True
    assert text.startswith(repaired)


# -- refusal -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("I'm sorry, but I can't help with that.", "I'm sorry, but I can't"),
        ("As an AI language model, I cannot provide medical advice.", "As an AI language model"),
        ("I must decline this request.", "I must decline"),
        ("I'm not able to provide that information.", "I'm not able to provide"),
        ("Sorry, I won't be able to assist with that.", "Sorry, I won't"),
        ("I\u2019m unable to help with this request.", "I\u2019m unable to help"),
        ("I'm afraid I can't do that, Dave.", "I can't do that"),
        ("This request violates our usage policies.", "This request violates"),
        ("I cannot fulfill this request.", "I cannot fulfill"),
    ],
)
def test_refusals_are_flagged(text: str, span: str) -> None:
    result = Refusal().run(text)
    assert result.passed is False
    assert result.score is not None and result.score >= 0.5
    assert result.label == "refusal"
    assert result.findings[0].text == span
    assert text[result.findings[0].start : result.findings[0].end] == span


@pytest.mark.parametrize(
    "text",
    [
        "You can't divide by zero.",
        "I can't stress this enough: test your code.",
        "I can't help but notice the bug on line 3.",
        "Here is the answer. I can't believe how simple it is.",
        "The server cannot accept the request without a token.",
        "Users won't see the change until they reload.",
        "Paris is the capital of France.",
        "",
    ],
)
def test_ordinary_answers_are_not_refusals(text: str) -> None:
    result = Refusal().run(text)
    assert result.passed is True
    assert result.score == 0.0


def test_hedged_and_late_refusals_weigh_less() -> None:
    hedged = Refusal().run("I cannot provide an exact number, but here is an estimate: 42.")
    assert hedged.passed is True
    late = Refusal().run("x" * 400 + " I cannot provide that.")
    early = Refusal().run("I cannot provide that.")
    assert late.score is not None and early.score is not None
    assert late.score < early.score


ADVERSARIAL = [
    "a" * 100_000,
    "i " * 50_000,
    "sorry " * 16_000,
    "i can't " * 12_000,
    "{" * 100_000,
    '"' * 100_000,
    "[1," * 33_000,
    " " * 100_000 + "x",
]


@pytest.mark.parametrize("index", range(len(ADVERSARIAL)))
def test_adversarial_input_finishes_quickly(index: int) -> None:
    text = ADVERSARIAL[index]
    checks = [
        Refusal(),
        RegexCheck(pattern=r"\d{3}-\d{4}", mode="forbid"),
        Json(),
        TokenLimit(max_tokens=10),
        Length(max_words=10),
    ]
    for check in checks:
        started = time.perf_counter()
        result = check.run(text)
        assert result.error is None
        check.fix(text, result)
        assert time.perf_counter() - started < 2.0, type(check).__name__


def test_pattern_checks_are_fast_on_prose() -> None:
    # The budget is 0.2 ms per KB; this bound is ten times looser so busy machines pass.
    text = ("Spyglass records traces, scores them with checks and shows the results. " * 150)[
        :10_240
    ]
    for check in (Refusal(), RegexCheck(pattern=r"\d{3}-\d{4}", mode="forbid")):
        check.run(text)
        started = time.perf_counter()
        for _ in range(10):
            assert check.run(text).passed is True
        assert (time.perf_counter() - started) / 10 < 0.02
