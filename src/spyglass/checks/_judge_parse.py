"""Tolerant parsing of LLM-judge answers.

Judges are asked for JSON (and get it through structured output where the endpoint supports
it), but models behind other endpoints wrap it in code fences, bury it in prose or answer
"Score: 4" or "4/5". These functions accept all of that and raise :class:`Unparseable` with
a reason for anything else, including a score outside the scale: an answer that does not
parse is *unscored*, never a silent 0.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "Unparseable",
    "find_json",
    "parse_choice",
    "parse_flags",
    "parse_score",
    "parse_strings",
    "weighted_score",
]

# How much of a judge answer an Unparseable reason quotes.
QUOTE_CHARS = 120
# How much of a judge's reasoning an explanation keeps.
REASONING_CHARS = 600

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_LABELLED = re.compile(
    r"\b(?:score|rating|grade)\b[\"'*\s]*(?:is|of|=|:)?[\"'*\s]*"
    + _NUMBER
    + r"(?:\s*(?:/|out of)\s*(\d+))?",
    re.IGNORECASE,
)
_FRACTION = re.compile(_NUMBER + r"\s*(?:/|out of)\s*(\d+)\b", re.IGNORECASE)
_LEADING = re.compile(r"\A\s*\**" + _NUMBER + r"\**(?=\s|$|[.,:;)\]])")
_SCORE_KEYS = ("score", "rating", "grade")
_REASON_KEYS = ("reasoning", "reason", "explanation", "rationale")


class Unparseable(ValueError):
    """A judge answer that cannot be read; ``str(exc)`` says why."""


def quote(text: str) -> str:
    """A short quotation of a judge answer for an Unparseable reason."""
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS] + "...")


def find_json(text: str) -> Any:
    """The JSON value in ``text``: the whole text, a fenced block, or the first object in prose.

    Returns None when there is none.
    """
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    for block in _FENCE.findall(text):
        try:
            return json.loads(block)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[{\[]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict | list) and value:
            return value
    return None


def reasoning_of(value: Any, text: str) -> str:
    """The judge's reasoning: a reasoning-like JSON field, else the answer itself."""
    if isinstance(value, Mapping):
        for key in _REASON_KEYS:
            if isinstance(value.get(key), str):
                return _clip(value[key])
        return ""
    return _clip(text)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASONING_CHARS else text[:REASONING_CHARS] + "..."


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().split("/")[0])
        except ValueError:
            return None
    return None


def _in_scale(value: float, lo: int, hi: int, denominator: str | None, text: str) -> float:
    # The length first: int() refuses more than 4,300 digits.
    if denominator is not None and (len(denominator) > 9 or int(denominator) != hi):
        raise Unparseable(f"score {value:g}/{denominator} is not on the {lo}-{hi} scale")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise Unparseable(f"score {value:g} is outside the {lo}-{hi} scale in {quote(text)}")
    return value


def parse_score(text: str, lo: int, hi: int) -> tuple[float, str]:
    """``(score, reasoning)`` from a judge answer on the ``lo``-``hi`` scale.

    Accepts ``{"score": 4, ...}`` (also fenced or inside prose), ``Score: 4``, ``4/5``,
    ``4 out of 5`` and an answer that starts with the number. Raises :class:`Unparseable`.
    """
    value = find_json(text)
    if isinstance(value, Mapping):
        for key in _SCORE_KEYS:
            if key in value:
                number = _number(value[key])
                if number is None:
                    raise Unparseable(f"{key} {value[key]!r} is not a number in {quote(text)}")
                return _in_scale(number, lo, hi, None, text), reasoning_of(value, text)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _in_scale(float(value), lo, hi, None, text), ""
    for pattern in (_LABELLED, _FRACTION):
        matches = pattern.findall(text)
        if matches:
            number, denominator = matches[-1]  # a final verdict follows the reasoning
            return _in_scale(float(number), lo, hi, denominator or None, text), _clip(text)
    leading = _LEADING.match(text)
    if leading:
        return _in_scale(float(leading.group(1)), lo, hi, None, text), _clip(text)
    raise Unparseable(f"no score found in {quote(text)}")


_CHOICE_WORDS = {
    "a": "A",
    "b": "B",
    "tie": "tie",
    "c": "tie",  # MT-Bench's [[C]]
    "equal": "tie",
    "both": "tie",
    "draw": "tie",
    "neither": "tie",
}
_BRACKETED = re.compile(r"\[\[\s*(A|B|C|tie)\s*\]\]", re.IGNORECASE)
_CHOICE_LABELLED = re.compile(
    r"(?i:\b(?:winner|verdict|preference|preferred|better)\b(?:\s+(?:answer|response))?)"
    r"\s*(?i:is)?\s*[:=]?[\s*\"'\[]*(?i:(?:answer|response|output)\s+)?"
    r"(A|B|(?i:tie))\b"
)


def _choice_word(raw: str) -> str | None:
    word = raw.strip().strip("[]*\"'.").strip().lower()
    for prefix in ("answer ", "response ", "output "):
        word = word.removeprefix(prefix)
    return _CHOICE_WORDS.get(word.strip())


def parse_choice(text: str) -> tuple[str, str]:
    """``("A" | "B" | "tie", reasoning)`` from a pairwise judge answer. Raises Unparseable."""
    value = find_json(text)
    if isinstance(value, Mapping):
        for key in ("winner", "verdict", "preference", "better"):
            if isinstance(value.get(key), str):
                choice = _choice_word(value[key])
                if choice is None:
                    raise Unparseable(f"{key} {value[key]!r} is not A, B or tie")
                return choice, reasoning_of(value, text)
    for pattern in (_BRACKETED, _CHOICE_LABELLED):
        matches = pattern.findall(text)
        if matches:
            choice = _choice_word(matches[-1])
            if choice is not None:
                return choice, _clip(text)
    whole = _choice_word(text)
    if whole is not None:
        return whole, ""
    raise Unparseable(f"no verdict (A, B or tie) found in {quote(text)}")


def parse_strings(text: str, key: str) -> list[str]:
    """A list of strings under ``key`` (or the answer being that list). Raises Unparseable."""
    value = find_json(text)
    items = value.get(key) if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise Unparseable(f"expected a JSON list of strings under {key!r} in {quote(text)}")
    return [i.strip() for i in items if i.strip()]


_TRUE = {"true", "yes", "1", "supported", "relevant", "useful", "attributed"}
_FALSE = {"false", "no", "0", "unsupported", "not supported", "irrelevant", "not relevant"}
_FALSE |= {"not useful", "not attributed"}


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def parse_flags(
    text: str, key: str, flag: str, *, count: int | None = None, label: str | None = None
) -> list[tuple[bool, str, str]]:
    """Per-item yes/no verdicts: ``(flag, reason, label_text)`` for each object under ``key``.

    Each object carries a boolean ``flag`` (true/false, yes/no, 1/0) and optionally a
    ``reason`` and a ``label`` text (the statement it is about). With ``count`` the list must
    have exactly that many items. Raises :class:`Unparseable`.
    """
    value = find_json(text)
    items = value.get(key) if isinstance(value, Mapping) else value
    if not isinstance(items, list):
        raise Unparseable(f"expected a JSON list under {key!r} in {quote(text)}")
    if count is not None and len(items) != count:
        raise Unparseable(f"expected {count} verdicts under {key!r}, got {len(items)}")
    out: list[tuple[bool, str, str]] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise Unparseable(f"verdict {number} is not an object in {quote(text)}")
        verdict = _flag(item.get(flag))
        if verdict is None:
            raise Unparseable(f"verdict {number} has no true/false {flag!r}: {item.get(flag)!r}")
        reason = item.get("reason")
        about = item.get(label) if label else None
        out.append(
            (
                verdict,
                reason if isinstance(reason, str) else "",
                about if isinstance(about, str) else "",
            )
        )
    return out


_JSON_SCORE = re.compile(r"\"(?:score|rating)\"\s*:\s*\"?(\d+)")


def weighted_score(raw: Mapping[str, Any], text: str, lo: int, hi: int) -> float | None:
    """G-Eval's probability-weighted score from the answer's token logprobs, or None.

    Finds the token of the score's first digit in ``choices[0].logprobs.content`` and weights
    each integer of the scale among its ``top_logprobs`` by its probability. None when the
    endpoint sent no logprobs or the score token cannot be found.
    """
    try:
        tokens: Sequence[Mapping[str, Any]] = raw["choices"][0]["logprobs"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    matches = list(_JSON_SCORE.finditer(text))
    if not tokens or not matches:
        return None
    target = matches[-1].start(1)
    offset = 0
    for token in tokens:
        piece = str(token.get("token", ""))
        if offset <= target < offset + len(piece):
            return _weigh(token, lo, hi)
        offset += len(piece)
    return None


def _weigh(token: Mapping[str, Any], lo: int, hi: int) -> float | None:
    total = weighted = 0.0
    for alt in token.get("top_logprobs") or ():
        word = str(alt.get("token", "")).strip()
        if not (word.isascii() and word.isdigit() and len(word) <= 9) or not lo <= int(word) <= hi:
            continue
        p = math.exp(float(alt.get("logprob", -math.inf)))
        total += p
        weighted += p * int(word)
    return weighted / total if total > 0 else None
