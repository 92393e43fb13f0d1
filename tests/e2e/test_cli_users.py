"""`spyglass users` and the first start's admin account, as a user runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from spyglass.server.ui.passwords import verify_password
from spyglass.storage.sql.store import open_store
from tests.e2e.harness import ServerProcess, clean_env

pytestmark = pytest.mark.e2e


def users(*args: str, home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spyglass.cli", "users", *args],
        env=clean_env(home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_users_create_add_password_and_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/users.db"
    made = users(
        "create", "--email", "Ann@Example.com", "--password-stdin", "--project", "shop",
        "--db", db, home=tmp_path, stdin="first password\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "ann@example.com" in made.stdout and "shop" in made.stdout
    again = users(
        "create", "--email", "ann@example.com", "--password-stdin", "--db", db,
        home=tmp_path, stdin="another password\n",
    )  # fmt: skip
    assert again.returncode == 1 and "already exists" in again.stderr
    short = users(
        "create", "--email", "bob@example.com", "--password-stdin", "--db", db,
        home=tmp_path, stdin="short\n",
    )  # fmt: skip
    assert short.returncode == 1 and "8 to" in short.stderr
    added = users(
        "add", "--email", "ann@example.com", "--project", "blog", "--db", db, home=tmp_path
    )
    assert added.returncode == 0, added.stderr
    changed = users(
        "password", "--email", "ann@example.com", "--password-stdin", "--db", db,
        home=tmp_path, stdin="second password\n",
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    admin = users(
        "create", "--email", "root@example.com", "--password-stdin", "--admin", "--db", db,
        home=tmp_path, stdin="admin password\n",
    )  # fmt: skip
    assert admin.returncode == 0, admin.stderr
    listed = users("list", "--db", db, home=tmp_path)
    assert re.search(r"ann@example\.com.*member.*shop, blog", listed.stdout), listed.stdout
    assert re.search(r"root@example\.com.*admin.*all", listed.stdout), listed.stdout

    store = open_store(db)
    try:
        login = store.account_login("ann@example.com")
        assert login is not None and not login.account.is_admin
        assert verify_password(login.password_hash, "second password")
        assert not verify_password(login.password_hash, "first password")
        assert login.password_hash.startswith("$argon2id$")
    finally:
        store.close()


def test_users_remove_takes_projects_away(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/users.db"
    made = users(
        "create", "--email", "ann@example.com", "--password-stdin", "--project", "shop",
        "--project", "blog", "--db", db, home=tmp_path, stdin="a good password\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    typo = users(
        "remove", "--email", "ann@example.com", "--project", "shop", "--project", "shpo",
        "--db", db, home=tmp_path,
    )  # fmt: skip
    assert typo.returncode == 1 and "no project shpo; nothing was changed" in typo.stderr
    removed = users(
        "remove", "--email", "ann@example.com", "--project", "shop", "--db", db, home=tmp_path
    )
    assert removed.returncode == 0, removed.stderr
    assert "no longer sees shop" in removed.stdout and "revoke any they had" in removed.stdout
    again = users(
        "remove", "--email", "ann@example.com", "--project", "shop", "--db", db, home=tmp_path
    )
    assert again.returncode == 0 and "was not a member of shop" in again.stdout
    nobody = users(
        "remove", "--email", "bob@example.com", "--project", "shop", "--db", db, home=tmp_path
    )
    assert nobody.returncode == 1 and "no account bob@example.com" in nobody.stderr
    listed = users("list", "--db", db, home=tmp_path)
    assert re.search(r"ann@example\.com.*member.*blog", listed.stdout), listed.stdout
    assert "shop" not in listed.stdout.split("ann@example.com")[1].splitlines()[0]


def test_first_start_creates_an_admin_and_prints_how_to_log_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = ServerProcess(f"sqlite:///{tmp_path}/first.db", home).start()
    try:
        log = server.log()
        found = re.search(r"log in as admin@localhost with password (\S+)", log)
        assert found, log
        with httpx.Client(base_url=server.url) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            resp = client.post(
                "/login",
                data={"csrf": token, "email": "admin@localhost", "password": found.group(1)},
            )
            assert resp.status_code == 303
            assert client.get("/p/1/traces").status_code == 200
    finally:
        server.stop()
    # The second start creates nothing and prints no password.
    again = ServerProcess(f"sqlite:///{tmp_path}/first.db", tmp_path / "home2").start()
    again.stop()
    assert "password" not in again.log()
