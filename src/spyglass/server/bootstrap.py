"""First start of an empty store: create project 'default', a key for it, and a web UI admin,
so the quickstart needs no setup."""

from __future__ import annotations

from dataclasses import dataclass

from spyglass.server.ui.passwords import hash_password, random_password
from spyglass.storage.base import Store
from spyglass.storage.models import CreatedKey

DEFAULT_PROJECT = "default"
ADMIN_EMAIL = "admin@localhost"


@dataclass(frozen=True)
class Bootstrapped:
    """What the first start created; the secrets are shown once and not stored in clear."""

    key: CreatedKey
    admin_email: str | None
    admin_password: str | None


def bootstrap(store: Store) -> Bootstrapped | None:
    """Create the default project and its first key when there are no projects yet, and an
    admin account with a random password when there are no accounts yet."""
    if store.list_projects():
        return None
    key = store.create_key(DEFAULT_PROJECT, name="bootstrap")
    if store.list_accounts():
        return Bootstrapped(key, None, None)
    password = random_password()
    store.create_account(ADMIN_EMAIL, hash_password(password), is_admin=True)
    return Bootstrapped(key, ADMIN_EMAIL, password)
