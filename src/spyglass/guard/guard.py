"""The Guard: runs a policy's rules on inputs and outputs and applies their actions.

::

    guard = Guard("input-default")
    result = guard.check_input(user_message)      # never raises on a block
    if result.blocked: ...
    safe_prompt = guard.validate_input(user_message)   # raises GuardBlocked instead

    answer = guard.call(ask_model, user_message)  # input → model → output, with re-asks

Rules run in order on the text as the earlier rules left it (a redaction is visible to the
checks after it). A block stops the run. Every run is recorded as a GUARDRAIL span with one
score per check when the SDK is configured; without it the guard works the same, unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from spyglass.checks import Check, CheckContext, CheckResult
from spyglass.exceptions import GuardBlocked
from spyglass.guard import recording
from spyglass.guard.policy import Action, Policy, Rule, Stage
from spyglass.guard.redaction import Vault, redact
from spyglass.guard.result import TAKEN_ERROR_OPEN, TAKEN_NONE, GuardResult, RuleOutcome
from spyglass.guard.streaming import (
    DEFAULT_STEP,
    DEFAULT_WINDOW,
    AsyncGuardedStream,
    GuardedStream,
)

logger = logging.getLogger(__name__)

__all__ = ["Guard"]

# Checks with a timeout run on these threads so the caller can stop waiting. Four is enough
# for concurrent guarded requests in one process; a check that never returns keeps its thread.
_TIMEOUT_WORKERS = 4
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(_TIMEOUT_WORKERS, thread_name_prefix="spyglass-guard")
        return _executor


def _timed_out(rule: Rule) -> CheckResult:
    return CheckResult(
        check=rule.name,
        score=None,
        passed=None,
        explanation=f"check timed out after {rule.timeout_ms:g} ms",
        latency_ms=float(rule.timeout_ms or 0),
        error="timeout",
    )


def _has_async(check: Check) -> bool:
    return type(check).aevaluate is not Check.aevaluate


class _Run:
    """The mutable state of one run over one text."""

    def __init__(self, text: str, stage: Stage, policy: Policy, vault: Vault) -> None:
        self.text = text
        self.stage = stage
        self.policy = policy
        self.vault = vault
        self.outcomes: list[RuleOutcome] = []
        self.blocked = False
        self.reason: str | None = None
        self.reask = False

    def block(self, rule: Rule, why: str) -> None:
        self.blocked = True
        self.reason = f"{rule.name}: {why}" if why else rule.name

    def decide(self, rule: Rule, result: CheckResult) -> bool:
        """Apply ``rule`` to ``result``; True when the caller must run the fix re-check."""
        failed = result.passed is False or (result.unscored and rule.on_error == "closed")
        if not failed:
            taken = TAKEN_ERROR_OPEN if result.unscored else TAKEN_NONE
            self.outcomes.append(RuleOutcome(rule.name, result, rule.action, taken))
            return False
        action = rule.action
        if result.unscored and action not in (Action.MONITOR, Action.BLOCK):
            action = Action.BLOCK  # fail closed: nothing to redact or fix without a verdict
        if action is Action.REDACT and not result.findings:
            action = Action.BLOCK  # a failure with no spans cannot be redacted; stay safe
        if action is Action.REASK and self.stage is Stage.INPUT:
            action = Action.BLOCK
        explanation = result.explanation or (result.error or "")
        if action is Action.BLOCK:
            self.block(rule, explanation)
        elif action is Action.REDACT:
            # Placeholders are for text going to the model; what the user sees is masked.
            mode = self.policy.redaction if self.stage is Stage.INPUT else "mask"
            self.text = redact(self.text, result.findings, mode=mode, vault=self.vault)
        elif action is Action.REASK:
            self.reask = True
        self.outcomes.append(RuleOutcome(rule.name, result, rule.action, action.value))
        return action is Action.FIX

    def fix(self, rule: Rule, result: CheckResult) -> str | None:
        try:
            return rule.check.fix(self.text, result)
        except Exception:  # a broken repair must not break the guard; blocking is safe
            logger.warning("check %s raised in fix()", rule.name, exc_info=True)
            return None

    def fixed(self, rule: Rule, fixed: str | None, recheck: CheckResult | None) -> None:
        if fixed is not None and recheck is not None and recheck.passed:
            self.text = fixed
        else:
            self.outcomes[-1] = RuleOutcome(
                rule.name, self.outcomes[-1].result, rule.action, Action.BLOCK.value
            )
            self.block(rule, "could not be fixed")

    def result(self, started: int) -> GuardResult:
        text = self.text
        if self.blocked:
            text = self.policy.refusal or ""
        return GuardResult(
            stage=self.stage,
            policy=self.policy.name,
            text=text,
            blocked=self.blocked,
            reason=self.reason,
            reask=self.reask and not self.blocked,
            outcomes=self.outcomes,
            latency_ms=(time.perf_counter_ns() - started) / 1e6,
        )


class Guard:
    """Runs a :class:`Policy` (an object, a ready-made name, or a YAML path).

    ``vault`` keeps pseudonymised values for one conversation; pass ``vault=`` per call when
    one Guard serves many conversations. ``record=False`` turns off span recording.
    """

    def __init__(
        self, policy: Policy | str | Path, *, vault: Vault | None = None, record: bool = True
    ) -> None:
        self.policy = policy if isinstance(policy, Policy) else Policy.load(policy)
        self.vault = vault or Vault()
        self.record = record

    # -- one check -------------------------------------------------------------------------

    @staticmethod
    def _check(rule: Rule, text: str, ctx: CheckContext | None) -> CheckResult:
        if rule.timeout_ms is None:
            return rule.check.run(text, ctx)
        future = _pool().submit(rule.check.run, text, ctx)
        try:
            return future.result(timeout=rule.timeout_ms / 1000)
        except FutureTimeout:
            return _timed_out(rule)

    @staticmethod
    async def _acheck(rule: Rule, text: str, ctx: CheckContext | None) -> CheckResult:
        if _has_async(rule.check):
            pending: Awaitable[CheckResult] = rule.check.arun(text, ctx)
        elif rule.timeout_ms is None:
            return rule.check.run(text, ctx)  # CPU-bound and sub-millisecond: run inline
        else:
            pending = asyncio.to_thread(rule.check.run, text, ctx)
        if rule.timeout_ms is None:
            return await pending
        try:
            return await asyncio.wait_for(pending, rule.timeout_ms / 1000)
        except TimeoutError:
            return _timed_out(rule)

    # -- one stage -------------------------------------------------------------------------

    def _start(self, text: str, stage: Stage | str, vault: Vault | None) -> _Run:
        stage = Stage(stage)
        vault = vault or self.vault
        if stage is Stage.OUTPUT and len(vault):
            # Output rules judge what the user will see: the answer with real values back.
            text = vault.restore(text)
        return _Run(text, stage, self.policy, vault)

    def run(
        self,
        text: str,
        stage: Stage | str = Stage.INPUT,
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
        stop_on_block: bool = True,
    ) -> GuardResult:
        """Run the rules for ``stage`` on ``text``; never raises on a block."""
        run = self._start(text, stage, vault)
        started = time.perf_counter_ns()
        with recording.guard_span(self, run.stage) as span:
            for rule in self.policy.rules(run.stage):
                result = self._check(rule, run.text, context)
                if run.decide(rule, result):
                    fixed = run.fix(rule, result)
                    recheck = None if fixed is None else self._check(rule, fixed, context)
                    run.fixed(rule, fixed, recheck)
                if run.blocked and stop_on_block:
                    break
            outcome = run.result(started)
            span.finish(outcome)
        return outcome

    async def arun(
        self,
        text: str,
        stage: Stage | str = Stage.INPUT,
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
        stop_on_block: bool = True,
    ) -> GuardResult:
        """Async :meth:`run`: async checks (LLM judges) are awaited, timeouts honoured."""
        run = self._start(text, stage, vault)
        started = time.perf_counter_ns()
        with recording.guard_span(self, run.stage) as span:
            for rule in self.policy.rules(run.stage):
                result = await self._acheck(rule, run.text, context)
                if run.decide(rule, result):
                    fixed = run.fix(rule, result)
                    recheck = None if fixed is None else await self._acheck(rule, fixed, context)
                    run.fixed(rule, fixed, recheck)
                if run.blocked and stop_on_block:
                    break
            outcome = run.result(started)
            span.finish(outcome)
        return outcome

    def check_input(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> GuardResult:
        return self.run(text, Stage.INPUT, context, vault=vault)

    def check_output(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> GuardResult:
        return self.run(text, Stage.OUTPUT, context, vault=vault)

    async def acheck_input(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> GuardResult:
        return await self.arun(text, Stage.INPUT, context, vault=vault)

    async def acheck_output(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> GuardResult:
        return await self.arun(text, Stage.OUTPUT, context, vault=vault)

    def validate_input(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> str:
        """The input to send to the model; raises :class:`GuardBlocked` when blocked."""
        result = self.check_input(text, context, vault=vault)
        result.raise_if_blocked()
        return result.text

    def validate_output(
        self, text: str, context: CheckContext | None = None, *, vault: Vault | None = None
    ) -> str:
        """The output to show; the policy's refusal when blocked, else GuardBlocked."""
        result = self.check_output(text, context, vault=vault)
        if result.blocked and self.policy.refusal is None:
            result.raise_if_blocked()
        return result.text

    # -- input → model → output ------------------------------------------------------------

    def _reask_prompt(self, prompt: str, answer: str, result: GuardResult) -> str:
        problems = "; ".join(
            f"{o.rule}: {o.result.explanation or 'failed'}" for o in result.failures()
        )
        return (
            f"{prompt}\n\nYour previous answer was rejected ({problems}).\n"
            f"Previous answer:\n{answer}\n\nAnswer again and fix these problems."
        )

    def _finish(self, result: GuardResult) -> str:
        if result.blocked or result.reask:
            if self.policy.refusal is not None:
                return self.policy.refusal
            if result.reask:
                raise GuardBlocked(
                    f"output still failed after {self.policy.max_reasks} re-asks", result
                )
            result.raise_if_blocked()
        return result.text

    def call(
        self,
        model: Callable[[str], str],
        prompt: str,
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
    ) -> str:
        """Guard ``prompt``, call ``model`` with the cleared text, guard its answer.

        Failed ``reask`` rules call the model again with the failure explained, at most
        ``policy.max_reasks`` times. Blocked → the policy's refusal, or GuardBlocked.
        """
        vault = vault or self.vault
        checked = self.check_input(prompt, context, vault=vault)
        if checked.blocked:
            return self._finish(checked)
        sent = checked.text
        answer = model(sent)
        result = self.check_output(answer, context, vault=vault)
        for _ in range(self.policy.max_reasks):
            if not result.reask:
                break
            answer = model(self._reask_prompt(sent, answer, result))
            result = self.check_output(answer, context, vault=vault)
        return self._finish(result)

    async def acall(
        self,
        model: Callable[[str], Awaitable[str]],
        prompt: str,
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
    ) -> str:
        """Async :meth:`call` for an async ``model``."""
        vault = vault or self.vault
        checked = await self.acheck_input(prompt, context, vault=vault)
        if checked.blocked:
            return self._finish(checked)
        sent = checked.text
        answer = await model(sent)
        result = await self.acheck_output(answer, context, vault=vault)
        for _ in range(self.policy.max_reasks):
            if not result.reask:
                break
            answer = await model(self._reask_prompt(sent, answer, result))
            result = await self.acheck_output(answer, context, vault=vault)
        return self._finish(result)

    # -- streams ---------------------------------------------------------------------------

    def stream(
        self,
        chunks: Iterable[str],
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
        window: int = DEFAULT_WINDOW,
        step: int = DEFAULT_STEP,
    ) -> GuardedStream:
        """Guard an output stream; iterate the result for cleared text (see streaming.py)."""
        return GuardedStream(self, chunks, context=context, vault=vault, window=window, step=step)

    def astream(
        self,
        chunks: AsyncIterable[str],
        context: CheckContext | None = None,
        *,
        vault: Vault | None = None,
        window: int = DEFAULT_WINDOW,
        step: int = DEFAULT_STEP,
    ) -> AsyncGuardedStream:
        """Async :meth:`stream`: ``async for text in guard.astream(chunks)``."""
        return AsyncGuardedStream(
            self, chunks, context=context, vault=vault, window=window, step=step
        )

    def restore(self, text: str, *, vault: Vault | None = None) -> str:
        """Put pseudonymised values back into ``text``."""
        return (vault or self.vault).restore(text)
