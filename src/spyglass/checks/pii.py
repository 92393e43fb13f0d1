"""The ``pii`` check: personal data found by patterns and checksums, pure Python, no ML.

Every entity is a precompiled pattern followed by a validator; the validator is what keeps
false positives down, so an entity without a strong checksum asks for a context word near it.

============== ===================================================================== =====
entity         validator                                                              score
============== ===================================================================== =====
EMAIL          local@domain, a dotted domain whose last label is 2+ letters           0.90
PHONE          by layout (:mod:`spyglass.checks._phone`): ``+``/``00`` and a real      0.5-
               E.164 country code; NANP ``(746)915-8443``, ``746.915.8443``; an area  0.9
               code in parentheses; trunk-0 numbers grouped by spaces, dashes, dots
               or a slash (``020 7946 0958``, ``01 23 45 67 89``, ``0488.105.099``);
               extensions ``x341``; ten bare digits with a valid NANP area and
               exchange; weaker layouts (``555-1234``, 8-12 bare digits) only after
               a phone word. Dates, times, versions, IPs, amounts and numbers right
               after "order", "invoice", "tracking", "policy", "#"... are rejected
CREDIT_CARD    12-19 digits, one separator kind in 3-6 digit groups, Luhn and a      0.95
               known IIN with a length it issues (Visa 13/16/19, Amex 15,
               Mastercard 51-55/2221-2720 16, Discover, JCB, Diners, Maestro 12-19,
               UnionPay, Mir); 12 digits only with a Maestro IIN
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
version string, not an address; so is one right after "rv:" or a product name and a slash
(``Firefox/1.9.2.20`` in a user agent).

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
from spyglass.checks._phone import id_word_before, phones
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


# Issuer prefixes (IIN) and the card lengths each issues. Faker and real issuers alike print
# JCB numbers with any 35xx prefix, Maestro from 12 digits up.
_CARD_BRANDS: tuple[tuple[re.Pattern[str], range], ...] = (
    (re.compile(r"4"), range(13, 20, 3)),  # Visa: 13, 16, 19
    (re.compile(r"3[47]"), range(15, 16)),  # American Express
    (re.compile(r"5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)"), range(16, 17)),  # MC
    (re.compile(r"3(?:0[0-5]|095|[689])"), range(14, 20)),  # Diners Club
    (re.compile(r"35"), range(16, 20)),  # JCB
    (re.compile(r"2131|1800"), range(15, 16)),  # JCB, 15 digits
    (re.compile(r"6(?:011|4[4-9]|5)"), range(16, 20)),  # Discover
    (re.compile(r"62"), range(16, 20)),  # UnionPay
    (re.compile(r"220[0-4]"), range(16, 20)),  # Mir
    (re.compile(r"5018|5020|5038|5893|6304|6390|6759|676[1-3]|0604"), range(12, 20)),  # Maestro
    (re.compile(r"5[06-9]|6[37]"), range(12, 20)),  # other Maestro ranges
)
_MAESTRO_IIN = _CARD_BRANDS[-2][0]
#: Twelve digits are a card only with a named Maestro IIN; with another prefix of the Maestro
#: ranges (50, 56-58, 63, 67) they also need a card word before them.
_SHORT_CARD = 12


def _card_brand_ok(digits: str) -> bool:
    return any(p.match(digits) and len(digits) in lengths for p, lengths in _CARD_BRANDS)


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
_CARD = re.compile(r"[0-9](?<![\w\-.][0-9])(?:[ \-]?[0-9]){11,18}(?![\w\-]|\.[0-9])")
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
# A dotted quad after these is a version: "version 1.2.3.4", "rv:1.9.2.20", "Chrome/1.2.3.4".
_VERSION_WORDS = re.compile(r"(?:\b(?:version|ver|release|build|v)\.?\s*|\brv:|[a-z]/)$")
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


def _card_at(text: str, start: int, cand: str, card_word: bool) -> int:
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
        if len(digits) == _SHORT_CARD and not card_word and not _MAESTRO_IIN.match(digits):
            continue
        valid = _SHORT_CARD <= len(digits) <= 19 and luhn_ok(digits) and _card_brand_ok(digits)
        if valid and len(set(digits)) > 1:
            return len(parts[:k]) - 1 + len(digits)
    return 0


def _cards(text: str, lower: str, windows: _Windows) -> Iterator[_Hit]:
    for m in _in_windows(_CARD, text, windows):
        card_word = context_before(lower, m.start(), _CARD_WORDS)
        length = _card_at(text, m.start(), m.group(), card_word)
        if not length or (not card_word and id_word_before(lower, m.start())):
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
    (phones, ("PHONE",)),
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
