"""Datasets and their items (tables ``datasets`` and ``dataset_items``).

Items keep the order they were first added in (``seq``); replacing an item keeps its place.
After every write the dataset's ``item_count`` and ``version`` are recomputed in the same
transaction from the items' stored content hashes, with the SDK's own ``version_of``, so the
server's version of a dataset is the one ``Dataset(items).version`` gives for the same items.

On SQLite every write transaction starts with a write, so it holds the write lock before it
reads: a read first would be refused (not waited for) if another writer committed meanwhile.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from spyglass.evals.dataset import Item, version_of
from spyglass.storage.eval_models import DatasetInfo, DatasetItem, ItemsWritten
from spyglass.storage.models import Page
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.schema import dataset_items, datasets

# Item ids looked up per query when sorting a batch into new and replaced items: well under
# SQLite's limit of bound parameters, and a few round trips for the largest request bodies.
LOOKUP_CHUNK = 500
EMPTY_VERSION = version_of([])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _info(r: Any) -> DatasetInfo:
    return DatasetInfo(
        name=r.name,
        description=r.description,
        item_count=r.item_count,
        version=r.version,
        created_ns=r.created_ns,
        updated_ns=r.updated_ns,
    )


def _ensure(conn: Connection, is_sqlite: bool, project_id: int, name: str, now: int) -> bool:
    """Create the dataset unless it exists (a write, so it takes SQLite's lock); True if new."""
    insert = sqlite.insert if is_sqlite else postgresql.insert
    stmt = (
        insert(datasets)
        .values(
            project_id=project_id,
            name=name,
            item_count=0,
            version=EMPTY_VERSION,
            created_ns=now,
            updated_ns=now,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "name"])
        .returning(datasets.c.id)
    )
    return conn.execute(stmt).first() is not None


def _row(conn: Connection, project_id: int, name: str) -> Any:
    c = datasets.c
    return conn.execute(select(datasets).where(c.project_id == project_id, c.name == name)).first()


def create_dataset(
    engine: Engine, is_sqlite: bool, project_id: int, name: str, description: str | None
) -> tuple[DatasetInfo, bool]:
    """The dataset, created unless it exists; True when it was created now."""
    with engine.begin() as conn:
        created = _ensure(conn, is_sqlite, project_id, name, time.time_ns())
        if created and description:
            conn.execute(
                update(datasets)
                .where(datasets.c.project_id == project_id, datasets.c.name == name)
                .values(description=description)
            )
        return _info(_row(conn, project_id, name)), created


def get_dataset(engine: Engine, project_id: int, name: str) -> DatasetInfo | None:
    with engine.connect() as conn:
        row = _row(conn, project_id, name)
    return None if row is None else _info(row)


def list_datasets(engine: Engine, project_id: int) -> list[DatasetInfo]:
    c = datasets.c
    query = select(datasets).where(c.project_id == project_id).order_by(c.name)
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(query).all()]


def _item(r: Any) -> DatasetItem:
    return DatasetItem(
        id=r.item_id,
        input=json.loads(r.input),
        expected=None if r.expected is None else json.loads(r.expected),
        documents=json.loads(r.documents) if r.documents else [],
        metadata=json.loads(r.metadata) if r.metadata else {},
        trace_id=r.trace_id,
    )


def list_items(
    engine: Engine, project_id: int, name: str, limit: int, cursor: str | None
) -> Page[DatasetItem] | None:
    """A page of the dataset's items in their order, or None when there is no such dataset."""
    c = dataset_items.c
    with engine.connect() as conn:
        ds = _row(conn, project_id, name)
        if ds is None:
            return None
        conds: list[Any] = [c.dataset_id == ds.id]
        if cursor:
            seq, _item_id = cur.decode(cursor, 2)
            conds.append(c.seq > seq)
        query = select(dataset_items).where(*conds).order_by(c.seq).limit(limit + 1)
        rows = conn.execute(query).all()
    nxt = cur.encode(rows[limit - 1].seq, rows[limit - 1].item_id) if len(rows) > limit else None
    return Page[DatasetItem](items=[_item(r) for r in rows[:limit]], next_cursor=nxt)


def _refresh(conn: Connection, dataset_id: int, now: int) -> tuple[int, str]:
    """Recompute the dataset's count and version from its items; store and return them."""
    c = dataset_items.c
    rows = conn.execute(
        select(c.item_id, c.content_hash).where(c.dataset_id == dataset_id).order_by(c.seq)
    ).all()
    version = version_of((r.item_id, r.content_hash) for r in rows)
    conn.execute(
        update(datasets)
        .where(datasets.c.id == dataset_id)
        .values(item_count=len(rows), version=version, updated_ns=now)
    )
    return len(rows), version


def _values(item: Item, now: int) -> dict[str, Any]:
    return {
        "content_hash": item.content_hash(),
        "trace_id": item.trace_id,
        "updated_ns": now,
        "input": _dumps(item.input),
        "expected": None if item.expected is None else _dumps(item.expected),
        "documents": _dumps(list(item.documents)) if item.documents else None,
        "metadata": _dumps(dict(item.metadata)) if item.metadata else None,
    }


def put_items(
    engine: Engine, is_sqlite: bool, project_id: int, name: str, items: Sequence[Item]
) -> ItemsWritten:
    """Add items (creating the dataset if needed); an item whose id is already there is
    replaced in place. One transaction, batched statements."""
    now = time.time_ns()
    c = dataset_items.c
    with engine.begin() as conn:
        _ensure(conn, is_sqlite, project_id, name, now)
        dataset_id = _row(conn, project_id, name).id
        ids = [i.id for i in items]
        existing: set[str] = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            existing.update(
                conn.execute(
                    select(c.item_id).where(c.dataset_id == dataset_id, c.item_id.in_(chunk))
                ).scalars()
            )
        new = [i for i in items if i.id not in existing]
        replaced = [i for i in items if i.id in existing]
        if new:
            last = conn.execute(select(func.max(c.seq)).where(c.dataset_id == dataset_id)).scalar()
            first = (last or 0) + 1
            conn.execute(
                dataset_items.insert(),
                [
                    {
                        "dataset_id": dataset_id,
                        "item_id": item.id,
                        "seq": first + n,
                        "created_ns": now,
                        **_values(item, now),
                    }
                    for n, item in enumerate(new)
                ],
            )
        if replaced:
            stmt = (
                update(dataset_items)
                .where(and_(c.dataset_id == dataset_id, c.item_id == bindparam("b_item_id")))
                .values({k: bindparam(f"b_{k}") for k in _values(replaced[0], now)})
            )
            conn.execute(
                stmt,
                [
                    {"b_item_id": i.id, **{f"b_{k}": v for k, v in _values(i, now).items()}}
                    for i in replaced
                ],
            )
        count, version = _refresh(conn, dataset_id, now)
    return ItemsWritten(added=len(new), updated=len(replaced), item_count=count, version=version)


def delete_item(engine: Engine, project_id: int, name: str, item_id: str) -> bool:
    """Remove one item; False when the dataset or the item is not there."""
    now = time.time_ns()
    c = dataset_items.c
    ds_ids = (
        select(datasets.c.id)
        .where(datasets.c.project_id == project_id, datasets.c.name == name)
        .scalar_subquery()
    )
    with engine.begin() as conn:
        gone = conn.execute(
            delete(dataset_items).where(c.dataset_id == ds_ids, c.item_id == item_id)
        ).rowcount
        if not gone:
            return False
        _refresh(conn, _row(conn, project_id, name).id, now)
    return True
