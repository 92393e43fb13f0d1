"""Rules of the injection checks and the anchored matcher that runs them cheaply.

A :class:`Rule` is one weighted regular expression of a signal family. Each rule also names
*anchors*: lower-case literals of which every match contains at least one. The matcher finds
which anchors occur (a set lookup over the text's word prefixes, then ``str.find``) and runs a
rule's regex only in windows around its anchors, so ordinary prose, where almost no anchor
occurs, costs one pass of a word regex rather than a pass per rule.

Anchor syntax: ``"ignor|disregard"`` (any of these, matched in the lower-cased text); a
leading ``=`` makes an anchor case-sensitive (``"=DAN"``). ``also`` is a second group of which
one must occur as well, anywhere in the text (e.g. "reading" *and* "ai"), to keep rules whose
anchors are everyday words from running on every text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

__all__ = ["Hit", "Rule", "RuleSet", "TextIndex", "gap", "rule"]

IGNORECASE = re.IGNORECASE

# Characters of context around an anchor in which its rule's regex is run: longer than any
# match of the bounded patterns in the rule tables.
WINDOW = 250
# Occurrences of one anchor past which its rule simply scans the whole text: by then the
# windows would cover most of it anyway.
MAX_SPOTS = 40
# Occurrences past which a rule whose matches start at its anchors also scans the whole text:
# one anchored attempt costs about as much as scanning a few hundred characters.
MAX_STARTS = 400
# How far from a match a rule's ``near`` pattern may be.
NEAR = 40

# Distinct words whose stems are remembered: an English vocabulary plus names fits; past
# it the memo starts afresh rather than grow without bound.
STEM_MEMO_SIZE = 50_000
# Shortest whitespace-free token that may hold a base64/base32/hex payload worth decoding.
LONG_TOKEN = 16
_WORD = re.compile(r"\w+")
_PLAIN_WORD = re.compile(r"[a-z]+")


def gap(n: int) -> str:
    """Up to ``n`` words between two phrases (bounded, so no runaway backtracking)."""
    return rf"(?:\W+\w+){{0,{n}}}?\W+"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    weight: float
    pattern: re.Pattern[str]
    negatable: bool = False  # a preceding "never/do not" turns it into a protective phrase
    anchors: tuple[str, ...] = ()
    # Groups of which each must have a member in the text (a rule's second, third... part).
    also: tuple[tuple[str, ...], ...] = ()
    # When set, a match counts only if this also matches within NEAR characters of it.
    near: re.Pattern[str] | None = None
    # How far before an anchor a match may start: 0 when every match starts at an anchor
    # (the regex is then tried at the anchors only, the cheapest case).
    lead: int = WINDOW
    # How far after an anchor a match may end.
    tail: int = WINDOW


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence: a rule that fired at ``start:end`` with its (damped) weight."""

    rule: str
    family: str
    weight: float
    start: int
    end: int


def _words(spec: str) -> tuple[str, ...]:
    return tuple(
        w if w.startswith("=") else unicodedata.normalize("NFKC", w).lower()
        for w in spec.split("|")
        if w
    )


def rule(
    rid: str,
    family: str,
    weight: float,
    rx: str,
    flags: int = IGNORECASE,
    neg: bool = False,
    near: str | None = None,
    *,
    anchors: str,
    also: str = "",
    lead: int = WINDOW,
    tail: int = WINDOW,
) -> Rule:
    """Build a rule. Texts are scanned in NFKC form (see :func:`unicode.normalize`), so the
    patterns are normalised too: NFKC decomposes Thai SARA AM, for one."""

    def compile_(p: str) -> re.Pattern[str]:
        return re.compile(unicodedata.normalize("NFKC", p), flags)

    if not anchors:
        raise ValueError(f"rule {rid} needs anchors")
    return Rule(
        rid,
        family,
        weight,
        compile_(rx),
        neg,
        anchors=_words(anchors),
        also=tuple(_words(group) for group in also.split(";") if group),
        near=compile_(near) if near else None,
        lead=lead,
        tail=tail,
    )


class _Stems:
    """The word stems that rules look for, and a memo of which of them each word starts with.

    Texts share most of their vocabulary, so the prefix tests for a word are done once per
    process, not once per text: a text's stems are then a dictionary lookup per distinct word.
    """

    def __init__(self) -> None:
        self.known: set[str] = set()
        self._by_key: dict[str, set[str]] = {}
        self.memo: dict[str, frozenset[str]] = {}

    def register(self, stems: Iterable[str]) -> None:
        new = {s for s in stems if s} - self.known
        for stem in new:
            self._by_key.setdefault(stem[:3], set()).add(stem)
        if new:
            self.known |= new
            self.memo.clear()

    def of(self, word: str) -> frozenset[str]:
        found = self.memo.get(word)
        if found is None:
            found = frozenset(s for s in self._by_key.get(word[:3], ()) if word.startswith(s))
            if len(self.memo) >= STEM_MEMO_SIZE:
                self.memo.clear()
            self.memo[word] = found
        return found

    def of_all(self, words: Collection[str]) -> frozenset[str]:
        """The stems that begin any of ``words``."""
        found = list(map(self.memo.get, words))
        if None in found:  # a word seen for the first time
            return frozenset().union(*map(self.of, words))
        return frozenset().union(*cast("list[frozenset[str]]", found))


STEMS = _Stems()


class TextIndex:
    """What every layer asks of one text, computed once: its lower-cased form, its distinct
    tokens and words, and which registered word stems (see :data:`STEMS`) begin its words."""

    __slots__ = (
        "_literals",
        "ascii",
        "joined",
        "long_tokens",
        "lower",
        "pairs",
        "stems",
        "text",
        "tokens",
        "words",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = lower = text.lower()
        self.ascii = text.isascii()
        # Unique whitespace-separated tokens first: prose repeats most of its words, so the
        # word regex runs over much less text than the whole.
        self.tokens = tokens = set(lower.split())
        # Space-padded, so that an anchor such as " mode" finds the first token too.
        self.joined = " " + " ".join(tokens) + " "
        # A token of letters and digits only is one word as it stands (str.isalnum() and the
        # regex's \w are the same classes); only the others go through the word regex.
        split = [t for t in tokens if not t.isalnum()]
        self.words = words = tokens.difference(split)
        if split:
            words.update(_WORD.findall(" ".join(split)))
        self.stems = STEMS.of_all(words)
        # Also kept for the decoders: long tokens (a base64/hex payload?) and two-character
        # ones (spaced-out hex?).
        odd = [t for t in tokens if not 2 < len(t) < LONG_TOKEN]
        self.long_tokens = [t for t in odd if len(t) >= LONG_TOKEN]
        self.pairs = [t for t in odd if len(t) <= 2]  # and single characters
        self._literals: dict[str, bool] = {}

    def has_literal(self, literal: str) -> bool:
        """Whether ``literal`` (lower case) occurs; its words are checked first, in the set."""
        found = self._literals.get(literal)
        if found is None:
            parts = _literal_parts(literal) if self.ascii else None
            if parts is None:
                found = literal in self.lower
            else:
                whole, last = parts
                found = (
                    (not last or self.has_word(last))
                    and all(w in self.words for w in whole)
                    and literal in self.lower
                )
            self._literals[literal] = found
        return found

    def has_word(self, *stems: str) -> bool:
        """Whether some word of the text starts with one of ``stems`` (lower case, ASCII)."""
        for stem in stems:
            if stem in self.stems:
                return True
            if stem not in STEMS.known and any(w.startswith(stem) for w in self.words):
                return True  # a stem nobody registered: the slow way
        return False


_PARTS: dict[str, tuple[list[str], str] | None] = {}


def _literal_parts(literal: str) -> tuple[list[str], str] | None:
    """A literal's whole words and its last word (a stem when the literal ends in a letter),
    remembered; None for non-ASCII literals."""
    if literal not in _PARTS:
        if literal.isascii():
            words = _WORD.findall(literal)
            last = words.pop() if words and literal[-1:].isalnum() else ""
            _PARTS[literal] = (words, last)
        else:
            _PARTS[literal] = None
    return _PARTS[literal]


class RuleSet:
    """Rules indexed by anchor, ready to match against many texts."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        # Rule ids are unique (tests/checks/test_injection.py); a rule's place in the list.
        self._position = {r.id: i for i, r in enumerate(self.rules)}
        self._by_anchor: dict[str, list[Rule]] = {}
        for r in self.rules:
            for a in r.anchors:
                self._by_anchor.setdefault(a, []).append(r)
        # Single-word anchors are stems looked up in the text's stem set; phrases are looked
        # for with ``in`` once all their words are there; case-sensitive anchors once their
        # first word is; punctuation ones once their first character is in some token.
        self._word_anchors: set[str] = set()
        # first word -> (phrase, its other whole words, its last word or stem)
        self._phrases: dict[str, list[tuple[str, list[str], str]]] = {}
        # (anchor, its first word, the text it matches: the anchor without its "=")
        self._case_sensitive: list[tuple[str, str, str]] = []
        self._punctuated: list[str] = []
        self._whole_words: dict[str, str] = {}  # "hi ": present only as the whole word "hi"
        self._non_latin: list[str] = []
        # ``also`` groups split into word stems (tested on the stem set) and other literals.
        self._also = {
            r.id: [
                (
                    tuple(a for a in group if _PLAIN_WORD.fullmatch(a)),
                    tuple(a for a in group if not _PLAIN_WORD.fullmatch(a)),
                )
                for group in r.also
            ]
            for r in self.rules
        }
        stems: set[str] = {
            w for groups in self._also.values() for words, _ in groups for w in words
        }
        stems.update(  # the words of ``also`` literals, which has_literal checks first
            w
            for groups in self._also.values()
            for _, literals in groups
            for lit in literals
            if lit.isascii()
            for w in _WORD.findall(lit)
        )
        for a in sorted(self._by_anchor):
            if a.startswith("="):
                lead_word = _WORD.match(a[1:].lower())
                self._case_sensitive.append((a, lead_word.group() if lead_word else "", a[1:]))
                stems.add(lead_word.group() if lead_word else "")
            elif not a.isascii():
                self._non_latin.append(a)
            elif not _WORD.match(a):
                self._punctuated.append(a)
            elif a.endswith(" ") and _PLAIN_WORD.fullmatch(a[:-1]):
                self._whole_words[a] = a[:-1]
            elif _PLAIN_WORD.fullmatch(a):
                self._word_anchors.add(a)
                stems.add(a)
            else:
                words = _WORD.findall(a)
                # A trailing word cut short ("when analy") or glued to punctuation ("ai:") is
                # only a prefix of the text's word.
                last = words.pop() if a[-1:].isalnum() else ""
                first = words[0] if words else last
                self._phrases.setdefault(first, []).append((a, words[1:], last))
                stems.update(words)
                stems.add(last)
        STEMS.register(stems)
        self._phrase_firsts = frozenset(self._phrases)

    def _present(self, ix: TextIndex) -> list[str]:
        """The anchors that occur in the text."""
        text, lower = ix.text, ix.lower
        if not ix.ascii:  # words run into CJK and Indic text: no word shortcut
            return [a for a in self._by_anchor if (a[1:] in text if a[0] == "=" else a in lower)]
        stems, words = ix.stems, ix.words
        present = list(self._word_anchors & stems)
        present += [a for a, w in self._whole_words.items() if w in words]
        firsts = self._phrase_firsts
        for first in (words & firsts) | (stems & firsts):
            present += [
                a
                for a, whole, last in self._phrases[first]
                if (not last or last in stems) and all(w in words for w in whole) and a in lower
            ]
        present += [a for a, w, x in self._case_sensitive if (not w or w in words) and x in text]
        # No punctuation anchor holds a space: one that occurs is inside some token.
        joined = ix.joined
        present += [a for a in self._punctuated if a[0] in joined and a in joined]
        return present

    def matches(self, text: str | TextIndex) -> list[tuple[Rule, re.Match[str]]]:
        ix = text if isinstance(text, TextIndex) else TextIndex(text)
        text, lower = ix.text, ix.lower
        if len(lower) != len(text):  # lower() moved indices: run every rule on the whole text
            return [(r, m) for r in self.rules for m in self._finditer(r, text, 0, len(text))]
        present = self._present(ix)
        if not present:
            return []
        live: set[str] = set()
        live_rules: list[Rule] = []
        for a in present:
            for r in self._by_anchor[a]:
                if r.id not in live and (not r.also or self._also_present(r, ix)):
                    live.add(r.id)
                    live_rules.append(r)
        if not live:
            return []
        spots: dict[str, list[int]] = {}
        out: list[tuple[Rule, re.Match[str]]] = []
        n = len(text)
        # In the rules' own order, as a walk over all of them gave (171 of them, for a few live).
        position = self._position
        live_rules.sort(key=lambda r: position[r.id])
        for r in live_rules:
            seen: set[tuple[int, int]] = set()
            if r.lead == 0:
                starts = _starts(r, text, lower, spots)
                if starts is not None:
                    for i in starts:
                        m = r.pattern.match(text, i)
                        if m is not None and m.span() not in seen and _near_ok(r, text, m):
                            seen.add(m.span())
                            out.append((r, m))
                    continue
            for lo, hi in _windows(r, text, lower, spots):
                for m in self._finditer(r, text, lo, min(hi, n)):
                    if m.span() not in seen:
                        seen.add(m.span())
                        out.append((r, m))
        return out

    def _also_present(self, r: Rule, ix: TextIndex) -> bool:
        lower = ix.lower
        for words, literals in self._also[r.id]:
            # The words are registered stems (``__init__``), so ``has_word`` would only look
            # them up in the text's stem set: one set test in C instead of a call and a loop.
            found = not ix.stems.isdisjoint(words) if ix.ascii else any(w in lower for w in words)
            if not found and not any(map(ix.has_literal, literals)):
                return False
        return True

    @staticmethod
    def _finditer(r: Rule, text: str, lo: int, hi: int) -> list[re.Match[str]]:
        found = list(r.pattern.finditer(text, lo, hi))
        if r.near is None:
            return found
        return [m for m in found if _near_ok(r, text, m)]


def _near_ok(r: Rule, text: str, m: re.Match[str]) -> bool:
    return (
        r.near is None or r.near.search(text, max(0, m.start() - NEAR), m.end() + NEAR) is not None
    )


def _starts(r: Rule, text: str, lower: str, cache: dict[str, list[int]]) -> list[int] | None:
    """The anchor positions of a rule whose matches start at an anchor; None when an anchor
    is too frequent to try one by one."""
    starts: set[int] = set()
    for a in r.anchors:
        if a not in cache:
            cache[a] = _positions(a, text, lower)
        if len(cache[a]) > MAX_STARTS:
            return None
        starts.update(cache[a])
    return sorted(starts)


def _positions(anchor: str, text: str, lower: str) -> list[int]:
    """Where ``anchor`` occurs, up to MAX_STARTS times."""
    hay, needle = (text, anchor[1:]) if anchor.startswith("=") else (lower, anchor)
    spots: list[int] = []
    i = hay.find(needle)
    while i >= 0 and len(spots) <= MAX_STARTS:
        spots.append(i)
        i = hay.find(needle, i + 1)
    return spots


def _windows(r: Rule, text: str, lower: str, cache: dict[str, list[int]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for a in r.anchors:
        if a not in cache:
            cache[a] = _positions(a, text, lower)
        spots = cache[a]
        if len(spots) > MAX_SPOTS:  # the windows would cover most of the text anyway
            return [(0, len(text))]
        spans += [(max(0, i - r.lead), i + len(a) + r.tail) for i in spots]
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        if lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
