"""The ``pii`` check: personal data found by patterns and checksums, pure Python, no ML.

Every entity is a precompiled pattern followed by a validator; the validator is what keeps
false positives down, so an entity without a strong checksum asks for a context word near it.

============== ===================================================================== =====
entity         validator                                                              score
============== ===================================================================== =====
EMAIL          local@domain, a dotted domain whose last label is 2+ letters           0.90
PHONE          ``+``/``00`` with a real E.164 country code and 8-15 digits; or a      0.55-
               national layout: NANP ``(555) 123-4567``/``555-123-4567``/``1-800-...``, 0.90
               trunk-0 numbers in groups (UK ``020 7946 0958``, DE ``030 12345678``,
               FR ``01 23 45 67 89``), IN mobile ``98765 43210``; bare digit runs and
               7-8 digit locals only next to a phone word. Dates, times, versions, IPs,
               prices and numbers after "order"/"invoice"/"tracking"/... are rejected
CREDIT_CARD    13-19 digits, one separator kind in 3-6 digit groups, Luhn and a       0.95
               known IIN (Visa, Mastercard 51-55/2221-2720, Amex, Discover, JCB,
               Diners, Maestro, UnionPay, Mir)
IBAN           country code, the country's IBAN length, ISO 7064 mod-97 (upper case,  0.95
               spaces every 4 allowed)
US_SSN         ``AAA-GG-SSSS``, area not 000/666/900-999, group not 00, serial not    0.85
               0000; spaced, dotted or bare 9 digits only near "SSN"/"social security"
US_ITIN        ``9XX-GG-SSSS`` with an ITIN group range (50-65, 70-88, 90-92, 94-99)   0.85
IP_ADDRESS     IPv4 and IPv6 parsed by :mod:`ipaddress`                                0.75
MAC_ADDRESS    six hex pairs with one separator (``:``/``-``), or Cisco ``aaaa.bbbb.cccc`` 0.75
UK_NINO        two prefix letters from the HMRC alphabet (not BG, GB, NK, KN, TN, NT,  0.85
               ZZ), six digits, suffix A-D
UK_NHS         10 digits (3-3-4), mod-11 check digit, near "NHS"                       0.90
CA_SIN         9 digits (3-3-3), Luhn, first digit not 0/8, near "SIN"/"social         0.90
               insurance"
CRYPTO         Bitcoin address: base58check (``1...``/``3...``) or bech32/bech32m      0.95
               (``bc1...``) checksum
DATE_OF_BIRTH  a date (ISO, d/m/y, "14 March 1985", "March 14, 1985") right after      0.80
               "date of birth"/"DOB"/"born"/"birthday"
============== ===================================================================== =====

IP addresses: loopback (127.0.0.0/8, ``::1``), unspecified (``0.0.0.0``, ``::``) and
netmasks (``255.255.255.0``) identify no one and are not reported; private ranges are, since
they map a network. A dotted quad right after "version", "ver", "release" or "build" is a
version string, not an address.

Not covered: person names, street addresses and organisations need named-entity recognition,
which the core install does not ship (an optional ML extra may add them). Ethereum addresses
are left out too: their checksum needs Keccak-256, which :mod:`hashlib` lacks.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar

from spyglass.checks._findings import (
    _Hit,
    context_before,
    mask,
    resolve_overlaps,
    select,
    summarize,
)
from spyglass.checks.base import Check, CheckContext, CheckResult, Finding, Verdict
from spyglass.checks.registry import register

__all__ = ["PII"]

# -- checksums ---------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_CARD_IIN = re.compile(
    r"4|5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|220[0-4]|3[47]|3(?:0[0-5]|09|[68])"
    r"|35(?:2[89]|[3-8]\d)|6(?:011|4[4-9]|5|2|7)|5[06-9]|2131|1800"
)


def _iban_ok(code: str) -> bool:
    moved = code[4:] + code[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _nhs_ok(digits: str) -> bool:
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check_ok(addr: str) -> bool:
    num = 0
    for ch in addr:
        num = num * 58 + _B58.index(ch)
    raw = num.to_bytes(25, "big") if num.bit_length() <= 200 else b""
    if len(raw) != 25 or raw[0] not in (0, 5):
        return False
    digest = hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()
    return digest[:4] == raw[21:]


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_ok(addr: str) -> bool:
    hrp, _, data = addr.lower().rpartition("1")
    values = [_BECH32.index(c) for c in data]
    chk = 1
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk in (1, 0x2BC830A3)  # bech32, bech32m


# -- patterns ----------------------------------------------------------------------------------
#
# Speed: ``re`` scans fast only for a pattern whose first item is a literal or a character
# class, so patterns start with one and put their "not inside a longer token" lookbehind
# second. The digit entities run only inside windows around clusters of 6+ digits, found by
# one scan; most prose has a few such clusters per kilobyte.

_CLUSTER = re.compile(r"[0-9](?:[ \t\u00a0().\-/+]{0,3}[0-9]){5,}")
#: Characters either side of a digit cluster that the entity patterns may still need to see:
#: a phone's "+44 (" or " ext. 12345", an IBAN's "GB82 WEST " before its digits.
_MARGIN = 24

_EMAIL_LOCAL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]{1,64}\Z")
_EMAIL_DOMAIN = re.compile(r"[^\W_][\w\-]{0,62}(?:\.[\w\-]{1,63}){1,8}")
_PHONE = re.compile(
    r"[(+0-9](?<![\w+@.\-/][(+0-9])(?:(?<=\()\+?[0-9]|(?<=\+)[0-9]|(?<=[0-9]))"
    r"(?:[0-9 \t\u00a0()\-/]|\.(?![ \t])){3,24}[0-9]"
    r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*[0-9]{1,6})?(?![\w@])"
)
#: Prefixes of an over-long phone run tried before giving up on it.
_PHONE_SPLITS = 3
#: A prefix must score this without context: weak formats inside a longer run (a declined
#: card "4964 9860 1921 6418") are too often something else.
_PHONE_SPLIT_MIN_SCORE = 0.7
_DIGIT_RUN = re.compile(r"[0-9]+")
_IBAN_HEAD = re.compile(r"[a-z]{2}[0-9]{2}(?: [0-9a-z]{4})+ \Z")
_PHONE_SPACING = frozenset("0123456789 ()\t\u00a0")
_PHONE_EXT = re.compile(r"[ \t]*(?:x|ext\.?|extension)[ \t]*[0-9]{1,6}$")
_PHONE_WORDS = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|cell|call|calls|fax|whatsapp|sms|text|dial|ring"
    r"|contact|reach|hotline|helpline|ph|landline)\b"
)
_NOT_PHONE_WORDS = re.compile(
    r"(?:\b(?:order|invoice|ticket|tracking|ref|reference|account|acct|isbn|sku|serial|case"
    r"|po|id|version|build|zip|postcode|iban|card|ssn|nhs|sin|transaction|txn|booking"
    r"|confirmation|amount|total|price|balance)\b|[#$€£¥])[^\n]{0,12}$"
)
_DATE_LIKE = re.compile(
    r"(?:[0-9]{4}[-./ ][0-9]{1,2}[-./ ][0-9]{1,2}|[0-9]{1,2}[-./ ][0-9]{1,2}[-./ ]"
    r"(?:[0-9]{4}|[0-9]{2}))(?:[^0-9]|$)"
)
_YEAR_FIRST = re.compile(r"(?:19|20)[0-9]{2}[^0-9][0-9]{1,2}[^0-9]")
_TWO_DIGIT_CC = frozenset(
    [
        "20",
        "27",
        "30",
        "31",
        "32",
        "33",
        "34",
        "36",
        "39",
        "40",
        "41",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "81",
        "82",
        "84",
        "86",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "98",
    ]
)
_THREE_DIGIT_CC_PREFIX = frozenset(
    [
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "29",
        "35",
        "37",
        "38",
        "42",
        "50",
        "59",
        "67",
        "68",
        "69",
        "85",
        "87",
        "88",
        "96",
        "97",
        "99",
    ]
)
_CARD = re.compile(r"[0-9](?<![\w\-.][0-9])(?:[ \-]?[0-9]){12,18}(?![\w\-]|\.[0-9])")
_CARD_WORDS = re.compile(r"\b(?:card|visa|master ?card|amex|discover|cc|credit|debit)\b")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,32}")
_IBAN_LENGTHS = {
    c[:2]: int(c[2:])
    for c in [
        "AD24",
        "AE23",
        "AL28",
        "AT20",
        "AZ28",
        "BA20",
        "BE16",
        "BG22",
        "BH22",
        "BI27",
        "BR29",
        "BY28",
        "CH21",
        "CR22",
        "CY28",
        "CZ24",
        "DE22",
        "DJ27",
        "DK18",
        "DO28",
        "EE20",
        "EG29",
        "ES24",
        "FI18",
        "FK18",
        "FO18",
        "FR27",
        "GB22",
        "GE22",
        "GI23",
        "GL18",
        "GR27",
        "GT28",
        "HR21",
        "HU28",
        "IE22",
        "IL23",
        "IQ23",
        "IS26",
        "IT27",
        "JO30",
        "KW30",
        "KZ20",
        "LB28",
        "LC32",
        "LI21",
        "LT20",
        "LU20",
        "LV21",
        "LY25",
        "MC27",
        "MD24",
        "ME22",
        "MK19",
        "MN20",
        "MR27",
        "MT31",
        "MU30",
        "NI28",
        "NL18",
        "NO15",
        "OM23",
        "PK24",
        "PL28",
        "PS29",
        "PT25",
        "QA29",
        "RO24",
        "RS22",
        "RU33",
        "SA24",
        "SC31",
        "SD18",
        "SE24",
        "SI19",
        "SK24",
        "SM27",
        "SO23",
        "ST25",
        "SV28",
        "TL23",
        "TN24",
        "UA29",
        "VA22",
        "VG24",
        "XK20",
        "YE30",
    ]
}
_SSN_DASHED = re.compile(r"([0-9](?<![\w\-][0-9])[0-9]{2})-([0-9]{2})-([0-9]{4})(?![\w\-])")
_SSN_LOOSE = re.compile(
    r"([0-9](?<![\w\-.][0-9])[0-9]{2})([ .]?)([0-9]{2})\2([0-9]{4})(?![\w\-]|\.[0-9])"
)
_SSN_WORDS = re.compile(r"\b(?:ssn|ss#|ss no|social security|social sec|itin|tax id|tin)\b")
_SSN_HINTS = ("ssn", "ss#", "ss no", "social", "itin", "tax id", "tin")
_ITIN_GROUP = re.compile(r"5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-2]|9[4-9]")
_IPV4 = re.compile(
    r"[0-9](?<![\w.][0-9])[0-9]{0,2}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![\w]|\.[0-9])"
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{0,4})"
    r"(?![\w:])"
)
_VERSION_WORDS = re.compile(r"\b(?:version|ver|release|build|v)\.?\s*$")
_NETMASK_OCTETS = frozenset({"0", "128", "192", "224", "240", "248", "252", "254", "255"})
# Anchored on the first separator (a rare character) with the first pair in a lookbehind.
_MAC = re.compile(
    r"[:\-](?<=[0-9A-Fa-f]{2}[:\-])(?<![\w:\-.][0-9A-Fa-f]{2}[:\-])"
    r"[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){4}(?![\w:\-]|\.\w)"
)
_MAC_DOTTED = re.compile(
    r"\.(?<=[0-9A-Fa-f]{4}\.)(?<![\w.:\-][0-9A-Fa-f]{4}\.)[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
    r"(?![\w:\-]|\.\w)"
)
_MAC_WORDS = re.compile(r"\b(?:mac|hardware|hw|ether|bssid|wi-?fi)\b")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"( ?)[0-9]{2}\1[0-9]{2}\1[0-9]{2}\1[A-D](?![A-Za-z0-9])"
)
_NINO_BAD_PREFIX = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_NHS = re.compile(r"[0-9](?<![\w\-][0-9])[0-9]{2}([ \-]?)[0-9]{3}\1[0-9]{4}(?![\w\-])")
_NHS_WORDS = re.compile(r"\bnhs\b")
_SIN = re.compile(r"[0-79](?<![\w\-][0-9])[0-9]{2}([ \-]?)[0-9]{3}\1[0-9]{3}(?![\w\-])")
_SIN_WORDS = re.compile(r"\b(?:sin|social insurance|numéro d'assurance sociale|nas)\b")
_BTC_BASE58 = re.compile(r"[13](?<![A-Za-z0-9][13])[1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])")
_BTC_BECH32 = re.compile(r"bc1(?<![A-Za-z0-9]bc1)[02-9ac-hj-np-z]{8,87}(?![A-Za-z0-9])")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DOB = re.compile(
    r"(?i)\b(?:date of birth|birth ?date|birthday|d\.?o\.?b|born(?: on)?|geburtsdatum"
    r"|date de naissance|fecha de nacimiento)\b\.?[^\n0-9]{0,12}?"
    r"(?P<date>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}"
    r"|[0-9]{2})(?![0-9])"
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+[0-9]{{4}}"
    rf"|{_MONTHS}\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+[0-9]{{4}})"
)
_DOB_HINTS = ("birth", "dob", "d.o.b", "born", "geburt", "naissance", "nacimiento")


# -- detectors ---------------------------------------------------------------------------------
#
# Each takes the text, its lower-cased copy and the digit-cluster windows.

_Windows = Sequence[tuple[int, int]]


def _windows(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _CLUSTER.finditer(text):
        start, end = max(0, m.start() - _MARGIN), min(len(text), m.end() + _MARGIN)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _in_windows(pattern: re.Pattern[str], text: str, windows: _Windows) -> Iterator[re.Match[str]]:
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def _emails(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    at = text.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        at = text.find("@", at + 1)
        if local is None or domain is None:
            continue
        labels = domain.group().split(".")
        while labels and not (len(labels[-1]) >= 2 and labels[-1].isalpha()):
            labels.pop()  # "a@b.com." or "a@b.com.123": trim the trailing junk
        if len(labels) < 2 or any(not lb or lb[0] == "-" or lb[-1] == "-" for lb in labels):
            continue
        start = local.start() + len(local.group()) - len(local.group().lstrip("."))
        if start < local.end():
            yield start, domain.start() + len(".".join(labels)), "EMAIL", 0.9


def _country_code_length(national: str) -> int:
    """Digits in the E.164 country code that starts ``national`` (0 when none is assigned)."""
    if national[:1] in ("1", "7"):
        return 1
    if national[:2] in _TWO_DIGIT_CC:
        return 2
    return 3 if national[:2] in _THREE_DIGIT_CC_PREFIX else 0


def _intl_ok(core: str, digits: str, sizes: list[int]) -> bool:
    national = digits[2:] if core.lstrip("(").startswith("00") else digits
    cc = _country_code_length(national) if national[:1] not in ("", "0") else 0
    if not cc:
        return False
    rest = national[cc:]
    if "(0)" in core.replace(" ", "") and rest.startswith("0"):
        rest = rest[1:]
    return 7 <= cc + len(rest) <= 15 and len(rest) >= 6 and max(sizes) <= 12


def _national_score(core: str, digits: str, sizes: list[int]) -> tuple[float, bool]:
    """(score, needs a phone word nearby) for a number without a country code."""
    n, paren = len(digits), core.startswith("(")
    if sizes == [3, 2, 4]:
        return 0.0, False  # the shape of a US SSN
    if sizes == [3, 3, 4] or (sizes == [1, 3, 3, 4] and digits[0] == "1"):
        nanp = digits[-10] in "23456789" and digits[-7] in "23456789"
        return (0.8 if nanp or paren else 0.7), False
    if paren and sizes == [3, 7]:
        return 0.75, False
    trunk = digits[0] == "0" and digits[1] != "0"
    if trunk and 9 <= n <= 12 and len(sizes) >= 2 and min(sizes) >= 2 and 2 <= sizes[0] <= 6:
        return 0.7, False
    if sizes == [5, 5] and digits[0] in "6789":
        return 0.6, False
    if (
        (len(sizes) == 1 and n in (10, 11))
        or (sizes in ([3, 4], [4, 4]) and digits[0] != "0")
        or (len(sizes) >= 2 and 8 <= n <= 12 and min(sizes) >= 2)
    ):
        return 0.55, True
    return 0.0, False


def _phone_score(lower: str, start: int, core: str, intl: bool) -> float:
    groups = _DIGIT_RUN.findall(core)
    digits = "".join(groups)
    if not 7 <= len(digits) <= 17:
        return 0.0
    sizes = [len(g) for g in groups]
    seps = set(core) - _PHONE_SPACING
    if "/" in seps and (len(seps) > 1 or core.count("/") > 1):
        return 0.0
    if (not intl and _DATE_LIKE.fullmatch(core + " ")) or _YEAR_FIRST.match(core):
        return 0.0  # dates and timestamps
    if intl:
        score, needs_context = (0.8 if _intl_ok(core, digits, sizes) else 0.0), False
    elif "." in seps and sizes not in ([3, 3, 4], [2, 2, 2, 2, 2], [1, 3, 3, 4]):
        return 0.0  # versions, IPs, decimals
    else:
        score, needs_context = _national_score(core, digits, sizes)
    if not score:
        return 0.0
    if context_before(lower, start, _PHONE_WORDS):
        return score + 0.1
    if needs_context or (not intl and context_before(lower, start, _NOT_PHONE_WORDS)):
        return 0.0
    return score


def _phone_at(lower: str, start: int, cand: str) -> tuple[int, float] | None:
    """(start, score) of the phone number ``cand`` found at ``start``, or None."""
    ext = _PHONE_EXT.search(cand)
    core = cand[: ext.start()] if ext else cand
    if core.count("(") != core.count(")"):
        if not (core.startswith("(") and core.count("(") == 1):
            return None
        core, start = core[1:], start + 1
    if ")" in core and core.index(")") < (core.index("(") if "(" in core else 0):
        return None
    if _IBAN_HEAD.search(lower, max(0, start - 40), start):
        return None  # the tail of an IBAN written in groups
    stripped = core.lstrip("(")
    intl = stripped.startswith("+") or stripped.startswith("00")
    score = _phone_score(lower, start, core, intl)
    return (start, round(min(score, 0.9), 2)) if score > 0 else None


def _phones(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for w_start, w_end in windows:
        pos = w_start
        while (m := _PHONE.search(text, pos, w_end)) is not None:
            cand = m.group()
            found = _phone_at(lower, m.start(), cand)
            end = m.end()
            # Retrying parts of a failed run only pays when it has phone punctuation; a long run
            # of spaced digits then costs one validation per 26 characters.
            punctuated = found is None and " " in cand and any(c in "-.()/" for c in cand)
            if punctuated:
                # Two numbers separated by a space read as one run: try the longest prefixes
                # (a few only, so that a long run of spaced digits stays linear), keeping
                # only formats that stand without a phone word nearby.
                cuts = [i for i, ch in enumerate(cand) if ch == " " and cand[i - 1].isdigit()]
                for cut in cuts[::-1][:_PHONE_SPLITS]:
                    if 7 <= sum(map(str.isdigit, cand[:cut])) <= 15:
                        found = _phone_at(lower, m.start(), cand[:cut])
                        if found is not None and found[1] >= _PHONE_SPLIT_MIN_SCORE:
                            end = m.start() + cut
                            break
                        found = None
            if found is not None:
                yield found[0], end, "PHONE", found[1]
                pos = end
                continue
            # "Order 12345 555-123-4567": the number may start after the first space.
            space = cand.find(" ")
            retry = punctuated and sum(map(str.isdigit, cand[space:])) >= 7
            pos = m.start() + space if retry else end


def _card_at(text: str, start: int, cand: str) -> int:
    """The length of the card number that starts ``cand``, or 0."""
    seps = set(cand) - set("0123456789")
    if len(seps) > 1:
        return 0
    parts = re.split(r"[ \-]", cand) if seps else [cand]
    if seps and (parts[0] != cand[:4] or len(parts[0]) != 4):
        return 0
    for k in range(len(parts), 0, -1):  # "4111 1111 1111 1111 12/25": drop trailing groups
        digits = "".join(parts[:k])
        if seps and (min(len(p) for p in parts[:k]) < 3 or max(len(p) for p in parts[:k]) > 6):
            continue
        valid = 13 <= len(digits) <= 19 and luhn_ok(digits) and _CARD_IIN.match(digits)
        if valid and len(set(digits)) > 1:
            return len(parts[:k]) - 1 + len(digits)
    return 0


def _cards(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _in_windows(_CARD, text, windows):
        length = _card_at(text, m.start(), m.group())
        if not length:
            continue
        if context_before(lower, m.start(), _NOT_PHONE_WORDS) and not context_before(
            lower, m.start(), _CARD_WORDS
        ):
            continue
        yield m.start(), m.start() + length, "CREDIT_CARD", 0.95


def _ibans(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _in_windows(_IBAN, text, windows):
        cand = m.group()
        length = _IBAN_LENGTHS.get(cand[:2])
        if length is None or len(cand.replace(" ", "")) < length:
            continue
        # Cut at the country's length: the pattern may have run into a following word.
        count, cut = 0, 0
        while count < length:
            count += cand[cut] != " "
            cut += 1
        if cut < len(cand) and cand[cut] != " ":
            continue
        if _iban_ok(cand[:cut].replace(" ", "")):
            yield m.start(), m.start() + cut, "IBAN", 0.95


def _ssn_kind(area: str, group: str, serial: str) -> str | None:
    if group == "00" or serial == "0000" or area == "000":
        return None
    if area[0] == "9":
        return "US_ITIN" if _ITIN_GROUP.fullmatch(group) else None
    return None if area == "666" else "US_SSN"


def _ssns(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    seen: set[int] = set()
    for m in _in_windows(_SSN_DASHED, text, windows):
        seen.add(m.start())
        kind = _ssn_kind(*m.groups())
        if kind:
            score = 0.95 if context_before(lower, m.start(), _SSN_WORDS) else 0.85
            yield m.start(), m.end(), kind, score
    if not any(h in lower for h in _SSN_HINTS):
        return
    for m in _in_windows(_SSN_LOOSE, text, windows):
        area, _, group, serial = m.groups()
        if m.start() in seen or not context_before(lower, m.start(), _SSN_WORDS):
            continue
        kind = _ssn_kind(area, group, serial)
        if kind:
            yield m.start(), m.end(), kind, 0.9


def _ips(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _IPV4.finditer(text):
        octets = m.group().split(".")
        try:
            addr = ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        if addr.is_loopback or addr.is_unspecified:
            continue
        if octets[0] == "255" and set(octets) <= _NETMASK_OCTETS:
            continue
        if _VERSION_WORDS.search(lower, max(0, m.start() - 12), m.start()):
            continue
        yield m.start(), m.end(), "IP_ADDRESS", 0.75
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            cand = m.group()
            if len(cand) < 6 or sum(1 for g in cand.split(":") if g) < 2:
                continue
            try:
                addr6 = ipaddress.IPv6Address(cand)
            except ValueError:
                continue
            if not (addr6.is_loopback or addr6.is_unspecified):
                yield m.start(), m.end(), "IP_ADDRESS", 0.75


def _macs(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    macs = _MAC.finditer(text) if text.count(":") + text.count("-") >= 5 else ()
    for m in macs:
        start = m.start() - 2
        cand = text[start : m.end()]
        if len({cand[i] for i in range(2, 17, 3)}) != 1 or len(set(cand.lower())) < 3:
            continue  # mixed separators; 00:00:00:00:00:00, ff:ff:ff:ff:ff:ff
        yield start, m.end(), "MAC_ADDRESS", 0.75
    for m in _MAC_DOTTED.finditer(text):
        start = m.start() - 4
        hexes = text[start : m.end()].replace(".", "")
        if hexes.isdigit() and not context_before(lower, start, _MAC_WORDS):
            continue  # 1234.5678.9012 is more likely a number than a Cisco MAC
        yield start, m.end(), "MAC_ADDRESS", 0.75


def _ninos(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _in_windows(_NINO, text, windows):
        if m.group()[:2] not in _NINO_BAD_PREFIX:
            yield m.start(), m.end(), "UK_NINO", 0.85


def _nhs(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    if "nhs" not in lower:
        return
    for m in _in_windows(_NHS, text, windows):
        digits = re.sub(r"[^0-9]", "", m.group())
        if _nhs_ok(digits) and context_before(lower, m.start(), _NHS_WORDS):
            yield m.start(), m.end(), "UK_NHS", 0.9


def _sins(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    if "sin" not in lower and "social" not in lower and "nas" not in lower:
        return
    for m in _in_windows(_SIN, text, windows):
        digits = re.sub(r"[^0-9]", "", m.group())
        if luhn_ok(digits) and context_before(lower, m.start(), _SIN_WORDS):
            yield m.start(), m.end(), "CA_SIN", 0.9


def _wallets(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _BTC_BASE58.finditer(text):
        if _base58check_ok(m.group()):
            yield m.start(), m.end(), "CRYPTO", 0.95
    if "bc1" in text:
        for m in _BTC_BECH32.finditer(text):
            if _bech32_ok(m.group()):
                yield m.start(), m.end(), "CRYPTO", 0.95


def _births(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    if not any(h in lower for h in _DOB_HINTS):
        return
    for m in _DOB.finditer(text):
        yield m.start("date"), m.end("date"), "DATE_OF_BIRTH", 0.8


_Detector = Callable[[str, str, _Windows], Iterator[_Hit]]

# Detector, the entities it can emit. Order is severity: the label breaks score ties with it.
_DETECTORS: tuple[tuple[_Detector, tuple[str, ...]], ...] = (
    (_cards, ("CREDIT_CARD",)),
    (_ssns, ("US_SSN", "US_ITIN")),
    (_ibans, ("IBAN",)),
    (_nhs, ("UK_NHS",)),
    (_sins, ("CA_SIN",)),
    (_ninos, ("UK_NINO",)),
    (_wallets, ("CRYPTO",)),
    (_births, ("DATE_OF_BIRTH",)),
    (_emails, ("EMAIL",)),
    (_phones, ("PHONE",)),
    (_ips, ("IP_ADDRESS",)),
    (_macs, ("MAC_ADDRESS",)),
)
ENTITIES: tuple[str, ...] = tuple(e for _, names in _DETECTORS for e in names)


@register
class PII(Check):
    """Finds personal data (see the module docstring for the entities and their validators).

    ``entities`` enables only the named entities, ``exclude`` disables some; unknown names
    raise :class:`~spyglass.exceptions.PolicyError`. The score is the highest finding score.
    """

    name: ClassVar[str] = "pii"
    entities_supported: ClassVar[tuple[str, ...]] = ENTITIES

    def __init__(
        self,
        *,
        entities: list[str] | None = None,
        exclude: list[str] | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.enabled = select(ENTITIES, entities, exclude, "PII entity")
        self._detectors = [d for d, names in _DETECTORS if self.enabled.intersection(names)]

    def find(self, text: str) -> tuple[Finding, ...]:
        """The non-overlapping findings in ``text``, sorted by start."""
        lower = text.lower()
        if len(lower) != len(text):  # a few characters ("İ") lower-case to two
            lower = text
        windows = _windows(text)
        hits = [h for d in self._detectors for h in d(text, lower, windows) if h[2] in self.enabled]
        return resolve_overlaps(hits, text)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return summarize(self.find(text), ENTITIES, "no PII found")

    def fix(self, text: str, result: CheckResult) -> str | None:
        """``text`` with each finding replaced by ``<ENTITY>``."""
        return mask(text, result.findings)
