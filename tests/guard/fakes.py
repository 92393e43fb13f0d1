"""Small checks with known behaviour, to test the guard engine apart from the built-ins."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from typing import ClassVar

from spyglass.checks import Check, CheckContext, CheckResult, Finding, Verdict, register

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@register
class WordCheck(Check):
    """Fails when the text contains ``word`` (case-insensitive); a finding per occurrence."""

    name = "test-word"

    def __init__(self, *, word: str = "forbidden", **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.pattern = re.compile(re.escape(word), re.IGNORECASE)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        found = tuple(
            Finding(m.start(), m.end(), "WORD", m.group()) for m in self.pattern.finditer(text)
        )
        return Verdict(score=1.0 if found else 0.0, findings=found)


@register
class EmailCheck(Check):
    """Finds e-mail addresses, like a tiny PII check."""

    name = "test-email"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        found = tuple(
            Finding(m.start(), m.end(), "EMAIL", m.group()) for m in _EMAIL.finditer(text)
        )
        return Verdict(score=1.0 if found else 0.0, findings=found)


@register
class ScoreOnlyCheck(Check):
    """Fails on the word 'bad' but reports no spans (cannot be redacted)."""

    name = "test-score-only"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return Verdict(score=1.0 if "bad" in text else 0.0, explanation="saw bad")


@register
class JsonCheck(Check):
    """Valid JSON passes; fix() strips a trailing comma inside an object."""

    name = "test-json"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        try:
            json.loads(text)
        except ValueError:
            return Verdict(score=1.0, explanation="not JSON")
        return Verdict(score=0.0)

    def fix(self, text: str, result: CheckResult) -> str | None:
        repaired = re.sub(r",\s*}", "}", text)
        return repaired if repaired != text else None


@register
class CrashCheck(Check):
    name = "test-crash"

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        raise RuntimeError("boom")


@register
class BlockingCheck(Check):
    """Waits on an event that the test sets after the guard has given up (a hung check)."""

    name = "test-hang"
    release: ClassVar[threading.Event] = threading.Event()

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        self.release.wait(10)
        return Verdict(score=0.0)


@register
class AsyncCheck(Check):
    """An I/O-style check (think LLM judge): async, fails when the text has 'slow'."""

    name = "test-async"
    calls: ClassVar[int] = 0

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        raise AssertionError("the async path must be used")

    async def aevaluate(self, text: str, context: CheckContext) -> Verdict:
        type(self).calls += 1
        await asyncio.sleep(0)
        return Verdict(score=1.0 if "slow" in text else 0.0)
