"""Who is looking: login sessions, CSRF tokens and project access for the web UI.

The session cookie holds a random 256-bit token; the store keeps its SHA-256 with the account
and a per-session CSRF token, so logging out really ends the session. Every form POST carries
that CSRF token (a hidden ``csrf`` field, or the ``X-CSRF-Token`` header htmx sends) and is
refused with 403 without it. The login form, which has no session yet, uses a double-submit
cookie instead. The JSON API keeps its own API-key auth (``server/auth.py``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Path, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from spyglass.exceptions import BadRequest
from spyglass.server.blocking import run_blocking
from spyglass.server.ingest.body import read_limited
from spyglass.server.state import AppState
from spyglass.storage.models import Account, Project

SESSION_COOKIE = "spyglass_session"
LOGIN_CSRF_COOKIE = "spyglass_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
DAY_NS = 86_400 * 1_000_000_000


class LoginRequired(Exception):
    """No live session: the UI answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


class PageError(Exception):
    """An HTML error page with a status: 403 bad CSRF token, 404 no such page or project."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """The logged-in account, its session's CSRF token and the projects it may see."""

    account: Account
    csrf_token: str
    projects: list[Project]


@dataclass(frozen=True)
class ProjectView:
    """A viewer on one of its projects: what every project page starts from."""

    viewer: Viewer
    project: Project

    @property
    def base(self) -> str:
        """URL prefix of this project's pages."""
        return f"/p/{self.project.id}"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.spyglass
    return state


def _here(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


async def get_viewer(request: Request) -> Viewer:
    """FastAPI dependency: the logged-in viewer, or ``LoginRequired``."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        raise LoginRequired(_here(request))
    store = app_state(request).store
    session = await run_blocking(store.get_login_session, token)
    if session is None:
        raise LoginRequired(_here(request))
    projects = await run_blocking(store.account_projects, session.account)
    return Viewer(account=session.account, csrf_token=session.csrf_token, projects=projects)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


async def get_project_view(viewer: ViewerDep, project_id: int) -> ProjectView:
    """FastAPI dependency: the viewer on the project of the path, which it must be allowed to
    see. Someone else's project answers 404 like a missing one, so ids reveal nothing."""
    for project in viewer.projects:
        if project.id == project_id:
            return ProjectView(viewer=viewer, project=project)
    raise PageError(404, "There is no such project, or you may not see it.")


ProjectViewDep = Annotated[ProjectView, Depends(get_project_view)]


# The id of a row (an account, a key) in a URL: within the database's integer column, so a
# larger one is a 400 page rather than an overflow in the driver.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Fields a UI form may have: the largest, the prices form, has a dozen.
MAX_FORM_FIELDS = 100
# Bytes a UI form may have (at most ``max_body_bytes``): the login form is read before anyone
# is known, and no UI form needs more than a few KB.
MAX_FORM_BYTES = 256 * 1024


async def read_form(request: Request) -> FormData:
    """The POSTed form's fields, read within ``MAX_FORM_BYTES``, with no file parts (no UI form
    uploads one) and no NUL characters (PostgreSQL text cannot hold one: it answered 500)."""
    if request._form is None and not hasattr(request, "_body"):
        limit = min(MAX_FORM_BYTES, app_state(request).settings.max_body_bytes)
        # Kept where Starlette's form parser looks for an already read body.
        request._body = await read_limited(
            request.stream(), request.headers.get("content-length"), limit
        )
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    for name, value in form.multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise BadRequest(f"form field {name[:50]!r} holds a NUL character (U+0000)")
    return form


async def checked_form(request: Request, viewer: Viewer) -> FormData:
    """The POSTed form, after checking its CSRF token against the viewer's session."""
    form = await read_form(request)
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(sent, str) or not secrets.compare_digest(
        sent.encode(), viewer.csrf_token.encode()
    ):
        raise PageError(403, "The form was missing its security token. Reload and try again.")
    return form


async def start_session(request: Request, response: Response, account: Account) -> None:
    """Create a login session for ``account`` and set its cookie on ``response``."""
    state = app_state(request)
    token = secrets.token_urlsafe(32)
    lifetime_ns = int(float(state.settings.login_days) * DAY_NS)
    await run_blocking(
        state.store.create_login_session,
        token,
        account.id,
        secrets.token_urlsafe(32),
        time.time_ns() + lifetime_ns,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=lifetime_ns // 1_000_000_000,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_blocking(app_state(request).store.delete_login_session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_csrf(request: Request) -> tuple[str, bool]:
    """The login form's double-submit token: the cookie's, or a new one (then True)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if token and len(token) <= 100:
        return token, False
    return secrets.token_urlsafe(32), True


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )


# Failed logins allowed per email within the window; then that email is refused until the
# window has passed. Guessing stays slow even where argon2's cost would allow ~20 tries a
# second, while a person who mistypes ten times waits minutes, not forever.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW_S = 900.0
# Bounds the memory: past this many emails the record is simply cleared.
_MAX_TRACKED_EMAILS = 10_000


class LoginThrottle:
    """Failed login times per email, in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, email: str) -> list[float]:
        cutoff = self._clock() - FAILED_LOGIN_WINDOW_S
        recent = [t for t in self._failures.get(email, []) if t > cutoff]
        if recent:
            self._failures[email] = recent
        else:
            self._failures.pop(email, None)
        return recent

    def blocked(self, email: str) -> bool:
        return len(self._recent(email)) >= MAX_FAILED_LOGINS

    def failed(self, email: str) -> None:
        if len(self._failures) >= _MAX_TRACKED_EMAILS:
            self._failures.clear()
        self._failures.setdefault(email, []).append(self._clock())

    def succeeded(self, email: str) -> None:
        self._failures.pop(email, None)


def login_throttle(request: Request) -> LoginThrottle:
    """The app's throttle (one per app, created on first use)."""
    throttle: LoginThrottle | None = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    return throttle


def safe_next(raw: str | None) -> str:
    """Where to go after logging in: only a path on this site (never //evil.example)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")
