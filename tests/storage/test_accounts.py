"""Web UI accounts, memberships and login sessions in the store, on both backends."""

from __future__ import annotations

import time

import pytest

from spyglass.exceptions import BadRequest, NotFound
from spyglass.storage.sql.store import SqlStore

HOUR_NS = 3_600 * 1_000_000_000


def test_accounts_are_unique_by_normalised_email(store: SqlStore) -> None:
    acc = store.create_account(" Ada@Example.com ", "hash-1", is_admin=False)
    assert acc.email == "ada@example.com" and not acc.is_admin
    with pytest.raises(BadRequest):
        store.create_account("ada@example.com", "hash-2", is_admin=True)
    with pytest.raises(BadRequest):
        store.create_account("not-an-email", "h", is_admin=False)
    login = store.account_login("ADA@example.com")
    assert login is not None and login.password_hash == "hash-1" and login.account == acc
    assert store.account_login("bob@example.com") is None
    store.set_password_hash(acc.id, "hash-3")
    assert store.account_login("ada@example.com").password_hash == "hash-3"  # type: ignore[union-attr]
    assert [a.email for a in store.list_accounts()] == ["ada@example.com"]


def test_members_see_their_projects_and_admins_see_all(store: SqlStore) -> None:
    alpha = store.create_project("alpha")
    beta = store.create_project("beta")
    member = store.create_account("m@example.com", "h", is_admin=False)
    admin = store.create_account("a@example.com", "h", is_admin=True)
    assert store.account_projects(member) == []
    store.add_member(member.id, alpha.id)
    store.add_member(member.id, alpha.id)  # idempotent
    assert [p.name for p in store.account_projects(member)] == ["alpha"]
    assert [p.name for p in store.account_projects(admin)] == ["alpha", "beta"]
    with pytest.raises(NotFound):
        store.add_member(member.id, beta.id + 100)
    with pytest.raises(NotFound):
        store.add_member(member.id + 100, beta.id)


def test_members_are_listed_and_removed(store: SqlStore) -> None:
    alpha = store.create_project("alpha")
    beta = store.create_project("beta")
    zed = store.create_account("zed@example.com", "h", is_admin=False)
    amy = store.create_account("amy@example.com", "h", is_admin=False)
    admin = store.create_account("root@example.com", "h", is_admin=True)
    for account in (zed, amy):
        store.add_member(account.id, alpha.id)
    store.add_member(zed.id, beta.id)
    assert [a.email for a in store.project_members(alpha.id)] == [
        "amy@example.com",
        "zed@example.com",
    ]
    assert store.remove_member(zed.id, alpha.id) is True
    assert store.remove_member(zed.id, alpha.id) is False  # no longer a member
    assert [a.email for a in store.project_members(alpha.id)] == ["amy@example.com"]
    assert [p.name for p in store.account_projects(zed)] == ["beta"]  # other projects kept
    assert store.remove_member(admin.id, alpha.id) is False
    assert [p.name for p in store.account_projects(admin)] == ["alpha", "beta"]
    assert store.project_members(999) == []


def test_login_sessions_expire_and_end(store: SqlStore) -> None:
    acc = store.create_account("s@example.com", "h", is_admin=False)
    now = time.time_ns()
    store.create_login_session("tok-live", acc.id, "csrf-1", now + HOUR_NS)
    store.create_login_session("tok-old", acc.id, "csrf-2", now - 1)
    live = store.get_login_session("tok-live")
    assert live is not None and live.account == acc and live.csrf_token == "csrf-1"
    assert store.get_login_session("tok-old") is None
    assert store.get_login_session("tok-unknown") is None
    store.delete_login_session("tok-live")
    assert store.get_login_session("tok-live") is None


def test_keys_remember_the_account_that_made_them(store: SqlStore) -> None:
    ann = store.create_account("ann@example.com", "h", is_admin=False)
    made = store.create_key("alpha", "ann's app", created_by=ann.id)
    assert made.info.created_by == "ann@example.com"
    store.create_key("alpha", "from the CLI")
    by_name = {k.name: k.created_by for k in store.list_keys("alpha")}
    assert by_name == {"ann's app": "ann@example.com", "from the CLI": None}
    revoked = store.revoke_key(str(made.info.id))
    assert revoked.created_by == "ann@example.com"
