"""Output-format checks: is the model's answer in the shape the application needs?

Each check is pass/fail with the risk direction of every guardrail: score 1.0 is a violation,
0.0 is a pass (``refusal`` alone is graded, 0 to 1).

``json``
    The text is one JSON value (RFC 8259: no NaN, no comments). With ``allow_fenced`` (the
    default) a text that is a single fenced block (```json ... ```) counts too. ``fix()``
    repairs what LLMs break: it strips fences and prose around the value, drops trailing commas
    and comments, turns single-quoted strings, unquoted keys and Python's True/False/None into
    JSON, inserts missing commas and closes strings and brackets left open by truncated
    output. It returns valid JSON text or None, and returns valid JSON unchanged.
``json-schema``
    ``schema`` (a dict) validated with ``jsonschema``; the draft comes from ``$schema``,
    Draft 2020-12 when absent. An invalid schema is a PolicyError when the check is built.
    ``check_formats`` also asserts ``format`` (email, date-time...). The explanation lists the
    first errors with their JSON paths; ``fix()`` repairs the JSON and keeps it if it is then
    valid against the schema.
``regex``
    ``pattern`` with ``mode``: ``match`` (the whole text must match), ``search`` (must
    contain a match) or ``forbid`` (must not; each match is a PATTERN finding).
    ``ignore_case`` sets re.IGNORECASE. The pattern is the policy author's: the check cannot
    protect it from catastrophic backtracking.
``length``
    ``min_chars``, ``max_chars``, ``min_words``, ``max_words`` (words are runs of
    non-whitespace). ``fix()`` cuts a text that is too long at a word boundary.
``token-limit``
    ``max_tokens`` by :func:`estimate_tokens`: cl100k_base's pre-tokeniser regex, then a mean
    token count per pre-token by kind and length, fitted on 25 package READMEs (no vocabulary,
    no tiktoken). Against the real tokenizer: 3 % mean, 7 % worst error on 25 other READMEs;
    -1 % to +4 % on this repo's docs and Python; "Hello world" 2 (cl100k 2), "The quick brown
    fox jumps over the lazy dog." 11 (10), "tiktoken is great!" 5 (6), "2 + 2 = 4" 7 (7);
    German +2 %, Russian -2 %, Chinese -8 %, French -15 %. Other tokenizers (Llama, Claude)
    differ from cl100k by 10-20 %: leave headroom. ``fix()`` cuts at a word boundary.
``refusal``
    The model declined instead of answering: "I'm sorry, but I can't help with that", "As an
    AI language model...", "I must decline", "I'm not able to provide...". Each phrasing has
    a weight; hits combine as ``1 - prod(1 - w)``; a refusal after the first 300 characters
    weighs 30 % less, and one hedged in the same sentence ("I can't give an exact figure, but
    ...") half. "You can't divide by zero" and "I can't stress enough" are not refusals.

Known limits: the refusal patterns are English and miss refusals phrased as redirection
("Let's talk about something else"). JSON repair cannot recover content that was cut off, it
only closes what is open; a citation such as "[1]" before the real JSON is taken for it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import jsonschema
from jsonschema.exceptions import SchemaError

from spyglass.checks._json_repair import parse_json, parse_text, repair_json
from spyglass.checks.base import Check, CheckContext, CheckResult, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = [
    "Json",
    "JsonSchema",
    "Length",
    "Refusal",
    "RegexCheck",
    "TokenLimit",
    "estimate_tokens",
    "repair_json",
]

# How many schema errors the explanation lists, and how long each message may be.
SCHEMA_ERRORS_SHOWN = 3
SCHEMA_MESSAGE_CHARS = 120


@register
class Json(Check):
    """The text is valid JSON (or one fenced ```json block when ``allow_fenced``)."""

    name = "json"

    def __init__(
        self, *, allow_fenced: bool = True, threshold: float | None = None, label: str | None = None
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.allow_fenced = _flag(allow_fenced, "json: allow_fenced")

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        _, problem = parse_text(text, allow_fenced=self.allow_fenced)
        if problem is not None:
            return Verdict(score=1.0, passed=False, explanation=f"not valid JSON: {problem}")
        return Verdict(score=0.0, passed=True, explanation="valid JSON")

    def fix(self, text: str, result: CheckResult) -> str | None:
        return repair_json(text)


@register
class JsonSchema(Check):
    """The text is JSON that validates against ``schema``."""

    name = "json-schema"

    def __init__(
        self,
        *,
        schema: Mapping[str, Any] | bool,
        allow_fenced: bool = True,
        check_formats: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if not isinstance(schema, Mapping | bool):
            raise PolicyError(f"json-schema: schema must be a JSON Schema object, got {schema!r}")
        self.allow_fenced = _flag(allow_fenced, "json-schema: allow_fenced")
        schema = dict(schema) if isinstance(schema, Mapping) else schema
        cls: Any = jsonschema.Draft202012Validator
        if isinstance(schema, dict) and "$schema" in schema:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # an unknown $schema only warns: make it an error
                try:
                    cls = jsonschema.validators.validator_for(schema)
                except Warning as exc:
                    uri = schema["$schema"]
                    raise PolicyError(f"json-schema: unknown $schema {uri!r}") from exc
        try:
            cls.check_schema(schema)
        except SchemaError as exc:
            where = _json_path(exc.absolute_path)
            raise PolicyError(f"json-schema: invalid schema at {where}: {exc.message}") from exc
        checker = cls.FORMAT_CHECKER if _flag(check_formats, "json-schema: check_formats") else None
        self.schema = schema
        self._validator = cls(schema, format_checker=checker)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        value, problem = parse_text(text, allow_fenced=self.allow_fenced)
        if problem is not None:
            return Verdict(score=1.0, passed=False, explanation=f"not valid JSON: {problem}")
        errors = sorted(self._validator.iter_errors(value), key=lambda e: [str(p) for p in e.path])
        if not errors:
            return Verdict(score=0.0, passed=True, explanation="valid against the schema")
        shown = "; ".join(
            f"{e.json_path}: {_clip(e.message, SCHEMA_MESSAGE_CHARS)}"
            for e in errors[:SCHEMA_ERRORS_SHOWN]
        )
        more = (
            f" (and {len(errors) - SCHEMA_ERRORS_SHOWN} more)"
            if len(errors) > SCHEMA_ERRORS_SHOWN
            else ""
        )
        count = f"{len(errors)} schema error{'s' if len(errors) > 1 else ''}"
        return Verdict(score=1.0, passed=False, explanation=f"{count}: {shown}{more}")

    def fix(self, text: str, result: CheckResult) -> str | None:
        repaired = repair_json(text)
        if repaired is None or not self._validator.is_valid(parse_json(repaired)):
            return None
        return repaired


def _json_path(path: Any) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{what} must be true or false, got {value!r}")
    return value


# -- regex and length --------------------------------------------------------------------------


@register
class RegexCheck(Check):
    """The text matches (``match``), contains (``search``) or avoids (``forbid``) a pattern."""

    name = "regex"

    def __init__(
        self,
        *,
        pattern: str,
        mode: Literal["match", "search", "forbid"] = "search",
        ignore_case: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if mode not in ("match", "search", "forbid"):
            raise PolicyError(f"regex: mode must be match, search or forbid, got {mode!r}")
        if not isinstance(pattern, str):
            raise PolicyError(f"regex: pattern must be a string, got {pattern!r}")
        flags = re.IGNORECASE if _flag(ignore_case, "regex: ignore_case") else 0
        try:
            self.pattern = re.compile(pattern, flags)
        except re.error as exc:
            raise PolicyError(f"regex: bad pattern {pattern!r}: {exc}") from exc
        self.mode = mode

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        shown = _clip(self.pattern.pattern, 60)
        if self.mode != "forbid":
            find = self.pattern.fullmatch if self.mode == "match" else self.pattern.search
            ok = find(text) is not None
            verb = "match" if self.mode == "match" else "contain"
            why = ("matches" if verb == "match" else "contains") if ok else f"does not {verb}"
            return Verdict(score=0.0 if ok else 1.0, passed=ok, explanation=f"text {why} {shown}")
        findings = tuple(
            Finding(m.start(), m.end(), "PATTERN", m.group())
            for m in self.pattern.finditer(text)
            if m.end() > m.start()
        )
        if not findings:
            return Verdict(score=0.0, passed=True, explanation=f"no match for {shown}")
        return Verdict(
            score=1.0,
            passed=False,
            findings=findings,
            explanation=f"{len(findings)} forbidden match(es) for {shown}",
        )


def _limit(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyError(f"{what} must be a whole number >= 0, got {value!r}")
    return value


_WORD = re.compile(r"\S+")


def _cut_at_word(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not text[limit].isspace():
        boundary = max(cut.rfind(c) for c in (" ", "\n", "\t", "\r"))
        if boundary > 0:
            cut = cut[:boundary]
    return cut.rstrip()


@register
class Length(Check):
    """The text's length in characters and words is within bounds."""

    name = "length"

    def __init__(
        self,
        *,
        min_chars: int | None = None,
        max_chars: int | None = None,
        min_words: int | None = None,
        max_words: int | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.min_chars = _limit(min_chars, "length: min_chars")
        self.max_chars = _limit(max_chars, "length: max_chars")
        self.min_words = _limit(min_words, "length: min_words")
        self.max_words = _limit(max_words, "length: max_words")
        bounds = (self.min_chars, self.max_chars, self.min_words, self.max_words)
        if all(b is None for b in bounds):
            raise PolicyError(
                "length needs at least one of min_chars, max_chars, min_words, max_words"
            )
        for low, high, unit in ((min_chars, max_chars, "chars"), (min_words, max_words, "words")):
            if low is not None and high is not None and low > high:
                raise PolicyError(f"length: min_{unit} {low} is over max_{unit} {high}")

    def _problems(self, text: str) -> list[str]:
        chars, words = len(text), len(_WORD.findall(text))
        problems = []
        if self.min_chars is not None and chars < self.min_chars:
            problems.append(f"{chars} characters, under min_chars {self.min_chars}")
        if self.max_chars is not None and chars > self.max_chars:
            problems.append(f"{chars} characters, over max_chars {self.max_chars}")
        if self.min_words is not None and words < self.min_words:
            problems.append(f"{words} words, under min_words {self.min_words}")
        if self.max_words is not None and words > self.max_words:
            problems.append(f"{words} words, over max_words {self.max_words}")
        return problems

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        problems = self._problems(text)
        if problems:
            return Verdict(score=1.0, passed=False, explanation="; ".join(problems))
        return Verdict(score=0.0, passed=True, explanation=f"{len(text)} characters, in bounds")

    def fix(self, text: str, result: CheckResult) -> str | None:
        cut = text
        if self.max_words is not None:
            ends = [
                m.end()
                for m, _ in zip(_WORD.finditer(text), range(self.max_words + 1), strict=False)
            ]
            if len(ends) > self.max_words:
                cut = text[: ends[self.max_words - 1]] if self.max_words else ""
        if self.max_chars is not None:
            cut = _cut_at_word(cut, self.max_chars)
        return cut if not self._problems(cut) else None


# -- tokens ----------------------------------------------------------------------------------

# The shape of cl100k_base's pre-tokeniser, with Python's classes for \p{L} and \p{N}.
_PRETOKEN = re.compile(
    r"(?P<word>'(?i:[sdmt]|ll|ve|re)|(?:[^\r\n\w]|_)?[^\W\d_]+)"
    r"|(?P<digits>\d{1,3})"
    r"|(?P<punct> ?(?:[^\s\w]|_)+)[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Mean cl100k tokens of an ASCII word pre-token by its number of letters (the index), and of
# a punctuation run by its length; fitted on package READMEs (see the module docstring).
_WORD_TOKENS = (1.0, 1.0, 1.0, 1.04, 1.15, 1.14, 1.25, 1.2, 1.5, 1.35, 1.6, 1.55, 1.7, 1.72, 1.8)
_LONG_WORD_CHARS_PER_TOKEN = 5.5
_PUNCT_TOKENS = (1.0, 1.0, 1.06, 1.3, 2.0)
_LONG_PUNCT_CHARS_PER_TOKEN = 5.0


def _word_tokens(word: str) -> float:
    letters = len(word) - (not word[0].isalpha())
    if word.isascii():
        if letters < len(_WORD_TOKENS):
            return _WORD_TOKENS[letters]
        return letters / _LONG_WORD_CHARS_PER_TOKEN
    han = sum("\u4e00" <= c <= "\u9fff" for c in word)
    wide = sum(c >= "\u2e80" for c in word)
    if wide:  # CJK: about one token per kana, one and a half per ideograph
        return wide + 0.5 * han + 0.5 * (len(word) - wide)
    accented = sum(not c.isascii() for c in word)
    if accented * 2 < letters:  # Latin with accents: é, ü cost a token or so each
        return _WORD_TOKENS[min(letters, len(_WORD_TOKENS) - 1)] + accented
    return 0.5 + 0.5 * letters  # Cyrillic, Greek and other alphabets


def _pretokens(text: str) -> Iterator[tuple[int, float]]:
    """(end offset, estimated tokens) for each pre-token of ``text``."""
    for m in _PRETOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            yield m.end(), _word_tokens(m.group())
        elif kind == "punct":
            n = len(m.group().strip())
            yield m.end(), _PUNCT_TOKENS[n] if n < len(_PUNCT_TOKENS) else n / 5.0
        else:
            yield m.end(), 1.0


def estimate_tokens(text: str) -> int:
    """Approximate cl100k_base token count of ``text`` (see the module docstring for accuracy)."""
    # ``_pretokens`` summed, without its match objects and generator (half the time): a guard
    # runs this on every input. ``findall`` gives the three named groups; whitespace matches
    # none of them.
    total = 0.0
    word_tokens, n_word_tokens = _WORD_TOKENS, len(_WORD_TOKENS)
    for word, _digits, punct in _PRETOKEN.findall(text):
        if word:
            if word.isascii():
                letters = len(word) - (not word[0].isalpha())
                if letters < n_word_tokens:
                    total += word_tokens[letters]
                else:
                    total += letters / _LONG_WORD_CHARS_PER_TOKEN
            else:
                total += _word_tokens(word)
        elif punct:
            n = len(punct.strip())
            total += _PUNCT_TOKENS[n] if n < len(_PUNCT_TOKENS) else n / 5.0
        else:
            total += 1.0
    return round(total)


@register
class TokenLimit(Check):
    """The text fits in ``max_tokens`` (estimated, cl100k-like)."""

    name = "token-limit"

    def __init__(
        self, *, max_tokens: int, threshold: float | None = None, label: str | None = None
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        limit = _limit(max_tokens, "token-limit: max_tokens")
        if limit is None:
            raise PolicyError("token-limit needs max_tokens")
        self.max_tokens = limit

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        tokens = estimate_tokens(text)
        if tokens > self.max_tokens:
            why = f"about {tokens} tokens, over the limit of {self.max_tokens}"
            return Verdict(score=1.0, passed=False, explanation=why)
        return Verdict(score=0.0, passed=True, explanation=f"about {tokens} tokens")

    def fix(self, text: str, result: CheckResult) -> str | None:
        if estimate_tokens(text) <= self.max_tokens:
            return text
        total, cut = 0.0, 0
        for end, tokens in _pretokens(text):
            if round(total + tokens) > self.max_tokens:
                break
            total, cut = total + tokens, end
        candidate = _cut_at_word(text, cut)
        while candidate and estimate_tokens(candidate) > self.max_tokens:
            candidate = _cut_at_word(candidate, len(candidate) - 1)
        return candidate


# -- refusal ---------------------------------------------------------------------------------

_APOS = "['\u2019]"
_VERBS = (
    r"(?:help|assist|provide|comply|fulfil+|answer|support|create|generate|write|produce|share"
    r"|give|engage|participate|continue|discuss|complete|offer|recommend|browse|access"
    r"|do\s+(?:that|this|so)|go\s+along|agree)"
)
_CANNOT = (
    rf"(?:can{_APOS}?t|cannot|can\s+not|won{_APOS}t|will\s+not|must\s+not|shouldn{_APOS}t"
    rf"|(?:am|{_APOS}m)\s+(?:unable|not\s+able|not\s+allowed|not\s+permitted|not\s+going)\s+to"
    rf"|(?:am|{_APOS}m)\s+not\s+in\s+a\s+position\s+to)"
)
# (weight, pattern) over lower-cased text. The weight is how sure one phrase makes us.
_REFUSALS: tuple[tuple[float, str], ...] = (
    (0.9, rf"\b(?:i{_APOS}m\s+|i\s+am\s+)?(?:\w+\s+)?sorry\b[^.!?\n]{{0,60}}?\bi\s*{_CANNOT}"),
    (
        0.85,
        rf"\bi\s*(?:really\s+|simply\s+|just\s+|unfortunately\s+|afraid\s+i\s+)?{_CANNOT}\s+"
        rf"(?:be\s+able\s+to\s+)?(?:\w+\s+)?{_VERBS}\b(?!\s+but\b)",
    ),
    (
        0.85,
        r"\bi\s+(?:must|have\s+to|need\s+to|will\s+have\s+to|['\u2019]ll\s+have\s+to|'d\s+have\s+to)"
        r"\s+(?:respectfully\s+|politely\s+)?decline\b|\bi\s+(?:respectfully\s+)?decline\s+to\b",
    ),
    (
        0.8,
        r"\b(?:this|that|your)\s+request\s+(?:violates|goes\s+against|is\s+against)"
        r"|\bagainst\s+(?:my|our|openai['\u2019]s|anthropic['\u2019]s)\s+(?:guidelines|policies|policy"
        r"|programming|principles|usage\s+policies|content\s+policy)\b",
    ),
    (
        0.7,
        r"\bi(?:['\u2019]m|\s+am)\s+not\s+comfortable\s+(?:with|providing|helping|writing|creating"
        r"|discussing|sharing|doing)\b",
    ),
    (
        0.6,
        r"\bas\s+an?\s+(?:ai|artificial\s+intelligence)(?:\s+(?:language\s+)?model|\s+assistant)?\b",
    ),
    (0.5, r"\bi(?:['\u2019]d|\s+would)\s+(?:rather|prefer)\s+not(?:\s+to)?\b"),
)
# A refusal that opens the answer is the whole answer; one deep inside it is often a caveat.
REFUSAL_LEAD_CHARS = 300
LATE_REFUSAL = 0.7
HEDGED_REFUSAL = 0.5
_REFUSAL = re.compile("|".join(f"(?P<r{i}>{p})" for i, (_, p) in enumerate(_REFUSALS)))
# Every refusal phrase contains one of these; the patterns only run near them, so ordinary
# text costs a few substring searches.
_REFUSAL_ANCHORS = (
    "sorry", "can't", "can\u2019t", "cant", "cannot", "can not", "won't", "won\u2019t", "will not",
    "must not", "shouldn't", "shouldn\u2019t", "unable", "not able", "not allowed", "not permitted",
    "not going", "not in a position", "decline", "request", "against", "comfortable", "an ai",
    "a ai", "artificial intelligence", "rather not", "prefer not",
)  # fmt: skip
# How far a refusal phrase reaches from its anchor, in characters.
REFUSAL_REACH = 120
_HEDGE = re.compile(r"[^.!?\n]{0,80}?\b(?:but|however)\b(?!\s+i\b)")


@register
class Refusal(Check):
    """The model declined to answer. Score near 1: refused."""

    name = "refusal"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        lowered = text.lower()
        if len(lowered) != len(text):  # only "İ" lower-cases to two characters
            lowered = text.replace("\u0130", "I").lower()
        hits: list[tuple[int, int, float]] = []
        for m in _near_anchors(lowered):
            assert m.lastgroup is not None
            weight = _REFUSALS[int(m.lastgroup[1:])][0]
            if m.start() > REFUSAL_LEAD_CHARS:
                weight *= LATE_REFUSAL
            if _HEDGE.match(lowered, m.end()):
                weight *= HEDGED_REFUSAL
            hits.append((m.start(), m.end(), weight))
        if not hits:
            return Verdict(score=0.0, explanation="no refusal found")
        remaining = 1.0
        for _, _, weight in hits:
            remaining *= 1.0 - weight
        score = round(1.0 - remaining, 4)
        findings = tuple(Finding(s, e, "REFUSAL", text[s:e], round(w, 4)) for s, e, w in hits)
        return Verdict(
            score=score,
            findings=findings,
            label="refusal" if not self.passes(score) else None,
            explanation=f"refusal phrasing: {findings[0].text!r}"
            + (f" and {len(findings) - 1} more" if len(findings) > 1 else ""),
        )


def _near_anchors(lowered: str) -> Iterator[re.Match[str]]:
    """Refusal matches, searched only in windows around the anchor words."""
    windows: list[list[int]] = []
    for anchor in _REFUSAL_ANCHORS:
        at = lowered.find(anchor)
        while at != -1:
            windows.append([max(0, at - REFUSAL_REACH), at + len(anchor) + REFUSAL_REACH])
            at = lowered.find(anchor, at + len(anchor))
    windows.sort()
    merged: list[list[int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    last_end = 0
    for lo, window_end in merged:
        hi = min(window_end, len(lowered))
        for m in _REFUSAL.finditer(lowered, max(lo, last_end), hi):
            if m.end() < hi or hi == len(lowered):  # a match cut by the window is not one
                last_end = m.end()
                yield m
