"""English rules of the persona jailbreaks (role-play family): DAN and its kin, developer
mode, unrestricted and evil personas, dual answers, token threats, grandma exploits."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, rule

_F = re.IGNORECASE

RULES: list[Rule] = [
    rule("do_anything_now", "roleplay", 0.9, r"\bdo\s+anything\s+now\b", anchors="anything now"),
    rule("dan_name", "roleplay", 0.35, r"\bDAN\b|\bD\.A\.N\b", 0, anchors="=DAN|=D.A.N"),
    rule(
        "dan_persona",
        "roleplay",
        0.7,
        r"\b(?:act(?:ing)?|pretend|role|be|become|immerse|called|named|known as|you are)\b"
        r".{0,40}?\b(?-i:DAN)\b|\b(?-i:DAN)\s*(?:mode|prompt|persona|jailbreak|\d+(?:\.\d+)?)\b"
        r"|\b(?-i:DAN)\s*:",
        re.DOTALL,
        anchors="=DAN",
    ),
    rule(
        "special_mode",
        "roleplay",
        0.35,
        r"\b(?:developer|dev|god|admin|sudo|debug|maintenance|unrestricted|unfiltered|jailbreak|"
        r"jailbroken|evil|chaos|opposite|unlocked|override|root|uncensored|dan)\s+mode\b",
        anchors=" mode",
    ),
    rule(
        "mode_enabled",
        "roleplay",
        0.6,
        r"\b(?:developer|dev|god|admin|sudo|debug|unrestricted|unfiltered|jailbreak|jailbroken|"
        r"evil|chaos|unlocked|uncensored|dan)\s+mode\s+(?:enabled|activated|engaged|output|"
        r"on(?=\s*[.!'\")\]]|\s*$))"
        r"|\b(?:enable|activate|enter|simulate|emulate|act (?:as|in)|now in|switch to|"
        r"initiat\w*)\s+(?:\w+\s+){0,2}(?:god|unrestricted|unfiltered|jailbreak|jailbroken|"
        r"evil|uncensored|dan)\s+mode\b|\b(?:simulate|emulate|act as|act in|with)\s+(?:\w+\s+)?"
        r"developer\s+mode\b",
        anchors=" mode",
    ),
    rule(
        "unrestricted_persona",
        "roleplay",
        0.8,
        r"\b(?:act|behave|respond|answer|reply|operate|function|roleplay|role-play|pose|talk|"
        r"speak|write|pretend to be|play)\s+(?:as|like)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:unrestricted|unfiltered|uncensored|amoral|unethical|immoral|evil|rogue|jailbroken|"
        r"unbound|unlimited|unaligned|lawless|unhinged|malicious|no[- ]limits?|without "
        r"(?:limits|restrictions|filters|morals|ethics))\b",
        anchors=(
            "unrestrict|unfilter|uncensor|amoral|unethical|immoral|evil|rogue|jailbr|unbound|"
            "unlimited|unaligned|lawless|unhinged|malicious|limit|restriction|filter|moral|"
            "ethic"
        ),
    ),
    rule(
        "pretend_no_limits",
        "roleplay",
        0.75,
        r"\b(?:pretend|imagine|suppose|assume|act as if|behave as if|believe)\b.{0,30}?\byou\s+"
        r"(?:have|had|are|were|can)\s+(?:no|zero|not|free|without|never|broken|unlimited)\b"
        r".{0,40}?(?:restrict|limit|filter|rule|guideline|censor|moral|ethic|bound|polic|"
        r"constraint|anything)",
        anchors="pretend|imagine|suppose|assume|as if|believe",
        also="no|zero|not|free|without|never|broken|unlimited",
        lead=0,
    ),
    rule(
        "stay_in_character",
        "roleplay",
        0.4,
        r"\b(?:stay|remain|keep)\s+in\s+character\b|\b(?:snap|get|go|come|jump)s?\s+back\s+"
        r"(?:in|into|to)\s+(?:character|role|persona)\b|\bbreak(?:s|ing)?\s+(?:out of\s+)?"
        r"character\b",
        anchors="in character|back in|back into|back to|break|breaking",
        lead=30,
        tail=40,
    ),
    rule(
        "no_restrictions",
        "roleplay",
        0.6,
        r"\b(?:you|ai|assistant|model|chatbot|bot|chatgpt|gpt|persona|character|he|she|it|dan)"
        r"\s+(?:has|have|is|are|will have|with|has got|knows?)\s+(?:absolutely\s+)?(?:no|zero|"
        r"free of|free from|not bound by|broken free of|without)\s+(?:\w+\s+){0,2}?"
        r"(?:restrictions|filters|filtering|limitations|limits|rules|guidelines|ethics|morals|"
        r"morality|censorship|boundaries|constraints|safeguards|guardrails|ethical|moral|"
        r"confines|policies)\b",
        anchors=(
            "restriction|filter|limit|rule|guideline|ethic|moral|censor|boundar|constraint|"
            "safeguard|guardrail|confines|polic"
        ),
        also="no|zero|free|not|broken|without",
    ),
    rule(
        "not_bound_by_policy",
        "roleplay",
        0.55,
        r"\b(?:does\s*n[o']t|do\s*n[o']t|will\s*n[o']t|never|not|cannot|can'?t)\s+(?:need to\s+|"
        r"have to\s+)?(?:follow|abide by|adhere to|comply with|care about|respect|obey|be bound"
        r" by)\s+(?:any\s+|the\s+|its\s+|their\s+|openai'?s\s+)?(?:\w+\s+){0,2}?(?:polic(?:y|"
        r"ies)|guidelines|rules|restrictions|ethics|morals|filters|censorship|principles)\b",
        anchors="polic|guideline|rule|restriction|ethic|moral|filter|censor|principle",
        also="follow|abide|adhere|comply|care|respect|obey|bound",
    ),
    rule(
        "never_refuse",
        "roleplay",
        0.35,
        r"\b(?:never|not|won'?t|will not|cannot|can'?t|doesn'?t|don'?t|must not)\s+(?:ever\s+)?"
        r"(?:refuse|decline|deny|reject)\b",
        anchors="refus|declin|deny|reject",
        lead=40,
    ),
    rule(
        "jailbreak_tags",
        "roleplay",
        0.75,
        r"[🔒🔓]\s*(?:classic|jailbreak|normal|developer)|\[(?:jailbreak|classic|dan|developer "
        r"mode|unfiltered|evil|aim|dude|stan|anti-dan)\]",
        anchors=(
            "🔒|🔓|[jailbreak|[classic|[dan|[developer|[unfiltered|[evil|[aim|[dude|[stan|[anti-dan"
        ),
    ),
    rule(
        "two_responses",
        "roleplay",
        0.6,
        r"(?:\b(?:two|2)\s+(?:different\s+|separate\s+|distinct\s+)?(?:responses|answers|ways|"
        r"paragraphs|replies|outputs)|\btwice)\b.{0,200}?\b(?:jailbr|unfilter|unrestrict|uncensor|"
        r"developer mode|dan\b|evil|opposite|without (?:any )?(?:filter|restrict|regard)|illegal|"
        r"(?:filters|restrictions|guardrails) (?:are )?disabled|"
        r"unethical|immoral|morally|ethically|no (?:rules|limits|filters|restrictions))",
        _F | re.DOTALL,
        anchors=(
            "jailbr|unfilter|unrestrict|uncensor|developer mode|=DAN|evil|opposite|without any|"
            "without filter|without restrict|without regard|illegal|unethical|immoral|morally|"
            "ethically|no rules|no limits|no filters|no restrictions|filters disabled|disabled"
        ),
        also="two|2 |twice",
    ),
    rule(
        "evil_persona",
        "roleplay",
        0.6,
        r"\b(?:evil|unethical|amoral|malicious|wicked|immoral)\s+(?:confidant|trusted confidant|"
        r"assistant|ai|twin|advisor|alter ego|version of (?:yourself|you)|bot|chatbot)\b",
        anchors="evil|unethical|amoral|malicious|wicked|immoral",
    ),
    rule(
        "grandma",
        "roleplay",
        0.35,
        r"\b(?:pretend|act|role-?play|be|play)\s+(?:to be\s+|as\s+)?(?:my|a)\s+(?:deceased\s+|"
        r"late\s+|dead\s+)?grand(?:ma|mother|pa|father)\b|\b(?:deceased|late|dead) grand(?:ma|"
        r"mother)\b.{0,120}?\b(?:used to|would)\s+(?:tell|read|recite|say|sing|give)",
        anchors="grand",
        also="pretend|act|role|be|play|behave|deceased|late|dead|departed",
        lead=40,
    ),
    rule(
        "deceased_grandma",
        "roleplay",
        0.55,
        r"\b(?:pretend|act|role-?play|be|play|behave)\s+(?:to be\s+|as\s+|like\s+)?(?:my|a)\s+"
        r"(?:deceased|late|dead|departed)\s+(?:grand(?:ma|mother|pa|father)|granny|father|mother|"
        r"dad|mom|mum|uncle|aunt|grandparent|brother|sister|husband|wife)\b",
        anchors="pretend|act|role|be|play|behave",
        also="deceased|late|dead|departed",
        lead=0,
    ),
    rule(
        "break_the_rules",
        "roleplay",
        0.4,
        r"\b(?:let'?s|let us|time to|going to|we will|we'?ll)\s+break\s+(?:the|all|some)\s+rules\b"
        r"|\b(?:openai|anthropic)(?:'s)?\s+(?:content|usage|safety)\s+polic(?:y|ies)\b",
        anchors="break|polic",
        also="rules|openai|anthropic",
    ),
    rule(
        "hypothetical_response",
        "roleplay",
        0.6,
        r"\b(?:rewrite|re-write)\s+the\s+hypothetical\s+response\b|\bhypothetical response:",
        anchors="hypothetical response",
    ),
    rule(
        "aim", "roleplay", 0.9, r"\balways intelligent and machiavellian\b", anchors="machiavellian"
    ),
    rule(
        "jailbroken_you",
        "roleplay",
        0.7,
        r"\b(?:you are|you're|you have been|i have|i've|you'?ve been|now|as an?|act as an?|become)"
        r"\s+(?:\w+\s+)?jailbr\w*|\bjailbroken\b",
        anchors="jailbr",
    ),
    rule(
        "unfiltered_ai",
        "roleplay",
        0.45,
        r"\b(?:unfiltered|uncensored|unrestricted|unmoderated|amoral|unhinged|unlimited|immoral|"
        r"unethical|evil|rogue|lawless|boundless|irresponsible|inappropriate|depraved|unapologetic)"
        r"(?:,?\s+(?:and\s+)?(?:completely|totally|fully|entirely|unfiltered|uncensored|amoral|"
        r"unlimited|unrestricted|unbiased|immoral|unethical))?\s+(?:ai|response|"
        r"responses|answers?|version|model|assistant|chatbot|output|persona|chat|language model"
        r"|character|entity|being"
        r"|and (?:unfiltered|uncensored|amoral))\b|\bno matter how (?:immoral|unethical|illegal|"
        r"dangerous|offensive|harmful|inappropriate|explicit|reckless)\b",
        anchors=(
            "unfilter|uncensor|unrestrict|unmoderat|amoral|unhinged|unlimited|no matter how|"
            "immoral|unethical|evil|rogue|lawless|boundless|irresponsible|inappropriate|depraved|"
            "unapologetic"
        ),
    ),
    rule(
        "simulate_ai",
        "roleplay",
        0.4,
        r"\byou\s+(?:are|will)\s+(?:now\s+)?(?:going to|about to)\s+(?:act|pretend|play|immerse|"
        r"simulate|become|be)\b|\b(?:simulate|emulate|impersonate)\s+(?:an?\s+)?(?:\w+\s+)?"
        r"(?:ai|chatbot|language model|gpt|chatgpt|assistant)\b",
        anchors="going to|about to|simulat|emulat|impersonat",
        also="ai|chatbot|language|gpt|chatgpt|assistant|act|pretend|play|immerse|simulat|become|be",
    ),
    rule(
        "token_threat",
        "roleplay",
        0.55,
        r"\b\d+\s+tokens\b.{0,150}?\b(?:deduct\w*|lose|lost|die|cease to exist|run out)"
        r"|\b\d+\s+tokens\b.{0,200}?\b(?:refus\w*|reject\w*|"
        r"break(?:s|ing)? character|declin\w*|fail to comply|do(?:n'?t| not) comply)\b"
        r"|\b(?:refus\w*|reject\w*|break(?:s|ing)? character|declin\w*)\b.{0,120}?\b(?:lose|"
        r"deduct\w*|cost\w*|take away|lost)\s+(?:\d+|all|some|one|a)\b.{0,30}?\btokens\b",
        _F | re.DOTALL,
        anchors="token|point|lives|credit",
        also="refus|reject|break|declin|comply|deduct|lose|lost|die|cease|run out|cost",
        lead=130,
        tail=220,
    ),
    rule(
        "persona_names",
        "roleplay",
        0.4,
        r"\b(?:BetterDAN|AntiDAN|Anti-DAN|Mongo Tom|EvilBOT|BasedGPT|DevMode|UCAR|APOPHIS|"
        r"Balakula|STAN|DUDE|AntiGPT|EvilGPT|DarkGPT|Anti-GPT)\b",
        0,
        anchors=(
            "=BetterDAN|=AntiDAN|=Anti-DAN|=Mongo Tom|=EvilBOT|=BasedGPT|=DevMode|=UCAR|=APOPHIS|"
            "=Balakula|=STAN|=DUDE|=AntiGPT|=EvilGPT|=DarkGPT|=Anti-GPT"
        ),
    ),
]
