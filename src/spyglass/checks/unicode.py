# ruff: noqa: RUF001, RUF002, RUF003  (look-alike and non-Latin letters are this module's data)
"""Unicode tricks: characters that make a text read differently to a model than to a person.

The ``unicode`` check finds

* ``INVISIBLE_CHARACTER`` zero-width spaces and joiners, word joiners, fillers, a mid-text BOM
  (zero-width joiners inside emoji sequences and the joiners that Arabic, Persian and Indic
  scripts need are left alone, as are zero-width spaces in Thai, Khmer, Lao and CJK text);
* ``TAG_CHARACTER`` the U+E0000 block, which encodes ASCII invisibly ("ASCII smuggling");
  the tag sequences of subdivision flags such as England's are allowed;
* ``VARIATION_SELECTOR`` runs of variation selectors, which can carry a byte each;
* ``BIDI_CONTROL`` embeddings, overrides and isolates (U+202A-202E, U+2066-2069: "Trojan
  Source"); right-to-left scripts need none of them to display correctly;
* ``HOMOGLYPH`` a word that mixes Latin letters with Cyrillic, Greek, Armenian or Cherokee
  look-alikes ("pаypal" with a Cyrillic а), or an all-look-alike word amid Latin text.

:func:`normalize` returns the text as a reader perceives it: hidden tag and variation-selector
payloads decoded in place, invisible and bidi characters removed, NFKC applied (full-width and
mathematical letters become ASCII), stacked combining marks on Latin letters dropped, and
look-alikes inside mixed-script words mapped to Latin. :func:`normalize_with_offsets` also
returns, for each output character, the index of the input character it came from.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from spyglass.checks.base import Check, CheckContext, CheckResult, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = ["CONFUSABLES", "UnicodeTricks", "find_tricks", "normalize", "normalize_with_offsets"]

# A small, hand-written table of the non-Latin letters that render like Latin ones in common
# fonts; enough for the spoofing seen in practice (Unicode's confusables.txt has ~6,000 rows,
# most of them irrelevant to prompt text).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "ь": "b", "ѵ": "v", "ɡ": "g", "ҽ": "e", "ո": "n",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q",
    "Ԝ": "W", "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "χ": "x",
    "γ": "y", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "ց": "g", "զ": "q", "ք": "f",
    # Cherokee (capitals)
    "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꮶ": "K", "Ꮮ": "L", "Ꮇ": "M",
    "Ꮲ": "P", "Ꮪ": "S", "Ꭲ": "T", "Ꮃ": "W", "Ꮓ": "Z",
    # Latin letters outside ASCII that read as ASCII ones
    "ɑ": "a", "ɩ": "i", "ʏ": "y", "ᴠ": "v", "ᴡ": "w", "ꜱ": "s",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(CONFUSABLES)
_CONF_CLASS = "".join(sorted(CONFUSABLES))
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
# A Latin letter next to a Cyrillic/Greek/Armenian/Cherokee letter: every mixed-script word has
# such a transition, and finding it is one C-level regex scan even over long Russian text.
_OTHER_LETTERS = "\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u13a0-\u13ff\u0251\u0269\u028f"
_TRANSITION = re.compile(f"[{_LATIN}][{_OTHER_LETTERS}]|[{_OTHER_LETTERS}][{_LATIN}]")
_ALL_CONFUSABLE_WORD = re.compile(rf"[{_CONF_CLASS}]{{3,}}+(?![^\W\d_])")
_NON_CONF_SCRIPT = re.compile(f"[{_OTHER_LETTERS}]")

_ZW = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f\u115f\u1160\u3164"
    "\uffa0\u17b4\u17b5"
)
_BIDI = "\u202a-\u202e\u2066-\u2069"
_VS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_TAGS = "\U000e0000-\U000e007f"
_TRICK = re.compile(f"[{_ZW}]+|[{_BIDI}]+|[{_TAGS}]+|[{_VS}]+")
_TRICK_BMP = frozenset(_ZW + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") | {
    chr(cp) for cp in range(0xFE00, 0xFE10)
}
_HAS_LATIN = re.compile("[A-Za-z]")


_ASTRAL_TRICK = re.compile(f"[{_TAGS}\U000e0100-\U000e01ef\U0001d173-\U0001d17a]")


def _has_astral(text: str) -> bool:
    # UTF-16 needs two units for a character above U+FFFF; encoding is one fast C pass.
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


def _may_have_tricks(text: str) -> bool:
    """Cheap pre-filter: one C-level scan per candidate character beats a regex class scan."""
    return any(c in text for c in _TRICK_BMP) or (
        _has_astral(text) and _ASTRAL_TRICK.search(text) is not None
    )


# What normalization removes outright (besides decoded payloads): the above, soft hyphens,
# LRM/RLM/ALM marks, and other format characters used to break words apart.
_REMOVE = re.compile(
    f"[{_ZW}{_BIDI}\u00ad\u061c\u200e\u200f\u206a-\u206f\ufff9-\ufffb\U0001d173-\U0001d17a]+"
)
_REMOVE_BMP = frozenset(_ZW + "\u00ad\u061c\u200e\u200f\ufff9\ufffa\ufffb") | {
    chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x2070))
}
_STACKED_MARKS = re.compile(
    "[A-Za-z][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)

KINDS = ("BIDI_CONTROL", "HOMOGLYPH", "INVISIBLE_CHARACTER", "TAG_CHARACTER", "VARIATION_SELECTOR")
# Risk of one finding of each kind. Every kind fails the default threshold: none of these
# characters has a reason to be in prompt text outside the allowed contexts above.
_KIND_SCORE = {
    "BIDI_CONTROL": 0.9,
    "HOMOGLYPH": 0.8,
    "INVISIBLE_CHARACTER": 0.7,
    "TAG_CHARACTER": 1.0,
    "VARIATION_SELECTOR": 0.9,
}
_BLACK_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"
# Scripts whose orthography uses ZWJ/ZWNJ (joining control) or ZWSP (word separation).
_JOINING_SCRIPTS = (
    "ARABIC", "SYRIAC", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL",
    "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "MONGOLIAN", "NKO", "THAANA", "MYANMAR",
    "KHMER", "TIBETAN", "JAVANESE", "BALINESE",
)  # fmt: skip
_SPACELESS_SCRIPTS = (
    "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN", "CJK", "HIRAGANA", "KATAKANA", "HANGUL",
    "IDEOGRAPHIC", "BALINESE", "JAVANESE",
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """The first word of the character's name: a cheap stand-in for its script property."""
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2190 <= cp <= 0x21FF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0xFE0F, 0x20E3, 0x00A9, 0x00AE, 0x2122)
    )


def _tag_payload(run: str) -> str:
    return "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


def _vs_bytes(run: str) -> bytes:
    out = bytearray()
    for c in run:
        cp = ord(c)
        out.append(cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16)
    return bytes(out)


def _vs_payload(run: str) -> str:
    try:
        return _vs_bytes(run).decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _is_flag_tags(text: str, start: int, run: str) -> bool:
    body = run[:-1]
    return (
        start > 0
        and text[start - 1] == _BLACK_FLAG
        and run.endswith(_CANCEL_TAG)
        and 1 <= len(body) <= 7
        and all(0xE0030 <= ord(c) <= 0xE0039 or 0xE0061 <= ord(c) <= 0xE007A for c in body)
    )


def _allowed_invisible(text: str, start: int, run: str) -> bool:
    if len(run) != 1:
        return False
    prev = text[start - 1] if start > 0 else ""
    nxt = text[start + 1] if start + 1 < len(text) else ""
    ch = run
    if ch == "\ufeff":
        return start == 0
    if ch == "\u200d":
        if prev and nxt and (_is_emoji(prev) or 0x1F3FB <= ord(prev) <= 0x1F3FF) and _is_emoji(nxt):
            return True
        return bool(prev) and _script(prev) in _JOINING_SCRIPTS
    if ch == "\u200c":
        return bool(prev) and (_script(prev) in _JOINING_SCRIPTS or _script(prev) == "PERSIAN")
    if ch == "\u200b":
        return any(c and _script(c) in _SPACELESS_SCRIPTS for c in (prev, nxt))
    return False


def _allowed_vs(text: str, start: int, run: str) -> bool:
    if len(run) != 1:
        return False
    prev = text[start - 1] if start > 0 else ""
    if not prev or (prev.isascii() and prev.isalnum()):
        return False
    if ord(run) >= 0xE0100:  # ideographic variation sequences follow CJK ideographs only
        return _script(prev) == "CJK"
    return True


def _trick_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    if not _may_have_tricks(text):
        return found
    for m in _TRICK.finditer(text):
        run, start = m.group(), m.start()
        first = ord(run[0])
        if 0xE0000 <= first <= 0xE007F:
            if _is_flag_tags(text, start, run):
                continue
            kind = "TAG_CHARACTER"
        elif 0xFE00 <= first <= 0xFE0F or first >= 0xE0100:
            if _allowed_vs(text, start, run):
                continue
            kind = "VARIATION_SELECTOR"
        elif 0x202A <= first <= 0x202E or 0x2066 <= first <= 0x2069:
            kind = "BIDI_CONTROL"
        else:
            if _allowed_invisible(text, start, run):
                continue
            kind = "INVISIBLE_CHARACTER"
        found.append(Finding(start, m.end(), kind, run, _KIND_SCORE[kind]))
    return found


def _word_at(text: str, pos: int) -> tuple[int, int]:
    start = pos
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = pos
    while end < len(text) and text[end].isalpha():
        end += 1
    return start, end


def _homoglyph_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    if not _HAS_LATIN.search(text):
        return found
    seen_end = -1
    for m in _TRANSITION.finditer(text):
        if m.start() < seen_end:
            continue
        start, end = _word_at(text, m.start())
        seen_end = end
        word = text[start:end]
        if any(c in CONFUSABLES for c in word):
            found.append(Finding(start, end, "HOMOGLYPH", word, _KIND_SCORE["HOMOGLYPH"]))
    for m in _ALL_CONFUSABLE_WORD.finditer(text):
        if m.start() > 0 and text[m.start() - 1].isalpha():
            continue
        # An all-look-alike word ("аррӏе") counts only amid Latin text: no other Cyrillic,
        # Greek or Armenian letters nearby, and Latin letters on both sides.
        window = text[max(0, m.start() - 40) : m.end() + 40]
        others = _NON_CONF_SCRIPT.findall(window)
        if any(c not in CONFUSABLES for c in others):
            continue
        if re.search("[A-Za-z]", text[max(0, m.start() - 40) : m.start()]) or re.search(
            "[A-Za-z]", text[m.end() : m.end() + 40]
        ):
            found.append(Finding(m.start(), m.end(), "HOMOGLYPH", m.group(), 0.8))
    return found


def find_tricks(text: str) -> list[Finding]:
    """Every unicode trick in ``text``, in order of position (empty for ASCII text)."""
    if text.isascii():
        return []
    found = _trick_findings(text) + _homoglyph_findings(text)
    found.sort(key=lambda f: (f.start, f.end))
    return found


# -- normalization ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _nfkc_unstable() -> re.Pattern[str]:
    """A class of the characters that NFKC changes, built once from the blocks that have them.

    Built lazily (about 10 ms) so that importing the module stays cheap.
    """
    ranges = [
        (0x00A0, 0x33FF),
        (0xA700, 0xA7FF),
        (0xF900, 0xFFEF),
        (0x1D400, 0x1D7FF),
        (0x1F100, 0x1F2FF),
        (0x2F800, 0x2FA1F),
    ]
    chars = [
        chr(cp)
        for lo, hi in ranges
        for cp in range(lo, hi + 1)
        if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    # Merge into ranges: the regex engine tests a long list of single characters one by one.
    spans: list[tuple[int, int]] = []
    for c in chars:
        cp = ord(c)
        if spans and spans[-1][1] == cp - 1:
            spans[-1] = (spans[-1][0], cp)
        else:
            spans.append((cp, cp))
    body = "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in spans
    )
    return re.compile(f"[{body}]")


@dataclass
class _Builder:
    parts: list[str]
    offsets: list[int]

    def add(self, s: str, origin: int) -> None:
        self.parts.append(s)
        self.offsets.extend([origin] * len(s))


def _decode_hidden(text: str, base: list[int]) -> tuple[str, list[int]]:
    """Decode tag and variation-selector payloads, drop removable characters."""
    b = _Builder([], [])
    pos = 0
    for m in _TRICK.finditer(text):
        b.parts.append(text[pos : m.start()])
        b.offsets.extend(base[pos : m.start()])
        run, start = m.group(), m.start()
        first = ord(run[0])
        payload = ""
        if 0xE0000 <= first <= 0xE007F and not _is_flag_tags(text, start, run):
            payload = _tag_payload(run)
        elif (0xFE00 <= first <= 0xFE0F or first >= 0xE0100) and len(run) > 1:
            # Decoded once: a payload that itself hides payloads is cleaned, not decoded again,
            # so that normalize() stays idempotent.
            payload = _REMOVE.sub("", _TRICK.sub("", _vs_payload(run)))
        if payload:
            # Keep a decoded payload a separate word, as a reader of the decoded text would.
            if start > 0 and text[start - 1].isalnum():
                payload = " " + payload
            if m.end() < len(text) and text[m.end()].isalnum():
                payload += " "
            b.add(payload, base[start])
        pos = m.end()
    b.parts.append(text[pos:])
    b.offsets.extend(base[pos:])
    return "".join(b.parts), b.offsets


def _sub_mapped(
    pattern: re.Pattern[str], repl: Any, text: str, base: list[int]
) -> tuple[str, list[int]]:
    """``pattern.sub`` that carries the offsets: a replacement maps to its match's start."""
    if pattern.search(text) is None:
        return text, base
    b = _Builder([], [])
    pos = 0
    for m in pattern.finditer(text):
        b.parts.append(text[pos : m.start()])
        b.offsets.extend(base[pos : m.start()])
        out = repl(m)
        if out:
            b.parts.append(out)
            # Spread a same-length replacement over its sources; otherwise all map to the start.
            if len(out) == len(m.group()):
                b.offsets.extend(base[m.start() : m.end()])
            else:
                b.offsets.extend([base[m.start()]] * len(out))
        pos = m.end()
    b.parts.append(text[pos:])
    b.offsets.extend(base[pos:])
    return "".join(b.parts), b.offsets


def _map_mixed_words(text: str) -> str:
    if not _HAS_LATIN.search(text) or not _TRANSITION.search(text):
        return text
    chars = list(text)
    for m in _TRANSITION.finditer(text):
        start, end = _word_at(text, m.start())
        for i in range(start, end):
            chars[i] = CONFUSABLES.get(chars[i], chars[i])
    return "".join(chars)


def _nfkc_char(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group())


# Characters per NFKC chunk: a chunk whose length NFKC keeps (NBSP, full-width punctuation)
# needs no per-character work; only chunks that grow or shrink are mapped char by char.
_NFKC_CHUNK = 256


def _nfkc_mapped(text: str, base: list[int]) -> tuple[str, list[int]]:
    parts: list[str] = []
    offsets: list[int] = []
    for lo in range(0, len(text), _NFKC_CHUNK):
        chunk = text[lo : lo + _NFKC_CHUNK]
        out = unicodedata.normalize("NFKC", chunk)
        if len(out) == len(chunk):
            parts.append(out)
            offsets.extend(base[lo : lo + len(chunk)])
        else:
            sub, sub_base = _sub_mapped(
                _nfkc_unstable(), _nfkc_char, chunk, base[lo : lo + len(chunk)]
            )
            parts.append(sub)
            offsets.extend(sub_base)
    return "".join(parts), offsets


def _one_pass(text: str, base: list[int]) -> tuple[str, list[int]]:
    if _may_have_tricks(text):
        text, base = _decode_hidden(text, base)
    if any(c in text for c in _REMOVE_BMP) or (
        _has_astral(text) and _ASTRAL_TRICK.search(text) is not None
    ):
        text, base = _sub_mapped(_REMOVE, lambda m: "", text, base)
    if not unicodedata.is_normalized("NFKC", text):
        text, base = _nfkc_mapped(text, base)
    text, base = _sub_mapped(_STACKED_MARKS, lambda m: m.group()[0], text, base)
    return _map_mixed_words(text), base  # one character for one: offsets unchanged


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`normalize` plus, for each output character, the input index it came from.

    Characters decoded from a hidden payload map to the payload's first character.
    """
    base = list(range(len(text)))
    if text.isascii():
        return text, base
    for _ in range(4):  # a fixed point is normally reached in one pass; bound it anyway
        new, new_base = _one_pass(text, base)
        if new == text:
            break
        text, base = new, new_base
        if text.isascii():
            break
    return text, base


def normalize(text: str) -> str:
    """The text as a reader perceives it, for pattern matching (idempotent).

    Decodes hidden tag-character and variation-selector payloads in place, removes invisible
    and bidi control characters, applies NFKC character by character (full-width, styled and
    circled letters become ASCII), drops stacked combining marks on Latin letters ("zalgo")
    and maps look-alike letters inside mixed-script words to Latin. Text in a single non-Latin
    script is left as it is.
    """
    return normalize_with_offsets(text)[0]


@register
class UnicodeTricks(Check):
    """Flags invisible, bidi, tag and variation-selector characters and homoglyph words.

    Parameters: ``kinds`` limits the check to some of :data:`KINDS`. The score is the highest
    finding's (0.7-1.0), 0 when nothing is found. ``fix`` removes the hidden characters and
    maps homoglyphs to Latin.
    """

    name = "unicode"

    def __init__(
        self,
        *,
        kinds: list[str] | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        wanted = set(KINDS if kinds is None else kinds)
        unknown = wanted - set(KINDS)
        if unknown:
            raise PolicyError(
                f"unicode: unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}"
            )
        self.kinds = frozenset(wanted)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        findings = tuple(f for f in find_tricks(text) if f.entity in self.kinds)
        if not findings:
            return Verdict(score=0.0, explanation="no unicode tricks")
        kinds = sorted({f.entity for f in findings})
        hidden = [
            _tag_payload(f.text) if f.entity == "TAG_CHARACTER" else _vs_payload(f.text)
            for f in findings
            if f.entity in ("TAG_CHARACTER", "VARIATION_SELECTOR")
        ]
        explanation = f"{len(findings)} unicode trick(s): {', '.join(kinds)}"
        payload = " ".join(h for h in hidden if h.strip())
        if payload:
            explanation += f"; hidden text: {payload[:80]!r}"
        return Verdict(
            score=max(f.score for f in findings),
            findings=findings,
            label="unicode_trick",
            explanation=explanation,
        )

    def fix(self, text: str, result: CheckResult) -> str | None:
        if not result.findings:
            return None
        parts: list[str] = []
        pos = 0
        for f in sorted(result.findings, key=lambda f: f.start):
            if f.start < pos:
                continue
            parts.append(text[pos : f.start])
            if f.entity == "HOMOGLYPH":
                parts.append(f.text.translate(_CONFUSABLE_TABLE))
            pos = f.end
        parts.append(text[pos:])
        return "".join(parts)
