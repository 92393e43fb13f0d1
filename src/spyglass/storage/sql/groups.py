"""Sessions and users: traces grouped by session id or user id, most recently active first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from spyglass.storage.models import Page, SessionSummary, UserSummary
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.schema import traces

# Traces read per step while looking for the most recently active sessions or users: the
# first step reads a few per wanted group (enough when groups are small), later steps double
# up to the cap (when a few busy groups hold most traces).
GROUP_SCAN_FIRST_PER_GROUP = 4
GROUP_SCAN_BATCH = 4_096
# Groups looked up per statement by ``_edge_times``: one scalar subquery (an index seek) each,
# well under SQLite's 2,000 result columns and PostgreSQL's 1,664.
SEEKS_PER_QUERY = 200


@dataclass(frozen=True, slots=True)
class _Group:
    key: str
    n: int
    first_ns: int
    last_ns: int
    tokens: int
    cost: float | None
    errors: int
    user_id: str | None


def _edge_times(
    conn: Connection, key: Any, conds: list[Any], keys: Sequence[str], *, latest: bool
) -> dict[str, int]:
    """Each group's first (or last) start time: one index seek per group, not a scan of it.

    ``ORDER BY start_ns LIMIT 1`` rather than ``min()`` so both backends stop at the first
    index entry that passes ``conds`` (the group's index is ordered by start time).
    """
    t = traces.c
    order = t.start_ns.desc() if latest else t.start_ns.asc()
    out: dict[str, int] = {}
    for k0 in range(0, len(keys), SEEKS_PER_QUERY):
        chunk = keys[k0 : k0 + SEEKS_PER_QUERY]
        seeks = [
            select(t.start_ns).where(*conds, key == k).order_by(order).limit(1).scalar_subquery()
            for k in chunk
        ]
        row = conn.execute(select(*seeks)).one()
        out.update((k, v) for k, v in zip(chunk, row, strict=True) if v is not None)
    return out


def _group_page(
    engine: Engine,
    key: Any,
    project_id: int,
    start_ns: int | None,
    end_ns: int | None,
    extra: list[Any],
    limit: int,
    cursor: str | None,
    with_user: bool,
) -> tuple[list[_Group], str | None]:
    """A page of groups (sessions or users), most recently active first.

    Aggregating every group of a big project to keep fifty cost a second at a million spans.
    So the groups of a page are found first, by walking traces newest first along the
    (project, start) index until enough new keys turned up, and only the page's groups are
    summed, along their own covering index. A key's first appearance in that walk is its last
    activity, unless the walk began at a cursor: then keys met may also have been active after
    it (they were on an earlier page), which one index seek per key tells.
    """
    t = traces.c
    conds: list[Any] = [t.project_id == project_id, key.is_not(None), *extra]
    if start_ns is not None:
        conds.append(t.start_ns >= start_ns)
    if end_ns is not None:
        conds.append(t.start_ns < end_ns)
    c_last: int | None = None
    c_key: str | None = None
    if cursor:
        c_last, c_key = cur.decode(cursor, 2)

    # (last activity, key) of every group met that belongs on this page or a later one.
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    # The walk goes back from ``pos`` (a start time), in index order and without a tiebreak,
    # so no query sorts: rows at exactly ``pos`` are read again, and their keys are seen.
    pos: int | None = c_last
    step = min(GROUP_SCAN_BATCH, GROUP_SCAN_FIRST_PER_GROUP * (limit + 1))
    with engine.connect() as conn:
        while True:
            walk = [*conds] if pos is None else [*conds, t.start_ns <= pos]
            batch = conn.execute(
                select(key, t.start_ns).where(*walk).order_by(t.start_ns.desc()).limit(step)
            ).all()
            met: dict[str, int] = {}
            for k, at in batch:
                if k not in seen and k not in met:
                    met[k] = at
            seen.update(met)
            if met and c_last is not None:
                # Strictly after the cursor in (last desc, key desc) order, or on a page before.
                later = _edge_times(
                    conn, key, [*conds, t.start_ns >= c_last], list(met), latest=True
                )
                met = {
                    k: at
                    for k, at in met.items()
                    if k not in later or (later[k] == c_last and k < str(c_key))
                }
            found.extend((at, k) for k, at in met.items())
            if len(batch) < step:
                break
            same_time = batch[0][1] == batch[-1][1]
            pos = batch[-1][1]
            # Groups met later in the walk were last active no later than ``pos``: once more
            # than a page was active after it, nothing met later can come before them.
            if sum(1 for at, _ in found if at > pos) > limit:
                break
            # A full batch of one start time would be read again forever: grow past it.
            step = step * 2 if same_time else min(GROUP_SCAN_BATCH, step * 2)
        found.sort(reverse=True)
        page = found[:limit]
        groups = _summaries(conn, key, conds, page, with_user)
    nxt = cur.encode(*found[limit - 1]) if len(found) > limit else None
    return groups, nxt


def _summaries(
    conn: Connection, key: Any, conds: list[Any], page: list[tuple[int, str]], with_user: bool
) -> list[_Group]:
    """Counts and sums of the page's groups, in page order.

    Only what needs every trace of a group is summed; first and last activity are seeks.
    Each aggregate costs about a fifth of the scan on SQLite, so none is asked for needlessly
    (the user of a users-list row is its key).
    """
    if not page:
        return []
    t = traces.c
    keys = [k for _, k in page]
    columns = [
        key,
        func.count(),
        func.sum(t.total_tokens),
        func.sum(t.cost),
        func.sum(case((t.status == "ERROR", 1), else_=0)),
    ]
    if with_user:
        columns.append(func.max(t.user_id))
    sums = {
        r[0]: r for r in conn.execute(select(*columns).where(*conds, key.in_(keys)).group_by(key))
    }
    first = _edge_times(conn, key, conds, keys, latest=False)
    out = []
    for last, k in page:
        r = sums.get(k)
        if r is None or k not in first:
            continue  # deleted (retention) since the walk met it
        out.append(
            _Group(
                key=k,
                n=r[1],
                first_ns=first[k],
                last_ns=last,
                tokens=r[2] or 0,
                cost=r[3],
                errors=r[4] or 0,
                user_id=r[5] if with_user else k,
            )
        )
    return out


def list_sessions(
    engine: Engine,
    project_id: int,
    start_ns: int | None,
    end_ns: int | None,
    user_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[SessionSummary]:
    extra = [traces.c.user_id == user_id] if user_id is not None else []
    rows, nxt = _group_page(
        engine, traces.c.session_id, project_id, start_ns, end_ns, extra, limit, cursor, True
    )
    items = [
        SessionSummary(
            session_id=r.key,
            user_id=r.user_id,
            turns=r.n,
            first_ns=r.first_ns,
            last_ns=r.last_ns,
            total_tokens=r.tokens,
            cost=r.cost,
            error_count=r.errors,
        )
        for r in rows
    ]
    return Page[SessionSummary](items=items, next_cursor=nxt)


def list_users(
    engine: Engine,
    project_id: int,
    start_ns: int | None,
    end_ns: int | None,
    limit: int,
    cursor: str | None,
) -> Page[UserSummary]:
    rows, nxt = _group_page(
        engine, traces.c.user_id, project_id, start_ns, end_ns, [], limit, cursor, False
    )
    items = [
        UserSummary(
            user_id=r.key,
            traces=r.n,
            total_tokens=r.tokens,
            cost=r.cost,
            first_seen_ns=r.first_ns,
            last_seen_ns=r.last_ns,
            error_count=r.errors,
        )
        for r in rows
    ]
    return Page[UserSummary](items=items, next_cursor=nxt)
