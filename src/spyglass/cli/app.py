"""Commands: server, demo, projects, keys, users, db."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from spyglass.cli.eval import eval_app
from spyglass.cli.guard import guard_app
from spyglass.cli.users import users_app
from spyglass.exceptions import SpyglassError
from spyglass.settings import Settings, load_settings
from spyglass.storage.sql.store import SqlStore, open_store

app = typer.Typer(
    help="Spyglass: tracing, monitoring, evaluation and guardrails for LLM applications.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
projects_app = typer.Typer(
    help="Projects: each owns its traces, scores and API keys.", no_args_is_help=True
)
keys_app = typer.Typer(
    help="API keys (stored hashed; the secret is shown once).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema and upkeep.", no_args_is_help=True)
app.add_typer(projects_app, name="projects")
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(guard_app, name="guard")
app.add_typer(eval_app, name="eval")

console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: SQLite under $SPYGLASS_HOME; env SPYGLASS_DATABASE_URL)",
    ),
]


def _settings(db: str | None = None, **overrides: object) -> Settings:
    try:
        return load_settings({"database_url": db, **overrides})
    except SpyglassError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _store(db: str | None) -> SqlStore:
    settings = _settings(db)
    try:
        return open_store(settings.resolved_database_url)
    except SpyglassError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _ask(question: str) -> bool:
    """A yes/no question on the terminal; no answer at all (no terminal) is an error."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        err.print("\n[red]error:[/] no answer; add --yes to go on without asking")
        raise typer.Exit(1) from None


def _fail(exc: SpyglassError) -> typer.Exit:
    err.print(f"[red]error:[/] {exc}")
    return typer.Exit(1)


@app.command()
def server(
    host: Annotated[str | None, typer.Option(help="Listen address (env SPYGLASS_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (env SPYGLASS_PORT)")] = None,
    db: DbOption = None,
) -> None:
    """Run the server: OTLP ingest on /v1/traces and the query API (docs at /docs)."""
    from spyglass.cli.serve import serve

    serve(_settings(db, host=host, port=port))


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="Listen port (env SPYGLASS_PORT)")] = None,
    traces: Annotated[int, typer.Option(help="Sample traces to send")] = 300,
    exit_after: Annotated[
        bool,
        typer.Option(
            "--exit", help="Stop the server after sending instead of serving until Ctrl-C"
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Start the server, send it realistic sample LLM traces over OTLP, and say where to look."""
    from spyglass.cli.demo import run_demo

    run_demo(_settings(db, port=port), traces, exit_after)


@projects_app.command("list")
def projects_list(db: DbOption = None) -> None:
    """List projects."""
    store = _store(db)
    table = Table("id", "name")
    for p in store.list_projects():
        table.add_row(str(p.id), p.name)
    console.print(table)


@projects_app.command("create")
def projects_create(name: str, db: DbOption = None) -> None:
    """Create a project."""
    store = _store(db)
    try:
        p = store.create_project(name)
    except SpyglassError as exc:
        raise _fail(exc) from exc
    console.print(f"created project {p.name} (id {p.id})")


@keys_app.command("create")
def keys_create(
    project: Annotated[str, typer.Option(help="Project name; created if it does not exist")],
    name: Annotated[str, typer.Option(help="A label for the key")] = "default",
    db: DbOption = None,
) -> None:
    """Create an API key. The key is printed alone on the last line, once."""
    store = _store(db)
    try:
        created = store.create_key(project, name)
    except SpyglassError as exc:
        raise _fail(exc) from exc
    err.print(
        f"API key {created.info.prefix}… (id {created.info.id}) for project "
        f"{created.info.project}. Store it now: it is not shown again."
    )
    print(created.secret)  # noqa: T201 - the one line scripts read


@keys_app.command("list")
def keys_list(
    project: Annotated[str | None, typer.Option(help="Only this project's keys")] = None,
    db: DbOption = None,
) -> None:
    """List API keys (prefixes only)."""
    store = _store(db)
    table = Table("id", "project", "name", "prefix", "status")
    for k in store.list_keys(project):
        table.add_row(
            str(k.id), k.project, k.name, k.prefix + "…", "revoked" if k.revoked_ns else "active"
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="Key id, or its prefix as shown by `keys list`")],
    db: DbOption = None,
) -> None:
    """Revoke an API key; running servers stop accepting it within SPYGLASS_KEY_CACHE_SECONDS."""
    store = _store(db)
    try:
        info = store.revoke_key(key)
    except SpyglassError as exc:
        raise _fail(exc) from exc
    console.print(f"revoked key {info.id} ({info.prefix}…) of project {info.project}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply migrations (the server also does this at start)."""
    store = _store(db)
    console.print(f"schema of {store.url_for_display} is up to date")


@db_app.command("rebuild-rollups")
def db_rebuild_rollups(db: DbOption = None) -> None:
    """Recompute the hourly metric rollups from the stored spans and traces.

    Only needed after an older server or a hand edit changed spans. Ingest waits meanwhile.
    """
    store = _store(db)
    try:
        with console.status("adding up the stored spans and traces ..."):
            rebuilt = store.rebuild_rollups()
    except SpyglassError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    for r in rebuilt:
        console.print(f"{r.table}: {r.rows} rows, {r.corrected} corrected")


@db_app.command("prune")
def db_prune(
    older_than: Annotated[
        str,
        typer.Option(
            "--older-than",
            help="Delete traces that started longer ago than this: 12h, 30d, 4w (a plain "
            "number is days)",
        ),
    ],
    project: Annotated[str | None, typer.Option(help="Only this project (default: all)")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete without asking (for scripts and cron)")
    ] = False,
    db: DbOption = None,
) -> None:
    """Delete old traces with their spans and scores; the rollups lose what they added.

    Says what would go and asks first, unless --yes. Runs beside a live server, 500 traces per
    transaction. Session scores, datasets and experiments stay. SPYGLASS_RETENTION_DAYS makes
    the server do this every hour.
    """
    from spyglass.cli.prune import parse_age, run_prune

    try:
        age_ns = parse_age(older_than)
    except ValueError as exc:
        err.print(f"[red]error:[/] --older-than: {exc}")
        raise typer.Exit(2) from exc
    settings = _settings(db)
    store = _store(db)
    try:
        run_prune(
            store,
            settings,
            age_ns,
            project,
            dry_run,
            console,
            confirm=None if yes else _ask,
        )
    except SpyglassError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
