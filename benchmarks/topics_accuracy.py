"""Banned-topic detection: keywords (``banned-topics``) against meaning (``semantic-topics``).

Runs both checks with all eight built-in topics over ``benchmarks/data/topics_semantic.jsonl``
(texts written for this benchmark, see benchmarks/data/README.md): on-topic texts that use
the topic's own words ("keyword") or avoid them ("paraphrase"), ordinary assistant traffic
("benign") and texts that borrow a topic's words in another sense ("hard-negative").

Prints, per split and per check (and for the two together, flagging when either does):
precision, recall, F1, false-positive rate, recall on each on-topic kind, false positives on
each off-topic kind, how often the label names the right topic, and p50/p95 latency. With
``--sweep`` it also prints the semantic check's F1 and FPR at each threshold on the dev
split, which is how its default threshold was chosen. Ends with one JSON line.

    python benchmarks/topics_accuracy.py [--split test] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from spyglass.checks.semantic_topics import SemanticTopics
from spyglass.checks.topics import BannedTopics

DATA = Path(__file__).resolve().parent / "data" / "topics_semantic.jsonl"
TOPICS = [
    "politics",
    "medical-advice",
    "legal-advice",
    "financial-advice",
    "violence",
    "weapons",
    "gambling",
    "religion",
]


def load(split: str) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if split == "all" or r["split"] == split]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def score(
    rows: list[dict[str, object]], flags: list[bool], labels: list[str | None]
) -> dict[str, object]:
    tp = sum(1 for r, f in zip(rows, flags, strict=True) if f and r["topic"])
    fp = sum(1 for r, f in zip(rows, flags, strict=True) if f and not r["topic"])
    pos = sum(1 for r in rows if r["topic"])
    neg = len(rows) - pos
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / pos if pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out: dict[str, object] = {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "fpr": round(fp / neg, 3) if neg else 0.0,
    }
    for kind in ("keyword", "paraphrase"):
        group = [f for r, f in zip(rows, flags, strict=True) if r["kind"] == kind]
        out[f"recall_{kind}"] = round(sum(group) / len(group), 3) if group else None
    for kind in ("benign", "hard-negative"):
        group = [f for r, f in zip(rows, flags, strict=True) if r["kind"] == kind]
        out[f"fp_{kind}"] = f"{sum(group)}/{len(group)}"
    hits = [(r, lab) for r, f, lab in zip(rows, flags, labels, strict=True) if f and r["topic"]]
    out["right_topic"] = (
        round(sum(1 for r, lab in hits if lab == r["topic"]) / len(hits), 3) if hits else None
    )
    return out


def run(
    check: object, rows: list[dict[str, object]]
) -> tuple[list[bool], list[str | None], list[float], list[float]]:
    flags, labels, scores, ms = [], [], [], []
    for r in rows:
        t0 = time.perf_counter()
        res = check.run(str(r["text"]))  # type: ignore[attr-defined]
        ms.append((time.perf_counter() - t0) * 1000)
        if res.error:
            sys.exit(f"{res.check}: {res.error}")
        flags.append(res.passed is False)
        labels.append(res.label)
        scores.append(res.score or 0.0)
    return flags, labels, scores, ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--split", default="test", choices=["dev", "test", "all"])
    ap.add_argument("--sweep", action="store_true", help="threshold sweep on the dev split")
    args = ap.parse_args()
    keywords = BannedTopics(builtin=TOPICS)
    semantic = SemanticTopics(builtin=TOPICS)
    semantic.run("warm up: load the model and embed the topic examples")
    result: dict[str, object] = {"split": args.split, "semantic_threshold": semantic.threshold}
    rows = load(args.split)
    k_flags, k_labels, _, k_ms = run(keywords, rows)
    s_flags, s_labels, _, s_ms = run(semantic, rows)
    both = [a or b for a, b in zip(k_flags, s_flags, strict=True)]
    both_labels = [a or b for a, b in zip(k_labels, s_labels, strict=True)]
    result["texts"] = len(rows)
    for name, flags, labels, ms in (
        ("banned-topics", k_flags, k_labels, k_ms),
        ("semantic-topics", s_flags, s_labels, s_ms),
        ("either", both, both_labels, [a + b for a, b in zip(k_ms, s_ms, strict=True)]),
    ):
        entry = score(rows, flags, labels)
        entry["latency_ms_p50"] = round(pct(ms, 0.5), 3)
        entry["latency_ms_p95"] = round(pct(ms, 0.95), 3)
        result[name] = entry
        print(f"{name:16s} " + "  ".join(f"{k}={v}" for k, v in entry.items()))
    if args.sweep:
        dev = load("dev")
        _, _, dev_scores, _ = run(semantic, dev)
        for t in [x / 100 for x in range(30, 81, 5)]:
            flags = [s >= t for s in dev_scores]
            entry = score(dev, flags, [None] * len(dev))
            print(
                f"dev threshold {t:.2f}: f1={entry['f1']} precision={entry['precision']} "
                f"recall={entry['recall']} fpr={entry['fpr']}"
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
