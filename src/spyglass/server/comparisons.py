"""Experiments on the server: a run's record from its uploaded summary, and the comparison of
two stored runs with the SDK's own paired tests (``spyglass.evals.compare``).

The JSON API and the web UI both come through here, so they give the same verdicts as
``spyglass eval compare`` does on the same runs' files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from spyglass.evals import stats
from spyglass.evals.compare import compare_tables
from spyglass.evals.results import ScoreTable
from spyglass.evals.summary import RunSummary
from spyglass.exceptions import BadRequest, ConfigError, NotFound
from spyglass.server.blocking import run_blocking
from spyglass.storage.base import Store
from spyglass.storage.eval_models import MAX_ID, ExperimentRecord, ExperimentResult

# Seconds since the epoch that still fit nanoseconds in a signed 64-bit column (year 2262).
_MAX_STARTED_S = (2**63 - 1) / 1e9
# Items listed with their outputs side by side on a comparison: a screenful or two; the rest
# are counted.
DIFF_ITEMS = 50


def summary_of(raw: Mapping[str, Any]) -> RunSummary:
    """The run summary of a ``run.json``; ``BadRequest`` when it is not one."""
    try:
        summary = RunSummary.from_dict(raw)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise BadRequest(f"summary is not a run summary (run.json): {exc}") from exc
    if not isinstance(summary.run_id, str) or not 0 < len(summary.run_id) <= MAX_ID:
        raise BadRequest(f"summary.run_id must be a string of 1 to {MAX_ID} characters")
    if "/" in summary.run_id:
        raise BadRequest("summary.run_id must not contain '/'")
    if not isinstance(summary.name, str) or not 0 < len(summary.name) <= MAX_ID:
        raise BadRequest(f"summary.name must be a string of 1 to {MAX_ID} characters")
    if not isinstance(summary.dataset, Mapping):
        raise BadRequest("summary.dataset must be an object with name and version")
    return summary


def record_of(raw: Mapping[str, Any]) -> ExperimentRecord:
    summary = summary_of(raw)
    started = summary.started if isinstance(summary.started, (int, float)) else 0.0
    if isinstance(started, bool) or started >= _MAX_STARTED_S:
        raise BadRequest("summary.started must be seconds since the epoch before the year 2262")
    return ExperimentRecord(
        id=summary.run_id,
        name=summary.name,
        dataset_name=str(summary.dataset.get("name") or "")[:MAX_ID],
        dataset_version=str(summary.dataset.get("version") or "")[:32],
        created_ns=int(started * 1e9) if math.isfinite(started) and started > 0 else 0,
        summary=dict(raw),
    )


def check_rows(record: ExperimentRecord) -> list[dict[str, Any]]:
    """Per check: label, mean, 95 % interval and n (what the lists show).

    The summary is the client's file as uploaded: a value of another type than the SDK writes
    shows as missing rather than failing every list the run is on.
    """
    return [
        {
            "label": _text(c.get("label")),
            "mean": _number(c.get("mean")),
            "ci_low": _number(c.get("ci_low")),
            "ci_high": _number(c.get("ci_high")),
            "n": c.get("n") if type(c.get("n")) is int else None,
        }
        for c in record.summary.get("checks") or []
        if isinstance(c, Mapping)
    ]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _score(value: Any) -> float | None:
    """A stored score as the comparison's statistics take it (a number), else missing."""
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _passed(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    number = _score(value)  # 1 and 0 from a hand-written file
    return None if number is None else number != 0


def score_table(store: Store, project_id: int, experiment_id: str) -> ScoreTable:
    """The run's scores per check and item (blocking: reads every result)."""
    table = ScoreTable()
    for item_id, scores in store.experiment_scores(project_id, experiment_id):
        for check, res in scores.items():
            if isinstance(res, Mapping):
                table.add(item_id, check, _score(res.get("score")), _passed(res.get("passed")))
    return table


@dataclass
class ItemDiff:
    item_id: str
    scores: dict[str, tuple[float | None, float | None]]  # check → (baseline, candidate)
    baseline: list[ExperimentResult] = field(default_factory=list)
    candidate: list[ExperimentResult] = field(default_factory=list)


@dataclass
class RunComparison:
    baseline: ExperimentRecord
    candidate: ExperimentRecord
    comparisons: list[stats.Comparison]
    changed: list[ItemDiff]  # the first DIFF_ITEMS items whose scores changed
    changed_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.id,
            "candidate": self.candidate.id,
            "comparisons": [asdict(c) for c in self.comparisons],
        }


def _changed(
    base: ScoreTable, cand: ScoreTable, checks: list[str]
) -> list[tuple[str, dict[str, tuple[float | None, float | None]]]]:
    per_check = {
        label: (base.per_item(label, binary=False), cand.per_item(label, binary=False))
        for label in checks
    }
    items = sorted(set().union(*(set(a) & set(b) for a, b in per_check.values())))
    out = []
    for item_id in items:
        scores = {label: (a.get(item_id), b.get(item_id)) for label, (a, b) in per_check.items()}
        if any(x != y for x, y in scores.values()):
            out.append((item_id, scores))
    return out


async def compare_runs(
    store: Store, project_id: int, baseline_id: str, candidate_id: str, *, with_items: bool
) -> RunComparison:
    """Pair the two runs' items and test every check they share."""
    records = []
    for run_id in (baseline_id, candidate_id):
        record = await run_blocking(store.get_experiment, project_id, run_id)
        if record is None:
            raise NotFound(f"there is no experiment {run_id!r} in this project")
        records.append(record)
    base_rec, cand_rec = records
    base_table = await run_blocking(score_table, store, project_id, baseline_id)
    cand_table = await run_blocking(score_table, store, project_id, candidate_id)
    base_sum, cand_sum = summary_of(base_rec.summary), summary_of(cand_rec.summary)
    try:
        comparisons = compare_tables(base_sum, cand_sum, base_table, cand_table)
    except ConfigError as exc:
        raise BadRequest(str(exc)) from exc
    changed: list[ItemDiff] = []
    count = 0
    if with_items:
        shared = [c.metric for c in comparisons]
        found = _changed(base_table, cand_table, shared)
        count = len(found)
        changed = [ItemDiff(item_id, scores) for item_id, scores in found[:DIFF_ITEMS]]
        ids = [d.item_id for d in changed]
        base_rows = await run_blocking(
            store.experiment_results_of_items, project_id, baseline_id, ids
        )
        cand_rows = await run_blocking(
            store.experiment_results_of_items, project_id, candidate_id, ids
        )
        by_id = {d.item_id: d for d in changed}
        for row in base_rows:
            by_id[row.item_id].baseline.append(row)
        for row in cand_rows:
            by_id[row.item_id].candidate.append(row)
    return RunComparison(base_rec, cand_rec, comparisons, changed, count)
