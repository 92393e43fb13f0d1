"""Login, sessions, CSRF and project isolation of the web UI (in-process app)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.server.harness import bearer
from tests.server.ui.conftest import ADMIN, MEMBER, PASSWORD, UiApp

pytestmark = pytest.mark.anyio

PAGES = ("/traces", "/sessions", "/users", "/dashboard", "/settings")


async def test_every_page_redirects_to_login_without_a_session(ui: UiApp) -> None:
    for path in ("/", *(ui.url(p) for p in PAGES), ui.url(f"/traces/{ui.beta_trace}")):
        resp = await ui.client.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"].startswith("/login?next="), path
    # htmx fragments get a header htmx follows with a full page load.
    frag = await ui.client.get(ui.url("/traces?partial=rows"), headers={"HX-Request": "true"})
    assert frag.status_code == 401 and frag.headers["HX-Redirect"].startswith("/login")


async def test_login_sets_a_secure_session_cookie_and_returns_to_next(ui: UiApp) -> None:
    form = await ui.client.get("/login?next=/p/1/users")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    resp = await ui.client.post(
        "/login",
        data={"csrf": token, "email": MEMBER.upper(), "password": PASSWORD, "next": "/p/1/users"},
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/p/1/users"
    cookie = resp.headers["set-cookie"]
    assert "spyglass_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = await ui.client.get(ui.url("/traces"))
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["cache-control"] == "no-store"


async def test_cookie_is_secure_over_https(ui: UiApp) -> None:
    transport = ui.client._transport  # the same in-process app
    async with httpx.AsyncClient(transport=transport, base_url="https://spyglass.test") as c:
        form = await c.get("/login")
        assert "Secure" in form.headers["set-cookie"]
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        resp = await c.post("/login", data={"csrf": token, "email": MEMBER, "password": PASSWORD})
        assert resp.status_code == 303
        assert "Secure" in resp.headers["set-cookie"]


@pytest.mark.parametrize(
    ("email", "password"), [(MEMBER, "wrong password"), ("nobody@example.com", PASSWORD)]
)
async def test_wrong_credentials_are_refused_alike(ui: UiApp, email: str, password: str) -> None:
    form = await ui.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    resp = await ui.client.post(
        "/login", data={"csrf": token, "email": email, "password": password}
    )
    assert resp.status_code == 401
    assert "Wrong email or password." in resp.text
    assert "spyglass_session" not in resp.headers.get("set-cookie", "")


async def test_login_without_its_csrf_token_is_forbidden(ui: UiApp) -> None:
    await ui.client.get("/login")
    resp = await ui.client.post("/login", data={"email": MEMBER, "password": PASSWORD})
    assert resp.status_code == 403
    resp = await ui.client.post(
        "/login", data={"csrf": "forged", "email": MEMBER, "password": PASSWORD}
    )
    assert resp.status_code == 403


async def test_next_never_leaves_the_site(ui: UiApp) -> None:
    form = await ui.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        resp = await ui.client.post(
            "/login",
            data={"csrf": token, "email": MEMBER, "password": PASSWORD, "next": target},
        )
        assert resp.headers["location"] == "/", target


async def test_logout_needs_the_token_and_ends_the_session(ui: UiApp) -> None:
    csrf = await ui.login()
    cookie = ui.client.cookies.get("spyglass_session")
    assert (await ui.client.post("/logout")).status_code == 403
    resp = await ui.client.post("/logout", data={"csrf": csrf})
    assert resp.status_code == 303 and resp.headers["location"] == "/login"
    # The old cookie is dead on the server, not just deleted in this browser.
    ui.client.cookies.set("spyglass_session", cookie or "")
    assert (await ui.client.get(ui.url("/traces"))).status_code == 303


async def test_every_form_post_needs_the_csrf_token(ui: UiApp) -> None:
    csrf = await ui.login(ADMIN)
    trace = "00000000000000000000000000000001"
    posts = {
        ui.url(f"/traces/{trace}/scores"): {"thumb": "up"},
        ui.url("/settings/keys"): {"name": "k"},
        ui.url("/settings/keys/1/revoke"): {},
        ui.url("/settings/prices"): {"model": "m", "input": "1", "output": "2"},
        ui.url("/settings/prices/delete"): {"model": "m"},
        ui.url("/settings/members"): {"email": MEMBER},
        "/settings/projects": {"name": "gamma"},
    }
    for path, data in posts.items():
        assert (await ui.client.post(path, data=data)).status_code == 403, path
        bad = await ui.client.post(path, data={**data, "csrf": csrf[:-2] + "xx"})
        assert bad.status_code == 403, path
    # Nothing happened.
    assert ui.store.get_project("gamma") is None
    assert [k.name for k in ui.store.list_keys("alpha")] == ["default"]
    # The header htmx sends is as good as the field.
    ok = await ui.client.post(
        ui.url(f"/traces/{trace}/scores"),
        data={"thumb": "up"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert ok.status_code == 200


async def test_a_member_cannot_open_another_projects_pages(ui: UiApp) -> None:
    await ui.login(MEMBER)
    for path in PAGES:
        resp = await ui.client.get(ui.url(path, ui.beta))
        assert resp.status_code == 404, path
        assert "text/html" in resp.headers["content-type"]
    # beta's trace: neither under beta nor under alpha's URL.
    assert (await ui.client.get(ui.url(f"/traces/{ui.beta_trace}", ui.beta))).status_code == 404
    assert (await ui.client.get(ui.url(f"/traces/{ui.beta_trace}"))).status_code == 404
    span = ui.url(f"/traces/{ui.beta_trace}/spans/0000000200000001")
    assert (await ui.client.get(span)).status_code == 404
    # Nor score it through alpha.
    page = await ui.client.get(ui.url("/traces"))
    csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    post = await ui.client.post(
        ui.url(f"/traces/{ui.beta_trace}/scores"), data={"csrf": csrf, "thumb": "down"}
    )
    assert post.status_code == 404
    scores = await ui.client.get(
        "/api/scores", params={"trace_id": ui.beta_trace}, headers=bearer(ui.beta_key)
    )
    assert scores.json()["items"] == []
    # The project switcher offers only alpha.
    assert "beta" not in page.text.split("</header>")[0]


async def test_admins_see_every_project_and_members_cannot_administer(ui: UiApp) -> None:
    csrf = await ui.login(MEMBER)
    assert (
        await ui.client.post("/settings/projects", data={"csrf": csrf, "name": "gamma"})
    ).status_code == 403
    members = await ui.client.post(
        ui.url("/settings/members"), data={"csrf": csrf, "email": MEMBER}
    )
    assert members.status_code == 403
    await ui.client.post("/logout", data={"csrf": csrf})
    await ui.login(ADMIN)
    assert (await ui.client.get(ui.url("/traces", ui.beta))).status_code == 200


async def test_the_json_api_keeps_api_key_auth_and_json_errors(ui: UiApp) -> None:
    await ui.login(MEMBER)
    # A browser session is not an API credential.
    resp = await ui.client.get("/api/traces")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "unauthorized"
    resp = await ui.client.get("/api/traces/nothex", headers=bearer(ui.alpha_key))
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_request"
    page = await ui.client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


async def test_repeated_failures_lock_the_email_for_a_while(ui: UiApp) -> None:
    form = await ui.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    for _ in range(10):
        resp = await ui.client.post(
            "/login", data={"csrf": token, "email": MEMBER, "password": "guess"}
        )
        assert resp.status_code == 401
    # The right password no longer helps, for this email only.
    locked = await ui.client.post(
        "/login", data={"csrf": token, "email": MEMBER, "password": PASSWORD}
    )
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    other = await ui.client.post(
        "/login", data={"csrf": token, "email": ADMIN, "password": PASSWORD}
    )
    assert other.status_code == 303
