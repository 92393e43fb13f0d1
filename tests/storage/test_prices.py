"""A project's custom model prices in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from spyglass.storage.models import ProjectPrice
from spyglass.storage.sql.store import SqlStore


def test_put_list_replace_delete(store: SqlStore) -> None:
    a = store.create_project("alpha").id
    b = store.create_project("beta").id
    p0 = ProjectPrice(model="gpt-4o", input=2.0, output=8.0, cache_read=0.5, updated_ns=1)
    p1 = ProjectPrice(model="gpt-4o", effective_from_ns=10**18, input=1.5, output=6.0, updated_ns=2)
    other = ProjectPrice(model="acme-1", input=0.075, output=0.3, reasoning=1.2, updated_ns=3)
    for p in (p1, p0, other):
        store.put_model_price(a, p)
    store.put_model_price(b, ProjectPrice(model="gpt-4o", input=9.0, output=9.0))

    assert store.list_model_prices(a) == [other, p0, p1]
    assert [p.input for p in store.list_model_prices(b)] == [9.0]

    # Same model and start: replaced, not added.
    changed = p0.model_copy(update={"input": 3.0, "cache_read": None, "updated_ns": 4})
    store.put_model_price(a, changed)
    assert store.list_model_prices(a) == [other, changed, p1]

    assert store.delete_model_prices(a, "gpt-4o", 10**18) == 1
    assert store.list_model_prices(a) == [other, changed]
    assert store.delete_model_prices(a, "gpt-4o") == 1
    assert store.delete_model_prices(a, "gpt-4o") == 0
    assert store.list_model_prices(a) == [other]
    # The other project's prices are untouched.
    assert [p.input for p in store.list_model_prices(b)] == [9.0]
