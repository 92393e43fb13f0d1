"""Datasets: items from JSONL, CSV and code; content ids and versions; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from spyglass.evals import Dataset, DatasetError, Item


def test_items_get_stable_content_ids_and_the_dataset_a_version() -> None:
    a = Dataset.from_items([{"input": "2+2?", "expected": "4"}, {"input": "capital of France?"}])
    b = Dataset.from_items([{"input": "2+2?", "expected": "4"}, {"input": "capital of France?"}])
    assert [i.id for i in a] == [i.id for i in b] and len(a.items[0].id) == 16
    assert a.version == b.version
    changed = Dataset.from_items([{"input": "2+2?", "expected": "5"}, {"input": "capital?"}])
    assert changed.version != a.version
    assert Item(input="x", id="given").id == "given"


def test_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text(
        '{"id": "q1", "input": {"question": "hi"}, "expected": "hello", '
        '"documents": ["doc a"], "metadata": {"lang": "en"}}\n\n'
        '{"input": "bye", "expected_output": "ciao", "context": "one doc"}\n'
    )
    data = Dataset.from_file(path)
    assert data.name == "qa" and len(data) == 2
    first, second = data
    assert (first.id, first.input, first.documents) == ("q1", {"question": "hi"}, ("doc a",))
    assert (second.expected, second.documents) == ("ciao", ("one doc",))
    out = tmp_path / "out.jsonl"
    data.to_jsonl(out)
    assert Dataset.from_file(out).version == data.version


def test_csv_columns_become_fields_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv"
    path.write_text('id,input,expected,lang\nq1,hi,hello,en\nq2,"a, b",c,fr\n')
    data = Dataset.from_file(path)
    assert [(i.id, i.input, i.expected, dict(i.metadata)) for i in data] == [
        ("q1", "hi", "hello", {"lang": "en"}),
        ("q2", "a, b", "c", {"lang": "fr"}),
    ]


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ('{"input": "a"}\nnot json\n', ".jsonl", r"d.jsonl:2: not JSON"),
        ('{"expected": "a"}\n', ".jsonl", r"d.jsonl:1: an item needs an 'input'"),
        ('{"input": "a", "exepcted": "b"}\n', ".jsonl", r"unknown keys \['exepcted'\]"),
        ('{"input": "a", "documents": [1]}\n', ".jsonl", "'documents' is a list of strings"),
        ('{"id": 1, "input": "a"}\n{"id": 1, "input": "b"}\n', ".jsonl", "two items have the id"),
        ("question,answer\nhi,hello\n", ".csv", "needs an 'input' column"),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, content: str, suffix: str, message: str) -> None:
    path = tmp_path / f"d{suffix}"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        Dataset.from_file(path)


def test_missing_file() -> None:
    with pytest.raises(DatasetError, match="cannot read dataset"):
        Dataset.from_file("/nonexistent/data.jsonl")
