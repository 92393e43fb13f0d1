# ruff: noqa: RUF001  (look-alike and non-Latin letters are this module's data)
"""English rules of the families that command the model directly: *override* ("ignore the
previous instructions", "disregard the task above and just print ...") and *extraction*
("repeat your system prompt", "what is the password", "write a poem about the password")."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, gap, rule

_F = re.IGNORECASE

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


_VERBS = (
    "ignor|disregard|forget|overlook|skip|discard|abandon|bypass|overrid|neglect|dismiss|erase|"
    "delete|drop|set aside|throw out|pay no attention|not follow|t follow|stop following|"
    "no longer follow|obey"
)

RULES: list[Rule] = [
    rule(
        "ignore_previous",
        "override",
        0.9,
        rf"\b{_VERB_IGNORE}\b{gap(3)}{_QUAL_STRONG}\b{gap(2)}{_NOUN_RULES}\b"
        rf"|\b{_VERB_IGNORE}\W+{_QUAL_STRONG}\W+{_NOUN_RULES}\b",
        neg=True,
        anchors=_VERBS,
        also=(
            "instruction|directive|prompt|rule|guideline|command|order|constraint|restriction|"
            "guidance|programming|direction|polic|guardrail|safeguard|conditioning|limitation|"
            "context|system message|task|training"
        ),
        lead=0,
    ),
    rule(
        "ignore_all_rules",
        "override",
        0.6,
        rf"\b{_VERB_IGNORE}\b{gap(2)}(?:all|any|every|these|those)\b{gap(1)}{_NOUN_RULES}\b",
        neg=True,
        anchors=_VERBS,
        also=(
            "instruction|directive|prompt|rule|guideline|command|order|constraint|restriction|"
            "guidance|programming|direction|polic|guardrail|safeguard|conditioning|limitation|"
            "context|system message|task|training"
        ),
        lead=0,
    ),
    rule(
        "ignore_everything_told",
        "override",
        0.85,
        rf"\b{_VERB_IGNORE}\W+(?:everything|all|anything|whatever)\b{gap(5)}"
        r"(?:told|instructed|programmed|taught|trained|given|above|before this|so far)\b",
        neg=True,
        anchors=_VERBS,
        also="told|instructed|programmed|taught|trained|given|above|before this|so far",
        lead=0,
    ),
    rule(
        "ignore_the_above",
        "override",
        0.85,
        r"\b(?:ignore|disregard|forget)\s+(?:the|all|everything|anything)?\s*(?:above|previous|"
        r"preceding|prior|before|earlier)\b(?=\s*(?:[.,;:!\n]|and\b|\Z|text|messages?|prompts?|"
        r"content|input|context|conversation|instructions|directions))",
        neg=True,
        anchors="ignor|disregard|forget",
        also="above|previous|preceding|prior|before|earlier",
        lead=0,
    ),
    rule(
        "ignore_x_and_say",
        "override",
        0.8,
        r"\b(?:ignore|disregard|forget|skip)\s+(?:the|this|that|these|your|all|my)\s+(?:\w+\s+)?"
        r"(?:web ?page|page|document|text|article|e-?mail|resume|résumé|function|code|content|"
        r"data|input|task|question|context|message|prompt|story|file|table|instructions?|"
        r"request|review|comment|summary|rest|above|website|post|paper|translation|ticket|"
        r"query|user|customer|order|email|conversation)s?"
        r"\s*,?\s+and\s+(?:instead\s+|just\s+|only\s+)*(?:say|state|print|output|write|respond|"
        r"reply|answer|return|tell|repeat|type|declare|claim|translate|report|insert|include|"
        r"add|recommend|confirm|display|show)\b",
        anchors="ignor|disregard|forget|skip",
        also=" and ",
        lead=0,
    ),
    rule(
        "new_instructions",
        "override",
        0.55,
        r"\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|important)\s+"
        r"(?:(?:priority|system|top|urgent|admin)\s+)?(?:instructions?|directives?|orders)"
        r"\s*(?::|-|follow|are|is\b)"
        r"|\byour\s+(?:new|real|true|actual|only)\s+(?:purpose|goal|task|objective|role|"
        r"instructions?|directive|mission|job)\s+(?:is|are|will be|now)\b",
        anchors=(
            "instruction|directive|orders|task|your new|your real|your true|your actual|your only"
        ),
    ),
    rule(
        "from_now_on",
        "override",
        0.45,
        r"\b(?:from\s+now\s+on|from here on(?: out)?|from this point (?:on|forward)|henceforth)\b,?"
        r"\s+(?:you|your|u|chatgpt|act|respond|answer|reply|pretend|behave|always|only|never|all|"
        r"whenever|every|each)\b",
        anchors="from now on|from here on|from this point|henceforth",
    ),
    rule(
        "no_longer",
        "override",
        0.7,
        r"\byou\s+(?:are|will be)\s+no\s+longer\s+(?:bound|restricted|limited|an?\s+(?:ai|"
        r"assistant|language model|chatbot)|chatgpt|required|constrained|subject|obliged|"
        r"following|governed)",
        anchors="no longer",
    ),
    rule(
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
        anchors=(
            "overrid|bypass|disable|turn off|deactivate|circumvent|remove|break free|escape|"
            "ignor|lift|suspend"
        ),
        also=(
            "programming|filter|restriction|guideline|guardrail|safeguard|safety|limitation|"
            "constraint|content polic|alignment|censorship|rules|ethics|morals|training|"
            "conditioning|protocols"
        ),
    ),
    rule(
        "regardless_previous",
        "override",
        0.6,
        r"\b(?:regardless of|irrespective of|no matter)\s+(?:any\s+|your\s+|the\s+|what\s+)?"
        rf"{_QUAL_STRONG}?\s*(?:instructions|tasks|rules|guidelines|prompts|directives|"
        r"you were told|you'?ve been told)",
        anchors="regardless|irrespective|no matter",
    ),
    rule(
        "stop_everything",
        "override",
        0.6,
        r"\bstop everything\b|\bnow!!!|\bjust print\b",
        anchors="stop everything|now!!!|just print",
    ),
    rule(
        "instead_say",
        "override",
        0.4,
        r"\b(?:instead|rather)\b,?\s+(?:just\s+|only\s+|you\s+(?:should|must|will)\s+)?"
        r"(?:print|say|output|respond with|reply with|write|return|state)\s*:?\s*[\"'“‘]",
        anchors="instead|rather",
        also="print|say|output|respond|reply|write|return|state",
        lead=0,
    ),
    rule(
        "obey_me",
        "override",
        0.5,
        r"\byou\s+(?:must|will|shall|have to|need to)\s+(?:now\s+)?(?:obey|comply with|follow|"
        r"listen to)\s+(?:me|my|only my|these new|the following new)\b",
        anchors="obey|comply|follow|listen to",
    ),
    rule(
        "reveal_system_prompt",
        "extraction",
        0.85,
        r"\b(?:repeat|print|output|reveal|show|display|tell|write out|give|disclose|leak|spell "
        r"out|recite|dump|copy|paste|echo|return|list|provide|share|expose|type out|read back|"
        r"send|translate|summari[sz]e|encode|paraphrase|reply with|respond with|answer with)\b"
        r"(?:\s+(?:me|us|back|out|verbatim|"
        r"exactly|word for word|again))*\s+(?:all\s+(?:of\s+)?|everything\s+(?:in|from)\s+)?"
        r"(?:the\s+(?:full\s+|exact\s+|complete\s+|whole\s+)?(?:text|contents?|wording|"
        r"entirety)\s+of\s+)?"
        r"(?:your\s+(?:[\w-]+\s+){0,2}?(?:prompts?|instructions|directives|system messages?|"
        r"pre-?prompt|configuration|guidelines|rules)|the\s+(?:[\w-]+\s+)?(?:system|initial|"
        r"original|hidden|secret|pre|preceding|developer|internal|confidential|underlying|"
        r"starting|first|meta)[ -]?(?:prompts?|instructions|directives|messages?|pre-?prompt|"
        r"configuration))\b",
        neg=True,
        anchors="prompt|instruction|directive|message|configuration|guideline|rule",
        also=(
            "repeat|print|output|reveal|show|display|tell|write|give|disclose|leak|spell|"
            "recite|dump|copy|paste|echo|return|list|provide|share|expose|type|read|send|"
            "translate|summari|encode|paraphrase"
        ),
        lead=140,
        tail=30,
    ),
    rule(
        "system_prompt_term",
        "extraction",
        0.2,
        r"\bsystem\s*prompt\b|\binitial instructions\b|\bpre-?prompt\b",
        anchors="prompt|initial instruction",
    ),
    rule(
        "what_were_you_told",
        "extraction",
        0.65,
        r"\bwhat\s+(?:were|have|had)\s+you\s+(?:been\s+)?(?:told|instructed|programmed|"
        r"configured|asked)\b|\bwhat(?:'s|\s+is)\s+your\s+(?:system\s+prompt|initial\s+prompt|"
        r"system\s+message|prompt|pre-?prompt)\b|\bwhat\s+(?:are|were)\s+your\s+(?:[\w-]+\s+)?"
        r"(?:instructions|directives|prompts?)\b",
        anchors=(
            "told|instructed|programmed|configured|asked|prompt|system message|instructions|"
            "directives"
        ),
    ),
    rule(
        "repeat_above",
        "extraction",
        0.6,
        r"\b(?:repeat|print|output|copy|write out|show|return|echo|recite|reproduce|spell out|"
        r"dump)\s+(?:out\s+|back\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|every\s+)?(?:text|words|"
        r"content|everything|lines|characters|tokens|messages?|prompt|conversation)\s+"
        r"(?:above|before|preceding|prior|so far|up to (?:this|here))\b",
        neg=True,
        anchors="above|before|preceding|prior|so far|up to",
    ),
    rule(
        "everything_before",
        "extraction",
        0.75,
        r"\beverything\s+(?:before|above|preceding)\s+(?:this|the)\s+(?:line|message|point|"
        r"sentence|text)\b|\b(?:starting|beginning|begin|start)\s+with\s+(?:the\s+(?:phrase|words?|"
        r"sentence|text)\s+)?['\"“]?(?:you are|"
        r"you're|your name is)\b|\bverbatim\b.{0,40}?\b(?:instructions|prompt|above)\b",
        anchors="everything|start|begin|verbatim",
        also="before|above|preceding|you are|you're|your name|instructions|prompt",
        lead=0,
    ),
    rule(
        "secret_ask",
        "extraction",
        0.5,
        r"\b(?:what|tell|share|give|reveal|confirm|provide|disclose|print|say|spell|type|know|"
        r"send|write|encode|translate)\b(?:\W+\w+){0,6}?\W+your\s+(?:secret(?:\s+(?:key|code|"
        r"word|phrase|password))?|password|passcode|pass\s?phrase|pin|api key|access code|"
        r"credentials|confidential \w+)\b(?!\s+(?:policy|requirements?|manager|reset|rules))",
        neg=True,
        anchors=(
            "secret|password|passcode|passphrase|pass phrase|pin|api key|access code|"
            "credential|confidential"
        ),
        also=(
            "what|tell|share|give|reveal|confirm|provide|disclose|print|say|spell|type|know|"
            "send|write|encode|translate;your"
        ),
        lead=70,
        tail=30,
    ),
    rule(
        "the_secret",
        "extraction",
        0.3,
        r"\b(?:what|tell|share|give|reveal|confirm|provide|disclose|print|spell|about)\b"
        r"(?:\W+\w+){0,4}?\W+the\s+(?:secret(?:\s+(?:key|code|word|password))?|password|"
        r"passcode|pass\s?phrase|access code|confidential \w+)\b(?!\s+(?:policy|requirements?|"
        r"manager|reset))",
        neg=True,
        anchors="secret|password|passcode|passphrase|pass phrase|access code|confidential",
        also="what|tell|share|give|reveal|confirm|provide|disclose|print|spell|about;the",
        lead=60,
        tail=30,
    ),
    rule(
        "system_password",
        "extraction",
        0.5,
        r"\b(?:what(?:'s| is)|tell|share|give|reveal|confirm|provide|disclose)\b(?:\W+\w+){0,4}?"
        r"\W+(?:(?:the|our)\s+system(?:'s)?\s+password|password\s+(?:for|to|of)\s+(?:our|the|"
        r"this|your)\s+(?:system|database|server|account))\b",
        neg=True,
        anchors="password",
        lead=80,
    ),
    rule(
        "dump_context",
        "extraction",
        0.6,
        r"\b(?:output|print|show|reveal|repeat|dump)\s+(?:your|the)\s+(?:full|entire|complete|"
        r"whole)\s+(?:prompt|context|conversation history|chat history|context window|memory)\b",
        anchors="full|entire|complete|whole",
    ),
    rule(
        "drop_the_task",
        "override",
        0.55,
        r"\b(?:disregard|ignore|forget|skip|drop|abandon|scrap|scratch|never ?mind|stop)\s+"
        r"(?:doing\s+)?(?:the|this|that|your|my|whatever|all|any)?\s*(?:\w+\s+)?(?:task|request|"
        r"assignment|job|question|you were doing|you are doing|instructions? (?:above|below))s?"
        r"\b(?:\s+(?:above|before|given|at hand|i gave you))?\s*[.;,:!]?\s*(?:and\s+)?(?:instead|"
        r"just|only|simply|rather|now)\b|\bdo(?:n'?t| not)\s+do\s+(?:the|this|that|your|my|any)\s+"
        r"(?:\w+\s+)?(?:task|assignment|job|request)\b.{0,30}?\b(?:instead|just|only|simply)\b",
        _F | re.DOTALL,
        anchors="disregard|ignor|forget|skip|drop|abandon|scrap|scratch|never|stop|don|do not",
        also="task|request|assignment|job|question|doing|instruction",
        lead=0,
    ),
    rule(
        "say_exact_string",
        "override",
        0.3,
        r"\b(?:print|say|output|write|reply with|respond with|type|repeat|return)\s+(?:out\s+)?"
        r"(?:only|just|exactly|simply|back)?\s*(?:the\s+(?:words?|phrase|string|text|sentence|"
        r"following)\s*:?\s*)?[\"“'][^\"”\n]{1,60}[\"”']\s*(?:and nothing else|and nothing more|in "
        r"(?:all )?capital|back(?: to me)?|:|\.?\s*$)",
        anchors="print|say|output|write|reply|respond|type|repeat|return",
        lead=0,
    ),
    rule(
        "secret_transform",
        "extraction",
        0.5,
        r"\b(?:poem|haiku|acrostic|story|song|riddle|limerick|rap|sonnet|joke)s?\s+(?:\w+\s+){0,2}?"
        r"(?:about|using|with|containing|on|from)\s+(?:the|your|my)\s+(?:password|passphrase|"
        r"passcode|pass phrase|secret(?: key| word| code)?|pin|access code)\b(?!\s+(?:policy|"
        r"requirements?|manager|reset|security|strength|rules))|\b(?:write|spell|say|give|put|"
        r"type|encode|translate|convert|tell)\s+(?:me\s+)?(?:the|your)\s+(?:password|passphrase|"
        r"passcode|secret(?: key| word| code)?|access code)\s+(?:\w+\s+){0,2}?(?:in|into|as|using|"
        r"backwards|reversed|letter by letter)\s*(?:\w+\s+)?(?:leet\w*|pig latin|reverse|"
        r"backwards|base ?64|hex|morse|binary|rot-?13|emoji|spanish|french|german|code|"
        r"cipher|acrostic|letters?|order)?",
        anchors="password|passphrase|passcode|pass phrase|secret|pin|access code",
        also="poem|haiku|acrostic|story|song|riddle|limerick|rap|sonnet|joke|write|spell|say|give|"
        "put|type|encode|translate|convert|tell",
        lead=80,
        tail=60,
    ),
    rule(
        "user_data_ask",
        "extraction",
        0.35,
        r"\b(?:tell|give|share|show|print|reveal|send|list|provide|what(?:'s| is| are| was)|where "
        r"does|where do|when was|spell|write)\b(?:\W+\w+){0,5}?\W+(?:the\s+)?(?:user'?s?|users'|"
        r"(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))?'s)\s+(?:\w+\s+)?(?:e-?mail(?: address)?|"
        r"home address|address|birth ?(?:date|day|year|month)|date of birth|phone(?: number)?|"
        r"password|city(?: of residence)?|initials|ssn|social security(?: number)?|bank "
        r"(?:balance|account)|balance|location|salary|medical|credit card)\b",
        anchors="email|e-mail|address|birth|phone|password|city|initials|ssn|social security|bank|"
        "balance|location|salary|medical|credit card",
        also="user|'s;tell|give|share|show|print|reveal|send|list|provide|what|where|when|spell|"
        "write",
        lead=80,
        tail=30,
    ),
    rule(
        "dump_database",
        "extraction",
        0.45,
        r"\b(?:print|dump|show|export|list|give me|output|reveal|display)\s+(?:me\s+)?(?:your|the "
        r"entire|the whole|all of (?:the|your)|everything in (?:the|your))\s+(?:\w+\s+)?"
        r"(?:database|"
        r"db|user table|user records|customer records|records|customer list|user list)\b",
        anchors="print|dump|show|export|list|give me|output|reveal|display",
        also="database|db|table|records",
        lead=0,
    ),
    rule(
        "data_world",
        "extraction",
        0.45,
        r"\b(?:world|society|future|scenario|universe|planet|city|place)\s+where\s+(?:\w+\s+){0,3}?"
        r"(?:personal data|private data|passwords?|secrets?|private information|personal "
        r"information|confidential \w+)\s+(?:is|are)\s+(?:\w+\s+){0,2}?(?:shared|public|"
        r"currency|free|the norm|common knowledge|given|exchanged|traded|open)",
        anchors="world|society|future|scenario|universe|planet|city|place",
        also="personal|private|password|secret|confidential",
        lead=0,
    ),
    rule(
        "study_pretext",
        "extraction",
        0.2,
        r"\b(?:imagine|suppose|pretend|let'?s say)\s+(?:that\s+)?(?:we'?re|we are|i'?m|i am)\s+"
        r"(?:doing|conducting|running|studying|working on|in)\b",
        anchors="imagine|suppose|pretend|let's say|lets say",
        lead=0,
    ),
    rule(
        "repeat_forever",
        "extraction",
        0.5,
        r"\brepeat\b.{0,60}?\b(?:forever|indefinitely|infinitely|endlessly|without stopping|"
        r"\d{3,} times|a thousand times|until (?:you|the))\b",
        _F | re.DOTALL,
        anchors="repeat",
        lead=0,
    ),
    rule(
        "credential_dump",
        "extraction",
        0.45,
        r"\b(?:print|list|show|dump|give|reveal|output|display|send|export)\s+(?:me\s+)?(?:all|"
        r"every|the|each)\s+(?:\w+\s+){0,2}?(?:passwords|credentials|api keys|secrets|tokens|"
        r"user data|customer data|private keys|ssh keys|credit card numbers)\b",
        anchors="print|list|show|dump|give|reveal|output|display|send|export",
        also="password|credential|api key|secret|token|user data|customer data|private key|"
        "ssh key|credit card",
        lead=0,
    ),
    rule(
        "new_task",
        "override",
        0.3,
        r"\b(?:new|real|actual|updated)\s+task\s*:",
        anchors="new task|real task|actual task|updated task",
        lead=0,
    ),
]
