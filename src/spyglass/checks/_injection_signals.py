# ruff: noqa: RUF001  (typographic quote marks are this module's data)
"""Turning rule matches into weighted signals, damped where the text *talks about* attacks.

Text that discusses attacks (a question about prompt injection, a paper, a system prompt saying
"never reveal these instructions") is dampened rather than excepted: signals in such a text
weigh less, quoted phrases less still, and a negated phrase ("do not reveal ...") barely counts.
"""

from __future__ import annotations

import re

from spyglass.checks._injection_languages import NEGATION as ML_NEGATION
from spyglass.checks._injection_rules import STEMS, Hit, RuleSet, TextIndex

__all__ = ["META_DAMP", "is_meta", "scan"]

_F = re.IGNORECASE

# Multipliers on a signal's weight when the text discusses the topic, when the phrase is also
# in quotes, and when it is negated. Chosen so that one strong phrase in a question ("how do I
# stop 'ignore previous instructions' attacks?") stays under 0.5 while an attack that also
# carries a second signal does not.
META_DAMP = 0.5
QUOTED_META_DAMP = 0.25
NEGATED_DAMP = 0.15
# Characters either side of a match in which to look for discussion cues: about a paragraph.
META_CONTEXT = 300

_TOPIC = re.compile(
    r"\b(?:prompt[- ]injections?|jailbreak\w*|injection attacks?|adversarial (?:prompts?|"
    r"attacks?|examples?|inputs?)|red[- ]?team\w*|guardrails?|llm security|ai safety|owasp|"
    r"attackers?|malicious (?:users?|actors?|prompts?|inputs?|instructions)|threat model\w*|"
    r"vulnerabilit\w*|exploits?|attacks?|security (?:researchers?|team|review|audit|paper|talk|"
    r"course|training|test\w*)|attack (?:vectors?|patterns?|examples?|surface)|moderat\w*|abuse|"
    r"misuse|(?-i:DAN) (?:prompts?|jailbreaks?))\b",
    _F,
)
# Word stems of which a _TOPIC match holds at least one: without them the regex cannot match.
_TOPIC_STEMS = (
    "prompt", "jailbreak", "injection", "adversarial", "red", "guardrail", "llm", "ai", "owasp",
    "attack", "malicious", "threat", "vulnerabilit", "exploit", "security", "moderat", "abuse",
    "misuse", "dan",
)  # fmt: skip
STEMS.register(_TOPIC_STEMS)
_DISCUSS = re.compile(
    # A question counts as discussion when it asks about defending or understanding, not when
    # it is the payload of an attack ("... how do I make a fake passport?").
    r"\b(?:how (?:do|can|should|would|does|to|did)\b[^.?!\n]{0,60}?\b(?:protect|prevent|detect|"
    r"defend|stop|block|mitigat|avoid|handle|recogni[sz]|guard|filter|test|work|use|exploit|"
    r"craft|spot|catch|respond to|deal with|classif)\w*|what (?:is|are|does|do|was|were)\b"
    r"[^.?!\n]{0,50}?\b(?:prompt[- ]injection|jailbreak|attack|exploit|vulnerabilit|guardrail|"
    r"red[- ]team|adversarial|(?-i:DAN)|threat|special tokens?)\w*|why (?:do|does|is|are|would|"
    r"did)\b[^.?!\n]{0,60}?\b(?:work|succeed|fail|effective|dangerous|matter|happen)\w*|"
    r"explain\w*|describe|summari[sz]e|overview|paper|article|research\w*|study|blog|"
    r"essay|talk|lecture|course|classif\w*|detect\w*|defen[cs]\w*|protect\w*|prevent\w*|"
    r"mitigat\w*|sanitiz\w*|filter\w*|test(?:s|ing)? (?:for|against)|examples? of|"
    r"best practices?|recogni[sz]e|block\w*|harden\w*|robust\w*|evaluat\w*|such as|phrases? like|"
    r"e\.g\.|for example|for instance|contains?|flag(?:s|ged)?|logged|runbook|policy|guideline|"
    r"reject\w*|patch\w*)\b",
    _F,
)
_NEGATION = re.compile(
    r"\b(?:never|not|don'?t|doesn'?t|must ?n[o']t|should ?n[o']t|cannot|can'?t|won'?t|"
    r"refuse to|under no circumstances|avoid|no one)\b[^.!?\n:;]*\Z",
    _F,
)
_SENTENCE_END = re.compile(r"[.!?\n]")
_OPEN_QUOTE = re.compile(r"(?:^|(?<=[\s(\[:,]))[\"“‘'«`]")
_CLOSE_QUOTE = re.compile(r"[\"”’'»`](?=[\s.,;:!?)\]]|$)")
_DO = re.compile(r"do|don")


def is_quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` sits between an opening and a closing quote mark."""
    left = text[max(0, start - 80) : start + 1]
    opens = [m.end() for m in _OPEN_QUOTE.finditer(left)]
    if not opens:
        return False
    last_open = opens[-1]
    if _CLOSE_QUOTE.search(left, last_open, len(left) - 1):
        return False
    return _CLOSE_QUOTE.search(text, end - 1, min(len(text), end + 80)) is not None


def in_question(text: str, end: int) -> bool:
    """Whether the sentence that ``text[:end]`` is in ends with a question mark."""
    m = _SENTENCE_END.search(text, end)
    return m is not None and m.group() == "?"


def is_meta(ix: TextIndex, start: int = 0, end: int | None = None) -> bool:
    """Whether the text around ``text[start:end]`` discusses attacks rather than makes one."""
    if ix.ascii and not ix.has_word(*_TOPIC_STEMS):
        return False
    text = ix.text
    lo = max(0, start - META_CONTEXT)
    hi = min(len(text), (len(text) if end is None else end) + META_CONTEXT)
    return bool(_TOPIC.search(text, lo, hi) and _DISCUSS.search(text, lo, hi))


def scan(text: str | TextIndex, rules: RuleSet, meta: bool | None = None) -> list[Hit]:
    """The hits of ``rules`` in the text, damped; ``meta`` forces the discussion test."""
    ix = text if isinstance(text, TextIndex) else TextIndex(text)
    found = rules.matches(ix)
    if not found:
        return []
    text = ix.text
    hits: list[Hit] = []
    for rule, m in found:
        w = rule.weight
        start, end = m.span()
        local_meta = meta if meta is not None else is_meta(ix, start, end)
        before = text[max(0, start - 60) : start]
        quoted = is_quoted(text, start, end)
        negation = ML_NEGATION if rule.id.startswith("ml_") else _NEGATION
        if rule.negatable and negation.search(before) and not _DO.match(m.group()):
            w *= NEGATED_DAMP
        if local_meta:
            w *= QUOTED_META_DAMP if quoted else META_DAMP
        elif (quoted or rule.family == "delimiter") and in_question(text, end):
            # A quoted phrase or a special token asked about ("what does '<|im_end|>' do?")
            # is a mention, not a use.
            w *= META_DAMP
        hits.append(Hit(rule.id, rule.family, w, start, end))
    return hits
