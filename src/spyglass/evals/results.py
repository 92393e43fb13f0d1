"""Experiment results on disk: one directory per run, results streamed as JSON lines.

::

    <evals_dir>/<run id>/run.json        name, dataset, checks, counts, aggregates
    <evals_dir>/<run id>/results.jsonl   one line per item and repeat: output, scores, errors

Outputs are written as they arrive and are not kept in memory; only the per-item scores are,
which is what the aggregates and the paired comparisons need (a few bytes per item and check).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from spyglass.exceptions import ConfigError

__all__ = ["ItemResult", "RunFiles", "ScoreTable", "load_run"]

RUN_FILE = "run.json"
RESULTS_FILE = "results.jsonl"


@dataclass
class ItemResult:
    """One run of the task on one item, and what each check said of its output."""

    item_id: str
    repeat: int
    output: Any = None
    error: str | None = None  # the task failed after its retries: an infrastructure error
    latency_ms: float = 0.0
    trace_id: str | None = None
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "repeat": self.repeat,
            "output": self.output,
            "error": self.error,
            "latency_ms": round(self.latency_ms, 3),
            "trace_id": self.trace_id,
            "scores": self.scores,
        }


class ScoreTable:
    """Per check, per item: the scores of every repeat (None = unscored). Compact on purpose."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.scores: dict[str, dict[str, list[float | None]]] = {}
        self.passed: dict[str, dict[str, list[bool | None]]] = {}
        self.errors: dict[str, int] = {}  # check → results with an error (judge failed)

    def add(self, item_id: str, check: str, score: float | None, passed: bool | None) -> None:
        with self._lock:
            self.scores.setdefault(check, {}).setdefault(item_id, []).append(score)
            self.passed.setdefault(check, {}).setdefault(item_id, []).append(passed)

    def add_error(self, check: str) -> None:
        with self._lock:
            self.errors[check] = self.errors.get(check, 0) + 1

    def per_item(self, check: str, binary: bool) -> dict[str, float | None]:
        """One value per item: the mean over repeats of the score (or of pass = 1)."""
        source: Mapping[str, list[Any]] = (
            self.passed.get(check, {}) if binary else self.scores.get(check, {})
        )
        out: dict[str, float | None] = {}
        for item_id, values in source.items():
            vals = [float(v) for v in values if v is not None]
            out[item_id] = sum(vals) / len(vals) if vals else None
        return out

    def is_binary(self, check: str) -> bool:
        """A check whose scores are all 0 or 1 is compared as pass/fail (McNemar)."""
        values = [v for vs in self.scores.get(check, {}).values() for v in vs if v is not None]
        return bool(values) and all(v in (0.0, 1.0) for v in values)

    def spread(self, check: str) -> float:
        """The mean over items of the range of scores across repeats (judge instability)."""
        ranges = [
            max(v) - min(v)
            for vs in self.scores.get(check, {}).values()
            if len(v := [x for x in vs if x is not None]) > 1
        ]
        return sum(ranges) / len(ranges) if ranges else 0.0


class RunFiles:
    """The files of one run; results are appended line by line as items finish."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.dir = root / run_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._fh: IO[str] | None = (self.dir / RESULTS_FILE).open("w", encoding="utf-8")

    def append(self, result: ItemResult) -> None:
        line = json.dumps(result.to_dict(), ensure_ascii=False, default=str)
        with self._lock:
            if self._fh is not None:
                self._fh.write(line + "\n")

    def finish(self, summary: Mapping[str, Any]) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
        tmp = self.dir / (RUN_FILE + ".tmp")
        tmp.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        tmp.replace(self.dir / RUN_FILE)


def iter_results(run_dir: Path) -> Iterator[dict[str, Any]]:
    with (run_dir / RESULTS_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_run(ref: str | Path, evals_dir: Path) -> tuple[dict[str, Any], ScoreTable]:
    """A finished run's summary and score table, by run id (under ``evals_dir``) or path."""
    path = Path(ref)
    if not (path / RUN_FILE).exists():
        path = evals_dir / str(ref)
    if not (path / RUN_FILE).exists():
        raise ConfigError(f"no finished eval run {str(ref)!r} (looked in {evals_dir})")
    summary = json.loads((path / RUN_FILE).read_text(encoding="utf-8"))
    table = ScoreTable()
    for row in iter_results(path):
        for check, res in (row.get("scores") or {}).items():
            table.add(row["item_id"], check, res.get("score"), res.get("passed"))
    return summary, table
