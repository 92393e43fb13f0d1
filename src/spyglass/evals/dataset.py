"""Datasets: the items an experiment runs over, versioned by the hash of their content.

An item has an ``input`` (a string or any JSON value the task takes), an optional ``expected``
output, optional context ``documents``, free ``metadata`` and an ``id``. Items without an id
get one from the hash of their content, so the same item keeps its id across files and runs —
which is what pairs items when two runs are compared.

Load from JSONL or CSV (``Dataset.from_file``), build in code (``Dataset.from_items``), or
take a production trace into a dataset through the server API. ``dataset.version`` is a hash
of every item: two datasets with the same version hold the same items.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spyglass.exceptions import ConfigError

__all__ = ["Dataset", "DatasetError", "Item", "version_of"]

# Short enough to read in a report, long enough that 10^6 items never collide in practice.
_ID_HEX = 16
_VERSION_HEX = 12
_ITEM_KEYS = frozenset(
    {"id", "input", "expected", "expected_output", "documents", "context", "metadata", "trace_id"}
)


class DatasetError(ConfigError):
    """A dataset file or item cannot be used; the message names the file and line."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Item:
    """One case: what the task gets (``input``) and what a metric compares against."""

    input: Any
    expected: Any = None
    documents: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""
    trace_id: str | None = None  # the production trace this item was taken from

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.content_hash()[:_ID_HEX])

    def content(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "expected": self.expected,
            "documents": list(self.documents),
            "metadata": dict(self.metadata),
        }

    def content_hash(self) -> str:
        return hashlib.sha256(_canonical(self.content()).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "input": self.input}
        if self.expected is not None:
            out["expected"] = self.expected
        if self.documents:
            out["documents"] = list(self.documents)
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        if self.trace_id:
            out["trace_id"] = self.trace_id
        return out

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "item") -> Item:
        if not isinstance(raw, Mapping):
            raise DatasetError(f"{where}: an item is an object with an 'input'")
        if "input" not in raw:
            raise DatasetError(f"{where}: an item needs an 'input'")
        unknown = set(raw) - _ITEM_KEYS
        if unknown:
            raise DatasetError(
                f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_ITEM_KEYS)}"
            )
        docs = raw.get("documents", raw.get("context")) or ()
        if isinstance(docs, str):
            docs = (docs,)
        if not isinstance(docs, Sequence) or not all(isinstance(d, str) for d in docs):
            raise DatasetError(f"{where}: 'documents' is a list of strings")
        metadata = raw.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            raise DatasetError(f"{where}: 'metadata' is an object")
        item_id = raw.get("id")
        return cls(
            input=raw["input"],
            expected=raw.get("expected", raw.get("expected_output")),
            documents=tuple(docs),
            metadata=dict(metadata),
            id="" if item_id is None else str(item_id),
            trace_id=raw.get("trace_id"),
        )


def version_of(items: Iterable[tuple[str, str]]) -> str:
    """The version of a dataset from its (item id, content hash) pairs, in the items' order.

    The server keeps each item's content hash, so it computes a stored dataset's version with
    this same function and the two always agree.
    """
    digest = hashlib.sha256()
    for item_id, content_hash in items:
        digest.update(item_id.encode())
        digest.update(b"\0")
        digest.update(content_hash.encode())
    return digest.hexdigest()[:_VERSION_HEX]


class Dataset:
    """An ordered collection of items with unique ids and a content version."""

    def __init__(self, items: Iterable[Item], name: str = "dataset") -> None:
        self.name = name
        self.items: list[Item] = list(items)
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise DatasetError(f"{name}: two items have the id {item.id!r}")
            seen.add(item.id)
        self.version = version_of((item.id, item.content_hash()) for item in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"Dataset(name={self.name!r}, items={len(self)}, version={self.version!r})"

    @classmethod
    def from_items(
        cls, items: Iterable[Item | Mapping[str, Any]], name: str = "dataset"
    ) -> Dataset:
        return cls(
            (
                i if isinstance(i, Item) else Item.from_mapping(i, f"{name}[{n}]")
                for n, i in enumerate(items)
            ),
            name,
        )

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> Dataset:
        """A JSONL (one item per line) or CSV (columns id, input, expected, ...) file."""
        path = Path(path)
        name = name or path.stem
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DatasetError(f"cannot read dataset {path}: {exc.strerror}") from exc
        if path.suffix.lower() == ".csv":
            return cls(_csv_items(text, path), name)
        return cls(_jsonl_items(text, path), name)

    def to_jsonl(self, path: str | Path) -> None:
        with Path(path).open("w", encoding="utf-8") as fh:
            for item in self.items:
                fh.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")


def _jsonl_items(text: str, path: Path) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise DatasetError(f"{path}:{number}: not JSON: {exc}") from exc
        yield Item.from_mapping(raw, f"{path}:{number}")


def _csv_items(text: str, path: Path) -> Iterator[Item]:
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or "input" not in reader.fieldnames:
        raise DatasetError(f"{path}: a CSV dataset needs an 'input' column")
    for number, row in enumerate(reader, 2):
        raw: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        raw.setdefault("input", "")
        meta = {k: raw.pop(k) for k in list(raw) if k not in _ITEM_KEYS}
        for key in ("documents", "metadata"):
            if key in raw:
                try:
                    raw[key] = json.loads(raw[key])
                except ValueError as exc:
                    raise DatasetError(f"{path}:{number}: '{key}' must be JSON") from exc
        if meta:
            raw["metadata"] = {**(raw.get("metadata") or {}), **meta}
        yield Item.from_mapping(raw, f"{path}:{number}")
