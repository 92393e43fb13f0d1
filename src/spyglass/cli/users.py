"""``spyglass users``: accounts of people who log in to the web UI."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from spyglass.exceptions import SpyglassError
from spyglass.storage.models import AccountLogin
from spyglass.storage.sql.store import SqlStore, open_store

users_app = typer.Typer(
    help="Web UI accounts (passwords stored as argon2 hashes). Admins see every project; "
    "others only the projects they were added to.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

EmailOption = Annotated[str, typer.Option("--email", help="The account's email address")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin (else it is asked for)",
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: SQLite under $SPYGLASS_HOME; env SPYGLASS_DATABASE_URL)",
    ),
]


def _store(db: str | None) -> SqlStore:
    from spyglass.cli.app import _settings

    try:
        return open_store(_settings(db).resolved_database_url)
    except SpyglassError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _fail(exc: SpyglassError) -> typer.Exit:
    err.print(f"[red]error:[/] {exc}")
    return typer.Exit(1)


def _account_login(store: SqlStore, email: str) -> AccountLogin:
    """The account with that email, or exit 1 saying there is none."""
    found = store.account_login(email)
    if found is None:
        err.print(f"[red]error:[/] no account {escape(email)}")
        raise typer.Exit(1)
    return found


def _add_to_projects(store: SqlStore, account_id: int, projects: list[str]) -> None:
    for name in projects:
        project = store.get_project(name) or store.create_project(name)
        store.add_member(account_id, project.id)


@users_app.command("create")
def users_create(
    email: EmailOption,
    password_stdin: PasswordStdin = False,
    project: Annotated[
        list[str] | None,
        typer.Option(
            "--project", help="A project the account may see (repeatable; created if missing)"
        ),
    ] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="May see and manage every project")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account for the web UI."""
    from spyglass.server.ui.passwords import hash_password

    store = _store(db)
    try:
        account = store.create_account(email, hash_password(_password(password_stdin)), admin)
        _add_to_projects(store, account.id, project or [])
    except SpyglassError as exc:
        raise _fail(exc) from exc
    where = "every project" if admin else (", ".join(project or []) or "no project yet")
    console.print(f"created account {account.email} (id {account.id}); sees {where}")


@users_app.command("add")
def users_add(
    email: EmailOption,
    project: Annotated[list[str], typer.Option("--project", help="Project (repeatable)")],
    db: DbOption = None,
) -> None:
    """Let an existing account see more projects."""
    store = _store(db)
    found = _account_login(store, email)
    try:
        _add_to_projects(store, found.account.id, project)
    except SpyglassError as exc:
        raise _fail(exc) from exc
    console.print(f"{found.account.email} now sees {', '.join(project)}")


@users_app.command("remove")
def users_remove(
    email: EmailOption,
    project: Annotated[list[str], typer.Option("--project", help="Project (repeatable)")],
    db: DbOption = None,
) -> None:
    """Stop an account seeing projects (admins still see every project)."""
    store = _store(db)
    found = _account_login(store, email)
    removed, not_member = [], []
    try:
        # Every name is checked before anything changes: a typo removes nothing.
        targets = [(name, store.get_project(name)) for name in project]
        unknown = [name for name, target in targets if target is None]
        if unknown:
            names = escape(", ".join(unknown))
            err.print(f"[red]error:[/] no project {names}; nothing was changed")
            raise typer.Exit(1)
        for name, target in targets:
            assert target is not None
            if store.remove_member(found.account.id, target.id):
                removed.append(name)
            else:
                not_member.append(name)
    except SpyglassError as exc:
        raise _fail(exc) from exc
    who = escape(found.account.email)
    if removed:
        console.print(f"{who} no longer sees {escape(', '.join(removed))}")
        console.print("API keys belong to projects, not people: revoke any they had")
    if not_member:
        console.print(f"{who} was not a member of {escape(', '.join(not_member))}")
    if found.account.is_admin:
        console.print("(an admin still sees every project)")


@users_app.command("password")
def users_password(
    email: EmailOption, password_stdin: PasswordStdin = False, db: DbOption = None
) -> None:
    """Set an account's password."""
    from spyglass.server.ui.passwords import hash_password

    store = _store(db)
    found = _account_login(store, email)
    try:
        store.set_password_hash(found.account.id, hash_password(_password(password_stdin)))
    except SpyglassError as exc:
        raise _fail(exc) from exc
    console.print(f"password of {found.account.email} changed")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List accounts and the projects they see."""
    store = _store(db)
    table = Table("id", "email", "role", "projects")
    for account in store.list_accounts():
        projects = (
            "all"
            if account.is_admin
            else ", ".join(p.name for p in store.account_projects(account))
        )
        table.add_row(
            str(account.id), account.email, "admin" if account.is_admin else "member", projects
        )
    console.print(table)
