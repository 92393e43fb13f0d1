"""``spyglass guard``: list policies and checks, test a policy, measure it on data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from spyglass.checks import available_checks
from spyglass.exceptions import PolicyError
from spyglass.guard import Guard, Policy, Stage, builtin_policy_names
from spyglass.guard.evaluation import evaluate_policy, read_cases, run_examples

guard_app = typer.Typer(
    help="Guardrails: policies of checks on inputs and outputs.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)

PolicyArg = Annotated[
    str, typer.Argument(help="A ready-made policy name (see 'policies') or a YAML file.")
]
StageOption = Annotated[Stage, typer.Option("--stage", help="Which rules of the policy to run.")]


def _load(policy: str) -> Policy:
    try:
        return Policy.load(policy)
    except PolicyError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


@guard_app.command("policies")
def policies(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the ready-made policies."""
    rows: list[dict[str, Any]] = []
    for name in builtin_policy_names():
        policy = Policy.load(name)
        rows.append(
            {
                "name": name,
                "description": policy.description,
                "input": [f"{r.name}:{r.action.value}" for r in policy.input],
                "output": [f"{r.name}:{r.action.value}" for r in policy.output],
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("policy", "input rules", "output rules", "description")
    for row in rows:
        table.add_row(
            row["name"], "\n".join(row["input"]), "\n".join(row["output"]), row["description"]
        )
    console.print(table)


@guard_app.command("checks")
def checks() -> None:
    """List the checks a policy can use (built-ins and installed plugins)."""
    table = Table("check", "direction", "default threshold", "summary")
    for name, cls in available_checks().items():
        doc = (cls.__doc__ or "").strip().splitlines()
        table.add_row(
            name,
            "higher is better" if cls.higher_is_better else "risk",
            f"{cls.default_threshold:g}",
            doc[0] if doc else "",
        )
    console.print(table)


@guard_app.command("test")
def test(policy_files: Annotated[list[str], typer.Argument(help="Policies to test.")]) -> None:
    """Run each policy's examples like unit tests; exit 1 when one fails."""
    failed = total = 0
    for name in policy_files:
        policy = _load(name)
        if not policy.examples:
            console.print(f"[yellow]{policy.name}: no examples[/]")
        for outcome in run_examples(policy):
            total += 1
            ex = outcome.example
            shown = ex.text if len(ex.text) <= 60 else ex.text[:57] + "..."
            if outcome.ok:
                console.print(f"[green]PASS[/] {policy.name} {ex.stage.value} {shown!r}")
            else:
                failed += 1
                console.print(
                    f"[red]FAIL[/] {policy.name} {ex.stage.value} {shown!r}: {outcome.problem}"
                )
    console.print(f"{total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@guard_app.command("eval")
def eval_(
    policy: PolicyArg,
    data: Annotated[
        Path, typer.Option("--data", help="JSONL: one {'text': ..., 'label': 0|1} per line.")
    ],
    stage: StageOption = Stage.INPUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Precision, recall, F1, false-positive rate and latency, overall and per check."""
    loaded = _load(policy)
    try:
        report = evaluate_policy(loaded, list(read_cases(data)), stage)
    except PolicyError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report))
        return
    table = Table("check", "n", "precision", "recall", "F1", "FPR", "p50 ms", "p95 ms")
    rows = [("(policy)", report["overall"]), *report["checks"].items()]
    for name, m in rows:
        table.add_row(
            name,
            str(m["n"]),
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            f"{m['fpr']:.3f}",
            f"{m['latency_ms_p50']:.3f}",
            f"{m['latency_ms_p95']:.3f}",
        )
    console.print(table)


@guard_app.command("check")
def check(
    policy: PolicyArg,
    text: Annotated[
        str | None, typer.Option("--text", help="Text to check (default: standard input).")
    ] = None,
    stage: StageOption = Stage.INPUT,
) -> None:
    """Run a policy on one text and print the result as JSON; exit 1 when it blocks."""
    guard = Guard(_load(policy), record=False)
    value = sys.stdin.read() if text is None else text
    result = guard.run(value, stage)
    typer.echo(json.dumps({**result.to_dict(), "text": result.text}, indent=2))
    if result.blocked:
        raise typer.Exit(1)
