"""Jinja2 templates of the web UI, the filters they use, and the headers every page gets."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from spyglass._json import dumps
from spyglass._version import __version__
from spyglass.server.ui.span_view import payload

if TYPE_CHECKING:
    from spyglass.server.ui.logins import ProjectView

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Scripts only from this server (no inline script, no eval): a string that slipped past
# escaping still cannot run. Inline styles stay allowed for computed widths (waterfall bars).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Pages show one project's data to one account: never let a shared cache keep them.
    "Cache-Control": "no-store",
}


def ts(ns: int | None) -> str:
    """Nanoseconds since the epoch as a UTC time people read."""
    if ns is None:
        return ""
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso(ns: int | None) -> str:
    if ns is None:
        return ""
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    if ms >= 60_000:
        return f"{ms / 60_000:.1f} min"
    if ms >= 1_000:
        return f"{ms / 1_000:.2f} s"
    if ms >= 1:
        return f"{ms:.0f} ms"
    return f"{ms * 1000:.0f} µs"


def money(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "$0"
    if value < 0.01:
        return f"${value:.5f}".rstrip("0")
    return f"${value:,.4f}".rstrip("0").rstrip(".")


def number(value: object) -> str:
    """A count or amount with thousands separators; "—" for none or a non-number (an uploaded
    run summary may hold anything where a number belongs)."""
    if not _is_number(value):
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}"
    return f"{int(value):,}"


def score_value(value: Any) -> str:
    # Arrows, not emoji: emoji fonts are missing on many Linux desktops and servers.
    if value is True:
        return "▲ up"
    if value is False:
        return "▼ down"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def stat(value: object, digits: int = 3) -> str:
    """A statistic (mean, bound, p-value, effect) to a fixed number of decimals; "—" for
    none, or for what an uploaded run summary holds in its place (a missing key, a string)."""
    if not _is_number(value):
        return "—"
    return f"{value:.{digits}f}"


def signed(value: object, digits: int = 3) -> str:
    """A difference, always with its sign."""
    if not _is_number(value):
        return "—"
    return f"{value:+.{digits}f}"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def script_json(value: Any) -> str:
    """JSON to put in a <script type="application/json">: no "</script>" can end it early.

    Through orjson (``spyglass._json``): the 10,000-span trace tree is most of a megabyte, and
    the stdlib took about 25 ms to write it. Meant for plain data (lists, dicts, strings,
    numbers): orjson writes dates and a few other types differently from the stdlib."""
    text = dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def url_part(value: str) -> str:
    """A path segment: every reserved character escaped, '/' included."""
    return quote(value, safe="")


def with_query(path: str, params: dict[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        ts=ts,
        iso=iso,
        duration=duration,
        money=money,
        number=number,
        score_value=score_value,
        stat=stat,
        signed=signed,
        payload=payload,
        pretty_json=pretty_json,
        script_json=script_json,
        url_part=url_part,
    )
    env.globals.update(version=__version__, with_query=with_query)
    return env


ENV = _environment()


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` (plus ``request``) as an HTML response."""
    html = ENV.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def project_page(
    request: Request,
    view: ProjectView,
    template: str,
    active: str,
    context: dict[str, Any],
    status: int = 200,
) -> HTMLResponse:
    """A page of one project: the layout needs the viewer, the project and the active tab."""
    return page(
        request,
        template,
        {
            "view": view,
            "viewer": view.viewer,
            "project": view.project,
            "base": view.base,
            "active": active,
            **context,
        },
        status,
    )
