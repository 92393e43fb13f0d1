"""Datasets and experiments pages, and "Add to dataset" on a trace (in-process app)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spyglass.evals import Dataset, evaluate
from spyglass.evals.results import RUN_FILE, iter_results
from tests.server.harness import bearer
from tests.server.otlp import tid
from tests.server.ui.conftest import UiApp

pytestmark = pytest.mark.anyio

ITEMS = 30


def _run(root: Path, task: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = Dataset.from_items(
        [{"id": f"q{i:02d}", "input": f"say {i}", "expected": str(i)} for i in range(ITEMS)],
        name="numbers",
    )
    exp = evaluate(task, data, checks=["exact-match"], name="arith", evals_dir=root, progress=False)
    summary = json.loads((exp.dir / RUN_FILE).read_text())
    rows = list(iter_results(exp.dir))
    for row in rows:  # as if traced: each result links to a trace
        row["trace_id"] = tid(1)
    return summary, rows


@pytest.fixture
def two_runs(tmp_path: Path) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    return [
        _run(tmp_path / "evals", lambda q: q.split()[-1]),
        _run(tmp_path / "evals", lambda q: "?" if int(q.split()[-1]) % 2 else q.split()[-1]),
    ]


async def _upload(ui: UiApp, summary: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    headers = bearer(ui.alpha_key)
    resp = await ui.client.post("/api/experiments", json={"summary": summary}, headers=headers)
    assert resp.status_code == 201, resp.text
    resp = await ui.client.post(
        f"/api/experiments/{summary['run_id']}/results", json={"results": rows}, headers=headers
    )
    assert resp.status_code == 200, resp.text


async def test_datasets_list_and_items_with_a_link_to_their_trace(ui: UiApp) -> None:
    items = [
        {"id": "a1", "input": "Refunds?", "expected": {"days": 5}, "trace_id": tid(1)},
        {"id": "a2", "input": [{"role": "user", "content": "Hello there"}], "metadata": {"k": 1}},
    ]
    resp = await ui.client.post(
        "/api/datasets/support/items", json={"items": items}, headers=bearer(ui.alpha_key)
    )
    assert resp.status_code == 200
    await ui.login()
    listing = await ui.client.get(ui.url("/datasets"))
    assert listing.status_code == 200 and "/datasets/support" in listing.text
    assert 'aria-current="page">Datasets' in listing.text
    page = await ui.client.get(ui.url("/datasets/support"))
    assert page.status_code == 200
    assert "Refunds?" in page.text and f"/traces/{tid(1)}" in page.text
    assert 'class="msg user"' in page.text and "Hello there" in page.text  # rendered as chat
    assert "days" in page.text and "k=1" in page.text
    assert (await ui.client.get(ui.url("/datasets/nope"))).status_code == 404
    # Another project's pages are 404 for a member of alpha.
    assert (await ui.client.get(ui.url("/datasets", ui.beta))).status_code == 404


async def test_add_a_trace_to_a_dataset_from_the_trace_page(ui: UiApp) -> None:
    csrf = await ui.login()
    trace = await ui.client.get(ui.url(f"/traces/{tid(1)}"))
    assert "Add to dataset" in trace.text and f"/traces/{tid(1)}/dataset" in trace.text
    url = ui.url(f"/traces/{tid(1)}/dataset")
    refused = await ui.client.post(url, data={"dataset": "from-prod"})
    assert refused.status_code == 403
    made = await ui.client.post(url, data={"csrf": csrf, "dataset": "from-prod"})
    assert made.status_code == 303 and "/datasets/from-prod?added=" in made.headers["location"]
    page = await ui.client.get(made.headers["location"])
    assert f"/traces/{tid(1)}" in page.text and "refund policy" in page.text
    own = await ui.client.post(
        url, data={"csrf": csrf, "dataset": "from-prod", "expected": '{"answer": 5}'}
    )
    assert own.status_code == 303
    stored = (await ui.client.get("/api/datasets/from-prod", headers=bearer(ui.alpha_key))).json()
    assert [i["expected"] for i in stored["items"]][1] == {"answer": 5}
    assert all(i["trace_id"] == tid(1) for i in stored["items"])
    # The dataset is offered on the next trace page.
    again = await ui.client.get(ui.url(f"/traces/{tid(1)}"))
    assert '<option value="from-prod">' in again.text
    foreign = ui.url(f"/traces/{ui.beta_trace}/dataset")
    assert (await ui.client.post(foreign, data={"csrf": csrf, "dataset": "x"})).status_code == 404
    bad = await ui.client.post(url, data={"csrf": csrf, "dataset": "a/b"})
    assert bad.status_code == 400 and "dataset name" in bad.text


async def test_experiments_list_run_page_and_comparison(
    ui: UiApp, two_runs: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    (good, good_rows), (bad, bad_rows) = two_runs
    await _upload(ui, good, good_rows)
    await _upload(ui, bad, bad_rows)
    await ui.login()
    listing = await ui.client.get(ui.url("/experiments"))
    assert listing.status_code == 200
    assert good["run_id"] in listing.text and bad["run_id"] in listing.text
    exact = next(c for c in good["checks"] if c["label"] == "exact-match")
    assert f"[{exact['ci_low']:.3f}, {exact['ci_high']:.3f}] n={ITEMS}" in listing.text

    run = await ui.client.get(ui.url(f"/experiments/{bad['run_id']}"))
    assert run.status_code == 200
    assert "Aggregates" in run.text and f"/traces/{tid(1)}" in run.text
    assert 'class="chip fail"' in run.text  # the failed exact matches

    compared = await ui.client.get(
        ui.url("/experiments/compare"),
        params={"baseline": good["run_id"], "candidate": bad["run_id"]},
    )
    assert compared.status_code == 200
    assert 'class="verdict regressed"' in compared.text
    assert f"Items whose scores changed ({ITEMS // 2})" in compared.text
    assert compared.text.count('<article class="diff">') == ITEMS // 2
    # Without a choice the page offers the two newest runs.
    picker = await ui.client.get(ui.url("/experiments/compare"))
    assert f'<option value="{bad["run_id"]}" selected>' in picker.text
    missing = await ui.client.get(
        ui.url("/experiments/compare"), params={"baseline": "nope", "candidate": bad["run_id"]}
    )
    assert missing.status_code == 200 and "no experiment" in missing.text
    assert (await ui.client.get(ui.url("/experiments/nope"))).status_code == 404
    assert (await ui.client.get(ui.url("/experiments", ui.beta))).status_code == 404
