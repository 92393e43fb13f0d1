"""Web UI accounts, their project memberships and login sessions.

The store keeps password *hashes* only and never hashes itself: the server hashes with argon2
(``server/ui/passwords.py``) so the store needs no crypto dependency. Session tokens are random
256-bit values like API keys, so a SHA-256 of them is enough to look them up.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from spyglass.exceptions import BadRequest, NotFound
from spyglass.storage.models import Account, AccountLogin, LoginSession, Project
from spyglass.storage.sql.schema import account_projects, accounts, login_sessions, projects

# RFC 5321 limits an address to 320 characters; the column is String(320).
MAX_EMAIL = 320


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not 3 <= len(email) <= MAX_EMAIL or "@" not in email[1:-1]:
        raise BadRequest("an email address like name@example.com is required")
    return email


def _account(row: Any) -> Account:
    return Account(
        id=row.id, email=row.email, is_admin=bool(row.is_admin), created_ns=row.created_ns
    )


def create_account(engine: Engine, email: str, password_hash: str, is_admin: bool) -> Account:
    email = normalise_email(email)
    now = time.time_ns()
    with engine.begin() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.email == email)).first():
            raise BadRequest(f"an account for {email} already exists")
        aid = conn.execute(
            insert(accounts)
            .values(email=email, password_hash=password_hash, is_admin=is_admin, created_ns=now)
            .returning(accounts.c.id)
        ).scalar_one()
    return Account(id=aid, email=email, is_admin=is_admin, created_ns=now)


def account_login(engine: Engine, email: str) -> AccountLogin | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(accounts).where(accounts.c.email == email.strip().lower())
        ).first()
    return AccountLogin(account=_account(row), password_hash=row.password_hash) if row else None


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        rows = conn.execute(select(accounts).order_by(accounts.c.id)).all()
    return [_account(r) for r in rows]


def set_password_hash(engine: Engine, account_id: int, password_hash: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash)
        )


def add_member(engine: Engine, account_id: int, project_id: int) -> None:
    """Let the account see the project; adding an existing membership is a no-op."""
    m = account_projects.c
    with engine.begin() as conn:
        if not conn.execute(select(accounts.c.id).where(accounts.c.id == account_id)).first():
            raise NotFound(f"no account {account_id}")
        if not conn.execute(select(projects.c.id).where(projects.c.id == project_id)).first():
            raise NotFound(f"no project {project_id}")
        exists = conn.execute(
            select(m.account_id).where(m.account_id == account_id, m.project_id == project_id)
        ).first()
        if not exists:
            conn.execute(
                insert(account_projects).values(
                    account_id=account_id, project_id=project_id, created_ns=time.time_ns()
                )
            )


def remove_member(engine: Engine, account_id: int, project_id: int) -> bool:
    """Stop the account seeing the project; False when it was not a member.

    Takes effect at the account's next request: pages look up what an account may see on
    every request, not at login.
    """
    m = account_projects.c
    with engine.begin() as conn:
        result = conn.execute(
            delete(account_projects).where(m.account_id == account_id, m.project_id == project_id)
        )
    return bool(result.rowcount)


def project_members(engine: Engine, project_id: int) -> list[Account]:
    """The accounts added to the project, by email."""
    query = (
        select(accounts)
        .join(account_projects, account_projects.c.account_id == accounts.c.id)
        .where(account_projects.c.project_id == project_id)
        .order_by(accounts.c.email)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [_account(r) for r in rows]


def account_projects_of(engine: Engine, account: Account) -> list[Project]:
    """The projects the account may see: every project for an admin."""
    query = select(projects).order_by(projects.c.id)
    if not account.is_admin:
        query = query.join(account_projects, account_projects.c.project_id == projects.c.id).where(
            account_projects.c.account_id == account.id
        )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Project(id=r.id, name=r.name, created_ns=r.created_ns) for r in rows]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_login_session(
    engine: Engine, token: str, account_id: int, csrf_token: str, expires_ns: int
) -> None:
    now = time.time_ns()
    with engine.begin() as conn:
        # Expired rows of this account go here rather than in a background job.
        conn.execute(
            delete(login_sessions).where(
                login_sessions.c.account_id == account_id, login_sessions.c.expires_ns < now
            )
        )
        conn.execute(
            insert(login_sessions).values(
                token_hash=_token_hash(token),
                account_id=account_id,
                csrf_token=csrf_token,
                created_ns=now,
                expires_ns=expires_ns,
            )
        )


def get_login_session(engine: Engine, token: str) -> LoginSession | None:
    s = login_sessions.c
    query = (
        select(accounts, s.csrf_token, s.expires_ns)
        .join(accounts, accounts.c.id == s.account_id)
        .where(s.token_hash == _token_hash(token))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.expires_ns <= time.time_ns():
        return None
    return LoginSession(account=_account(row), csrf_token=row.csrf_token, expires_ns=row.expires_ns)


def delete_login_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(login_sessions).where(login_sessions.c.token_hash == _token_hash(token))
        )
