"""Eval files: an experiment, its gates and its baseline in YAML, run by ``spyglass eval run``.

::

    name: support-answers
    dataset: data/support.jsonl          # relative to this file; JSONL or CSV
    target: {python: "bot:answer"}       # or {http: {...}} or {model: {...}}, see targets.py
    checks:
      - exact-match
      - {check: token-f1, threshold: 0.6}
    gates:                               # judged on the 95 % interval of the mean
      token-f1: {min: 0.7}
    baseline: latest                     # a run id, a run directory, or the latest earlier run
    concurrency: 8
    repeats: 1
    timeout_s: 60
    retries: 2
    max_error_rate: 0.0                  # above this share of failed runs: exit 3
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spyglass.evals import stats
from spyglass.evals.compare import ExitCode, GateResult, compare_tables, exit_code, judge_gates
from spyglass.evals.dataset import Dataset
from spyglass.evals.experiment import Experiment, evaluate
from spyglass.evals.results import RUN_FILE, load_run
from spyglass.evals.summary import RunSummary
from spyglass.evals.targets import build_target, estimate_cost
from spyglass.exceptions import ConfigError

__all__ = ["EvalConfig", "EvalOutcome", "latest_run", "run_eval_file"]

_KEYS = frozenset(
    {
        "name",
        "dataset",
        "target",
        "checks",
        "gates",
        "baseline",
        "concurrency",
        "repeats",
        "timeout_s",
        "retries",
        "max_error_rate",
        "alpha",
    }
)


@dataclass
class EvalConfig:
    name: str
    dataset: Dataset
    target: Any
    checks: list[Any]
    base_dir: Path
    gates: dict[str, dict[str, float]] = field(default_factory=dict)
    baseline: str | None = None
    concurrency: int = 8
    repeats: int = 1
    timeout_s: float = 60.0
    retries: int = 2
    max_error_rate: float = 0.0
    alpha: float = 0.05

    @classmethod
    def load(cls, path: str | Path) -> EvalConfig:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read eval file {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{path}: an eval file is a YAML mapping")
        unknown = set(raw) - _KEYS
        if unknown:
            raise ConfigError(f"{path}: unknown keys {sorted(unknown)}; allowed {sorted(_KEYS)}")
        for key in ("dataset", "target"):
            if key not in raw:
                raise ConfigError(f"{path}: '{key}' is required")
        base = path.parent.resolve()
        ds = raw["dataset"]
        ds_path = ds.get("path") if isinstance(ds, Mapping) else ds
        if not isinstance(ds_path, str):
            raise ConfigError(f"{path}: dataset is a file path or {{path: ...}}")
        dataset = Dataset.from_file(base / ds_path)
        checks = raw.get("checks") or []
        if not isinstance(checks, list):
            raise ConfigError(f"{path}: 'checks' is a list")
        gates = raw.get("gates") or {}
        if not isinstance(gates, Mapping) or not all(
            isinstance(g, Mapping) for g in gates.values()
        ):
            raise ConfigError(f"{path}: 'gates' maps a check to {{min: x}} and/or {{max: y}}")
        return cls(
            name=str(raw.get("name", path.stem)),
            dataset=dataset,
            target=raw["target"],
            checks=checks,
            base_dir=base,
            gates={str(k): {b: float(t) for b, t in v.items()} for k, v in gates.items()},
            baseline=None if raw.get("baseline") is None else str(raw["baseline"]),
            concurrency=int(raw.get("concurrency", 8)),
            repeats=int(raw.get("repeats", 1)),
            timeout_s=float(raw.get("timeout_s", 60.0)),
            retries=int(raw.get("retries", 2)),
            max_error_rate=float(raw.get("max_error_rate", 0.0)),
            alpha=float(raw.get("alpha", 0.05)),
        )


@dataclass
class EvalOutcome:
    experiment: Experiment
    code: ExitCode
    gates: list[GateResult]
    comparisons: list[stats.Comparison]
    baseline: RunSummary | None
    cost_estimate: tuple[float | None, str]


def latest_run(evals_dir: Path, name: str, *, exclude: str | None = None) -> Path | None:
    """The most recent finished run called ``name``, other than ``exclude``."""
    best: tuple[float, Path] | None = None
    if not evals_dir.exists():
        return None
    for run_file in evals_dir.glob(f"*/{RUN_FILE}"):
        if run_file.parent.name == exclude:
            continue
        try:
            raw = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if raw.get("name") == name and (best is None or raw.get("finished", 0) > best[0]):
            best = (float(raw.get("finished", 0)), run_file.parent)
    return None if best is None else best[1]


def run_eval_file(
    path: str | Path,
    *,
    baseline: str | None = None,
    refresh: bool = False,
    evals_dir: Path,
    progress: bool = True,
    announce: Callable[[str], None] | None = None,
) -> EvalOutcome:
    """Run the eval file; judge gates; compare with the baseline; decide the exit code.

    ``announce`` gets a line about the run — items, checks, the cost estimate — before the
    first item starts.
    """
    config = EvalConfig.load(path)
    task = build_target(config.target, config.base_dir, refresh=refresh)
    cost = estimate_cost(config.target, config.dataset.items)
    if announce is not None:
        from spyglass.evals.cost import estimate_judges
        from spyglass.evals.experiment import build_checks

        judges = estimate_judges(
            build_checks(config.checks), config.dataset.items, config.repeats
        ).line()
        estimate = f"${cost[0]:.4f} ({cost[1]})" if cost[0] is not None else cost[1]
        estimate += f"; judges: {judges}"
        announce(
            f"{config.name}: {len(config.dataset)} items x {config.repeats} repeat(s), "
            f"{len(config.checks)} checks, dataset version {config.dataset.version}; "
            f"estimated model cost: {estimate}"
        )
    experiment = evaluate(
        task,
        config.dataset,
        config.checks,
        name=config.name,
        concurrency=config.concurrency,
        repeats=config.repeats,
        timeout_s=config.timeout_s,
        retries=config.retries,
        evals_dir=evals_dir,
        progress=progress,
        metadata={"eval_file": str(path), "cost_estimate": cost[0]},
    )
    gates = judge_gates(experiment.summary, config.gates)
    ref = baseline or config.baseline
    base_summary: RunSummary | None = None
    comparisons: list[stats.Comparison] = []
    if ref is not None:
        base_dir = (
            latest_run(evals_dir, config.name, exclude=experiment.id) if ref == "latest" else ref
        )
        if base_dir is not None:
            raw, table = load_run(base_dir, evals_dir)
            base_summary = RunSummary.from_dict(raw)
            _, cand_table = load_run(experiment.dir, evals_dir)
            comparisons = compare_tables(
                base_summary, experiment.summary, table, cand_table, alpha=config.alpha
            )
    code = exit_code(
        experiment.summary,
        gates=gates,
        comparisons=comparisons,
        max_error_rate=config.max_error_rate,
    )
    return EvalOutcome(experiment, code, gates, comparisons, base_summary, cost)
