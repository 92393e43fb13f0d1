"""``spyglass eval``: run an eval file, compare two runs, list runs — with CI exit codes.

Exit codes: 0 pass / no regression, 1 regression or failed gate, 2 inconclusive (not enough
data to tell), 3 infrastructure error (the target or a judge failed, or the input is bad).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from spyglass.evals.compare import ExitCode, compare_tables, exit_code, worst
from spyglass.evals.config import run_eval_file
from spyglass.evals.remote import Server, upload_run
from spyglass.evals.report import render
from spyglass.evals.results import RUN_FILE, load_run
from spyglass.evals.summary import RunSummary
from spyglass.exceptions import SpyglassError
from spyglass.settings import load_settings

eval_app = typer.Typer(
    help="Evaluation: run experiments from YAML, compare runs with paired tests, gate CI.",
    no_args_is_help=True,
)
err = Console(stderr=True)

FormatOption = Annotated[str, typer.Option("--format", help="markdown (a PR comment) or json.")]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Also write the report to this file.")
]
EvalsDirOption = Annotated[
    Path | None,
    typer.Option("--evals-dir", help="Where runs are kept (setting evals_dir)."),
]


def _evals_dir(option: Path | None) -> Path:
    return option if option is not None else load_settings().resolved_evals_dir


def _emit(text: str, report: Path | None) -> None:
    typer.echo(text)
    if report is not None:
        report.write_text(text + "\n", encoding="utf-8")


def _check_format(fmt: str) -> None:
    if fmt not in ("markdown", "json"):
        err.print(f"[red]error:[/] --format must be markdown or json, not {fmt!r}")
        raise typer.Exit(int(ExitCode.INFRASTRUCTURE))


@eval_app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="The eval YAML file.")],
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Run id, run directory, or 'latest' (overrides file)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Call the model even when an answer is cached.")
    ] = False,
    fmt: FormatOption = "markdown",
    report: ReportOption = None,
    evals_dir: EvalsDirOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the experiment of an eval file, judge its gates, compare it with its baseline.

    With SPYGLASS_ENDPOINT and SPYGLASS_API_KEY set, every item's run is traced to that server,
    each check result is a score on its trace, and the finished run is stored there too.
    """
    _check_format(fmt)
    server = _connect()
    try:
        outcome = run_eval_file(
            file,
            baseline=baseline,
            refresh=no_cache,
            evals_dir=_evals_dir(evals_dir),
            progress=progress,
            announce=lambda line: err.print(line, highlight=False),
        )
    except SpyglassError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(int(ExitCode.INFRASTRUCTURE)) from exc
    _emit(
        render(
            outcome.experiment.summary,
            code=outcome.code,
            gates=outcome.gates,
            comparisons=outcome.comparisons,
            baseline=outcome.baseline,
            fmt=fmt,
        ),
        report,
    )
    err.print(f"results: {outcome.experiment.dir}", highlight=False)
    if server is not None:
        _upload(outcome.experiment.dir, server)
    raise typer.Exit(int(outcome.code))


def _connect() -> Server | None:
    """Trace to the configured server, if any (the SDK reads the same settings)."""
    settings = load_settings()
    if not (settings.endpoint and settings.api_key):
        return None
    import spyglass

    spyglass.configure(service_name="spyglass-eval")
    return Server(str(settings.endpoint), str(settings.api_key))


def _upload(run_dir: Path, server: Server) -> None:
    import spyglass

    spyglass.flush()
    try:
        run_id = upload_run(run_dir, server)
    except (SpyglassError, httpx.HTTPError) as exc:
        # The run itself is complete and on disk; a failed upload does not change its verdict.
        err.print(f"[yellow]warning:[/] could not store the run on {server.endpoint}: {exc}")
        return
    err.print(f"stored on the server as experiment {run_id}", highlight=False)


@eval_app.command("compare")
def compare(
    baseline: Annotated[str, typer.Argument(help="Baseline run: id or directory (A).")],
    candidate: Annotated[str, typer.Argument(help="Candidate run: id or directory (B).")],
    alpha: Annotated[float, typer.Option(help="Significance level, after correction.")] = 0.05,
    fmt: FormatOption = "markdown",
    report: ReportOption = None,
    evals_dir: EvalsDirOption = None,
) -> None:
    """Pair the two runs' items and test each shared check: improved, regressed, or not."""
    _check_format(fmt)
    root = _evals_dir(evals_dir)
    try:
        raw_a, table_a = load_run(baseline, root)
        raw_b, table_b = load_run(candidate, root)
        summary_a, summary_b = RunSummary.from_dict(raw_a), RunSummary.from_dict(raw_b)
        comparisons = compare_tables(summary_a, summary_b, table_a, table_b, alpha=alpha)
    except SpyglassError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(int(ExitCode.INFRASTRUCTURE)) from exc
    code = worst(exit_code(summary_b, comparisons=comparisons), exit_code(summary_a))
    _emit(
        render(summary_b, code=code, comparisons=comparisons, baseline=summary_a, fmt=fmt), report
    )
    raise typer.Exit(int(code))


@eval_app.command("list")
def list_runs(
    evals_dir: EvalsDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The finished runs, newest first."""
    root = _evals_dir(evals_dir)
    runs = []
    for run_file in root.glob(f"*/{RUN_FILE}") if root.exists() else []:
        try:
            runs.append(json.loads(run_file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    runs.sort(key=lambda r: r.get("finished", 0), reverse=True)
    if as_json:
        typer.echo(json.dumps([{k: r.get(k) for k in ("run_id", "name", "items")} for r in runs]))
        return
    table = Table("run", "name", "items", "dataset version", "checks")
    for r in runs:
        table.add_row(
            r.get("run_id", ""),
            r.get("name", ""),
            str(r.get("items", "")),
            str((r.get("dataset") or {}).get("version", "")),
            ", ".join(c["label"] for c in r.get("checks", [])),
        )
    Console().print(table)
