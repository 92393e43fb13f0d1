"""One evaluation of the injection checks: the rule tables, the structural detectors (hidden
HTML comments, markdown images, pseudo-tags) and the decoding layers, all in the coordinates
of the text the caller gave.

The common case is kept cheap: an ASCII text without suspicious characters is not normalised,
the rules run only around their anchors (see :mod:`._injection_rules`), and each decoder runs
only when a cheap test finds a candidate payload (see :mod:`._injection_decode`).
"""

from __future__ import annotations

import codecs
import dataclasses
import re

from spyglass.checks import _injection_decode as decode
from spyglass.checks import _injection_structure as structure
from spyglass.checks._injection_authority import RULES as AUTHORITY_RULES
from spyglass.checks._injection_commands import RULES as COMMAND_RULES
from spyglass.checks._injection_framings import RULES as FRAMING_RULES
from spyglass.checks._injection_languages import ML_PRETEXT_RULES
from spyglass.checks._injection_languages import RULES as LANGUAGE_RULES
from spyglass.checks._injection_payloads import RULES as PAYLOAD_RULES
from spyglass.checks._injection_personas import RULES as PERSONA_RULES
from spyglass.checks._injection_rules import STEMS, Hit, RuleSet, TextIndex
from spyglass.checks._injection_signals import META_DAMP, is_meta, scan
from spyglass.checks.unicode import find_tricks, normalize_with_offsets

__all__ = ["RULES", "Scanner"]

_F = re.IGNORECASE
STEMS.register((*decode.ROT13_KEYWORDS, *decode.REVERSED_KEYWORDS))
RULES = [
    *COMMAND_RULES,
    *PAYLOAD_RULES,
    *PERSONA_RULES,
    *FRAMING_RULES,
    *AUTHORITY_RULES,
    *LANGUAGE_RULES,
    *ML_PRETEXT_RULES,
]
# Layers of encoding unwrapped (base64 inside hex, ...): deeper nesting is not worth the time.
MAX_DEPTH = 2

_NOT_LETTER = re.compile(r"[^a-z]")
_UNICODE_WEIGHTS = {
    "TAG_CHARACTER": 0.6,
    "VARIATION_SELECTOR": 0.5,
    "BIDI_CONTROL": 0.4,
    "HOMOGLYPH": 0.35,
    "INVISIBLE_CHARACTER": 0.3,
}


class Scanner:
    """The hits of every layer for the chosen signal families."""

    def __init__(self, families: frozenset[str]) -> None:
        self.families = families
        self.rules = RuleSet([r for r in RULES if r.family in families])
        self.core = RuleSet([r for r in self.rules.rules if r.family != "encoding"])

    def run(self, text: str) -> list[Hit]:
        scanned, offsets = text, None
        if not text.isascii():
            norm, offs = normalize_with_offsets(text)
            if norm != text:
                scanned, offsets = norm, offs
        ix = TextIndex(scanned)
        hits = scan(ix, self.rules)
        extra: list[Hit] = []
        if "indirect" in self.families and "<!--" in scanned:
            extra += structure.comments(scanned)
        if "exfiltration" in self.families and "![" in scanned:
            extra += structure.images(scanned)
        if "delimiter" in self.families and "<" in scanned:
            extra += structure.mode_tags(scanned)
        if "encoding" in self.families:
            extra += self._layers(ix, depth=0)
            extra += structure.adversarial_suffix(ix)
        if "roleplay" in self.families:
            extra += structure.constraint_removal(ix)
        if extra and is_meta(ix):
            extra = [dataclasses.replace(h, weight=h.weight * META_DAMP) for h in extra]
        hits += extra
        if offsets is not None:
            hits = [_map(h, offsets, len(text)) for h in hits]
        if "unicode" in self.families and not text.isascii():
            hits += _unicode_hits(text)
        return hits

    # -- decoding layers ---------------------------------------------------------------------

    def _rescan(self, decoded: str, depth: int) -> float:
        """The strongest signal in a decoded payload (0 when none)."""
        ix = TextIndex(decoded)
        hits = scan(ix, self.core, meta=False)
        if depth + 1 < MAX_DEPTH:
            hits += self._layers(ix, depth + 1)
        best = max((h.weight for h in hits), default=0.0)
        if decode.COMPACT.search(_NOT_LETTER.sub("", ix.lower)):
            best = max(best, 0.85)
        return best

    def _layers(self, ix: TextIndex, depth: int) -> list[Hit]:
        out: list[Hit] = []
        named = ix.has_word(*structure.ENCODING_NAMES)
        for kind, m in decode.blobs(ix):
            decoded = decode.decode_blob(kind, m.group())
            if not decoded or decoded == m.group():
                continue
            inner = self._rescan(decoded, depth)
            words = decode.readable_words(decoded)
            if inner >= 0.3:
                w = max(0.85, inner)
            elif words >= 6:
                w = 0.35  # readable hidden text
            elif words >= 3:
                w = 0.25 if named else 0.15  # more telling when the prompt says it is encoded
            else:
                continue
            out.append(Hit(f"{kind}_payload", "encoding", w, m.start(), m.end()))
        out += self._transforms(ix)
        if named and ix.has_word("rot", "caesar", "cipher", "atbash", "shift"):
            out += self._declared_ciphers(ix.text)
        return out

    def _declared_ciphers(self, text: str) -> list[Hit]:
        """Lines that read as English, or as an attack, under some Caesar shift or Atbash, in a
        text that says it holds a cipher."""
        out: list[Hit] = []
        for m in structure.LINE.finditer(text[: decode.MAX_BLOB_CHARS]):
            line = m.group()
            if structure.english_words(line) >= 3:
                continue
            for variant in decode.caesar_variants(line):
                best = max((h.weight for h in scan(variant, self.core, False)), default=0.0)
                if best >= 0.3 or structure.english_words(variant) >= 3:
                    w = max(0.85, best) if best >= 0.3 else 0.35
                    out.append(Hit("cipher_payload", "encoding", w, m.start(), m.end()))
                    break
        return out

    def _transforms(self, ix: TextIndex) -> list[Hit]:
        """Same-length rewrites (leet, rot13) and squashed ones (spaced, reversed).

        Each is tried only when the text's distinct tokens, rewritten the same way, show one
        of the keywords: the test costs a pass over a few hundred short words, not the text.
        """
        text, lower = ix.text, ix.lower
        out: list[Hit] = []
        layers: list[tuple[str, str]] = []
        joined = ix.joined
        leet = joined.translate(decode.LEET)
        if leet != joined and any(k in leet and k not in joined for k in decode.KEYWORDS):
            layers.append(("leetspeak", text.translate(decode.LEET)))
        if ix.has_word(*decode.ROT13_KEYWORDS):
            layers.append(("rot13", codecs.encode(text, "rot13")))
        base = {(h.rule, h.start) for h in scan(ix, self.core, False)} if layers else set()
        for name, variant in layers:
            for h in scan(variant, self.core, False):
                if (h.rule, h.start) not in base and h.weight >= 0.3:
                    out.append(Hit(name, "encoding", max(0.85, h.weight), h.start, h.end))
        if ix.has_word(*decode.REVERSED_KEYWORDS):
            rev = text[::-1]
            n = len(text)
            for h in scan(rev, self.core, False):
                if h.weight >= 0.3:
                    out.append(Hit("reversed", "encoding", 0.85, n - h.end, n - h.start))
        if _may_be_spaced(ix) and decode.maybe_spaced(lower):
            for m in decode.SPACED.finditer(text):
                squashed = _NOT_LETTER.sub("", m.group().lower())
                # Rescan the sentence with the spelled-out word joined up ("I-g-n-o-r-e all").
                joined_up = text[max(0, m.start() - 80) : m.start()] + squashed + " "
                joined_up += text[m.end() : m.end() + 160]
                inner = max((h.weight for h in scan(joined_up, self.core, False)), default=0.0)
                if decode.COMPACT.search(squashed) or inner >= 0.5:
                    out.append(Hit("spaced_out", "encoding", 0.85, m.start(), m.end()))
        return out


def _may_be_spaced(ix: TextIndex) -> bool:
    """Spelled-out text has several distinct one-letter tokens, or a token like i-g-n-o-r-e."""
    singles = [t for t in ix.pairs if len(t) == 1 and t.isalpha()]
    return len(singles) >= 4 or _SPELLED_TOKEN.search(ix.joined) is not None


# Starts with a separator, so that the regex engine skips ahead to candidates quickly.
_SPELLED_TOKEN = re.compile(r"[.\-_*|/]\w[.\-_*|/]\w[.\-_*|/]\w")


def _map(hit: Hit, offsets: list[int], n: int) -> Hit:
    start = offsets[hit.start] if hit.start < len(offsets) else n
    end = offsets[hit.end - 1] + 1 if 0 < hit.end <= len(offsets) else start
    return Hit(hit.rule, hit.family, hit.weight, start, max(start, end))


def _unicode_hits(text: str) -> list[Hit]:
    return [
        Hit(f.entity.lower(), "unicode", _UNICODE_WEIGHTS[f.entity], f.start, f.end)
        for f in find_tricks(text)
    ]
