"""Sessions and users pages against a brute-force answer: many groups, busy groups, shared
start times, time windows and every page, on both backends.

``_group_page`` finds a page's groups by walking traces newest first and aggregates only those;
this checks that it gives exactly what aggregating everything would.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import case, func, select

from spyglass.storage.models import UserSummary
from spyglass.storage.sql import groups as groups_sql
from spyglass.storage.sql.schema import traces
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


def _brute_force(
    store: SqlStore, pid: int, key: str, user: str | None, lo: int | None, hi: int | None
) -> list[tuple[Any, ...]]:
    """Every group's summary by aggregating every trace: the answer the pages must give."""
    t = traces.c
    col = t[key]
    conds = [t.project_id == pid, col.is_not(None)]
    if user is not None:
        conds.append(t.user_id == user)
    if lo is not None:
        conds.append(t.start_ns >= lo)
    if hi is not None:
        conds.append(t.start_ns < hi)
    query = (
        select(
            col,
            func.count(),
            func.min(t.start_ns),
            func.max(t.start_ns),
            func.coalesce(func.sum(t.total_tokens), 0),
            func.sum(t.cost),
            func.sum(case((t.status == "ERROR", 1), else_=0)),
            func.max(t.user_id),
        )
        .where(*conds)
        .group_by(col)
    )
    with store.engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(query)]
    got.sort(key=lambda r: (r[3], r[0]), reverse=True)
    return [(*r[:5], None if r[5] is None else round(r[5], 9), *r[6:]) for r in got]


@pytest.mark.parametrize("limit", [1, 7, 50])
@pytest.mark.parametrize(("lo", "hi"), [(None, None), (T0 + 1000 * MS, T0 + 3000 * MS)])
def test_every_field_matches_aggregating_everything(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, limit: int, lo: int | None, hi: int | None
) -> None:
    # Tokens and costs on most traces, so sums, first and last activity and users all count.
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_FIRST_PER_GROUP", 1)
    monkeypatch.setattr(groups_sql, "GROUP_SCAN_BATCH", 16)
    monkeypatch.setattr(groups_sql, "SEEKS_PER_QUERY", 3)
    pid = store.create_project("p").id
    rng = random.Random(11)
    spans = []
    for n in range(1, 221):
        attrs: dict[str, Any] = {
            "session.id": f"s{rng.choice([1, 2]) if rng.random() < 0.4 else rng.randint(3, 40)}",
            "user.id": f"u{rng.randint(1, 12)}",
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "m",
        }
        if rng.random() < 0.8:
            attrs["gen_ai.usage.input_tokens"] = rng.randint(1, 500)
            attrs["gen_ai.usage.output_tokens"] = rng.randint(1, 50)
        if rng.random() < 0.7:
            attrs["gen_ai.usage.cost"] = rng.randint(1, 1000) / 1000
        failed = rng.random() < 0.15
        start_ms = rng.randint(0, 300) * 10
        spans.append(span(n, n, "turn", start_ms, 5, attrs, error="x" if failed else None))
    store.write_spans(rows(pid, spans))

    def summary(s: Any) -> tuple[Any, ...]:
        if isinstance(s, UserSummary):
            fields = (s.user_id, s.traces, s.first_seen_ns, s.last_seen_ns, s.total_tokens)
            return (*fields, s.cost, s.error_count, s.user_id)
        fields = (s.session_id, s.turns, s.first_ns, s.last_ns, s.total_tokens)
        return (*fields, s.cost, s.error_count, s.user_id)

    def every_page(fetch: Any) -> list[tuple[Any, ...]]:
        got: list[tuple[Any, ...]] = []
        cursor = None
        while True:
            page = fetch(cursor)
            got += [summary(s) for s in page.items]
            if (cursor := page.next_cursor) is None:
                return [(*g[:5], None if g[5] is None else round(g[5], 9), *g[6:]) for g in got]

    users = every_page(lambda c: store.list_users(pid, lo, hi, limit, c))
    assert users == _brute_force(store, pid, "user_id", None, lo, hi)
    assert all(u[4] > 0 and u[5] for u in users)  # the sums are really tested
    sessions = every_page(lambda c: store.list_sessions(pid, lo, hi, None, limit, c))
    assert sessions == _brute_force(store, pid, "session_id", None, lo, hi)
    for user in ("u1", "u7"):
        mine = every_page(lambda c, u=user: store.list_sessions(pid, lo, hi, u, limit, c))
        assert mine == _brute_force(store, pid, "session_id", user, lo, hi)
