"""App-tier fixtures of the web UI: two projects with realistic data, a member of alpha, an
admin, and a helper that logs a client in through the real login form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from spyglass._demo.sample import requests as sample_requests
from spyglass.server.ui.passwords import hash_password
from spyglass.storage.sql.store import SqlStore, open_store
from tests.server.harness import bearer, running_app
from tests.server.otlp import PROTOBUF, T0, chat_trace, tid, to_protobuf

PASSWORD = "correct horse battery"
MEMBER = "member@example.com"
ADMIN = "admin@example.com"
# Demo traces in alpha: every shape (RAG with documents, agent with a tool call, summariser),
# some failed: seed 4 gives every shape and three failures.
SAMPLE_TRACES = 40
SAMPLE_SEED = 4
_CSRF = re.compile(r'data-csrf="([^"]+)"')
_LOGIN_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class UiApp:
    client: httpx.AsyncClient
    store: SqlStore
    alpha: int
    beta: int
    alpha_key: str
    beta_key: str
    beta_trace: str

    async def login(self, email: str = MEMBER, password: str = PASSWORD) -> str:
        """Log in through the form; returns the session's CSRF token."""
        form = await self.client.get("/login")
        token = _LOGIN_CSRF.search(form.text)
        assert token, form.text
        resp = await self.client.post(
            "/login",
            data={"csrf": token.group(1), "email": email, "password": password, "next": "/"},
        )
        assert resp.status_code == 303, resp.text
        page = await self.client.get(f"/p/{self.alpha}/traces")
        found = _CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    def url(self, path: str, project: int | None = None) -> str:
        return f"/p/{project or self.alpha}{path}"


async def _ingest(client: httpx.AsyncClient, key: str, body: bytes) -> None:
    resp = await client.post(
        "/v1/traces", content=body, headers={"Content-Type": PROTOBUF, **bearer(key)}
    )
    assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def _ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Accounts are made once per module: argon2 hashing is slow on purpose."""
    path = tmp_path_factory.mktemp("ui") / "spyglass.db"
    store = open_store(f"sqlite:///{path}")
    try:
        alpha = store.create_project("alpha")
        store.create_project("beta")
        member = store.create_account(MEMBER, hash_password(PASSWORD), is_admin=False)
        store.add_member(member.id, alpha.id)
        store.create_account(ADMIN, hash_password(PASSWORD), is_admin=True)
    finally:
        store.close()
    return path


@pytest.fixture
async def ui(_ui_template: Path, tmp_path: Path) -> AsyncIterator[UiApp]:
    path = tmp_path / "spyglass.db"
    path.write_bytes(_ui_template.read_bytes())
    store = open_store(f"sqlite:///{path}")
    alpha = store.get_project("alpha")
    beta = store.get_project("beta")
    assert alpha is not None and beta is not None
    alpha_key = store.create_key("alpha").secret
    beta_key = store.create_key("beta").secret
    try:
        async with running_app(store, tmp_path) as client:
            for body, _ in sample_requests(
                SAMPLE_TRACES, seed=SAMPLE_SEED, end_ns=T0, spread_s=3_600
            ):
                await _ingest(client, alpha_key, body)
            await _ingest(
                client, alpha_key, to_protobuf(chat_trace(1, user="ann", session="s-ann"))
            )
            await _ingest(client, beta_key, to_protobuf(chat_trace(2, user="bob")))
            yield UiApp(client, store, alpha.id, beta.id, alpha_key, beta_key, tid(2))
    finally:
        store.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


__all__ = ["ADMIN", "MEMBER", "PASSWORD", "UiApp"]
