"""What the store takes and returns for evaluation: datasets, their items, experiments (runs
uploaded from the SDK) and their per-item results.

An item's JSON shape is the one of a dataset JSONL line (``spyglass.evals.Item.to_dict``), so
``pull_dataset`` reads the API's items straight into a ``Dataset``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# The limits of the columns these go to (storage/sql/schema.py): past them the database
# refuses the row (a 500), so the API refuses it first (a 400).
MAX_ID = 200
MAX_REPEAT = 2**31 - 1  # a 32-bit INTEGER on PostgreSQL


class DatasetInfo(BaseModel):
    name: str
    description: str | None = None
    item_count: int
    version: str = Field(
        description="Content hash of every item in order: equal to `Dataset(items).version` "
        "in the SDK, so the same data has the same version on either side."
    )
    created_ns: int
    updated_ns: int


class DatasetItem(BaseModel):
    id: str
    input: Any
    expected: Any = None
    documents: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    trace_id: str | None = Field(None, description="The production trace the item came from.")


class ItemsWritten(BaseModel):
    added: int
    updated: int
    item_count: int
    version: str


class ExperimentRecord(BaseModel):
    """A stored run: its identity, and its ``run.json`` as uploaded (``summary``)."""

    id: str
    name: str
    dataset_name: str
    dataset_version: str
    created_ns: int = Field(description="When the run started (from its summary).")
    summary: dict[str, Any]


class ExperimentResult(BaseModel):
    """One run of the task on one item (a line of the run's ``results.jsonl``)."""

    item_id: str = Field(max_length=MAX_ID)
    repeat: int = Field(0, ge=0, le=MAX_REPEAT)
    output: Any = None
    error: str | None = None
    latency_ms: float | None = None
    trace_id: str | None = None
    scores: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per check label: score, passed, and what else the check reported.",
    )
