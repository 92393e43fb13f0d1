"""End-to-end speed and memory of evaluation runs, and the cache on re-runs.

    python benchmarks/eval_run.py [--items 1000] [--big 100000]

1. ``--items`` items x 3 deterministic metrics (exact-match, token-f1, bleu) with a trivial
   task: wall time of ``evaluate`` end to end (goal ≤ 5 s for 1,000). Baseline in the same
   run: the same task and metric functions called in a plain loop, no runner.
2. The same items through a *model* target (an OpenAI-compatible fake upstream on 127.0.0.1,
   the real ``openai`` client): the first run makes one call per item, the re-run with the
   cache makes zero (goal: 0).
3. ``--big`` items through the runner in a child process: peak resident memory (goal
   ≤ 500 MB for 100,000).

Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from spyglass.evals import Dataset, evaluate  # noqa: E402
from spyglass.evals.metrics import bleu, exact_match, token_f1  # noqa: E402

CHECKS = ["exact-match", "token-f1", "bleu"]
WORDS = [
    *("the", "quick", "brown", "fox", "jumps", "over", "a"),
    *("lazy", "dog", "near", "river", "bank", "today"),
]


def make_items(n: int) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(8 + i % 5)]
        # The item number makes every prompt distinct: the first model run cannot hit the cache.
        text = " ".join(words) + f" {i}"
        out.append({"id": f"i{i}", "input": text, "expected": " ".join(words[:-1]) + f" {i}"})
    return out


def task(text: str) -> str:
    return text


def plain_loop(items: list[dict[str, object]]) -> float:
    started = time.perf_counter()
    for item in items:
        out = task(str(item["input"]))
        exact_match(out, str(item["expected"]))
        token_f1(out, str(item["expected"]))
        bleu(out, [str(item["expected"])])
    return time.perf_counter() - started


def timed_run(items: list[dict[str, object]], root: Path) -> float:
    started = time.perf_counter()
    evaluate(task, Dataset.from_items(items), CHECKS, evals_dir=root, progress=False)
    return time.perf_counter() - started


def cache_runs(items: list[dict[str, object]], root: Path) -> tuple[int, int, float, float]:
    from tests.fakes.openai_upstream import FakeOpenAI, Script

    from spyglass.evals.targets import build_target

    # A cache file of this run's own, through the setting the CLI and SDK read.
    os.environ["SPYGLASS_LLM_CACHE_PATH"] = str(root / "llm.sqlite")
    data = Dataset.from_items(items)
    with FakeOpenAI(Script(reply="a reply")) as fake:
        spec = {"model": {"name": "gpt-4o-mini", "base_url": fake.base_url, "api_key": "sk-x"}}
        times = []
        calls = []
        for _ in range(2):
            target = build_target(spec, root)
            before = len(fake.requests)
            started = time.perf_counter()
            evaluate(target, data, ["token-f1"], evals_dir=root, progress=False, concurrency=16)
            times.append(time.perf_counter() - started)
            calls.append(len(fake.requests) - before)
    return calls[0], calls[1], times[0], times[1]


def child_peak(n: int, root: Path) -> float:
    code = (
        "import sys, resource\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.eval_run import make_items, task, CHECKS\n"
        "from spyglass.evals import Dataset, evaluate\n"
        f"evaluate(task, Dataset.from_items(make_items({n})), CHECKS, "
        f"evals_dir={str(root)!r}, progress=False)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip().splitlines()[-1]) / 1024  # KB → MB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    items = make_items(args.items)
    with tempfile.TemporaryDirectory(prefix="spyglass-eval-bench-") as tmp:
        root = Path(tmp)
        runs = [timed_run(items, root / f"r{i}") for i in range(args.repeats)]
        loops = [plain_loop(items) for _ in range(args.repeats)]
        run_s, loop_s = statistics.median(runs), statistics.median(loops)
        print(f"{args.items} items x {len(CHECKS)} metrics, evaluate(): {run_s:.2f} s (median)")
        print(f"same work in a plain loop: {loop_s:.2f} s (evaluate / loop = {run_s / loop_s:.1f})")
        first, second, t1, t2 = cache_runs(items, root / "cache")
        print(
            f"model target: first run {first} calls ({t1:.2f} s), "
            f"re-run {second} calls ({t2:.2f} s)"
        )
        peak = child_peak(args.big, root / "big") if args.big else 0.0
        print(f"{args.big} items through the runner: peak RSS {peak:.0f} MB")
    print(
        json.dumps(
            {
                "items": args.items,
                "run_s": round(run_s, 3),
                "plain_loop_s": round(loop_s, 3),
                "model_calls_first": first,
                "model_calls_rerun": second,
                "rerun_s": round(t2, 3),
                "big_items": args.big,
                "big_peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
