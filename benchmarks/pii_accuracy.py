"""Span-level precision, recall and F1 of the ``pii`` check on a labelled JSONL set.

Each line is ``{"text": ..., "spans": [{"start", "end", "entity"}]}``. A predicted span is a
true positive when its entity equals a gold span's and the two overlap by at least half of
their union (character IoU >= 0.5); each gold span matches at most one prediction (greedy,
best IoU first). Unmatched predictions are false positives, unmatched gold spans false
negatives. Prints a table per entity and overall, the first misses (FN) and false positives
(FP) to read, then one JSON line.

Two data sets: ``data/pii_spans.jsonl`` (the default) and ``data/pii_faker.jsonl``, made from
Faker values; rows of the latter carry a ``split``, and ``--split holdout`` scores only the
held-back templates (tune the check on ``--split tune``, read ``holdout`` at the end).

    python benchmarks/pii_accuracy.py [--data benchmarks/data/pii_faker.jsonl]
        [--split all|tune|holdout] [--errors 30]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from spyglass.checks.pii import PII

DATA = Path(__file__).parent / "data" / "pii_spans.jsonl"
#: A prediction must cover at least this share of the union with its gold span.
MIN_IOU = 0.5


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return max(0, inter) / union if union else 0.0


def match(
    gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]]
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """(true positives, false positives, false negatives) for one text."""
    pairs = sorted(
        (
            (iou(g[:2], p[:2]), gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(pred)
            if g[2] == p[2]
        ),
        reverse=True,
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    for score, gi, pi in pairs:
        if score >= MIN_IOU and gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
    tp = [pred[i] for i in sorted(used_p)]
    fp = [p for i, p in enumerate(pred) if i not in used_p]
    fn = [g for i, g in enumerate(gold) if i not in used_g]
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument(
        "--split",
        choices=("all", "tune", "holdout"),
        default="all",
        help="only the rows of this split (rows without one count as tune)",
    )
    ap.add_argument("--errors", type=int, default=30, help="print up to N errors of each kind")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    if args.split != "all":
        rows = [row for row in rows if row.get("split", "tune") == args.split]
    check = PII()
    counts: dict[str, Counter[str]] = {}
    errors: list[str] = []
    started = time.perf_counter()
    for row in rows:
        text = row["text"]
        gold = [(s["start"], s["end"], s["entity"]) for s in row["spans"]]
        pred = [(f.start, f.end, f.entity) for f in check.find(text)]
        tp, fp, fn = match(gold, pred)
        for kind, spans in (("tp", tp), ("fp", fp), ("fn", fn)):
            for s in spans:
                counts.setdefault(s[2], Counter())[kind] += 1
                if kind != "tp":
                    errors.append(f"{kind.upper()} {s[2]:<14} {text[s[0] : s[1]]!r} in {text!r}")
    elapsed = time.perf_counter() - started
    total: Counter[str] = sum(counts.values(), Counter())
    print(f"{'entity':<15}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}")
    per_entity: dict[str, Any] = {}
    for entity, c in sorted(counts.items()):
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        per_entity[entity] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
        print(
            f"{entity:<15}{c['tp'] + c['fn']:>6}{c['tp'] + c['fp']:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}"
        )
    p, r, f = prf(total["tp"], total["fp"], total["fn"])
    print(f"{'overall':<15}{total['tp'] + total['fn']:>6}{total['tp'] + total['fp']:>6}"
          f"{p:>8.3f}{r:>8.3f}{f:>8.3f}")  # fmt: skip
    for kind in ("FN", "FP"):
        lines = [e for e in errors if e.startswith(kind)]
        if lines and args.errors:
            print(f"-- {kind}: first {min(len(lines), args.errors)} of {len(lines)}")
            for line in lines[: args.errors]:
                print(line)
    out = {
        "data": args.data.name,
        "split": args.split,
        "rows": len(rows),
        "match": f"same entity and character IoU >= {MIN_IOU}",
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": total["tp"],
        "fp": total["fp"],
        "fn": total["fn"],
        "ms_per_row": round(elapsed / max(1, len(rows)) * 1e3, 4),
        "per_entity": per_entity,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
