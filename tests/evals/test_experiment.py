"""Experiments: tasks sync and async, bounded concurrency, timeouts, retries, results."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from spyglass.checks import Check, CheckContext, Verdict
from spyglass.evals import Dataset, Item, evaluate
from spyglass.evals.results import load_run
from spyglass.testing import Capture


class Exact(Check):
    """1 when the output equals the expected text; unscored without one."""

    name = "t-exact"
    higher_is_better = True

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        if context.expected is None:
            return Verdict(score=None, explanation="no expected output")
        return Verdict(score=float(text == context.expected))


class Length(Check):
    name = "t-length"
    higher_is_better = True

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return Verdict(score=min(1.0, len(text) / 10))


class Crash(Check):
    name = "t-crash"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        raise RuntimeError("judge down")


def data(n: int = 20) -> Dataset:
    return Dataset.from_items(
        [{"id": f"q{i}", "input": f"say {i}", "expected": str(i)} for i in range(n)]
    )


def test_a_sync_task_is_scored_and_summarised(tmp_path: Path) -> None:
    run = evaluate(
        lambda q: q.split()[-1] if q != "say 7" else "?",
        data(),
        [Exact(), Length()],
        name="echo",
        evals_dir=tmp_path,
        progress=False,
    )
    exact = run.summary.check("t-exact")
    assert exact is not None and exact.binary and exact.n == 20
    assert exact.mean == pytest.approx(19 / 20)
    assert exact.ci_low is not None and exact.ci_high is not None
    assert exact.ci_low < 0.95 < exact.ci_high <= 1.0
    length = run.summary.check("t-length")
    assert length is not None and not length.binary
    lines = (run.dir / "results.jsonl").read_text().splitlines()
    assert len(lines) == 20
    row = json.loads(lines[0])
    assert set(row["scores"]) == {"t-exact", "t-length"} and row["error"] is None
    summary, table = load_run(run.id, tmp_path)
    assert summary["run_id"] == run.id and table.per_item("t-exact", binary=False)["q7"] == 0.0
    assert "t-exact" in run.report() and "[0." in run.report()


def test_async_tasks_run_at_most_concurrency_at_once(tmp_path: Path) -> None:
    in_flight = 0
    peak = 0

    async def task(q: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        in_flight -= 1
        return q

    run = evaluate(task, data(50), [Length()], concurrency=4, evals_dir=tmp_path, progress=False)
    assert 1 < peak <= 4
    assert run.summary.runs == 50 and run.summary.task_errors == 0


def test_the_task_may_take_the_whole_item(tmp_path: Path) -> None:
    def task(item: Item) -> str:
        return str(item.expected)

    run = evaluate(task, data(5), [Exact()], evals_dir=tmp_path, progress=False)
    assert run.summary.check("t-exact").mean == 1.0  # type: ignore[union-attr]


def test_retries_then_errors_are_counted_as_infrastructure(tmp_path: Path) -> None:
    calls: dict[str, int] = {}
    lock = threading.Lock()

    def flaky(q: str) -> str:
        with lock:
            calls[q] = calls.get(q, 0) + 1
            n = calls[q]
        if q == "say 0":
            raise ConnectionError("upstream down")
        if n < 3:
            raise TimeoutError("slow")
        return q.rsplit(maxsplit=1)[-1]

    run = evaluate(
        flaky, data(4), [Exact()], retries=2, backoff_s=0, evals_dir=tmp_path, progress=False
    )
    assert calls == {"say 0": 3, "say 1": 3, "say 2": 3, "say 3": 3}
    assert run.summary.task_errors == 1 and run.summary.infrastructure_errors == 1
    rows = [json.loads(line) for line in (run.dir / "results.jsonl").read_text().splitlines()]
    failed = next(r for r in rows if r["item_id"] == "q0")
    assert failed["error"] == "ConnectionError: upstream down" and failed["scores"] == {}


def test_a_task_over_its_timeout_fails_the_item_not_the_run(tmp_path: Path) -> None:
    async def task(q: str) -> str:
        if q == "say 1":
            await asyncio.Event().wait()  # never set: hangs until the timeout
        return q

    run = evaluate(
        task, data(3), [Length()], timeout_s=0.05, retries=0, evals_dir=tmp_path, progress=False
    )
    assert run.summary.task_errors == 1


def test_unscored_and_crashing_checks_are_counted_never_zero(tmp_path: Path) -> None:
    items = [{"id": "a", "input": "x", "expected": "x"}, {"id": "b", "input": "y"}]
    run = evaluate(lambda q: q, items, [Exact(), Crash()], evals_dir=tmp_path, progress=False)
    exact = run.summary.check("t-exact")
    crash = run.summary.check("t-crash")
    assert exact is not None and (exact.n, exact.unscored, exact.mean) == (1, 1, 1.0)
    assert crash is not None and (crash.n, crash.errors, crash.mean) == (0, 2, None)
    assert run.summary.infrastructure_errors == 2


def test_repeats_are_averaged_per_item_and_their_spread_reported(tmp_path: Path) -> None:
    counter = iter(range(1000))
    lock = threading.Lock()

    def noisy(q: str) -> str:
        with lock:
            n = next(counter)
        return "x" * (5 + n % 2 * 5)

    run = evaluate(noisy, data(6), [Length()], repeats=2, evals_dir=tmp_path, progress=False)
    length = run.summary.check("t-length")
    assert length is not None and length.n == 6 and run.summary.runs == 12
    assert length.spread == pytest.approx(0.5)


def test_each_item_run_is_a_trace(tmp_path: Path, spyglass_capture: Capture) -> None:
    evaluate(lambda q: q, data(3), [Length()], name="traced", evals_dir=tmp_path, progress=False)
    spans = spyglass_capture.spans("eval traced")
    assert len(spans) == 3
    assert {s.attributes["spyglass.eval.item"] for s in spans} == {"q0", "q1", "q2"}  # type: ignore[index]
    assert len({s.context.trace_id for s in spans}) == 3  # type: ignore[union-attr]


def test_bad_options_and_duplicate_labels(tmp_path: Path) -> None:
    from spyglass.exceptions import ConfigError

    with pytest.raises(ConfigError, match="concurrency"):
        evaluate(lambda q: q, data(1), concurrency=0, evals_dir=tmp_path)
    with pytest.raises(ConfigError, match="share a label"):
        evaluate(lambda q: q, data(1), [Exact(), Exact()], evals_dir=tmp_path)


def test_evaluate_is_public_on_the_spyglass_package(tmp_path: Path) -> None:
    import spyglass

    run = spyglass.evaluate(
        lambda q: q,
        [{"input": "a", "expected": "a"}],
        ["exact-match"],
        evals_dir=tmp_path,
        progress=False,
    )
    assert isinstance(spyglass.Dataset.from_items([{"input": "x"}]), Dataset)
    assert run.summary.check("exact-match").mean == 1.0  # type: ignore[union-attr]
