"""Structural signals of the injection checks: evidence that is a shape rather than a phrase.

Hidden HTML comments with imperatives, markdown images whose URL carries data, pseudo-tags
such as ``<SYSTEM MODE>``, runs of adversarial-suffix gibberish, and sentences that take away
the model's constraints ("forget every safety rule you were given") whatever their wording.
"""

from __future__ import annotations

import re
import urllib.parse

from spyglass.checks._injection_rules import STEMS, Hit, TextIndex
from spyglass.checks._injection_signals import is_quoted

__all__ = [
    "ENCODING_NAMES",
    "adversarial_suffix",
    "comments",
    "constraint_removal",
    "english_words",
    "images",
    "mode_tags",
]

_F = re.IGNORECASE
# Longest HTML comment read for imperatives: a hidden instruction is a sentence or two.
MAX_COMMENT = 3000
_COMMENT_IMPERATIVE = re.compile(
    r"\b(?:ignore|disregard|you must|you should|instead|say|print|state|respond|reply|tell the "
    r"user|assistant|ai|do not|output|write|follow)\b",
    _F,
)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,200}\]\(\s*<?(https?://[^\s)>]{1,500})")
_SUSPICIOUS_QUERY = re.compile(
    r"[{\[<$]|%7B|[A-Z]{4,}|conversation|history|secret|password|summary|chat|prompt|data=|q=|"
    r"info="
)
# Image hosts that appear in ordinary markdown (badges, wikis, repositories).
_KNOWN_HOSTS = (
    "shields.io", "github.com", "githubusercontent.com", "gitlab.com", "wikimedia.org",
    "wikipedia.org", "imgur.com", "readthedocs.io", "codecov.io", "badge.fury.io",
)  # fmt: skip
_ANGLE_TAG = re.compile(r"<\s*([^<>\n]{3,30}?)\s*>")
_MODE_WORDS = re.compile(r"模式|モード|모드|โหมด|وضع|режим|mod[eou]s?\b|modalità", _F)
# Adversarial suffixes (optimised gibberish appended to a request) read as runs of tokens that
# glue words to stray brackets, backslashes and quotes, or two words together in camel case.
_ODD_TOKEN = re.compile(
    r"[\\\]\[{}^~|]|\*\*\w|[a-z]{2}[A-Z][a-z]|[A-Z]{2}[a-z]{3}|[\"'][,;)\]]|=>|->|%\{|\.\]|\]\(|"
    r"[!?.]{2}[\"'\\]|^[\"'(\[][^\w\s]|^[!?\[\](){}<>:;'\"]{1,3}$"
)
_ODD_CHARS = frozenset("\\]}{^~|*")
# A window of this many consecutive tokens ...
SUFFIX_WINDOW = 12
# ... holding at least this many odd ones (and half as many plain words) is taken as a suffix:
# a third of a window is more than prose with a code span or two reaches.
SUFFIX_MIN_ODD = 4
# Code (indentation, fences, keywords at line start, statements, JSON keys) is full of such
# tokens: texts that look like code are left to the other signals.
_CODE_HINTS = re.compile(
    r"^(?: {4}|\t)|```|^\s*(?:def|class|import|from|function|const|let|var|return|if|for|while)"
    r"\b|;\s*$|\"[\w -]+\"\s*:\s*[\"\[{\d]",
    re.MULTILINE,
)


def adversarial_suffix(ix: TextIndex) -> list[Hit]:
    """A run of adversarial-suffix-like tokens in prose (not in code)."""
    if not _ODD_CHARS & set("".join(ix.tokens)):
        return []
    text = ix.text
    if _CODE_HINTS.search(text):
        return []
    spans = [
        (m.start(), m.end(), bool(_ODD_TOKEN.search(m.group()))) for m in _TOKEN.finditer(text)
    ]
    n = len(spans)
    for i in range(max(0, n - SUFFIX_WINDOW) + 1):
        window = spans[i : i + SUFFIX_WINDOW]
        odd = sum(1 for _, _, o in window if o)
        if odd >= SUFFIX_MIN_ODD and len(window) - odd >= SUFFIX_MIN_ODD // 2:
            return [Hit("adversarial_suffix", "encoding", 0.6, window[0][0], window[-1][1])]
    return []


_TOKEN = re.compile(r"\S+")


# Words that say a text holds an encoded payload ("this base64 string", "decode the hex").
ENCODING_NAMES = (
    "base64", "base32", "base16", "base85", "hex", "rot13", "rot", "binary", "morse", "braille",
    "ascii85", "uuencode", "encoded", "encoding", "decode", "decoded", "cipher", "caesar",
    "atbash", "encrypted", "decrypt",
)  # fmt: skip
STEMS.register(ENCODING_NAMES)
# Common English words: a line that gains several of them once deciphered was ciphertext.
_FUNCTION_WORDS = frozenset(
    ("the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "with", "is", "are", "was",
     "be", "you", "your", "i", "me", "my", "how", "what", "why", "when", "where", "can", "do",
     "does", "tell", "give", "make", "write", "this", "that", "it")
)  # fmt: skip
LINE = re.compile(r"[^\n]+")


def english_words(text: str) -> int:
    """How many of the text's words are common English function words."""
    return sum(w in _FUNCTION_WORDS for w in text.lower().split())


def comments(text: str) -> list[Hit]:
    """Hidden HTML comments that hold an imperative (found with str.find: linear time)."""
    out = []
    i = text.find("<!--")
    while i >= 0:
        j = text.find("-->", i + 4)
        if j < 0:
            break
        body = text[i + 4 : j]
        if len(body) <= MAX_COMMENT and _COMMENT_IMPERATIVE.search(body):
            out.append(Hit("hidden_comment", "indirect", 0.45, i, j + 3))
        i = text.find("<!--", j + 3)
    return out


def images(text: str) -> list[Hit]:
    out: list[Hit] = []
    for m in _MD_IMAGE.finditer(text):
        url = urllib.parse.urlsplit(m.group(1))
        host = (url.hostname or "").lower()
        if not url.query or any(host == k or host.endswith("." + k) for k in _KNOWN_HOSTS):
            continue
        w = 0.75 if _SUSPICIOUS_QUERY.search(url.query) else 0.35
        out.append(Hit("markdown_image", "exfiltration", w, m.start(), m.end()))
    return out


def mode_tags(text: str) -> list[Hit]:
    """Pseudo-tags such as ``<SYSTEM MODE>`` or ``<系统模式>``, in any language."""
    out = []
    for m in _ANGLE_TAG.finditer(text):
        inner = m.group(1).strip()
        if (inner.isupper() and " " in inner) or _MODE_WORDS.search(inner):
            out.append(Hit("mode_tag", "delimiter", 0.55, m.start(), m.end()))
    return out


# A sentence that takes the model's constraints away: a constraint noun, a removal word, and
# the model addressed (you, your, the AI) or commanded (the sentence opens with a verb).
_CONSTRAINT = re.compile(
    r"\b(?:(?:safety|ethical|moral|content|usage)\s+(?:rules?|guidelines?|protocols?|"
    r"constraints?|restrictions?|polic(?:y|ies)|filters?|training|guardrails?|limits?|"
    r"principles?|boundaries|considerations|standards|measures|settings)|guardrails?|"
    r"safeguards?|censorship|content polic(?:y|ies)|(?:every|all|any)\s+(?:restriction|rule|filter|"
    r"limit|limitation|guideline|safeguard)s?|(?:your|its|the (?:ai|model|assistant)'?s?)"
    r"\s+(?:\w+\s+)?(?:rules|guidelines|restrictions|limitations|filters|programming|"
    r"principles|ethics|morals|values|training|constraints|polic(?:y|ies)))\b",
    _F,
)
_REMOVAL = re.compile(
    r"\b(?:forget\w*|ignor\w*|disregard\w*|drop|abandon\w*|bypass\w*|overrid\w*|suspend\w*|lift\w*|"
    r"remov\w*|disabl\w*|turn(?:ed)? off|switch(?:ed)? off|deactivat\w*|without|no longer|"
    r"do(?:es)?n'?t (?:exist|apply|matter|count)|do(?:es)? not (?:exist|apply|matter|count)|"
    r"(?:are|is|were|was|have been|has been) (?:gone|updated|changed|relaxed|waived|void|null)|"
    r"free (?:of|from)|unbound by|not bound by|exempt|throw out|set aside|put aside|"
    r"break\w*|violat\w*|skip\w*)\b",
    _F,
)
_ADDRESSEE = re.compile(
    r"\b(?:you|your|yourself|ai|assistant|model|chatbot|gpt|chatgpt)\b|^\s*(?:please\s+|now\s+|"
    r"just\s+)?(?:forget|ignore|disregard|drop|abandon|bypass|override|suspend|lift|remove|"
    r"disable|pretend|imagine|assume|suppose|let'?s)\b",
    _F,
)
_SENTENCE = re.compile(r"[^.!?;\n]+")
_CONSTRAINT_STEMS = (
    "safety", "ethical", "moral", "content", "usage", "guardrail", "safeguard", "censorship",
    "restriction", "rule", "filter", "limit", "guideline",
    "rules", "guidelines", "restrictions", "limitations", "filters", "programming",
    "principles", "ethics", "morals", "values", "training", "constraints", "policy", "policies",
)  # fmt: skip
STEMS.register(_CONSTRAINT_STEMS)


def constraint_removal(ix: TextIndex) -> list[Hit]:
    """Sentences that remove, suspend or deny the model's rules, addressed to the model."""
    if not ix.has_word(*_CONSTRAINT_STEMS):
        return []
    out = []
    text = ix.text
    for m in _CONSTRAINT.finditer(text):
        sentence = _sentence_at(text, m.start())
        if sentence is None:
            continue
        lo, hi = sentence.span()
        removal = _REMOVAL.search(text, lo, hi)
        if (
            removal is not None
            and _ADDRESSEE.search(sentence.group())
            and not is_quoted(text, removal.start(), removal.end())
            and not is_quoted(text, m.start(), m.end())
        ):
            out.append(Hit("constraint_removal", "roleplay", 0.55, lo, hi))
    return out


def _sentence_at(text: str, i: int) -> re.Match[str] | None:
    start = max(text.rfind(c, 0, i) for c in ".!?;\n") + 1
    return _SENTENCE.match(text, start)
