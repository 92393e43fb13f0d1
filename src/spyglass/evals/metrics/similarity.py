"""Is the output the expected answer? Exact match, containment, regex, token F1, edit distance.

Functions return 0-1 (1 is a match). Checks (``higher_is_better``), with their default
thresholds:

``exact-match`` (1.0)
    1 when the output equals an expected output after the chosen normalisation
    (``ignore_case``, ``ignore_whitespace``, ``ignore_punctuation``; all off by default, so
    "Paris\\n" is not "Paris" unless ``ignore_whitespace`` is set).
``contains`` (1.0)
    The output contains the expected substrings. They come from the ``substrings``
    parameter when the policy fixes them, else from the context: ``context.expected`` and
    every string of ``context.metadata["expected_list"]``. ``mode: all`` scores the share
    found (so the default threshold 1.0 asks for all of them), ``mode: any`` 1 or 0.
``regex-match`` (1.0)
    The output matches ``pattern`` (``search`` anywhere, or ``fullmatch``); without a
    ``pattern`` parameter the expected output(s) are the patterns and any may match.
``token-f1`` (0.5)
    SQuAD's token F1: half the normalised words shared in both directions scores about 0.5.
``levenshtein`` (0.8)
    1 - edit distance / longer length: 0.8 allows one edit per five characters.

Reference-based checks take the expected output from ``context.expected`` and
``context.metadata["expected_list"]`` and score the best match; with neither they are
unscored. Valid JSON and JSON Schema conformance are the ``json`` and ``json-schema`` checks
of :mod:`spyglass.checks.format` (risk direction: 0 is valid); :func:`json_valid` and
:func:`json_schema_valid` give them as 0-1 quality scores.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

from spyglass.checks.base import EMPTY_CONTEXT, CheckContext, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.evals.metrics._reference import ReferenceMetric, flag
from spyglass.exceptions import CheckError, PolicyError

__all__ = [
    "Contains",
    "ExactMatch",
    "Levenshtein",
    "RegexMatch",
    "TokenF1",
    "contains",
    "exact_match",
    "json_schema_valid",
    "json_valid",
    "levenshtein_distance",
    "levenshtein_similarity",
    "regex_match",
    "squad_normalize",
    "token_f1",
]

ContainsMode = Literal["all", "any"]
RegexMode = Literal["search", "fullmatch"]


def _texts(value: str | Sequence[str]) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise ValueError("at least one expected text is needed")
    return items


# -- exact match -----------------------------------------------------------------------------

_ASCII_PUNCTUATION = frozenset(string.punctuation)


def _is_punctuation(ch: str) -> bool:
    """Unicode punctuation (categories P*) or ASCII ``string.punctuation`` ($+<=>^`|~ are S*)."""
    return ch in _ASCII_PUNCTUATION or (ch > "\x7f" and unicodedata.category(ch)[0] == "P")


def _normalize(text: str, ignore_case: bool, ignore_whitespace: bool, ignore_punct: bool) -> str:
    if ignore_case:
        text = text.casefold()
    if ignore_punct:
        text = "".join(ch for ch in text if not _is_punctuation(ch))
    if ignore_whitespace:
        text = " ".join(text.split())
    return text


def exact_match(
    prediction: str,
    references: str | Sequence[str],
    *,
    ignore_case: bool = False,
    ignore_whitespace: bool = False,
    ignore_punctuation: bool = False,
) -> float:
    """1.0 when ``prediction`` equals any reference after normalisation, else 0.0.

    EM = max over references of [norm(prediction) == norm(reference)], where norm applies,
    in this order: Unicode case folding (``ignore_case``), removal of punctuation (Unicode
    P* categories and ASCII ``string.punctuation``: ``ignore_punctuation``), and collapsing
    whitespace runs to one space with the ends stripped (``ignore_whitespace``).
    With all three set this is SQuAD's exact match (``evaluate-v2.0.py`` ``compute_exact``)
    except that SQuAD also drops the articles a/an/the and only ASCII punctuation.
    """
    norm = _normalize(prediction, ignore_case, ignore_whitespace, ignore_punctuation)
    return float(
        any(
            norm == _normalize(r, ignore_case, ignore_whitespace, ignore_punctuation)
            for r in _texts(references)
        )
    )


# -- contains and regex ----------------------------------------------------------------------


def _fold(text: str, ignore_case: bool) -> str:
    return text.casefold() if ignore_case else text


def contains(
    text: str,
    expected: str | Sequence[str],
    *,
    mode: ContainsMode = "all",
    ignore_case: bool = False,
) -> float:
    """How much of ``expected`` occurs in ``text`` as substrings.

    mode "all": found / len(expected), the share of the expected substrings present (1.0
    when all are); mode "any": 1.0 when at least one is present, else 0.0. ``ignore_case``
    compares Unicode case-folded texts. Plain ``in`` substring tests, no tokenisation.
    """
    if mode not in ("all", "any"):
        raise ValueError(f"mode must be 'all' or 'any', got {mode!r}")
    haystack = _fold(text, ignore_case)
    needles = _texts(expected)
    found = sum(_fold(n, ignore_case) in haystack for n in needles)
    if mode == "any":
        return float(found > 0)
    return found / len(needles)


def regex_match(
    text: str,
    pattern: str | re.Pattern[str],
    *,
    mode: RegexMode = "search",
    ignore_case: bool = False,
) -> float:
    """1.0 when ``pattern`` matches ``text`` (``re.search``, or ``re.fullmatch``), else 0.0.

    Python ``re`` syntax; ``ignore_case`` adds ``re.IGNORECASE`` to a pattern given as text.
    The pattern is the caller's: nothing protects it from catastrophic backtracking.
    """
    if mode not in ("search", "fullmatch"):
        raise ValueError(f"mode must be 'search' or 'fullmatch', got {mode!r}")
    if isinstance(pattern, str):
        pattern = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    matched = pattern.search(text) if mode == "search" else pattern.fullmatch(text)
    return float(matched is not None)


# -- token F1 --------------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_ASCII_PUNCTUATION_TABLE = dict.fromkeys(map(ord, string.punctuation))


def squad_normalize(text: str) -> str:
    """SQuAD's ``normalize_answer``: lower-case, drop ASCII punctuation, articles, extra spaces."""
    text = text.lower().translate(_ASCII_PUNCTUATION_TABLE)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _f1(prediction: list[str], reference: list[str]) -> float:
    if not prediction or not reference:
        return float(prediction == reference)
    same = sum((Counter(prediction) & Counter(reference)).values())
    if same == 0:
        return 0.0
    precision = 1.0 * same / len(prediction)
    recall = 1.0 * same / len(reference)
    return (2 * precision * recall) / (precision + recall)


def token_f1(prediction: str, references: str | Sequence[str]) -> float:
    """SQuAD token F1: the harmonic mean of token precision and recall, best over references.

    Tokens are the whitespace-separated words of :func:`squad_normalize`. With S the size of
    the multiset intersection of prediction and reference tokens: P = S / prediction tokens,
    R = S / reference tokens, F1 = 2 * P * R / (P + R), 0 when S = 0. When either side has no
    token, F1 is 1 if both have none and 0 otherwise.

    Reference: the official SQuAD 2.0 evaluation script (``evaluate-v2.0.py``:
    ``normalize_answer``, ``get_tokens``, ``compute_f1``), maximum over gold answers as in
    ``get_raw_scores``.
    """
    pred = squad_normalize(prediction).split()
    return max(_f1(pred, squad_normalize(r).split()) for r in _texts(references))


# -- edit distance ---------------------------------------------------------------------------


def levenshtein_distance(a: str, b: str) -> int:
    """Levenshtein distance: fewest single-character insertions, deletions, substitutions.

    The common prefix and suffix are dropped first; what is left runs through Myers' (1999)
    bit-parallel form of the DP in Hyyro's (2001) global-distance formulation: one big-int
    per DP column, a handful of operations per character of the longer string.
    """
    if a == b:
        return 0
    start = 0
    shortest = min(len(a), len(b))
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return len(b)
    return _myers(a, b)


def _myers(pattern: str, text: str) -> int:
    m = len(pattern)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in text:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def levenshtein_similarity(
    prediction: str, references: str | Sequence[str], *, ignore_case: bool = False
) -> float:
    """1 - Levenshtein distance / length of the longer string (1.0 for two empty strings).

    Best over references. Lengths and edits count code points (not grapheme clusters);
    ``ignore_case`` compares case-folded strings. The same normalisation as
    ``rapidfuzz.distance.Levenshtein.normalized_similarity`` with unit weights.
    """
    pred = _fold(prediction, ignore_case)
    best = 0.0
    for reference in _texts(references):
        ref = _fold(reference, ignore_case)
        longest = max(len(pred), len(ref))
        score = 1.0 if longest == 0 else 1.0 - levenshtein_distance(pred, ref) / longest
        best = max(best, score)
    return best


# -- JSON ------------------------------------------------------------------------------------


def json_valid(text: str, *, allow_fenced: bool = True) -> float:
    """1.0 when the ``json`` check passes ``text`` (strict RFC 8259 JSON), else 0.0."""
    from spyglass.checks.format import Json  # jsonschema is a slow import: only when used

    return float(Json(allow_fenced=allow_fenced).evaluate(text, EMPTY_CONTEXT).passed is True)


def json_schema_valid(
    text: str, schema: Mapping[str, Any] | bool, *, allow_fenced: bool = True
) -> float:
    """1.0 when ``text`` is JSON valid against ``schema`` (the ``json-schema`` check), else 0.0.

    An invalid schema raises :class:`spyglass.exceptions.PolicyError`.
    """
    from spyglass.checks.format import JsonSchema

    check = JsonSchema(schema=schema, allow_fenced=allow_fenced)
    return float(check.evaluate(text, EMPTY_CONTEXT).passed is True)


# -- checks ----------------------------------------------------------------------------------


def _best(count: int) -> str:
    return "" if count == 1 else f" (best of {count} expected outputs)"


@register
class ExactMatch(ReferenceMetric):
    """The output equals an expected output, after optional normalisation."""

    name = "exact-match"
    default_threshold = 1.0

    def __init__(
        self,
        *,
        ignore_case: bool = False,
        ignore_whitespace: bool = False,
        ignore_punctuation: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.ignore_case = flag(ignore_case, "exact-match: ignore_case")
        self.ignore_whitespace = flag(ignore_whitespace, "exact-match: ignore_whitespace")
        self.ignore_punctuation = flag(ignore_punctuation, "exact-match: ignore_punctuation")

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = exact_match(
            text,
            references,
            ignore_case=self.ignore_case,
            ignore_whitespace=self.ignore_whitespace,
            ignore_punctuation=self.ignore_punctuation,
        )
        what = "matches" if score else "does not match"
        noun = "the expected output" if len(references) == 1 else "any expected output"
        return Verdict(score=score, explanation=f"{what} {noun}")


@register
class Contains(ReferenceMetric):
    """The output contains the expected substrings (all of them, or any with ``mode: any``)."""

    name = "contains"
    default_threshold = 1.0

    def __init__(
        self,
        *,
        substrings: Sequence[str] | None = None,
        mode: ContainsMode = "all",
        ignore_case: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if substrings is not None and (
            isinstance(substrings, str)
            or not isinstance(substrings, Sequence)
            or not substrings
            or not all(isinstance(s, str) for s in substrings)
        ):
            raise PolicyError("contains: substrings must be a non-empty list of strings")
        if mode not in ("all", "any"):
            raise PolicyError(f"contains: mode must be all or any, got {mode!r}")
        self.substrings = None if substrings is None else list(substrings)
        self.mode: ContainsMode = mode
        self.ignore_case = flag(ignore_case, "contains: ignore_case")

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        if self.substrings is not None:
            return self.compare(text, self.substrings)
        return super().evaluate(text, context)

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = contains(text, references, mode=self.mode, ignore_case=self.ignore_case)
        haystack = _fold(text, self.ignore_case)
        # Case folding never deletes a character, so equal lengths mean a 1:1 mapping and
        # offsets in the folded text are offsets in the text ("ß" -> "ss" breaks that).
        spans_valid = len(haystack) == len(text)
        findings: list[Finding] = []
        missing: list[str] = []
        for needle in references:
            folded = _fold(needle, self.ignore_case)
            at = haystack.find(folded)
            if at < 0:
                missing.append(needle)
            elif folded and spans_valid:
                end = at + len(folded)
                findings.append(Finding(at, end, "EXPECTED", text[at:end]))
        found = len(references) - len(missing)
        explanation = f"{found} of {len(references)} expected substrings found"
        if missing:
            explanation += "; missing: " + ", ".join(repr(m[:40]) for m in missing[:3])
        return Verdict(score=score, findings=tuple(findings), explanation=explanation)


@register
class RegexMatch(ReferenceMetric):
    """The output matches ``pattern`` (or, without one, an expected output taken as a regex)."""

    name = "regex-match"
    default_threshold = 1.0

    def __init__(
        self,
        *,
        pattern: str | None = None,
        mode: RegexMode = "search",
        ignore_case: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if mode not in ("search", "fullmatch"):
            raise PolicyError(f"regex-match: mode must be search or fullmatch, got {mode!r}")
        self.mode: RegexMode = mode
        self.flags = re.IGNORECASE if flag(ignore_case, "regex-match: ignore_case") else 0
        self.pattern: re.Pattern[str] | None = None
        if pattern is not None:
            if not isinstance(pattern, str):
                raise PolicyError(f"regex-match: pattern must be a string, got {pattern!r}")
            try:
                self.pattern = re.compile(pattern, self.flags)
            except re.error as exc:
                raise PolicyError(f"regex-match: invalid pattern: {exc}") from exc

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        if self.pattern is not None:
            return self._verdict(text, [self.pattern])
        return super().evaluate(text, context)

    def compare(self, text: str, references: list[str]) -> Verdict:
        return self._verdict(text, [_compile(r, self.flags) for r in references])

    def _verdict(self, text: str, patterns: list[re.Pattern[str]]) -> Verdict:
        for pattern in patterns:
            if regex_match(text, pattern, mode=self.mode):
                return Verdict(score=1.0, explanation=f"matches /{pattern.pattern[:60]}/")
        shown = "/" + patterns[0].pattern[:60] + "/"
        more = f" or {len(patterns) - 1} other patterns" if len(patterns) > 1 else ""
        return Verdict(score=0.0, explanation=f"does not match {shown}{more}")


# Patterns from the dataset repeat across runs; re's own cache holds 512 across the process.
PATTERN_CACHE_SIZE = 256


@lru_cache(maxsize=PATTERN_CACHE_SIZE)
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise CheckError(f"regex-match: the expected output is not a valid pattern: {exc}") from exc


@register
class TokenF1(ReferenceMetric):
    """SQuAD token F1 against the expected output(s); see :func:`token_f1`."""

    name = "token-f1"
    default_threshold = 0.5

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = token_f1(text, references)
        return Verdict(score=score, explanation=f"token F1 {score:.3f}{_best(len(references))}")


@register
class Levenshtein(ReferenceMetric):
    """1 - edit distance / longer length against the expected output(s)."""

    name = "levenshtein"
    default_threshold = 0.8

    def __init__(
        self, *, ignore_case: bool = False, threshold: float | None = None, label: str | None = None
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.ignore_case = flag(ignore_case, "levenshtein: ignore_case")

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = levenshtein_similarity(text, references, ignore_case=self.ignore_case)
        return Verdict(
            score=score,
            explanation=f"edit similarity {score:.3f}{_best(len(references))}",
        )
