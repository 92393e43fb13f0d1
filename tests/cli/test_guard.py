"""``spyglass guard``: policies, checks, test, eval, check — in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tests.guard.fakes  # noqa: F401  (registers test-* checks)
from spyglass.cli.app import app

runner = CliRunner()

POLICY = """
name: cli
input:
  - check: test-word
  - check: test-email
    action: redact
examples:
  - {text: "hi", expect: pass}
  - {text: "forbidden", expect: block}
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY)
    return path


def test_test_passes_and_fails_with_exit_codes(policy_file: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["guard", "test", str(policy_file)])
    assert ok.exit_code == 0, ok.output
    assert "2 passed, 0 failed" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.replace("expect: pass", "expect: block"))
    failed = runner.invoke(app, ["guard", "test", str(bad)])
    assert failed.exit_code == 1
    assert "FAIL" in failed.output and "expected block, got pass" in failed.output


def test_eval_prints_one_json_object(policy_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "forbidden", "label": 1}\n{"text": "fine", "label": 0}\n')
    result = runner.invoke(app, ["guard", "eval", str(policy_file), "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for block in (report["overall"], *report["checks"].values()):
        assert {"precision", "recall", "f1", "fpr", "latency_ms_p50", "latency_ms_p95"} <= set(
            block
        )
    assert report["overall"]["f1"] == 1.0 and report["overall"]["fpr"] == 0.0
    table = runner.invoke(app, ["guard", "eval", str(policy_file), "--data", str(data)])
    assert table.exit_code == 0 and "(policy)" in table.output


def test_bad_input_gets_a_clear_error_and_exit_2(policy_file: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["guard", "test", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read policy file" in missing.output
    data = tmp_path / "d.jsonl"
    data.write_text("{oops\n")
    bad = runner.invoke(app, ["guard", "eval", str(policy_file), "--data", str(data)])
    assert bad.exit_code == 2 and "not JSON" in bad.output


def test_check_prints_the_result_and_exits_1_on_block(policy_file: Path) -> None:
    ok = runner.invoke(app, ["guard", "check", str(policy_file), "--text", "mail a@b.com"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["text"] == "mail [EMAIL]"
    blocked = runner.invoke(app, ["guard", "check", str(policy_file)], input="forbidden")
    assert blocked.exit_code == 1 and json.loads(blocked.output)["blocked"] is True
