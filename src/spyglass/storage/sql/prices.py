"""A project's custom model prices (the ``model_prices`` table)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from spyglass.storage.models import ProjectPrice
from spyglass.storage.sql.schema import model_prices


def list_model_prices(engine: Engine, project_id: int) -> list[ProjectPrice]:
    c = model_prices.c
    query = (
        select(model_prices)
        .where(c.project_id == project_id)
        .order_by(c.model, c.effective_from_ns)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        ProjectPrice(
            model=r.model,
            effective_from_ns=r.effective_from_ns,
            input=r.input,
            output=r.output,
            cache_read=r.cache_read,
            cache_write=r.cache_write,
            reasoning=r.reasoning,
            updated_ns=r.updated_ns,
        )
        for r in rows
    ]


def put_model_price(
    engine: Engine, is_sqlite: bool, project_id: int, price: ProjectPrice
) -> ProjectPrice:
    """Insert the period, or replace the one of the same model and ``effective_from_ns``."""
    values = {"project_id": project_id, **price.model_dump()}
    insert = sqlite.insert if is_sqlite else postgresql.insert
    stmt = insert(model_prices).values(**values)
    key = ("project_id", "model", "effective_from_ns")
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={k: v for k, v in values.items() if k not in key}
    )
    with engine.begin() as conn:
        conn.execute(stmt)
    return price


def delete_model_prices(
    engine: Engine, project_id: int, model: str, effective_from_ns: int | None
) -> int:
    """Remove the model's periods (or the one starting at ``effective_from_ns``); how many."""
    c = model_prices.c
    stmt = delete(model_prices).where(c.project_id == project_id, c.model == model)
    if effective_from_ns is not None:
        stmt = stmt.where(c.effective_from_ns == effective_from_ns)
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount
