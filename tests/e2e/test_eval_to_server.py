"""``spyglass eval run`` from a YAML file against a real server: each item's run is a trace
with its check scores, the run is stored as an experiment, and a regression against the
baseline exits 1 — read back through the query API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import ServerProcess, clean_env, client, make_key, poll

pytestmark = pytest.mark.e2e

ITEMS = 60
BOT = """
def good(question):
    return question.split()[-1]

def bad(question):
    n = int(question.split()[-1])
    return "?" if n % 3 == 0 else str(n)
"""


def _eval(
    root: Path, target: str, server: ServerProcess, key: str
) -> subprocess.CompletedProcess[str]:
    path = root / f"{target}.yaml"
    path.write_text(
        f"name: arithmetic\ndataset: qa.jsonl\ntarget: {{python: 'evalbot_e2e:{target}'}}\n"
        "checks: [exact-match, token-f1]\nbaseline: latest\nretries: 0\n"
    )
    env = clean_env(root / "home")
    env.update({"SPYGLASS_ENDPOINT": server.url, "SPYGLASS_API_KEY": key})
    return subprocess.run(
        [sys.executable, "-m", "spyglass.cli", "eval", "run", str(path), "--format", "json"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_eval_file_runs_against_the_server_and_a_regression_exits_1(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    key = make_key(shared_server.db_url, "eval-e2e")
    (tmp_path / "evalbot_e2e.py").write_text(BOT)
    rows = [{"id": f"q{i}", "input": f"say {i}", "expected": str(i)} for i in range(ITEMS)]
    (tmp_path / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    first = _eval(tmp_path, "good", shared_server, key)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["verdict"] == "pass"
    second = _eval(tmp_path, "bad", shared_server, key)
    assert second.returncode == 1, second.stderr
    report = json.loads(second.stdout)
    assert report["verdict"] == "regression"
    exact = next(c for c in report["comparisons"] if c["metric"] == "exact-match")
    assert exact["verdict"] == "regressed" and exact["n_pairs"] == ITEMS
    assert "stored on the server as experiment" in second.stderr

    with client(shared_server, key) as api:
        traces = poll(
            api,
            "/api/traces",
            lambda p: len(p["items"]) == 2 * ITEMS,
            limit=200,
            name="eval arithmetic",
        )["items"]
        one = traces[0]["trace_id"]
        scores = poll(api, "/api/scores", lambda p: len(p["items"]) == 2, trace_id=one)["items"]
        assert {s["name"] for s in scores} == {"exact-match", "token-f1"}
        assert {s["source"] for s in scores} == {"code"}

        runs = poll(api, "/api/experiments", lambda p: len(p["items"]) == 2)["items"]
        candidate, baseline = runs[0]["id"], runs[1]["id"]
        assert runs[0]["name"] == "arithmetic"
        compared = api.get(
            "/api/experiments/compare", params={"baseline": baseline, "candidate": candidate}
        ).json()
        verdicts = {c["metric"]: c["verdict"] for c in compared["comparisons"]}
        assert verdicts["exact-match"] == "regressed"
        detail = api.get(f"/api/experiments/{candidate}", params={"limit": 5}).json()
        assert detail["experiment"]["run_id"] == candidate and len(detail["results"]) == 5
        assert detail["results"][0]["trace_id"]
