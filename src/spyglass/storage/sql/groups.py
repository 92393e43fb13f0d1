"""Sessions and users: traces grouped by session id or user id, most recently active first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, case, func, select

from spyglass.storage.models import Page, SessionSummary, UserSummary
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.schema import traces

# Traces read per step while looking for the most recently active sessions or users: the
# first step reads a few per wanted group (enough when groups are small), later steps double
# up to the cap (when a few busy groups hold most traces).
GROUP_SCAN_FIRST_PER_GROUP = 4
GROUP_SCAN_BATCH = 4_096


def _group_page(
    engine: Engine,
    key: Any,
    project_id: int,
    start_ns: int | None,
    end_ns: int | None,
    extra: list[Any],
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """A page of groups (sessions or users), most recently active first.

    Aggregating every group of a big project to keep fifty cost a second at a million spans.
    So the groups of a page are found first, by walking traces newest first along the
    (project, start) index until enough new keys turned up (a key's first appearance in that
    walk is its last activity), and only those groups are aggregated, along their own index.
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

    def on_page(last: int, k: str) -> bool:
        # Strictly after the cursor in (last desc, key desc) order.
        return c_last is None or last < c_last or (last == c_last and k < str(c_key))

    aggregate = select(
        key.label("key"),
        func.count().label("n"),
        func.min(t.start_ns).label("first_ns"),
        func.max(t.start_ns).label("last_ns"),
        func.sum(t.total_tokens).label("tokens"),
        func.sum(t.cost).label("cost"),
        func.sum(case((t.status == "ERROR", 1), else_=0)).label("errors"),
        func.max(t.user_id).label("user_id"),
    )
    found: list[Any] = []
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
            new = list(dict.fromkeys(r[0] for r in batch if r[0] not in seen))
            seen.update(new)
            if new:
                rows = conn.execute(aggregate.where(*conds, key.in_(new)).group_by(key)).all()
                found.extend(r for r in rows if on_page(r.last_ns, r.key))
            if len(batch) < step:
                break
            same_time = batch[0][1] == batch[-1][1]
            pos = batch[-1][1]
            # Groups met later in the walk were last active no later than ``pos``: once more
            # than a page was active after it, nothing met later can come before them.
            if sum(1 for r in found if r.last_ns > pos) > limit:
                break
            # A full batch of one start time would be read again forever: grow past it.
            step = step * 2 if same_time else min(GROUP_SCAN_BATCH, step * 2)
    found.sort(key=lambda r: (r.last_ns, r.key), reverse=True)
    rows = found[: limit + 1]
    nxt = cur.encode(rows[limit - 1].last_ns, rows[limit - 1].key) if len(rows) > limit else None
    return rows[:limit], nxt


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
        engine, traces.c.session_id, project_id, start_ns, end_ns, extra, limit, cursor
    )
    items = [
        SessionSummary(
            session_id=r.key,
            user_id=r.user_id,
            turns=r.n,
            first_ns=r.first_ns,
            last_ns=r.last_ns,
            total_tokens=r.tokens or 0,
            cost=r.cost,
            error_count=r.errors or 0,
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
        engine, traces.c.user_id, project_id, start_ns, end_ns, [], limit, cursor
    )
    items = [
        UserSummary(
            user_id=r.key,
            traces=r.n,
            total_tokens=r.tokens or 0,
            cost=r.cost,
            first_seen_ns=r.first_ns,
            last_seen_ns=r.last_ns,
            error_count=r.errors or 0,
        )
        for r in rows
    ]
    return Page[UserSummary](items=items, next_cursor=nxt)
