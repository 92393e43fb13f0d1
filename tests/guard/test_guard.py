"""The guard engine: actions, order, errors and timeouts, re-ask, async, recording."""

from __future__ import annotations

import asyncio
import json

import pytest

from spyglass.checks import create_check
from spyglass.exceptions import GuardBlocked, PolicyError
from spyglass.guard import Action, Guard, GuardResult, Policy, Rule, Stage, Vault
from spyglass.testing import Capture
from tests.guard.fakes import AsyncCheck, BlockingCheck


def policy(*rules: tuple[str, str], stage: str = "input", **kw: object) -> Policy:
    built = [
        Rule(check=create_check(name, **params), action=Action(action))
        for name, action, params in ((n, a, {}) for n, a in rules)
    ]
    return Policy(name="t", **{stage: built}, **kw)  # type: ignore[arg-type]


def test_a_passing_text_is_unchanged_and_not_flagged() -> None:
    result = Guard(policy(("test-word", "block"))).check_input("hello there")
    assert not result.blocked and not result.flagged and result.passed
    assert result.text == "hello there"
    assert [o.taken for o in result.outcomes] == ["none"]


def test_block_stops_the_run_and_names_the_rule() -> None:
    guard = Guard(policy(("test-word", "block"), ("test-email", "redact")))
    result = guard.check_input("this is forbidden, mail a@b.com")
    assert result.blocked and result.reason is not None and result.reason.startswith("test-word")
    assert result.text == ""  # no refusal configured: nothing to send on
    assert [o.rule for o in result.outcomes] == ["test-word"]  # stopped at the block
    with pytest.raises(GuardBlocked) as info:
        guard.validate_input("forbidden")
    assert "forbidden" not in str(info.value).replace("test-word", "")  # no text echoed
    assert info.value.result.blocked  # type: ignore[attr-defined]


def test_a_refusal_is_returned_instead_of_raising_on_output() -> None:
    guard = Guard(policy(("test-word", "block"), stage="output", refusal="Sorry."))
    assert guard.validate_output("forbidden words") == "Sorry."
    assert guard.check_output("forbidden").text == "Sorry."


def test_redact_masks_every_finding() -> None:
    guard = Guard(policy(("test-email", "redact")))
    result = guard.check_input("write to a@b.com and c.d@e.org now")
    assert result.text == "write to [EMAIL] and [EMAIL] now"
    assert result.actions == ["redact"] and not result.blocked


def test_pseudonymised_values_stay_consistent_and_come_back_in_the_answer() -> None:
    guard = Guard(policy(("test-email", "redact"), redaction="pseudonymize"))
    vault = Vault()
    first = guard.check_input("I am a@b.com", vault=vault).text
    second = guard.check_input("cc c@d.org and a@b.com", vault=vault).text
    assert first == "I am <EMAIL_1>"
    assert second == "cc <EMAIL_2> and <EMAIL_1>"
    answer = guard.check_output("Sent to <EMAIL_1>; <EMAIL_9> is unknown", vault=vault)
    assert answer.text == "Sent to a@b.com; <EMAIL_9> is unknown"


def test_output_rules_see_restored_values_and_mask_them() -> None:
    vault = Vault()
    guard = Guard(
        Policy(
            name="t",
            input=[Rule(create_check("test-email"), Action.REDACT)],
            output=[Rule(create_check("test-email"), Action.REDACT)],
            redaction="pseudonymize",
        )
    )
    assert guard.check_input("me: a@b.com", vault=vault).text == "me: <EMAIL_1>"
    assert guard.check_output("ok <EMAIL_1>", vault=vault).text == "ok [EMAIL]"


def test_redact_without_spans_blocks_rather_than_passing_the_text() -> None:
    result = Guard(policy(("test-score-only", "redact"))).check_input("a bad idea")
    assert result.blocked and result.outcomes[0].taken == "block"


def test_monitor_records_but_changes_nothing() -> None:
    result = Guard(policy(("test-word", "monitor"))).check_input("forbidden fruit")
    assert result.text == "forbidden fruit" and not result.blocked
    assert result.flagged and result.actions == ["monitor"]


def test_fix_replaces_the_text_when_the_repair_passes() -> None:
    guard = Guard(policy(("test-json", "fix"), stage="output"))
    result = guard.check_output('{"a": 1,}')
    assert result.text == '{"a": 1}' and result.actions == ["fix"] and not result.blocked


def test_fix_that_cannot_repair_blocks() -> None:
    result = Guard(policy(("test-json", "fix"), stage="output")).check_output("not json")
    assert result.blocked and result.reason == "test-json: could not be fixed"


def test_later_rules_see_the_text_as_earlier_rules_left_it() -> None:
    # The e-mail holds the forbidden word; once redacted, the word check no longer sees it.
    guard = Guard(policy(("test-email", "redact"), ("test-word", "block")))
    result = guard.check_input("write to forbidden@corp.com")
    assert not result.blocked and result.text == "write to [EMAIL]"


def test_a_crashing_check_fails_open_or_closed_as_configured() -> None:
    open_ = Policy(name="t", input=[Rule(create_check("test-crash"), Action.BLOCK)])
    result = Guard(open_).check_input("x")
    assert not result.blocked and result.outcomes[0].taken == "error-open"
    assert result.outcomes[0].result.error == "RuntimeError: boom"
    closed = Policy(
        name="t", input=[Rule(create_check("test-crash"), Action.BLOCK, on_error="closed")]
    )
    assert Guard(closed).check_input("x").blocked


def test_a_check_over_its_timeout_counts_as_an_error() -> None:
    rule = Rule(create_check("test-hang"), Action.BLOCK, timeout_ms=20, on_error="closed")
    try:
        result = Guard(Policy(name="t", input=[rule])).check_input("x")
    finally:
        BlockingCheck.release.set()
    assert result.blocked
    assert result.outcomes[0].result.error == "timeout"
    assert "timed out after 20 ms" in (result.reason or "")


def test_reask_calls_the_model_again_with_the_failure_explained() -> None:
    prompts: list[str] = []
    answers = iter(["nope", "still nope", '{"ok": true}'])

    def model(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    guard = Guard(policy(("test-json", "reask"), stage="output"))
    assert guard.call(model, "Give JSON") == '{"ok": true}'
    assert len(prompts) == 3
    assert prompts[1].startswith("Give JSON") and "not JSON" in prompts[1]
    assert "Previous answer:\nnope" in prompts[1]


def test_reask_is_bounded() -> None:
    calls = []

    def model(prompt: str) -> str:
        calls.append(prompt)
        return "never json"

    guard = Guard(policy(("test-json", "reask"), stage="output", max_reasks=1))
    with pytest.raises(GuardBlocked, match="after 1 re-asks"):
        guard.call(model, "Give JSON")
    assert len(calls) == 2
    refusing = Guard(policy(("test-json", "reask"), stage="output", refusal="No."))
    assert refusing.call(model, "Give JSON") == "No."


def test_call_does_not_reach_the_model_when_the_input_is_blocked() -> None:
    guard = Guard(policy(("test-word", "block"), refusal="I can't help with that."))

    def model(prompt: str) -> str:
        raise AssertionError("the model must not be called")

    assert guard.call(model, "forbidden request") == "I can't help with that."


def test_call_sends_the_redacted_prompt_and_restores_the_answer() -> None:
    guard = Guard(policy(("test-email", "redact"), redaction="pseudonymize"))
    seen = []

    def model(prompt: str) -> str:
        seen.append(prompt)
        return "I will write to <EMAIL_1>."

    assert guard.call(model, "Contact a@b.com") == "I will write to a@b.com."
    assert seen == ["Contact <EMAIL_1>"]


def test_async_checks_are_awaited_and_async_call_works() -> None:
    guard = Guard(policy(("test-async", "block"), stage="output", refusal="R"))
    before = AsyncCheck.calls

    async def model(prompt: str) -> str:
        return "this is slow"

    async def main() -> tuple[str, bool]:
        answer = await guard.acall(model, "hi")
        result = await guard.acheck_output("fast")
        return answer, result.blocked

    assert asyncio.run(main()) == ("R", False)
    assert AsyncCheck.calls == before + 2


def test_async_timeout_on_a_sync_check() -> None:
    rule = Rule(create_check("test-hang"), Action.BLOCK, timeout_ms=20)
    BlockingCheck.release.clear()

    async def main() -> GuardResult:
        try:
            return await Guard(Policy(name="t", input=[rule])).acheck_input("x")
        finally:
            # asyncio.run waits for its worker threads: let the hung check finish.
            BlockingCheck.release.set()

    result = asyncio.run(main())
    assert not result.blocked and result.outcomes[0].taken == "error-open"


def test_a_blocked_run_is_recorded_as_a_guardrail_span_without_the_text(
    spyglass_capture: Capture,
) -> None:
    guard = Guard(policy(("test-email", "redact"), ("test-word", "block")))
    guard.check_input("mail a@b.com: forbidden")
    sp = spyglass_capture.one("guard.input")
    attrs = dict(sp.attributes or {})
    assert attrs["spyglass.span.kind"] == "GUARDRAIL"
    meta = json.loads(str(attrs["spyglass.metadata"]))
    assert meta["guard.blocked"] is True and meta["guard.actions"] == ["block", "redact"]
    assert list(attrs["spyglass.tags"]) == ["guard:block", "guard:redact"]  # type: ignore[arg-type]
    results = json.loads(str(attrs["spyglass.guard.results"]))
    assert [(r["rule"], r["taken"], r["entities"]) for r in results] == [
        ("test-email", "redact", ["EMAIL"]),
        ("test-word", "block", ["WORD"]),
    ]
    assert "a@b.com" not in json.dumps(attrs)


def test_a_passing_run_records_the_redacted_text(spyglass_capture: Capture) -> None:
    Guard(policy(("test-email", "redact"))).check_input("mail a@b.com")
    attrs = dict(spyglass_capture.one("guard.input").attributes or {})
    assert "a@b.com" not in json.dumps(attrs)
    assert "[EMAIL]" in str(attrs["spyglass.output"])


def test_record_false_and_an_unconfigured_sdk_record_nothing(spyglass_capture: Capture) -> None:
    Guard(policy(("test-word", "block")), record=False).check_input("forbidden")
    assert spyglass_capture.spans() == []


def test_stage_accepts_strings() -> None:
    guard = Guard(policy(("test-word", "block"), stage="output"))
    assert guard.run("forbidden", "output").blocked
    assert not guard.run("forbidden", Stage.INPUT).blocked  # no input rules


def test_reask_on_an_input_rule_is_refused() -> None:
    with pytest.raises(PolicyError, match="reask only applies to outputs"):
        policy(("test-json", "reask"))
