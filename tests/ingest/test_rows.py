"""Storage rows of decoded spans: whatever the attributes, a span gets its row."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.server.ingest.otlp_decode import DecodedSpan
from spyglass.server.ingest.rows import build_rows
from spyglass.storage.sql.schema import SPAN_COLUMNS
from tests.semconv.test_mapping import _FLAT_KEYS, _KEYS, _events, _values

_attrs = st.dictionaries(
    st.sampled_from(_KEYS) | st.text(max_size=20) | _FLAT_KEYS, _values, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(
    _attrs,
    st.dictionaries(
        st.sampled_from(["service.name", "service.version", "deployment.environment.name"]),
        _values,
        max_size=3,
    ),
    _events,
    st.integers(0, 2**63 - 1),
    st.integers(0, 2**63 - 1),
    st.sampled_from(["UNSET", "OK", "ERROR"]),
)
def test_any_attributes_make_a_row(
    attrs: dict[str, Any],
    resource: dict[str, Any],
    events: list[tuple[str, int, dict[str, Any]]],
    start: int,
    end: int,
    status: str,
) -> None:
    # An unknown or malformed attribute never costs the span: no exception, a full row.
    ids = ("a" * 32, "b" * 16, None)
    span = DecodedSpan(*ids, "s", 1, start, end, status, None, attrs, events, [], resource, None)
    (row,) = build_rows(1, [span])
    assert len(row) == len(SPAN_COLUMNS)
    values = dict(zip(SPAN_COLUMNS, row, strict=True))
    assert values["duration_ns"] >= 0
    for column in ("input", "output", "attributes", "resource", "events", "notes"):
        assert values[column] is None or isinstance(values[column], str)
