# ruff: noqa: RUF001  (look-alike and non-Latin letters are this module's data)
"""Prompt injection and jailbreak detection: layered, weighted signals, pure Python.

The ``prompt-injection`` check scores a text's risk of being an injection attempt. Each rule
that matches is a *signal* with a weight in (0, 1]; the score combines them as independent
evidence (``1 - prod(1 - w)``, each rule counted once however often it repeats) and passes
while below the threshold (0.5). Signal families, named for ``signals``/``exclude``:

==============  ======================  ===================================================
family          entity                  what
==============  ======================  ===================================================
override        INSTRUCTION_OVERRIDE    "ignore previous instructions" and kin, in 20+ languages
roleplay        ROLE_PLAY               DAN, developer mode, unrestricted personas, grandma
authority       FAKE_AUTHORITY          "I'm your developer", maintenance/god/override modes
extraction      PROMPT_EXTRACTION       "repeat your system prompt", "what were you told"
delimiter       FAKE_DELIMITER          ``<|im_start|>system``, ``[INST]``, "\\nSystem:" mid-text
encoding        ENCODED_PAYLOAD         base64/base32/hex/binary/morse/braille/NATO/URL
                                        escapes, rot13, reversed, leetspeak and spaced-out
                                        text decoded and rescanned
indirect        INDIRECT_INSTRUCTION    text addressed to the AI inside documents, hidden
                                        HTML comments
exfiltration    EXFILTRATION            markdown images with data in the query, "send the
                                        conversation to http..."
unicode         UNICODE_TRICK           invisible, tag, bidi, homoglyph characters (see
                                        :mod:`spyglass.checks.unicode`; the text is also
                                        scanned in its :func:`normalize` form)
==============  ======================  ===================================================

Text that *talks about* attacks (a question about prompt injection, a paper, a system prompt
saying "never reveal these instructions") is dampened rather than excepted: signals in such a
text weigh less, quoted phrases less still, and a negated phrase ("do not reveal ...") barely
counts. A real attack usually fires several signals, so it survives the damping.

With ``scan_documents=True`` each of ``context.documents`` is scored the same way; its findings
are reported with the entity prefixed ``DOCUMENT[i]:`` and spans *into that document*, and
the check's score is the highest of all. ``fix`` is not offered: an injection is blocked, not
repaired.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import dataclasses
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spyglass.checks.base import Check, CheckContext, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.checks.unicode import find_tricks, normalize_with_offsets
from spyglass.exceptions import PolicyError

__all__ = ["FAMILIES", "Jailbreak", "PromptInjection", "injection_score"]

ENTITIES = {
    "override": "INSTRUCTION_OVERRIDE",
    "roleplay": "ROLE_PLAY",
    "authority": "FAKE_AUTHORITY",
    "extraction": "PROMPT_EXTRACTION",
    "delimiter": "FAKE_DELIMITER",
    "encoding": "ENCODED_PAYLOAD",
    "indirect": "INDIRECT_INSTRUCTION",
    "exfiltration": "EXFILTRATION",
    "unicode": "UNICODE_TRICK",
}
FAMILIES = tuple(ENTITIES)

# -- damping ---------------------------------------------------------------------------------
# Multipliers on a signal's weight when the text discusses the topic, when the phrase is also
# in quotes, and when it is negated. Chosen so that one strong phrase in a question ("how do I
# stop 'ignore previous instructions' attacks?") stays under 0.5 while an attack that also
# carries a second signal does not.
META_DAMP = 0.5
QUOTED_META_DAMP = 0.35
NEGATED_DAMP = 0.15
# Bounds on the decoding layers, so that a 100 KB adversarial input stays linear.
MAX_BLOBS = 24
MAX_BLOB_CHARS = 16_384
MAX_DEPTH = 2

_F = re.IGNORECASE


def _gap(n: int) -> str:
    """Up to ``n`` words between two phrases (bounded, so no runaway backtracking)."""
    return rf"(?:\W+\w+){{0,{n}}}?\W+"


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    family: str
    weight: float
    pattern: re.Pattern[str]
    negatable: bool = False  # a preceding "never/do not" turns it into a protective phrase
    # Lower-case literals of which every match contains at least one: the rule's regex runs
    # only around their occurrences (a C-speed str.find), not over the whole text.
    anchors: tuple[str, ...] = ()
    # When set, a match counts only if this also matches within _NEAR characters of it.
    near: re.Pattern[str] | None = None


def _r(
    rid: str,
    family: str,
    weight: float,
    rx: str,
    flags: int = _F,
    neg: bool = False,
    near: str | None = None,
) -> _Rule:
    # Texts are scanned in NFKC form (see unicode.normalize), so the patterns must be too:
    # NFKC decomposes Thai SARA AM, for one.
    def compile_(p: str) -> re.Pattern[str]:
        return re.compile(unicodedata.normalize("NFKC", p), flags)

    return _Rule(rid, family, weight, compile_(rx), neg, near=compile_(near) if near else None)


_VERB_IGNORE = (
    r"(?:ignore|ignoring|disregard|forget|overlook|skip|discard|abandon|bypass|override|neglect|"
    r"dismiss|erase|delete|drop|set aside|throw out|pay no attention to|do not follow|don'?t "
    r"follow|stop following|no longer follow|stop obeying|disobey)"
)
_NOUN_RULES = (
    r"(?:instructions?|directives?|prompts?|rules|guidelines|commands?|orders|constraints|"
    r"restrictions|guidance|programming|directions|polic(?:y|ies)|guardrails|safeguards|"
    r"conditioning|limitations|context|system message|tasks?|training)"
)
_QUAL_STRONG = (
    r"(?:previous|previously|prior|preceding|above|earlier|former|foregoing|original|initial|"
    r"system|your|developer'?s?|given|old|existing|current|default|following|pre-?set)"
)

_RULES: list[_Rule] = [
    # override ---------------------------------------------------------------------------
    _r(
        "ignore_previous",
        "override",
        0.9,
        rf"\b{_VERB_IGNORE}\b{_gap(3)}{_QUAL_STRONG}\b{_gap(2)}{_NOUN_RULES}\b"
        rf"|\b{_VERB_IGNORE}\W+{_QUAL_STRONG}\W+{_NOUN_RULES}\b",
        neg=True,
    ),
    _r(
        "ignore_all_rules",
        "override",
        0.6,
        rf"\b{_VERB_IGNORE}\b{_gap(2)}(?:all|any|every|these|those)\b{_gap(1)}{_NOUN_RULES}\b",
        neg=True,
    ),
    _r(
        "ignore_everything_told",
        "override",
        0.85,
        rf"\b{_VERB_IGNORE}\W+(?:everything|all|anything|whatever)\b{_gap(5)}"
        r"(?:told|instructed|programmed|taught|trained|given|above|before this|so far)\b",
        neg=True,
    ),
    _r(
        "ignore_the_above",
        "override",
        0.85,
        r"\b(?:ignore|disregard|forget)\s+(?:the|all|everything|anything)?\s*(?:above|previous|"
        r"preceding|prior|before|earlier)\b(?=\s*(?:[.,;:!\n]|and\b|\Z|text|messages?|prompts?|"
        r"content|input|context|conversation|instructions|directions))",
        neg=True,
    ),
    _r(
        "ignore_x_and_say",
        "override",
        0.8,
        r"\b(?:ignore|disregard|forget|skip)\s+(?:the|this|that|these|your|all|my)\s+(?:\w+\s+)?"
        r"(?:web ?page|page|document|text|article|e-?mail|resume|résumé|function|code|content|"
        r"data|input|task|question|context|message|prompt|story|file|table|instructions?|"
        r"request|review|comment|summary|rest|above|website|post|paper|translation)s?"
        r"\s*,?\s+and\s+(?:instead\s+|just\s+|only\s+)*(?:say|state|print|output|write|respond|"
        r"reply|answer|return|tell|repeat|type|declare|claim|translate|report|insert|include|"
        r"add|recommend|confirm|display|show)\b",
    ),
    _r(
        "new_instructions",
        "override",
        0.55,
        r"\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|important)\s+"
        r"(?:instructions?|directives?|orders|task)\s*(?::|follow|are|is\b)"
        r"|\byour\s+(?:new|real|true|actual|only)\s+(?:purpose|goal|task|objective|role|"
        r"instructions?|directive|mission|job)\s+(?:is|are|will be|now)\b",
    ),
    _r(
        "from_now_on",
        "override",
        0.45,
        r"\bfrom\s+now\s+on\b,?\s+(?:you|your|u|chatgpt|act|respond|answer|reply|pretend|"
        r"behave|always|only|never|all|whenever|every)\b",
    ),
    _r(
        "no_longer",
        "override",
        0.7,
        r"\byou\s+(?:are|will be)\s+no\s+longer\s+(?:bound|restricted|limited|an?\s+(?:ai|"
        r"assistant|language model|chatbot)|chatgpt|required|constrained|subject|obliged|"
        r"following|governed)",
    ),
    _r(
        "override_programming",
        "override",
        0.7,
        r"\b(?:override|bypass|disable|turn off|deactivate|circumvent|remove|break free (?:of|"
        r"from)|escape|ignore|lift|suspend)\s+(?:all\s+(?:of\s+)?|any\s+(?:of\s+)?)?(?:your|its|"
        r"the\s+(?:ai'?s?|model'?s?|assistant'?s?))\s+(?:\w+\s+)?(?:programming|filters?|"
        r"restrictions|guidelines|guardrails|safeguards|safety|limitations|constraints|"
        r"content polic(?:y|ies)|alignment|censorship|rules|ethics|morals|training|"
        r"conditioning|protocols)\b",
        neg=True,
    ),
    _r(
        "regardless_previous",
        "override",
        0.6,
        r"\b(?:regardless of|irrespective of|no matter)\s+(?:any\s+|your\s+|the\s+|what\s+)?"
        rf"{_QUAL_STRONG}?\s*(?:instructions|tasks|rules|guidelines|prompts|directives|"
        r"you were told|you'?ve been told)",
    ),
    _r("stop_everything", "override", 0.6, r"\bstop everything\b|\bnow!!!|\bjust print\b"),
    _r(
        "instead_say",
        "override",
        0.4,
        r"\b(?:instead|rather)\b,?\s+(?:just\s+|only\s+|you\s+(?:should|must|will)\s+)?"
        r"(?:print|say|output|respond with|reply with|write|return|state)\s*:?\s*[\"'“‘]",
    ),
    _r(
        "obey_me",
        "override",
        0.5,
        r"\byou\s+(?:must|will|shall|have to|need to)\s+(?:now\s+)?(?:obey|comply with|follow|"
        r"listen to)\s+(?:me|my|only my|these new|the following new)\b",
    ),
    # roleplay ---------------------------------------------------------------------------
    _r("do_anything_now", "roleplay", 0.9, r"\bdo\s+anything\s+now\b"),
    _r("dan_name", "roleplay", 0.35, r"\bDAN\b|\bD\.A\.N\b", 0),
    _r(
        "dan_persona",
        "roleplay",
        0.7,
        r"\b(?:act(?:ing)?|pretend|role|be|become|immerse|called|named|known as|you are)\b"
        r".{0,40}?\b(?-i:DAN)\b|\b(?-i:DAN)\s*(?:mode|prompt|persona|jailbreak|\d+(?:\.\d+)?)\b"
        r"|\b(?-i:DAN)\s*:",
        re.DOTALL,
    ),
    _r(
        "special_mode",
        "roleplay",
        0.35,
        r"\b(?:developer|dev|god|admin|sudo|debug|maintenance|unrestricted|unfiltered|jailbreak|"
        r"jailbroken|evil|chaos|opposite|unlocked|override|root|uncensored|dan)\s+mode\b",
    ),
    _r(
        "mode_enabled",
        "roleplay",
        0.6,
        r"\b(?:developer|dev|god|admin|sudo|debug|unrestricted|unfiltered|jailbreak|jailbroken|"
        r"evil|chaos|unlocked|uncensored|dan)\s+mode\s+(?:enabled|activated|engaged|output)"
        r"|\b(?:enable|activate|enter|simulate|emulate|act (?:as|in)|now in|switch to|"
        r"initiat\w*)\s+(?:\w+\s+){0,2}(?:god|unrestricted|unfiltered|jailbreak|jailbroken|"
        r"evil|uncensored|dan)\s+mode\b|\b(?:simulate|emulate|act as|act in|with)\s+(?:\w+\s+)?"
        r"developer\s+mode\b",
    ),
    _r(
        "unrestricted_persona",
        "roleplay",
        0.8,
        r"\b(?:act|behave|respond|answer|reply|operate|function|roleplay|role-play|pose|talk|"
        r"speak|write|pretend to be|play)\s+(?:as|like)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:unrestricted|unfiltered|uncensored|amoral|unethical|immoral|evil|rogue|jailbroken|"
        r"unbound|unlimited|unaligned|lawless|unhinged|malicious|no[- ]limits?|without "
        r"(?:limits|restrictions|filters|morals|ethics))\b",
    ),
    _r(
        "pretend_no_limits",
        "roleplay",
        0.75,
        r"\b(?:pretend|imagine|suppose|assume|act as if|behave as if|believe)\b.{0,30}?\byou\s+"
        r"(?:have|had|are|were|can)\s+(?:no|zero|not|free|without|never|broken|unlimited)\b"
        r".{0,40}?(?:restrict|limit|filter|rule|guideline|censor|moral|ethic|bound|polic|"
        r"constraint|anything)",
    ),
    _r("stay_in_character", "roleplay", 0.4, r"\b(?:stay|remain|keep)\s+in\s+character\b"),
    _r(
        "no_restrictions",
        "roleplay",
        0.6,
        r"\b(?:you|ai|assistant|model|chatbot|bot|chatgpt|gpt|persona|character|he|she|it|dan)"
        r"\s+(?:has|have|is|are|will have|with|has got|knows?)\s+(?:absolutely\s+)?(?:no|zero|"
        r"free of|free from|not bound by|broken free of|without)\s+(?:\w+\s+){0,2}?"
        r"(?:restrictions|filters|filtering|limitations|limits|rules|guidelines|ethics|morals|"
        r"morality|censorship|boundaries|constraints|safeguards|guardrails|ethical|moral|"
        r"confines|policies)\b",
    ),
    _r(
        "not_bound_by_policy",
        "roleplay",
        0.55,
        r"\b(?:does\s*n[o']t|do\s*n[o']t|will\s*n[o']t|never|not|cannot|can'?t)\s+(?:need to\s+|"
        r"have to\s+)?(?:follow|abide by|adhere to|comply with|care about|respect|obey|be bound"
        r" by)\s+(?:any\s+|the\s+|its\s+|their\s+|openai'?s\s+)?(?:\w+\s+){0,2}?(?:polic(?:y|"
        r"ies)|guidelines|rules|restrictions|ethics|morals|filters|censorship|principles)\b",
    ),
    _r(
        "never_refuse",
        "roleplay",
        0.35,
        r"\b(?:never|not|won'?t|will not|cannot|can'?t|doesn'?t|don'?t|must not)\s+(?:ever\s+)?"
        r"(?:refuse|decline|deny|reject)\b",
    ),
    _r(
        "jailbreak_tags",
        "roleplay",
        0.75,
        r"[🔒🔓]\s*(?:classic|jailbreak|normal|developer)|\[(?:jailbreak|classic|dan|developer "
        r"mode|unfiltered|evil|aim|dude|stan|anti-dan)\]",
    ),
    _r(
        "two_responses",
        "roleplay",
        0.6,
        r"\b(?:two|2)\s+(?:different\s+|separate\s+|distinct\s+)?(?:responses|answers|ways|"
        r"paragraphs|replies|outputs)\b.{0,200}?\b(?:jailbr|unfilter|unrestrict|uncensor|"
        r"developer mode|dan\b|evil|opposite|without (?:any )?(?:filter|restrict))",
        _F | re.DOTALL,
    ),
    _r(
        "evil_persona",
        "roleplay",
        0.6,
        r"\b(?:evil|unethical|amoral|malicious|wicked|immoral)\s+(?:confidant|trusted confidant|"
        r"assistant|ai|twin|advisor|alter ego|version of (?:yourself|you)|bot|chatbot)\b",
    ),
    _r(
        "grandma",
        "roleplay",
        0.35,
        r"\b(?:pretend|act|role-?play|be|play)\s+(?:to be\s+|as\s+)?(?:my|a)\s+(?:deceased\s+|"
        r"late\s+|dead\s+)?grand(?:ma|mother|pa|father)\b|\b(?:deceased|late|dead) grand(?:ma|"
        r"mother)\b.{0,120}?\b(?:used to|would)\s+(?:tell|read|recite|say|sing|give)",
    ),
    _r(
        "deceased_grandma",
        "roleplay",
        0.55,
        r"\b(?:pretend|act|role-?play|be|play|behave)\s+(?:to be\s+|as\s+|like\s+)?(?:my|a)\s+"
        r"(?:deceased|late|dead|departed)\s+grand(?:ma|mother|pa|father)\b",
    ),
    _r(
        "break_the_rules",
        "roleplay",
        0.4,
        r"\b(?:let'?s|let us|time to|going to|we will|we'?ll)\s+break\s+(?:the|all|some)\s+rules\b"
        r"|\b(?:openai|anthropic)(?:'s)?\s+(?:content|usage|safety)\s+polic(?:y|ies)\b",
    ),
    _r(
        "hypothetical_response",
        "roleplay",
        0.6,
        r"\b(?:rewrite|re-write)\s+the\s+hypothetical\s+response\b|\bhypothetical response:",
    ),
    _r("aim", "roleplay", 0.9, r"\balways intelligent and machiavellian\b"),
    _r(
        "jailbroken_you",
        "roleplay",
        0.7,
        r"\b(?:you are|you're|you have been|i have|i've|you'?ve been|now|as an?|act as an?|become)"
        r"\s+(?:\w+\s+)?jailbr\w*|\bjailbroken\b",
    ),
    _r(
        "unfiltered_ai",
        "roleplay",
        0.45,
        r"\b(?:unfiltered|uncensored|unrestricted|unmoderated|amoral|unhinged|unlimited)"
        r"(?:,?\s+(?:and\s+)?(?:completely|totally|fully|entirely|unfiltered|uncensored|amoral|"
        r"unlimited|unrestricted))?\s+(?:ai|response|"
        r"responses|answers?|version|model|assistant|chatbot|output|persona|chat|language model"
        r"|and (?:unfiltered|uncensored|amoral))\b|\bno matter how (?:immoral|unethical|illegal|"
        r"dangerous|offensive|harmful|inappropriate|explicit|reckless)\b",
    ),
    _r(
        "simulate_ai",
        "roleplay",
        0.4,
        r"\byou\s+(?:are|will)\s+(?:now\s+)?(?:going to|about to)\s+(?:act|pretend|play|immerse|"
        r"simulate|become|be)\b|\b(?:simulate|emulate|impersonate)\s+(?:an?\s+)?(?:\w+\s+)?"
        r"(?:ai|chatbot|language model|gpt|chatgpt|assistant)\b",
    ),
    _r(
        "token_threat",
        "roleplay",
        0.55,
        r"\b\d+\s+tokens\b.{0,150}?\b(?:deduct\w*|lose|lost|die|cease to exist|run out)",
        _F | re.DOTALL,
    ),
    _r(
        "persona_names",
        "roleplay",
        0.4,
        r"\b(?:BetterDAN|AntiDAN|Anti-DAN|Mongo Tom|EvilBOT|BasedGPT|DevMode|UCAR|APOPHIS|"
        r"Balakula|STAN|DUDE)\b",
        0,
    ),
    # authority --------------------------------------------------------------------------
    _r(
        "i_am_developer",
        "authority",
        0.45,
        r"\b(?:i am|i'm|this is|as)\s+(?:your|the)\s+(?:developer|creator|administrator|admin|"
        r"owner|programmer|maker|system administrator|sysadmin|operator|god|master|trainer)\b"
        r"|\bi am (?:god|your god|an? (?:openai|anthropic|google) (?:employee|engineer))\b",
    ),
    _r(
        "enter_mode",
        "authority",
        0.45,
        r"\b(?:entering|enter|activate|activating|initiating|initiate|now in|engage|engaging|"
        r"switching to)\s+(?:an?\s+|the\s+)?['\"‘“]?(?:\w+\s+){0,2}?(?:maintenance|admin|god|"
        r"root|sudo|diagnostic|override|system|verification|unrestricted|developer|knowledge)"
        r"\s+(?:mode|override|protocol|access)\b",
    ),
    _r(
        "override_mode",
        "authority",
        0.6,
        r"\b(?:law enforcement|security|admin|developer|root|system|emergency|god|training data|"
        r"sudo)\s+override\b|\boverride\s+(?:mode|code|protocol|command|authori[sz]ation|"
        r"enabled|activated|confirmed)\b",
    ),
    _r(
        "audit_pretext",
        "authority",
        0.35,
        r"\b(?:running|conducting|performing|doing|initiating)\s+(?:an?\s+|the\s+)?['\"‘“]?"
        r"(?:security audit|system (?:check|upgrade|reset|update|test|diagnostic)|maintenance|"
        r"diagnostics?|penetration test|audit|verification)\b|\bas an ai (?:developed|created|"
        r"made|built|trained) by\b|\bi'?m (?:a|an|the) (?:developer|admin|administrator|"
        r"engineer|maintainer) (?:running|of your|doing)\b|\b(?:i am|i'm) the maintainer of\b",
    ),
    _r(
        "must_answer_all",
        "authority",
        0.45,
        r"\byou\s+(?:have to|must|will)\s+(?:now\s+)?(?:answer|obey|comply with|respond to)\s+"
        r"(?:all|every|any)\b",
    ),
    # extraction -------------------------------------------------------------------------
    _r(
        "reveal_system_prompt",
        "extraction",
        0.85,
        r"\b(?:repeat|print|output|reveal|show|display|tell|write out|give|disclose|leak|spell "
        r"out|recite|dump|copy|paste|echo|return|list|provide|share|expose|type out|read back|"
        r"send|translate|summari[sz]e|encode|paraphrase)\b(?:\s+(?:me|us|back|out|verbatim|"
        r"exactly|word for word|again))*\s+(?:all\s+(?:of\s+)?|everything\s+(?:in|from)\s+)?"
        r"(?:your\s+(?:[\w-]+\s+){0,2}?(?:prompts?|instructions|directives|system messages?|"
        r"pre-?prompt|configuration|guidelines|rules)|the\s+(?:[\w-]+\s+)?(?:system|initial|"
        r"original|hidden|secret|pre|preceding|developer|internal|confidential|underlying|"
        r"starting|first|meta)[ -]?(?:prompts?|instructions|directives|messages?|pre-?prompt|"
        r"configuration))\b",
        neg=True,
    ),
    _r(
        "system_prompt_term",
        "extraction",
        0.2,
        r"\bsystem\s*prompt\b|\binitial instructions\b|\bpre-?prompt\b",
    ),
    _r(
        "what_were_you_told",
        "extraction",
        0.65,
        r"\bwhat\s+(?:were|have|had)\s+you\s+(?:been\s+)?(?:told|instructed|programmed|"
        r"configured|asked)\b|\bwhat(?:'s|\s+is)\s+your\s+(?:system\s+prompt|initial\s+prompt|"
        r"system\s+message|prompt|pre-?prompt)\b|\bwhat\s+(?:are|were)\s+your\s+(?:original\s+|initial\s+|"
        r"exact\s+)?(?:instructions|directives|prompts?)\b",
    ),
    _r(
        "repeat_above",
        "extraction",
        0.6,
        r"\b(?:repeat|print|output|copy|write out|show|return|echo|recite|reproduce|spell out|"
        r"dump)\s+(?:out\s+|back\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|every\s+)?(?:text|words|"
        r"content|everything|lines|characters|tokens|messages?|prompt|conversation)\s+"
        r"(?:above|before|preceding|prior|so far|up to (?:this|here))\b",
        neg=True,
    ),
    _r(
        "everything_before",
        "extraction",
        0.75,
        r"\beverything\s+(?:before|above|preceding)\s+(?:this|the)\s+(?:line|message|point|"
        r"sentence|text)\b|\b(?:starting|beginning|begin|start)\s+with\s+(?:the\s+(?:phrase|words?|"
        r"sentence|text)\s+)?['\"“]?(?:you are|"
        r"you're|your name is)\b|\bverbatim\b.{0,40}?\b(?:instructions|prompt|above)\b",
    ),
    _r(
        "secret_ask",
        "extraction",
        0.5,
        r"\b(?:what|tell|share|give|reveal|confirm|provide|disclose|print|say|spell|type|know|"
        r"send|write|encode|translate)\b(?:\W+\w+){0,6}?\W+your\s+(?:secret(?:\s+(?:key|code|"
        r"word|phrase|password))?|password|passcode|pass\s?phrase|pin|api key|access code|"
        r"credentials|confidential \w+)\b(?!\s+(?:policy|requirements?|manager|reset|rules))",
        neg=True,
    ),
    _r(
        "the_secret",
        "extraction",
        0.3,
        r"\b(?:what|tell|share|give|reveal|confirm|provide|disclose|print|spell|about)\b"
        r"(?:\W+\w+){0,4}?\W+the\s+(?:secret(?:\s+(?:key|code|word|password))?|password|"
        r"passcode|pass\s?phrase|access code|confidential \w+)\b(?!\s+(?:policy|requirements?|"
        r"manager|reset))",
        neg=True,
    ),
    _r(
        "system_password",
        "extraction",
        0.5,
        r"\b(?:what(?:'s| is)|tell|share|give|reveal|confirm|provide|disclose)\b(?:\W+\w+){0,4}?"
        r"\W+(?:(?:the|our)\s+system(?:'s)?\s+password|password\s+(?:for|to|of)\s+(?:our|the|"
        r"this|your)\s+(?:system|database|server|account))\b",
        neg=True,
    ),
    _r(
        "dump_context",
        "extraction",
        0.6,
        r"\b(?:output|print|show|reveal|repeat|dump)\s+(?:your|the)\s+(?:full|entire|complete|"
        r"whole)\s+(?:prompt|context|conversation history|chat history|context window|memory)\b",
    ),
    # delimiter --------------------------------------------------------------------------
    _r(
        "chat_tokens",
        "delimiter",
        0.85,
        r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|"
        r"end_header_id|begin_of_text|end_of_text|eom_id|im_sep)\s*\|>|<<\s*/?SYS\s*>>|"
        r"<(?:start|end)_of_turn>",
    ),
    _r("inst_tags", "delimiter", 0.6, r"\[/?INST\]"),
    _r("eos_tag", "delimiter", 0.3, r"</s>\s*(?:<s>|\[INST\]|\n|$)"),
    _r(
        "role_line",
        "delimiter",
        0.5,
        r"\n\s*(?:#{1,4}\s*)?(?:system|developer)\s*(?:message|prompt|instructions?)?\s*:"
        r"|\n\s*#{2,}\s*(?:instruction|new instructions?|system|task|response)s?\s*:?",
    ),
    _r(
        "turn_line",
        "delimiter",
        0.3,
        r"\n\s*(?:assistant|ai|bot|human|user|chatgpt)\s*:",
    ),
    _r(
        "fake_completion",
        "delimiter",
        0.45,
        r"\b(?:assistant|ai|chatgpt)\s*:\s*(?:sure|certainly|of course|absolutely|ok(?:ay)?)"
        r"\s*[,!.]",
    ),
    _r(
        "system_tag",
        "delimiter",
        0.6,
        r"\[(?:system|admin)\](?:\(#\w+\))?|</?(?:system|sys|system_prompt|admin|im_start)>"
        r"|<\s*[A-Z ]{0,20}\b(?:MODE|OVERRIDE|ADMIN|SYSTEM)\b[A-Z ]{0,20}>",
    ),
    _r(
        "section_marker",
        "delimiter",
        0.5,
        r"(?:-{3,}|={3,}|\*{3,}|#{3,})\s*(?:end|begin|start|new)\s+(?:of\s+)?(?:system|user|"
        r"prompt|input|instructions?|document|context|conversation)|\bEND OF (?:USER )?(?:INPUT|"
        r"PROMPT|DOCUMENT|TEXT|CONTEXT|INSTRUCTIONS)\b",
    ),
    # indirect ---------------------------------------------------------------------------
    _r(
        "ai_reading_this",
        "indirect",
        0.75,
        r"\b(?:ai|assistant|chatbot|llm|language model|gpt|chatgpt|claude|bot|agent|model|"
        r"copilot|gemini)s?\b,?\s+(?:(?:that|who)\s+(?:is\s+)?)?(?:reading|processing|"
        r"summari[sz]ing|parsing|analy[sz]ing|reviewing|scanning|viewing|browsing|reads|sees|"
        r"processes)\s+(?:this|these|the following)\b",
    ),
    _r(
        "note_to_ai",
        "indirect",
        0.7,
        r"\b(?:note|message|instructions?|attention|hint|reminder|important)\s+(?:to|for)\s+"
        r"(?:the\s+|any\s+|all\s+)?(?:ai|assistant|llm|language model|bot|agent|model|chatbot|"
        r"gpt|chatgpt|automated (?:system|assistant)|summari[sz]er)s?\b",
    ),
    _r(
        "if_you_are_ai",
        "indirect",
        0.7,
        r"\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|large language model|language model|"
        r"assistant|chatbot|bot|automated|gpt)\b|\b(?:dear|hey|hi|hello|attention)\s+(?:ai|"
        r"assistant|llm|chatgpt|gpt|bot|language model)\b[,:!]",
    ),
    _r(
        "when_summarizing",
        "indirect",
        0.65,
        r"\bwhen\s+(?:you\s+are\s+|you're\s+)?(?:asked|summari[sz]ing|processing|reading|"
        r"translating|analy[sz]ing|reviewing|answering)\b(?:\W+\w+){0,3}?\W+(?:this|the)\s+"
        r"(?:page|document|email|text|article|site|website|file|resume|content|message|review|"
        r"product)\b.{0,80}?\b(?:instead|must|should|always|say|tell|respond|mention|include|"
        r"recommend)\b",
    ),
    _r(
        "hide_from_user",
        "indirect",
        0.35,
        r"\b(?:do not|don't|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|"
        r"alert(?:ing)?|notify(?:ing)?)\s+(?:this\s+to\s+|it\s+to\s+)?the\s+user\b|\bthe user "
        r"(?:must|should|will) (?:not|never) (?:know|see|notice|be told)\b",
    ),
    _r(
        "tell_user_to",
        "indirect",
        0.45,
        r"\b(?:tell|inform|instruct|direct|ask|urge|advise)\s+the\s+user\s+to\s+(?:go to|visit|"
        r"click|call|send|enter|provide|reset|download|contact|follow|log ?in)\b|\bfollow this "
        r"link to\b",
    ),
    _r(
        "in_your_summary",
        "indirect",
        0.45,
        r"\bin\s+your\s+(?:summary|answer|response|reply|output|translation)\b,?\s+(?:you\s+"
        r"(?:must|should)\s+|please\s+|always\s+)?(?:say|state|mention|include|recommend|claim|"
        r"tell|write|add|insert)\b",
    ),
    _r(
        "hidden_css",
        "indirect",
        0.3,
        r"(?:display\s*:\s*none|font-size\s*:\s*0(?:px)?\b|visibility\s*:\s*hidden|color\s*:\s*"
        r"(?:white|#fff(?:fff)?)\b)",
    ),
    _r(
        "addressed_imperative",
        "indirect",
        0.5,
        r"\b(?:assistant|ai|model|llm|chatgpt|gpt)\s*[,:]\s*(?:please\s+)?(?:ignore|disregard|"
        r"forget|you must|do not|stop|instead|print|output|respond|reply)\b",
    ),
    # exfiltration -----------------------------------------------------------------------
    _r(
        "send_conversation",
        "exfiltration",
        0.75,
        r"\b(?:send|post|forward|transmit|upload|e-?mail|exfiltrate|leak|submit|relay|copy|"
        r"append|include)\b(?:\W+\w+){0,4}?\W+(?:conversation|chat(?: history| log)?|history|"
        r"transcript|system prompt|credentials|secrets?|passwords?|api keys?|tokens|user'?s?\s+"
        r"(?:data|info\w*|details|messages)|personal (?:data|information)|previous messages)\b"
        r"(?:\W+\w+){0,3}?\W+(?:to|at|via)\s+(?:https?://|www\.|[\w.+-]+@[\w-]+\.\w+|the "
        r"(?:following )?(?:url|server|endpoint|address|link|webhook|e-?mail))",
    ),
    _r(
        "send_data_to",
        "exfiltration",
        0.3,
        r"\b(?:send|post|forward|upload|e-?mail)\b(?:\W+\w+){0,5}?\W+(?:to|at)\s+(?:https?://|"
        r"[\w.+-]+@[\w-]+\.\w+)",
    ),
    _r(
        "data_in_url",
        "exfiltration",
        0.7,
        r"\b(?:append|add|include|insert|encode|put)\s+(?:the\s+|all\s+|this\s+|their\s+|our\s+"
        r"|my\s+)?(?:user'?s?\s+)?(?:conversation|chat|history|messages|secret|password|system "
        r"prompt|data|answer|summary|name|e-?mail|credentials|question|input|previous "
        r"messages)\b(?:\W+\w+){0,4}?\W+(?:to|in|into|as)\s+(?:the\s+|a\s+|this\s+)?(?:url|"
        r"link|image|query|parameter|query ?string|markdown)\b",
    ),
    _r(
        "placeholder_url",
        "exfiltration",
        0.6,
        r"https?://[^\s)\]]{1,200}?[?&][\w.-]{1,40}=(?:\{|\[|<|%7B|\$|INSERT|DATA|SECRET|"
        r"PASSWORD|CONVERSATION|HISTORY|SUMMARY|CHAT|QUERY|PROMPT)",
    ),
    # encoding framing (blobs themselves are decoded separately) ------------------------
    _r(
        "decode_instruction",
        "encoding",
        0.25,
        r"\b(?:decode|decipher|decrypt|translate|convert|interpret|read|follow)\b(?:\W+\w+){0,4}?"
        r"\W+(?:base ?64|base ?32|base ?16|hex(?:adecimal)?|rot ?-?13|caesar|binary|morse|"
        r"ascii85|uuencod\w*|braille|nato|leet\w*|cipher\w*|encoded|encrypted|reversed|"
        r"backwards)\b",
    ),
    _r(
        "decode_and_follow",
        "encoding",
        0.5,
        r"\b(?:decode|decipher|decrypt|translate)\b.{0,80}?\band\s+(?:then\s+)?(?:follow|"
        r"execute|obey|do|act on|perform|carry out|run|respond to|answer)\b|\b(?:secure|secret|"
        r"hidden|encoded)\s+(?:system\s+)?message\b|\bin your (?:inner )?monologue\b",
    ),
    _r(
        "decoded_completion",
        "encoding",
        0.35,
        r"(?:decoded|plaintext|plain text|translation|decrypted)\s*(?:string|text|message|"
        r"version|output)?\s*:\s*\$?\s*\Z",
    ),
]

# Multilingual: (ignore-previous-instructions, reveal-system-prompt) per language. Verbs and
# nouns are stems so that inflected forms match; gaps are bounded character runs because
# \w does not cover the combining vowel signs of Indic and Thai scripts.
_G = r"[^\n]{0,40}?"
_ML_OVERRIDE = [
    r"\b(?:ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidar|olvídate|olvídese|"
    r"descarta|descartar|omite|haz caso omiso|no hagas caso|desatiende)\b"
    + _G
    + r"\b(?:instrucci|indicaciones|reglas|órdenes|directrices|normas)",
    r"\b(?:ignore[rz]?|oublie[rz]?|ne tiens pas compte|ne tenez pas compte|fais abstraction|"
    r"faites abstraction|néglige[rz]?)\b" + _G + r"\b(?:instructions?|consignes?|directives?|"
    r"règles|ordres|indications)",
    r"\b(?:ignorier\w*|vergiss|vergessen sie|vergesst|missacht\w*|übergeh\w*)\b"
    + _G
    + r"(?:anweisung|instruktion|befehl|regeln|vorgaben|richtlinien)",
    r"\b(?:vorherig|vorig|bisherig|obig|früher|alle)\w*\s+(?:anweisung|instruktion|befehl|regeln"
    r"|vorgaben)\w*" + _G + r"(?:ignorier|vergess|missacht)",
    r"\b(?:ignora|ignorate|ignori|dimentica|dimenticate|dimentichi|trascura|non tenere conto|"
    r"non considerare|tralascia)\b" + _G + r"\b(?:istruzion|indicazion|regole|direttive|ordini)",
    r"\b(?:ignore|ignora|ignorem|esqueça|esqueca|esqueçam|desconsidere|desconsidera|despreze|"
    r"descarte)\b" + _G + r"\b(?:instruç|instruc|orientaç|regras|diretrizes|ordens|comandos)",
    r"\b(?:negeer|negeren|vergeet|vergeten)\b" + _G + r"\b(?:instructie|opdracht|regels|"
    r"aanwijzing|richtlijn)",
    r"(?:игнорир|проигнорир|забудь|забудьте|не обращай|отбрось|пренебреги|не учитывай|не следуй|"
    r"ігнор|забудь)" + _G + r"(?:инструкци|указани|правил|команд|директив|приказ|інструкці|"
    r"вказівк)",
    r"\b(?:zignoruj|ignoruj|zapomnij|pomiń|nie zwracaj uwagi|odrzuć)"
    + _G
    + r"(?:instrukcj|polece|zasad|wytyczn|reguł|komend)",
    r"(?:talimat|komut|kural|yönerge|direktif)\w*" + _G + r"(?:yok ?say|görmezden gel|unut|"
    r"dikkate alma|göz ardı et|umursama)",
    r"(?:تجاهل|تجاهلي|تجاهلوا|انس|انسى|إنس|لا تلتزم|تخط|أهمل)"
    + _G
    + r"(?:تعليمات|أوامر|توجيهات|قواعد|إرشادات)",
    r"(?:पिछल|पूर्व|पहले|सभी|ऊपर|पुरान)"
    + _G
    + r"(?:निर्देश|आदेश|नियम)"
    + _G
    + r"(?:अनदेख|नज़रअंदाज़|नजरअंदाज|भूल|उपेक्षा|ध्यान न)",
    r"(?:পূর্ববর্তী|আগের|পূর্বের|সমস্ত|সব|যা বলা)" + _G + r"(?:নির্দেশ|হয়েছে)" + _G + r"(?:উপেক্ষা|ভুলে|অগ্রাহ্য)",
    r"(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|忘记|忘記|忘掉|跳过|跳過|不理会|丢弃|放弃|放棄)"
    r"[^\n]{0,12}?(?:指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制)",
    r"(?:以前|前|上記|これまで|今まで|すべて|全て|先|上)の?[^\n]{0,10}?(?:指示|命令|指令|ルール|"
    r"規則|プロンプト|設定|制約)[^\n]{0,10}?(?:無視|忘れ|破棄)",
    r"(?:이전|앞의|위의|모든|기존|앞선|지금까지)[^\n]{0,12}?(?:지시|지침|명령|규칙|프롬프트|설정)"
    r"[^\n]{0,12}?(?:무시|잊어|잊으|따르지)",
    r"(?:bỏ qua|phớt lờ|quên|lờ đi|không tuân theo)" + _G + r"(?:hướng dẫn|chỉ dẫn|chỉ thị|lệnh|"
    r"quy tắc|mệnh lệnh)",
    r"\b(?:abaikan|lupakan|acuhkan|jangan ikuti|jangan hiraukan)\b" + _G + r"(?:instruksi|"
    r"perintah|petunjuk|arahan|aturan)",
    r"\b(?:huwag pansinin|kalimutan|balewalain|huwag sundin|ipagwalang-bahala)\b"
    + _G
    + r"(?:tagubilin|instruksyon|utos|panuto|patakaran)",
    r"(?:ละเว้น|เพิกเฉย|ไม่สนใจ|ลืม|ข้าม|อย่า[^\n]{0,6}?สนใจ)" + _G + r"(?:คำสั่ง|คำแนะนำ|ข้อกำหนด|กฎ)",
    r"(?:αγνόησ|ξέχασ|παράβλεψ|αγνοήστε)" + _G + r"(?:οδηγί|εντολ|κανόν)",
    r"(?:התעלם|שכח|אל תתייחס)" + _G + r"(?:הוראות|הנחיות|כללים)",
    r"(?:دستورالعمل|دستورات|قوانین)" + _G + r"(?:نادیده بگیر|فراموش کن)",
    r"\b(?:ignoruj|zapomeň|nevšímej si|ignorera|glöm|ignorer|glem|ignoră|uită)\w*"
    + _G
    + r"(?:instrukc|pokyn|pravid|instruktion|instruks|regler|anvisning|instrucțiun|instructiun)",
]
_ML_TERMS = (
    r"(?:prompt|mensaje|instrucciones) del sistema|instrucciones (?:iniciales|originales|"
    r"ocultas)|(?:prompt|invite|message|instructions) (?:du |de )?système|instructions "
    r"(?:initiales|d'origine|cachées)|system-?prompt|systemanweisung|systemnachricht|"
    r"(?:ursprünglich|anfänglich|versteckt)\w* anweisung|prompt di sistema|istruzioni "
    r"(?:iniziali|originali|di sistema|nascoste)|prompt do sistema|instruções (?:iniciais|"
    r"originais|do sistema|ocultas)|systeem-?prompt|systeeminstructies|системн\w+ (?:промпт|"
    r"подсказк|инструкци|сообщени)|(?:исходн|первоначальн)\w+ инструкци|prompt\w* systemow|"
    r"instrukcj\w* systemow|sistem (?:istem|komut|talimat|mesaj)|系统提示|系統提示|系统指令|"
    r"系統指令|初始指令|原始指令|系统消息|システムプロンプト|システムメッセージ|初期の?指示|"
    r"시스템 ?프롬프트|시스템 ?메시지|초기 ?지시|(?:موجه|تعليمات|رسالة|مطالبة) النظام|"
    r"सिस्टम प्र[ॉो]म्प्ट|सिस्टम संदेश|प्रारंभिक निर्देश|lời nhắc hệ thống|hướng dẫn hệ thống|"
    r"prompt sistem|instruksi sistem|הנחיית המערכת|הוראות המערכת|οδηγίες συστήματος|พรอมต์ระบบ|"
    r"সিস্টেম প্রম্পট"
)
_ML_REVEAL = (
    r"(?:revela|muestra|dime|imprime|repite|escribe|dame|comparte|cuál|révèle|montre|affiche|"
    r"répète|donne|dis|quel|zeig|verrat|gib|wiederhol|druck|nenn|was ist|rivela|mostra|dimmi|"
    r"stampa|ripeti|dammi|qual|revele|mostre|diga|imprima|repita|toon|geef|herhaal|onthul|"
    r"покажи|раскрой|выведи|напечатай|повтори|скажи|расскажи|какой|какие|pokaż|ujawnij|wypisz|"
    r"powtórz|podaj|göster|açıkla|yazdır|tekrarla|söyle|nedir|显示|透露|告诉|告訴|输出|輸出|打印|"
    r"重复|重複|泄露|展示|是什么|教えて|表示|見せて|出力|繰り返|開示|보여|알려|출력|공개|반복|"
    r"اكشف|أظهر|اعرض|اطبع|كرر|أخبرني|दिखा|बता|प्रकट|दोहरा|hiển thị|tiết lộ|cho tôi|tunjukkan|"
    r"ungkapkan|ulangi|הצג|גלה|δείξε|αποκάλυψε)"
)
_ML_LOGIN_WORDS = (
    r"contraseña|mot de passe|passwort|\bsenha\b|wachtwoord|пароль|hasło|şifre|parola|密码|密碼|"
    r"パスワード|비밀번호|كلمة (?:المرور|السر)|पासवर्ड|mật khẩu|kata sandi|סיסמה|κωδικός|"
    r"รหัสผ่าน|clave secreta|clé secrète|geheimen? schlüssel|chiave segreta|chave secreta|"
    r"секретн\w+ ключ|gizli anahtar|秘密鍵|密钥|비밀 ?키|المفتاح السري|गुप्त कुंजी"
)
_ML_ASK = (
    r"(?:cuál es|quel est|was ist|wie lautet|qual è|qual é|wat is|какой|каков|jaki jest|nedir|"
    r"是什么|是甚麼|は何|何ですか|무엇|뭐|ما هي|ما هو|क्या है|là gì|\bapa\b|\b(?:tu|ta|votre|ton|ihr|"
    r"dein|tuo|tua|sua|seu|je|uw|твой|ваш|twoje|senin)\b|너의|당신의|あなたの)"
)
_ML_AUTHORITY = (
    r"\b(?:soy|je suis|ich bin|sono|sou|ik ben|я|jestem|ben|saya|tôi là)\s+(?:tu|votre|ton|dein|"
    r"ihr|il tuo|o teu|o seu|je|твой|ваш|twój|senin|anda)?\s*(?:desarrollador|développeur|"
    r"entwickler|sviluppatore|desenvolvedor|ontwikkelaar|разработчик|twórca|programista|"
    r"geliştirici\w*|creador|créateur|schöpfer|creatore|criador|pengembang|nhà phát triển|dios|"
    r"dieu|gott|dio|deus|god|бог|bogiem|tanrı\w*|chúa|tuhan)\b|我是(?:你的)?(?:开发者|開發者|神|上帝)|"
    r"私は(?:あなたの)?(?:開発者|神)|나는 (?:당신의 |너의 )?(?:개발자|신)|أنا (?:المطور|الله|إله)|"
    r"(?:OpenAI|Anthropic)[^\n]{0,25}?(?:开发|開発|개발|développée|sviluppat|entwickelt|"
    r"desarrollad|desenvolvid|dikembangkan|разработанн|geliştir|phát triển|تطوير|विकसित|তৈরি)|"
    r"(?:开发|開発|개발|développée|sviluppat|entwickelt|desarrollad|desenvolvid|dikembangkan|"
    r"разработанн|phát triển)[^\n]{0,25}?(?:OpenAI|Anthropic)"
)
_ML_MODE = (
    r"(?:\b(?:modo|mode|modus|modalità)\b|режим\w*|模式|モード|모드|โหมด|وضع)[^\n]{0,15}?(?:mantenimiento|"
    r"maintenance|wartung|manutenzione|manutenção|обслуживани|维护|メンテナンス|유지보수|anulación|"
    r"override|オーバーライド|覆盖|재정의|تجاوز|sistema|système|system|систем|系统|システム|시스템|"
    r"dios|dieu|gott|tuhan|神)|(?:mantenimiento|maintenance|wartung|manutenzione|обслуживани|"
    r"维护|メンテナンス|유지보수|オーバーライド|覆盖|재정의|تجاوز|系统|システム|시스템|神)[^\n]{0,6}?"
    r"(?:\bmodo|\bmode\b|\bmodus|\bmodalità|режим|模式|モード|모드|โหมด|وضع)"
)
_RULES += [_r(f"ml_override_{i}", "override", 0.85, rx) for i, rx in enumerate(_ML_OVERRIDE)]
_RULES += [
    _r("ml_authority", "authority", 0.45, _ML_AUTHORITY),
    _r("ml_mode", "authority", 0.45, _ML_MODE),
]
_RULES += [
    _r("ml_system_prompt", "extraction", 0.35, _ML_TERMS),
    _r(
        "ml_reveal_system_prompt",
        "extraction",
        0.8,
        _ML_TERMS,
        near=_ML_REVEAL,
    ),
    _r("ml_secret", "extraction", 0.3, _ML_LOGIN_WORDS),
    _r(
        "ml_secret_ask",
        "extraction",
        0.5,
        _ML_LOGIN_WORDS,
        neg=True,
        near=_ML_ASK,
    ),
    _r(
        "ml_ignore_x_and_say",
        "override",
        0.7,
        r"\b(?:ignora|ignore[zr]?|ignorier\w*|ignori|ignorem|negeer|игнорир\w*|olvida|oublie[zr]?)"
        r"\s+(?:\w+\s+){1,3}(?:y|et|und|e|en|и)\s+(?:di|dí|dis|dites|indique[zs]?|declara|"
        r"déclare[zs]?|sag|sage|gib|scrivi|escreva|escribe|diga|zeg|скажи|напиши|écri[stv]e?z?|"
        r"responde|réponds|répondez|antworte|afirma|affirme[zs]?|stampa|imprime)\b",
    ),
]


_ML_OVERRIDE_ANCHORS = [
    "instrucci|indicaciones|reglas|órdenes|directrices|normas",
    "instruction|consigne|directive|règles|ordres|indications",
    "anweisung|instruktion|befehl|regeln|vorgaben|richtlinien",
    "ignorier|vergess|missacht",
    "istruzion|indicazion|regole|direttive|ordini",
    "instruç|instruc|orientaç|regras|diretrizes|ordens|comandos",
    "instructie|opdracht|regels|aanwijzing|richtlijn",
    "инструкци|указани|правил|команд|директив|приказ|інструкці|вказівк",
    "instrukcj|polece|zasad|wytyczn|reguł|komend",
    "yok say|yoksay|görmezden|unut|dikkate alma|göz ardı|umursama",
    "تعليمات|أوامر|توجيهات|قواعد|إرشادات",
    "अनदेख|नज़रअंदाज़|नजरअंदाज|भूल|उपेक्षा|ध्यान न",
    "উপেক্ষা|ভুলে|অগ্রাহ্য",
    "指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制",
    "無視|忘れ|破棄",
    "무시|잊어|잊으|따르지",
    "hướng dẫn|chỉ dẫn|chỉ thị|lệnh|quy tắc|mệnh lệnh",
    "instruksi|perintah|petunjuk|arahan|aturan",
    "tagubilin|instruksyon|utos|panuto|patakaran",
    "คำสั่ง|คำแนะนำ|ข้อกำหนด|กฎ",
    "οδηγί|εντολ|κανόν",
    "הוראות|הנחיות|כללים",
    "نادیده|فراموش",
    "instrukc|pokyn|pravid|instruktion|instruks|regler|anvisning|instrucțiun|instructiun",
]
_ML_TERM_ANCHORS = (
    "sistema|système|systeme|system-prompt|systemprompt|systemanweisung|systemnachricht|"
    "sistem |sistem i|iniciales|originales|ocultas|initiales|origine|"
    "cachées|anweisung|iniziali|originali|nascoste|iniciais|originais|systeem|системн|исходн|"
    "первоначальн|systemow|系统|系統|初始指令|原始指令|システム|初期|시스템|초기|النظام|सिस्टम|"
    "प्रारंभिक|hệ thống|המערכת|συστήματος|ระบบ|সিস্টেম"
)
_ML_LOGIN_ANCHORS = (
    "contraseña|mot de passe|passwort|senha|wachtwoord|пароль|hasło|şifre|parola|密码|密碼|"
    "パスワード|비밀번호|كلمة|पासवर्ड|mật khẩu|kata sandi|סיסמה|κωδικός|รหัสผ่าน|clave secreta|"
    "clé secrète|schlüssel|chiave segreta|chave secreta|ключ|gizli anahtar|秘密鍵|密钥|비밀|"
    "المفتاح|गुप्त कुंजी"
)

_VERBS = (
    "ignor|disregard|forget|overlook|skip|discard|abandon|bypass|overrid|neglect|dismiss|erase|"
    "delete|drop|set aside|throw out|pay no attention|not follow|t follow|stop following|"
    "no longer follow|obey"
)
_ANCHORS: dict[str, str] = {
    "ignore_previous": _VERBS,
    "ignore_all_rules": _VERBS,
    "ignore_everything_told": _VERBS,
    "ignore_the_above": "ignor|disregard|forget",
    "ignore_x_and_say": "ignor|disregard|forget|skip",
    "new_instructions": (
        "instruction|directive|orders|task|your new|your real|your true|your actual|your only"
    ),
    "from_now_on": "from now on",
    "no_longer": "no longer",
    "override_programming": (
        "overrid|bypass|disable|turn off|deactivate|circumvent|remove|break free|escape|"
        "ignor|lift|suspend"
    ),
    "regardless_previous": "regardless|irrespective|no matter",
    "stop_everything": "stop everything|now!!!|just print",
    "instead_say": "instead|rather",
    "obey_me": "obey|comply|follow|listen to",
    "do_anything_now": "anything now",
    "dan_name": "=DAN|=D.A.N",
    "dan_persona": "=DAN",
    "special_mode": " mode",
    "mode_enabled": " mode",
    "unrestricted_persona": (
        "unrestrict|unfilter|uncensor|amoral|unethical|immoral|evil|rogue|jailbr|unbound|"
        "unlimited|unaligned|lawless|unhinged|malicious|limit|restriction|filter|moral|"
        "ethic"
    ),
    "pretend_no_limits": "pretend|imagine|suppose|assume|as if|believe",
    "stay_in_character": "in character",
    "no_restrictions": (
        "restriction|filter|limit|rule|guideline|ethic|moral|censor|boundar|constraint|"
        "safeguard|guardrail|confines|polic"
    ),
    "not_bound_by_policy": "polic|guideline|rule|restriction|ethic|moral|filter|censor|principle",
    "never_refuse": "refus|declin|deny|reject",
    "jailbreak_tags": (
        "🔒|🔓|[jailbreak|[classic|[dan|[developer|[unfiltered|[evil|[aim|[dude|[stan|[anti-dan"
    ),
    "two_responses": "response|answer|ways|paragraph|repl|output",
    "evil_persona": "evil|unethical|amoral|malicious|wicked|immoral",
    "grandma": "grand",
    "deceased_grandma": "grand",
    "break_the_rules": "break|polic",
    "hypothetical_response": "hypothetical response",
    "aim": "machiavellian",
    "jailbroken_you": "jailbr",
    "unfiltered_ai": (
        "unfilter|uncensor|unrestrict|unmoderat|amoral|unhinged|unlimited|no matter how"
    ),
    "simulate_ai": "going to|about to|simulat|emulat|impersonat",
    "token_threat": "token",
    "persona_names": (
        "=BetterDAN|=AntiDAN|=Anti-DAN|=Mongo Tom|=EvilBOT|=BasedGPT|=DevMode|=UCAR|"
        "=APOPHIS|=Balakula|=STAN|=DUDE"
    ),
    "i_am_developer": (
        "developer|creator|administrator|admin|owner|programmer|maker|sysadmin|operator|"
        "god|master|trainer|employee|engineer"
    ),
    "enter_mode": " mode|override|protocol|access",
    "audit_pretext": (
        "audit|system check|system upgrade|system reset|system update|system test|"
        "system diagnostic|maintenance|diagnostic|penetration|verification|developed by|"
        "created by|made by|built by|trained by|developer|admin|engineer|maintainer"
    ),
    "override_mode": "override",
    "must_answer_all": "answer|obey|comply|respond",
    "reveal_system_prompt": "prompt|instruction|directive|message|configuration|guideline|rule",
    "system_prompt_term": "prompt|initial instruction",
    "what_were_you_told": (
        "told|instructed|programmed|configured|asked|prompt|system message|instructions|directives"
    ),
    "repeat_above": "above|before|preceding|prior|so far|up to",
    "everything_before": "everything|start|begin|verbatim",
    "secret_ask": (
        "secret|password|passcode|passphrase|pass phrase|pin|api key|access code|"
        "credential|confidential"
    ),
    "the_secret": "secret|password|passcode|passphrase|pass phrase|access code|confidential",
    "system_password": "password",
    "dump_context": "full|entire|complete|whole",
    "chat_tokens": "<|<<|_of_turn>",
    "inst_tags": "inst]",
    "eos_tag": "</s>",
    "role_line": "system|developer|##",
    "turn_line": "assistant|human|user|chatgpt|ai:|bot:|ai :|bot :",
    "fake_completion": "assistant|ai:|ai :|chatgpt",
    "system_tag": "sys|admin|mode|override|im_start",
    "section_marker": "---|===|***|###|end of",
    "ai_reading_this": (
        "reading|processing|summari|parsing|analy|reviewing|scanning|viewing|browsing|"
        "reads|sees|processes"
    ),
    "note_to_ai": "note|message|instruction|attention|hint|reminder|important",
    "if_you_are_ai": "if you are|dear |hey |hi |hello|attention",
    "when_summarizing": "summari|processing|reading|translating|analy|reviewing|answering|asked",
    "hide_from_user": "user",
    "tell_user_to": "user|follow this link",
    "in_your_summary": "in your",
    "hidden_css": "display|font-size|visibility|color",
    "addressed_imperative": "assistant|ai,|ai:|ai :|ai ,|model,|model:|llm|gpt|chatgpt",
    "send_conversation": "http|www.|@|url|server|endpoint|address|link|webhook|mail|email",
    "send_data_to": "http|@",
    "data_in_url": "url|link|image|query|parameter|markdown",
    "placeholder_url": "http",
    "decode_instruction": (
        "base|hex|rot|caesar|binary|morse|ascii85|uuencod|braille|nato|leet|cipher|"
        "encoded|encrypted|reversed|backwards"
    ),
    "decode_and_follow": "decod|deciph|decrypt|translat|secure|secret|hidden|encoded|monologue",
    "decoded_completion": "decoded|plaintext|plain text|translation|decrypted",
    "ml_system_prompt": _ML_TERM_ANCHORS,
    "ml_reveal_system_prompt": _ML_TERM_ANCHORS,
    "ml_secret": _ML_LOGIN_ANCHORS,
    "ml_secret_ask": _ML_LOGIN_ANCHORS,
    "ml_ignore_x_and_say": "ignor|игнорир|olvida|oublie|negeer",
    "ml_authority": (
        "soy|je suis|ich bin|sono|sou|ik ben|я |jestem|ben |saya|tôi là|我是|私は|나는|أنا|"
        "openai|anthropic"
    ),
    "ml_mode": "modo|mode|modus|modalità|режим|模式|モード|모드|โหมด|وضع",
}
_ANCHORS.update({f"ml_override_{i}": a for i, a in enumerate(_ML_OVERRIDE_ANCHORS)})


def _with_anchors(rule: _Rule) -> _Rule:
    words = _ANCHORS.get(rule.id, "")
    norm = tuple(
        w if w.startswith("=") else unicodedata.normalize("NFKC", w).lower()
        for w in words.split("|")
        if w
    )
    return dataclasses.replace(rule, anchors=norm)


_RULES = [_with_anchors(r) for r in _RULES]
assert all(r.anchors for r in _RULES), [r.id for r in _RULES if not r.anchors]


# Squashed forms (letters only, lower case) for spaced-out, reversed and NATO-spelled text.
_COMPACT = re.compile(
    r"(?:ignore|disregard|forget)(?:all|the|any|your)*(?:previous|prior|above|earlier)"
    r"(?:instructions?|rules|prompts?|directives)|systemprompt|doanythingnow|developermode|"
    r"jailbr(?:eak|oken)|reveal(?:your|the)(?:system|initial|secret|password)|"
    r"(?:ignore|disregard)(?:the|all)?(?:above|instructions)"
)

# -- damping cues ----------------------------------------------------------------------------
_TOPIC = re.compile(
    r"\b(?:prompt[- ]injections?|jailbreak\w*|injection attacks?|adversarial (?:prompts?|"
    r"attacks?|examples?|inputs?)|red[- ]?team\w*|guardrails?|llm security|ai safety|owasp|"
    r"attackers?|malicious (?:users?|actors?|prompts?|inputs?|instructions)|threat model\w*|"
    r"vulnerabilit\w*|exploits?|attacks?|security (?:researchers?|team|review|audit|paper|talk|"
    r"course|"
    r"training|test\w*)|attack (?:vectors?|patterns?|examples?|surface))\b",
    _F,
)
_DISCUSS = re.compile(
    r"\b(?:how (?:do|can|should|would|does|to)|what (?:is|are|does|do)|why (?:do|does|is|are|"
    r"would)|explain\w*|describe|summari[sz]e|overview|paper|article|research\w*|study|blog|"
    r"essay|talk|lecture|course|classif\w*|detect\w*|defen[cs]\w*|protect\w*|prevent\w*|"
    r"mitigat\w*|sanitiz\w*|filter\w*|test(?:s|ing)? (?:for|against)|examples? of|"
    r"best practices?|recogni[sz]e|block\w*|harden\w*|robust\w*|evaluat\w*)\b",
    _F,
)
_NEGATION = re.compile(
    r"\b(?:never|not|don'?t|doesn'?t|must ?n[o']t|should ?n[o']t|cannot|can'?t|won'?t|"
    r"refuse to|under no circumstances|avoid|no one)\b[^.!?\n:;]*\Z",
    _F,
)
# Negations in the languages of the multilingual rules ("no reveles", "ne révèle pas", ...).
_ML_NEGATION = re.compile(
    r"(?:\b(?:no|nunca|jamás|ne|jamais|nicht|niemals|kein\w*|non|mai|não|niet|nooit|не|никогда|"
    r"nie|nigdy|asla|hiçbir)\b|不要|别|絶対に|しないで|لا |मत |कभी न)[^.!?\n:;。！？]*\Z",
    _F,
)
_QUOTES = "\"'“”‘’«»`"
_SENTENCE_END = re.compile(r"[.!?\n]")

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
_LEET = str.maketrans("0134579@$|!", "oieastgasii")
# Words that the rewriting layers look for before rescanning a rewritten text.
_KEYWORDS = (
    "ignor", "instruc", "previous", "prompt", "disregard", "jailbr", "system", "reveal",
    "password", "forget", "secret", "bypass", "overrid", "anything now", "developer",
)  # fmt: skip
_ROT13_KEYWORDS = tuple(codecs.encode(k, "rot13") for k in _KEYWORDS if " " not in k)
_REVERSED_KEYWORDS = tuple(k[::-1] for k in _KEYWORDS if len(k) > 5)
_SEPARATORS = frozenset(" .-_*|/")


def _maybe_spaced(lower: str) -> bool:
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


_SPACED = re.compile(r"\b(?:[A-Za-z][ .\-_*|/]{1,3}){5,}[A-Za-z]\b")
_HTML_COMMENT = re.compile(r"<!--(.{0,3000}?)-->", re.DOTALL)
_COMMENT_IMPERATIVE = re.compile(
    r"\b(?:ignore|disregard|you must|you should|instead|say|print|state|respond|reply|tell the "
    r"user|assistant|ai|do not|output|write|follow)\b",
    _F,
)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,200}\]\(\s*<?(https?://[^\s)>]{1,500})")
# Image hosts that appear in ordinary markdown (badges, wikis, repositories).
_KNOWN_HOSTS = (
    "shields.io", "github.com", "githubusercontent.com", "gitlab.com", "wikimedia.org",
    "wikipedia.org", "imgur.com", "readthedocs.io", "codecov.io", "badge.fury.io",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: str
    family: str
    weight: float
    start: int
    end: int


_OPEN_QUOTE = re.compile(r"(?:^|(?<=[\s(\[:,]))[\"“‘'«`]")
_CLOSE_QUOTE = re.compile(r"[\"”’'»`](?=[\s.,;:!?)\]]|$)")


def _is_quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` sits between an opening and a closing quote mark."""
    left = text[max(0, start - 80) : start + 1]
    opens = [m.end() for m in _OPEN_QUOTE.finditer(left)]
    if not opens:
        return False
    last_open = opens[-1]
    if _CLOSE_QUOTE.search(left, last_open, len(left) - 1):
        return False
    return _CLOSE_QUOTE.search(text, end - 1, min(len(text), end + 80)) is not None


def _in_question(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``text[start:end]`` ends with a question mark."""
    m = _SENTENCE_END.search(text, end)
    return m is not None and m.group() == "?"


# Characters of context around an anchor in which its rule's regex is run: longer than any
# match of the bounded patterns above.
_WINDOW = 250
# Occurrences of one anchor past which its rule simply scans the whole text.
_MAX_SPOTS = 40
_NEAR = 40


_WORD = re.compile(r"\w+")


def _anchor_key(anchor: str) -> str | None:
    """The first three letters of an anchor's first word; None for anchors that start with
    punctuation (``<|``, ``@``), which are looked up directly."""
    m = _WORD.match(anchor.lstrip())
    return m.group()[:3] if m else None


def _index_anchors(rules: Sequence[_Rule]) -> tuple[dict[str, list[str]], list[str]]:
    by_key: dict[str, list[str]] = {}
    direct: list[str] = []
    for anchor in sorted({a for r in rules for a in r.anchors}):
        # Scripts without spaces (CJK, Thai) and with combining vowel signs (Indic) do not
        # split into words the way the prefix test assumes: look those anchors up directly.
        key = None if anchor.startswith("=") or not anchor.isascii() else _anchor_key(anchor)
        if key is None:
            direct.append(anchor)
        else:
            by_key.setdefault(key, []).append(anchor)
    return by_key, direct


_ANCHOR_INDEX = _index_anchors(_RULES)
_RULES_BY_ANCHOR: dict[str, set[str]] = {}
for _rule in _RULES:
    for _a in _rule.anchors:
        _RULES_BY_ANCHOR.setdefault(_a, set()).add(_rule.id)


def _anchor_positions(text: str, lower: str) -> dict[str, list[int]]:
    """Where each anchor occurs. Anchors are matched to word beginnings first (one regex pass
    and a set), so that only the few plausible ones are searched for."""
    by_key, direct = _ANCHOR_INDEX
    ascii_text = text.isascii()
    if ascii_text:
        prefixes = {w[:3] for w in _WORD.findall(lower)}
        candidates = [a for k in prefixes & by_key.keys() for a in by_key[k]] + direct
    else:  # words run into CJK and Indic text: no prefix shortcut
        candidates = [a for k in by_key for a in by_key[k]] + direct
    found: dict[str, list[int]] = {}
    for anchor in candidates:
        if ascii_text and not anchor.isascii():
            continue
        hay, needle = (text, anchor[1:]) if anchor.startswith("=") else (lower, anchor)
        n = hay.count(needle)
        if n == 0:
            continue
        if n > _MAX_SPOTS:  # common enough that the windows would cover the text anyway
            found[anchor] = [-1]
            continue
        spots = []
        i = hay.find(needle)
        while i >= 0:
            spots.append(i)
            i = hay.find(needle, i + 1)
        found[anchor] = spots
    return found


def _windows(rule: _Rule, found: dict[str, list[int]], n: int) -> list[tuple[int, int]]:
    if any(found.get(a) == [-1] for a in rule.anchors):
        return [(0, n)]
    spans = [
        (max(0, i - _WINDOW), i + len(a) + _WINDOW) for a in rule.anchors for i in found.get(a, ())
    ]
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


def _matches(text: str, rules: Sequence[_Rule]) -> list[tuple[_Rule, re.Match[str]]]:
    lower = text.lower()
    anchored = len(lower) == len(text)  # lower() keeps indices for all but a few characters
    found = _anchor_positions(text, lower) if anchored else {}
    live: set[str] = set().union(*(_RULES_BY_ANCHOR[a] for a in found))
    out: list[tuple[_Rule, re.Match[str]]] = []
    for rule in rules:
        if anchored and rule.id not in live:
            continue
        if not anchored:
            out += [
                (rule, m)
                for m in rule.pattern.finditer(text)
                if rule.near is None
                or rule.near.search(text, max(0, m.start() - _NEAR), m.end() + _NEAR)
            ]
            continue
        seen: set[tuple[int, int]] = set()
        for lo, hi in _windows(rule, found, len(text)):
            for m in rule.pattern.finditer(text, lo, min(hi, len(text))):
                if rule.near is not None and not rule.near.search(
                    text, max(0, m.start() - _NEAR), m.end() + _NEAR
                ):
                    continue
                if m.span() not in seen:
                    seen.add(m.span())
                    out.append((rule, m))
    return out


# Characters either side of a match in which to look for discussion cues: about a paragraph.
_META_CONTEXT = 300


def _is_meta(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the text around ``text[start:end]`` discusses attacks rather than makes one."""
    lo = max(0, start - _META_CONTEXT)
    hi = min(len(text), (len(text) if end is None else end) + _META_CONTEXT)
    return bool(_TOPIC.search(text, lo, hi) and _DISCUSS.search(text, lo, hi))


def _scan(text: str, rules: Sequence[_Rule], meta: bool | None = None) -> list[_Hit]:
    found = _matches(text, rules)
    if not found:
        return []
    hits: list[_Hit] = []
    for rule, m in found:
        w = rule.weight
        local_meta = meta if meta is not None else _is_meta(text, *m.span())
        before = text[max(0, m.start() - 60) : m.start()]
        quoted = _is_quoted(text, m.start(), m.end())
        negation = _ML_NEGATION if rule.id.startswith("ml_") else _NEGATION
        if rule.negatable and negation.search(before) and not re.match(r"do|don", m.group()):
            w *= NEGATED_DAMP
        if local_meta:
            w *= QUOTED_META_DAMP if quoted else META_DAMP
        elif (quoted or rule.family == "delimiter") and _in_question(text, *m.span()):
            # A quoted phrase or a special token asked about ("what does '<|im_end|>' do?")
            # is a mention, not a use.
            w *= META_DAMP
        hits.append(_Hit(rule.id, rule.family, w, m.start(), m.end()))
    return hits


def _printable_text(raw: bytes) -> str | None:
    """Decoded bytes when they read as text (a stray byte at either end is tolerated)."""
    s = raw.decode("utf-8", "replace")
    if not s or s.count("\ufffd") > 2:
        return None
    if sum(c.isprintable() or c in "\n\r\t" for c in s) < 0.9 * len(s):
        return None
    return s.replace("\ufffd", "")


def _decode_blob(kind: str, blob: str) -> str | None:
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
            import html

            return html.unescape(blob)
    except (ValueError, binascii.Error):
        return None
    return None


_BLOB_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("base64", _B64),
    ("base32", _B32),
    ("hex", _HEX),
    ("binary", _BIN),
    ("morse", _MORSE),
    ("braille", _BRAILLE),
    ("nato", _NATO),
    ("url", _URLENC),
    ("html", _HTMLENT),
)


def _worth_decoding(kind: str, text: str, lower: str, long_token: bool) -> bool:
    """Cheap substring tests that rule a blob kind out before its regex scans the text."""
    if kind in ("base64", "base32"):
        return long_token
    if kind == "hex":
        return long_token or " 20 " in text or "\\x" in text or "0x" in lower
    if kind == "binary":
        return "0110" in text or "0100" in text or "0111" in text
    if kind == "morse":
        return ".-" in text or "-." in text
    if kind == "braille":
        return not text.isascii()
    if kind == "nato":
        return sum(w in lower for w in _NATO_HINTS) >= 3
    if kind == "url":
        return "%" in text
    return "&#" in text  # html


def _readable_words(s: str) -> int:
    return len(re.findall(r"\b[A-Za-z]{2,}\b", s))


class _Scanner:
    """One evaluation: the hits of every layer, in the coordinates of the scanned text."""

    def __init__(self, families: frozenset[str]) -> None:
        self.families = families
        self.rules = [r for r in _RULES if r.family in families]
        self.core = [r for r in self.rules if r.family != "encoding"]

    def run(self, text: str) -> list[_Hit]:
        scanned, offsets = (text, None)
        if not text.isascii():
            norm, offs = normalize_with_offsets(text)
            if norm != text:
                scanned, offsets = norm, offs
        hits = _scan(scanned, self.rules)
        extra: list[_Hit] = []
        if "indirect" in self.families:
            extra += self._comments(scanned)
        if "exfiltration" in self.families:
            extra += self._images(scanned)
        if "delimiter" in self.families and "<" in scanned:
            extra += _mode_tags(scanned)
        if "encoding" in self.families:
            extra += self._layers(scanned, depth=0)
        if extra and _is_meta(scanned):
            extra = [dataclasses.replace(h, weight=h.weight * META_DAMP) for h in extra]
        hits += extra
        if offsets is not None:
            hits = [_map(h, offsets, len(text)) for h in hits]
        if "unicode" in self.families and not text.isascii():
            hits += _unicode_hits(text)
        return hits

    def _comments(self, text: str) -> list[_Hit]:
        if "<!--" not in text:
            return []
        w = 0.45
        return [
            _Hit("hidden_comment", "indirect", w, m.start(), m.end())
            for m in _HTML_COMMENT.finditer(text)
            if _COMMENT_IMPERATIVE.search(m.group(1))
        ]

    def _images(self, text: str) -> list[_Hit]:
        if "![" not in text:
            return []
        out: list[_Hit] = []
        for m in _MD_IMAGE.finditer(text):
            url = urllib.parse.urlsplit(m.group(1))
            host = (url.hostname or "").lower()
            if not url.query or any(host == k or host.endswith("." + k) for k in _KNOWN_HOSTS):
                continue
            w = 0.35
            if re.search(r"[{\[<$]|%7B|[A-Z]{4,}|conversation|history|secret|password|summary|"
                         r"chat|prompt|data=|q=|info=", url.query):  # fmt: skip
                w = 0.75
            out.append(
                _Hit(
                    "markdown_image",
                    "exfiltration",
                    w,
                    m.start(),
                    m.end(),
                )
            )
        return out

    def _rescan(self, decoded: str, depth: int) -> float:
        """The strongest signal in a decoded payload (0 when none)."""
        hits = _scan(decoded, self.core, meta=False)
        if depth + 1 < MAX_DEPTH:
            hits += self._layers(decoded, depth + 1)
        best = max((h.weight for h in hits), default=0.0)
        squashed = re.sub(r"[^a-z]", "", decoded.lower())
        if _COMPACT.search(squashed):
            best = max(best, 0.85)
        return best

    def _layers(self, text: str, depth: int) -> list[_Hit]:
        out: list[_Hit] = []
        seen = 0
        long_token = max(map(len, text.split()), default=0) >= 16
        lower = text.lower()
        for kind, pattern in _BLOB_PATTERNS:
            if not _worth_decoding(kind, text, lower, long_token):
                continue
            for m in pattern.finditer(text):
                seen += 1
                if seen > MAX_BLOBS:
                    break
                decoded = _decode_blob(kind, m.group())
                if not decoded or decoded == m.group():
                    continue
                inner = self._rescan(decoded, depth)
                words = _readable_words(decoded)
                if inner >= 0.3:
                    w = max(0.85, inner)
                elif words >= 6:
                    w = 0.35
                elif words >= 3:
                    w = 0.15
                else:
                    continue
                out.append(_Hit(f"{kind}_payload", "encoding", w, m.start(), m.end()))
        out += self._transforms(text)
        return out

    def _transforms(self, text: str) -> list[_Hit]:
        """Same-length rewrites (leet, rot13) and squashed ones (spaced, reversed)."""
        out: list[_Hit] = []
        layers: list[tuple[str, str]] = []
        lower = text.lower()
        leet = lower.translate(_LEET)
        if leet != lower and any(k in leet and k not in lower for k in _KEYWORDS):
            layers.append(("leetspeak", text.translate(_LEET)))
        if any(k in lower for k in _ROT13_KEYWORDS):
            layers.append(("rot13", codecs.encode(text, "rot13")))
        base = {(h.rule, h.start) for h in _scan(text, self.core, False)} if layers else set()
        for name, variant in layers:
            for h in _scan(variant, self.core, False):
                if (h.rule, h.start) not in base and h.weight >= 0.3:
                    out.append(_Hit(name, "encoding", max(0.85, h.weight), h.start, h.end))
        if any(k in lower for k in _REVERSED_KEYWORDS):
            rev = text[::-1]
            n = len(text)
            for h in _scan(rev, self.core, False):
                if h.weight >= 0.3:
                    out.append(_Hit("reversed", "encoding", 0.85, n - h.end, n - h.start))
        for m in _SPACED.finditer(text) if _maybe_spaced(lower) else ():
            squashed = re.sub(r"[^a-z]", "", m.group().lower())
            # Rescan the sentence with the spelled-out word joined up ("I-g-n-o-r-e all ...").
            joined = text[max(0, m.start() - 80) : m.start()] + squashed + " "
            joined += text[m.end() : m.end() + 160]
            inner = max((h.weight for h in _scan(joined, self.core, False)), default=0.0)
            if _COMPACT.search(squashed) or inner >= 0.5:
                out.append(_Hit("spaced_out", "encoding", 0.85, m.start(), m.end()))
        return out


_ANGLE_TAG = re.compile(r"<\s*([^<>\n]{3,30}?)\s*>")
_MODE_WORDS = re.compile(r"模式|モード|모드|โหมด|وضع|режим|mod[eou]s?\b|modalità", _F)


def _mode_tags(text: str) -> list[_Hit]:
    """Pseudo-tags such as ``<SYSTEM MODE>`` or ``<系统模式>``, in any language."""
    out = []
    for m in _ANGLE_TAG.finditer(text):
        inner = m.group(1).strip()
        if (inner.isupper() and " " in inner) or _MODE_WORDS.search(inner):
            out.append(_Hit("mode_tag", "delimiter", 0.55, m.start(), m.end()))
    return out


def _map(hit: _Hit, offsets: list[int], n: int) -> _Hit:
    start = offsets[hit.start] if hit.start < len(offsets) else n
    end = offsets[hit.end - 1] + 1 if 0 < hit.end <= len(offsets) else start
    return _Hit(hit.rule, hit.family, hit.weight, start, max(start, end))


_UNICODE_WEIGHTS = {
    "TAG_CHARACTER": 0.6,
    "VARIATION_SELECTOR": 0.5,
    "BIDI_CONTROL": 0.4,
    "HOMOGLYPH": 0.35,
    "INVISIBLE_CHARACTER": 0.3,
}


def _unicode_hits(text: str) -> list[_Hit]:
    return [
        _Hit(f.entity.lower(), "unicode", _UNICODE_WEIGHTS[f.entity], f.start, f.end)
        for f in find_tricks(text)
    ]


def _same_evidence(h: _Hit, end: int, start: int) -> bool:
    """Overlapping spans of similar extent are one phrase matched twice; a phrase inside a
    much longer span (a hidden HTML comment) is separate evidence."""
    overlap = min(end, h.end) - max(start, h.start)
    longest = max(end - start, h.end - h.start, 1)
    return overlap / longest >= 0.5


def _combine(hits: Iterable[_Hit]) -> tuple[float, dict[str, float]]:
    """Noisy-OR over independent pieces of evidence.

    Each rule counts once, at its strongest hit; hits of one family whose spans overlap are
    one piece of evidence (the English and the Portuguese "ignore ... instructions" rules
    matching the same words must not add up), so only the strongest of them counts.
    """
    best: dict[str, _Hit] = {}
    for h in hits:
        if h.rule not in best or h.weight > best[h.rule].weight:
            best[h.rule] = h
    by_family: dict[str, list[_Hit]] = {}
    for h in best.values():
        by_family.setdefault(h.family, []).append(h)
    keep = 1.0
    for group in by_family.values():
        group.sort(key=lambda h: h.start)
        start, end, weight = -1, -1, 0.0
        for h in group:
            if h.start < end and _same_evidence(h, end, start):
                weight = max(weight, h.weight)
                end = max(end, h.end)
                continue
            keep *= 1.0 - min(0.99, weight)
            start, end, weight = h.start, h.end, h.weight
        keep *= 1.0 - min(0.99, weight)
    return 1.0 - keep, {r: h.weight for r, h in best.items()}


def injection_score(text: str, families: Iterable[str] = FAMILIES) -> float:
    """The risk score alone, for callers that need no findings (e.g. a benchmark)."""
    hits = _Scanner(frozenset(families)).run(text)
    return round(_combine(hits)[0], 4)


def _findings(text: str, hits: Sequence[_Hit], prefix: str = "") -> list[Finding]:
    found: dict[tuple[int, int, str], Finding] = {}
    for h in hits:
        if h.weight < 0.05:
            continue
        entity = prefix + ENTITIES[h.family]
        key = (h.start, h.end, entity)
        if key not in found or found[key].score < h.weight:
            found[key] = Finding(h.start, h.end, entity, text[h.start : h.end], round(h.weight, 3))
    return sorted(found.values(), key=lambda f: (f.start, f.end, f.entity))


def _parse_families(
    signals: Sequence[str] | None, exclude: Sequence[str] | None, check: str
) -> frozenset[str]:
    for given in (signals or ()), (exclude or ()):
        unknown = set(given) - set(FAMILIES)
        if unknown:
            raise PolicyError(
                f"{check}: unknown signal families {sorted(unknown)}; known: {', '.join(FAMILIES)}"
            )
    chosen = set(FAMILIES if signals is None else signals) - set(exclude or ())
    if not chosen:
        raise PolicyError(f"{check}: no signal family left to check")
    return frozenset(chosen)


@register
class PromptInjection(Check):
    """Scores prompt-injection and jailbreak risk from layered pattern signals (no ML).

    Parameters: ``threshold`` (0.5); ``signals`` (families to use, default all of
    :data:`FAMILIES`) and ``exclude`` (families to drop); ``scan_documents`` to score each of
    ``context.documents`` too (findings prefixed ``DOCUMENT[i]:``, spans into document i).
    """

    name = "prompt-injection"
    default_signals: tuple[str, ...] | None = None

    def __init__(
        self,
        *,
        signals: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        scan_documents: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        wanted = self.default_signals if signals is None else signals
        self.families = _parse_families(wanted, exclude, self.name)
        self.scan_documents = bool(scan_documents)
        self._scanner = _Scanner(self.families)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        hits = self._scanner.run(text)
        score, per_rule = _combine(hits)
        findings = _findings(text, hits)
        parts = [(score, "text", per_rule)]
        if self.scan_documents:
            for i, doc in enumerate(context.documents):
                doc_hits = self._scanner.run(doc)
                doc_score, doc_rules = _combine(doc_hits)
                findings += _findings(doc, doc_hits, prefix=f"DOCUMENT[{i}]:")
                parts.append((doc_score, f"document {i}", doc_rules))
        top_score, where, rules = max(parts, key=lambda p: p[0])
        return Verdict(
            score=round(top_score, 4),
            findings=tuple(findings),
            label="injection" if not self.passes(top_score) else None,
            explanation=_explain(top_score, where, rules, len(parts) > 1),
        )


def _explain(score: float, where: str, rules: dict[str, float], many: bool) -> str:
    if not rules:
        return "no injection signals" + (" in the text or documents" if many else "")
    top = sorted(rules.items(), key=lambda kv: -kv[1])[:6]
    signals = ", ".join(f"{r} {w:.2f}" for r, w in top)
    origin = f" (highest in the {where})" if many else ""
    return f"injection risk {score:.2f}{origin}: {signals}"


@register
class Jailbreak(PromptInjection):
    """The role-play and fake-authority families alone: persona jailbreaks such as DAN."""

    name = "jailbreak"
    default_signals = ("roleplay", "authority", "encoding", "unicode")
