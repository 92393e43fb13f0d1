"""``spyglass eval run|compare|list``: reports and the CI exit codes 0/1/2/3."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spyglass.checks import Check, CheckContext, Verdict, register
from spyglass.cli.app import app

runner = CliRunner()

BOT = """
def good(question):
    return question.split()[-1]

def bad(question):
    n = int(question.split()[-1])
    return "?" if n % 5 < 2 else str(n)

def mostly(question):
    n = int(question.split()[-1])
    return "?" if n % 5 == 0 else str(n)

def broken(question):
    raise ConnectionError("upstream down")
"""


@register
class SameAnswer(Check):
    """1 when the output equals the expected answer."""

    name = "t-same"
    higher_is_better = True

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return Verdict(score=float(text == context.expected))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "evalbot.py").write_text(BOT)
    rows = [{"id": f"q{i}", "input": f"say {i}", "expected": str(i)} for i in range(200)]
    (tmp_path / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "small.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:10]))
    yield tmp_path
    sys.modules.pop("evalbot", None)


def eval_file(root: Path, target: str, *, data: str = "qa.jsonl", extra: str = "") -> Path:
    path = root / f"{target}.yaml"
    path.write_text(
        f"name: qa\ndataset: {data}\ntarget: {{python: 'evalbot:{target}'}}\n"
        f"checks: [t-same]\nretries: 0\n{extra}"
    )
    return path


def run(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["eval", *args, "--evals-dir", str(root / "runs")], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_a_met_gate_passes(project: Path) -> None:
    code, out = run(
        project, "run", str(eval_file(project, "good", extra="gates: {t-same: {min: 0.9}}"))
    )
    assert code == 0, out
    assert "Result: pass" in out and "≥ 0.9" in out


def test_a_clearly_missed_gate_fails_with_1(project: Path) -> None:
    code, out = run(
        project, "run", str(eval_file(project, "bad", extra="gates: {t-same: {min: 0.9}}"))
    )
    assert code == 1 and "❌ fail" in out


def test_too_few_items_to_tell_is_inconclusive_2(project: Path) -> None:
    path = eval_file(project, "mostly", data="small.jsonl", extra="gates: {t-same: {min: 0.8}}")
    code, out = run(project, "run", str(path))
    assert code == 2 and "inconclusive" in out


def test_a_failing_target_is_an_infrastructure_error_3(project: Path) -> None:
    code, out = run(project, "run", str(eval_file(project, "broken")))
    assert code == 3 and "the task failed on 200 of 200 runs" in out


def test_a_regression_against_the_latest_baseline_exits_1(project: Path) -> None:
    assert run(project, "run", str(eval_file(project, "good")))[0] == 0
    code, out = run(project, "run", str(eval_file(project, "bad")), "--baseline", "latest")
    assert code == 1, out
    assert "regressed" in out and "Compared with" in out


def test_compare_two_runs_and_write_a_json_report(project: Path) -> None:
    run(project, "run", str(eval_file(project, "bad")))
    run(project, "run", str(eval_file(project, "good")))
    code, listing = run(project, "list", "--json")
    runs = json.loads(listing)
    newer, older = runs[0]["run_id"], runs[1]["run_id"]
    report = project / "report.json"
    code, out = run(project, "compare", older, newer, "--format", "json", "--report", str(report))
    assert code == 0
    verdict = json.loads(report.read_text())
    [comparison] = verdict["comparisons"]
    assert comparison["verdict"] == "improved" and comparison["kind"] == "binary"
    assert verdict["exit_code"] == 0
    code, out = run(project, "compare", newer, older)
    assert code == 1 and "regressed" in out


def test_bad_input_is_exit_3_with_a_message(project: Path) -> None:
    bad = project / "bad.yaml"
    bad.write_text("name: x\ntarget: {python: 'evalbot:good'}\n")
    code, out = run(project, "run", str(bad))
    assert code == 3 and "'dataset' is required" in out
    code, out = run(project, "compare", "nope-a", "nope-b")
    assert code == 3 and "no finished eval run 'nope-a'" in out
