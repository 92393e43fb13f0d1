"""Policies from YAML: the format, its errors, examples and measurement."""

from __future__ import annotations

from pathlib import Path

import pytest

from spyglass.exceptions import PolicyError
from spyglass.guard import Action, Policy, Stage
from spyglass.guard.evaluation import evaluate_policy, read_cases, run_examples

POLICY = """
name: demo
description: for tests
redaction: pseudonymize
refusal: "No."
input:
  - check: test-word
    word: secret
    threshold: 0.5
    timeout_ms: 100
    on_error: closed
  - check: test-email
    action: redact
    label: emails
output:
  - check: test-json
    action: fix
examples:
  - {text: "hello", expect: pass}
  - {text: "a secret plan", expect: block}
  - {text: "mail a@b.com", expect: redact, output: "mail <EMAIL_1>"}
  - {stage: output, text: '{"a": 1,}', expect: fix, output: '{"a": 1}'}
"""


def test_a_yaml_policy_loads_with_rule_options_and_check_parameters() -> None:
    policy = Policy.from_yaml(POLICY)
    assert policy.name == "demo" and policy.refusal == "No."
    first, second = policy.input
    assert (first.name, first.action, first.timeout_ms, first.on_error) == (
        "test-word",
        Action.BLOCK,
        100,
        "closed",
    )
    assert first.check.threshold == 0.5
    assert second.name == "emails"  # the label renames the rule
    assert policy.rules("output")[0].action is Action.FIX


def test_examples_run_like_unit_tests() -> None:
    outcomes = run_examples(Policy.from_yaml(POLICY))
    assert [(o.got, o.ok) for o in outcomes] == [
        ("pass", True),
        ("block", True),
        ("redact", True),
        ("fix", True),
    ]


def test_a_failing_example_says_what_differed() -> None:
    policy = Policy.from_yaml(POLICY.replace("expect: pass", "expect: block"))
    bad = [o for o in run_examples(policy) if not o.ok]
    assert len(bad) == 1 and bad[0].problem == "expected block, got pass"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("input: [{check: nope}]", "input[0]: unknown check 'nope'"),
        ("input: [{action: block}]", "input[0]: a rule is a mapping with a 'check' key"),
        ("input: [{check: test-word, action: explode}]", "unknown action 'explode'"),
        ("input: [{check: test-word, wrod: x}]", "check 'test-word'"),
        ("input: [{check: test-word, on_error: maybe}]", "on_error must be 'open' or 'closed'"),
        ("input: [{check: test-json, action: reask}]", "reask only applies to outputs"),
        ("inptu: []", "unknown keys ['inptu']"),
        ("redaction: shred", "redaction must be one of"),
        ("input: {check: x}", "'input' is a list of rules"),
        ("examples: [{text: hi, expect: maybe}]", "expect must be one of"),
        ("input: [ {check: ", "not valid YAML"),
        ("- a list", "a policy is a mapping"),
    ],
)
def test_bad_policies_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Policy.from_yaml(text, "p.yaml")


def test_load_takes_a_path_or_a_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("input: [{check: test-word}]")
    assert Policy.load(path).name == "mine"
    with pytest.raises(PolicyError, match="no policy 'nonexistent'"):
        Policy.load("nonexistent")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        Policy.load(tmp_path / "missing.yaml")


def test_evaluate_counts_per_check_and_overall(tmp_path: Path) -> None:
    data = tmp_path / "cases.jsonl"
    data.write_text(
        '{"text": "a secret", "label": 1}\n'
        '{"text": "mail a@b.com", "label": 1}\n'
        '{"text": "secret to x@y.org", "label": 0}\n'
        "\n"
        '{"text": "plain", "label": 0}\n'
        '{"text": "missed", "label": 1}\n'
    )
    report = evaluate_policy(Policy.from_yaml(POLICY), read_cases(data), Stage.INPUT)
    overall = report["overall"]
    assert (overall["tp"], overall["fp"], overall["tn"], overall["fn"]) == (2, 1, 1, 1)
    assert overall["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert overall["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert overall["fpr"] == 0.5
    word = report["checks"]["test-word"]
    assert (word["tp"], word["fp"], word["fn"]) == (1, 1, 2)  # every rule runs on every text
    assert report["checks"]["emails"]["n"] == 5
    assert overall["latency_ms_p95"] >= overall["latency_ms_p50"] >= 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", ":1: not JSON"),
        ('{"label": 1}', ":1: each line needs a string 'text'"),
        ('{"text": "x", "label": 2}', ":1: 'label' must be 0 or 1"),
    ],
)
def test_bad_case_files_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text(line + "\n")
    with pytest.raises(PolicyError, match=message):
        list(read_cases(data))
