"""Sessions and users pages against a brute-force answer: many groups, busy groups, shared
start times, time windows and every page, on both backends.

``_group_page`` finds a page's groups by walking traces newest first and aggregates only those;
this checks that it gives exactly what aggregating everything would.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from spyglass.storage.sql import groups as groups_sql
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import MS, T0, rows, span


def _dataset(pid: int, n_traces: int = 260) -> tuple[list[Any], list[dict[str, Any]]]:
    rng = random.Random(5)
    spans = []
    truth = []
    for n in range(1, n_traces + 1):
        # A few busy sessions and users and many small ones; start times collide often.
        session = f"s{rng.choice([1, 2, 3]) if rng.random() < 0.5 else rng.randint(4, 60)}"
        user = f"u{rng.randint(1, 25)}"
        start_ms = rng.randint(0, 400) * 10
        failed = rng.random() < 0.1
        attrs = {"session.id": session, "user.id": user} if rng.random() < 0.95 else {}
        spans.append(span(n, n, "turn", start_ms, 5, attrs, error="x" if failed else None))
        truth.append({"start": T0 + start_ms * MS, "error": failed, **attrs})
    return rows(pid, spans), truth


def _expected(truth: list[dict[str, Any]], key: str, lo: int | None, hi: int | None) -> list[Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for t in truth:
        if key in t and (lo is None or t["start"] >= lo) and (hi is None or t["start"] < hi):
            groups.setdefault(t[key], []).append(t)
    order = sorted(groups, key=lambda k: (max(t["start"] for t in groups[k]), k), reverse=True)
    return [
        (k, len(groups[k]), max(t["start"] for t in groups[k]), sum(t["error"] for t in groups[k]))
        for k in order
    ]


@pytest.mark.parametrize("limit", [1, 7, 50])
@pytest.mark.parametrize(("lo", "hi"), [(None, None), (T0 + 1000 * MS, T0 + 3000 * MS)])
def test_pages_match_aggregating_everything(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, limit: int, lo: int | None, hi: int | None
) -> None:
    # Small walk steps, so even this dataset takes many of them.
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_FIRST_PER_GROUP", 1)
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_BATCH", 16)
    pid = store.create_project("p").id
    data, truth = _dataset(pid)
    store.write_spans(data)
    for kind, key in (("sessions", "session.id"), ("users", "user.id")):
        got: list[Any] = []
        cursor = None
        while True:
            if kind == "sessions":
                page = store.list_sessions(pid, lo, hi, None, limit, cursor)
                got += [(s.session_id, s.turns, s.last_ns, s.error_count) for s in page.items]
            else:
                page_u = store.list_users(pid, lo, hi, limit, cursor)
                got += [(u.user_id, u.traces, u.last_seen_ns, u.error_count) for u in page_u.items]
                page = page_u  # type: ignore[assignment]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert got == _expected(truth, key, lo, hi), kind


def test_a_users_sessions(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_BATCH", 16)
    pid = store.create_project("p").id
    data, truth = _dataset(pid)
    store.write_spans(data)
    mine = [t for t in truth if t.get("user.id") == "u3"]
    got = [
        (s.session_id, s.turns, s.last_ns, s.error_count)
        for s in store.list_sessions(pid, None, None, "u3", 100, None).items
    ]
    assert got == _expected(mine, "session.id", None, None)


def test_many_traces_at_one_instant(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # More traces share a start time than a walk step holds: the walk must still move on.
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_FIRST_PER_GROUP", 1)
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_BATCH", 4)
    pid = store.create_project("p").id
    spans = [span(n, n, "t", 0, 1, {"session.id": f"s{n % 13}"}) for n in range(1, 41)]
    spans.append(span(99, 99, "t", -5, 1, {"session.id": "early"}))
    store.write_spans(rows(pid, spans))
    got, cursor = [], None
    while True:
        page = store.list_sessions(pid, None, None, None, 3, cursor)
        got += [s.session_id for s in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert got == [*sorted((f"s{k}" for k in range(13)), reverse=True), "early"]
