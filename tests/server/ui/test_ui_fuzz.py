"""Hostile input on every web UI form and page: an HTML error page (4xx), a redirect or the
page itself, never a 5xx, and the server keeps serving.

``test_api_fuzz.py`` does this for the JSON API; this file does it for the UI, with its hostile
values (NUL, lone surrogates, '²', 4,301 digits, NaN, 2**63, 60 KB, ...) in each form field,
query parameter, path segment, CSRF token and cookie, plus missing and repeated fields and
bodies that are not a plain form. Each (route, field, kind of value) is one case, so a known 5xx
is a case of its own. Reads go to project alpha, seeded once; writes (as the admin) go to
project beta, whose pages the last test reads back.

One app per backend serves the module, over a SQLite file and over PostgreSQL (where text with
NUL makes the database raise), called in-process as raw ASGI (test_api_fuzz's server). Accounts
use a cheap argon2 hash: the hash's cost is not under test here.

Known 5xx are listed in ``KNOWN_5XX``: each makes its case a strict xfail, which fails as soon
as the server is fixed so the entry can go.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher

from spyglass.server.app import create_app
from spyglass.server.ui import passwords
from spyglass.server.ui.logins import LoginThrottle
from spyglass.settings import load_settings
from spyglass.storage.sql.store import SqlStore
from tests.server import test_api_fuzz as api_fuzz
from tests.server.otlp import PROTOBUF, T0, chat_trace, sid, tid, to_protobuf
from tests.server.test_api_fuzz import Answer

# ---------------------------------------------------------------------------- hostile values


def _q(value: str) -> bytes:
    return quote(value, safe="").encode()


# test_api_fuzz's values, less those of a class another one already stands for here (more
# unicode digits, numbers and ISO dates).
_SAME_CLASS = {"arabic-indic-3", "fullwidth-12", "minus-zero", "20-digits", "0", "1.5", "hex"}
_SAME_CLASS |= {"iso-year-1-east", "iso-fullwidth"}
# Kind -> label -> the value as it goes on the wire: percent-encoded UTF-8, or raw bytes.
VALUES: dict[str, dict[str, bytes]] = {
    "general": {k: _q(v) for k, v in api_fuzz.HOSTILE.items() if k not in _SAME_CLASS}
    | {"2^64": _q(str(2**64))},
    "nul": {k: _q(v) for k, v in api_fuzz.NUL.items()},
    "surrogate": {k: v.encode() for k, v in api_fuzz.RAW.items()}
    | {"raw-surrogate": b"\xed\xa0\x80", "raw-not-utf8": b"\xff\xfe"},
}
KINDS = list(VALUES)
CURSOR_VALUES = {
    "general": {k: _q(v) for k, v in api_fuzz.CURSORS.items()},
    "nul": {k: _q(v) for k, v in api_fuzz.CURSOR_NUL.items()},
    "surrogate": {k: _q(v) for k, v in api_fuzz.CURSOR_SURROGATE.items()},
}
PATH_EXTRA = {"slash": b"%2F", "dot-dot": b"..", "encoded-dot-dot": b"%2E%2E", "semicolon": b";x"}
NEXT_EXTRA = {"next-nul": _q("/\x00"), "next-crlf": _q("/\r\nSet-Cookie: x=1")}
NEXT_EXTRA |= {"next-60kb": _q("/" + "x" * 60_000), "next-backslashes": _q("/\\\\evil.test")}


def _ascii(values: dict[str, bytes]) -> dict[str, bytes]:
    # No raw bytes in a URL: uvicorn (httptools or h11) answers 400 before the app sees it.
    return {k: v for k, v in values.items() if v.isascii()}


# ---------------------------------------------------------------------------- the server

PASSWORD = "correct horse battery"
ADMIN, MEMBER = "admin@example.com", "member@example.com"
LOGIN_TOKEN = "login-token"
LOGIN_COOKIE = f"spyglass_login_csrf={LOGIN_TOKEN}".encode()
# argon2 at its cheapest: the logins here would take a minute at the real cost.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
TRACE, SPAN = tid(1), sid(1, 1)  # in alpha
WRITE_TRACE, WRITE_SPAN = tid(3), sid(3, 1)  # in beta
FORM = b"application/x-www-form-urlencoded"
Headers = tuple[tuple[bytes, bytes], ...]


class Hit(NamedTuple):
    label: str
    method: str
    target: str  # "{p}" stands for alpha's id, "{w}" for beta's
    body: bytes = b""
    content_type: bytes | None = None
    headers: Headers = ()
    cookie: bytes | None = None  # None: the admin's session


@dataclass
class Server(api_fuzz.Server):
    """test_api_fuzz's in-process server, with a UI session and two projects."""

    alpha: int = 0
    beta: int = 0
    admin_id: int = 0
    cookie: bytes = b""
    csrf: str = ""
    _sessions: Iterator[int] = field(default_factory=itertools.count)

    def new_session(self) -> tuple[bytes, str]:
        """A new session of the admin: its cookie and CSRF token."""
        n = next(self._sessions)
        self.store.create_login_session(f"session-{n}", self.admin_id, f"csrf-{n}", T0 * 2)
        return f"spyglass_session=session-{n}".encode(), f"csrf-{n}"

    def url(self, template: str) -> str:
        return template.replace("{p}", str(self.alpha)).replace("{w}", str(self.beta))

    def hits(self, hits: list[Hit]) -> list[Answer]:
        async def run() -> list[Answer]:
            out = []
            for h in hits:
                headers = list(h.headers)
                if cookie := self.cookie if h.cookie is None else h.cookie:
                    headers.append((b"cookie", cookie))
                if h.content_type is not None:
                    headers.append((b"content-type", h.content_type))
                if h.method == "POST":
                    headers.append((b"content-length", str(len(h.body)).encode()))
                out.append(await self._call(h.method, self.url(h.target), h.body, headers))
            return out

        return self.loop.run_until_complete(run())


def _seed(srv: Server, key: str, beta_key: str) -> None:
    """Through the JSON API: traces, a score, a dataset, two runs and a price in alpha (run-a
    as the SDK writes it, run-b without the pass rates an older file lacks), a trace in beta."""
    alpha = ((b"authorization", f"Bearer {key}".encode()),)
    beta = ((b"authorization", f"Bearer {beta_key}".encode()),)
    spans = [chat_trace(n, start_ns=T0 + n * 10**9, user="u1", session="s1") for n in (1, 2, 3)]
    pb = PROTOBUF.encode()
    hits = [
        Hit("ingest", "POST", "/v1/traces", to_protobuf(spans[0] + spans[1]), pb, alpha),
        Hit("ingest-beta", "POST", "/v1/traces", to_protobuf(spans[2]), pb, beta),
    ]
    run_a = api_fuzz._summary("run-a")
    run_a["checks"][0] |= {"pass_rate": 1.0, "pass_ci_low": 0.5, "pass_ci_high": 1.0}
    result = {"item_id": "item-1", "scores": {"exact": {"score": 1.0, "passed": True}}}
    docs: list[tuple[str, str, Any]] = [
        ("POST", "/api/scores", {"name": "helpful", "value": 1, "trace_id": TRACE}),
        ("POST", "/api/datasets/ds/items", {"items": [{"id": "item-1", "input": "q"}]}),
        ("PUT", "/api/prices/my-model", {"input": 1.0, "output": 2.0}),
        ("POST", "/api/experiments", {"summary": run_a}),
        ("POST", "/api/experiments", {"summary": api_fuzz._summary("run-b")}),
        ("POST", "/api/experiments/run-a/results", {"results": [result]}),
        ("POST", "/api/experiments/run-b/results", {"results": [result]}),
    ]
    hits += [Hit(p, m, p, json.dumps(d).encode(), b"application/json", alpha) for m, p, d in docs]
    for hit, answer in zip(hits, srv.hits(hits), strict=True):
        assert answer.status in (200, 201), (hit.label, answer.text[:300])


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The app over a store of the backend: projects alpha and beta, an admin and a member."""
    home = tmp_path_factory.mktemp(f"ui-fuzz-{request.param}")
    store = SqlStore(api_fuzz.backend_url(request, home))
    key, beta_key = store.create_key("alpha").secret, store.create_key("beta").secret
    alpha, beta = store.get_project("alpha"), store.get_project("beta")
    assert alpha is not None and beta is not None
    admin = store.create_account(ADMIN, CHEAP.hash(PASSWORD), is_admin=True)
    member = store.create_account(MEMBER, CHEAP.hash(PASSWORD), is_admin=False)
    store.add_member(member.id, alpha.id)
    app = create_app(load_settings({"home": str(home), "ingest_processes": 0}, environ={}), store)
    # Each login is judged on its own: the throttle's clock passes its window at every call.
    app.state.login_throttle = LoginThrottle(clock=itertools.count(0, 10**6).__next__)
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        with api_fuzz.logged_errors() as sink, pytest.MonkeyPatch.context() as mp:
            mp.setattr(passwords, "_hasher", CHEAP)
            mp.setattr(passwords, "dummy_hash", lambda: CHEAP.hash("not a password"))
            loop.run_until_complete(stack.enter_async_context(app.router.lifespan_context(app)))
            srv = Server(request.param, app, store, loop, "", "", sink)
            srv.alpha, srv.beta, srv.admin_id = alpha.id, beta.id, admin.id
            srv.cookie, srv.csrf = srv.new_session()
            _seed(srv, key, beta_key)
            yield srv
    finally:
        # The dashboard's prefetches may still run: let them end before the loop does.
        if pending := asyncio.all_tasks(loop):
            loop.run_until_complete(asyncio.wait(pending))
        loop.run_until_complete(stack.aclose())
        loop.close()
        store.close()


# ---------------------------------------------------------------------------- known 5xx

_SCORES = f"/p/{{w}}/traces/{WRITE_TRACE}/scores"
# (backend or "*", test name, case) -> why it is answered 5xx. The case is the test's
# parametrize id without the backend. Each entry makes its case a strict xfail. Empty since
# the four 5xx this test found were fixed: NUL in form fields (PostgreSQL), account ids past
# the column, run summaries without a pass rate, score chips of mixed types.
KNOWN_5XX: dict[tuple[str, str, str], str] = {}


@pytest.fixture(autouse=True)
def _known_5xx(request: pytest.FixtureRequest) -> None:
    """Make this case a strict xfail when it is a known 5xx on its backend."""
    backend, test = request.node.callspec.params["server"], request.node.originalname
    case = request.node.callspec.id.removeprefix(backend).removeprefix("-")
    if reason := KNOWN_5XX.get((backend, test, case)) or KNOWN_5XX.get(("*", test, case)):
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


# ---------------------------------------------------------------------------- the check


def _problem(answer: Answer) -> str | None:
    """What is wrong with the answer to a hostile request, or None when it is a proper one."""
    if answer.status >= 500:
        where = "; ".join(api_fuzz._where(r) for r in answer.logged) or answer.text[:200]
        return f"{answer.status} ({where})"
    html = "text/html" in answer.headers.get("content-type", "") and b"<" in answer.body
    if answer.status >= 400 and not html and "hx-redirect" not in answer.headers:
        return f"{answer.status} without an HTML error page: {answer.body[:200]!r}"
    return None


def _check_all(srv: Server, hits: list[Hit]) -> None:
    """Send every request; fail listing each bad answer. The server must still answer after."""
    answers = srv.hits(hits)
    bad = [f"{h.label}: {p}" for h, a in zip(hits, answers, strict=True) if (p := _problem(a))]
    (health,) = srv.hits([Hit("healthz", "GET", "/healthz")])
    assert health.status == 200, health.text
    # Else the cases after this one would only meet the login page.
    assert srv.store.get_login_session(srv.cookie.partition(b"=")[2].decode()), "logged out"
    if bad:
        # pytest.fail, not assert: a failed assert on a long list renders slowly.
        pytest.fail("\n".join([f"{srv.backend}: {len(bad)} of {len(hits)} wrong:", *bad]), False)


# ---------------------------------------------------------------------------- pages as they are

SEEDED = ["/", "/p/{p}/traces", f"/p/{{p}}/traces/{TRACE}", f"/p/{{p}}/traces/{TRACE}/spans/{SPAN}"]
SEEDED += ["/p/{p}/sessions", "/p/{p}/sessions/s1", "/p/{p}/users", "/p/{p}/users/u1"]
SEEDED += ["/p/{p}/dashboard", "/p/{p}/dashboard/data", "/p/{p}/datasets", "/p/{p}/datasets/ds"]
SEEDED += ["/p/{p}/experiments", "/p/{p}/experiments/compare", "/p/{p}/experiments/run-a"]
SEEDED += ["/p/{p}/experiments/run-b", "/p/{p}/settings"]
# Beta's pages, which show what the hostile forms stored.
WRITTEN = ["/p/{w}/traces", f"/p/{{w}}/traces/{WRITE_TRACE}", "/p/{w}/users/u1"]
WRITTEN += [f"/p/{{w}}/traces/{WRITE_TRACE}/spans/{WRITE_SPAN}", "/p/{w}/sessions/s1"]
WRITTEN += ["/p/{w}/datasets", "/p/{w}/settings", "/p/{w}/dashboard/data"]
WRITTEN += ["every-dataset", "every-project"]


def _render(srv: Server, page: str) -> None:
    pages = [page]
    if page == "every-dataset":
        names = [quote(d.name, safe="") for d in srv.store.list_datasets(srv.beta)]
        pages = [f"/p/{{w}}/datasets/{name}" for name in names]
    elif page == "every-project":
        pages = [f"/p/{p.id}/settings" for p in srv.store.list_projects()]
    _check_all(srv, [Hit(p, "GET", p) for p in pages])


@pytest.mark.parametrize("page", SEEDED)
def test_seeded_page_renders(server: Server, page: str) -> None:
    _render(server, page)


# ---------------------------------------------------------------------------- query parameters

FILTERS = ["q", "range", "start", "end", "status", "model", "name", "user_id", "session_id"]
FILTERS += ["tag", "release", "environment", "metadata"]
# Path -> query parameters, on alpha's seeded data; /login is asked logged out.
QUERY_ROUTES = {
    "/p/{p}/traces": [*FILTERS, "cursor", "partial", "refresh"],
    "/p/{p}/sessions": ["user_id", "cursor"],
    "/p/{p}/users": ["cursor"],
    "/p/{p}/users/u1": ["cursor"],
    "/p/{p}/dashboard": ["window", "by"],
    "/p/{p}/dashboard/data": ["window", "by"],
    "/p/{p}/datasets/ds": ["cursor", "added"],
    "/p/{p}/experiments": ["name", "cursor"],
    "/p/{p}/experiments/compare": ["baseline", "candidate"],
    "/p/{p}/experiments/run-a": ["cursor"],
    "/p/{p}/settings": ["removed"],
    "/login": ["next"],
}
REQUIRED = {"/p/{p}/experiments/compare": {"baseline": "run-a", "candidate": "run-b"}}


@pytest.mark.parametrize(
    ("path", "param", "kind"),
    [
        pytest.param(p, n, k, id=f"GET{p}-{n}-{k}")
        for p, names in QUERY_ROUTES.items()
        for n in names
        for k in KINDS
    ],
)
def test_hostile_query_parameter(server: Server, path: str, param: str, kind: str) -> None:
    values = _ascii(VALUES[kind]) | (CURSOR_VALUES[kind] if param == "cursor" else {})
    values |= NEXT_EXTRA if param == "next" else {}
    others = "".join(f"{k}={v}&" for k, v in REQUIRED.get(path, {}).items() if k != param)
    target, cookie = f"{path}?{others}{param}", b"" if path == "/login" else None
    hits = [Hit(k, "GET", f"{target}={v.decode()}", cookie=cookie) for k, v in values.items()]
    if kind == "general":
        hits.append(Hit("twice", "GET", f"{target}=1&{param}=2", cookie=cookie))
        hits.append(Hit("no-equals", "GET", target, cookie=cookie))
        # The htmx fragment form of the page.
        hits.append(hits[0]._replace(label="hx", headers=((b"hx-request", b"true"),)))
    _check_all(server, hits)


# ---------------------------------------------------------------------------- path segments

# Path with {} for the hostile segment -> None for a GET, the valid form of a POST (to beta).
PATH_ROUTES: dict[str, dict[str, str] | None] = {
    "/p/{}": None,
    "/p/{}/traces": None,
    "/p/{p}/traces/{}": None,
    f"/p/{{p}}/traces/{{}}/spans/{SPAN}": None,
    f"/p/{{p}}/traces/{TRACE}/spans/{{}}": None,
    "/p/{p}/sessions/{}": None,
    "/p/{p}/users/{}": None,
    "/p/{p}/datasets/{}": None,
    "/p/{p}/experiments/{}": None,
    "/p/{}/settings/keys": {"name": "k"},
    "/p/{w}/traces/{}/scores": {"thumb": "up"},
    "/p/{w}/traces/{}/dataset": {"dataset": "ds"},
    "/p/{w}/settings/keys/{}/revoke": {},
    "/p/{w}/settings/members/{}/remove": {},
}


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        pytest.param(t, k, id=f"{'GET' if d is None else 'POST'}{t}-{k}")
        for t, d in PATH_ROUTES.items()
        for k in KINDS
    ],
)
def test_hostile_path_segment(server: Server, template: str, kind: str) -> None:
    values = _ascii(VALUES[kind]) | (PATH_EXTRA if kind == "general" else {})
    doc = PATH_ROUTES[template]
    method, media = ("GET", None) if doc is None else ("POST", FORM)
    body = b"" if doc is None else _form(_valid(doc, server.csrf))
    hits = [
        Hit(k, method, template.replace("{}", v.decode()), body, media) for k, v in values.items()
    ]
    _check_all(server, hits)


# ---------------------------------------------------------------------------- cookies

COOKIES = {"empty": b"", "101-chars": b"x" * 101, "60kb": b"x" * 60_000, "latin1": b"\xff\xfe"}
COOKIES |= {"octal-nul": b'"\\000"', "octal-surrogate": b'"\\355\\240\\200"'}
COOKIES |= {"unbalanced-quote": b'"abc', "semicolons": b";;;=;"}
COOKIE_TARGETS = [("GET", "/p/{p}/traces"), ("GET", "/login"), ("POST", "/login")]
COOKIE_TARGETS += [("POST", "/logout"), ("POST", "/p/{w}/settings/keys")]


@pytest.mark.parametrize(("method", "path"), COOKIE_TARGETS, ids=lambda v: v)
def test_hostile_cookies(server: Server, method: str, path: str) -> None:
    """Odd session and login-form cookies: a login page, a redirect or a 403."""
    cookie, csrf = server.new_session()  # for "twice", which may log it out
    form = _form({"csrf": _q(csrf), "email": _q(MEMBER), "password": _q(PASSWORD)})
    body, media = (form, FORM) if method == "POST" else (b"", None)
    hits = [
        Hit(f"{name}-{label}", method, path, body, media, cookie=f"{name}=".encode() + value)
        for name in ("spyglass_session", "spyglass_login_csrf")
        for label, value in COOKIES.items()
    ]
    hits.append(hits[0]._replace(label="twice", cookie=cookie + b"; " + cookie))
    _check_all(server, hits)


# ---------------------------------------------------------------------------- form fields

RATES = {k: "1.5" for k in ("input", "output", "cache_read", "cache_write", "reasoning")}
# Path -> (the status of the valid form, its fields but the CSRF token): each field is made
# hostile in turn. Writes go to beta, so that alpha stays as
# seeded for the tests above; ids 999 are no key and no member (404).
FORMS: dict[str, tuple[int, dict[str, str]]] = {
    "/login": (303, {"email": MEMBER, "password": PASSWORD, "next": "/"}),
    "/logout": (303, {}),
    _SCORES: (
        200,
        {"span_id": WRITE_SPAN, "name": "n", "thumb": "", "value": "0.5", "comment": "c"},
    ),
    f"/p/{{w}}/traces/{WRITE_TRACE}/dataset": (303, {"dataset": "ds", "expected": "e"}),
    "/p/{w}/settings/keys": (200, {"name": "k"}),
    "/p/{w}/settings/keys/999/revoke": (404, {}),
    "/p/{w}/settings/prices": (303, {"model": "m", **RATES, "effective_from": "2025-01-01"}),
    "/p/{w}/settings/prices/delete": (303, {"model": "m"}),
    "/p/{w}/settings/members": (200, {"email": MEMBER}),
    "/p/{w}/settings/members/999/remove": (404, {}),
    "/settings/projects": (303, {"name": "fz"}),
}
FORM_PATHS = [pytest.param(p, id=f"POST{p}") for p in FORMS]


def _form(fields: dict[str, bytes | None]) -> bytes:
    """An urlencoded body of already-encoded values; None leaves the field out."""
    return b"&".join(k.encode() + b"=" + v for k, v in fields.items() if v is not None)


def _valid(doc: dict[str, str], csrf: str) -> dict[str, bytes | None]:
    """The form with its token, encoded."""
    return {k: _q(v) for k, v in {"csrf": csrf, **doc}.items()}


def _post(
    path: str, label: str, fields: dict[str, bytes | None], cookie: bytes | None, h: Headers = ()
) -> Hit:
    """A form POST; the login form gets its double-submit cookie, scores the header of htmx."""
    if path.endswith("/scores"):
        h = ((b"hx-request", b"true"), *h)
    cookie = LOGIN_COOKIE if path == "/login" and cookie is None else cookie
    return Hit(label, "POST", path, _form(fields), FORM, h, cookie)


def _session_for(srv: Server, path: str) -> tuple[bytes | None, str]:
    """Logout gets a session of its own (it ends it); the login form has its own token."""
    if path == "/logout":
        return srv.new_session()
    return None, LOGIN_TOKEN if path == "/login" else srv.csrf


@pytest.mark.parametrize("path", FORM_PATHS)
def test_the_valid_form_is_accepted(server: Server, path: str) -> None:
    """The forms the cases below spoil one field at a time."""
    cookie, token = _session_for(server, path)
    status, doc = FORMS[path]
    (answer,) = server.hits([_post(path, "valid", _valid(doc, token), cookie)])
    assert answer.status == status, answer.text[:300]


@pytest.mark.parametrize(
    ("path", "name", "kind"),
    [
        pytest.param(p, f, k, id=f"POST{p}-{f}-{k}")
        for p, (_, doc) in FORMS.items()
        for f in doc
        for k in KINDS
    ],
)
def test_hostile_form_field(server: Server, path: str, name: str, kind: str) -> None:
    valid = _valid(FORMS[path][1], _session_for(server, path)[1])
    values = VALUES[kind] | (NEXT_EXTRA if name == "next" else {})
    hits = [_post(path, label, valid | {name: v}, None) for label, v in values.items()]
    if kind == "general":
        missing = _post(path, "missing", valid | {name: None}, None)
        hits += [
            missing,
            missing._replace(label="twice", body=_form(valid) + f"&{name}=1".encode()),
            missing._replace(label="no-equals", body=missing.body + f"&{name}".encode()),
        ]
    _check_all(server, hits)


@pytest.mark.parametrize("path", FORM_PATHS)
def test_hostile_csrf_token(server: Server, path: str) -> None:
    """Wrong, odd and missing tokens in the field or the header: 403 (never a 5xx)."""
    cookie, token = _session_for(server, path)
    valid = _valid(FORMS[path][1], token)
    odd = ("superscript-2", "empty", "60kb", "nul", "lone-surrogate", "raw-surrogate")
    every = VALUES["general"] | VALUES["nul"] | VALUES["surrogate"]
    tokens: dict[str, bytes | None] = {k: every[k] for k in odd}
    tokens |= {"wrong": b"forged", "nul-suffix": _q(token + "\x00"), "missing": None}
    tokens |= {"longer": _q(token + "x"), "prefix": _q(token[:-1])}
    hits = [_post(path, k, valid | {"csrf": v}, cookie) for k, v in tokens.items()]
    header = (b"x-csrf-token", token.encode())
    without = valid | {"csrf": None}
    hits += [
        _post(path, "header-wrong", without, cookie, ((b"x-csrf-token", b"\xff\x00forged"),)),
        _post(path, "field-wrong-header-right", valid | {"csrf": b"x"}, cookie, (header,)),
        # Last: the one that may act (and end the session, for logout).
        _post(path, "header-only", without, cookie, (header,)),
    ]
    _check_all(server, hits)


@pytest.mark.parametrize("path", FORM_PATHS)
def test_odd_form_bodies(server: Server, path: str) -> None:
    """The form as multipart (fields, files, bytes not UTF-8), bodies that are no form, and
    forms too big."""
    cookie, token = _session_for(server, path)
    fields = {k: v.encode() for k, v in {"csrf": token, **FORMS[path][1]}.items()}
    multipart = _post(path, "", {}, cookie)._replace(
        content_type=b"multipart/form-data; boundary=b0undary"
    )

    def parts(odd: str = "", value: bytes = b"", filename: str = "") -> bytes:
        out = b""
        for name, v in fields.items():
            extra = f'; filename="{filename}"' if filename and name == odd else ""
            head = f'--b0undary\r\nContent-Disposition: form-data; name="{name}"{extra}'
            out += f"{head}\r\n\r\n".encode() + (value if name == odd and value else v) + b"\r\n"
        return out + b"--b0undary--\r\n"

    hits = [multipart._replace(label="multipart", body=parts())]
    for k in fields:
        hits.append(multipart._replace(label=f"{k}-as-file", body=parts(k, filename="f.txt")))
        if k != "csrf":
            odd = parts(k, b"\xff\xfe\xed\xa0\x80")
            hits.append(multipart._replace(label=f"{k}-multipart-not-utf8", body=odd))
    base = _post(path, "", _valid(FORMS[path][1], token), cookie)
    media = {"no-boundary": b"multipart/form-data", "json": b"application/json"}
    media |= {"no-content-type": None, "charset-utf16": FORM + b"; charset=utf-16"}
    hits += [base._replace(label=k, content_type=v) for k, v in media.items()]
    hits += [
        multipart._replace(label="garbage-multipart", body=b"--b0undary\r\n\xff"),
        base._replace(label="1001-fields", body=base.body + b"&a=1" * 1001),
        base._replace(label="1mb-field", body=base.body + b"&big=" + b"x" * (1024 * 1024 + 1)),
        base._replace(label="not-utf8", body=b"\xff\xfe=\xff&" + base.body),
        base._replace(label="empty", body=b""),
    ]
    _check_all(server, hits)


# ---------------------------------------------------------------------------- read back


@pytest.mark.parametrize("page", WRITTEN)
def test_written_page_renders(server: Server, page: str) -> None:
    """What the hostile forms stored in beta, on every page that shows it (the last test: a
    module's tests run in order, one backend after the other)."""
    _render(server, page)
