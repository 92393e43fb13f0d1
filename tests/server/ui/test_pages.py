"""Each web UI page answers 200 with the project's data (in-process app, real store)."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from spyglass.server.ui import traces as traces_ui
from tests.server.harness import bearer
from tests.server.otlp import tid
from tests.server.ui.conftest import ADMIN, MEMBER, UiApp

pytestmark = pytest.mark.anyio


def tree_of(html: str) -> dict[str, Any]:
    raw = re.search(r'<script type="application/json" id="tree-data">(.*?)</script>', html, re.S)
    assert raw, html[:500]
    data: dict[str, Any] = json.loads(raw.group(1))
    return data


async def api_traces(ui: UiApp, **params: Any) -> list[dict[str, Any]]:
    resp = await ui.client.get("/api/traces", params=params, headers=bearer(ui.alpha_key))
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def test_traces_page_lists_traces_with_the_api_filters(ui: UiApp) -> None:
    await ui.login()
    page = await ui.client.get(ui.url("/traces"))
    assert page.status_code == 200
    newest = await api_traces(ui, limit=50)
    for t in newest[:5]:
        assert f"/traces/{t['trace_id']}" in page.text
    errors = await ui.client.get(ui.url("/traces"), params={"status": "ERROR"})
    expected = await api_traces(ui, status="ERROR")
    assert expected, "the sample has failed traces"
    assert errors.text.count('class="status error"') >= len(expected)
    assert errors.text.count("<tr>") == len(expected) + 1  # + the header row
    by_user = await ui.client.get(ui.url("/traces"), params={"user_id": "ann"})
    assert f"/traces/{tid(1)}" in by_user.text and by_user.text.count("<tr>") == 2
    text = await ui.client.get(ui.url("/traces"), params={"q": "refund policy"})
    assert f"/traces/{tid(1)}" in text.text
    bad = await ui.client.get(ui.url("/traces"), params={"metadata": "novalue"})
    assert bad.status_code == 200 and "key=value" in bad.text


async def test_traces_page_pages_by_keyset_and_refreshes_its_rows(
    ui: UiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(traces_ui, "PAGE_SIZE", 7)
    await ui.login()
    seen: list[str] = []
    url: str | None = ui.url("/traces")
    while url:
        page = await ui.client.get(url)
        seen += re.findall(r'href="/p/\d+/traces/([0-9a-f]{32})"', page.text)
        nxt = re.search(r'<a class="button" href="([^"]+)" rel="next">', page.text)
        url = unescape(nxt.group(1)) if nxt else None
    everything = [t["trace_id"] for t in await api_traces(ui, limit=500)]
    assert seen == everything and len(seen) == len(set(seen)) == 41
    rows = await ui.client.get(ui.url("/traces?partial=rows&status=OK"))
    assert rows.text.startswith('<tbody id="trace-rows"') and "<html" not in rows.text


async def test_trace_page_carries_the_tree_and_spans_render_for_what_they_are(ui: UiApp) -> None:
    await ui.login()
    agent = (await api_traces(ui, name="invoke_agent support-agent"))[0]
    page = await ui.client.get(ui.url(f"/traces/{agent['trace_id']}"))
    assert page.status_code == 200
    tree = tree_of(page.text)
    kinds = [s[4] for s in tree["spans"]]
    assert kinds[0] == "AGENT" and "TOOL" in kinds and "LLM" in kinds
    assert tree["spans"][0][1] == -1 and all(s[1] >= 0 for s in tree["spans"][1:])
    # The LLM call with a tool call: roles, the call's name and JSON arguments.
    llm = next(s for s in tree["spans"] if s[4] == "LLM")
    frag = await ui.client.get(ui.url(f"/traces/{agent['trace_id']}/spans/{llm[0]}"))
    assert frag.status_code == 200 and "<html" not in frag.text
    assert 'class="msg system"' in frag.text and 'class="msg user"' in frag.text
    assert 'class="toolcall"' in frag.text and "order_id" in frag.text
    assert "Input tokens" in frag.text and "Cost" in frag.text
    assert "temperature" in frag.text  # parameters

    rag = next(t for t in await api_traces(ui, name="rag-chat") if t["trace_id"] != tid(1))
    tree = tree_of((await ui.client.get(ui.url(f"/traces/{rag['trace_id']}"))).text)
    retriever = next(s for s in tree["spans"] if s[4] == "RETRIEVER")
    frag = await ui.client.get(ui.url(f"/traces/{rag['trace_id']}/spans/{retriever[0]}"))
    assert frag.text.count('class="doc"') == 3 and "score <b>0." in frag.text


async def test_a_failed_span_shows_its_error_and_stack_trace(ui: UiApp) -> None:
    await ui.login()
    failed = (await api_traces(ui, status="ERROR"))[0]
    tree = tree_of((await ui.client.get(ui.url(f"/traces/{failed['trace_id']}"))).text)
    span = next(s for s in tree["spans"] if s[7] == 1)
    frag = await ui.client.get(ui.url(f"/traces/{failed['trace_id']}/spans/{span[0]}"))
    assert "Stack trace" in frag.text and "Traceback (most recent call last)" in frag.text
    assert "APITimeoutError" in frag.text


async def test_feedback_is_stored_as_a_human_score_and_shows_at_once(ui: UiApp) -> None:
    csrf = await ui.login()
    trace = tid(1)
    base = ui.url(f"/traces/{trace}/scores")
    hx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    up = await ui.client.post(base, data={"name": "thumbs", "thumb": "up"}, headers=hx)
    assert up.status_code == 200 and 'id="trace-scores"' in up.text and "▲ up" in up.text
    num = await ui.client.post(
        base,
        data={
            "name": "accuracy",
            "value": "0.75",
            "comment": "mostly right",
            "span_id": f"{1:08x}{2:08x}",
        },
        headers=hx,
    )
    assert 'id="span-scores"' in num.text and "0.75" in num.text and "mostly right" in num.text
    plain = await ui.client.post(base, data={"csrf": csrf, "name": "verdict", "value": "correct"})
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"/traces/{trace}")
    empty = await ui.client.post(base, data={"csrf": csrf, "value": " "})
    assert empty.status_code == 400
    scores = (
        await ui.client.get("/api/scores", params={"trace_id": trace}, headers=bearer(ui.alpha_key))
    ).json()["items"]
    got = {(s["name"], s["data_type"], str(s["value"]), s["source"], s["author"]) for s in scores}
    assert got == {
        ("thumbs", "BOOLEAN", "True", "human", MEMBER),
        ("accuracy", "NUMERIC", "0.75", "human", MEMBER),
        ("verdict", "CATEGORICAL", "correct", "human", MEMBER),
    }
    page = await ui.client.get(ui.url(f"/traces/{trace}"))
    assert "thumbs" in page.text and "verdict" in page.text
    listing = await ui.client.get(ui.url("/traces"), params={"user_id": "ann"})
    assert "thumbs ▲" in listing.text


async def test_dashboard_draws_from_the_metrics_query(ui: UiApp) -> None:
    await ui.login()
    page = await ui.client.get(ui.url("/dashboard?window=30d&by=release"))
    assert page.status_code == 200 and "uPlot.iife.min.js" in page.text
    assert 'data-src="/p/1/dashboard/data?window=30d&amp;by=release"' in page.text
    # The sample's clock is fixed in 2025: ask for data around it through a long window? No:
    # the window ends now, so the fixed-clock sample is outside it; the shape is what counts.
    data = (await ui.client.get(ui.url("/dashboard/data?window=30d&by=release"))).json()
    assert len(data["x"]) == len(data["requests"]) == len(data["p95"]) == len(data["ttft"])
    assert set(data["totals"]) >= {"requests", "error_rate", "cost", "worst_p95_ms"}
    assert (await ui.client.get(ui.url("/dashboard?window=2y"))).status_code == 400


async def test_sessions_and_users_pages(ui: UiApp) -> None:
    await ui.login()
    sessions = await ui.client.get(ui.url("/sessions"))
    assert sessions.status_code == 200 and "/sessions/s-ann" in sessions.text
    session = await ui.client.get(ui.url("/sessions/s-ann"))
    assert session.status_code == 200
    assert (
        "What is the refund policy?" in session.text and "Refunds take five days." in session.text
    )
    assert f"/traces/{tid(1)}" in session.text
    users = await ui.client.get(ui.url("/users"))
    assert users.status_code == 200 and "/users/ann" in users.text
    user = await ui.client.get(ui.url("/users/ann"))
    assert f"/traces/{tid(1)}" in user.text and "s-ann" in user.text
    odd = await ui.client.get(ui.url("/users/a%2Fb%20c"))
    assert odd.status_code == 200 and "No traces" in odd.text


async def test_settings_create_show_once_and_revoke_a_key(ui: UiApp) -> None:
    csrf = await ui.login()
    created = await ui.client.post(ui.url("/settings/keys"), data={"csrf": csrf, "name": "ci"})
    secret = re.search(r'id="new-key-secret">(sg_[^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    assert (await ui.client.get("/api/traces", headers=bearer(secret))).status_code == 200
    again = await ui.client.get(ui.url("/settings"))
    assert secret not in again.text and "ci" in again.text
    key_id = next(k.id for k in ui.store.list_keys("alpha") if k.name == "ci")
    # Another project's key cannot be revoked from here.
    beta_key_id = ui.store.list_keys("beta")[0].id
    other = await ui.client.post(
        ui.url(f"/settings/keys/{beta_key_id}/revoke"), data={"csrf": csrf}
    )
    assert other.status_code == 404 and ui.store.list_keys("beta")[0].revoked_ns is None
    revoked = await ui.client.post(ui.url(f"/settings/keys/{key_id}/revoke"), data={"csrf": csrf})
    assert revoked.status_code == 303
    # key_cache_seconds is 0 in the app tier: the key stops at once.
    assert (await ui.client.get("/api/traces", headers=bearer(secret))).status_code == 401


async def test_settings_custom_prices(ui: UiApp) -> None:
    csrf = await ui.login()
    form = {"csrf": csrf, "model": "My-Model", "input": "1.5", "output": "6", "cache_read": "0.3"}
    assert (await ui.client.post(ui.url("/settings/prices"), data=form)).status_code == 303
    prices = (await ui.client.get("/api/prices", headers=bearer(ui.alpha_key))).json()["models"]
    mine = next(m for m in prices if m["model"] == "my-model")
    assert mine["source"] == "project" and mine["prices"][0]["input"] == 1.5
    page = await ui.client.get(ui.url("/settings"))
    assert "my-model" in page.text
    bad = await ui.client.post(ui.url("/settings/prices"), data={**form, "input": "-1"})
    assert bad.status_code == 400 and "zero or more" in bad.text
    removed = await ui.client.post(
        ui.url("/settings/prices/delete"), data={"csrf": csrf, "model": "my-model"}
    )
    assert removed.status_code == 303
    prices = (await ui.client.get("/api/prices", headers=bearer(ui.alpha_key))).json()["models"]
    assert all(m["model"] != "my-model" for m in prices)


async def test_admin_creates_a_project_and_adds_a_member(ui: UiApp) -> None:
    csrf = await ui.login(ADMIN)
    made = await ui.client.post("/settings/projects", data={"csrf": csrf, "name": "gamma"})
    assert made.status_code == 303
    gamma = ui.store.get_project("gamma")
    assert gamma is not None and made.headers["location"] == f"/p/{gamma.id}/settings"
    dup = await ui.client.post("/settings/projects", data={"csrf": csrf, "name": "gamma"})
    assert dup.status_code == 400
    added = await ui.client.post(
        ui.url("/settings/members", gamma.id), data={"csrf": csrf, "email": MEMBER}
    )
    assert added.status_code == 200 and "can now see this project" in added.text
    member = ui.store.account_login(MEMBER)
    assert member is not None
    assert {p.name for p in ui.store.account_projects(member.account)} == {"alpha", "gamma"}


async def test_admin_sees_and_removes_members_and_access_ends_at_once(ui: UiApp) -> None:
    # The member reads alpha in one session and makes a key for an app...
    member_client = ui.client
    member_csrf = await ui.login(MEMBER)
    assert (await member_client.get(ui.url("/traces"))).status_code == 200
    made = await member_client.post(
        ui.url("/settings/keys"), data={"csrf": member_csrf, "name": "member's app"}
    )
    assert made.status_code == 200 and MEMBER in made.text  # shown as its creator
    member_cookie = member_client.cookies.get("spyglass_session")
    member_client.cookies.clear()
    # ...while an admin opens alpha's settings, sees them listed and removes them.
    csrf = await ui.login(ADMIN)
    page = await ui.client.get(ui.url("/settings"))
    assert page.status_code == 200 and MEMBER in page.text and 'id="members"' in page.text
    member = ui.store.account_login(MEMBER)
    assert member is not None
    removed = await ui.client.post(
        ui.url(f"/settings/members/{member.account.id}/remove"), data={"csrf": csrf}
    )
    # Post/redirect/get: reloading the page that says so does not post again.
    assert removed.status_code == 303
    location = removed.headers["location"]
    assert location == ui.url(f"/settings?removed={member.account.id}#members")
    said = await ui.client.get(location)
    assert f"{MEMBER} can no longer see this project." in said.text
    # Their key is named, not revoked: an app may run on it.
    assert "still work until revoked below: member&#39;s app." in said.text
    key = next(k for k in ui.store.list_keys("alpha") if k.name == "member's app")
    assert key.created_by == MEMBER and key.revoked_ns is None
    assert ui.store.project_members(ui.alpha) == []
    # Removing again: not a member any more.
    again = await ui.client.post(
        ui.url(f"/settings/members/{member.account.id}/remove"), data={"csrf": csrf}
    )
    assert again.status_code == 404
    # The member's existing session no longer opens alpha.
    ui.client.cookies.clear()
    ui.client.cookies.set("spyglass_session", member_cookie or "")
    assert (await ui.client.get(ui.url("/traces"))).status_code == 404


async def test_only_admins_remove_members_and_the_form_needs_its_token(ui: UiApp) -> None:
    member = ui.store.account_login(MEMBER)
    assert member is not None
    path = ui.url(f"/settings/members/{member.account.id}/remove")
    csrf = await ui.login(MEMBER)
    page = await ui.client.get(ui.url("/settings"))
    assert 'id="members"' not in page.text  # members do not see who else has access
    assert (await ui.client.post(path, data={"csrf": csrf})).status_code == 403
    await ui.client.post("/logout", data={"csrf": csrf})
    await ui.login(ADMIN)
    assert (await ui.client.post(path, data={})).status_code == 403
    assert [a.email for a in ui.store.project_members(ui.alpha)] == [MEMBER]


async def test_nul_in_a_page_url_is_a_400(ui: UiApp) -> None:
    # PostgreSQL text cannot hold U+0000: a filter with it reached the query (a 500 there).
    await ui.login()
    for url, params in (
        (ui.url("/traces"), {"user_id": "a\x00b"}),
        (ui.url("/sessions"), {"user_id": "\x00"}),
        (ui.url("/traces/a%00b"), {}),
    ):
        page = await ui.client.get(url, params=params)
        assert page.status_code == 400, url
        assert "NUL" in page.text
    assert (await ui.client.get(ui.url("/traces"))).status_code == 200
