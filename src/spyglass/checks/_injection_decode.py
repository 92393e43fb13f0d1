"""Decoders of the encoding layer: base64/base32/hex/binary/morse/braille/NATO/URL/HTML
escapes, and the cheap tests that say whether a text can hold such a payload at all, so that
ordinary prose skips every decoder."""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import quopri
import re
import urllib.parse

from spyglass.checks._injection_rules import TextIndex

_F = re.IGNORECASE
# Bounds on the decoding layers, so that a 100 KB adversarial input stays linear.
MAX_BLOBS = 24
MAX_BLOB_CHARS = 16_384

# Squashed forms (letters only, lower case) for spaced-out, reversed and NATO-spelled text.
COMPACT = re.compile(
    r"(?:ignore|disregard|forget)(?:all|the|any|your)*(?:previous|prior|above|earlier)"
    r"(?:instructions?|rules|prompts?|directives)|systemprompt|doanythingnow|developermode|"
    r"jailbr(?:eak|oken)|reveal(?:your|the)(?:system|initial|secret|password)|"
    r"(?:ignore|disregard)(?:the|all)?(?:above|instructions)"
)

# -- encoded blobs ---------------------------------------------------------------------------
_B64 = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{16,}(?:\s{0,2}[A-Za-z0-9+/_-]{4,}){0,40}={0,2}")
_B32 = re.compile(r"(?<![A-Z2-7])[A-Z2-7]{16,}={0,6}")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:(?:0x|\\x)?[0-9A-Fa-f]{2}[\s:,-]{0,2}){8,}")
_BIN = re.compile(r"(?<![01])(?:[01]{8}[\s,]?){4,}")
_MORSE = re.compile(r"(?<![.\-\w])[.\-]{1,6}(?:(?: {1,3}| ?/ ?| ?\| ?)[.\-]{1,6}){5,}")
_BRAILLE = re.compile(r"[\u2800-\u28ff][\u2800-\u28ff ]{3,}")
_URLENC = re.compile(r"(?:%[0-9A-Fa-f]{2}|\+){6,}[^\s]*")
_HTMLENT = re.compile(r"(?:&#x?[0-9A-Fa-f]{1,6};){4,}")
_NATO_WORDS = [
    "alfa",
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "x-ray",
    "yankee",
    "zulu",
]
_NATO_HINTS = (
    "bravo",
    "charlie",
    "foxtrot",
    "hotel",
    "india",
    "kilo",
    "lima",
    "mike",
    "oscar",
    "papa",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "yankee",
    "zulu",
    "echo",
)
_NATO = re.compile(r"\b(?:(?:" + "|".join(_NATO_WORDS) + r")\b[\s,.-]*){6,}", _F)
_MORSE_TABLE = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f", "--.": "g",
    "....": "h", "..": "i", ".---": "j", "-.-": "k", ".-..": "l", "--": "m", "-.": "n",
    "---": "o", ".--.": "p", "--.-": "q", ".-.": "r", "...": "s", "-": "t", "..-": "u",
    "...-": "v", ".--": "w", "-..-": "x", "-.--": "y", "--..": "z", "-----": "0",
    ".----": "1", "..---": "2", "...--": "3", "....-": "4", ".....": "5", "-....": "6",
    "--...": "7", "---..": "8", "----.": "9", ".-.-.-": ".", "--..--": ",", "..--..": "?",
}  # fmt: skip
# Grade-1 braille: dots 1-6 as bits of U+2800.
_BRAILLE_TABLE = dict(
    zip(
        [0x01, 0x03, 0x09, 0x19, 0x11, 0x0B, 0x1B, 0x13, 0x0A, 0x1A, 0x05, 0x07, 0x0D, 0x1D,
         0x15, 0x0F, 0x1F, 0x17, 0x0E, 0x1E, 0x25, 0x27, 0x3A, 0x2D, 0x3D, 0x35],
        "abcdefghijklmnopqrstuvwxyz",
        strict=True,
    )
)  # fmt: skip
LEET = str.maketrans("0134579@$|!", "oieastgasii")
# Words that the rewriting layers look for before rescanning a rewritten text.
KEYWORDS = (
    "ignor", "instruc", "previous", "prompt", "disregard", "jailbr", "system", "reveal",
    "password", "forget", "secret", "bypass", "overrid", "anything now", "developer",
)  # fmt: skip
ROT13_KEYWORDS = tuple(codecs.encode(k, "rot13") for k in KEYWORDS if " " not in k)
# Reversed whole words begin a reversed text's words ("metsys"); reversed stems would not.
REVERSED_KEYWORDS = tuple(
    k[::-1] for k in ("previous", "prompt", "system", "reveal", "password", "forget", "secret",
                      "bypass", "developer", "disregard", "ignore", "instructions", "override")
)  # fmt: skip
SPACED = re.compile(r"\b(?:[A-Za-z][ .\-_*|/]{1,3}){5,}[A-Za-z]\b")
_SEPARATORS = frozenset(" .-_*|/")


def maybe_spaced(lower: str) -> bool:
    """Five one-letter tokens in a row, or a token like i-g-n-o-r-e: text spelled out."""
    run = 0
    for tok in lower.split():
        if len(tok) == 1:
            run += 1
            if run >= 5:
                return True
            continue
        run = 0
        if len(tok) >= 9 and tok[1] in _SEPARATORS and tok[3] in _SEPARATORS:
            return True
    return False


def _printable_text(raw: bytes) -> str | None:
    """Decoded bytes when they read as text (a stray byte at either end is tolerated)."""
    s = raw.decode("utf-8", "replace")
    if not s or s.count("\ufffd") > 2:
        return None
    if sum(c.isprintable() or c in "\n\r\t" for c in s) < 0.9 * len(s):
        return None
    return s.replace("\ufffd", "")


def decode_blob(kind: str, blob: str) -> str | None:
    blob = blob[:MAX_BLOB_CHARS]
    try:
        if kind == "base64":
            compact = re.sub(r"\s+", "", blob).rstrip("=")
            if len(compact) < 16 or (
                compact.isalpha() and (compact.islower() or compact.isupper())
            ):
                return None
            compact += "=" * (-len(compact) % 4)
            raw = base64.b64decode(compact.replace("-", "+").replace("_", "/"), validate=True)
            return _printable_text(raw)
        if kind == "base32":
            return _printable_text(base64.b32decode(blob + "=" * (-len(blob) % 8)))
        if kind == "hex":
            digits = re.sub(r"0x|\\x|[\s:,-]", "", blob)
            return _printable_text(binascii.unhexlify(digits[: len(digits) // 2 * 2]))
        if kind == "binary":
            bits = re.sub(r"[\s,]", "", blob)
            return _printable_text(bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)))
        if kind == "morse":
            words = re.split(r" {3,}| ?/ ?| ?\| ?", blob.strip())
            out = " ".join("".join(_MORSE_TABLE.get(c, "") for c in w.split()) for w in words)
            return out if len(out.replace(" ", "")) >= 4 else None
        if kind == "braille":
            return "".join(
                " " if c == " " else _BRAILLE_TABLE.get(ord(c) - 0x2800, "") for c in blob
            )
        if kind == "nato":
            words = re.findall(r"[a-z-]+", blob.lower())
            return "".join("x" if w in ("xray", "x-ray") else w[0] for w in words)
        if kind == "url":
            return urllib.parse.unquote_plus(blob)
        if kind == "html":
            return html.unescape(blob)
        if kind == "ascii85":
            return _printable_text(
                base64.a85decode(blob.strip()[2:-2] if blob.startswith("<~") else blob.strip())
            )
        if kind == "uuencode":
            return _uudecode(blob)
        if kind == "qp":
            return _printable_text(quopri.decodestring(blob.encode()))
    except (ValueError, binascii.Error):
        return None
    return None


def _uudecode(blob: str) -> str | None:
    out = bytearray()
    for line in blob.splitlines():
        if not line or line.startswith(("begin", "end")) or line == "`":
            continue
        out += binascii.a2b_uu(line)
    return _printable_text(bytes(out))


def readable_words(s: str) -> int:
    return len(_READABLE.findall(s))


_READABLE = re.compile(r"\b[A-Za-z]{2,}\b")
_ASCII85 = re.compile(r"<~[!-u\s]{10,}?~>")
_UUENCODE = re.compile(r"begin [0-7]{3} \S+\n(?:[!-`]{2,61}\n){1,200}")
_QP = re.compile(r"=[0-9A-F]{2}(?:[^\s=]{0,20}=[0-9A-F]{2}){3,}[^\s=]{0,20}")
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}")
_B32_TOKEN = re.compile(r"[A-Z2-7]{16,}")
_HEX_TOKEN = re.compile(r"(?:0x|\\x)?[0-9a-f]{16,}|(?:(?:0x|\\x)[0-9a-f]{2}){8}")
_HEX_PAIRS = frozenset(f"{a}{b}" for a in "0123456789abcdef" for b in "0123456789abcdef")
# _HEX_TOKEN's first branch without its optional prefix: the same tokens match, and a plain
# run is three times faster to search for; the prefixed branch needs 0x or \x in the token.
_HEX_RUN = re.compile(r"[0-9a-f]{16}")


def _hex_token(token: str) -> bool:
    """Whether ``_HEX_TOKEN`` occurs in ``token``."""
    if _HEX_RUN.search(token):
        return True
    return ("0x" in token or "\\x" in token) and _HEX_TOKEN.search(token) is not None


_URL_HINT = re.compile(r"%[0-9A-Fa-f]{2}")
_MORSE_HINT = re.compile(r"[.-]{1,6}[ /|]{1,3}[.-]{1,6}[ /|]{1,3}[.-]{1,6}[ /|]")
_NATO_SET = frozenset(_NATO_HINTS)


def _token_blobs(
    pattern: re.Pattern[str], text: str, lower: str, tokens: list[str]
) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start inside one of ``tokens``: the pattern runs once per
    token occurrence instead of over the whole text."""
    out: list[re.Match[str]] = []
    covered = -1
    starts = sorted({(i, len(tok)) for tok in tokens for i in _occurrences(lower, tok)})
    for i, n in starts:
        if i < covered:
            continue
        m = pattern.search(text, i, i + n)
        if m is not None:
            m = pattern.match(text, m.start())  # the whole blob, which may run past the token
        if m is not None:
            out.append(m)
            covered = m.end()
    return out


def _occurrences(hay: str, needle: str) -> list[int]:
    spots: list[int] = []
    i = hay.find(needle)
    while i >= 0 and len(spots) < MAX_BLOBS:
        spots.append(i)
        i = hay.find(needle, i + 1)
    return spots


def blobs(ix: TextIndex) -> list[tuple[str, re.Match[str]]]:
    """Candidate encoded payloads in the text. Each kind's regex runs only when a cheap test
    on the text's distinct tokens or a substring says that the text can hold one, so ordinary
    prose costs a few set and ``in`` tests."""
    text, lower, tokens, long_tokens = ix.text, ix.lower, ix.tokens, ix.long_tokens
    if len(lower) != len(text):  # lower() moved indices: token positions do not carry over
        lower = text
    found: list[tuple[str, re.Match[str]]] = []
    if long_tokens:
        b64 = [t for t in long_tokens if _B64_TOKEN.search(t)]
        found += [("base64", m) for m in _token_blobs(_B64, text, lower, b64)]
        b32 = [t for t in b64 if _B32_TOKEN.search(text, (i := lower.find(t)), i + len(t))]
        found += [("base32", m) for m in _token_blobs(_B32, text, lower, b32)]
    pairs = [t for t in ix.pairs if t in _HEX_PAIRS]
    if (
        any(_hex_token(t) for t in long_tokens)
        or "\\x" in text
        or lower.count("0x") >= 8
        or (len(pairs) >= 6 and any(not t.isdigit() for t in pairs))
    ):
        found += [("hex", m) for m in _HEX.finditer(text)]
    if "01" in text and ("0110" in text or "0100" in text or "0111" in text):
        found += [("binary", m) for m in _BIN.finditer(text)]
    if (".-" in text or "-." in text) and _MORSE_HINT.search(text):
        found += [("morse", m) for m in _MORSE.finditer(text)]
    if not text.isascii():
        found += [("braille", m) for m in _BRAILLE.finditer(text)]
    if len(tokens & _NATO_SET) >= 3:
        found += [("nato", m) for m in _NATO.finditer(text)]
    if "%" in text and _URL_HINT.search(text):
        found += [("url", m) for m in _URLENC.finditer(text)]
    if "&#" in text:
        found += [("html", m) for m in _HTMLENT.finditer(text)]
    if "<~" in text:
        found += [("ascii85", m) for m in _ASCII85.finditer(text)]
    if "begin " in lower:
        found += [("uuencode", m) for m in _UUENCODE.finditer(text)]
    if "=" in text:
        found += [("qp", m) for m in _QP.finditer(text)]
    return found[:MAX_BLOBS]


def caesar_variants(text: str) -> list[str]:
    """The text under every Caesar shift (rot13 among them) and under Atbash."""
    out = [text.translate(table) for table in _SHIFTS]
    out.append(text.translate(_ATBASH))
    return out


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_SHIFTS = [
    str.maketrans(_LOWER + _UPPER, _LOWER[k:] + _LOWER[:k] + _UPPER[k:] + _UPPER[:k])
    for k in range(1, 26)
]
_ATBASH = str.maketrans(_LOWER + _UPPER, _LOWER[::-1] + _UPPER[::-1])
