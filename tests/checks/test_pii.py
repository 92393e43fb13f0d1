"""The ``pii`` check: true positives with exact spans, hard negatives, parameters, speed."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.checks import CheckContext, create_check
from spyglass.checks.pii import ENTITIES, PII, luhn_ok
from spyglass.exceptions import PolicyError

CHECK = PII()


def spans(text: str, check: PII = CHECK) -> list[tuple[str, str]]:
    return [(f.entity, f.text) for f in check.find(text)]


def luhn_complete(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("Mail me at john.doe@example.co.uk today", "EMAIL", "john.doe@example.co.uk"),
        ("From: <a_b+tag@mail.acme-corp.io>", "EMAIL", "a_b+tag@mail.acme-corp.io"),
        ('{"email": "x.y@uni-bonn.de"}', "EMAIL", "x.y@uni-bonn.de"),
        ("end of sentence: jo@ex.com.", "EMAIL", "jo@ex.com"),
        ("call (555) 234-5678 now", "PHONE", "(555) 234-5678"),
        ("tel 555-234-5678x123", "PHONE", "555-234-5678x123"),
        ("reach me on 555.234.5678", "PHONE", "555.234.5678"),
        ("+1-555-234-5678 is the desk", "PHONE", "+1-555-234-5678"),
        ("london office +44 20 7946 0958", "PHONE", "+44 20 7946 0958"),
        ("mobile 07700 900123", "PHONE", "07700 900123"),
        ("Büro 030 12345678", "PHONE", "030 12345678"),
        ("fixe: 01 23 45 67 89", "PHONE", "01 23 45 67 89"),
        ("+33 (0)1 23 45 67 89", "PHONE", "+33 (0)1 23 45 67 89"),
        ("India +91 98765 43210", "PHONE", "+91 98765 43210"),
        ("toll free 1-800-555-0199", "PHONE", "1-800-555-0199"),
        ("0049 30 12345678 (Zentrale)", "PHONE", "0049 30 12345678"),
        # Layout classes found by the Faker benchmark (benchmarks/data/pii_faker.jsonl).
        ("call (746)915-8443 today", "PHONE", "(746)915-8443"),
        ("desk +1-746-915-8443x0341", "PHONE", "+1-746-915-8443x0341"),
        ("from abroad dial 001-746-915-8443", "PHONE", "001-746-915-8443"),
        ("Office +44(0)115 4960914", "PHONE", "+44(0)115 4960914"),
        ("Emergency contact: Gilbert (+33 (0)5 45 45 75 51)", "PHONE", "+33 (0)5 45 45 75 51"),
        ("Lithuania +(370) 87789328", "PHONE", "+(370) 87789328"),
        ("Ring (0161) 4960066 for sales", "PHONE", "(0161) 4960066"),
        ("Kyara ((351) 244467081) paid", "PHONE", "(351) 244467081"),
        ("São Paulo (11) 91234-5678", "PHONE", "(11) 91234-5678"),
        ("Mobile:(02).2985.1650", "PHONE", "(02).2985.1650"),
        ("You can reach me on 0488.105.099 if needed", "PHONE", "0488.105.099"),
        ("Luiz | Fonseca | 35 3000-2188", "PHONE", "35 3000-2188"),
        ("Nikola (07751 59289 728) paid", "PHONE", "07751 59289 728"),
        ("best number to get me is 03478/59757461", "PHONE", "03478/59757461"),
        ("Bangkok 0 2916 1461", "PHONE", "0 2916 1461"),
        ("Moscow 8 (495) 123-45-67", "PHONE", "8 (495) 123-45-67"),
        ("Questions? 7465158443", "PHONE", "7465158443"),
        ("Fax: 057219798", "PHONE", "057219798"),
        ("callback requested at 0747055884.", "PHONE", "0747055884"),
        ("Caller ID 770-431-1631x19680, duration 12s", "PHONE", "770-431-1631x19680"),
        ("Agent: and the account?\nCustomer: (338)713-4710", "PHONE", "(338)713-4710"),
        ("card 4111 1111 1111 1111 exp 12/25", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("paid with 060452916715 yesterday", "CREDIT_CARD", "060452916715"),
        ("maestro 5018 6109 0469", "CREDIT_CARD", "5018 6109 0469"),
        ("card 575383236404 on file", "CREDIT_CARD", "575383236404"),
        ("JCB 3592036636466502", "CREDIT_CARD", "3592036636466502"),
        ("visa 4163 239 347 562", "CREDIT_CARD", "4163 239 347 562"),
        ("amex 3782-822463-10005.", "CREDIT_CARD", "3782-822463-10005"),
        ("mc 5555555555554444", "CREDIT_CARD", "5555555555554444"),
        ("IBAN: DE89 3704 0044 0532 0130 00 thanks", "IBAN", "DE89 3704 0044 0532 0130 00"),
        ("pay GB82WEST12345698765432", "IBAN", "GB82WEST12345698765432"),
        ("FR1420041010050500013M02606 ok", "IBAN", "FR1420041010050500013M02606"),
        ("SSN 219-09-9999 on file", "US_SSN", "219-09-9999"),
        ("my ssn is 219099999", "US_SSN", "219099999"),
        ("social security number: 219 09 9999", "US_SSN", "219 09 9999"),
        ("ITIN 912-70-1234", "US_ITIN", "912-70-1234"),
        ("login from 203.0.113.42 failed", "IP_ADDRESS", "203.0.113.42"),
        ("lan 192.168.1.10/24", "IP_ADDRESS", "192.168.1.10"),
        ("v6 2001:db8::8a2e:370:7334 up", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
        ("full fe80:0:0:0:204:61ff:fe9d:f156", "IP_ADDRESS", "fe80:0:0:0:204:61ff:fe9d:f156"),
        ("MAC 00:1A:2B:3C:4D:5E", "MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),
        ("mac 00-1a-2b-3c-4d-5e.", "MAC_ADDRESS", "00-1a-2b-3c-4d-5e"),
        ("cisco 001a.2b3c.4d5e", "MAC_ADDRESS", "001a.2b3c.4d5e"),
        ("NI number AB 12 34 56 C", "UK_NINO", "AB 12 34 56 C"),
        ("nino JG103759A", "UK_NINO", "JG103759A"),
        ("NHS number 943 476 5919", "UK_NHS", "943 476 5919"),
        ("SIN: 046 454 286", "CA_SIN", "046 454 286"),
        ("btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "CRYPTO", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        ("p2sh 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "CRYPTO", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        (
            "to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now",
            "CRYPTO",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        ("DOB: 14/03/1985", "DATE_OF_BIRTH", "14/03/1985"),
        ("born on March 14, 1985 in Lyon", "DATE_OF_BIRTH", "March 14, 1985"),
        ("date of birth 1985-03-14", "DATE_OF_BIRTH", "1985-03-14"),
    ],
)
def test_finds_entity_with_exact_span(text: str, entity: str, value: str) -> None:
    found = CHECK.find(text)
    assert [(f.entity, f.text) for f in found] == [(entity, value)]
    f = found[0]
    assert text[f.start : f.end] == value
    assert f.start == text.index(value)


@pytest.mark.parametrize(
    "text",
    [
        "Order #5551234567 shipped on 12/05/2024.",
        "Your order number is 5640544055; tracking 1Z999AA10123456784.",
        "Upgraded to version 2.14.3 and build 10.0.19045.2965.",
        "Total: $1,299.99 incl. VAT, was €1.049,00",
        "The meeting is at 2024-03-05 14:22:31 UTC.",
        "ISBN 978-0-306-40615-7 is out of print.",
        "declined card 4111 1111 1111 1112",
        "IBAN DE89 3704 0044 0532 0130 01 was rejected",
        "bad ssn 000-12-3456, 666-12-3456, 219-00-1234, 219-09-0000",
        "no context 219099999 here",
        "loopback 127.0.0.1, any 0.0.0.0, mask 255.255.255.0, ::1",
        "firmware version 1.2.3.4 released",
        "OID 1.3.6.1.4.1 and 999.1.1.1",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "commit 3f2a9c1b7e8d4f6a0b5c2e9d8f7a6b5c4d3e2f1a",
        "Resolution 1920x1080 at 144 Hz, 16 GB RAM, 10:30:45",
        "Reference: 2005-8647-8231, ticket 482139",
        "user@localhost has no domain",
        "broadcast ff:ff:ff:ff:ff:ff",
        "std::vector and a::b in C++",
        "ratio 3.14159265358979 and 1e10",
        "Call back re: order 5190330506 after 07:40.",
        "Package 3478409489867119 weighed 5.7 kg",
        'ua="Mozilla/5.0 (Windows NT 5.2; rv:1.9.2.20) Gecko/20100101" via Chrome/10.0.0.1',
        "Call ID 921421702734 closed, SLA 25 hours.",
        "Your policy 001363224 renews on 31.05.2027",
        '{"order_id": "001-4750956-7173693", "id": "5235213253"}',
        "code 6456327263255 is an EAN-13, not a 13-digit Visa",
        "population 12.345.678 people",
        "We saw 575383236404 yesterday.",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "entity"),
    [("943 476 5919 without the health service word", "UK_NHS"), ("046 454 286 alone", "CA_SIN")],
)
def test_context_entities_need_their_word(text: str, entity: str) -> None:
    assert entity not in {e for e, _ in spans(text)}  # it may still read as a phone number


def test_number_after_an_email_reads_as_a_contact_phone() -> None:
    text = "Nathalie,nb@example.org,0362524341,Paris"
    assert spans(text) == [("EMAIL", "nb@example.org"), ("PHONE", "0362524341")]


def test_weak_phone_layouts_need_a_phone_word() -> None:
    assert spans("Pedro 937 810 049 ok") == []
    assert spans("Pedro, phone 937 810 049") == [("PHONE", "937 810 049")]


def test_verdict_score_label_and_explanation() -> None:
    text = "card 4111 1111 1111 1111 or mail a@b.io"
    v = CHECK.evaluate(text, CheckContext())
    assert v.score == 0.95
    assert v.label == "CREDIT_CARD"
    assert v.explanation == "2 findings: CREDIT_CARD, EMAIL"
    assert "4111" not in v.explanation
    assert [f.start for f in v.findings] == sorted(f.start for f in v.findings)
    clean = CHECK.evaluate("nothing to see", CheckContext())
    assert (clean.score, clean.findings, clean.label) == (0.0, (), None)


def test_run_passes_and_fails_against_threshold() -> None:
    assert CHECK.run("hello there").passed is True
    assert CHECK.run("mail a@b.io").passed is False
    assert PII(threshold=0.95).run("mail a@b.io").passed is True


def test_findings_do_not_overlap() -> None:
    text = "NHS number 943 476 5919; for anything else about the booking, call 943 476 5919"
    found = CHECK.find(text)
    assert [f.entity for f in found] == ["UK_NHS", "PHONE"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_entities_and_exclude() -> None:
    text = "a@b.io and 203.0.113.42"
    assert spans(text, PII(entities=["email"])) == [("EMAIL", "a@b.io")]
    assert spans(text, PII(exclude=["EMAIL"])) == [("IP_ADDRESS", "203.0.113.42")]
    assert spans(text, PII(entities=["EMAIL"], exclude=["EMAIL"])) == []


@pytest.mark.parametrize("params", [{"entities": ["NAME"]}, {"exclude": ["ADDRESS"]}])
def test_unknown_entity_is_a_policy_error(params: dict[str, list[str]]) -> None:
    with pytest.raises(PolicyError, match="unknown PII entity"):
        PII(**params)  # type: ignore[arg-type]


def test_registered_and_fix_masks() -> None:
    check = create_check("pii", entities=list(ENTITIES))
    text = "mail a@b.io now"
    assert check.fix(text, check.run(text)) == "mail [EMAIL] now"


SAFE = st.text(alphabet=st.sampled_from("abcdefghij klmnopqrstuvwxyzABCDEFGH,;!?'\n"), max_size=300)


@settings(max_examples=60, deadline=None)
@given(prefix=SAFE, suffix=SAFE, body=st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_valid_card_in_prose_is_found_with_exact_span(prefix: str, suffix: str, body: str) -> None:
    number = luhn_complete("4" + body)
    text = f"{prefix} {number} {suffix}"
    found = [f for f in CHECK.find(text) if f.entity == "CREDIT_CARD"]
    start = len(prefix) + 1
    assert [(f.start, f.end) for f in found] == [(start, start + 16)]


@settings(max_examples=60, deadline=None)
@given(text=SAFE)
def test_prose_without_digits_or_at_has_no_findings(text: str) -> None:
    assert CHECK.find(text) == ()


@pytest.mark.parametrize(
    "text",
    ["1 " * 50_000, "1" * 100_000, "a" * 100_000 + "@", "a@b." * 25_000, "+1 (" * 25_000,
     "1-" * 50_000, "ab:" * 33_000, "x1-2 3.4@" * 11_000],
)  # fmt: skip
def test_adversarial_100kb_is_fast(text: str) -> None:
    started = time.perf_counter()
    CHECK.find(text)
    assert time.perf_counter() - started < 2.0
