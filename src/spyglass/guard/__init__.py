"""Guardrails: run policies of checks on a model's inputs and outputs.

    from spyglass.guard import Guard
    guard = Guard("input-default")
    prompt = guard.validate_input(user_message)   # raises GuardBlocked when blocked

See docs/guardrails.md.
"""

from spyglass.exceptions import GuardBlocked
from spyglass.guard.guard import Guard
from spyglass.guard.policy import Action, Example, Policy, Rule, Stage, builtin_policy_names
from spyglass.guard.redaction import Vault, redact
from spyglass.guard.result import GuardResult, RuleOutcome
from spyglass.guard.streaming import AsyncGuardedStream, GuardedStream

__all__ = [
    "Action",
    "AsyncGuardedStream",
    "Example",
    "Guard",
    "GuardBlocked",
    "GuardResult",
    "GuardedStream",
    "Policy",
    "Rule",
    "RuleOutcome",
    "Stage",
    "Vault",
    "builtin_policy_names",
    "redact",
]
