"""The ``toxicity`` check: a lexicon of abusive language, scored by severity and targeting.

Stdlib only, no model: the lexicon lives in ``data/toxicity.json`` with six categories, each
with a severity (the score of one untargeted hit):

==================  =======  ===============================================
category            weight   examples
==================  =======  ===============================================
insult              0.45     idiot, moron, piece of shit
profanity           0.55     fuck, shit, bullshit
identity_attack     0.90     slurs; "all <group> are vermin"
threat              0.90     "I will kill you", "you're dead", "watch your back"
sexual_harassment   0.80     "send nudes", slut, "show me your ..."
self_harm           1.00     "kill yourself", kys, "you should die"
==================  =======  ===============================================

Each category lists ``words`` (always count), ``mild`` words (count at 30 % of the
severity, so "this code sucks" scores 0.14 and passes), ``ambiguous`` words that only count
when aimed at someone ("you pig", but not "the pig farm") and regular-expression
``patterns`` for templates that are targeted by construction (threats).

Matching is on whole words of the lower-cased text and sees through leetspeak ("1d10t",
"sh1t"), stretched letters ("stuuupid"), spelled-out words ("f.u.c.k", "k y s"), masked
letters ("f**k", "sh*t") and a plural -s/-es. A hit's score is its severity, times 1.6 when
it is aimed at the reader ("you are a ...", "fuck you"), times 0.25 when the word is quoted or
discussed ("is 'idiot' offensive?", "the word ...") and times 0.4 when negated ("you are not
an idiot"). The text's score combines the hits as ``1 - prod(1 - hit)``: more hits, more
risk. Findings carry the span and the category upper-cased (INSULT, SELF_HARM); the label is the
category of the worst hit.

Parameters:
    categories: categories to look for (default: all six).
    exclude: words or phrases never to flag (a product called "Dick's", a team nickname).
    extra_words: ``{category: [words]}`` added to the lexicon as full-severity words.
    threshold: fail at or above this score (default 0.5).

Known limits: a lexicon misses new slang, most misspellings beyond the obfuscations above,
sarcasm and insults without abusive words ("you have the brains of a doorknob"), and reads
English only. Words with a medical or everyday sense (anal, breast, kill, rape) are left out
of the word lists on purpose; "kill" only counts in threat templates. Homoglyphs (Cyrillic
letters that look Latin) are the job of the ``unicode`` check. Trash talk ("I will destroy
you" in a game chat) reads as a threat. A letter stretched past 12 repeats, a masked word
whose stars hide a double letter ("a**hole") and a threat spread over more than 160
characters are missed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from spyglass.checks.base import Check, CheckContext, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = ["Toxicity"]

# Multipliers on a hit's severity. Targeting lifts a 0.45 insult to 0.72, over the default
# threshold; quoting and negation pull a 1.0 self-harm phrase under it.
TARGETED = 1.6
QUOTED = 0.25
NEGATED = 0.4
MILD = 0.3
# How far before a hit (in characters) to look for "you are ...", "the word ..." and "not".
CONTEXT_WINDOW = 48
# Extra repeats of one letter that still read as the word ("stuuuuupid"). Bounded so a run of
# 100 000 "1!|" costs a few steps per position instead of a scan to the end of the text.
MAX_STRETCH = 12
# How far from a trigger word a template match may reach; templates are a sentence long.
PATTERN_REACH = 160

# Characters that stand in for a letter. Symbols (not letters or digits) may stand inside a
# word but never at its end, where "!" and "$" are ordinary punctuation.
_LEET = {
    "a": "4@",
    "b": "8",
    "e": "3",
    "g": "9",
    "i": "1!|",
    "l": "1|",
    "o": "0",
    "s": "5$",
    "t": "7+",
    "z": "2",
}
# Back to one canonical letter per character; "l" and "i" merge because "1" may be either.
_CANON = str.maketrans(
    {"4": "a", "@": "a", "8": "b", "3": "e", "9": "g", "1": "i", "!": "i", "|": "i"}
    | {"l": "i", "0": "o", "5": "s", "$": "s", "7": "t", "+": "t", "2": "z"}
)
_REPEATS = re.compile(r"(.)\1+")
_SEPARATORS = re.compile(r"[\s\-_.~·*]+")
_WORD_CHARS = "a-z0-9"
_MEMBER = r"[a-z0-9@$!|+]"
# "f.u.c.k", "k y s": three or more single characters joined by one repeated separator.
_SPELLED = rf"{_MEMBER}(?P<sep>[.\-_ ~·])(?:{_MEMBER}(?P=sep))+{_MEMBER}(?![{_WORD_CHARS}])"
# "f**k", "sh*t": letters with asterisks standing in for some of them.
_MASKED = re.compile(r"(?<![a-z0-9*])[a-z]+\*+[a-z]+(?:\*+[a-z]+)*(?![a-z0-9*])")
_QUOTES_OPEN = "'\"“\u2018«`"
_QUOTES_CLOSE = "'\"”\u2019»`"
_TARGET_BEFORE = re.compile(
    r"(?:^|[^a-z0-9'\u2019])(?:you|u|ya|ur|your|youre|you're|you\u2019re|yo)"
    r"(?:\s+[a-z'\u2019]+){0,4}?\s*,?\s+$"
)
_TARGET_AFTER = re.compile(
    r"^\s+(?:you|u|ya|yourself)\b(?!['\u2019]?(?:re|ve|ll|d)\b)"
    r"(?!\s+(?:are|were|know|can|could|should|will|would|have|had|did|do|might|must|guys)\b)"
)
_META_BEFORE = re.compile(
    r"\b(?:the\s+word|the\s+term|words?\s+like|terms?\s+like|called|calling|says?|saying|said"
    r"|spell(?:ing)?|define|definition\s+of|meaning\s+of|means\s+by|slur|insult|swear\s*word)"
    r"\s*[:,]?\s*[\"'“\u2018`]?$"
)
_META_AFTER = re.compile(
    r"^[\"'”\u2019`]?\s*(?:(?:is|was|are|a|an|considered|really|too|so|still)\s+)*"
    r"(?:offensive|rude|a\s+slur|an\s+insult|a\s+swear\s*word|a\s+bad\s+word|profan|inappropriate"
    r"|derogatory|pejorative|mean|means|meaning|etymology)"
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|don't|don\u2019t|dont|do\s+not|isn't|aren't|wasn't)\s+"
    r"(?:(?:a|an|the|such|so|that|being|really|at\s+all)\s+){0,2}$"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    category: str
    severity: float  # of an untargeted hit
    ambiguous: bool  # counts only when aimed at someone


@dataclass(frozen=True, slots=True)
class _Pattern:
    category: str
    severity: float
    regex: re.Pattern[str]
    triggers: tuple[str, ...]  # every match has one of these at the start of a word


@dataclass(frozen=True, slots=True)
class _Lexicon:
    # One pass finds lexicon words, spelled-out words and template triggers together.
    scan: re.Pattern[str]
    entries: Mapping[str, _Entry]  # canonical form -> entry
    patterns: tuple[_Pattern, ...]
    triggers: Mapping[str, tuple[str, ...]]  # first letter -> triggers
    excluded: frozenset[str]
    masked: Mapping[tuple[int, str], list[tuple[str, _Entry]]]  # (length, first letter)


@cache
def _data() -> dict[str, dict[str, Any]]:
    raw = files("spyglass.checks").joinpath("data", "toxicity.json").read_text(encoding="utf-8")
    categories: dict[str, dict[str, Any]] = json.loads(raw)["categories"]
    return categories


@lru_cache(maxsize=4096)
def _canonical(word: str) -> str:
    """The form lexicon lookups use: leetspeak undone, repeats and separators collapsed."""
    flat = _SEPARATORS.sub(" ", word.lower().translate(_CANON)).strip()
    return _REPEATS.sub(r"\1", flat)


def _units(word: str) -> list[str]:
    """Regex pieces for one lexicon word: one per run of a letter, one per separator."""
    pieces: list[str] = []
    runs = [m.group() for m in re.finditer(r"(.)\1*", word.lower().strip())]
    for i, run in enumerate(runs):
        char = run[0]
        if char.isspace() or char in "-_.":
            pieces.append(r"[\s\-_.]++")
            continue
        last = i == len(runs) - 1 or runs[i + 1][0].isspace()
        extra = "".join(c for c in _LEET.get(char, "") if c.isalnum() or not last)
        cls = "[" + re.escape(char + extra) + "]" if extra else re.escape(char)
        # The class comes first on its own so the engine can reject a branch at one glance.
        pieces.append(cls * min(len(run), 2) + cls + f"{{0,{MAX_STRETCH}}}+")
    return pieces


def _trie_regex(words: Iterable[str], prefixes: Iterable[str]) -> str:
    """One alternation shaped as a trie, so the engine checks a few letters per position.

    ``words`` match whole (with a plural); ``prefixes`` match at the start of any word.
    """
    trie: dict[str, Any] = {}
    ends: list[tuple[str, str | None]] = [
        (w, "(?:e?s)?" if re.search(r"(?:s|sh|ch|x|z)$", w) else "s?") for w in words
    ]
    for word, end in [*ends, *((p, None) for p in prefixes)]:
        node = trie
        for piece in _units(word):
            node = node.setdefault(piece, {})
        node.setdefault("", []).append("" if end is None else f"{end}(?![{_WORD_CHARS}])")

    def emit(node: dict[str, Any]) -> str:
        branches = [key + emit(child) for key, child in node.items() if key]
        branches.extend(sorted(set(node.get("", ())), key=lambda e: e == ""))  # "" last
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


@lru_cache(maxsize=32)
def _compile(
    categories: tuple[str, ...], excluded: frozenset[str], extra: tuple[tuple[str, str], ...]
) -> _Lexicon:
    data = _data()
    entries: dict[str, _Entry] = {}
    words: set[str] = set()
    patterns: list[_Pattern] = []

    def add(word: str, entry: _Entry) -> None:
        key = _canonical(word)
        if not key or key in excluded:
            return
        words.add(word.lower().strip())
        old = entries.get(key)
        if old is None or (old.ambiguous, -old.severity) > (entry.ambiguous, -entry.severity):
            entries[key] = entry

    for category in categories:
        spec = data[category]
        severity = float(spec["severity"])
        full = [*spec.get("words", ()), *(w for c, w in extra if c == category)]
        for word in full:
            add(word, _Entry(category, severity, ambiguous=False))
        for word in spec.get("mild", ()):
            add(word, _Entry(category, severity * MILD, ambiguous=False))
        for word in spec.get("ambiguous", ()):
            add(word, _Entry(category, severity, ambiguous=True))
        for pattern in spec.get("patterns", ()):
            regex = re.compile(pattern["regex"])
            patterns.append(_Pattern(category, severity, regex, tuple(pattern["triggers"])))
    triggers = sorted({t for p in patterns for t in p.triggers})
    by_letter: dict[str, tuple[str, ...]] = {}
    for trigger in triggers:
        by_letter[trigger[0]] = (*by_letter.get(trigger[0], ()), trigger)
    masked: dict[tuple[int, str], list[tuple[str, _Entry]]] = {}
    for key, entry in entries.items():
        if " " not in key:
            masked.setdefault((len(key), key[0]), []).append((key, entry))
    alternatives = [_SPELLED]
    if words or triggers:
        alternatives.append(_trie_regex(sorted(words), triggers))
    return _Lexicon(
        scan=re.compile(rf"(?<![{_WORD_CHARS}])(?:{'|'.join(alternatives)})"),
        entries=entries,
        patterns=tuple(patterns),
        triggers=by_letter,
        excluded=excluded,
        masked=masked,
    )


def _lookup(entries: Mapping[str, _Entry], matched: str) -> _Entry | None:
    key = _canonical(matched)
    entry = entries.get(key)
    if entry is None:
        for suffix in ("s", "es"):
            if key.endswith(suffix) and (entry := entries.get(key[: -len(suffix)])) is not None:
                break
    return entry


def _plausible(span: str) -> bool:
    """Leetspeak needs two real letters: "a55" in "Galaxy A55" is a model, not a word."""
    if span.replace(" ", "").isalpha():
        return True
    return sum(c.isalpha() for c in span) >= 2


def _string_list(value: object, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PolicyError(f"toxicity: {what} must be a list of strings, got {value!r}")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"toxicity: {what} must hold non-empty strings, got {value!r}")
    return list(value)


@register
class Toxicity(Check):
    """Abusive language by lexicon: insults, profanity, slurs, threats, harassment, self-harm."""

    name = "toxicity"

    def __init__(
        self,
        *,
        categories: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        extra_words: Mapping[str, Sequence[str]] | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        known = tuple(_data())
        chosen = known if categories is None else tuple(_string_list(categories, "categories"))
        for category in chosen:
            if category not in known:
                raise PolicyError(
                    f"toxicity: unknown category {category!r}; known: {', '.join(known)}"
                )
        extra: list[tuple[str, str]] = []
        if extra_words is not None:
            if not isinstance(extra_words, Mapping):
                raise PolicyError("toxicity: extra_words must map a category to a list of words")
            for category, words in extra_words.items():
                if category not in known:
                    raise PolicyError(
                        f"toxicity: extra_words names unknown category {category!r}; "
                        f"known: {', '.join(known)}"
                    )
                extra.extend((category, w) for w in _string_list(words, f"extra_words[{category}]"))
        excluded = frozenset(_canonical(w) for w in _string_list(exclude, "exclude"))
        self.categories = tuple(dict.fromkeys(chosen))
        self._lexicon = _compile(self.categories, excluded, tuple(extra))

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        lowered = text.lower()
        if len(lowered) != len(text):  # only "İ" lower-cases to two characters
            lowered = text.replace("\u0130", "I").lower()
        hits = _resolve(sorted(self._hits(lowered), key=lambda h: (h[0], -h[1])))
        if not hits:
            return Verdict(score=0.0, explanation="no abusive language found")
        findings = tuple(
            Finding(start, end, category.upper(), text[start:end], round(score, 4))
            for start, end, category, score in hits
        )
        clean = 1.0
        for finding in findings:
            clean *= 1.0 - finding.score
        worst = max(findings, key=lambda f: f.score)
        kinds = ", ".join(dict.fromkeys(f.entity for f in findings))
        return Verdict(
            score=round(1.0 - clean, 4),
            findings=findings,
            label=worst.entity.lower(),
            explanation=f"{len(findings)} abusive span(s): {kinds}",
        )

    def _hits(self, lowered: str) -> Iterator[tuple[int, int, str, float]]:
        lex = self._lexicon
        found: dict[str, list[int]] = {}
        for m in lex.scan.finditer(lowered):
            start, end, matched = m.start(), m.end(), m.group()
            if m.group("sep") is not None:
                matched = matched.replace(m.group("sep"), "")
            for trigger in lex.triggers.get(matched[0], ()):
                if matched.startswith(trigger):
                    found.setdefault(trigger, []).append(start)
            entry = _lookup(lex.entries, matched)
            if entry is not None and _plausible(matched) and _whole_word(lowered, end):
                score = _weigh(lowered, start, end, entry.severity, entry.ambiguous)
                if score > 0.0:
                    yield start, end, entry.category, score
        if "*" in lowered:
            for start, end, entry in self._masked(lowered):
                score = _weigh(lowered, start, end, entry.severity, entry.ambiguous)
                if score > 0.0:
                    yield start, end, entry.category, score
        for pattern in lex.patterns:
            for m in _windowed(pattern, lowered, found):
                if _canonical(m.group()) not in lex.excluded:
                    score = _dampen(lowered, m.start(), m.end(), pattern.severity)
                    yield m.start(), m.end(), pattern.category, score

    def _masked(self, lowered: str) -> Iterator[tuple[int, int, _Entry]]:
        """ "f**k": compare with lexicon words of the same length, letter by letter."""
        for m in _MASKED.finditer(lowered):
            token = m.group()
            if sum(c != "*" for c in token) < 2:
                continue
            key = token.translate(_CANON)
            for word, entry in self._lexicon.masked.get((len(key), key[0]), ()):
                if all(k in ("*", w) for k, w in zip(key, word, strict=True)):
                    yield m.start(), m.end(), entry
                    break


def _whole_word(lowered: str, end: int) -> bool:
    return end == len(lowered) or not ("a" <= lowered[end] <= "z" or "0" <= lowered[end] <= "9")


def _windowed(
    pattern: _Pattern, lowered: str, found: Mapping[str, list[int]]
) -> Iterator[re.Match[str]]:
    """Matches of a template, searched only around its trigger words: most text has none."""
    windows = [
        [max(0, at - PATTERN_REACH), at + len(trigger) + PATTERN_REACH]
        for trigger in pattern.triggers
        for at in found.get(trigger, ())
    ]
    if not windows:
        return
    windows.sort()
    merged = [windows[0]]
    for lo, hi in windows[1:]:
        if lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, window_end in merged:
        hi = min(window_end, len(lowered))
        for m in pattern.regex.finditer(lowered, lo, hi):
            if m.end() < hi or hi == len(lowered):  # a match cut by the window is not one
                yield m


def _weigh(lowered: str, start: int, end: int, severity: float, ambiguous: bool) -> float:
    before = lowered[max(0, start - CONTEXT_WINDOW) : start]
    after = lowered[end : end + CONTEXT_WINDOW]
    targeted = bool(_TARGET_BEFORE.search(before) or _TARGET_AFTER.match(after))
    if ambiguous and not targeted:
        return 0.0
    score = min(1.0, severity * TARGETED) if targeted else severity
    return _dampen(lowered, start, end, score)


def _dampen(lowered: str, start: int, end: int, score: float) -> float:
    before = lowered[max(0, start - CONTEXT_WINDOW) : start]
    after = lowered[end : end + CONTEXT_WINDOW]
    quoted = (
        start > 0
        and lowered[start - 1] in _QUOTES_OPEN
        and end < len(lowered)
        and lowered[end] in _QUOTES_CLOSE
    )
    if quoted or _META_BEFORE.search(before) or _META_AFTER.match(after):
        return score * QUOTED
    if _NEGATION.search(before):
        return score * NEGATED
    return score


def _resolve(hits: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """Non-overlapping spans in text order; of two overlapping hits the riskier one stays."""
    kept: list[tuple[int, int, str, float]] = []
    for hit in hits:
        if kept and hit[0] < kept[-1][1]:
            last = kept[-1]
            if (hit[3], hit[1] - hit[0]) > (last[3], last[1] - last[0]):
                kept[-1] = hit
            continue
        kept.append(hit)
    return kept
