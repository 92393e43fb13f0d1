"""Run the Alembic migrations shipped in ``migrations/`` on a store's engine."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from spyglass.exceptions import MigrationError


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("spyglass.storage.sql") / "migrations")
    )
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the newest)."""
    cfg = _config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except Exception as exc:
        raise MigrationError(f"database migration to {revision} failed: {exc}") from exc


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` ("base" removes every table)."""
    cfg = _config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def all_revisions(engine: Engine) -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(_config(engine))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]
