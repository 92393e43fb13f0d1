"""Guarding a token stream without waiting for its end.

Text is released as soon as it is cleared, minus a hold-back window: a redaction or a secret
split across chunks is still seen whole. How it works, for a stream of output text:

- Every ``step`` characters of stream (at fixed offsets, *not* at chunk boundaries, so any
  chunking of the same text gives the same verdict and the same released text), the output
  rules run on a segment that starts ``window`` characters before what was already released
  and covers at least the last ``scan_chars`` characters.
- A ``block`` rule that fails stops the stream: nothing more is released, the stream ends
  cleanly with ``blocked`` and ``reason`` set (and the policy's refusal as a last chunk when
  it has one).
- ``redact`` findings are replaced in the released text. Text is released up to ``window``
  characters before the end of the segment, and never through the middle of a finding, so a
  finding that may still be growing is held until it is complete.
- When the stream ends, the whole policy runs once on the whole text, exactly as
  :meth:`Guard.check_output` would: that is the recorded result, and it can still block the
  held-back tail.

So a character waits for at most ``window + step`` more characters of stream; the wait,
measured per chunk, is in :attr:`GuardedStream.added_latency_ms`. Rules whose action is
``fix`` or ``reask`` need the whole answer: with one of those in the policy the stream holds
everything until the end.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from spyglass.checks import CheckContext, Finding
from spyglass.guard import recording
from spyglass.guard.policy import Action, Stage
from spyglass.guard.redaction import Vault, redact
from spyglass.guard.result import GuardResult, RuleOutcome

if TYPE_CHECKING:
    from spyglass.guard.guard import Guard

__all__ = ["AsyncGuardedStream", "GuardedStream"]

# 96 characters covers the entities the built-in checks find (e-mail, phone, card, IBAN,
# provider keys up to ~100 characters); findings that grow past it are still held whole.
# At 50 tokens/s (~200 characters/s) the hold-back costs about half a second of delay.
DEFAULT_WINDOW = 96
# Checking every 16 characters keeps the cost near four check runs per 64 characters of text
# while adding little to the wait.
DEFAULT_STEP = 16
# Block checks (injection, toxicity) look at least this far back, so a phrase split over many
# small steps is still seen whole.
DEFAULT_SCAN = 2048


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


class _StreamCore:
    def __init__(
        self,
        guard: Guard,
        *,
        context: CheckContext | None = None,
        vault: Vault | None = None,
        window: int = DEFAULT_WINDOW,
        step: int = DEFAULT_STEP,
        scan_chars: int = DEFAULT_SCAN,
    ) -> None:
        if window < 0 or step < 1 or scan_chars < 0:
            raise ValueError("window and scan_chars must be >= 0 and step >= 1")
        self.guard = guard
        self.context = context
        self.vault = vault or guard.vault
        self.window = window
        self.step = step
        self.scan_chars = scan_chars
        self.rules = guard.policy.rules(Stage.OUTPUT)
        # fix and re-ask need the whole answer: hold everything until the end.
        self.hold_all = any(r.action in (Action.FIX, Action.REASK) for r in self.rules)
        self.full = ""
        self.released = 0
        self.next_boundary = step
        self.blocked = False
        self.reason: str | None = None
        self.result: GuardResult | None = None
        self.closed = False
        self._arrivals: deque[tuple[int, float]] = deque()
        self.delays_ms: list[float] = []
        self.max_held_chars = 0

    # -- the steps -------------------------------------------------------------------------

    def push(self, chunk: str) -> str:
        if self.blocked or self.closed or not chunk:
            return ""
        self.full += chunk
        self._arrivals.append((len(self.full), time.perf_counter()))
        out: list[str] = []
        while not self.hold_all and len(self.full) >= self.next_boundary and not self.blocked:
            out.append(self._evaluate(self.next_boundary, final=False))
            self.next_boundary += self.step
        self.max_held_chars = max(self.max_held_chars, len(self.full) - self.released)
        return "".join(out)

    def close(self) -> str:
        if self.closed:
            return ""
        self.closed = True
        if self.blocked:
            return self.guard.policy.refusal or ""
        final = self.guard.check_output(self.full, self.context, vault=self.vault)
        self.result = final
        if final.blocked:
            self._stop(final.reason)
            return self.guard.policy.refusal or ""
        if self.hold_all:
            self.released = len(self.full)
            self._account()
            return final.text
        tail = self._evaluate(len(self.full), final=True, record=False)
        return tail

    def _stop(self, reason: str | None) -> None:
        self.blocked = True
        self.reason = reason

    def _evaluate(self, end: int, *, final: bool, record: bool = True) -> str:
        start = max(0, min(self.released - self.window, end - self.scan_chars))
        segment = self.full[start:end]
        findings: list[Finding] = []
        outcomes: list[RuleOutcome] = []
        for rule in self.rules:
            res = self.guard._check(rule, segment, self.context)
            failed = res.passed is False or (res.unscored and rule.on_error == "closed")
            if not failed:
                continue
            if rule.action is Action.BLOCK or (rule.action is Action.REDACT and not res.findings):
                outcomes.append(RuleOutcome(rule.name, res, rule.action, Action.BLOCK.value))
                self._stop(f"{rule.name}: {res.explanation}" if res.explanation else rule.name)
                if record:
                    self._record_block(outcomes)
                return ""
            if rule.action is Action.REDACT:
                findings.extend(
                    replace(f, start=f.start + start, end=f.end + start) for f in res.findings
                )
        cut = end if final else max(self.released, end - self.window)
        for f in findings:
            if f.start < cut < f.end:
                cut = max(self.released, f.start)
        if not final and len(self.vault):
            cut = self._before_open_placeholder(cut)
        piece = self.full[self.released : cut]
        local = [
            replace(f, start=max(f.start, self.released) - self.released, end=f.end - self.released)
            for f in findings
            if f.end > self.released and f.start < cut and f.end <= cut
        ]
        out = redact(piece, local, mode="mask") if local else piece
        self.released = cut
        self._account()
        return self.vault.restore(out) if len(self.vault) else out

    def _before_open_placeholder(self, cut: int) -> int:
        """Do not split a ``<EMAIL_1>`` placeholder: restore needs it whole."""
        opened = self.full.rfind("<", self.released, cut)
        if opened != -1 and self.full.find(">", opened, cut) == -1 and cut - opened < 40:
            return opened
        return cut

    def _record_block(self, outcomes: list[RuleOutcome]) -> None:
        self.result = GuardResult(
            stage=Stage.OUTPUT,
            policy=self.guard.policy.name,
            text=self.guard.policy.refusal or "",
            blocked=True,
            reason=self.reason,
            outcomes=outcomes,
        )
        with recording.guard_span(self.guard, Stage.OUTPUT) as rec:
            rec.finish(self.result)

    def _account(self) -> None:
        now = time.perf_counter()
        while self._arrivals and self._arrivals[0][0] <= self.released:
            _, arrived = self._arrivals.popleft()
            self.delays_ms.append((now - arrived) * 1000)

    @property
    def added_latency_ms(self) -> dict[str, float]:
        """How long released text waited in the guard: p50, p95 and max over chunks."""
        return {
            "p50": _percentile(self.delays_ms, 0.5),
            "p95": _percentile(self.delays_ms, 0.95),
            "max": max(self.delays_ms, default=0.0),
        }


class GuardedStream(_StreamCore):
    """Guard the output stream ``chunks``; iterate to get the cleared text.

    Also usable by hand: :meth:`push` each chunk and send what it returns, then :meth:`close`.
    Options: ``context``, ``vault``, ``window``, ``step``, ``scan_chars``.
    After the end, ``blocked``/``reason`` tell whether a rule stopped the stream and
    ``result`` holds the recorded :class:`GuardResult`.
    """

    def __init__(self, guard: Guard, chunks: Iterable[str] = (), **options: Any) -> None:
        super().__init__(guard, **options)
        self._chunks = chunks

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            out = self.push(chunk)
            if out:
                yield out
            if self.blocked:
                break
        tail = self.close()
        if tail:
            yield tail


class AsyncGuardedStream(_StreamCore):
    """:class:`GuardedStream` over an async iterable of chunks."""

    def __init__(self, guard: Guard, chunks: AsyncIterable[str], **options: Any) -> None:
        super().__init__(guard, **options)
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[str]:
        async for chunk in self._chunks:
            out = self.push(chunk)
            if out:
                yield out
            if self.blocked:
                break
        tail = self.close()
        if tail:
            yield tail
