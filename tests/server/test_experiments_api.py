"""/api/experiments: upload runs made by ``evaluate()``, list, page, compare; per project."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from spyglass.evals import Dataset, evaluate
from spyglass.evals.compare import compare_tables
from spyglass.evals.results import RUN_FILE, iter_results, load_run
from spyglass.evals.summary import RunSummary
from tests.server.harness import Api, bearer

pytestmark = pytest.mark.anyio

ITEMS = 40


@dataclass
class Run:
    id: str
    dir: Path
    summary: dict[str, Any]
    results: list[dict[str, Any]]


def _run(tmp: Path, task: Any) -> Run:
    data = Dataset.from_items(
        [{"id": f"q{i:02d}", "input": f"say {i}", "expected": str(i)} for i in range(ITEMS)],
        name="numbers",
    )
    exp = evaluate(
        task,
        data,
        checks=["exact-match", "token-f1"],
        name="arith",
        evals_dir=tmp,
        progress=False,
        retries=0,
    )
    summary = json.loads((exp.dir / RUN_FILE).read_text())
    return Run(exp.id, exp.dir, summary, list(iter_results(exp.dir)))


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Run, Run]:
    good = _run(tmp_path / "evals", lambda q: q.split()[-1])
    bad = _run(tmp_path / "evals", lambda q: "?" if int(q.split()[-1]) % 2 else q.split()[-1])
    return good, bad


async def _post(api: Api, path: str, body: Any, key: str | None = None) -> httpx.Response:
    return await api.client.post(path, json=body, headers=bearer(key or api.key))


async def _upload(api: Api, run: Run, key: str | None = None) -> None:
    made = await _post(api, "/api/experiments", {"summary": run.summary}, key)
    assert made.status_code in (200, 201), made.text
    for start in range(0, len(run.results), 15):
        batch = run.results[start : start + 15]
        resp = await _post(api, f"/api/experiments/{run.id}/results", {"results": batch}, key)
        assert resp.status_code == 200 and resp.json() == {"stored": len(batch)}, resp.text


async def test_upload_list_page_and_compare(api: Api, runs: tuple[Run, Run]) -> None:
    good, bad = runs
    first = await _post(api, "/api/experiments", {"summary": good.summary})
    assert first.status_code == 201
    await _upload(api, good)  # again: replaces, 200
    await _upload(api, bad)

    listed = (await api.get_json("/api/experiments"))["items"]
    assert [e["id"] for e in listed] == [bad.id, good.id]
    exact = next(c for c in listed[1]["checks"] if c["label"] == "exact-match")
    assert exact["mean"] == 1.0 and exact["n"] == ITEMS and exact["ci_low"] < 1.0
    assert listed[0]["dataset"] == "numbers" and listed[0]["name"] == "arith"
    assert (await api.get_json("/api/experiments", name="nope"))["items"] == []

    detail = await api.get_json(f"/api/experiments/{good.id}", limit=30)
    assert detail["experiment"] == good.summary and len(detail["results"]) == 30
    rest = await api.get_json(f"/api/experiments/{good.id}", cursor=detail["next_cursor"])
    assert rest["next_cursor"] is None
    got = detail["results"] + rest["results"]
    assert sorted(r["item_id"] for r in got) == sorted(r["item_id"] for r in good.results)
    assert got[0]["scores"]["exact-match"]["score"] == 1.0 and got[0]["output"] == "0"

    compared = await api.get_json("/api/experiments/compare", baseline=good.id, candidate=bad.id)
    assert (compared["baseline"], compared["candidate"]) == (good.id, bad.id)
    # The same verdicts as comparing the runs' files with the SDK.
    raw_a, table_a = load_run(good.dir, good.dir.parent)
    raw_b, table_b = load_run(bad.dir, bad.dir.parent)
    local = compare_tables(
        RunSummary.from_dict(raw_a), RunSummary.from_dict(raw_b), table_a, table_b
    )
    assert [(c["metric"], c["verdict"], c["p_adjusted"]) for c in compared["comparisons"]] == [
        (c.metric, c.verdict, c.p_adjusted) for c in local
    ]
    assert {c["metric"]: c["verdict"] for c in compared["comparisons"]}["exact-match"] == (
        "regressed"
    )


async def test_reupload_replaces_results(api: Api, runs: tuple[Run, Run]) -> None:
    good, _ = runs
    await _upload(api, good)
    await _upload(api, good)
    await _post(api, f"/api/experiments/{good.id}/results", {"results": good.results[:5]})
    detail = await api.get_json(f"/api/experiments/{good.id}", limit=500)
    assert len(detail["results"]) == ITEMS


async def test_projects_do_not_see_each_others_experiments(api: Api, runs: tuple[Run, Run]) -> None:
    good, bad = runs
    await _upload(api, good)
    await _upload(api, bad)
    beta = await api.get("/api/experiments", key=api.beta_key)
    assert beta.json()["items"] == []
    for path in (f"/api/experiments/{good.id}", "/api/experiments/compare"):
        resp = await api.get(path, key=api.beta_key, baseline=good.id, candidate=bad.id)
        assert resp.status_code == 404, resp.text
    into = await _post(
        api, f"/api/experiments/{good.id}/results", {"results": []}, key=api.beta_key
    )
    assert into.status_code == 404 and "no experiment" in into.json()["error"]["message"]


_BASE = {"name": "n", "dataset": {}, "repeats": 1, "items": 1, "runs": 1, "task_errors": 0}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "summary"),
        ({"summary": {"run_id": "x"}}, "not a run summary"),
        ({"summary": {**_BASE, "run_id": "a/b"}}, "'/'"),
        ({"summary": {**_BASE, "run_id": "r", "checks": [{"label": 1}]}}, "not a run summary"),
    ],
)
async def test_bad_summaries_are_400(api: Api, body: dict[str, Any], needle: str) -> None:
    resp = await _post(api, "/api/experiments", body)
    assert resp.status_code == 400, resp.text
    assert needle in resp.json()["error"]["message"]


async def test_bad_results_and_comparisons_are_4xx(api: Api, runs: tuple[Run, Run]) -> None:
    good, _ = runs
    await _upload(api, good)
    bad_row = await _post(api, f"/api/experiments/{good.id}/results", {"results": [{"repeat": 0}]})
    assert bad_row.status_code == 400 and "item_id" in bad_row.json()["error"]["message"]
    missing = await api.get("/api/experiments/compare", baseline=good.id, candidate="nope")
    assert missing.status_code == 404 and "'nope'" in missing.json()["error"]["message"]
    no_args = await api.get("/api/experiments/compare")
    assert no_args.status_code == 400 and "baseline" in no_args.json()["error"]["message"]
