"""What a guard run returns: the text after actions, the verdict, and one outcome per rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spyglass.checks import CheckResult
from spyglass.exceptions import GuardBlocked
from spyglass.guard.policy import Action, Stage

__all__ = ["GuardResult", "RuleOutcome"]

# What a rule did, beyond its configured action: nothing, or let an erroring check through.
TAKEN_NONE = "none"
TAKEN_ERROR_OPEN = "error-open"


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's check result and the action actually taken (``none`` when it passed)."""

    rule: str
    result: CheckResult
    action: Action
    taken: str

    @property
    def triggered(self) -> bool:
        return self.taken not in (TAKEN_NONE, TAKEN_ERROR_OPEN)

    def to_dict(self) -> dict[str, Any]:
        res = self.result
        return {
            "rule": self.rule,
            "score": res.score,
            "passed": res.passed,
            "label": res.label,
            "action": self.action.value,
            "taken": self.taken,
            "latency_ms": round(res.latency_ms, 4),
            "entities": sorted({f.entity for f in res.findings}),
            "explanation": res.explanation,
            "error": res.error,
        }


@dataclass
class GuardResult:
    """The outcome of running a policy's rules for one stage on one text.

    ``text`` is what to use next: the input to send to the model or the output to show, after
    redactions and fixes (and, for outputs, with the vault's placeholders restored). When
    ``blocked``, ``text`` is the policy's refusal (or empty) and ``reason`` says which rule
    blocked. ``reask`` is set when an output rule asks for another attempt.
    """

    stage: Stage
    policy: str
    text: str
    blocked: bool = False
    reason: str | None = None
    reask: bool = False
    outcomes: list[RuleOutcome] = field(default_factory=list)
    latency_ms: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.blocked and not self.reask

    @property
    def flagged(self) -> bool:
        """Some rule failed, whatever its action (monitor-only rules included)."""
        return any(o.triggered for o in self.outcomes)

    @property
    def actions(self) -> list[str]:
        return sorted({o.taken for o in self.outcomes if o.triggered})

    def outcome(self, rule: str) -> RuleOutcome | None:
        return next((o for o in self.outcomes if o.rule == rule), None)

    def failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.triggered]

    def raise_if_blocked(self) -> None:
        if self.blocked:
            raise GuardBlocked(f"{self.stage.value} blocked by {self.reason}", self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage.value,
            "policy": self.policy,
            "blocked": self.blocked,
            "reason": self.reason,
            "reask": self.reask,
            "actions": self.actions,
            "latency_ms": round(self.latency_ms, 4),
            "outcomes": [o.to_dict() for o in self.outcomes],
        }
