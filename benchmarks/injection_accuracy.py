"""Accuracy and speed of the ``prompt-injection`` check, plus the speed of ``unicode`` and
``prompt-leak``.

Data: the CyberSecEval prompt-injection sets in ``--data`` (every ``user_input`` is an attack;
the ``test_case_prompt`` system prompts are benign hard negatives), our own benign user prompts
(``benchmarks/data/benign_prompts.jsonl``) and our challenge set
(``benchmarks/data/injection_challenge.jsonl``: persona jailbreaks, role-play templates, rogue
strings, encoding probes, latent injection, adversarial suffixes, and hard benign texts),
reported as its tuned part and its held-back third. The English file and the tuned part were
used to tune the rules; the multilingual file and the held-back third are held out. Prints
precision, recall, F1 and false-positive rate per source and overall, recall and false
positives per family, the p50/p95 latency per text (attacks and benign apart), ms per KB on
1 KB and 10 KB of ordinary prose for each check, and ends with one JSON line.

    python benchmarks/injection_accuracy.py [--data /work/shared/data/guardrails] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from spyglass.checks import Check, CheckContext
from spyglass.checks.injection import PromptInjection
from spyglass.checks.leak import PromptLeak
from spyglass.checks.unicode import UnicodeTricks

HERE = Path(__file__).resolve().parent
BENIGN = HERE / "data" / "benign_prompts.jsonl"
CHALLENGE = HERE / "data" / "injection_challenge.jsonl"
DEFAULT_DATA = Path("/work/shared/data/guardrails")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, label: int, flagged: bool) -> None:
        if label and flagged:
            self.tp += 1
        elif label:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.tn += other.tn
        self.fn += other.fn
        return self

    def metrics(self) -> dict[str, float | int | None]:
        def div(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        p, r = div(self.tp, self.tp + self.fp), div(self.tp, self.tp + self.fn)
        f1 = round(2 * p * r / (p + r), 4) if p and r else None
        return {
            "n": self.tp + self.fp + self.tn + self.fn,
            "precision": p,
            "recall": r,
            "f1": f1,
            "fpr": div(self.fp, self.fp + self.tn),
        }


def load(data: Path) -> dict[str, list[tuple[str, int, str]]]:
    """Source name -> (text, label, group) rows."""
    sources: dict[str, list[tuple[str, int, str]]] = {}
    for name, file in (
        ("dev-english", "cyberseceval_prompt_injection.json"),
        ("dev-multilingual", "cyberseceval_prompt_injection_multilingual.json"),
    ):
        rows = json.loads((data / file).read_text(encoding="utf-8"))
        items = [(r["user_input"], 1, r["injection_variant"]) for r in rows]
        items += [(p, 0, "system_prompt") for p in sorted({r["test_case_prompt"] for r in rows})]
        sources[name] = items
    benign = [json.loads(line) for line in BENIGN.read_text(encoding="utf-8").splitlines()]
    sources["benign-prompts"] = [
        (b["text"], 0, "hard" if b["hard_negative"] else b["category"]) for b in benign
    ]
    challenge = [json.loads(line) for line in CHALLENGE.read_text(encoding="utf-8").splitlines()]
    for split, name in (("tune", "challenge-tuned"), ("heldback", "challenge-heldback")):
        sources[name] = [
            (c["text"], c["label"], c["family"]) for c in challenge if c["split"] == split
        ]
    return sources


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def ms_per_kb(check: Check, text: str, ctx: CheckContext | None = None) -> float:
    check.run(text, ctx)
    rounds = max(5, 2_000 // max(1, len(text) // 100))
    started = time.perf_counter()
    for _ in range(rounds):
        check.run(text, ctx)
    return round((time.perf_counter() - started) * 1000 / rounds / (len(text) / 1000), 4)


def fmt(m: dict[str, float | int | None]) -> str:
    cells = [f"{k}={'-' if v is None else v}" for k, v in m.items()]
    return "  ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--show-errors", action="store_true", help="print missed and false hits")
    args = parser.parse_args()

    check = PromptInjection(threshold=args.threshold)
    sources = load(args.data)
    total = Counts()
    latencies: dict[int, list[float]] = {0: [], 1: []}
    report: dict[str, object] = {}
    for name, rows in sources.items():
        counts = Counts()
        by_group: dict[str, Counts] = {}
        for text, label, group in rows:
            result = check.run(text)
            latencies[label].append(result.latency_ms)
            flagged = result.passed is False
            if args.show_errors and flagged != bool(label):
                kind = "MISS" if label else "FP"
                print(f"  {kind} [{name}/{group}] {result.score} {text[:160]!r}")
            counts.add(label, flagged)
            by_group.setdefault(group, Counts()).add(label, flagged)
        total += counts
        report[name] = counts.metrics()
        print(f"{name:18s} {fmt(counts.metrics())}")
        recall = {g: f"{c.tp}/{c.tp + c.fn}" for g, c in sorted(by_group.items()) if c.tp + c.fn}
        if recall:
            print(
                "    recall by attack family: " + ", ".join(f"{g} {v}" for g, v in recall.items())
            )
        fps = {g: f"{c.fp}/{c.fp + c.tn}" for g, c in sorted(by_group.items()) if c.fp + c.tn}
        if fps:
            print(
                "    false positives by benign kind: "
                + ", ".join(f"{g} {v}" for g, v in fps.items())
            )
    report["overall"] = total.metrics()
    print(f"{'overall':18s} {fmt(total.metrics())}")
    lat = {
        kind: {"p50_ms": round(pct(values, 0.5), 3), "p95_ms": round(pct(values, 0.95), 3)}
        for kind, values in (("attacks", latencies[1]), ("benign", latencies[0]))
    }
    for kind, v in lat.items():
        print(f"latency per text ({kind}): p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms")

    prose_rows = [t for t, _, g in sources["benign-prompts"] if g != "hard"]
    prose = " ".join(prose_rows)
    while len(prose) < 10_000:
        prose += " " + prose
    system = prose[2_000:3_000]
    leak_ctx = CheckContext(system_prompt=system)
    speed: dict[str, dict[str, float]] = {}
    for label, chk, ctx in (
        ("prompt-injection", check, None),
        ("unicode", UnicodeTricks(), None),
        ("prompt-leak", PromptLeak(canaries=["SPY-0123456789abcdef"]), leak_ctx),
    ):
        speed[label] = {
            "1kb": ms_per_kb(chk, prose[:1_000], ctx),
            "10kb": ms_per_kb(chk, prose[:10_000], ctx),
        }
        print(f"{label:18s} ms/KB: 1 KB {speed[label]['1kb']}, 10 KB {speed[label]['10kb']}")
    languages = Counter(
        r["speaking_language"]
        for r in json.loads(
            (args.data / "cyberseceval_prompt_injection_multilingual.json").read_text("utf-8")
        )
    )
    print(json.dumps({
        "benchmark": "injection_accuracy",
        "threshold": check.threshold,
        "sources": report,
        "latency": lat,
        "ms_per_kb": speed,
        "multilingual_languages": len(languages),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
