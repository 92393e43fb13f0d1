"""Dataset items as the server takes them: from a request body (the JSONL item format) or from
a production trace. The JSON API and the web UI both come through here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from spyglass.evals.dataset import DatasetError, Item
from spyglass.exceptions import BadRequest, NotFound
from spyglass.server.blocking import run_blocking
from spyglass.storage.base import Store

# The columns are String(200); a name also has to fit in a URL path segment.
MAX_NAME = 200
MAX_ITEM_ID = 200
_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]+$")


def dataset_name(raw: str) -> str:
    """A dataset name as stored: trimmed, 1 to 200 characters, no slash or control character."""
    name = raw.strip()
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        raise BadRequest(
            f"a dataset name is 1 to {MAX_NAME} characters without '/', '\\' or control characters"
        )
    return name


def items_of(raw_items: Sequence[Any]) -> list[Item]:
    """Items in the dataset file format (``input`` required, ``id`` optional: a content hash).

    ``BadRequest`` names the first bad item by its index."""
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items):
        try:
            item = Item.from_mapping(raw, f"items[{n}]")
        except DatasetError as exc:
            raise BadRequest(str(exc)) from exc
        if len(item.id) > MAX_ITEM_ID:
            raise BadRequest(f"items[{n}]: an id has at most {MAX_ITEM_ID} characters")
        if item.trace_id is not None and not isinstance(item.trace_id, str):
            raise BadRequest(f"items[{n}]: 'trace_id' is a string")
        if item.id in seen:
            raise BadRequest(f"items[{n}]: two items have the id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


_NO_EXPECTED = object()


async def item_from_trace(
    store: Store, project_id: int, trace_id: str, expected: Any = _NO_EXPECTED
) -> Item:
    """An item from a trace of the project: its root span's input, and as expected output the
    one given or else the root span's output; linked back to the trace."""
    summary = await run_blocking(store.get_trace_summary, project_id, trace_id)
    if summary is None:
        raise NotFound("there is no such trace in this project")
    root = None
    if summary.root_span_id:
        root = await run_blocking(store.get_span, project_id, trace_id, summary.root_span_id)
    if root is None:
        raise BadRequest("the trace has no root span (yet): nothing to take its input from")
    if root.input is None or root.input == "":
        raise BadRequest("the trace's root span recorded no input")
    return Item(
        input=root.input,
        expected=root.output if expected is _NO_EXPECTED else expected,
        metadata={"source": "trace"},
        trace_id=trace_id,
    )


def expected_from(fields: Mapping[str, Any]) -> Any:
    """The ``expected`` of a request, or the marker that none was given."""
    return fields.get("expected", _NO_EXPECTED)
