"""First start of an empty store: create project 'default' and a key so the quickstart needs
no setup."""

from __future__ import annotations

from spyglass.storage.base import Store
from spyglass.storage.models import CreatedKey

DEFAULT_PROJECT = "default"


def bootstrap(store: Store) -> CreatedKey | None:
    """Create the default project and its first key when there are no projects yet."""
    if store.list_projects():
        return None
    return store.create_key(DEFAULT_PROJECT, name="bootstrap")
