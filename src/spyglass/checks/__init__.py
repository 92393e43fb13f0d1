"""Checks: one interface for guardrails, evaluation metrics and online monitors.

See :mod:`spyglass.checks.base` for the interface and :mod:`spyglass.checks.registry` for how
checks are found by name.
"""

from spyglass.checks.base import Check, CheckContext, CheckResult, Finding, Verdict
from spyglass.checks.registry import available_checks, create_check, register

__all__ = [
    "Check",
    "CheckContext",
    "CheckResult",
    "Finding",
    "Verdict",
    "available_checks",
    "create_check",
    "register",
]
