"""Projects and API keys.

Keys are 256-bit random tokens (``sg_`` + 43 url-safe characters). Only their SHA-256 is
stored: a key has far more entropy than a password, so a fast hash is enough and lets every
request be checked with one indexed lookup. The secret is returned once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from sqlalchemy import Engine, Select, insert, select, update

from spyglass.exceptions import BadRequest, NotFound
from spyglass.storage.models import ApiKeyInfo, CreatedKey, Project
from spyglass.storage.sql.schema import accounts, api_keys, projects

KEY_PREFIX = "sg_"
# Characters of the key shown in lists: enough to tell keys apart, useless to an attacker.
SHOWN_PREFIX_CHARS = 10


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _valid_project_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise BadRequest("project name must be 1 to 200 characters")
    return name


def create_project(engine: Engine, name: str) -> Project:
    name = _valid_project_name(name)
    with engine.begin() as conn:
        existing = conn.execute(select(projects).where(projects.c.name == name)).first()
        if existing is not None:
            raise BadRequest(f"project {name!r} already exists")
        now = time.time_ns()
        pid = conn.execute(
            insert(projects).values(name=name, created_ns=now).returning(projects.c.id)
        ).scalar_one()
    return Project(id=pid, name=name, created_ns=now)


def get_project(engine: Engine, name: str) -> Project | None:
    with engine.connect() as conn:
        row = conn.execute(select(projects).where(projects.c.name == name)).first()
    return Project(id=row.id, name=row.name, created_ns=row.created_ns) if row else None


def list_projects(engine: Engine) -> list[Project]:
    with engine.connect() as conn:
        rows = conn.execute(select(projects).order_by(projects.c.id)).all()
    return [Project(id=r.id, name=r.name, created_ns=r.created_ns) for r in rows]


def create_key(
    engine: Engine, project: str, name: str, created_by: int | None = None
) -> CreatedKey:
    """A new key for ``project``, creating the project if needed. ``created_by``: the id of
    the web UI account that made it."""
    proj = get_project(engine, project) or create_project(engine, project)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    now = time.time_ns()
    with engine.begin() as conn:
        kid = conn.execute(
            insert(api_keys)
            .values(
                project_id=proj.id,
                name=name,
                prefix=secret[:SHOWN_PREFIX_CHARS],
                key_hash=hash_key(secret),
                created_ns=now,
                created_by=created_by,
            )
            .returning(api_keys.c.id)
        ).scalar_one()
        email = (
            conn.execute(select(accounts.c.email).where(accounts.c.id == created_by)).scalar()
            if created_by is not None
            else None
        )
    info = ApiKeyInfo(
        id=kid,
        project_id=proj.id,
        project=proj.name,
        name=name,
        prefix=secret[:SHOWN_PREFIX_CHARS],
        created_ns=now,
        created_by=email,
    )
    return CreatedKey(info=info, secret=secret)


def _key_query() -> Select[Any]:
    return (
        select(api_keys, projects.c.name.label("project"), accounts.c.email.label("creator_email"))
        .join(projects, projects.c.id == api_keys.c.project_id)
        .outerjoin(accounts, accounts.c.id == api_keys.c.created_by)
    )


def _info(row: Any) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row.id,
        project_id=row.project_id,
        project=row.project,
        name=row.name,
        prefix=row.prefix,
        created_ns=row.created_ns,
        revoked_ns=row.revoked_ns,
        created_by=row.creator_email,
    )


def list_keys(engine: Engine, project: str | None) -> list[ApiKeyInfo]:
    query = _key_query().order_by(api_keys.c.id)
    if project is not None:
        query = query.where(projects.c.name == project)
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(query).all()]


def revoke_key(engine: Engine, key_id_or_prefix: str) -> ApiKeyInfo:
    """Revoke by numeric id or by the shown prefix (which must match exactly one key)."""
    query = _key_query()
    # ASCII digits that fit a key id ("²".isdigit() is True and int() refuses it; a longer
    # number is no id and would overflow the driver): anything else is a prefix.
    if key_id_or_prefix.isascii() and key_id_or_prefix.isdigit() and len(key_id_or_prefix) <= 18:
        query = query.where(api_keys.c.id == int(key_id_or_prefix))
    else:
        query = query.where(api_keys.c.prefix == key_id_or_prefix[:SHOWN_PREFIX_CHARS])
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        if not rows:
            raise NotFound(f"no API key with id or prefix {key_id_or_prefix!r}")
        if len(rows) > 1:
            raise BadRequest(f"prefix {key_id_or_prefix!r} matches several keys; use the id")
        row = rows[0]
        now = row.revoked_ns or time.time_ns()
        conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(revoked_ns=now))
    info = _info(row)
    info.revoked_ns = now
    return info


def verify_key(engine: Engine, secret: str) -> int | None:
    if not secret.startswith(KEY_PREFIX):
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(api_keys.c.project_id, api_keys.c.revoked_ns).where(
                api_keys.c.key_hash == hash_key(secret)
            )
        ).first()
    if row is None or row.revoked_ns is not None:
        return None
    return int(row.project_id)
