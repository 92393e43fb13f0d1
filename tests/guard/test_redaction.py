"""Redaction: masking, and pseudonymisation that the vault reverses exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spyglass.checks import Finding
from spyglass.guard.redaction import Vault, merge_findings, redact

WORDS = st.text(alphabet="abcdefghij .,\n", max_size=12)
VALUES = st.sampled_from(
    ["a@b.com", "jane.doe@example.org", "+44 20 7946 0958", "4111 1111 1111 1111", "x@y.io"]
)


@st.composite
def texts_with_findings(draw: st.DrawFn) -> tuple[str, list[Finding]]:
    parts: list[str] = []
    findings: list[Finding] = []
    pos = 0
    for _ in range(draw(st.integers(0, 8))):
        gap = draw(WORDS) + " "
        value = draw(VALUES)
        entity = "EMAIL" if "@" in value else "NUMBER"
        parts.append(gap)
        pos += len(gap)
        findings.append(Finding(pos, pos + len(value), entity, value))
        parts.append(value)
        pos += len(value)
    parts.append(draw(WORDS))
    return "".join(parts), findings


@given(texts_with_findings())
def test_pseudonymise_then_restore_gives_back_the_text(case: tuple[str, list[Finding]]) -> None:
    text, findings = case
    vault = Vault()
    hidden = redact(text, findings, mode="pseudonymize", vault=vault)
    for f in findings:
        assert f.text not in hidden
    assert vault.restore(hidden) == text
    # The same value gets the same placeholder in a later turn of the conversation.
    assert redact(text, findings, mode="pseudonymize", vault=vault) == hidden


@given(texts_with_findings())
def test_mask_removes_every_value(case: tuple[str, list[Finding]]) -> None:
    text, findings = case
    masked = redact(text, findings)
    for f in findings:
        assert f.text not in masked
    assert masked.count("[") == len(findings)


def test_overlapping_findings_keep_the_longer_span_and_documents_are_ignored() -> None:
    findings = [
        Finding(0, 5, "A", "hello"),
        Finding(2, 11, "B", "llo world"),
        Finding(0, 3, "DOCUMENT[0]:X", "doc"),
    ]
    assert [f.entity for f in merge_findings(findings)] == ["B"]
    assert redact("hello world!", findings) == "he[B]!"


def test_restore_leaves_unknown_placeholders_alone() -> None:
    vault = Vault()
    ph = vault.placeholder("email", "a@b.com")
    assert ph == "<EMAIL_1>"
    assert vault.restore("<EMAIL_1> <EMAIL_2> <email_1>") == "a@b.com <EMAIL_2> <email_1>"
