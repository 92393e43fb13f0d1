"""Experiments: run a task over a dataset, score every output with checks, keep the results.

::

    from spyglass.evals import Dataset, evaluate
    from spyglass.evals.metrics import ExactMatch

    run = evaluate(answer, Dataset.from_file("qa.jsonl"), checks=["exact-match", "token-f1"])
    print(run.report())

The task gets ``item.input`` (or the whole :class:`Item` when its first parameter is named
``item``) and returns the output: a string, any JSON value, or a mapping with ``output`` and
optionally ``documents`` / ``retrieved_ids`` for RAG and retrieval metrics. Sync tasks run on
threads, async tasks on the event loop; at most ``concurrency`` items are in flight, each with
a timeout and retries. When the SDK is configured each run is a trace and each check result a
score on it. Results stream to ``<evals_dir>/<run id>/`` so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spyglass.checks import Check, CheckContext, create_check
from spyglass.evals import progress as progress_bar
from spyglass.evals.cost import estimate_judges
from spyglass.evals.dataset import Dataset, Item
from spyglass.evals.results import ItemResult, RunFiles, ScoreTable
from spyglass.evals.summary import RunSummary, summarize_run
from spyglass.exceptions import ConfigError
from spyglass.sdk._state import STATE
from spyglass.sdk.feedback import score as send_score
from spyglass.sdk.tracing import current_trace_id, span, update_span

logger = logging.getLogger(__name__)

__all__ = ["Experiment", "aevaluate", "evaluate"]

Task = Callable[[Any], Any]
# Sixty seconds fits one slow model call with tool use; a hung call fails the item instead
# of the run.
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 2
# First retry after half a second, doubling: rides out a rate limit without stalling long.
DEFAULT_BACKOFF_S = 0.5
_LLM_CHECK_MODULE = "spyglass.checks.judge"


@dataclass
class Experiment:
    """A finished run: where its files are and what it found."""

    id: str
    name: str
    dir: Path
    summary: RunSummary

    def report(self, fmt: str = "markdown") -> str:
        from spyglass.evals.report import render_run

        return render_run(self.summary, fmt)


def build_checks(checks: Iterable[Check | str | Mapping[str, Any]]) -> list[Check]:
    """Checks from instances, registry names, or ``{check: name, **params}`` mappings."""
    out = []
    for spec in checks:
        if isinstance(spec, Check):
            out.append(spec)
        elif isinstance(spec, str):
            out.append(create_check(spec))
        elif isinstance(spec, Mapping) and "check" in spec:
            params = {k: v for k, v in spec.items() if k != "check"}
            out.append(create_check(str(spec["check"]), **params))
        else:
            raise ConfigError(f"a check is a Check, a name, or {{check: name, ...}}: {spec!r}")
    labels = [c.label for c in out]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"two checks share a label: {labels}; give one a label=")
    return out


def _wants_item(task: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(task).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == "item"


def _as_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    return json.dumps(output, ensure_ascii=False, default=str)


def _context(item: Item, output: Any) -> tuple[Any, CheckContext]:
    documents: Sequence[str] = item.documents
    metadata = dict(item.metadata)
    value = output
    if isinstance(output, Mapping) and "output" in output:
        value = output["output"]
        if output.get("documents") is not None:
            documents = tuple(str(d) for d in output["documents"])
        if output.get("retrieved_ids") is not None:
            metadata["retrieved_ids"] = list(output["retrieved_ids"])
    if isinstance(item.expected, list):
        metadata.setdefault("expected_list", item.expected)
    expected = item.expected if isinstance(item.expected, str) or item.expected is None else None
    if expected is None and item.expected is not None and not isinstance(item.expected, list):
        expected = _as_text(item.expected)
    ctx = CheckContext(
        input=_as_text(item.input) if item.input is not None else None,
        expected=expected,
        documents=tuple(documents),
        metadata=metadata,
    )
    return value, ctx


class _Runner:
    def __init__(
        self,
        task: Callable[..., Any],
        checks: list[Check],
        *,
        name: str,
        run_id: str,
        files: RunFiles,
        timeout_s: float,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.task = task
        self.is_async = inspect.iscoroutinefunction(task)
        self.wants_item = _wants_item(task)
        self.checks = checks
        self.name = name
        self.run_id = run_id
        self.files = files
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.table = ScoreTable()
        self.task_errors = 0
        self.done = 0

    async def _call(self, item: Item) -> Any:
        arg = item if self.wants_item else item.input
        if self.is_async:
            pending: Awaitable[Any] = self.task(arg)
        else:
            pending = asyncio.to_thread(self.task, arg)
        return await asyncio.wait_for(pending, self.timeout_s)

    async def _attempts(self, item: Item) -> tuple[Any, str | None]:
        error = None
        for attempt in range(self.retries + 1):
            try:
                return await self._call(item), None
            except TimeoutError:
                error = f"timed out after {self.timeout_s:g} s"
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            if attempt < self.retries and self.backoff_s > 0:
                await asyncio.sleep(self.backoff_s * 2**attempt)
        return None, error

    async def one(self, item: Item, repeat: int) -> None:
        started = time.perf_counter()
        with span(
            f"eval {self.name}",
            kind="CHAIN",
            input=item.input,
            attributes={"spyglass.eval.run": self.run_id, "spyglass.eval.item": item.id},
        ) as handle:
            output, error = await self._attempts(item)
            result = ItemResult(
                item_id=item.id,
                repeat=repeat,
                output=output,
                error=error,
                latency_ms=(time.perf_counter() - started) * 1000,
                trace_id=current_trace_id(),
            )
            if error is None:
                handle.set_output(output)
                await self._score(item, output, result)
            else:
                self.task_errors += 1
                update_span(metadata={"eval.error": error})
        self.files.append(result)
        self.done += 1

    async def _score(self, item: Item, output: Any, result: ItemResult) -> None:
        value, ctx = _context(item, output)
        text = _as_text(value)
        outcomes = await asyncio.gather(*(c.arun(text, ctx) for c in self.checks))
        for check, res in zip(self.checks, outcomes, strict=True):
            result.scores[check.label] = {
                "score": res.score,
                "passed": res.passed,
                "label": res.label,
                "explanation": res.explanation,
                "error": res.error,
            }
            self.table.add(item.id, check.label, res.score, res.passed)
            if res.error is not None:
                self.table.add_error(check.label)
            if res.score is not None and result.trace_id and STATE.tracer is not None:
                source = "llm" if type(check).__module__.startswith(_LLM_CHECK_MODULE) else "code"
                send_score(
                    check.label,
                    float(res.score),
                    trace_id=result.trace_id,
                    source=source,
                    comment=res.explanation or None,
                    metadata={"eval.run": self.run_id, "passed": res.passed},
                )


def _work(dataset: Dataset, repeats: int) -> Iterator[tuple[Item, int]]:
    for item in dataset:
        for r in range(repeats):
            yield item, r


async def aevaluate(
    task: Callable[..., Any],
    dataset: Dataset | Iterable[Item | Mapping[str, Any]],
    checks: Iterable[Check | str | Mapping[str, Any]] = (),
    *,
    name: str | None = None,
    concurrency: int = 8,
    repeats: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    evals_dir: str | Path | None = None,
    progress: bool = True,
    metadata: Mapping[str, Any] | None = None,
) -> Experiment:
    """Async :func:`evaluate`; use it from inside a running event loop."""
    if concurrency < 1 or repeats < 1 or retries < 0:
        raise ConfigError("concurrency and repeats must be >= 1, retries >= 0")
    data = dataset if isinstance(dataset, Dataset) else Dataset.from_items(dataset)
    built = build_checks(checks)
    name = str(name or getattr(task, "__name__", None) or "experiment")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run_id = f"{name}-{stamp}-{uuid.uuid4().hex[:6]}"
    root = Path(evals_dir) if evals_dir is not None else _default_dir()
    estimate = estimate_judges(built, data.items, repeats)
    logger.info("eval %s: %d items, estimated judge cost: %s", name, len(data), estimate.line())
    if progress:
        progress_bar.announce(f"eval {name}: {len(data)} items; judge cost {estimate.line()}")
    files = RunFiles(root, run_id)
    runner = _Runner(
        task,
        built,
        name=name,
        run_id=run_id,
        files=files,
        timeout_s=timeout_s,
        retries=retries,
        backoff_s=backoff_s,
    )
    started = time.time()
    work = _work(data, repeats)
    total = len(data) * repeats
    bar = progress_bar.open(f"eval {name}", total, enabled=progress)

    async def worker() -> None:
        for item, r in work:  # a shared iterator: each worker pulls the next item
            await runner.one(item, r)
            bar.advance()

    try:
        await asyncio.gather(*(worker() for _ in range(min(concurrency, max(1, total)))))
    finally:
        bar.close()
    summary = summarize_run(
        run_id=run_id,
        name=name,
        dataset=data,
        checks=built,
        table=runner.table,
        repeats=repeats,
        task_errors=runner.task_errors,
        started=started,
        finished=time.time(),
        metadata={**(metadata or {}), "judge_cost_estimate_usd": estimate.usd},
    )
    files.finish(summary.to_dict())
    return Experiment(id=run_id, name=name, dir=files.dir, summary=summary)


def evaluate(
    task: Callable[..., Any],
    dataset: Dataset | Iterable[Item | Mapping[str, Any]],
    checks: Iterable[Check | str | Mapping[str, Any]] = (),
    **options: Any,
) -> Experiment:
    """Run ``task`` over ``dataset`` and score each output with ``checks``.

    Options: ``name``, ``concurrency`` (8), ``repeats`` (1), ``timeout_s`` (60), ``retries``
    (2), ``backoff_s`` (0.5), ``evals_dir`` (setting ``evals_dir``), ``progress`` (True),
    ``metadata``. Returns the :class:`Experiment`; its ``summary`` holds every aggregate with
    a 95 % confidence interval and n.
    """
    return asyncio.run(aevaluate(task, dataset, checks, **options))


def _default_dir() -> Path:
    from spyglass.settings import load_settings

    return load_settings().resolved_evals_dir
