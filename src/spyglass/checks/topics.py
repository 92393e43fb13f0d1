"""Keyword checks: ``banned-topics`` and ``competitors``.

``banned-topics`` flags text that talks about a topic the application should stay away from.
A topic is a list of keywords and phrases, matched as whole words, case-insensitively, with
simple English endings (election/elections, bet/bets/betting, policy/policies, vote/voted/voting)
and any run of whitespace inside a phrase. A topic's score grows with the number of *distinct*
keywords found: ``1 - 0.5 ** n`` (one keyword 0.5, two 0.75, three 0.875); the text's score is
that of its worst topic, which is also the label. With the default threshold 0.5 one keyword
fails the check; raise the threshold to 0.75 to need two.

Parameters:
    topics: ``{topic: [keywords]}`` of your own.
    builtin: names of ready-made lists shipped in ``data/topics.json``: politics,
        medical-advice, legal-advice, financial-advice, violence, weapons, gambling, religion.
    threshold: default 0.5.

``competitors`` flags mentions of other companies or products, so a guard can block or
redact them. ``names`` is a list of names, or a mapping from a name to its aliases
(``{"OpenAI": ["Open AI", "ChatGPT"]}``), or a list mixing both. Matching is whole-word and
case-insensitive; each mention is a COMPETITOR finding and the label is the first name seen.
The check is pass/fail: score 1.0 when any name appears.

Known limits: keywords are not meaning. "Bet on" in "I'd bet on the cache" counts for
gambling, and a topic discussed without its keywords passes. The stemming is a handful of
suffix rules, not a dictionary; give irregular forms (mice, went) as keywords of their own.
Competitor names that are ordinary words ("Apple", "Notion") match in their ordinary sense too.
Topics by meaning (described by example sentences, matched by embedding similarity) are the
``semantic-topics`` check of the ``embeddings`` extra (:mod:`spyglass.checks.semantic_topics`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from spyglass.checks.base import Check, CheckContext, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = ["BannedTopics", "Competitors", "inflections"]

# Each further distinct keyword halves the remaining headroom: 0.5, 0.75, 0.875, ...
KEYWORD_WEIGHT = 0.5
_SPACES = re.compile(r"\s+")
_VOWELS = "aeiou"


@cache
def builtin_topics() -> dict[str, list[str]]:
    """The ready-made topic lists, by name."""
    raw = files("spyglass.checks").joinpath("data", "topics.json").read_text(encoding="utf-8")
    topics: dict[str, list[str]] = json.loads(raw)["topics"]
    return topics


def inflections(phrase: str) -> set[str]:
    """``phrase`` with simple English endings (plural, -ed, -ing) on its first and last word."""
    words = _SPACES.sub(" ", phrase.strip().lower()).split(" ")
    if len(words) == 1:
        return _word_forms(words[0])
    # Both ends of a phrase take endings: "bet on" -> "betting on", "tax loophole(s)".
    middle = " ".join(words[1:-1])
    return {
        " ".join(w for w in (first, middle, last) if w)
        for first in _word_forms(words[0])
        for last in _word_forms(words[-1])
    }


def _word_forms(word: str) -> set[str]:
    forms = {word}
    if word.isalpha() and len(word) > 2:
        if word.endswith("y") and word[-2] not in _VOWELS:
            forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
        elif word.endswith(("s", "x", "z", "ch", "sh")):
            forms |= {word + "es"}
        else:
            forms |= {word + "s"}
        if word.endswith("e"):
            forms |= {word + "d", word[:-1] + "ing"}
        elif not word.endswith("y"):
            forms |= {word + "ed", word + "ing"}
        short = len(word) <= 4 and word[-1] not in _VOWELS + "wxy"
        if short and word[-2] in _VOWELS and word[-3] not in _VOWELS:  # bet -> betting
            forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
        if word.endswith("s") and not word.endswith("ss"):  # elections -> election
            forms.add(word[:-1])
    return forms


def _trie(phrases: Iterable[str]) -> str:
    """Literal phrases as one trie-shaped alternation: a few comparisons per position."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [(r"\s+" if k == " " else re.escape(k)) + emit(v) for k, v in node.items() if k]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a shorter phrase ends here: the longer ones are tried first
            return f"(?:{body})?" if len(branches) == 1 else body[:-1] + "|)"
        return body

    return emit(trie)


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_trie(phrases)})(?!\w)")


def _lower(text: str) -> str:
    lowered = text.lower()
    # Only "İ" lower-cases to two characters; keep indices equal to the original text.
    return lowered if len(lowered) == len(text) else text.replace("\u0130", "I").lower()


def _words(value: object, what: str, *, allow_empty: bool = False) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PolicyError(f"{what} must be a list of strings, got {value!r}")
    if not (value or allow_empty) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{what} must be a non-empty list of non-empty strings, got {value!r}")
    return [v.strip() for v in value]


@register
class BannedTopics(Check):
    """Text about a topic the application must not discuss, by keyword."""

    name = "banned-topics"

    def __init__(
        self,
        *,
        topics: Mapping[str, Sequence[str]] | None = None,
        builtin: Sequence[str] = (),
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        chosen: dict[str, list[str]] = {}
        available = builtin_topics()
        for name in _words(builtin, "banned-topics: builtin") if builtin else ():
            if name not in available:
                known = ", ".join(sorted(available))
                raise PolicyError(f"banned-topics: no built-in topic {name!r}; known: {known}")
            chosen[name] = list(available[name])
        if topics is not None:
            if not isinstance(topics, Mapping):
                raise PolicyError("banned-topics: topics must map a topic name to keywords")
            for name, keywords in topics.items():
                if not isinstance(name, str) or not name.strip():
                    raise PolicyError(f"banned-topics: topic names must be strings, got {name!r}")
                chosen.setdefault(name, []).extend(_words(keywords, f"banned-topics: {name}"))
        if not chosen:
            raise PolicyError("banned-topics needs `topics` or `builtin` (or both)")
        self.topics = chosen
        # normalised form -> (keyword as written, topics that list it)
        self._forms: dict[str, tuple[str, tuple[str, ...]]] = {}
        for topic, keywords in chosen.items():
            for keyword in keywords:
                for form in inflections(keyword):
                    written, owners = self._forms.get(form, (keyword, ()))
                    if topic not in owners:
                        self._forms[form] = (written, (*owners, topic))
        self._regex = _phrase_regex(self._forms)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        spans: list[tuple[int, int, str]] = []  # start, end, first topic listing the keyword
        seen: dict[str, set[str]] = {}  # topic -> distinct keywords
        for m in self._regex.finditer(_lower(text)):
            keyword, owners = self._forms[_SPACES.sub(" ", m.group())]
            for topic in owners:
                seen.setdefault(topic, set()).add(keyword)
            spans.append((m.start(), m.end(), owners[0]))
        if not seen:
            return Verdict(score=0.0, explanation="no banned topic mentioned")
        scores = {topic: 1.0 - KEYWORD_WEIGHT ** len(words) for topic, words in seen.items()}
        order = list(self.topics)
        ranked = sorted(seen, key=lambda t: (-scores[t], order.index(t)))
        findings = tuple(
            Finding(start, end, _entity(topic), text[start:end], scores[topic])
            for start, end, topic in spans
        )
        parts = [f"{t} ({', '.join(sorted(seen[t]))})" for t in ranked]
        return Verdict(
            score=scores[ranked[0]],
            findings=findings,
            label=ranked[0],
            explanation="mentions " + "; ".join(parts),
        )


def _entity(topic: str) -> str:
    return re.sub(r"\W+", "_", topic).strip("_").upper() or "TOPIC"


@register
class Competitors(Check):
    """Mentions of competitors' names and their aliases, with spans for redaction."""

    name = "competitors"

    def __init__(
        self,
        *,
        names: Sequence[str | Mapping[str, Sequence[str]]] | Mapping[str, Sequence[str]],
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        items: list[str | Mapping[str, Sequence[str]]]
        if isinstance(names, Mapping):
            items = [names]
        elif isinstance(names, str) or not isinstance(names, Sequence) or not names:
            raise PolicyError(f"competitors: names must be a non-empty list, got {names!r}")
        else:
            items = list(names)
        self._aliases: dict[str, str] = {}  # normalised alias -> canonical name
        for item in items:
            if isinstance(item, str):
                self._add(item, [])
            elif isinstance(item, Mapping):
                for name, aliases in item.items():
                    listed = [aliases] if isinstance(aliases, str) else aliases
                    self._add(
                        name, _words(listed, f"competitors: aliases of {name!r}", allow_empty=True)
                    )
            else:
                raise PolicyError(f"competitors: a name must be a string or a mapping: {item!r}")
        self.names = tuple(dict.fromkeys(self._aliases.values()))
        self._regex = _phrase_regex(self._aliases)

    def _add(self, name: object, aliases: list[str]) -> None:
        if not isinstance(name, str) or not name.strip():
            raise PolicyError(f"competitors: names must be non-empty strings, got {name!r}")
        for alias in [name, *aliases]:
            self._aliases.setdefault(_SPACES.sub(" ", alias.strip().lower()), name.strip())

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        matches = list(self._regex.finditer(_lower(text)))
        if not matches:
            return Verdict(score=0.0, passed=True, explanation="no competitor mentioned")
        findings = tuple(
            Finding(m.start(), m.end(), "COMPETITOR", text[m.start() : m.end()]) for m in matches
        )
        found = dict.fromkeys(self._aliases[_SPACES.sub(" ", m.group())] for m in matches)
        return Verdict(
            score=1.0,
            passed=False,
            findings=findings,
            label=next(iter(found)),
            explanation="mentions " + ", ".join(found),
        )
