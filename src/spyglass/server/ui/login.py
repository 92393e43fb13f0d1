"""Login, logout and the front door ``/``."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.server.blocking import run_blocking
from spyglass.server.ui import passwords
from spyglass.server.ui.logins import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    PageError,
    ViewerDep,
    app_state,
    checked_form,
    end_session,
    login_csrf,
    login_throttle,
    read_form,
    safe_next,
    set_login_csrf,
    start_session,
)
from spyglass.server.ui.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index(request: Request, viewer: ViewerDep) -> Response:
    if viewer.projects:
        return RedirectResponse(f"/p/{viewer.projects[0].id}/traces", status_code=303)
    return page(request, "empty.html", {"viewer": viewer, "project": None})


@router.get("/p/{project_id}")
async def project_home(project_id: int) -> Response:
    return RedirectResponse(f"/p/{project_id}/traces", status_code=303)


def _login_page(
    request: Request, next_url: str, email: str = "", error: str = "", status: int = 200
) -> Response:
    token, is_new = login_csrf(request)
    response = page(
        request,
        "login.html",
        {"csrf": token, "next": next_url, "email": email, "error": error},
        status,
    )
    if is_new:
        set_login_csrf(request, response, token)
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    if request.cookies.get(SESSION_COOKIE):
        state = app_state(request)
        token = request.cookies[SESSION_COOKIE]
        live = await run_blocking(state.store.get_login_session, token[:100])
        if live is not None:
            return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    sent = str(form.get("csrf") or "")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PageError(403, "The login form expired or was not sent from this site. Reload it.")
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or ""))
    throttle = login_throttle(request)
    key = email.lower()
    if throttle.blocked(key):
        return _login_page(
            request,
            next_url,
            email,
            "Too many failed logins for this email: try again in 15 minutes.",
            429,
        )
    store = app_state(request).store
    found = await run_blocking(store.account_login, email) if email else None
    # Verify against a dummy hash when the account is unknown: same time, same answer.
    stored_hash = found.password_hash if found else passwords.dummy_hash()
    ok = await run_blocking(passwords.verify_password, stored_hash, password)
    if not ok or found is None:
        throttle.failed(key)
        return _login_page(request, next_url, email, "Wrong email or password.", 401)
    throttle.succeeded(key)
    if passwords.needs_rehash(found.password_hash):
        new_hash = await run_blocking(passwords.hash_password, password)
        await run_blocking(store.set_password_hash, found.account.id, new_hash)
    response = RedirectResponse(next_url, status_code=303)
    await start_session(request, response, found.account)
    return response


@router.post("/logout")
async def logout(request: Request, viewer: ViewerDep) -> Response:
    await checked_form(request, viewer)
    response = RedirectResponse("/login", status_code=303)
    await end_session(request, response)
    return response
