"""The web UI: server-rendered pages (Jinja2 + htmx) at ``/``, logged in with an account.

Pages live under ``/p/{project_id}/...`` so a link names its project; each checks that the
logged-in account may see that project. Static files (our CSS/JS and the vendored htmx and
uPlot, see ``static/vendor/VENDORED.md``) are served from ``/assets``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from spyglass.server.ui import (
    conversations,
    dashboard,
    datasets,
    errors,
    experiments,
    feedback,
    login,
    project_settings,
    trace,
    traces,
    users,
)
from spyglass.server.ui.render import STATIC_DIR


def install(app: FastAPI) -> None:
    """Mount the UI's routes, static files and HTML error pages on ``app``."""
    errors.install(app)
    app.mount("/assets", StaticFiles(directory=str(STATIC_DIR)), name="assets")
    for module in (
        login,
        traces,
        trace,
        feedback,
        dashboard,
        conversations,
        datasets,
        experiments,
        users,
        project_settings,
    ):
        app.include_router(module.router)
