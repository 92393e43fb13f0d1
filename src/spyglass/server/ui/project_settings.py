"""Settings of a project: projects, API keys (created — shown once — listed, revoked), custom
model prices, and (for admins) who may see the project: its members, added by email and
removed with a button.

Any account that may see a project may manage its keys and prices; creating projects and
adding people to them is for admins. Every POST checks the session's CSRF token.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from spyglass.exceptions import BadRequest
from spyglass.server.api.prices import model_name_of, parse_effective
from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import (
    PageError,
    ProjectView,
    ProjectViewDep,
    RowId,
    ViewerDep,
    app_state,
    checked_form,
    read_form,
)
from spyglass.server.ui.render import project_page
from spyglass.storage.models import CreatedKey, ProjectPrice

router = APIRouter(include_in_schema=False)

MAX_KEY_NAME = 200
RATES = ("input", "output", "cache_read", "cache_write", "reasoning")


async def _render(
    request: Request,
    view: ProjectView,
    *,
    new_key: CreatedKey | None = None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    state = app_state(request)
    keys = await run_blocking(state.store.list_keys, view.project.name)
    members = (
        await run_blocking(state.store.project_members, view.project.id)
        if view.viewer.account.is_admin
        else []
    )
    table = await state.prices.table_for(state.store, view.project.id)
    models = [m.as_dict() for m in table.models()]
    context: dict[str, Any] = {
        "keys": keys,
        "members": members,
        "new_key": new_key,
        "custom_prices": [m for m in models if m["source"] == "project"],
        "other_prices": [m for m in models if m["source"] != "project"],
        "error": error,
        "notice": notice,
    }
    return project_page(request, view, "settings.html", "settings", context, status)


@router.get("/p/{project_id}/settings")
async def settings_page(
    request: Request, view: ProjectViewDep, removed: int | None = None
) -> Response:
    notice = ""
    if removed is not None and view.viewer.account.is_admin:
        # After a removal (post/redirect/get, so a reload does not post again).
        store = app_state(request).store
        accounts = await run_blocking(store.list_accounts)
        gone = next((a for a in accounts if a.id == removed), None)
        if gone is not None:
            keys = await run_blocking(store.list_keys, view.project.name)
            theirs = [k.name for k in keys if k.created_by == gone.email and not k.revoked_ns]
            notice = _removed_notice(gone.email, gone.is_admin, theirs)
    return await _render(request, view, notice=notice)


def _removed_notice(email: str, is_admin: bool, their_keys: list[str]) -> str:
    notice = f"{email} can no longer see this project."
    # Keys belong to the project: apps may run on them, so they are not revoked unasked.
    if their_keys:
        names = ", ".join(their_keys)
        notice += f" API keys they created here still work until revoked below: {names}."
    if is_admin:
        notice += " (An admin still sees every project.)"
    return notice


@router.post("/p/{project_id}/settings/keys")
async def create_key(request: Request, view: ProjectViewDep) -> Response:
    form = await checked_form(request, view.viewer)
    name = str(form.get("name") or "").strip()[:MAX_KEY_NAME] or "web UI"
    created = await run_blocking(
        app_state(request).store.create_key, view.project.name, name, view.viewer.account.id
    )
    # Rendered, not redirected: the secret exists only in this response.
    return await _render(request, view, new_key=created)


@router.post("/p/{project_id}/settings/keys/{key_id}/revoke")
async def revoke_key(request: Request, view: ProjectViewDep, key_id: RowId) -> Response:
    await checked_form(request, view.viewer)
    store = app_state(request).store
    keys = await run_blocking(store.list_keys, view.project.name)
    if not any(k.id == key_id for k in keys):
        raise PageError(404, "This project has no such key.")
    await run_blocking(store.revoke_key, str(key_id))
    return RedirectResponse(f"{view.base}/settings#keys", status_code=303)


def _rate(form: FormData, name: str, required: bool) -> float | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        if required:
            raise BadRequest(f"the {name} price is required")
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"the {name} price must be a number (USD per 1M tokens)") from None
    if not 0 <= value < float("inf"):
        raise BadRequest(f"the {name} price must be zero or more")
    return value


@router.post("/p/{project_id}/settings/prices")
async def put_price(request: Request, view: ProjectViewDep) -> Response:
    form = await checked_form(request, view.viewer)
    state = app_state(request)
    try:
        raw_from = str(form.get("effective_from") or "").strip() or None
        price = ProjectPrice(
            model=model_name_of(str(form.get("model") or "")),
            effective_from_ns=parse_effective(raw_from),
            input=_rate(form, "input", True) or 0.0,
            output=_rate(form, "output", True) or 0.0,
            cache_read=_rate(form, "cache_read", False),
            cache_write=_rate(form, "cache_write", False),
            reasoning=_rate(form, "reasoning", False),
            updated_ns=time.time_ns(),
        )
    except BadRequest as exc:
        return await _render(request, view, error=exc.message, status=400)
    await run_blocking(state.store.put_model_price, view.project.id, price)
    state.prices.invalidate(view.project.id)
    return RedirectResponse(f"{view.base}/settings#prices", status_code=303)


@router.post("/p/{project_id}/settings/prices/delete")
async def delete_price(request: Request, view: ProjectViewDep) -> Response:
    form = await checked_form(request, view.viewer)
    state = app_state(request)
    model = model_name_of(str(form.get("model") or ""))
    await run_blocking(state.store.delete_model_prices, view.project.id, model, None)
    state.prices.invalidate(view.project.id)
    return RedirectResponse(f"{view.base}/settings#prices", status_code=303)


@router.post("/p/{project_id}/settings/members")
async def add_member(request: Request, view: ProjectViewDep) -> Response:
    form = await checked_form(request, view.viewer)
    if not view.viewer.account.is_admin:
        raise PageError(403, "Only admins add people to projects.")
    store = app_state(request).store
    email = str(form.get("email") or "")
    found = await run_blocking(store.account_login, email)
    if found is None:
        return await _render(
            request,
            view,
            error=f"No account {email!r}: create it with `spyglass users create` first.",
            status=400,
        )
    await run_blocking(store.add_member, found.account.id, view.project.id)
    return await _render(request, view, notice=f"{found.account.email} can now see this project.")


@router.post("/p/{project_id}/settings/members/{account_id}/remove")
async def remove_member(request: Request, view: ProjectViewDep, account_id: RowId) -> Response:
    await checked_form(request, view.viewer)
    if not view.viewer.account.is_admin:
        raise PageError(403, "Only admins remove people from projects.")
    store = app_state(request).store
    # Only members of this project: an account id from the path cannot reach another one.
    if not await run_blocking(store.remove_member, account_id, view.project.id):
        raise PageError(404, "That account is not a member of this project.")
    return RedirectResponse(f"{view.base}/settings?removed={account_id}#members", status_code=303)


@router.post("/settings/projects")
async def create_project(request: Request, viewer: ViewerDep) -> Response:
    await checked_form(request, viewer)
    if not viewer.account.is_admin:
        raise PageError(403, "Only admins create projects.")
    form = await read_form(request)
    store = app_state(request).store
    try:
        project = await run_blocking(store.create_project, str(form.get("name") or ""))
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    return RedirectResponse(f"/p/{project.id}/settings", status_code=303)
