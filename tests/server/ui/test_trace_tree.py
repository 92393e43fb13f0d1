"""The trace page's tree, built from the store's lean rows, is the one the span models gave.

``compact_spans`` once read ``Store.get_trace``'s ``SpanNode`` objects; it now reads
``Store.get_trace_outline``'s plain tuples and the JSON is written by orjson. The reference
below is the old code, kept to show the browser gets the same tree.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from spyglass.server.ui.trace import compact_spans
from spyglass.storage.filters import TraceFilter
from spyglass.storage.models import TraceDetail
from tests.server.otlp import MS, T0, SpanSpec, sid, tid, to_protobuf
from tests.server.ui.conftest import UiApp, _ingest
from tests.server.ui.test_pages import tree_of

pytestmark = pytest.mark.anyio

ODD = 77


def reference_compact(detail: TraceDetail) -> list[list[Any]]:
    """The tree as compact_spans built it from ``get_trace`` before the lean path."""
    origin = detail.trace.start_ns
    index: dict[str, int] = {}
    out: list[list[Any]] = []
    for i, node in enumerate(detail.spans):
        index[node.span_id] = i
        parent = node.parent_span_id
        out.append(
            [
                node.span_id,
                index.get(parent, -1) if parent else -1,
                node.depth,
                node.name,
                node.kind,
                (node.start_ns - origin) // 1000,
                (node.end_ns - node.start_ns) // 1000,
                1 if node.status == "ERROR" else 0,
                node.model,
                node.total_tokens,
                node.cost,
            ]
        )
    return out


def reference_script_json(value: Any) -> str:
    """The old stdlib encoding of the page's tree."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def odd_trace() -> list[SpanSpec]:
    """Ties in start time, an orphan whose parent never arrived, markup and non-ASCII names,
    an error, an LLM span with tokens (so a cost) and sub-microsecond timings."""
    t, n = tid(ODD), ODD

    def llm(i: int, parent: str, start: int) -> SpanSpec:
        return SpanSpec(
            t,
            sid(n, i),
            "ChatCompletion",
            start,
            start + 1234567,
            sid(n, parent) if parent else None,
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "llm.token_count.prompt": 321,
                "llm.token_count.completion": 17,
            },
        )

    root = sid(n, 1)
    return [
        SpanSpec(t, root, "agent </script><b>&amp;", T0, T0 + 900 * MS, None, {}),
        SpanSpec(t, sid(n, 3), "same start b", T0 + MS, T0 + 5 * MS, root),
        SpanSpec(t, sid(n, 2), "same start a ✓ 日本", T0 + MS, T0 + 7 * MS, root),
        SpanSpec(t, sid(n, 4), "tool", T0 + 8 * MS, T0 + 9 * MS + 999, sid(n, 2), {}, 2, "boom"),
        llm(5, 2, T0 + 10 * MS + 1),
        llm(6, 0, T0 + 20 * MS),
        SpanSpec(t, sid(n, 7), "orphan", T0 + 30 * MS, T0 + 31 * MS, "00000000deadbeef"),
        SpanSpec(t, sid(n, 8), "under orphan", T0 + 30 * MS + 500, T0 + 31 * MS, sid(n, 7)),
    ]


async def test_the_lean_tree_equals_the_one_built_from_span_models(ui: UiApp) -> None:
    await _ingest(ui.client, ui.alpha_key, to_protobuf(odd_trace()))
    await ui.login()
    store = ui.store
    ids = [t.trace_id for t in store.list_traces(ui.alpha, TraceFilter(), 500, None).items]
    assert tid(ODD) in ids and len(ids) > 10
    for trace_id in ids:
        detail = store.get_trace(ui.alpha, trace_id)
        outline = store.get_trace_outline(ui.alpha, trace_id)
        assert detail is not None and outline is not None
        assert outline.trace == detail.trace and outline.scores == detail.scores
        old = reference_compact(detail)
        assert compact_spans(outline) == old
        page = await ui.client.get(ui.url(f"/traces/{trace_id}"))
        tree = tree_of(page.text)
        total = max((detail.trace.end_ns - detail.trace.start_ns) // 1000, 1)
        before = {
            "spans": old,
            "total_us": total,
            "detail_url": ui.url(f"/traces/{trace_id}/spans/"),
        }
        # Same data to the browser; orjson only spells some floats differently (1.5e-5).
        assert tree == json.loads(reference_script_json(before))
    outline = store.get_trace_outline(ui.alpha, tid(ODD))
    assert outline is not None
    odd = compact_spans(outline)
    names = [row[3] for row in odd]
    assert names[:3] == ["agent </script><b>&amp;", "same start a ✓ 日本", "tool"]
    assert any(row[10] for row in odd), "the LLM spans are priced"
    assert store.get_trace_outline(ui.alpha, tid(999_999)) is None
