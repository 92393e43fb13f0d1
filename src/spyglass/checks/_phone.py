"""Phone numbers for the ``pii`` check: candidate runs, their layouts, and the words before them.

A candidate is a run of digits and phone punctuation (spaces, ``-``, ``.``, ``/``, parentheses,
a leading ``+``) with an optional extension (``x341``, ``ext. 12``). What it is depends on its
layout, never on one hard-coded string:

========================= ====================================================== =====
layout                    examples                                               score
========================= ====================================================== =====
international             ``+44 20 7946 0958``, ``+1-746-915-8443x0341``,         0.8
                          ``001-746-915-8443``, ``+49(0)1234 56789``,
                          ``+(370) 87789328``: a real E.164 country code, then
                          6-14 digits (exactly 10 after ``1`` and ``7``); a
                          trunk ``(0)`` is skipped
NANP                      ``(746)915-8443``, ``746.915.8443``, ``1-800-555-0199`` 0.8
area code in parentheses  ``(0161) 4960066``, ``(11) 91234-5678``,               0.75
                          ``(351) 244467081``, ``(02).2985.1650``
trunk 0 or 8, in groups   ``020 7946 0958``, ``01 23 45 67 89``,                 0.7
                          ``03478/59757461``, ``0488.105.099``, ``0 2916 1461``,
                          ``8 (495) 123-45-67``
area, dashed subscriber   ``35 3000-2188``, ``87-7893-2879``                     0.6
Indian mobile             ``98765 43210``                                        0.6
ten bare digits           ``7465158443`` (a valid NANP area and exchange),       0.5
                          ``0747055884`` (trunk 0; also eleven digits)
weak                      ``555-1234``, ``123 456 789``, 8-12 bare digits        0.55
========================= ====================================================== =====

Context decides the rest. The last cue word in the 40 characters before the run counts: a
phone word ("phone", "tel", "call", "caller ID", "mobile", "fax", "number", "reach",
"WhatsApp", ...), or an e-mail address right before it as in a contact list, adds 0.1 and is
what the weak layouts need; an identifier word ("order", "invoice", "tracking", "policy",
"package", "id", "#", a currency sign, ...) that ends within 12 characters of the run rejects
it. "order number" and "caller ID" read as one cue each. Dates, timestamps, versions, IPv4
addresses, decimal and thousands-separated amounts are rejected by layout; dots separate a
phone number only in groups of 2-4 digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spyglass.checks._findings import CONTEXT_WINDOW, _Hit

__all__ = ["id_word_before", "phones"]

#: Digit-cluster windows of the text (see ``pii._windows``): phones are only looked for there.
Windows = Sequence[tuple[int, int]]

_PHONE = re.compile(
    r"[(+0-9](?<![\w+@.\-/][(+0-9])(?:(?<=\()\+?[0-9]|(?<=\+)\(?[0-9]|(?<=[0-9]))"
    r"(?:[0-9 \t\u00a0()\-/]|\.(?![ \t])){3,24}[0-9]"
    r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*[0-9]{1,6})?(?![\w@])"
)
#: Prefixes of an over-long phone run tried before giving up on it.
_PHONE_SPLITS = 3
#: A prefix must score this without context: weak formats inside a longer run (a declined
#: card "4964 9860 1921 6418") are too often something else.
_PHONE_SPLIT_MIN_SCORE = 0.7
#: An identifier word further than this before the run, or on the line above, no longer speaks
#: for it: "Order 12345 arrived; call (555) 234-5678" is a phone number.
_ID_REACH = 12
_DIGIT_RUN = re.compile(r"[0-9]+")
_IBAN_HEAD = re.compile(r"[a-z]{2}[0-9]{2}(?: [0-9a-z]{4})+ \Z")
_PHONE_SPACING = frozenset("0123456789 ()\t\u00a0")
_PHONE_EXT = re.compile(r"[ \t]*(?:x|ext\.?|extension)[ \t]*[0-9]{1,6}$")
# One scan finds both kinds of cue, left to right, so that the last one wins and a suffix such
# as "number" or "id" joins the word before it ("order number" is an identifier, "caller id" a
# phone). Lower case, letters-only boundaries so that "order_id" and "tel:" still match.
_PHONE_SUFFIX = r"(?:[\s_.:#-]*(?:number|numbers|no|nr|num|#))?"
_ID_SUFFIX = r"(?:[\s_.:#-]*(?:number|numbers|no|nr|num|id|#))?"
_CUES = re.compile(
    r"(?<![a-z])(?:"
    r"(?P<id>(?:order|invoice|inv|ticket|tracking|ref|reference|account|acct|isbn|issn|ean"
    r"|upc|gtin|sku|serial|case|po|id|uuid|version|ver|build|release|zip|postcode|postal"
    r"|iban|bban|card|ssn|nhs|sin|transaction|txn|booking|confirmation|reservation|pnr"
    r"|amount|total|price|balance|cost|policy|contract|claim|member|membership|package"
    r"|parcel|shipment|consignment|waybill|awb|receipt|voucher|coupon|batch|lot|item"
    r"|product|part|model|imei|vin|licen[cs]e|passport|employee|student|routing|aba|swift"
    r"|bic|sort|ein|tin|vat|pin|otp|pid|uid|port|flight|page|issue|job)s?" + _ID_SUFFIX + r")"
    r"|(?P<phone>(?:phone[sd]?|telephone|tel|mobile|mob|cell|cellphone|cellular|call[sd]?"
    r"|calling|caller[\s_-]*id|caller|callback|fax|whatsapp|sms|text|texts|texted|dial"
    r"|dialled|dialed|ring|contact|reach|hotline|helpline|ph|landline|tlf|telefon|telefono"
    r"|teléfono|téléphone|tél|portable|handy|celular|móvil|movil|cellulare|rufnummer|mobil"
    r"|mobiel|gsm)" + _PHONE_SUFFIX + r"|(?:number|numbers|nummer|numéro|número|numero|nr))"
    r")(?![a-z])"
    r"|(?P<sym>[#$€£¥])"
)
# "name@example.org, 4468864298": a number right after an e-mail address, as in contact lists.
_AFTER_EMAIL = re.compile(r"@[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}[\s,;|/]{1,3}\Z")
_DATE_LIKE = re.compile(
    r"(?:[0-9]{4}[-./ ][0-9]{1,2}[-./ ][0-9]{1,2}|[0-9]{1,2}[-./ ][0-9]{1,2}[-./ ]"
    r"(?:[0-9]{4}|[0-9]{2}))(?:[^0-9]|$)"
)
_YEAR_FIRST = re.compile(r"(?:19|20)[0-9]{2}[^0-9][0-9]{1,2}[^0-9]")
# E.164 country codes: the 1-digit ones are 1 and 7; these 2-digit codes are assigned (20, 27,
# 30-34, 36, 39, 40, 41, 43-49, 51-58, 60-66, 81, 82, 84, 86, 90-95, 98); a code starting with
# one of the 3-digit prefixes is 3 digits long.
_TWO_DIGIT_CC = re.compile(r"2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]")
_THREE_DIGIT_CC_PREFIX = re.compile(r"2[1-69]|3[578]|42|5[09]|6[7-9]|8[578]|9[679]")
_NANP_LEAD = "23456789"


def _cue(lower: str, start: int) -> str | None:
    """``"phone"``, ``"id"`` or None: what the words just before ``start`` say."""
    lo = max(0, start - CONTEXT_WINDOW)
    if _AFTER_EMAIL.search(lower, lo, start):
        return "phone"
    last = None
    for cue in _CUES.finditer(lower, lo, start):
        last = cue
    if last is None:
        return None
    if last.lastgroup == "phone":
        return "phone"
    near = start - last.end() <= _ID_REACH and "\n" not in lower[last.end() : start]
    return "id" if near else None


def id_word_before(lower: str, start: int) -> bool:
    """Whether an identifier word ("order", "invoice", "#", ...) is the cue just before."""
    return _cue(lower, start) == "id"


def _country_code_length(national: str) -> int:
    """Digits in the E.164 country code that starts ``national`` (0 when none is assigned)."""
    if national[:1] in ("1", "7"):
        return 1
    if _TWO_DIGIT_CC.match(national):
        return 2
    return 3 if _THREE_DIGIT_CC_PREFIX.match(national) else 0


def _intl_ok(core: str, digits: str, sizes: list[int]) -> bool:
    national = digits[2:] if core.lstrip("(").startswith("00") else digits
    cc = _country_code_length(national) if national[:1] not in ("", "0") else 0
    if not cc:
        return False
    rest = national[cc:]
    if "(0)" in core.replace(" ", "") and rest.startswith("0"):
        rest = rest[1:]
    if cc == 1:  # NANP and Russia/Kazakhstan: ten digits after the code, no fewer, no more
        return len(rest) == 10
    return 7 <= cc + len(rest) <= 15 and len(rest) >= 6 and max(sizes) <= 12


def _dotted_ok(digits: str, sizes: list[int], paren: bool) -> bool:
    """Whether dots separate phone groups here, not a version, an address or an amount."""
    if sizes in ([3, 3, 4], [1, 3, 3, 4]):
        return True
    if len(sizes) < 3 or not 8 <= len(digits) <= 12 or max(sizes) > 4 or min(sizes[1:]) < 2:
        return False
    if len(sizes) == 4 and max(sizes) <= 3:
        return False  # an IPv4 address
    if digits[0] != "0" and sizes[0] <= 3 and set(sizes[1:]) == {3}:
        return False  # thousands separators: 12.345.678
    return paren or sizes[0] >= 2


def _national_score(core: str, digits: str, sizes: list[int]) -> tuple[float, bool]:
    """(score, needs a phone word nearby) for a number without a country code."""
    n, paren = len(digits), core.startswith("(")
    if sizes == [3, 2, 4]:
        return 0.0, False  # the shape of a US SSN
    if "." in core and not _dotted_ok(digits, sizes, paren):
        return 0.0, False
    if sizes == [3, 3, 4] or (sizes == [1, 3, 3, 4] and digits[0] == "1"):
        nanp = digits[-10] in _NANP_LEAD and digits[-7] in _NANP_LEAD
        return (0.8 if nanp or paren else 0.7), False
    trunk = digits[0] == "0" and digits[1] != "0"
    area_closed = paren and len(core) > sizes[0] + 1 and core[sizes[0] + 1] == ")"
    if area_closed and len(sizes) >= 2 and 9 <= n <= 13 and (trunk or 2 <= sizes[0] <= 3):
        return 0.75, False
    if trunk and 9 <= n <= 13 and len(sizes) >= 2 and min(sizes[1:]) >= 2 and sizes[0] <= 6:
        return 0.7, False  # "0 2916 1461": the trunk 0 may stand alone
    if n == 11 and digits[0] == "8" and sizes[0] == 1 and len(sizes) >= 3:
        return 0.7, False  # trunk 8 (Russia, Belarus, Kazakhstan): "8 (495) 123-45-67"
    if len(sizes) == 3 and sizes[0] == 2 and sizes[1] in (4, 5) and sizes[2] == 4:
        return 0.6, False
    if sizes == [5, 5] and digits[0] in "6789":
        return 0.6, False
    if len(sizes) == 1:
        # Ten bare digits, a valid NANP area code and exchange (or a trunk 0): usually a phone
        # number in text; the weakest score, since an unlabelled 10-digit id reads the same.
        if n == 10 and digits[0] in _NANP_LEAD and digits[3] in _NANP_LEAD:
            return 0.5, False
        if n in (10, 11) and trunk:
            return 0.5, False
        return (0.55, True) if 8 <= n <= 12 else (0.0, False)
    if (sizes in ([3, 4], [4, 4]) and digits[0] != "0") or (
        len(sizes) >= 2 and 8 <= n <= 12 and min(sizes) >= 2
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
    else:
        score, needs_context = _national_score(core, digits, sizes)
    if not score:
        return 0.0
    cue = _cue(lower, start)
    if cue == "phone":
        return score + 0.1
    if needs_context or (cue == "id" and not intl):
        return 0.0
    return score


def _phone_at(lower: str, start: int, cand: str) -> tuple[int, float] | None:
    """(start, score) of the phone number ``cand`` found at ``start``, or None."""
    ext = _PHONE_EXT.search(cand)
    core = cand[: ext.start()] if ext else cand
    if core.count("(") != core.count(")"):
        # "(+33 (0)1 23 45 67 89)": the run stops at the last digit, before the closing ")".
        if not core.startswith("("):
            return None
        core, start = core[1:], start + 1
        if core.count("(") != core.count(")"):
            return None
    if ")" in core and core.index(")") < (core.index("(") if "(" in core else 0):
        return None
    if _IBAN_HEAD.search(lower, max(0, start - 40), start):
        return None  # the tail of an IBAN written in groups
    stripped = core.lstrip("(")
    intl = stripped.startswith("+") or stripped.startswith("00")
    score = _phone_score(lower, start, core, intl)
    return (start, round(min(score, 0.9), 2)) if score > 0 else None


def phones(text: str, lower: str, windows: Windows) -> Iterator[_Hit]:
    """PHONE hits inside the digit-cluster ``windows`` of ``text``."""
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
