"""Shared by the pattern checks (pii, secrets): overlaps, verdicts, masking, name selection."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from spyglass.checks.base import Finding, Verdict
from spyglass.exceptions import PolicyError

#: How far before a candidate (in characters) a context word may sit: a label such as
#: "Social Security Number (SSN):" plus a little slack, not the previous sentence.
CONTEXT_WINDOW = 40

# One detection before overlap resolution: start, end, entity, score.
_Hit = tuple[int, int, str, float]


def resolve_overlaps(hits: Iterable[_Hit], text: str) -> tuple[Finding, ...]:
    """Findings sorted by start, none overlapping: the higher score, then the longer span wins."""
    ranked = sorted(hits, key=lambda h: (-h[3], -(h[1] - h[0]), h[0]))
    starts: list[int] = []  # the kept hits, disjoint, in start order
    kept: list[_Hit] = []
    for hit in ranked:
        i = bisect.bisect_right(starts, hit[0])
        if (i and kept[i - 1][1] > hit[0]) or (i < len(kept) and kept[i][0] < hit[1]):
            continue
        starts.insert(i, hit[0])
        kept.insert(i, hit)
    return tuple(Finding(s, e, entity, text[s:e], score) for s, e, entity, score in kept)


def summarize(findings: Sequence[Finding], priority: Sequence[str], nothing: str) -> Verdict:
    """The verdict over ``findings``; the label is the top-scoring entity (ties by ``priority``).

    The explanation names entity kinds only, never the matched text.
    """
    if not findings:
        return Verdict(score=0.0, explanation=nothing)
    rank = {name: i for i, name in enumerate(priority)}
    top = min(findings, key=lambda f: (-f.score, rank.get(f.entity, len(rank))))
    kinds = sorted({f.entity for f in findings}, key=lambda e: rank.get(e, len(rank)))
    noun = "finding" if len(findings) == 1 else "findings"
    return Verdict(
        score=top.score,
        findings=tuple(findings),
        label=top.entity,
        explanation=f"{len(findings)} {noun}: {', '.join(kinds)}",
    )


def mask(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding replaced by ``[ENTITY]`` (as the guard masks)."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        out.append(text[pos : f.start])
        out.append(f"[{f.entity}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def select(
    known: Sequence[str], only: Sequence[str] | None, exclude: Sequence[str] | None, what: str
) -> frozenset[str]:
    """The enabled names; PolicyError naming the known ones when a name is not among them."""
    for names in (only, exclude):
        if isinstance(names, str):
            raise PolicyError(f"{what} must be a list of names, not a string")
        unknown = sorted({n.upper() for n in names or ()} - set(known))
        if unknown:
            raise PolicyError(f"unknown {what} {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = {n.upper() for n in only} if only is not None else set(known)
    return frozenset(chosen - {n.upper() for n in exclude or ()})


def context_before(lower: str, start: int, pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` (lower case, fast without IGNORECASE) occurs just before ``start``."""
    return pattern.search(lower, max(0, start - CONTEXT_WINDOW), start) is not None
