"""The Porter stemmer exactly as NLTK implements it, for ROUGE's ``use_stemmer``.

Google's ``rouge-score`` stems with ``nltk.stem.porter.PorterStemmer()`` in its default
``NLTK_EXTENSIONS`` mode; this is a port of that mode alone (NLTK 3.x, Apache-2.0), rule for
rule and in the same order, so ROUGE with stemming gives the same tokens without NLTK.
Algorithm: M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980, plus the
extensions NLTK documents (irregular forms, ``-ied``/``-ies`` on four-letter words, ``y -> i``
only after a consonant, ``alli`` and ``logi`` handling, ``fulli``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

__all__ = ["stem"]

# Words seen in one evaluation repeat a lot; stems are a few bytes each.
STEM_CACHE_SIZE = 16384

_VOWELS = frozenset("aeiou")
# NLTK's table of irregular forms: word -> stem.
_IRREGULAR = {
    "sky": "sky",
    "skies": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "news": "news",
    "innings": "inning",
    "inning": "inning",
    "outings": "outing",
    "outing": "outing",
    "cannings": "canning",
    "canning": "canning",
    "howe": "howe",
    "proceed": "proceed",
    "exceed": "exceed",
    "succeed": "succeed",
}

_Rule = tuple[str, str, Callable[[str], bool] | None]


def _consonants(word: str) -> list[bool]:
    """True where ``word[i]`` is a consonant: not a vowel, and 'y' only after a vowel or first."""
    flags: list[bool] = []
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            flags.append(False)
        elif ch == "y":
            flags.append(True if i == 0 else not flags[i - 1])
        else:
            flags.append(True)
    return flags


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-run-then-consonant-run pairs in ``stem``."""
    flags = _consonants(stem)
    return sum(1 for i in range(1, len(flags)) if flags[i] and not flags[i - 1])


def _positive_measure(stem: str) -> bool:
    return _measure(stem) > 0


def _measure_over_1(stem: str) -> bool:
    return _measure(stem) > 1


def _contains_vowel(stem: str) -> bool:
    return not all(_consonants(stem))


def _ends_double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonants(word)[-1]


def _ends_cvc(word: str) -> bool:
    """Porter's *o (consonant-vowel-consonant, the last not w, x or y); NLTK adds 2-letter vc."""
    flags = _consonants(word)
    if len(word) >= 3 and flags[-3] and not flags[-2] and flags[-1] and word[-1] not in "wxy":
        return True
    return len(word) == 2 and not flags[0] and flags[1]


def _apply(word: str, rules: list[_Rule]) -> str:
    """The first rule whose suffix matches decides: replace it when its condition holds."""
    for suffix, replacement, condition in rules:
        if suffix == "*d" and _ends_double_consonant(word):
            stem = word[:-2]
            return stem + replacement if condition is None or condition(stem) else word
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            return stem + replacement if condition is None or condition(stem) else word
    return word


def _step1a(word: str) -> str:
    if word.endswith("ies") and len(word) == 4:
        return word[:-3] + "ie"
    return _apply(
        word, [("sses", "ss", None), ("ies", "i", None), ("ss", "ss", None), ("s", "", None)]
    )


def _step1b(word: str) -> str:
    if word.endswith("ied"):
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        return word[:-3] + "ee" if _measure(word[:-3]) > 0 else word
    stem: str | None = None
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _contains_vowel(word[: -len(suffix)]):
            stem = word[: -len(suffix)]
            break
    if stem is None:
        return word
    last = stem[-1]
    return _apply(
        stem,
        [
            ("at", "ate", None),
            ("bl", "ble", None),
            ("iz", "ize", None),
            ("*d", last, lambda _: last not in "lsz"),
            ("", "e", lambda s: _measure(s) == 1 and _ends_cvc(s)),
        ],
    )


def _step1c(word: str) -> str:
    return _apply(word, [("y", "i", lambda s: len(s) > 1 and _consonants(s)[-1])])


def _step2(word: str) -> str:
    if word.endswith("alli") and _positive_measure(word[:-4]):
        return _step2(word[:-4] + "al")
    rules: list[_Rule] = [
        (suffix, replacement, _positive_measure)
        for suffix, replacement in (
            ("ational", "ate"),
            ("tional", "tion"),
            ("enci", "ence"),
            ("anci", "ance"),
            ("izer", "ize"),
            ("bli", "ble"),
            ("alli", "al"),
            ("entli", "ent"),
            ("eli", "e"),
            ("ousli", "ous"),
            ("ization", "ize"),
            ("ation", "ate"),
            ("ator", "ate"),
            ("alism", "al"),
            ("iveness", "ive"),
            ("fulness", "ful"),
            ("ousness", "ous"),
            ("aliti", "al"),
            ("iviti", "ive"),
            ("biliti", "ble"),
            ("fulli", "ful"),
        )
    ]
    # The 'l' of 'logi' stays with the stem, so short stems such as 'geo' qualify.
    rules.append(("logi", "log", lambda _: _positive_measure(word[:-3])))
    return _apply(word, rules)


_STEP3: list[_Rule] = [
    (suffix, replacement, _positive_measure)
    for suffix, replacement in (
        ("icate", "ic"),
        ("ative", ""),
        ("alize", "al"),
        ("iciti", "ic"),
        ("ical", "ic"),
        ("ful", ""),
        ("ness", ""),
    )
]

_STEP4: list[_Rule] = [
    *[(s, "", _measure_over_1) for s in ("al", "ance", "ence", "er", "ic", "able", "ible")],
    *[(s, "", _measure_over_1) for s in ("ant", "ement", "ment", "ent")],
    ("ion", "", lambda s: _measure(s) > 1 and s[-1] in "st"),
    *[(s, "", _measure_over_1) for s in ("ou", "ism", "ate", "iti", "ous", "ive", "ize")],
]


def _step5a(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _ends_cvc(stem)):
            return stem
    return word


def _step5b(word: str) -> str:
    return _apply(word, [("ll", "l", lambda _: _measure(word[:-1]) > 1)])


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """``nltk.stem.porter.PorterStemmer().stem(word)``: lower-cased Porter stem of one word."""
    lowered = word.lower()
    if lowered in _IRREGULAR:
        return _IRREGULAR[lowered]
    if len(word) <= 2:
        return lowered
    out = _step1a(lowered)
    out = _step1b(out)
    out = _step1c(out)
    out = _step2(out)
    out = _apply(out, _STEP3)
    out = _apply(out, _STEP4)
    out = _step5a(out)
    return _step5b(out)
