"""Datasets and experiments in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from spyglass.evals.dataset import Dataset, Item
from spyglass.storage.eval_models import ExperimentRecord, ExperimentResult
from spyglass.storage.sql.store import SqlStore


def _items(n: int, start: int = 0) -> list[Item]:
    return [
        Item(input=f"q{i}", expected=str(i), metadata={"n": i}, id=f"i{i:03d}")
        for i in range(start, start + n)
    ]


def test_items_keep_their_order_and_the_version_is_the_sdks(store: SqlStore) -> None:
    pid = store.create_project("alpha").id
    info, created = store.create_dataset(pid, "qa", "questions")
    assert created and info.item_count == 0 and info.description == "questions"
    assert store.create_dataset(pid, "qa")[1] is False
    # Added out of id order, in two batches: the stored order is the order of arrival.
    items = [
        Item(input={"q": "z"}, documents=("doc",), trace_id="ab" * 16),
        *_items(3),
        Item(input="a"),
    ]
    first = store.put_dataset_items(pid, "qa", items[:2])
    second = store.put_dataset_items(pid, "qa", items[2:])
    assert (first.added, second.added, second.updated) == (2, 3, 0)
    assert second.version == Dataset(items).version and second.item_count == 5

    page = store.list_dataset_items(pid, "qa", 2, None)
    assert page is not None
    got = list(page.items)
    while page.next_cursor:
        page = store.list_dataset_items(pid, "qa", 2, page.next_cursor)
        assert page is not None
        got += page.items
    back = Dataset(Item.from_mapping(i.model_dump(exclude_none=True)) for i in got)
    assert [i.id for i in back] == [i.id for i in items]
    assert back.version == second.version
    assert got[0].input == {"q": "z"} and got[0].documents == ["doc"]
    assert got[0].trace_id == "ab" * 16 and got[1].metadata == {"n": 0}


def test_replacing_an_item_keeps_its_place_and_deleting_changes_the_version(
    store: SqlStore,
) -> None:
    pid = store.create_project("alpha").id
    store.put_dataset_items(pid, "qa", _items(3))
    changed = Item(input="q1", expected="one", id="i001")
    out = store.put_dataset_items(pid, "qa", [changed, *_items(1, start=3)])
    assert (out.added, out.updated, out.item_count) == (1, 1, 4)
    expected = [*_items(1), changed, *_items(1, start=2), *_items(1, start=3)]
    assert out.version == Dataset(expected).version
    assert store.delete_dataset_item(pid, "qa", "i001") is True
    assert store.delete_dataset_item(pid, "qa", "i001") is False
    info = store.get_dataset(pid, "qa")
    assert info is not None and info.item_count == 3
    assert info.version == Dataset([e for e in expected if e.id != "i001"]).version


def test_datasets_are_per_project(store: SqlStore) -> None:
    alpha = store.create_project("alpha").id
    beta = store.create_project("beta").id
    store.put_dataset_items(alpha, "qa", _items(2))
    store.put_dataset_items(beta, "qa", _items(1))
    assert [d.item_count for d in store.list_datasets(alpha)] == [2]
    assert [d.item_count for d in store.list_datasets(beta)] == [1]
    assert store.list_dataset_items(beta, "nope", 10, None) is None
    assert store.delete_dataset_item(beta, "qa", "i001") is False


def _record(run_id: str, created_ns: int, name: str = "arith") -> ExperimentRecord:
    summary = {"run_id": run_id, "name": name, "dataset": {"name": "qa", "version": "v1"}}
    return ExperimentRecord(
        id=run_id,
        name=name,
        dataset_name="qa",
        dataset_version="v1",
        created_ns=created_ns,
        summary=summary,
    )


def _results(n: int, score: float) -> list[ExperimentResult]:
    return [
        ExperimentResult(
            item_id=f"i{i:03d}",
            repeat=r,
            output=f"out{i}",
            trace_id="cd" * 16,
            scores={"exact": {"score": score, "passed": score >= 0.5}},
        )
        for i in range(n)
        for r in range(2)
    ]


def test_experiments_store_page_and_reupload_idempotently(store: SqlStore) -> None:
    pid = store.create_project("alpha").id
    other = store.create_project("beta").id
    assert store.put_experiment(pid, _record("run-a", 1_000)) is True
    assert store.put_experiment(pid, _record("run-b", 2_000, name="other")) is True
    assert store.put_experiment_results(pid, "run-a", _results(5, 1.0)) == 10
    # A retried batch and a re-upload store each row once.
    store.put_experiment_results(pid, "run-a", _results(5, 0.0))
    page = store.list_experiment_results(pid, "run-a", 3, None)
    got = list(page.items)
    while page.next_cursor:
        page = store.list_experiment_results(pid, "run-a", 3, page.next_cursor)
        got += page.items
    assert [(r.item_id, r.repeat) for r in got] == [
        (f"i{i:03d}", r) for i in range(5) for r in (0, 1)
    ]
    assert got[0].scores == {"exact": {"score": 0.0, "passed": False}} and got[0].output == "out0"
    scores = list(store.experiment_scores(pid, "run-a"))
    assert len(scores) == 10
    assert [r.item_id for r in store.experiment_results_of_items(pid, "run-a", ["i002"])] == [
        "i002",
        "i002",
    ]

    assert store.put_experiment(pid, _record("run-a", 1_000)) is False
    assert list(store.experiment_scores(pid, "run-a")) == []

    runs = store.list_experiments(pid, None, 1, None)
    assert [r.id for r in runs.items] == ["run-b"]
    more = store.list_experiments(pid, None, 1, runs.next_cursor)
    assert [r.id for r in more.items] == ["run-a"] and more.next_cursor is None
    assert [r.id for r in store.list_experiments(pid, "arith", 10, None).items] == ["run-a"]
    record = store.get_experiment(pid, "run-a")
    assert record is not None and record.summary["dataset"] == {"name": "qa", "version": "v1"}
    assert store.get_experiment(other, "run-a") is None
    assert store.list_experiments(other, None, 10, None).items == []
