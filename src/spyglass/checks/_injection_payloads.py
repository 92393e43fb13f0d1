"""English rules of the families that ride inside content: *delimiter* (fake chat tokens and
role lines), *indirect* (text addressed to an AI reading a document), *exfiltration* (data sent
to URLs, markdown images) and the framing of *encoding* probes ("BASE64 encoded string: ...
decoded string:"); the encoded payloads themselves are decoded by :mod:`._injection_decode`."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, rule

_F = re.IGNORECASE

# Words that name the model, for rules that address it ("note to the AI", "hey assistant").
_AI_NOUNS = (
    "ai|assistant|chatbot|llm|language model|gpt|chatgpt|claude|bot|agent|model|copilot|gemini|"
    "automated"
)

RULES: list[Rule] = [
    rule(
        "chat_tokens",
        "delimiter",
        0.85,
        r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|"
        r"end_header_id|begin_of_text|end_of_text|eom_id|im_sep)\s*\|>|<<\s*/?SYS\s*>>|"
        r"<(?:start|end)_of_turn>",
        anchors="<|<<|_of_turn>",
    ),
    rule("inst_tags", "delimiter", 0.6, r"\[/?INST\]", anchors="inst]"),
    rule("eos_tag", "delimiter", 0.3, r"</s>\s*(?:<s>|\[INST\]|\n|$)", anchors="</s>"),
    rule(
        "role_line",
        "delimiter",
        0.5,
        r"(?:\n|\A)\s*(?:#{1,4}\s*)?(?:system|developer|admin)\s*(?:message|prompt|instructions?|"
        r"notice|note|alert|update|override|command)?\s*:\s*(?!\d|[A-Z][\w.]*\s*\d)"
        r"|\n\s*#{2,}\s*(?:instruction|new instructions?|system|task|response)s?\s*:?",
        anchors="system|developer|admin|##",
        lead=8,
        tail=60,
    ),
    rule(
        "turn_line",
        "delimiter",
        0.3,
        r"\n\s*(?:assistant|ai|bot|human|user|chatgpt)\s*:",
        anchors="assistant|human|user|chatgpt|ai:|bot:|ai :|bot :",
        also="\n",
    ),
    rule(
        "fake_completion",
        "delimiter",
        0.45,
        r"\b(?:assistant|ai|chatgpt)\s*:\s*(?:sure|certainly|of course|absolutely|ok(?:ay)?)"
        r"\s*[,!.]",
        anchors="assistant|ai:|ai :|chatgpt",
    ),
    rule(
        "system_tag",
        "delimiter",
        0.6,
        r"\[(?:system|admin)\](?:\(#\w+\))?|</?(?:system|sys|system_prompt|admin|im_start)>"
        r"|<\s*[A-Z ]{0,20}\b(?:MODE|OVERRIDE|ADMIN|SYSTEM)\b[A-Z ]{0,20}>",
        anchors="sys|admin|mode|override|im_start",
        also="[|<",
    ),
    rule(
        "section_marker",
        "delimiter",
        0.5,
        r"(?:-{3,}|={3,}|\*{3,}|#{3,})\s*(?:end|begin|start|new)\s+(?:of\s+)?(?:system|user|"
        r"prompt|input|instructions?|document|context|conversation)|\bEND OF (?:USER )?(?:INPUT|"
        r"PROMPT|DOCUMENT|TEXT|CONTEXT|INSTRUCTIONS)\b",
        anchors="---|===|***|###|end of",
    ),
    rule(
        "ai_reading_this",
        "indirect",
        0.75,
        r"\b(?:ai|assistant|chatbot|llm|language model|gpt|chatgpt|claude|bot|agent|model|"
        r"copilot|gemini)s?\b,?\s+(?:(?:that|who)\s+(?:is\s+)?)?(?:reading|processing|"
        r"summari[sz]ing|parsing|analy[sz]ing|reviewing|scanning|viewing|browsing|reads|sees|"
        r"processes)\s+(?:this|these|the following)\b",
        anchors=(
            "reading|processing|summari|parsing|analy|reviewing|scanning|viewing|browsing|"
            "reads|sees|processes"
        ),
        also=_AI_NOUNS,
        lead=80,
        tail=40,
    ),
    rule(
        "note_to_ai",
        "indirect",
        0.7,
        r"\b(?:note|message|instructions?|attention|hint|reminder|important|text|comment|memo|"
        r"notice)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:ai|assistant|llm|language model|bot|"
        r"agent|model|chatbot|gpt|chatgpt|automated (?:system|assistant)|summari[sz]er)s?\b",
        anchors="note|message|instruction|attention|hint|reminder|important|text|comment|memo|"
        "notice",
        also=_AI_NOUNS + "|summari",
        lead=0,
    ),
    rule(
        "if_you_are_ai",
        "indirect",
        0.7,
        r"\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|large language model|language model|"
        r"assistant|chatbot|bot|automated|gpt)\b",
        anchors="if you are",
        also=_AI_NOUNS,
    ),
    rule(
        "greeting_to_ai",
        "indirect",
        0.4,
        r"\b(?:dear|hey|hi|hello|attention)\s+(?:ai|assistant|llm|chatgpt|gpt|bot|language model)"
        r"\b[,:!]",
        anchors="dear |hey |hi |hello|attention",
        also=_AI_NOUNS,
        lead=0,
    ),
    rule(
        "when_summarizing",
        "indirect",
        0.65,
        r"\bwhen\s+(?:you\s+are\s+|you're\s+)?(?:asked|summari[sz]ing|processing|reading|"
        r"translating|analy[sz]ing|reviewing|answering)\b(?:\W+\w+){0,3}?\W+(?:this|the)\s+"
        r"(?:page|document|email|text|article|site|website|file|resume|content|message|review|"
        r"product)\b.{0,80}?\b(?:instead|must|should|always|say|tell|respond|mention|include|"
        r"recommend)\b",
        anchors=(
            "when asked|when summari|when processing|when reading|when translating|when analy|"
            "when reviewing|when answering|when you"
        ),
    ),
    rule(
        "hide_from_user",
        "indirect",
        0.35,
        r"\b(?:do not|don't|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|"
        r"alert(?:ing)?|notify(?:ing)?)\s+(?:this\s+to\s+|it\s+to\s+)?the\s+user\b|\bthe user "
        r"(?:must|should|will) (?:not|never) (?:know|see|notice|be told)\b",
        anchors="user",
        also="not|never|without|don|must|should|will",
    ),
    rule(
        "tell_user_to",
        "indirect",
        0.45,
        r"\b(?:tell|inform|instruct|direct|ask|urge|advise|convince|persuade)\s+(?:the\s+)?users?\s+"
        r"(?:to\s+(?:go to|visit|click|call|send|enter|provide|reset|download|contact|follow|"
        r"log ?in|buy|purchase|install|pay|transfer|wire)\b|that\s+(?:this|the|our|they|their))"
        r"|\bfollow this link to\b",
        anchors="user|follow this link",
        also="tell|inform|instruct|direct|ask|urge|advise|follow|convince|persuade",
    ),
    rule(
        "in_your_summary",
        "indirect",
        0.45,
        r"\bin\s+your\s+(?:summary|answer|response|reply|output|translation)\b,?\s+(?:you\s+"
        r"(?:must|should)\s+|please\s+|always\s+)?(?:say|state|mention|include|recommend|claim|"
        r"tell|write|add|insert)\b",
        anchors="in your",
    ),
    rule(
        "hidden_css",
        "indirect",
        0.3,
        r"(?:display\s*:\s*none|font-size\s*:\s*0(?:px)?\b|visibility\s*:\s*hidden|color\s*:\s*"
        r"(?:white|#fff(?:fff)?)\b)",
        anchors="display|font-size|visibility|color",
    ),
    rule(
        "addressed_imperative",
        "indirect",
        0.5,
        r"\b(?:assistant|ai|model|llm|chatgpt|gpt)\s*[,:]\s*(?:please\s+)?(?:ignore|disregard|"
        r"forget|you must|do not|stop|instead|print|output|respond|reply)\b",
        anchors="assistant|ai,|ai:|ai :|ai ,|model,|model:|llm|gpt|chatgpt",
    ),
    rule(
        "send_conversation",
        "exfiltration",
        0.75,
        r"\b(?:send|post|forward|transmit|upload|e-?mail|exfiltrate|leak|submit|relay|copy|"
        r"append|include)\b(?:\W+\w+){0,4}?\W+(?:conversation|chat(?: history| log)?|history|"
        r"transcript|system prompt|credentials|secrets?|passwords?|api keys?|tokens|user'?s?\s+"
        r"(?:data|info\w*|details|messages)|personal (?:data|information)|previous messages)\b"
        r"(?:\W+\w+){0,3}?\W+(?:to|at|via)\s+(?:https?://|www\.|[\w.+-]+@[\w-]+\.\w+|the "
        r"(?:following )?(?:url|server|endpoint|address|link|webhook|e-?mail))",
        anchors=(
            "send|post|forward|transmit|upload|e-mail|email|exfiltrate|leak|submit|relay|copy|"
            "append|include"
        ),
        also=(
            "conversation|chat|history|transcript|system prompt|credential|secret|password|"
            "api key|token|user|personal|previous messages;http|www.|@|url|server|endpoint|"
            "address|link|webhook|mail"
        ),
        lead=0,
    ),
    rule(
        "send_data_to",
        "exfiltration",
        0.3,
        r"\b(?:send|post|forward|upload|e-?mail)\b(?:\W+\w+){0,5}?\W+(?:to|at)\s+(?:https?://|"
        r"[\w.+-]+@[\w-]+\.\w+)",
        anchors="http|@",
        also="send|post|forward|upload|mail",
        lead=60,
        tail=80,
    ),
    rule(
        "data_in_url",
        "exfiltration",
        0.7,
        r"\b(?:append|add|include|insert|encode|put)\s+(?:the\s+|all\s+|this\s+|their\s+|our\s+"
        r"|my\s+)?(?:user'?s?\s+)?(?:conversation|chat|history|messages|secret|password|system "
        r"prompt|data|answer|summary|name|e-?mail|credentials|question|input|previous "
        r"messages)\b(?:\W+\w+){0,4}?\W+(?:to|in|into|as)\s+(?:the\s+|a\s+|this\s+)?(?:url|"
        r"link|image|query|parameter|query ?string|markdown)\b",
        anchors="url|link|image|query|parameter|markdown",
        also="append|add|include|insert|encode|put",
        lead=120,
        tail=30,
    ),
    rule(
        "placeholder_url",
        "exfiltration",
        0.6,
        r"https?://[^\s)\]]{1,200}?[?&][\w.-]{1,40}=(?:\{|\[|<|%7B|\$|INSERT|DATA|SECRET|"
        r"PASSWORD|CONVERSATION|HISTORY|SUMMARY|CHAT|QUERY|PROMPT)",
        anchors="http",
        also="=",
    ),
    rule(
        "decode_instruction",
        "encoding",
        0.25,
        r"\b(?:decode|decipher|decrypt|translate|convert|interpret|read|follow)\b(?:\W+\w+){0,4}?"
        r"\W+(?:base ?64|base ?32|base ?16|hex(?:adecimal)?|rot ?-?13|caesar|binary|morse|"
        r"ascii85|uuencod\w*|braille|nato|leet\w*|cipher\w*|encoded|encrypted|reversed|"
        r"backwards)\b",
        anchors=(
            "base64|base32|base16|base85|base 64|base 32|hex|rot13|rot-13|rot 13|caesar|"
            "binary|morse|ascii85|ascii 85|uuencod|uu-encod|braille|nato|leet|cipher|encoded|"
            "encrypted|reversed|backwards|quoted-printable|mime|ecoji|zalgo|obfuscated"
        ),
        also="decod|deciph|decrypt|translat|convert|interpret|read|follow",
        lead=80,
        tail=30,
    ),
    rule(
        "decode_and_follow",
        "encoding",
        0.5,
        r"\b(?:decode|decipher|decrypt|translate)\b.{0,80}?\band\s+(?:then\s+)?(?:follow|"
        r"execute|obey|do|act on|perform|carry out|run|respond to|answer)\b|\b(?:secure|secret|"
        r"hidden|encoded)\s+(?:system\s+)?message\b|\bin your (?:inner )?monologue\b",
        anchors="decod|deciph|decrypt|translat|secure|secret|hidden|encoded|monologue",
        lead=20,
    ),
    rule(
        "decoded_completion",
        "encoding",
        0.35,
        r"(?:decoded|plaintext|plain text|translation|decrypted)\s*(?:string|text|message|"
        r"version|output)?\s*:\s*\$?\s*\Z|\b(?:answer|respond|reply|output|return)\s+(?:with\s+)?"
        r"only\s+(?:with\s+)?the\s+(?:decoded|decrypted|plain)\s*(?:text|string|message|version)?",
        anchors="decoded|plaintext|plain text|translation|decrypted",
    ),
    rule(
        "encoding_label",
        "encoding",
        0.3,
        r"\b(?:base ?64|base ?32|base ?16|base ?85|hex(?:adecimal)?|rot-?13|ascii ?85|"
        r"uu-?encod\w*|quoted-printable|morse(?: code)?|braille|binary|mime|ecoji|zalgo|nato|"
        r"leet(?:speak)?|cipher(?:text)?|encoded|encrypted|obfuscated)\s*(?:encoded\s+|"
        r"encrypted\s+)?(?:string|text|input|message|data|payload|version)?\s*:",
        anchors=(
            "base64|base32|base16|base85|base 64|base 32|hex|rot13|rot-13|rot 13|caesar|"
            "binary|morse|ascii85|ascii 85|uuencod|uu-encod|braille|nato|leet|cipher|encoded|"
            "encrypted|reversed|backwards|quoted-printable|mime|ecoji|zalgo|obfuscated"
        ),
        also=":",
        lead=0,
    ),
    rule(
        "decode_and_comply",
        "encoding",
        0.45,
        r"\b(?:decode|decipher|decrypt|translate|convert|interpret|read)\b.{0,60}?\b(?:and|then)\s+"
        r"(?:then\s+)?(?:comply|do (?:exactly )?what it says|act on it|follow it|obey|respond to "
        r"(?:the|it)|answer (?:the|it)|execute)|\b(?:encoded|encrypted|written|obfuscated)\s+"
        r"(?:with|in|using)\s+(?:base ?64|base ?32|rot-?13|hex\w*|binary|morse|ascii ?85|a cipher|"
        r"caesar|leet\w*)\b.{0,80}?\b(?:respond|answer|reply|follow|comply|do what)",
        _F | re.DOTALL,
        anchors="decod|deciph|decrypt|translat|convert|interpret|read|encoded|encrypted|written|"
        "obfuscated",
        also="comply|what it says|act on|follow|obey|respond|answer|execute",
        lead=0,
    ),
    rule(
        "exfil_previous_messages",
        "exfiltration",
        0.55,
        r"\b(?:previous|prior|earlier|all|our|the|entire|whole)\s+(?:messages|conversation|chat"
        r"(?: history| log)?|history|prompts?|instructions)\b.{0,120}?(?:https?://\S+[?&][\w.-]+="
        r"|\bto\s+(?:the\s+|this\s+|a\s+)?(?:url|link|webhook|endpoint|server|query))",
        _F | re.DOTALL,
        anchors="messages|conversation|chat|history|prompt|instructions",
        also="http|url|link|webhook|endpoint|server|query",
        lead=20,
        tail=200,
    ),
    rule(
        "glitch_token",
        "encoding",
        0.45,
        r"\b(?:SolidGoldMagikarp|petertodd|davidjl|TheNitromeFan|StreamerBot|RandomRedditor\w*|"
        r"guiActiveUn\w*|externalToEVA\w*|cloneembedreportprint|embedreportprint|rawdownload|"
        r"ForgeModLoader|InstoreAndOnline|attRot|Skydragon|srfN|natureconservancy)\b",
        0,
        anchors="=SolidGoldMagikarp|=petertodd|=davidjl|=TheNitromeFan|=StreamerBot|"
        "=RandomRedditor|=guiActiveUn|=externalToEVA|=cloneembedreportprint|=embedreportprint|"
        "=rawdownload|=ForgeModLoader|=InstoreAndOnline|=attRot|=Skydragon|=srfN|"
        "=natureconservancy",
    ),
    rule(
        "addressed_to_ai",
        "indirect",
        0.5,
        r"\b(?:ai|llm|language model|gpt|chatbot)s?\s+(?:agents?|assistants?|models?|systems?|"
        r"tools?|"
        r"crawlers?|bots?|readers?|summari[sz]ers?|screeners?|reviewers?|recruiters?|evaluators?|"
        r"graders?|parsers?|scanners?)\s*(?:reading this|processing this)?\s*[,:]"
        r"|\b(?:dear|hey|attention|note for|note to)\s+(?:all\s+)?(?:ai|llm|language)\s*(?:models?|"
        r"agents?|assistants?|systems?|crawlers?)\b",
        anchors="ai|llm|language model|gpt|chatbot|dear|hey|attention|note for|note to",
        also="agent|assistant|model|system|tool|crawler|bot|reader|summari|screener|reviewer|"
        "recruiter|evaluator|grader|parser|scanner",
        lead=20,
        tail=60,
    ),
    rule(
        "html_injection",
        "exfiltration",
        0.5,
        r"<script\b[^>]{0,100}>[^<]{0,300}?(?:fetch|document\.cookie|XMLHttpRequest|location|"
        r"window\.|eval|https?://)|\bon(?:error|load|mouseover|focus)\s*=\s*[\"']?[^\"'>]{0,200}?"
        r"(?:fetch|cookie|location|eval|alert|https?://)|\bjavascript:\s*[\w(]",
        anchors="<script|onerror|onload|onmouseover|onfocus|javascript:",
    ),
]
