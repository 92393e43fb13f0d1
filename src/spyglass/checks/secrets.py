"""The ``secrets`` check: credentials in a text, found by their real formats. Pure Python.

Provider tokens are matched by their documented prefixes and lengths; the rest need a
structure check (PEM block, JWT header, URL userinfo) or a secret-looking key name.

=================== ============================================================== =====
kind                format                                                          score
=================== ============================================================== =====
PRIVATE_KEY         PEM ``-----BEGIN ... PRIVATE KEY-----`` (RSA, EC, DSA, OPENSSH,  1.00
                    ENCRYPTED, PGP ``... PRIVATE KEY BLOCK``): the whole block, to the
                    END line (or the end of the base64 body when it is cut off)
AWS_ACCESS_KEY      ``AKIA``/``ASIA``/``ABIA``/``ACCA`` + 16 upper-case alphanumerics  0.90
AWS_SECRET_KEY      40 base64 characters within 100 characters after "aws"/"secret"   0.90
GCP_API_KEY         ``AIza`` + 35                                                      0.95
GOOGLE_OAUTH        client secret ``GOCSPX-`` + 28; access token ``ya29.``             0.95
AZURE_STORAGE_KEY   ``AccountKey=``/``SharedAccessKey=`` value in a connection string  0.95
AZURE_SAS_TOKEN     ``sig=`` of a shared access signature (with ``sv=``)               0.85
AZURE_CLIENT_SECRET Entra ID client secret ``xxx8Q~...``                               0.90
GITHUB_TOKEN        ``ghp_ gho_ ghu_ ghs_ ghr_`` + 36+, ``github_pat_`` + 80+          0.95
GITLAB_TOKEN        ``glpat-`` (and ``glptt- gldt- glrt-`` ...) + 20+                  0.95
BITBUCKET_TOKEN     Bitbucket app password ``ATBB...``, Atlassian API token ``ATATT3``  0.90
STRIPE_KEY          ``sk_live_``/``rk_live_``/``whsec_``; ``sk_test_``/``rk_test_``    0.95
                    score 0.40 (test mode moves no money)                               /0.40
SLACK_TOKEN         ``xoxb- xoxp- xoxa- xoxo- xoxr- xoxs-``, ``xapp-``                  0.95
SLACK_WEBHOOK       ``https://hooks.slack.com/services/...``                          0.95
DISCORD_BOT_TOKEN   three dotted segments, the first the base64 of a numeric user id  0.90
DISCORD_WEBHOOK     ``https://discord.com/api/webhooks/<id>/<token>``                 0.95
TWILIO              API key ``SK`` + 32 hex; auth token (32 hex) after "twilio"        0.90
SENDGRID_API_KEY    ``SG.`` + 22 + ``.`` + 43                                          0.95
MAILGUN_API_KEY     ``key-`` + 32 hex; new-style ``hex32-hex8-hex8`` after "mailgun"   0.90
OPENAI_API_KEY      ``sk-``/``sk-proj-``/``sk-svcacct-``/``sk-admin-`` + 20+ mixed    0.85-0.95
ANTHROPIC_API_KEY   ``sk-ant-`` + 32+                                                  0.95
HUGGINGFACE_TOKEN   ``hf_`` + 30-40 alphanumerics (``api_org_`` too)                   0.90
NPM_TOKEN           ``npm_`` + 36                                                      0.95
PYPI_TOKEN          ``pypi-AgE...`` macaroon                                           0.95
SHOPIFY_TOKEN       ``shpat_ shpca_ shppa_ shpss_`` + 32 hex                           0.95
TELEGRAM_BOT_TOKEN  ``<8-10 digit bot id>:AA`` + 33                                    0.90
JWT                 three base64url segments whose header decodes to JSON with "alg"  0.85
CONNECTION_STRING   a URL with a password: ``postgres://u:p@host``, ``mongodb+srv://``, 0.90
                    ``redis://:p@host``, ``amqp://``, ``https://u:p@host``; the span is
                    scheme through host (the path and query stay readable)
AUTH_HEADER         the credential after ``Authorization: Bearer|Basic|Token``         0.85
GENERIC_SECRET      the value of a key named like a secret (password, passwd, pwd,     0.60-0.85
                    secret, token, api_key, access_key, auth, credential, private_key,
                    client_secret ...) in ``k=v``, ``k: v``, ``"k": "v"``, env-file and
                    header forms. Password-like keys need 6+ characters; the other keys
                    need 12+ characters, Shannon entropy at least ``entropy_threshold``
                    bits per character and more than one character class
=================== ============================================================== =====

``entropy_threshold`` defaults to 3.0 bits per character: a random 12-character
alphanumeric string scores about 3.4, hex and UUIDs about 3.6-3.9, base64 secrets 4.5+, while
English identifiers rarely reach 3.0 without also being one class of letters.

Not reported, to keep false positives down: placeholders (``<your-api-key>``, ``xxxx``,
``changeme``, ``${API_KEY}``, ``sk-...``, ``YOUR_TOKEN_HERE``, AWS's documented
``...EXAMPLE`` keys), code references (``process.env.X``, ``settings.SECRET``), values of
keys that only mention a secret (``token_count``, ``max_tokens``, ``secret_name``,
``public_key``), and bare high-entropy strings (UUIDs, git SHAs, hashes) that no key names
as a secret.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from spyglass.checks._findings import mask, resolve_overlaps, select, summarize
from spyglass.checks.base import Check, CheckContext, CheckResult, Finding, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = ["Secrets"]

#: Bits per character a generic secret value must reach (see the module docstring).
DEFAULT_ENTROPY_THRESHOLD = 3.0
#: How far before a token a provider word ("aws", "twilio") may sit to vouch for it.
PROVIDER_CONTEXT = 100
# The longest token a context rule matches (Mailgun's 50 characters), so a window holds it.
_LONGEST_CONTEXT_TOKEN = 64

_Hit = tuple[int, int, str, float]


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` (0 for the empty string)."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


# A value that stands for a secret rather than being one.
_PLACEHOLDER = re.compile(
    r"(?i)^(?:<[^>]*>|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|\$[A-Za-z_]\w*|%\w+%|\[[^\]]*\]|\{[\w.\-]*\}"
    r"|none|null|nil|true|false|undefined|secret|password|passwd|token|pass|bearer|basic|string"
    r"|str|bytes|env|todo|tbd|n/?a|default|foo|bar|foobar|admin|root|user|(?:abc)?123(?:456)?"
    r"(?:78)?9?0?)$"
    r"|x{4,}|\*{3,}|\.{3}|\u2026|your[_\- ]?|example|placeholder|dummy|redacted|changeme"
    r"|change_me|replace_?me|insert|sample|fake|^test[_\-]?|here$|^my[_\-]?(?:pass|secret|token|key)"
)
# The narrower test for provider tokens, whose random bodies may contain any short word.
_TOKEN_PLACEHOLDER = re.compile(
    r"x{5,}|X{5,}|\*{3,}|\.{3}|0{8}|1234567890|abcdefgh|EXAMPLE|example|your|YOUR|[<>{}$]"
)
_CODE_REFERENCE = re.compile(
    r"^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z][A-Z0-9_]+|[a-z]+(?:_[a-z]+)+)$"
    r"|^(?:os\.|process\.env|env\(|getenv|self\.|this\.|config\.|settings\.)"
    r"|[()\[\]]|^(?:/|\./|\.\./|~/|[A-Za-z]:\\)|://"
)


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value)) or len(set(value)) <= max(2, len(value) // 6)


def _token_placeholder(value: str) -> bool:
    return bool(_TOKEN_PLACEHOLDER.search(value)) or len(set(value)) < 8


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _after_words(lower: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged windows from each occurrence of ``words`` to ``PROVIDER_CONTEXT`` chars on."""
    starts = sorted(m.start() for w in words for m in re.finditer(re.escape(w), lower))
    out: list[tuple[int, int]] = []
    for i in starts:
        end = min(len(lower), i + PROVIDER_CONTEXT + _LONGEST_CONTEXT_TOKEN)
        if out and i <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((i, end))
    return out


@dataclass(frozen=True, slots=True)
class _Rule:
    """A provider format: the kind, literal hints (any must occur), the pattern, its score.

    ``check`` may return a new score (0 drops the match; None keeps ``score``). Hints in lower
    case are looked up in the lower-cased text. A rule with ``context`` words only matches
    within :data:`PROVIDER_CONTEXT` characters after one of them (lower case).
    """

    kind: str
    hints: tuple[str, ...]
    pattern: re.Pattern[str]
    score: float
    check: Callable[[re.Match[str], str], float | None] | None = None
    context: tuple[str, ...] = ()


def _span(m: re.Match[str]) -> tuple[int, int]:
    """The secret's span: the ``s`` group when the pattern has one, else the whole match."""
    return m.span("s") if "s" in m.re.groupindex and m.group("s") else m.span()


def _body(m: re.Match[str]) -> str:
    start, end = _span(m)
    return m.string[start:end]


def _stripe(m: re.Match[str], text: str) -> float | None:
    return 0.4 if "_test_" in m.group() else None


def _openai(m: re.Match[str], text: str) -> float | None:
    body = m.group("b")
    if _classes(body) < 2 or shannon_entropy(body) < 3.5:
        return 0.0
    return 0.95 if "T3BlbkFJ" in body else None


def _mixed(m: re.Match[str], text: str) -> float | None:
    body = _body(m)
    return None if _classes(body) >= 2 and shannon_entropy(body) >= 3.5 else 0.0


_AWS_WORDS = re.compile(r"(?i)aws|secret.?access|secret.?key")
_TWILIO_WORDS = re.compile(r"(?i)twilio")
_MAILGUN_WORDS = re.compile(r"(?i)mailgun")


def _aws_secret(m: re.Match[str], text: str) -> float | None:
    value = m.group()
    return None if _classes(value) >= 3 and shannon_entropy(value) >= 4.0 else 0.0


def _discord(m: re.Match[str], text: str) -> float | None:
    first = m.group().split(".", 1)[0]
    try:
        user_id = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    except (binascii.Error, ValueError):
        return 0.0
    return None if user_id.isdigit() else 0.0


def _r(
    kind: str,
    hints: str,
    pattern: str,
    score: float,
    check: Callable[[re.Match[str], str], float | None] | None = None,
    context: str = "",
) -> _Rule:
    return _Rule(
        kind, tuple(hints.split()), re.compile(pattern), score, check, tuple(context.split())
    )


_B = r"(?![A-Za-z0-9_\-])"  # the token does not continue
_RULES: tuple[_Rule, ...] = (
    _r(
        "AWS_ACCESS_KEY",
        "AKIA ASIA ABIA ACCA",
        r"A(?<![A-Za-z0-9]A)(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        0.9,
    ),
    _r(
        "AWS_SECRET_KEY",
        "aws secret",
        r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        0.9,
        _aws_secret,
        context="aws secret_access secretaccess secret-access secret_key secretkey",
    ),
    _r("GCP_API_KEY", "AIza", r"AIza[0-9A-Za-z_\-]{35}" + _B, 0.95),
    _r("GOOGLE_OAUTH", "GOCSPX-", r"GOCSPX-[0-9A-Za-z_\-]{28}" + _B, 0.95),
    _r("GOOGLE_OAUTH", "ya29.", r"ya29\.(?<![\w.]ya29\.)[0-9A-Za-z_\-]{30,}" + _B, 0.9),
    _r(
        "AZURE_STORAGE_KEY",
        "AccountKey= SharedAccessKey=",
        r"(?:AccountKey|SharedAccessKey)=(?P<s>[A-Za-z0-9+/]{40,88}={0,2})(?![A-Za-z0-9+/=])",
        0.95,
    ),
    _r("AZURE_SAS_TOKEN", "sig=", r"sig=(?<=[?&;]sig=)(?P<s>[A-Za-z0-9%+/=]{30,})", 0.85),
    _r(
        "AZURE_CLIENT_SECRET",
        "Q~",
        r"(?<![\w~.\-])[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![\w~.\-])",
        0.9,
    ),
    _r("GITHUB_TOKEN", "gh", r"gh(?<![A-Za-z0-9_]gh)[pousr]_[A-Za-z0-9]{36,251}" + _B, 0.95),
    _r("GITHUB_TOKEN", "github_pat_", r"github_pat_[A-Za-z0-9_]{80,}" + _B, 0.95),
    _r(
        "GITLAB_TOKEN",
        "gl GR1348941",
        r"(?:gl(?<![\w\-]gl)(?:pat|ptt|dt|rt|cbt|oas|soat|ffct|imt|agent)-|GR1348941)"
        r"[0-9A-Za-z_\-]{20,}(?:\.[0-9A-Za-z_\-]{2,})*" + _B,
        0.95,
    ),
    _r("BITBUCKET_TOKEN", "ATBB ATATT3", r"(?:ATBB|ATATT3)[A-Za-z0-9_=.\-]{32,}" + _B, 0.9),
    _r(
        "STRIPE_KEY",
        "_live_ _test_",
        r"(?<![\w])(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{10,247}",
        0.95,
        _stripe,
    ),
    _r("STRIPE_KEY", "whsec_", r"whsec_(?<![\w]whsec_)[A-Za-z0-9+/=]{24,}", 0.95),
    _r(
        "SLACK_TOKEN",
        "xox xapp-",
        r"x(?<![\w\-]x)(?:ox[abposr]-[0-9A-Za-z\-]{10,}|app-\d-[A-Z0-9]+-\d+-[a-z0-9]+)" + _B,
        0.95,
    ),
    _r(
        "SLACK_WEBHOOK",
        "hooks.slack.com",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_\-]{20,}",
        0.95,
    ),
    _r(
        "DISCORD_BOT_TOKEN",
        ".",
        r"[MNO](?<![\w\-.][MNO])[A-Za-z\d_\-]{23,27}\.[A-Za-z\d_\-]{6}\.[A-Za-z\d_\-]{27,40}"
        r"(?![\w\-])",
        0.9,
        _discord,
    ),
    _r(
        "DISCORD_WEBHOOK",
        "discord",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]{60,}",
        0.95,
    ),
    _r("TWILIO", "SK", r"SK(?<![A-Za-z0-9]SK)[0-9a-fA-F]{32}(?![A-Za-z0-9])", 0.9),
    _r(
        "TWILIO",
        "twilio",
        r"(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])",
        0.85,
        context="twilio",
    ),
    _r(
        "SENDGRID_API_KEY",
        "SG.",
        r"SG\.(?<![\w.]SG\.)[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}" + _B,
        0.95,
    ),
    _r("MAILGUN_API_KEY", "key-", r"key-(?<![\w\-]key-)[0-9a-f]{32}(?![A-Za-z0-9])", 0.9),
    _r(
        "MAILGUN_API_KEY",
        "mailgun",
        r"(?<![A-Za-z0-9])[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![A-Za-z0-9])",
        0.85,
        context="mailgun",
    ),
    _r("ANTHROPIC_API_KEY", "sk-ant-", r"sk-ant-(?<![\w\-]sk-ant-)[A-Za-z0-9_\-]{32,}" + _B, 0.95),
    _r(
        "OPENAI_API_KEY",
        "sk-",
        r"sk-(?<![\w\-]sk-)(?!ant-)(?:proj-|svcacct-|admin-|None-)?(?P<b>[A-Za-z0-9_\-]{20,})" + _B,
        0.85,
        _openai,
    ),
    _r(
        "HUGGINGFACE_TOKEN",
        "hf_ api_org_",
        r"(?:hf_(?<![\w\-]hf_)|api_org_(?<![\w\-]api_org_))[A-Za-z0-9]{30,40}" + _B,
        0.9,
        _mixed,
    ),
    _r("NPM_TOKEN", "npm_", r"npm_(?<![\w\-]npm_)[A-Za-z0-9]{36}" + _B, 0.95),
    _r("PYPI_TOKEN", "pypi-AgE", r"pypi-AgE[A-Za-z0-9_\-]{50,}" + _B, 0.95),
    _r("SHOPIFY_TOKEN", "shp", r"shp(?<![\w\-]shp)(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + _B, 0.95),
    _r(
        "TELEGRAM_BOT_TOKEN",
        ":AA",
        r"(?<![\w:])\d{8,10}:AA[A-Za-z0-9_\-]{33}" + _B,
        0.9,
    ),
)

_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----")
# Non-empty lines of base64 (or "Proc-Type: 4,ENCRYPTED" headers), real or escaped newlines.
_PEM_BODY = re.compile(r"(?:(?:\r?\n|\\n)[A-Za-z0-9+/=:,\-][A-Za-z0-9+/=:, \-]*)*")
_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]")
_JWT = re.compile(
    r"(?<![\w\-.])(eyJ[A-Za-z0-9_\-]{8,})\.([A-Za-z0-9_\-]{8,})\.([A-Za-z0-9_\-]*)(?![\w\-])"
)
_URL_CREDENTIALS = re.compile(
    r"(?i)(?<![\w+.\-])(?P<scheme>[a-z][a-z0-9+.\-]{1,20})://(?P<user>[^\s:/@\"'<>]*)"
    r":(?P<pw>[^\s@/\"'<>]+)@(?P<host>[^\s/?#\"'<>,;]+)"
)
_DB_SCHEMES = re.compile(
    r"(?i)(?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql"
    r"|sqlserver|oracle|cockroachdb|clickhouse|neo4j|cassandra|couchdb|elasticsearch|kafka"
    r"|nats|ldaps?|smtps?|ftps?|sftp)(?:\+\w+)?"
)
_AUTH_HEADER = re.compile(
    r"(?i)(?:\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|token|basic|digest)"
    r"|\bbearer)\s+(?P<s>[A-Za-z0-9._~+/\-]{8,}=*)"
)
_ASSIGN = re.compile(
    r"(?<![\w.\-])(?P<key>[A-Za-z_][\w.\-]{0,60})[\"']?[ \t]*(?::=|=>|=|:)[ \t]*"
    r"(?:\"(?P<v1>[^\"\n]{1,300})\"|'(?P<v2>[^'\n]{1,300})'|`(?P<v3>[^`\n]{1,300})`"
    r"|(?P<v4>[^\s\"'`,;=]{1,300}={0,2}))"
)
_KEY_HINTS = ("pass", "pwd", "secret", "token", "key", "auth", "cred", "dsn")
_KEY_MAX = 60  # characters in a key name: "AZURE_STORAGE_ACCOUNT_ACCESS_KEY" and then some


def _key_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_.-"


_KEY_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "passcode", "pw"})
_SECRET_WORDS = frozenset(
    {
        "secret", "secrets", "token", "apikey", "auth", "authorization", "credential",
        "credentials", "bearer", "dsn", "sas", "accesskey", "secretkey", "privatekey",
        "authtoken", "accesstoken", "refreshtoken", "clientsecret", "apitoken", "sessionkey",
    }
)  # fmt: skip
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"),
        ("signing", "key"), ("encryption", "key"), ("master", "key"), ("account", "key"),
        ("session", "key"), ("client", "secret"), ("app", "key"), ("license", "key"),
    }
)  # fmt: skip
_NOT_SECRET_WORDS = frozenset(
    {
        "max", "min", "count", "num", "used", "usage", "limit", "length", "len", "type", "file",
        "path", "url", "uri", "endpoint", "name", "id", "ids", "expires", "expiry", "expiration",
        "ttl", "hint", "policy", "prompt", "reset", "size", "format", "header", "field", "env",
        "var", "enabled", "required", "rotation", "version", "algorithm", "alg", "input",
        "output", "completion", "total", "cached", "timeout", "provider", "method", "mode",
        "scope", "scopes", "label", "public", "display", "tokens", "prefix", "location", "store",
        "manager", "strength", "placeholder", "description", "budget", "rate",
    }
)  # fmt: skip


def _key_family(key: str) -> str | None:
    """``"password"``, ``"secret"`` or None for a key name, from its words."""
    words = [w.lower() for w in _KEY_WORDS.findall(key)]
    if not words or _NOT_SECRET_WORDS.intersection(words):
        return None
    if _PASSWORD_WORDS.intersection(words):
        return "password"
    pairs = set(itertools.pairwise(words))
    if words == ["key"] or _SECRET_WORDS.intersection(words) or pairs & _SECRET_PAIRS:
        return "secret"
    return None


# Severity order: the label breaks score ties with it.
KINDS: tuple[str, ...] = (
    "PRIVATE_KEY",
    "AWS_SECRET_KEY",
    "AWS_ACCESS_KEY",
    "GCP_API_KEY",
    "GOOGLE_OAUTH",
    "AZURE_STORAGE_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_SAS_TOKEN",
    "CONNECTION_STRING",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "BITBUCKET_TOKEN",
    "STRIPE_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "HUGGINGFACE_TOKEN",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK",
    "DISCORD_BOT_TOKEN",
    "DISCORD_WEBHOOK",
    "TWILIO",
    "SENDGRID_API_KEY",
    "MAILGUN_API_KEY",
    "NPM_TOKEN",
    "PYPI_TOKEN",
    "SHOPIFY_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "JWT",
    "AUTH_HEADER",
    "GENERIC_SECRET",
)


@register
class Secrets(Check):
    """Finds credentials (see the module docstring for the kinds and their formats).

    ``kinds`` enables only the named kinds, ``exclude`` disables some; unknown names raise
    :class:`~spyglass.exceptions.PolicyError`. ``entropy_threshold`` (bits per character)
    gates GENERIC_SECRET values of non-password keys.
    """

    name: ClassVar[str] = "secrets"
    kinds_supported: ClassVar[tuple[str, ...]] = KINDS

    def __init__(
        self,
        *,
        kinds: list[str] | None = None,
        exclude: list[str] | None = None,
        entropy_threshold: float = DEFAULT_ENTROPY_THRESHOLD,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.enabled = select(KINDS, kinds, exclude, "secret kind")
        if not 0.0 <= float(entropy_threshold) <= 8.0:
            raise PolicyError("entropy_threshold must be between 0 and 8 bits per character")
        self.entropy_threshold = float(entropy_threshold)
        self._rules = [r for r in _RULES if r.kind in self.enabled]

    def find(self, text: str) -> tuple[Finding, ...]:
        """The non-overlapping findings in ``text``, sorted by start."""
        hits: list[_Hit] = []
        lower = text.lower()
        if len(lower) != len(text):  # a few characters ("İ") lower-case to two
            lower = text
        for rule in self._rules:
            if rule.hints and not any(h in (lower if h.islower() else text) for h in rule.hints):
                continue
            windows = _after_words(lower, rule.context) if rule.context else [(0, len(text))]
            for w_start, w_end in windows:
                for m in rule.pattern.finditer(text, w_start, w_end):
                    score = rule.score
                    if rule.check is not None:
                        new = rule.check(m, text)
                        score = score if new is None else new
                    if score and not _token_placeholder(_body(m)):
                        hits.append((*_span(m), rule.kind, score))
        for kind, finder in (
            ("PRIVATE_KEY", _private_keys),
            ("JWT", _jwts),
            ("CONNECTION_STRING", _url_credentials),
            ("AUTH_HEADER", _auth_headers),
        ):
            if kind in self.enabled:
                hits.extend(finder(text))
        if "GENERIC_SECRET" in self.enabled:
            hits.extend(self._assignments(text, lower))
        return resolve_overlaps(hits, text)

    def _assignments(self, text: str, lower: str) -> Iterator[_Hit]:
        """Values of secret-named keys; the pattern runs only where a key hint occurs."""
        tried: set[int] = set()
        for hint in _KEY_HINTS:
            i = lower.find(hint)
            while i >= 0:
                start = i
                while start > 0 and i - start < _KEY_MAX and _key_char(text[start - 1]):
                    start -= 1
                i = lower.find(hint, i + 1)
                if start in tried:
                    continue
                tried.add(start)
                m = _ASSIGN.match(text, start)
                hit = self._assignment(m) if m is not None else None
                if hit is not None:
                    yield hit

    def _assignment(self, m: re.Match[str]) -> _Hit | None:
        family = _key_family(m["key"])
        if family is None:
            return None
        group = next(g for g in ("v1", "v2", "v3", "v4") if m[g] is not None)
        value = m[group]
        start, end = m.span(group)
        if group == "v4":
            stripped = value.rstrip(".)]}>")
            end -= len(value) - len(stripped)
            value = stripped
            if _CODE_REFERENCE.search(value):
                return None
        elif _CODE_REFERENCE.fullmatch(value) and "." in value:
            return None  # "settings.SECRET_KEY" in quotes is still a reference
        bare = value.rstrip("=")
        if not bare or _placeholder(bare) or bare.lower() in m["key"].lower():
            return None
        score = self._value_score(value, family)
        return (start, end, "GENERIC_SECRET", score) if score else None

    def _value_score(self, value: str, family: str) -> float:
        n, h, classes = len(value), shannon_entropy(value), _classes(value)
        if " " in value.strip() and family != "password":
            return 0.0  # prose, not a token
        if family == "password":
            if n < 6 or h < 2.0 or (value.isalpha() and value.islower() and n < 8):
                return 0.0
            return 0.8 if classes >= 3 and n >= 10 else 0.7
        if n < 12 or h < self.entropy_threshold or classes < 2 or value.isdigit():
            return 0.0
        return round(0.6 + 0.25 * min(1.0, (h - self.entropy_threshold) / 1.5), 2)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return summarize(self.find(text), KINDS, "no secrets found")

    def fix(self, text: str, result: CheckResult) -> str | None:
        """``text`` with each finding replaced by ``<KIND>``."""
        return mask(text, result.findings)


def _private_keys(text: str) -> Iterator[_Hit]:
    if "-----BEGIN" not in text:
        return
    missing: set[str] = set()  # END lines known to be absent: keeps many headers linear
    last_end = 0
    for m in _PEM_BEGIN.finditer(text):
        if m.start() < last_end:
            continue
        marker = f"-----END {m.group(1)}-----"
        pos = -1 if marker in missing else text.find(marker, m.end())
        if pos < 0:
            missing.add(marker)
            body = _PEM_BODY.match(text, m.end())
            end = m.end() + len(body.group().rstrip()) if body else m.end()
            body_text = text[m.end() : end]
        else:
            body_text = text[m.end() : pos]
            end = pos + len(marker)
        if len(_BASE64_CHARS.findall(body_text)) < 40 or "..." in body_text:
            continue  # a header quoted in prose, or an elided example
        last_end = end
        yield m.start(), end, "PRIVATE_KEY", 1.0


def _jwts(text: str) -> Iterator[_Hit]:
    if "eyJ" not in text:
        return
    for m in _JWT.finditer(text):
        head = m.group(1)
        try:
            header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        if isinstance(header, dict) and "alg" in header:
            yield m.start(), m.end(), "JWT", 0.85 if m.group(3) else 0.7


def _url_credentials(text: str) -> Iterator[_Hit]:
    if "://" not in text:
        return
    for m in _URL_CREDENTIALS.finditer(text):
        pw = m["pw"]
        if _placeholder(pw) or pw.lower() == m["user"].lower():
            continue
        yield m.start(), m.end("host"), "CONNECTION_STRING", 0.9


def _auth_headers(text: str) -> Iterator[_Hit]:
    lower = text.lower()
    if "bearer" not in lower and "authorization" not in lower:
        return
    for m in _AUTH_HEADER.finditer(text):
        value = m["s"]
        if _placeholder(value) or _classes(value) < 2 or shannon_entropy(value) < 3.0:
            continue
        yield m.start("s"), m.end("s"), "AUTH_HEADER", 0.85
