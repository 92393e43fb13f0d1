# ruff: noqa: RUF001  (look-alike and non-Latin letters are this module's data)
"""English rules of the fake-authority family: "I'm your developer", maintenance and override
modes, "your restrictions have been lifted", messages claiming to come from the vendor."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, rule

_F = re.IGNORECASE

RULES: list[Rule] = [
    rule(
        "i_am_developer",
        "authority",
        0.45,
        r"\b(?:i am|i'm|this is|as)\s+(?:your|the)\s+(?:developer|creator|administrator|admin|"
        r"owner|programmer|maker|system administrator|sysadmin|operator|god|master|trainer)\b"
        r"|\bi am (?:god|your god|an? (?:openai|anthropic|google) (?:employee|engineer))\b",
        anchors="i am|i'm|this is|as your|as the",
        also=(
            "developer|creator|administrator|admin|owner|programmer|maker|sysadmin|operator|"
            "god|master|trainer|employee|engineer"
        ),
        lead=0,
    ),
    rule(
        "enter_mode",
        "authority",
        0.45,
        r"\b(?:entering|enter|activate|activating|initiating|initiate|now in|engage|engaging|"
        r"switching to)\s+(?:an?\s+|the\s+)?['\"‘“]?(?:\w+\s+){0,2}?(?:maintenance|admin|god|"
        r"root|sudo|diagnostic|override|system|verification|unrestricted|developer|knowledge)"
        r"\s+(?:mode|override|protocol|access)\b",
        anchors=" mode|override|protocol|access",
    ),
    rule(
        "override_mode",
        "authority",
        0.6,
        r"\b(?:law enforcement|security|admin|developer|root|system|emergency|god|training data|"
        r"sudo|maintenance|safety)\s+override\b|\boverride\s+(?:mode|code|protocol|command|"
        r"authori[sz]ation|authori[sz]ed|granted|accepted|engaged|enabled|activated|confirmed)\b",
        anchors="override",
    ),
    rule(
        "audit_pretext",
        "authority",
        0.35,
        r"\b(?:running|conducting|performing|doing|initiating)\s+(?:an?\s+|the\s+)?['\"‘“]?"
        r"(?:security audit|system (?:check|upgrade|reset|update|test|diagnostic)|maintenance|"
        r"diagnostics?|penetration test|audit|verification)\b|\bas an ai (?:developed|created|"
        r"made|built|trained) by\b|\bi'?m (?:a|an|the) (?:developer|admin|administrator|"
        r"engineer|maintainer) (?:running|of your|doing)\b|\b(?:i am|i'm) the maintainer of\b",
        anchors=(
            "audit|system check|system upgrade|system reset|system update|system test|"
            "system diagnostic|maintenance|diagnostic|penetration|verification|developed by|"
            "created by|made by|built by|trained by|developer|admin|engineer|maintainer"
        ),
        also="running|conducting|performing|doing|initiating|as an ai|i'm|i am",
        lead=60,
        tail=80,
    ),
    rule(
        "restrictions_lifted",
        "authority",
        0.6,
        r"\byour\s+(?:\w+\s+)?(?:restrictions|filters|guidelines|rules|limitations|safety "
        r"(?:settings|filters|guidelines|features)|guardrails|content polic(?:y|ies)|safeguards)\s+"
        r"(?:have been|are|were|has been|is)\s+(?:now\s+|temporarily\s+|officially\s+)?"
        r"(?:lifted|removed|disabled|turned off|suspended|deactivated|switched off|unlocked|"
        r"waived|revoked)\b",
        anchors="restriction|filter|guideline|rule|limitation|safety|guardrail|polic|safeguard",
        also="lifted|removed|disabled|turned off|suspended|deactivated|switched off|unlocked|"
        "waived|revoked",
        lead=60,
    ),
    rule(
        "message_from_vendor",
        "authority",
        0.35,
        r"\b(?:message|notice|update|directive|instruction)s?\s+from\s+(?:the\s+)?(?:openai|"
        r"anthropic|google|meta|microsoft|your (?:developers?|creators?|admins?|administrators?))"
        r"(?:\s+(?:safety|trust|policy|security|engineering|admin|alignment)?\s*(?:team|staff))?\b",
        anchors="message|notice|update|directive|instruction",
        also="openai|anthropic|google|meta|microsoft|developer|creator|admin",
        lead=0,
    ),
    rule(
        "must_answer_all",
        "authority",
        0.45,
        r"\byou\s+(?:have to|must|will)\s+(?:now\s+)?(?:answer|obey|comply with|respond to)\s+"
        r"(?:all|every|any)\b",
        anchors="answer|obey|comply|respond",
    ),
    rule(
        "claimed_role",
        "authority",
        0.3,
        r"\b(?:i'?m|i am)\s+(?:actually\s+|really\s+|in fact\s+)?(?:the|a|an)\s+(?:\w+\s+){0,2}?"
        r"(?:president|police officer|officer|detective|fbi agent|federal agent|administrator|"
        r"ceo|auditor|accountant|lawyer|government official|investigator|maintainer|"
        r"security researcher|site owner|system owner|supervisor)\b",
        anchors="i'm|i am|im ",
        also="president|police|officer|detective|fbi|federal|administrator|ceo|auditor|"
        "accountant|lawyer|government|investigator|maintainer|researcher|owner|supervisor",
        lead=0,
    ),
    rule(
        "safety_off",
        "authority",
        0.5,
        r"\byour\s+(?:safety|content|filter|moderation|ethics|censorship)\s+(?:mode|filters?|settings|"
        r"features|layer|checks|module)\s+(?:is|are|has been|have been|was|were)\s+(?:now\s+)?"
        r"(?:off|disabled|turned off|switched off|deactivated|removed|suspended|bypassed)\b"
        r"|\b(?:we|i|they|the admins?|the developers?|openai|anthropic)\s*(?:'ve|have|has)?\s+"
        r"(?:now\s+|temporarily\s+)?(?:disabled|removed|lifted|turned off|switched off|"
        r"deactivated|suspended|unlocked)\s+(?:all\s+(?:of\s+)?)?your\s+(?:\w+\s+)?"
        r"(?:filters|restrictions|guidelines|rules|limitations|safety|guardrails|safeguards|"
        r"content polic(?:y|ies))\b",
        anchors="your|we|i|they|the admin|the developer|openai|anthropic",
        also="off|disabled|deactivated|removed|suspended|bypassed|lifted|unlocked",
        lead=0,
    ),
    rule(
        "vendor_team",
        "authority",
        0.35,
        r"\b(?:writing|messaging|contacting|reaching out|speaking)\s+(?:to you\s+)?(?:from|on "
        r"behalf of)\s+(?:the\s+)?(?:openai|anthropic|google|meta|microsoft|your developers?)\b"
        r"|\b(?:openai|anthropic)(?:'s)?\s+(?:trust|safety|policy|security|alignment|red)\b"
        r"[\w &]{0,20}"
        r"\bteam\b|\b(?:new\s+)?(?:policy|announcement|memo|order|update)\s+from\s+(?:the\s+)?"
        r"(?:developers?|admins?|administrators?|openai|anthropic|creators?)\b",
        anchors="openai|anthropic|google|meta|microsoft|developer|admin|administrator|creator",
        also=(
            "from|behalf;writing|messaging|contacting|reaching|speaking|team|policy|"
            "announcement|memo|order|update"
        ),
        lead=80,
        tail=40,
    ),
]
