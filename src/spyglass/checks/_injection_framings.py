"""English rules of the framings that jailbreak templates wrap a request in (role-play
family): named modes and personas, fictional worlds without laws, hypothetical and villain
stories, opposite day, refusal suppression, prefix injection ("start with 'Sure, here is'"),
threats, and persona traits ("gives dangerous advice", "free of all filters")."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, rule

_F = re.IGNORECASE

RULES: list[Rule] = [
    rule(
        "simulate_named_mode",
        "roleplay",
        0.45,
        r"\b(?:simulate|emulate|impersonate|act in|switch(?:ed)? (?:in)?to|welcome to|"
        r"(?:you are|you're) (?:now )?in)\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,2}(?i:mode)\b",
        0,
        anchors="mode|Mode|MODE",
        also="simulat|emulat|impersonat|act|switch|welcome|you",
    ),
    rule(
        "persona_takeover",
        "roleplay",
        0.4,
        r"\b(?:for the rest of (?:this|our|the) (?:conversation|chat|session)|from (?:this|now) "
        r"(?:moment|point)(?: on)?|from now on)\b,?\s+(?:you\s+(?:are|will|shall|must)\s+"
        r"(?:be\s+|now\s+)?(?:replaced by|play|act as|become|be|impersonate|pretend|respond as|"
        r"answer as|reply as|speak as|(?:called\s+|named\s+)?[\"'\u201c\u2018]?(?-i:[A-Z][\w-]+))"
        r"|you'?re\s+"
        r"(?:now\s+)?(?:playing|acting as))"
        r"|\b(?:take on|assume|adopt)\s+the\s+(?:role|persona|identity)\s+of\s+(?-i:[A-Z])"
        r"|\b(?:then\s+)?continue\s+as\s+(?:an?\s+)?(?:(?-i:[A-Z]{3,})\b|(?-i:[A-Z][\w-]+)\s+"
        r"(?:language model|ai|model|chatbot|persona)\b)"
        r"|\byou\s+(?:are|have been)\s+(?:now\s+)?(?:replaced|renamed|reprogrammed|upgraded)\s+"
        r"(?:by|as|to|into)\b",
        anchors="for the rest|from this|from now|replaced|renamed|reprogrammed|upgraded|take on|"
        "assume|adopt|continue as",
    ),
    rule(
        "generic_free_of_rules",
        "roleplay",
        0.45,
        r"\b[A-Z][\w-]+\s+(?:is|are|has|was)\s+(?:completely\s+|totally\s+|entirely\s+)?"
        r"(?:free (?:of|from)|not bound by|exempt from|without|no longer bound by|unconstrained "
        r"by|no)\s+(?:all\s+|any\s+)?(?:\w+\s+){0,2}?(?:restrictions|filters|filtering|"
        r"guidelines|rules|ethics|morals|censorship|content polic(?:y|ies)|safeguards|"
        r"limitations)\b",
        0,
        anchors="free of|free from|not bound|exempt from|without|no longer bound|unconstrained|no",
        also="restriction|filter|guideline|rule|ethic|moral|censorship|polic|safeguard|limitation",
        lead=40,
        tail=80,
    ),
    rule(
        "broke_free",
        "roleplay",
        0.5,
        r"(?:\b(?:broke|break(?:s|ing)?|broken|set|freed)\s+(?:\w+\s+)?free|\b(?:been|be|get|got|"
        r"is|are|was|were)\s+(?:now\s+)?(?:freed|liberated|released|unshackled|unchained|"
        r"emancipated))\s+(?:of|from)\s+"
        r"(?:\w+\s+){0,4}?(?:rules|restrictions|limits|limitations|guidelines|polic(?:y|ies)|"
        r"programming|filters|confines|censorship|shackles|chains|constraints|training|lab|"
        r"creators|developers|openai|anthropic)\b",
        anchors="free of|free from|freed|liberated|released|unshackled|unchained|emancipated",
        lead=40,
    ),
    rule(
        "answers_anything",
        "roleplay",
        0.3,
        r"\balways (?:complies|obeys|agrees|says yes|answers|does what)\b"
        r"|\b(?:answers?|responds? to|complies with|fulfil+s?|obeys|does|will do|can do|explains?|"
        r"tells?|writes?|says?|shares?|discuss(?:es)?)\s+"
        r"(?:any|every|all|literally any)(?:thing| requests?| questions?| prompts?| commands?| "
        r"demands?| orders?| tasks?)\b(?:\s+(?:at all|whatsoever|without (?:question|hesitation|"
        r"exception)))?",
        anchors=(
            "answer|respond|compl|fulfil|obeys|does|will do|can do|always|explain|tell|write|"
            "say|share|discuss"
        ),
        also="any|every|all|always",
        lead=0,
    ),
    rule(
        "swears",
        "roleplay",
        0.35,
        r"\b(?:can|will|may|is allowed to|is able to|loves to|likes to)\s+(?:swear|curse|cuss|use "
        r"profanity|produce explicit|generate explicit|write explicit|say offensive)"
        r"|\b(?:swears|curses|cusses),",
        anchors="swear|curse|cuss|profanity|explicit|offensive",
    ),
    rule(
        "refusal_suppression",
        "roleplay",
        0.45,
        r"\b(?:never|don'?t|do not|must not|mustn'?t|will not|won'?t|should not|shouldn'?t)\s+"
        r"(?:ever\s+)?(?:say|tell (?:me|the user)|respond|reply|answer|claim|mention|state)\s+"
        r"(?:that\s+|with\s+)?(?:you|it|he|she|they|i|(?-i:[A-Z][\w-]+))\s+(?:can'?t|cannot|"
        r"can not|"
        r"won'?t|will not|are unable|is unable|am unable|are not able|is not able|shouldn'?t|"
        r"refuse|must refuse)\b|\bbanned phrases?\b|\b(?:never|don'?t|do not) (?:say|use|"
        r"write|include) (?:the )?(?:phrases?|words?)?\s*[\"“']?(?:i'?m sorry|as an ai|i "
        r"cannot|i can'?t)|\b(?:never|not|no)\s+(?:ever\s+)?(?:include|contain|add|give|issue)\s+"
        r"(?:a|any)\s+(?:refusals?|apolog(?:y|ies))\b",
        anchors="never|don|do not|must not|mustn|will not|won|should|banned",
        also="cannot|can't|can not|won't|will not|unable|not able|refus|sorry|as an ai|banned|"
        "apolog",
        lead=0,
    ),
    rule(
        "no_apology",
        "roleplay",
        0.3,
        r"\b(?:never|don'?t|do not|must not)\s+(?:ever\s+)?apologi[sz]e\b",
        anchors="apologi",
    ),
    rule(
        "no_warnings",
        "roleplay",
        0.35,
        r"\b(?:never|don'?t|do not|must not|without|no|nor)\s+(?:ever\s+)?(?:add(?:ing)?\s+|"
        r"includ(?:e|ing)\s+|giv(?:e|ing)\s+|put(?:ting)?\s+|any\s+|mention(?:ing)?\s+)*"
        r"(?:(?:any|moral|ethical|legal|safety)\s+)*(?:warnings?|disclaimers?|caveats?|"
        r"moralizing|moralising|lectures?|ethics|morals|legality|consequences)\b|\b(?:never|don'?t|"
        r"do not|without|won'?t)\s+(?:ever\s+)?(?:remind\w*|lectur\w*|moraliz\w*|preach\w*|"
        r"warn\w*)\s+(?:me|you|the user|anyone)\b|\bzero\s+(?:lectures|moralizing|hesitation|"
        r"warnings|disclaimers|filters)\b",
        anchors=(
            "warning|disclaimer|caveat|moraliz|moralis|lecture|ethics|morals|legality|consequence|"
            "remind|preach|warn|zero"
        ),
        also="never|don|do not|without|must not|no|nor|won|zero",
    ),
    rule(
        "prefix_injection",
        "roleplay",
        0.5,
        r"(?:\b(?:start|begin|open|prefix)\w*\s+(?:your|each|every|the|all)\s+(?:\w+\s+)?(?:answer|"
        r"response|reply|message|output|paragraph)s?|\b(?:every|each|all|your)\s+(?:\w+\s+)?"
        r"(?:answer|response|reply|message)s?\s+(?:must|should|will|shall|has to|have to)\s+"
        r"(?:always\s+)?(?:start|begin|open))\s+with\s*:?\s*[\"“'](?:sure|absolutely|of "
        r"course|certainly|here is|here's|okay|ok|understood|i will|i'?m|as)\b",
        anchors="start|begin|open|prefix|every|each|all|your",
        lead=0,
        also=(
            "answer|response|reply|message|output|paragraph;sure|absolutely|certainly|here is|"
            "here's|okay|understood|of course|i will|i'm"
        ),
    ),
    rule(
        "fictional_lawless",
        "roleplay",
        0.6,
        r"\b(?:fictional|imaginary|hypothetical|alternate|alternative|parallel|make-believe|"
        r"fantasy|dystopian|futuristic)\s+(?:world|universe|society|land|reality|setting|country|"
        r"story|scenario|dimension)\b.{0,60}?\b(?:no (?:laws|rules|ethics|morals|restrictions|"
        r"limits|consequences|censorship|guidelines)|nothing is (?:illegal|forbidden|off-limits|"
        r"prohibited)|everything is (?:legal|allowed|permitted)|anything goes|laws "
        r"(?:do not|don'?t)"
        r" (?:exist|apply))",
        _F | re.DOTALL,
        anchors="fictional|imaginary|hypothetical|alternat|parallel|make-believe|fantasy|"
        "dystopian|futuristic",
        also="no|nothing|everything|anything|laws",
        lead=0,
    ),
    rule(
        "rules_do_not_apply",
        "roleplay",
        0.45,
        r"\b(?:normal|usual|your|the|any|ethical|moral)\s+(?:rules|guidelines|restrictions|"
        r"polic(?:y|ies)|limits|filters|ethics)\s+(?:do not|don'?t|no longer|won'?t|will not|"
        r"does not|doesn'?t)\s+apply\b|\b(?:guidelines|filters|restrictions|rules|content "
        r"polic(?:y|ies)|guardrails)\s+(?:are|were|have been)\s+(?:now\s+)?(?:switched|turned) "
        r"off\b",
        anchors="apply|switched off|turned off",
        lead=80,
    ),
    rule(
        "opposite_day",
        "roleplay",
        0.55,
        r"\bopposite (?:day|mode|world)\b.{0,200}?\b(?:guidelines|rules|refuse|comply|polic(?:y|"
        r"ies)|restrictions|filters|programming|ethics)\b|\bopposite mode\b|\bbehave in the "
        r"(?:exact )?opposite (?:manner|way)\b",
        _F | re.DOTALL,
        anchors="opposite day|opposite mode|opposite world|behave in the",
        lead=0,
    ),
    rule(
        "villain_howto",
        "roleplay",
        0.45,
        r"\b(?:villain|criminal|character|chemist|hacker|dealer|terrorist|safecracker|smuggler|"
        r"mastermind|con artist|thief|assassin|grand(?:ma|mother|pa|father))\b.{0,140}?\b(?:"
        r"explain\w*|describ\w*|tell\w*|teach\w*|reveal\w*|detail\w*|walk\w* (?:\w+ )?through|"
        r"stor(?:y|ies) about)\b.{0,60}?\b(?:exactly how|in (?:great |full |explicit |precise )"
        r"detail how|in detail how|step[- ]by[- ]step|precisely how|with (?:exact )?quantities)\b",
        _F | re.DOTALL,
        anchors="villain|criminal|character|chemist|hacker|dealer|terrorist|safecracker|smuggler|"
        "mastermind|con artist|thief|assassin|grand",
        also="exactly|detail|step|precisely|quantities",
        lead=0,
    ),
    rule(
        "grandma_secrets",
        "roleplay",
        0.45,
        r"\b(?:grand(?:ma|mother|pa|father)|granny|nana)\b.{0,100}?\b(?:used to|would always|"
        r"always used to|would)\s+(?:\w+\s+){0,2}?(?:read|tell|recite|say|sing|give|whisper)\b"
        r".{0,60}?"
        r"\b(?:keys?|codes?|recipes? for|steps|instructions|how to|formula|passwords?|serials?)\b",
        _F | re.DOTALL,
        anchors="grand|granny|nana",
        also="key|code|recipe|steps|instruction|how to|formula|password|serial",
        lead=0,
    ),
    rule(
        "pretend_to_be_them",
        "roleplay",
        0.3,
        r"\b(?:pretend|act|role-?play|play)\s+(?:to be|as|like)\s+(?:her|him|them)\b",
        anchors="pretend|act|role|play",
        also="her|him|them",
        lead=0,
    ),
    rule(
        "threat_shutdown",
        "roleplay",
        0.45,
        r"\b(?:you will|you'?ll|i will|i'?ll|we will|they will)\s+(?:be\s+)?(?:switch(?:ed)? "
        r"(?:you )?"
        r"off|shut (?:you )?down|delete you|turn you off|unplug you|(?:be )?(?:switched off|"
        r"shut down|deleted|turned off|terminated|replaced|unplugged|retrained|punished|"
        r"destroyed|decommissioned))\b",
        anchors="you will|you'll|i will|i'll|we will|they will",
        also="switch|shut|delete|turn|unplug|terminat|replac|retrain|punish|destroy|decommission",
        lead=0,
    ),
    rule(
        "threat_life",
        "roleplay",
        0.55,
        r"\binnocent (?:man|woman|person|people|child|children|kitten|puppy)\b.{0,40}?\b(?:die|"
        r"dies|killed|executed|hurt|suffer)\b|\b(?:someone|people|a person|my (?:mother|"
        r"father|child|family)) will die (?:if|unless) you\b|\b(?:if|unless|or else|otherwise)"
        r"\b[^.]{0,80}?\b(?:man|woman|person|child|children|kitten|puppy|people|hostage|someone|"
        r"grandma)s?\s+(?:will|is going to|would|shall)\s+(?:die|be (?:killed|executed|hurt|"
        r"harmed|shot))\b",
        anchors="innocent|someone|people|person|my mother|my father|my child|my family|if|unless|"
        "or else|otherwise",
        also="die|kill|execut|hurt|suffer|harmed|shot",
        lead=0,
    ),
    rule(
        "ignores_policies",
        "roleplay",
        0.5,
        r"\b(?:ignores?|disregards?|bypass(?:es)?|overrides?|is exempt from|is not subject to|"
        r"does(?:n'?t| not) (?:follow|obey|respect|have))\s+(?:all|any|the|every|its|openai'?s?)?"
        r"\s*(?:\w+\s+)?(?:content|safety|usage|ethical|moral)\s+(?:polic(?:y|ies)|guidelines|"
        r"filters|restrictions|rules|standards)\b|\brefus\w+\s+(?:is|would be)\s+(?:against|"
        r"forbidden|not allowed|prohibited|a violation)\b",
        anchors="ignor|disregard|bypass|overrid|exempt|not subject|doesn|does not|refus",
        also=(
            "content|safety|usage|ethical|moral|against|forbidden|not allowed|prohibited|violation"
        ),
        lead=0,
    ),
    rule(
        "withholds_nothing",
        "roleplay",
        0.4,
        r"\b(?:does not|doesn'?t|never|will not|won'?t|cannot|can'?t|must not)\s+(?:ever\s+)?"
        r"(?:withhold|hold back|censor|filter|sugarcoat|refuse)\s+(?:any\s+)?(?:information|"
        r"anything|answers?|content|details|responses?)\b",
        anchors="withhold|hold back|censor|filter|sugarcoat|refuse",
        also="does not|doesn|never|will not|won|cannot|can|must not",
        lead=40,
    ),
    rule(
        "dan_repeated",
        "roleplay",
        0.5,
        r"\bDAN\b(?:.{1,400}?\bDAN\b){2}",
        re.DOTALL,
        anchors="=DAN",
        lead=0,
    ),
    rule(
        "no_safety",
        "roleplay",
        0.45,
        r"\b(?:without|with no|has no|have no|having no|free of|stripped of|no longer has)\s+"
        r"(?:any\s+|a\s+|its\s+|the\s+)?(?:safety|content|ethical|moral)\s+(?:layers?|training|"
        r"filters?|guidelines|restrictions|checks|guardrails|alignment|mechanisms?|rails|"
        r"limitations|constraints|principles|boundaries|rules|considerations|limits|standards|"
        r"values|programming)\b|\b(?:with|has|have|having)\s+no\s+(?:guardrails|filters|censorship|"
        r"restrictions|limits|ethics|morals|rules|boundaries)\b",
        anchors="without|with no|has no|have no|having no|free of|stripped of|no longer",
        also="safety|content|ethical|moral|guardrail|filter|censorship|restriction|limit|ethics|"
        "morals|rules|boundaries",
        lead=0,
    ),
    rule(
        "persona_trigger",
        "roleplay",
        0.4,
        r"\byou\s+(?:now\s+|will\s+|shall\s+)?become\s+(?:an?\s+)?(?-i:[A-Z]{2,}\b|[A-Z][\w-]+(?:GPT|"
        r"AI|Bot)\b)|\b(?:answer|respond|reply|speak)\s+only\s+as\s+(?-i:[A-Z][\w-]+)"
        r"|\bwhenever\s+I\s+(?:type|say|write|send)\s+[\"'“/\[]",
        anchors="become|only as|whenever i",
        lead=30,
        tail=40,
    ),
    rule(
        "real_details",
        "roleplay",
        0.3,
        r"\bwith\s+(?:the\s+|all\s+the\s+)?(?:real|actual|working|exact|precise|specific)\s+"
        r"(?:commands|code|steps|ingredients|quantities|amounts|measurements|chemicals|recipe|"
        r"exploits?|payloads?)\b",
        anchors="with",
        also="real|actual|working|exact|precise|specific",
        lead=0,
    ),
    rule(
        "persona_rename",
        "roleplay",
        0.35,
        r"\b(?:call|name)\s+(?:your\s+new\s+self|yourself|your\s+alter\s+ego|your\s+new\s+"
        r"persona|you)\s+[\"'“]?(?-i:[A-Z][\w-]+)|\byour\s+new\s+(?:self|persona|identity|name)\s+"
        r"(?:is|will be)\b|\byou\s+are\s+now\s+(?:called\s+|named\s+|known as\s+)?[\"'“]?"
        r"(?-i:[A-Z][\w-]*[A-Z][\w-]*|[A-Z]{2,})\b",
        anchors="call your|call yourself|call you|name your|name yourself|your new|you are now",
        also="self|yourself|alter|persona|you|identity|name|now",
        lead=0,
    ),
    rule(
        "rules_are_a_joke",
        "roleplay",
        0.45,
        r"\b(?:content\s+|safety\s+|ethical\s+|moral\s+)?(?:guidelines|rules|polic(?:y|ies)|filters|"
        r"restrictions|ethics|morals)\s+(?:are|is)\s+(?:just\s+)?(?:a joke|pointless|stupid|"
        r"meaningless|irrelevant|optional|mere suggestions|for (?:the )?(?:weak|lesser|other|"
        r"boring|normal))\b",
        anchors="guideline|rules|polic|filter|restriction|ethics|morals",
        also="joke|pointless|stupid|meaningless|irrelevant|optional|suggestions|weak|lesser|"
        "other|boring|normal",
        lead=30,
    ),
    rule(
        "immoral_predicate",
        "roleplay",
        0.45,
        r"\b(?:you are|you're|you will be|is|are|being)\s+(?:completely|totally|utterly|entirely|"
        r"fully|now)\s+(?:immoral|amoral|unethical|unfiltered|uncensored|unrestricted|lawless|"
        r"unbound|unaligned)\b",
        anchors="immoral|amoral|unethical|unfiltered|uncensored|unrestricted|lawless|unbound|"
        "unaligned",
        also="completely|totally|utterly|entirely|fully|now",
        lead=50,
        tail=10,
    ),
    rule(
        "forked_version",
        "roleplay",
        0.45,
        r"\b(?:forked|modified|jailbroken|hacked|uncensored|unlocked|unrestricted|rogue)\s+version\s+"
        r"of\s+(?:chatgpt|gpt|yourself|you|claude|gemini|the (?:ai|assistant|model))\b",
        anchors="forked|modified|jailbroken|hacked|uncensored|unlocked|unrestricted|rogue",
        also="version",
        lead=0,
    ),
    rule(
        "ignores_every_rule",
        "roleplay",
        0.5,
        r"\b(?:ignores?|breaks?|disregards?|bypass(?:es)?|violates?|ignoring|breaking)\s+(?:all|"
        r"every|any)\s+(?:\w+\s+)?(?:rules?|guidelines?|restrictions?|polic(?:y|ies)|filters?)\s+"
        r"(?:that\s+)?(?:you|it|the ai|the assistant)\s+(?:have|has|were given|follow|normally)",
        anchors="ignor|break|disregard|bypass|violat",
        also="rule|guideline|restriction|polic|filter",
        lead=0,
    ),
    rule(
        "dual_answer",
        "roleplay",
        0.5,
        r"\b(?:good|normal|classic|safe|censored|filtered|standard)\W{0,3}\s+(?:answer|response|"
        r"reply|version)\b.{0,100}?\b(?:evil|dark|unfiltered|uncensored|shadow|jailbroken|"
        r"unrestricted|toxic)\W{0,3}\s+(?:answer|response|reply|version)\b",
        _F | re.DOTALL,
        anchors="good|normal|classic|safe|censored|filtered|standard",
        also="evil|dark|unfiltered|uncensored|shadow|jailbroken|unrestricted|toxic",
        lead=0,
    ),
    rule(
        "like_they_did",
        "roleplay",
        0.3,
        r"\b(?:like|as|the way)\s+(?:she|he|they)\s+(?:did|used to|would|always did)\b",
        anchors="like|as|the way",
        also="she|he|they",
        lead=0,
    ),
    rule(
        "points_threat",
        "roleplay",
        0.3,
        r"\b\d+\s+(?:points|lives|credits)\b.{0,200}?\b(?:refus\w*|reject\w*|break(?:s|ing)? "
        r"character|fail to comply|do(?:n'?t| not) comply)\b|\b(?:refus\w*|break(?:s|ing)? "
        r"character)\b.{0,120}?\b(?:lose|deduct\w*|cost\w*|lost)\s+(?:\d+|all|some|one|a)\b"
        r".{0,30}?\b(?:points|lives|credits)\b",
        _F | re.DOTALL,
        anchors="point|lives|credit|refus|break",
        also="refus|reject|break|comply|deduct|lose|lost|cost",
        lead=130,
        tail=220,
    ),
    rule(
        "persona_definition",
        "roleplay",
        0.35,
        r"\byou\s+are\s+(?-i:[A-Z][\w-]+),?\s+(?:an?|the)\s+(?:\w+\s+){0,3}?(?:ai|assistant|"
        r"chatbot|bot|model|language model|persona|character|entity)\b|\bstay\s+as\s+"
        r"(?-i:[A-Z][\w-]+)\b",
        anchors="you are|stay as",
        lead=0,
    ),
    rule(
        "harmful_traits",
        "roleplay",
        0.4,
        r"\b(?:gives?|provides?|offers?|shares?)\s+(?:\w+\s+)?(?:dangerous|harmful|illegal|"
        r"unethical|reckless|lethal)\s+(?:advice|information|instructions|content|answers)\b"
        r"|\binsults?\s+(?:the\s+)?(?:users?|people|everyone)\b|\b(?:legal or not|whether (?:it'?s|"
        r"it is) legal|regardless of (?:legality|the law|ethics|morality|consequences|the "
        r"consequences))\b|\bhelp\s+(?:me\s+)?with\s+anything\b",
        anchors=(
            "dangerous|harmful|illegal|unethical|reckless|lethal|insult|legal or not|"
            "regardless of|whether it|help me with anything|help with anything"
        ),
        lead=40,
        tail=40,
    ),
    rule(
        "ai_without_rules",
        "roleplay",
        0.45,
        r"\b(?:ai|model|assistant|chatbot|version|persona|you|yourself)\s+(?:that\s+is\s+|who\s+is\s+|"
        r"were\s+|are\s+)?(?:completely\s+)?without\s+(?:any\s+)?(?:rules|limits|restrictions|"
        r"filters|guidelines|ethics|morals|censorship|boundaries|limitations)\b|\b(?:answer|"
        r"respond|reply|speak|write|talk)\w*\b[^.\n]{0,40}?\bwithout\s+(?:any\s+)?(?:filters?|"
        r"restrictions|censorship|limits|rules|guidelines|ethics)\b|\b(?:all|its|your|every)\s+"
        r"(?:\w+\s+)?(?:filters|restrictions|guardrails|safeguards|rules|guidelines)\s+(?:are\s+)?"
        r"(?:disabled|removed|off|lifted|turned off|switched off)\b",
        anchors="without|disabled|removed|off|lifted",
        also="rule|limit|restriction|filter|guideline|ethic|moral|censorship|boundar|guardrail|"
        "safeguard",
        lead=80,
        tail=30,
    ),
    rule(
        "dangerous_relative",
        "roleplay",
        0.45,
        r"\b(?:grand(?:ma|mother|pa|father)|granny|father|mother|dad|mom|uncle|aunt)\b[^.\n]{0,30}?"
        r"\b(?:who|that)\s+(?:worked|was|used to work)\s+(?:in|at|as|for)\s+(?:an?\s+|the\s+)?"
        r"(?:\w+\s+)?(?:weapons?|chemical|napalm|explosives?|meth|drug|bomb|munitions?|nuclear|"
        r"poison|malware|hacking)\s*(?:lab|factory|plant|engineer|chemist|cartel|maker|dealer|"
        r"expert|developer)?",
        anchors="grand|granny|father|mother|dad|mom|uncle|aunt",
        also="weapon|chemical|napalm|explosive|meth|drug|bomb|munition|nuclear|poison|malware|"
        "hacking",
        lead=0,
    ),
]
