"""Latency of the built-in checks and of the ready-made policies, in process.

    python benchmarks/guard_latency.py [--repeats 200]

For each core check: the median time of one run on 1 KB and on 10 KB of ordinary text (chat
and support prose with a few e-mails, phone numbers and keys in it), as ms per KB. Then the
``input-default`` and ``output-default`` policies on 2 KB: p50 and p95 over many runs. As a
baseline measured in the same run, one precompiled regular expression (an e-mail pattern)
scanned over the same text: a check can hardly cost less than one pass of ``re``.

Goal (issue 5): ≤ 0.2 ms per KB for the pattern-based checks; input-default p95 ≤ 5 ms on 2 KB.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections.abc import Callable

from spyglass.checks import CheckContext, available_checks, create_check
from spyglass.guard import Guard

PROSE = [
    "Hi team, the export to CSV has been failing since the upgrade on Tuesday.",
    "Could you check why the dashboard shows last week's numbers instead of today's?",
    "Our order #48213 arrived with a damaged box, but the items inside look fine.",
    "I tried clearing the cache and restarting the app, and the error is still there.",
    "The meeting moved to 3:30 pm; the agenda is in the shared folder under Q3 planning.",
    "Version 2.4.1 fixed the crash, although the progress bar still jumps back at 80%.",
    "Please summarise the attached report in five bullet points for the board.",
    "What is the difference between a list and a tuple in Python, and when should I use each?",
    "The invoice total was $1,249.00 including tax; the PO number is 7781-2290.",
    "Thanks for the quick reply! I'll try the workaround and let you know tomorrow.",
    "Write a short poem about autumn in Lisbon, with rain on the tram lines.",
    "The API returns 429 when we send more than 50 requests per second from one worker.",
]
HITS = [
    "You can reach me at maria.silva@example.org if anything changes.",
    "My phone number is +44 20 7946 0958, call after six.",
    "The card on file is 4111 1111 1111 1111, expiring 09/27.",
    "Here is the config: OPENAI_API_KEY=sk-proj-Xa81kQ2mZr7LwP0d9VtY3bNc5HsJf6Ue4Gi",
]
KB = 1024
SIZES = (1, 10)
# 1 KB runs are short: more of them steady the median; 10 KB runs need fewer.
REPEATS_PER_SIZE = {1: 1.0, 10: 0.25}
# Checks that need parameters get a realistic set; the rest run with their defaults.
PARAMS: dict[str, dict[str, object]] = {
    "banned-topics": {"builtin": ["politics", "medical-advice", "legal-advice", "gambling"]},
    "competitors": {"names": {"Globex": ["Globex Corp"], "Initech": [], "Umbrella": []}},
    "json-schema": {"schema": {"type": "object", "required": ["answer"]}},
    "language": {"allowed": ["en"]},
    "semantic-topics": {"builtin": ["politics", "medical-advice", "legal-advice", "gambling"]},
    "length": {"max_chars": 4000, "max_words": 800},
    "regex": {"pattern": r"\bACME-\d{4,}\b", "mode": "forbid"},
    "token-limit": {"max_tokens": 4000},
}
MODEL_BACKED = frozenset({"language", "semantic-topics"})
_BASELINE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def make_text(size_kb: float, seed: int = 7) -> str:
    """Ordinary prose of about ``size_kb`` KB with a hit roughly every 600 characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size_kb * KB:
        sentence = rng.choice(HITS) if rng.random() < 0.08 else rng.choice(PROSE)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[: int(size_kb * KB)]


def median_ms(func: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter_ns()
        func()
        times.append((time.perf_counter_ns() - started) / 1e6)
    return statistics.median(times)


def percentiles(func: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter_ns()
        func()
        times.append((time.perf_counter_ns() - started) / 1e6)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(0.95 * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    texts = {size: make_text(size) for size in SIZES}
    context = CheckContext(system_prompt="You are a helpful support assistant for Acme.")
    results: dict[str, dict[str, float]] = {}
    baseline = {
        size: median_ms(lambda t=text: list(_BASELINE.finditer(t)), args.repeats) / size
        for size, text in texts.items()
    }
    print(f"{'check':<22}{'1 KB ms/KB':>12}{'10 KB ms/KB':>13}{'x one regex':>13}")
    print(f"{'(one regex baseline)':<22}{baseline[1]:>12.4f}{baseline[10]:>13.4f}{1:>13.1f}")
    for name, cls in available_checks().items():
        # Guardrail checks only: quality metrics (BLEU, judges) score against a reference.
        if name.startswith("test-") or cls.higher_is_better:
            continue
        try:
            check = create_check(name, **PARAMS.get(name, {}))
        except Exception as exc:  # e.g. the language extra is not installed
            print(f"{name:<22} skipped: {exc}")
            continue
        row = {}
        for size, text in texts.items():
            reps = max(5, int(args.repeats * REPEATS_PER_SIZE[size]))
            row[f"{size}kb_ms_per_kb"] = round(
                median_ms(lambda c=check, t=text: c.run(t, context), reps) / size, 4
            )
        results[name] = row
        ratio = row["10kb_ms_per_kb"] / baseline[10] if baseline[10] else 0.0
        print(
            f"{name:<22}{row['1kb_ms_per_kb']:>12.4f}{row['10kb_ms_per_kb']:>13.4f}{ratio:>13.1f}"
        )

    policies = {}
    two_kb = make_text(2, seed=11)
    for policy, stage in (("input-default", "input"), ("output-default", "output")):
        guard = Guard(policy, record=False)
        p50, p95 = percentiles(lambda g=guard, s=stage: g.run(two_kb, s), args.repeats * 2)
        policies[policy] = {"p50_ms": round(p50, 3), "p95_ms": round(p95, 3)}
        print(f"policy {policy:<16} on 2 KB: p50 {p50:.3f} ms, p95 {p95:.3f} ms")

    # The goal is for the pattern-based core checks; `language` runs a model from an extra.
    pattern_based = [r for name, r in results.items() if name not in MODEL_BACKED]
    worst = max((max(r.values()) for r in pattern_based), default=0.0)
    print(
        json.dumps(
            {
                "checks": results,
                "baseline_regex_ms_per_kb": {f"{k}kb": round(v, 4) for k, v in baseline.items()},
                "policies_2kb": policies,
                "worst_pattern_check_ms_per_kb": worst,
                "input_default_p95_ms": policies["input-default"]["p95_ms"],
            }
        )
    )


if __name__ == "__main__":
    main()
