"""``spyglass db prune``: delete old traces by hand (the server's own is
``SPYGLASS_RETENTION_DAYS``, ``server/retention.py``)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import Progress

from spyglass.exceptions import NotFound
from spyglass.server.ingest.pool import lock_path_for
from spyglass.settings import MAX_RETENTION_DAYS, Settings
from spyglass.storage.sql.retention import DAY_NS, Pruned
from spyglass.storage.sql.store import SqlStore

# No minutes, nor months: "6m" would be read one way by some and the other way by others.
_AGE = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,9})?)\s*([hdw]?)", re.ASCII)
_UNIT_NS = {"h": 3_600 * 10**9, "d": DAY_NS, "": DAY_NS, "w": 7 * DAY_NS}


def parse_age(text: str) -> int:
    """``12h``, ``30d``, ``4w`` or ``30`` (days) in nanoseconds; more than zero, at most
    ``MAX_RETENTION_DAYS``."""
    match = _AGE.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not an age such as 12h, 30d or 4w")
    ns = int(float(match.group(1)) * _UNIT_NS[match.group(2)])
    if ns <= 0:
        raise ValueError("the age must be more than zero")
    if ns > MAX_RETENTION_DAYS * DAY_NS:
        raise ValueError(f"the age must be at most {MAX_RETENTION_DAYS} days")
    return ns


def run_prune(
    store: SqlStore,
    settings: Settings,
    age_ns: int,
    project: str | None,
    dry_run: bool,
    console: Console,
    confirm: Callable[[str], bool] | None = None,
) -> Pruned:
    """Count, then (unless ``dry_run``) delete, with a progress bar; print what was done.
    ``confirm`` is asked first with what would go (None: do not ask); False deletes nothing."""
    project_ids = None
    if project is not None:
        found = store.get_project(project)
        if found is None:
            raise NotFound(f"no project named {project!r}")
        project_ids = [found.id]
    before_ns = time.time_ns() - age_ns
    when = datetime.fromtimestamp(before_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M UTC")
    todo = store.prune(before_ns, project_ids, dry_run=True)
    if dry_run or not todo.traces:
        verb = "would delete" if dry_run else "deleted"
        console.print(f"{verb} {_counts(todo)} that started before {when}", soft_wrap=True)
        return todo
    if confirm is not None and not confirm(f"Delete {_counts(todo)} that started before {when}?"):
        console.print("nothing deleted")
        return Pruned()
    lock_path = (
        lock_path_for(store.dialect.driver_url, str(settings.home_path))
        if store.is_sqlite and os.name == "posix"
        else None
    )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("deleting old traces", total=todo.traces)
        done = store.prune(
            before_ns,
            project_ids,
            lock_path=lock_path,
            progress=lambda chunk: progress.advance(task, chunk.traces),
        )
    console.print(f"deleted {_counts(done)} that started before {when}", soft_wrap=True)
    return done


def _counts(p: Pruned) -> str:
    return f"{p.traces} traces ({p.spans} spans, {p.scores} scores)"
