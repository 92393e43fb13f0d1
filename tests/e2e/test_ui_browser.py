"""The web UI in a real browser (Debian's Chromium via Playwright) against a real server
process, with real data sent over OTLP: log in, filter, open a trace, expand a tool call, add
feedback, read the dashboard, create and revoke a key, and project isolation.

One server and one browser serve the whole module. Screenshots of each page go to
``docs/screenshots`` (or ``$SPYGLASS_SCREENSHOTS_DIR``) for the README.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from spyglass._demo.big_trace import big_trace_requests, span_count
from spyglass._demo.sample import requests as sample_requests
from spyglass.evals import Dataset, evaluate
from spyglass.evals.remote import Server, upload_run
from spyglass.server.ui.passwords import hash_password
from spyglass.storage.sql.store import open_store
from tests.e2e.browser import chromium
from tests.e2e.harness import ServerProcess
from tests.server.otlp import PROTOBUF, chat_trace, to_protobuf

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SPYGLASS_SCREENSHOTS_DIR") or ROOT / "docs" / "screenshots")
PASSWORD = "e2e password 1"
ANN = "ann@example.com"  # may see alpha
BOB = "bob@example.com"  # may see beta
ADMIN = "root@example.com"
BIG_TRACE_SPANS = 10_000
# The goal is 2 s on the benchmark machine; the test allows slack for a loaded CI runner.
BIG_TRACE_LIMIT_S = 6.0
VIEWPORT = {"width": 1400, "height": 900}


@dataclass
class Site:
    server: ServerProcess
    alpha: int
    beta: int
    alpha_key: str
    beta_trace: str
    big_trace: str

    def url(self, path: str) -> str:
        return self.server.url + path


def _send(server: ServerProcess, key: str, bodies: list[bytes]) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for body in bodies:
            resp = client.post(
                "/v1/traces",
                content=body,
                headers={"Content-Type": PROTOBUF, "Authorization": f"Bearer {key}"},
            )
            assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("ui-e2e")
    # Revoked keys must stop at once for the key test; the default cache keeps them 10 s.
    (home / "config.toml").write_text("key_cache_seconds = 0\n")
    db = f"sqlite:///{home}/spyglass.db"
    store = open_store(db)
    try:
        alpha = store.create_project("alpha")
        beta = store.create_project("beta")
        for email, project in ((ANN, alpha), (BOB, beta)):
            account = store.create_account(email, hash_password(PASSWORD), is_admin=False)
            store.add_member(account.id, project.id)
        store.create_account(ADMIN, hash_password(PASSWORD), is_admin=True)
        alpha_key = store.create_key("alpha", "e2e").secret
        beta_key = store.create_key("beta", "e2e").secret
    finally:
        store.close()
    server = ServerProcess(db, home).start()
    try:
        now = time.time_ns()
        _send(server, alpha_key, [b for b, _ in sample_requests(120, seed=4, spread_s=6 * 3600)])
        big_id, big_bodies = big_trace_requests(BIG_TRACE_SPANS, end_ns=now)
        _send(server, alpha_key, big_bodies)
        _send(server, beta_key, [to_protobuf(chat_trace(77, start_ns=now, user="bob"))])
        yield Site(server, alpha.id, beta.id, alpha_key, f"{77:032x}", big_id)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b  # type: ignore[misc]


def tree_ready(page: Page) -> None:
    """Wait until trace.js has drawn the tree and asked for the first span's detail.

    Not ``page.wait_for_function``: its predicate runs through ``eval`` in the page, which
    the UI's Content-Security-Policy refuses. It usually got through anyway, but under load
    (a click's navigation still under way) it failed with an ``EvalError``."""
    expect(page.locator("#tree[data-ready]")).to_be_attached()


def open_first_trace(page: Page, site: Site, query: str) -> None:
    """Open the newest trace of a filtered list, and wait for its scripts to be running
    (before that a form would post without htmx, which works, but reloads the page)."""
    page.goto(site.url(f"/p/{site.alpha}/traces?{query}"))
    page.locator("#trace-rows td.name a").first.click()
    tree_ready(page)
    # trace.js fetches the root span's detail as it starts. Wait for it: on a loaded machine
    # it could otherwise land between a later click's hit check and the click, moving the
    # page under the pointer (the click then selects another span, or none).
    expect(page.locator("#span-detail .span-detail")).to_be_visible()


def _log_in(page: Page, site: Site, email: str) -> None:
    page.goto(site.url("/"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/p/\d+/traces$"))


@pytest.fixture(scope="module")
def ann_state(browser: Browser, site: Site) -> dict[str, Any]:
    """Ann's logged-in cookies, made once: each test starts from them in a fresh context."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    _log_in(page, site, ANN)
    state: dict[str, Any] = context.storage_state()  # type: ignore[assignment]
    context.close()
    return state


@pytest.fixture
def page(browser: Browser, ann_state: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, storage_state=ann_state)  # type: ignore[arg-type]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_log_in_and_out(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(site.url("/"))
    page.fill("input[name=email]", ANN)
    page.fill("input[name=password]", "not the password")
    shot(page, "login")
    page.click("button[type=submit]")
    expect(page.locator(".alert.error")).to_have_text("Wrong email or password.")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(site.url(f"/p/{site.alpha}/traces"))
    page.click("text=Log out")
    expect(page).to_have_url(site.url("/login"))
    page.goto(site.url(f"/p/{site.alpha}/traces"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    context.close()


def test_filter_the_traces(page: Page, site: Site) -> None:
    page.goto(site.url(f"/p/{site.alpha}/traces"))
    expect(page.locator("#trace-rows tr")).to_have_count(50)
    shot(page, "traces")
    page.select_option("select[name=status]", "ERROR")
    page.fill("input[name=name]", "rag-chat")
    page.click("button:has-text('Apply')")
    expect(page).to_have_url(re.compile(r"status=ERROR.*name=rag-chat|name=rag-chat.*status=ERROR"))
    rows = page.locator("#trace-rows tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".status")).to_have_text("ERROR")
        expect(rows.nth(i).locator("td.name").first).to_have_text("rag-chat")
    # The filters are in the URL: reloading it gives the same view.
    page.reload()
    expect(page.locator("select[name=status]")).to_have_value("ERROR")
    # Auto-refresh polls the rows of this view, and the choice joins the URL.
    with page.expect_request(lambda r: "partial=rows" in r.url and "status=ERROR" in r.url):
        page.check("#autorefresh")
    expect(page).to_have_url(re.compile(r"refresh=1"))
    expect(page.locator("#trace-rows tr").first).to_be_visible()


def test_open_a_trace_and_expand_a_tool_call(page: Page, site: Site) -> None:
    open_first_trace(page, site, "name=invoke_agent+support-agent")
    expect(page.locator("#tree .srow").first).to_contain_text("invoke_agent")
    page.locator("#tree .srow", has_text="chat").first.click()
    # The chat span selected and its own detail swapped in before reading the detail pane.
    expect(page.locator("#tree .srow.sel")).to_contain_text("chat")
    expect(page.locator("#span-detail h2")).to_contain_text("chat")
    call = page.locator("#span-detail details.toolcall").first
    expect(call).to_be_visible()
    expect(call.locator("pre")).to_be_hidden()
    call.locator("summary").click()
    expect(call).to_have_attribute("open", "")
    expect(call.locator("pre")).to_be_visible()
    expect(call.locator("pre")).to_contain_text("order_id")
    expect(page.locator("#span-detail .msg.user")).to_be_visible()
    shot(page, "trace")
    # Keyboard: down moves to the next span and loads its detail.
    page.locator("#tree").focus()
    expect(page.locator("#tree")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#span-detail .kind")).to_have_text("TOOL")


def test_add_feedback_on_a_trace_and_a_span(page: Page, site: Site) -> None:
    open_first_trace(page, site, "name=rag-chat")
    page.click("text=Trace scores")
    page.locator("#trace-scores + form button.thumb.up").click()
    expect(page.locator("#trace-scores .score")).to_contain_text("▲ up")
    expect(page.locator("#trace-scores .score")).to_contain_text(ANN)
    # Swapped in by htmx, not a reload: the feedback section is still open.
    expect(page.locator("details.trace-feedback")).to_have_attribute("open", "")
    # A numeric score with a comment on the selected span.
    form = page.locator("#span-detail form.feedback")
    form.locator("input[name=name]").fill("relevance")
    form.locator("input[name=value]").fill("0.6")
    form.locator("textarea[name=comment]").fill("missed the second question")
    form.locator("button[name=add]").click()
    expect(page.locator("#span-scores")).to_contain_text("missed the second question")
    expect(form.locator("textarea[name=comment]")).to_have_value("")  # cleared for the next
    # A score without a value is refused, and the form says so.
    form.locator("button[name=add]").click()
    expect(form.locator(".alert.error")).to_contain_text("Give a score")
    expect(page.locator("#span-scores .score")).to_have_count(1)
    shot(page, "feedback")


def test_a_10000_span_trace_opens_fast_and_stays_small(page: Page, site: Site) -> None:
    started = time.perf_counter()
    page.goto(site.url(f"/p/{site.alpha}/traces/{site.big_trace}"))
    tree_ready(page)
    expect(page.locator("#span-detail .span-detail")).to_be_visible()
    elapsed = time.perf_counter() - started
    assert elapsed < BIG_TRACE_LIMIT_S, f"the big trace took {elapsed:.2f} s to open"
    assert page.evaluate("window.spyglassTree.spans") == span_count(BIG_TRACE_SPANS)
    # Only the rows in view are in the DOM, folded or not.
    assert page.locator("#tree .srow").count() < 120
    shot(page, "big-trace")
    page.click("#expand-all")
    assert page.locator("#tree .srow").count() < 120
    page.locator("#tree").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.locator("#tree .srow").last).to_contain_text("vector-search")
    # "Next error" unfolds and selects the first failed span: a tool call.
    page.click("#next-error")
    expect(page.locator("#span-detail .kind")).to_have_text("TOOL")
    expect(page.locator("#span-detail")).to_contain_text("search backend unavailable")
    expect(page.locator("#tree .srow.sel")).to_contain_text("search")
    page.fill("#tree-filter", "step 2499")
    expect(page.locator("#tree .srow")).to_have_count(2)  # the root and the match


def test_read_the_dashboard(page: Page, site: Site) -> None:
    page.goto(site.url(f"/p/{site.alpha}/dashboard?window=24h&by=model"))
    page.wait_for_selector("#charts[data-ready='1']")
    # Eight charts; the sample records no time to first token, so that one says "No data".
    assert page.locator("#charts canvas").count() == 7
    requests = page.locator("[data-total=requests]").inner_text()
    assert int(requests.replace(",", "")) == 121  # 120 sample traces and the big one
    expect(page.locator("#chart-group_requests")).to_contain_text("gpt-4o")
    shot(page, "dashboard")
    page.select_option("select[name=by]", "release")
    page.wait_for_selector("#charts[data-ready='1']")
    expect(page).to_have_url(re.compile(r"by=release"))


def test_sessions_and_users(page: Page, site: Site) -> None:
    page.goto(site.url(f"/p/{site.alpha}/sessions"))
    shot(page, "sessions")
    page.locator("table.data td.name a").first.click()
    expect(page.locator(".turn").first).to_contain_text("Turn 1")
    shot(page, "session")
    page.locator(".turn a", has_text="Open trace").first.click()
    expect(page).to_have_url(re.compile(r"/traces/[0-9a-f]{32}"))
    page.goto(site.url(f"/p/{site.alpha}/users"))
    shot(page, "users")
    page.locator("table.data td.name a").first.click()
    expect(page.locator("#trace-rows tr").first).to_be_visible()


def test_create_and_revoke_a_key(page: Page, site: Site) -> None:
    page.goto(site.url(f"/p/{site.alpha}/settings"))
    page.fill("input[name=name][placeholder='e.g. production app']", "browser-made")
    page.click("button:has-text('Create key')")
    secret = page.locator("#new-key-secret").inner_text().strip()
    assert secret.startswith("sg_")
    shot(page, "settings")
    api = httpx.get(site.url("/api/traces"), headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    row = page.locator("#keys-table tr", has_text="browser-made")
    row.locator("button:has-text('Revoke')").click()
    expect(page.locator("#keys-table tr", has_text="browser-made")).to_contain_text("revoked")
    api = httpx.get(site.url("/api/traces"), headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_an_admin_adds_and_removes_a_member(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        admin = context.new_page()
        _log_in(admin, site, ADMIN)
        admin.goto(site.url(f"/p/{site.alpha}/settings#members"))
        members = admin.locator("#members")
        expect(members.locator("table.data")).to_contain_text(ANN)
        members.locator("input[name=email]").fill(BOB)
        members.locator("button:has-text('Add account')").click()
        expect(admin.locator("[role=status]")).to_contain_text(f"{BOB} can now see this project")
        expect(admin.locator("#members table.data")).to_contain_text(BOB)
        shot(admin, "members")
        bob_context = browser.new_context(viewport=VIEWPORT)
        try:
            bob = bob_context.new_page()
            _log_in(bob, site, BOB)
            assert bob.goto(site.url(f"/p/{site.alpha}/traces")).status == 200  # type: ignore[union-attr]
            admin.locator("#members tr", has_text=BOB).locator("button:has-text('Remove')").click()
            expect(admin.locator("[role=status]")).to_contain_text(
                f"{BOB} can no longer see this project"
            )
            expect(admin.locator("#members table.data")).not_to_contain_text(BOB)
            # Bob's open session loses alpha at his next page load.
            assert bob.goto(site.url(f"/p/{site.alpha}/traces")).status == 404  # type: ignore[union-attr]
        finally:
            bob_context.close()
    finally:
        context.close()


def test_a_user_of_one_project_cannot_open_anothers_trace(page: Page, site: Site) -> None:
    for path in (
        f"/p/{site.beta}/traces/{site.beta_trace}",
        f"/p/{site.alpha}/traces/{site.beta_trace}",
        f"/p/{site.beta}/traces",
    ):
        resp = page.goto(site.url(path))
        assert resp is not None and resp.status == 404, path
        expect(page.locator("h1")).to_have_text("404")


def test_dark_theme_follows_the_system(browser: Browser, site: Site, ann_state: Any) -> None:
    context = browser.new_context(viewport=VIEWPORT, storage_state=ann_state, color_scheme="dark")
    page = context.new_page()
    page.goto(site.url(f"/p/{site.alpha}/traces?name=invoke_agent+support-agent"))
    page.locator("#trace-rows td.name a").first.click()
    expect(page.locator("#span-detail .span-detail")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 18, 22)"
    shot(page, "trace-dark")
    context.close()


def _upload_runs(site: Site, root: Path) -> tuple[str, str]:
    """Two runs of the same dataset, the second worse on half the items, stored as experiments
    the way ``spyglass eval run`` stores them."""
    data = Dataset.from_items(
        [{"id": f"q{i:02d}", "input": f"What is {i} + 0?", "expected": str(i)} for i in range(40)],
        name="arithmetic",
    )

    def run(task: Any) -> Path:
        checks = ["exact-match", "token-f1"]
        return evaluate(task, data, checks, name="arithmetic", evals_dir=root, progress=False).dir

    server = Server(site.server.url, site.alpha_key)
    # Playwright's sync API runs an event loop in this thread; evaluate() needs its own.
    with ThreadPoolExecutor(1) as pool:
        good = pool.submit(run, lambda q: q.split()[2]).result()
        bad = pool.submit(run, lambda q: "?" if int(q.split()[2]) % 2 else q.split()[2]).result()
    return upload_run(good, server), upload_run(bad, server)


def test_compare_two_experiments_and_add_a_trace_to_a_dataset(
    page: Page, site: Site, tmp_path: Path
) -> None:
    baseline, candidate = _upload_runs(site, tmp_path)
    page.goto(site.url(f"/p/{site.alpha}/experiments"))
    expect(page.locator("#experiments tbody tr")).to_have_count(2)
    shot(page, "experiments")
    page.click("text=Compare two runs")
    expect(page.locator("select[name=baseline]")).to_have_value(baseline)
    expect(page.locator("select[name=candidate]")).to_have_value(candidate)
    page.click("button:has-text('Compare')")
    row = page.locator("#verdicts tr", has_text="exact-match")
    expect(row.locator(".verdict")).to_have_text("regressed")
    expect(page.locator("#item-diffs article.diff")).to_have_count(20)
    shot(page, "comparison")
    page.locator("#verdicts h2 a").last.click()
    expect(page.locator("#aggregates")).to_contain_text("exact-match")
    shot(page, "experiment")

    open_first_trace(page, site, "name=rag-chat")
    page.click("text=Add to dataset")
    page.fill("input[name=dataset]", "from-production")
    page.fill("textarea[name=expected]", "Refunds take five business days.")
    page.click("button:has-text('Add to dataset')")
    expect(page).to_have_url(re.compile(r"/datasets/from-production\?added="))
    item = page.locator("#dataset-items tbody tr.added")
    expect(item).to_contain_text("Refunds take five business days.")
    shot(page, "dataset")
    item.locator("a.trace-link").click()
    expect(page).to_have_url(re.compile(r"/traces/[0-9a-f]{32}"))
