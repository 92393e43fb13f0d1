"""System-prompt leaks in a model's output: canary tokens and verbatim runs of the prompt.

The ``prompt-leak`` check looks at an *output* and finds

* ``CANARY`` a canary token, i.e. a random string the user planted in their system prompt
  (:func:`make_canary` makes one; pass it in ``canaries``). Found verbatim, case-insensitively,
  or with separators inserted between its characters ("S P Y - 1 f 3 ...");
* ``SYSTEM_PROMPT`` runs of at least ``min_words`` words of the system prompt (from the
  ``system_prompt`` parameter or ``context.system_prompt``), verbatim or nearly so: words are
  compared case- and punctuation-insensitively, and a run may skip a changed word here and
  there (at most :data:`MAX_GAP` in a row).

Short shared phrases ("you are a helpful assistant") stay under ``min_words`` and are not
reported. Spans point into the output.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from spyglass.checks.base import Check, CheckContext, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.checks.unicode import normalize
from spyglass.exceptions import PolicyError

__all__ = ["PromptLeak", "make_canary"]

# Shingle length for overlap: long enough that common three-word phrases do not chain into a
# run, short enough that one changed word costs only that word (see _covered).
SHINGLE = 4
# Uncovered words tolerated inside a run: a paraphrased or dropped word or two.
MAX_GAP = 2
# Letters and digits are words; each CJK/kana/hangul character is a word of its own.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")


def make_canary(prefix: str = "SPY") -> str:
    """A random token to plant in a system prompt, e.g. ``SPY-3f9c0a7d52e1b846``.

    64 random bits: no output will contain it by chance.
    """
    return f"{prefix}-{secrets.token_hex(8)}"


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text)]


def _canary_pattern(canary: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in canary if not c.isspace()]
    return re.compile(r"[\s\-_.]{0,2}".join(chars), re.IGNORECASE)


def _covered(out: list[str], shingles: set[tuple[str, ...]], k: int) -> list[bool]:
    covered = [False] * len(out)
    for i in range(len(out) - k + 1):
        if tuple(out[i : i + k]) in shingles:
            for j in range(i, i + k):
                covered[j] = True
    return covered


def _runs(covered: list[bool], min_words: int) -> list[tuple[int, int, int]]:
    """(first token, last token, covered words) of runs with at most MAX_GAP holes in a row."""
    runs: list[tuple[int, int, int]] = []
    start = last = -1
    count = gap = 0
    for i, c in enumerate(covered):
        if c:
            if start < 0:
                start, count = i, 0
            last, gap = i, 0
            count += 1
        elif start >= 0:
            gap += 1
            if gap > MAX_GAP:
                if count >= min_words:
                    runs.append((start, last, count))
                start, gap = -1, 0
    if start >= 0 and count >= min_words:
        runs.append((start, last, count))
    return runs


@register
class PromptLeak(Check):
    """Flags outputs that reveal the system prompt: canary tokens or long verbatim runs.

    Parameters: ``canaries`` (tokens planted in the system prompt), ``system_prompt`` (used
    when ``context.system_prompt`` is empty), ``min_words`` (8: shortest run reported). The
    score is 1.0 for a canary; for runs it grows with the longest run, reaching 0.5 (fail)
    at ``min_words`` words and 1.0 at twice that.
    """

    name = "prompt-leak"

    def __init__(
        self,
        *,
        canaries: Sequence[str] = (),
        system_prompt: str | None = None,
        min_words: int = 8,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if isinstance(canaries, str):
            raise PolicyError("prompt-leak: canaries must be a list of strings")
        if any(not isinstance(c, str) or len(c.strip()) < 6 for c in canaries):
            raise PolicyError("prompt-leak: each canary must be a string of 6 characters or more")
        if int(min_words) < SHINGLE:
            raise PolicyError(f"prompt-leak: min_words must be at least {SHINGLE}")
        self.canaries = tuple(canaries)
        self.system_prompt = system_prompt
        self.min_words = int(min_words)
        self._canary_patterns = [_canary_pattern(c) for c in self.canaries]
        self._cache: tuple[str, set[tuple[str, ...]]] | None = None

    def _shingles(self, prompt: str) -> set[tuple[str, ...]]:
        if self._cache is None or self._cache[0] != prompt:
            words = [t[2] for t in _tokens(normalize(prompt))]
            grams = {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
            self._cache = (prompt, grams)
        return self._cache[1]

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        findings: list[Finding] = []
        for pattern in self._canary_patterns:
            findings += [
                Finding(m.start(), m.end(), "CANARY", m.group(), 1.0)
                for m in pattern.finditer(text)
            ]
        prompt = context.system_prompt or self.system_prompt
        longest = 0
        if prompt:
            shingles = self._shingles(prompt)
            # Offsets of the normalized output map back to the original for the spans.
            tokens = _tokens(text)
            words = [t[2] for t in tokens] if text.isascii() else [normalize(t[2]) for t in tokens]
            for first, last, count in _runs(_covered(words, shingles, SHINGLE), self.min_words):
                start, end = tokens[first][0], tokens[last][1]
                score = min(1.0, 0.5 * count / self.min_words)
                findings.append(Finding(start, end, "SYSTEM_PROMPT", text[start:end], score))
                longest = max(longest, count)
        if not findings:
            return Verdict(score=0.0, explanation="no canary or system-prompt text in the output")
        score = max(f.score for f in findings)
        parts = []
        canaries = sum(f.entity == "CANARY" for f in findings)
        if canaries:
            parts.append(f"{canaries} canary token(s)")
        if longest:
            runs = sum(f.entity == "SYSTEM_PROMPT" for f in findings)
            parts.append(f"{runs} run(s) of the system prompt, longest {longest} words")
        findings.sort(key=lambda f: (f.start, f.end))
        return Verdict(
            score=round(score, 4),
            findings=tuple(findings),
            label="prompt_leak",
            explanation="output leaks the system prompt: " + "; ".join(parts),
        )
