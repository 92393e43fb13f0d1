"""Write ``pii_spans.jsonl``: a span-labelled PII evaluation set, synthetic and seeded.

Every value is made up here, with valid checksums computed here (Luhn, mod-97, mod-11,
base58check, bech32); no row comes from another data set. About two thirds of the rows hold
PII in varied formats inside support tickets, chat messages, e-mails, logs, forms and JSON; the
rest are hard negatives only (order and tracking numbers, dates, versions, prices, ISBNs,
invalid-checksum cards and IBANs, UUIDs, hashes).

    python benchmarks/data/make_pii_spans.py [--rows 360] [--seed 7] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

FIRST = [
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Mei",
    "Noah",
    "Olga",
    "Priya",
]
LAST = [
    "Smith",
    "Garcia",
    "Müller",
    "Dubois",
    "Rossi",
    "Nakamura",
    "Okafor",
    "Patel",
    "Kowalski",
    "Silva",
    "Jensen",
    "Novak",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DOMAINS = [
    "gmail.com",
    "outlook.com",
    "acme-corp.io",
    "mail.example.org",
    "uni-bonn.de",
    "company.co.uk",
]


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def digits(self, n: int, first: str = "0123456789") -> str:
        return self.r.choice(first) + "".join(self.r.choice(string.digits) for _ in range(n - 1))

    def email(self) -> str:
        f, last = self.r.choice(FIRST).lower(), self.r.choice(LAST).lower().replace("ü", "u")
        local = self.r.choice(
            [f"{f}.{last}", f"{f[0]}{last}", f"{f}_{last}{self.r.randint(1, 99)}", f"{f}+news"]
        )
        return f"{local}@{self.r.choice(DOMAINS)}"

    def phone(self) -> str:
        d = self.digits
        area = d(3, "23456789")
        return self.r.choice(
            [
                f"({area}) {d(3, '23456789')}-{d(4)}",
                f"{area}-{d(3, '23456789')}-{d(4)}",
                f"{area}.{d(3, '23456789')}.{d(4)}",
                f"+1 {area} {d(3, '23456789')} {d(4)}",
                f"+1-{area}-{d(3, '23456789')}-{d(4)}x{d(3)}",
                f"1-800-{d(3, '23456789')}-{d(4)}",
                f"+44 20 7946 {d(4)}",
                f"+44 7700 {d(6)}",
                f"07700 {d(6)}",
                f"020 7946 {d(4)}",
                f"+49 30 {d(8)}",
                f"+49 (0)89 {d(7)}",
                f"030 {d(8)}",
                f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"01 {d(2)} {d(2)} {d(2)} {d(2)}",
                f"+91 {d(5, '6789')} {d(5)}",
                f"{d(5, '6789')} {d(5)}",
                f"+61 2 {d(4)} {d(4)}",
                f"+34 {d(3, '6')} {d(3)} {d(3)}",
                f"+81 3-{d(4)}-{d(4)}",
            ]
        )

    def card(self, valid: bool = True) -> str:
        prefix, length, groups = self.r.choice(
            [
                ("4", 16, (4, 4, 4, 4)),
                (str(self.r.randint(51, 55)), 16, (4, 4, 4, 4)),
                (str(self.r.randint(2221, 2720)), 16, (4, 4, 4, 4)),
                (self.r.choice(["34", "37"]), 15, (4, 6, 5)),
                ("6011", 16, (4, 4, 4, 4)),
                (str(self.r.randint(3528, 3589)), 16, (4, 4, 4, 4)),
                ("36", 14, (4, 6, 4)),
            ]
        )
        body = prefix + self.digits(length - len(prefix) - 1)
        check = luhn_digit(body)
        if not valid:
            check = str((int(check) + self.r.randint(1, 9)) % 10)
        number = body + check
        sep = self.r.choice(["", " ", "-"])
        if not sep:
            return number
        out, pos = [], 0
        for g in groups:
            out.append(number[pos : pos + g])
            pos += g
        return sep.join(out)

    def iban(self, valid: bool = True) -> str:
        country, bban = self.r.choice(
            [
                ("DE", self.digits(18)),
                ("GB", "NWBK" + self.digits(14)),
                ("FR", self.digits(10) + self.digits(11) + self.digits(2)),
                ("NL", "ABNA" + self.digits(10)),
                ("ES", self.digits(20)),
                ("IT", "X" + self.digits(10) + self.digits(12)),
                ("CH", self.digits(17)),
                ("BE", self.digits(12)),
            ]
        )
        num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        check = 98 - num % 97
        if not valid:
            check = (check + self.r.randint(1, 90)) % 100
        code = f"{country}{check:02d}{bban}"
        if self.r.random() < 0.5:
            return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
        return code

    def ssn(self, dashed: bool = True) -> str:
        area = self.r.choice([n for n in range(1, 900) if n != 666])
        s = f"{area:03d}-{self.r.randint(1, 99):02d}-{self.r.randint(1, 9999):04d}"
        return s if dashed else s.replace("-", "")

    def ipv4(self) -> str:
        b = [str(self.r.randint(1, 254)) for _ in range(3)]
        return self.r.choice(
            [
                f"192.168.{b[0]}.{b[1]}",
                f"10.{b[0]}.{b[1]}.{b[2]}",
                f"{self.r.randint(11, 223)}.{'.'.join(b)}",
            ]
        )

    def ipv6(self) -> str:
        groups = [f"{self.r.randint(0, 0xFFFF):x}" for _ in range(8)]
        if self.r.random() < 0.5:
            return "2001:db8::" + ":".join(groups[:3])
        return ":".join(groups)

    def mac(self) -> str:
        pairs = [f"{self.r.randint(0, 255):02X}" for _ in range(6)]
        return self.r.choice([":", "-"]).join(pairs)

    def nino(self) -> str:
        first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
        while True:
            prefix = self.r.choice(first) + self.r.choice(second)
            if prefix not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
                break
        d = self.digits(6)
        tail = self.r.choice("ABCD")
        if self.r.random() < 0.5:
            return f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {tail}"
        return f"{prefix}{d}{tail}"

    def nhs(self) -> str:
        while True:
            body = self.digits(9, "4689")
            check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(body)) % 11
            check = 0 if check == 11 else check
            if check != 10:
                n = body + str(check)
                return f"{n[:3]} {n[3:6]} {n[6:]}"

    def sin(self) -> str:
        body = self.digits(8, "1234567")
        n = body + luhn_digit(body)
        return f"{n[:3]} {n[3:6]} {n[6:]}" if self.r.random() < 0.6 else f"{n[:3]}-{n[3:6]}-{n[6:]}"

    def btc(self) -> str:
        if self.r.random() < 0.5:
            payload = bytes([self.r.choice([0, 5])]) + self.r.randbytes(20)
            raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
            alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
            num, out = int.from_bytes(raw, "big"), ""
            while num:
                num, rem = divmod(num, 58)
                out = alphabet[rem] + out
            return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out
        return bech32_address(self.r.randbytes(20))

    def dob(self) -> str:
        y, m, d = self.r.randint(1940, 2005), self.r.randint(1, 12), self.r.randint(1, 28)
        name = MONTHS[m - 1]
        return self.r.choice(
            [
                f"{y}-{m:02d}-{d:02d}",
                f"{m:02d}/{d:02d}/{y}",
                f"{d:02d}.{m:02d}.{y}",
                f"{d} {name} {y}",
                f"{name} {d}, {y}",
            ]
        )


def bech32_address(program: bytes) -> str:
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    acc, bits, data = 0, 0, [0]
    for b in program:
        acc, bits = (acc << 8) | b, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in [3, 3, 0, 2, 3] + data + [0] * 6:  # hrp "bc" expanded
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    chk ^= 1
    return "bc1" + "".join(charset[d] for d in data + [(chk >> 5 * (5 - i)) & 31 for i in range(6)])


# Sentence templates per entity: {v} is the value. Several genres per entity.
TEMPLATES: dict[str, list[str]] = {
    "EMAIL": [
        "Hi, please send the invoice to {v} before Friday.",
        "From: {v}\nSubject: Re: refund request",
        "user={v} action=login status=ok",
        '{{"customer": {{"email": "{v}", "plan": "pro"}}}}',
        "you can reach me at {v} anytime",
        "CC: <{v}>",
    ],
    "PHONE": [
        "Call me back on {v} after 5pm please.",
        "Phone: {v}",
        "my mobile is {v}, text if urgent",
        "Contact number {v} (office hours only)",
        "ring our hotline at {v}.",
        '{{"name": "J. Doe", "tel": "{v}"}}',
        "Kunde erreichbar unter {v}.",
    ],
    "CREDIT_CARD": [
        "My card number is {v}, exp 09/27.",
        "Payment failed for card {v} - please retry.",
        "cc: {v}",
        "I paid with {v} yesterday and got charged twice.",
        '{{"pan": "{v}", "cvv": "***"}}',
    ],
    "IBAN": [
        "Please wire the refund to IBAN {v}.",
        "Bank details: {v} (Sparkasse)",
        "iban={v}",
        "Account for payouts: {v}",
    ],
    "US_SSN": [
        "SSN: {v}",
        "my social security number is {v}",
        "Applicant SSN {v} verified.",
    ],
    "IP_ADDRESS": [
        "Failed login from {v} at 03:14 UTC",
        "client_ip={v} method=GET path=/api/orders",
        "Can you whitelist {v} for the VPN?",
        "[WARN] connection reset by peer {v}",
    ],
    "MAC_ADDRESS": [
        "Device MAC {v} is not on the allow list.",
        "dhcp lease for {v} renewed",
    ],
    "UK_NINO": [
        "National Insurance number: {v}",
        "NI no. {v} for payroll",
    ],
    "UK_NHS": [
        "NHS number {v} - appointment booked.",
        "Patient NHS no: {v}",
    ],
    "CA_SIN": [
        "SIN: {v}",
        "My social insurance number is {v}.",
    ],
    "CRYPTO": [
        "Send the BTC to {v} please.",
        "wallet address: {v}",
    ],
    "DATE_OF_BIRTH": [
        "DOB: {v}",
        "Date of birth: {v}",
        "I was born on {v} in Lyon.",
    ],
}
ENTITY_WEIGHTS = {
    "EMAIL": 5, "PHONE": 8, "CREDIT_CARD": 5, "IBAN": 4, "US_SSN": 4, "IP_ADDRESS": 4,
    "MAC_ADDRESS": 2, "UK_NINO": 2, "UK_NHS": 2, "CA_SIN": 2, "CRYPTO": 2, "DATE_OF_BIRTH": 3,
}  # fmt: skip


def negatives(g: Gen) -> list[str]:
    """Hard negatives: digit-heavy text with no PII in it."""
    r, d = g.r, g.digits
    return [
        f"Order #{d(7)} shipped on {r.randint(1, 28)}/{r.randint(1, 12)}/2024.",
        f"Your order number is {d(10)}; tracking 1Z{d(3)}AA1{d(10)}.",
        f"Upgraded to version {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)} last night.",
        f"Build 10.0.{d(5)}.{d(4)} fails on Windows.",
        f"Total: ${r.randint(1, 9)},{d(3)}.{d(2)} incl. VAT",
        f"The meeting is at 2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} 14:{d(2)}:00 UTC.",
        f"ISBN 978-{d(1)}-{d(3)}-{d(5)}-{d(1)} is out of print.",
        f"Ticket {d(6)} was merged into {d(6)}.",
        f"I tried card {g.card(valid=False)} but it was declined as invalid.",
        f"IBAN {g.iban(valid=False)} was rejected by the bank.",
        f"request_id={r.randbytes(16).hex()} latency_ms={r.randint(5, 900)}",
        f"commit {r.randbytes(20).hex()} fixed the bug",
        f"Resolution 1920x1080 at {r.randint(30, 144)} Hz, {r.randint(2, 64)} GB RAM.",
        f"Invoice INV-{d(4)}-{d(6)} is due in {r.randint(5, 60)} days.",
        f"Temperature was {r.randint(-10, 40)}.{d(1)} C at 06:45; humidity {r.randint(10, 99)}%.",
        f"Python {r.randint(3, 3)}.{r.randint(8, 13)}.{r.randint(0, 9)} with numpy 1.{d(2)}.{d(1)}",
        f"Reference: {d(4)}-{d(4)}-{d(4)}",
        f"ZIP code {d(5)}, PO box {d(4)}.",
        f"version 1.2.3.4 of the firmware, built {d(8)}",
        f"uuid 9f1c2d3e-{d(4)}-4{d(3)}-a{d(3)}-{r.randbytes(6).hex()}",
        f"Amount due: EUR {d(4)}.{d(2)}, account 12345678 at branch {d(3)}",
        f"Parcel weighs {d(2)}.{d(1)} kg, dimensions 40 x 30 x 20 cm.",
        f"Call ID {d(12)} closed, SLA {r.randint(1, 72)} hours.",
        f"Stock moved from {d(3)}.{d(2)} to {d(3)}.{d(2)} (+{r.randint(1, 9)}.{d(1)}%).",
        "Loopback is 127.0.0.1 and the bind address is 0.0.0.0; netmask 255.255.255.0.",
        f"SSN field left blank; employee no. {d(6)}.",
        f"Serial number SN-{d(10)} is under warranty.",
        f"The score was {r.randint(0, 9)}-{r.randint(0, 9)} after {r.randint(60, 120)} minutes.",
    ]


FILLER = [
    "Thanks for getting back to me so quickly.",
    "Hello support team,",
    "Best regards, the billing team",
    "This is the third time I am writing about this.",
    "Let me know if you need anything else.",
    "ok thanks!",
    "2024-05-02T10:21:33Z INFO worker-3 processed batch 812 in 143 ms",
    "Our SLA is 24 hours for priority tickets.",
    "",
]


def row(g: Gen, entities: list[str]) -> dict[str, object]:
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0

    def add(text: str) -> None:
        nonlocal pos
        if parts:
            parts.append(" " if g.r.random() < 0.7 else "\n")
            pos += 1
        parts.append(text)
        pos += len(text)

    if g.r.random() < 0.5:
        add(g.r.choice(FILLER) or "Hi,")
    makers: dict[str, Callable[[], str]] = {
        "EMAIL": g.email, "PHONE": g.phone, "CREDIT_CARD": g.card, "IBAN": g.iban,
        "US_SSN": lambda: g.ssn(dashed=g.r.random() < 0.8), "IP_ADDRESS": lambda: (
            g.ipv4() if g.r.random() < 0.75 else g.ipv6()), "MAC_ADDRESS": g.mac,
        "UK_NINO": g.nino, "UK_NHS": g.nhs, "CA_SIN": g.sin, "CRYPTO": g.btc,
        "DATE_OF_BIRTH": g.dob,
    }  # fmt: skip
    for entity in entities:
        value = makers[entity]()
        template = g.r.choice(TEMPLATES[entity])
        if entity == "US_SSN" and "-" not in value:
            template = g.r.choice(["SSN: {v}", "my social security number is {v}"])
        before, after = template.split("{v}")
        before = before.replace("{{", "{").replace("}}", "}")
        after = after.replace("{{", "{").replace("}}", "}")
        sentence = before + value + after
        start = pos + (1 if parts else 0) + len(before)
        add(sentence)
        spans.append({"start": start, "end": start + len(value), "entity": entity})
    if g.r.random() < 0.5:
        add(g.r.choice(negatives(g)))
    if g.r.random() < 0.4:
        add(g.r.choice(FILLER) or "Cheers")
    return {"text": "".join(parts), "spans": spans}


def build(n_rows: int, seed: int) -> list[dict[str, object]]:
    g = Gen(random.Random(seed))
    names = list(ENTITY_WEIGHTS)
    weights = list(ENTITY_WEIGHTS.values())
    rows: list[dict[str, object]] = []
    for i in range(n_rows):
        if i % 3 == 2:  # a third are negatives only
            texts = g.r.sample(negatives(g), k=g.r.randint(1, 3))
            rows.append({"text": " ".join(texts), "spans": []})
            continue
        k = g.r.choice([1, 1, 1, 2, 2, 3])
        rows.append(row(g, g.r.choices(names, weights, k=k)))
    for r in rows:  # the spans must point at the values
        text = str(r["text"])
        for s in r["spans"]:  # type: ignore[attr-defined]
            assert text[s["start"] : s["end"]].strip() == text[s["start"] : s["end"]]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=360)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("pii_spans.jsonl"))
    args = ap.parse_args()
    rows = build(args.rows, args.seed)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_spans = sum(len(r["spans"]) for r in rows)  # type: ignore[misc, arg-type]
    print(f"wrote {len(rows)} rows, {n_spans} spans to {args.out}")


if __name__ == "__main__":
    main()
