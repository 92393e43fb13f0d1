"""Hostile input on every web UI form and page: an HTML error page (4xx), a redirect or the
page itself, never a 5xx, and the server keeps serving.

``test_api_fuzz.py`` does this for the JSON API; this file does it for the UI, with the same
hostile values (NUL, lone surrogates, '²', 4,301 digits, NaN, 2**63, 60 KB, ...) in each form
field, query parameter, path segment, CSRF token and cookie, plus missing and repeated fields
and bodies that are not a plain form. Each (route, field, kind of value) is one case, so a
known 5xx is a case of its own; writes go to project alpha as the admin, and a last test reads
back every page that shows what the hostile forms stored.

One app per backend serves the module, over a SQLite file and over PostgreSQL (where text with
NUL makes the database raise). Requests are raw ASGI calls (bytes as a server hands them
over), and accounts use a cheap argon2 hash: the hash's cost is not under test here.

Known 5xx are listed in ``KNOWN_5XX``: each makes its case a strict xfail, which fails as soon
as the server is fixed so the entry can go.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

import pytest
from argon2 import PasswordHasher

from spyglass.server.app import create_app
from spyglass.server.ui import passwords
from spyglass.server.ui.logins import LoginThrottle
from spyglass.settings import load_settings
from spyglass.storage.sql.store import SqlStore
from tests.conftest import _truncate
from tests.server.otlp import PROTOBUF, T0, chat_trace, sid, tid, to_protobuf
from tests.server.test_api_fuzz import (
    CURSOR_NUL,
    CURSOR_SURROGATE,
    CURSORS,
    HOSTILE,
    NUL,
    RAW,
    _summary,
    _where,
)

# ---------------------------------------------------------------------------- hostile values


def _q(value: str) -> bytes:
    return quote(value, safe="").encode()


# Every value as it goes on the wire (percent-encoded UTF-8 unless given as raw bytes).
EXTRA = {"NaN": "NaN", "-Infinity": "-Infinity", "2^64": str(2**64), "plus": "+1"}
VALUES: dict[str, dict[str, bytes]] = {
    "general": {k: _q(v) for k, v in (HOSTILE | EXTRA).items()},
    "nul": {k: _q(v) for k, v in NUL.items()},
    # Lone surrogates and bytes that are not UTF-8, percent-encoded and raw.
    "surrogate": {k: v.encode() for k, v in RAW.items()}
    | {"raw-surrogate": b"\xed\xa0\x80", "raw-not-utf8": b"\xff\xfe"},
}
CURSOR_VALUES = {
    "general": {k: _q(v) for k, v in CURSORS.items()},
    "nul": {k: _q(v) for k, v in CURSOR_NUL.items()},
    "surrogate": {k: _q(v) for k, v in CURSOR_SURROGATE.items()},
}
PATH_EXTRA = {"slash": b"%2F", "dot-dot": b"..", "encoded-dot-dot": b"%2E%2E", "semicolon": b";x"}
NEXT_EXTRA = {
    "next-nul": _q("/\x00"),
    "next-crlf": _q("/\r\nSet-Cookie: x=1"),
    "next-60kb": _q("/" + "x" * 60_000),
    "next-scheme": _q("/\\\\evil.example"),
}
KINDS = list(VALUES)

# ---------------------------------------------------------------------------- known 5xx

# (backend or "*", test name, case) -> why it is answered 5xx. The case is the test's
# parametrize id without the backend. Each entry makes its case a strict xfail.
KNOWN_5XX: dict[tuple[str, str, str], str] = {}


def _known(backend: str, test: str, cases: list[str], reason: str) -> None:
    for case in cases:
        assert (backend, test, case) not in KNOWN_5XX, case
        KNOWN_5XX[(backend, test, case)] = reason


def _expect_known_5xx(request: pytest.FixtureRequest, backend: str) -> None:
    test = request.node.originalname
    case = request.node.callspec.id.removeprefix(backend).removeprefix("-")
    reason = KNOWN_5XX.get((backend, test, case)) or KNOWN_5XX.get(("*", test, case))
    if reason:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


# ---------------------------------------------------------------------------- the server

PASSWORD = "correct horse battery"
ADMIN = "admin@example.com"
MEMBER = "member@example.com"
LOGIN_TOKEN = "login-token"
# argon2 at its cheapest: the logins here would take a minute at the real cost.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
TRACE = tid(1)
SPAN = sid(1, 1)
FORM = b"application/x-www-form-urlencoded"


class Hit(NamedTuple):
    label: str
    method: str
    target: str
    body: bytes = b""
    content_type: bytes | None = None
    headers: tuple[tuple[bytes, bytes], ...] = ()
    cookie: bytes | None = None  # None: the admin's session


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    logged: list[logging.LogRecord]


@dataclass
class Server:
    """The app in-process on an event loop of its own, called as an ASGI server would call it."""

    backend: str
    app: Any
    store: SqlStore
    loop: asyncio.AbstractEventLoop
    alpha: int
    admin_id: int
    errors: list[logging.LogRecord] = field(default_factory=list)
    cookie: bytes = b""
    csrf: str = ""
    _sessions: Iterator[int] = field(default_factory=itertools.count)

    def new_session(self, account_id: int | None = None) -> tuple[bytes, str]:
        """A live session of the account (the admin's by default): its cookie and CSRF token."""
        n = next(self._sessions)
        token, csrf = f"session-{n}", f"csrf-{n}"
        expires = T0 * 2  # far ahead
        self.store.create_login_session(token, account_id or self.admin_id, csrf, expires)
        return f"spyglass_session={token}".encode(), csrf

    async def _call(self, hit: Hit) -> Answer:
        raw_path, _, query = hit.target.partition("?")
        headers = [(b"host", b"spyglass.test"), *hit.headers]
        cookie = self.cookie if hit.cookie is None else hit.cookie
        if cookie:
            headers.append((b"cookie", cookie))
        if hit.content_type is not None:
            headers.append((b"content-type", hit.content_type))
        if hit.method == "POST":
            headers.append((b"content-length", str(len(hit.body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": hit.method,
            "scheme": "http",
            # As uvicorn: the path percent-decoded (invalid UTF-8 replaced), the rest raw.
            "path": unquote(raw_path),
            "raw_path": raw_path.encode(),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("spyglass.test", 80),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client is still there
            sent = True
            return {"type": "http.request", "body": hit.body, "more_body": False}

        status, out_headers, chunks = 0, {}, []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = {k.decode(): v.decode("latin-1") for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        self.errors.clear()
        try:
            await self.app(scope, receive, send)
        except Exception:  # ServerErrorMiddleware re-raises after sending the 500
            if not status:
                raise
        return Answer(status, out_headers, b"".join(chunks), list(self.errors))

    def send_all(self, hits: list[Hit]) -> list[Answer]:
        async def run() -> list[Answer]:
            return [await self._call(h) for h in hits]

        return self.loop.run_until_complete(run())

    def url(self, template: str) -> str:
        return template.replace("{p}", str(self.alpha))


class _Errors(logging.Handler):
    """Keeps the server's logged errors (the 500 handler logs each exception)."""

    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


def _seed(srv: Server, key: str) -> None:
    """Traces, a dataset, two experiments and a price in alpha, through the JSON API."""
    bearer = ((b"authorization", f"Bearer {key}".encode()),)
    ingest = b"".join(
        to_protobuf(chat_trace(n, start_ns=T0 + n * 10**9, user="u1", session="s1")) for n in (1, 2)
    )
    hits = [Hit("ingest", "POST", "/v1/traces", ingest, PROTOBUF.encode(), bearer)]
    docs: list[tuple[str, str, Any]] = [
        ("POST", "/api/scores", {"name": "helpful", "value": 1, "trace_id": TRACE}),
        ("POST", "/api/datasets/ds/items", {"items": [{"id": "item-1", "input": "q"}]}),
        ("PUT", "/api/prices/my-model", {"input": 1.0, "output": 2.0}),
    ]
    for run_id in ("run-a", "run-b"):
        docs.append(("POST", "/api/experiments", {"summary": _summary(run_id)}))
        result = {"item_id": "item-1", "scores": {"exact": {"score": 1.0, "passed": True}}}
        docs.append(("POST", f"/api/experiments/{run_id}/results", {"results": [result]}))
    hits += [Hit(p, m, p, json.dumps(d).encode(), b"application/json", bearer) for m, p, d in docs]
    for hit, answer in zip(hits, srv.send_all(hits), strict=True):
        assert answer.status in (200, 201), (hit.label, answer.body[:300])


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The app over a store of the backend: project alpha with data, an admin and a member."""
    home = tmp_path_factory.mktemp(f"ui-fuzz-{request.param}")
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), home / "spyglass.db")
        url = f"sqlite:///{home / 'spyglass.db'}"
    else:
        url = request.getfixturevalue("_postgres_store_url")
        _truncate(url)
    store = SqlStore(url)
    key = store.create_key("alpha").secret
    alpha = store.get_project("alpha")
    assert alpha is not None
    admin = store.create_account(ADMIN, CHEAP.hash(PASSWORD), is_admin=True)
    member = store.create_account(MEMBER, CHEAP.hash(PASSWORD), is_admin=False)
    store.add_member(member.id, alpha.id)
    app = create_app(
        load_settings({"home": str(home), "ingest_processes": 0}, environ={}),
        store,
    )
    # Each login is judged on its own: the throttle's clock moves past its window every call.
    app.state.login_throttle = LoginThrottle(clock=itertools.count(0, 10**6).__next__)
    sink: list[logging.LogRecord] = []
    handler = _Errors(sink)
    logger = logging.getLogger("spyglass")
    logger.addHandler(handler)
    # Hundreds of logged tracebacks would only slow pytest's log capture down.
    propagate, logger.propagate = logger.propagate, False
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(passwords, "_hasher", CHEAP)
            mp.setattr(passwords, "dummy_hash", lambda: CHEAP.hash("not a password"))
            loop.run_until_complete(stack.enter_async_context(app.router.lifespan_context(app)))
            srv = Server(request.param, app, store, loop, alpha.id, admin.id, sink)
            srv.cookie, srv.csrf = srv.new_session()
            _seed(srv, key)
            yield srv
    finally:
        # The dashboard's prefetches may still run: let them end before the loop does.
        if pending := asyncio.all_tasks(loop):
            loop.run_until_complete(asyncio.wait(pending))
        loop.run_until_complete(stack.aclose())
        loop.close()
        logger.removeHandler(handler)
        logger.propagate = propagate
        store.close()


# ---------------------------------------------------------------------------- the check


def _problem(answer: Answer) -> str | None:
    """What is wrong with the answer to a hostile request, or None when it is a proper one."""
    if answer.status >= 500:
        where = "; ".join(_where(r) for r in answer.logged) or answer.body[:200].decode()
        return f"{answer.status} ({where})"
    if answer.status >= 400 and not (answer.status == 401 and "hx-redirect" in answer.headers):
        if "text/html" not in answer.headers.get("content-type", ""):
            return f"{answer.status} without an HTML error page: {answer.body[:200]!r}"
        if b"<" not in answer.body:
            return f"{answer.status} with an empty page"
    return None


def _check_all(srv: Server, hits: list[Hit]) -> None:
    """Send every request; fail listing each bad answer. The server must still answer after."""
    answers = srv.send_all(hits)
    bad = [f"{h.label}: {p}" for h, a in zip(hits, answers, strict=True) if (p := _problem(a))]
    (health,) = srv.send_all([Hit("healthz", "GET", "/healthz")])
    assert health.status == 200, health.body
    if bad:
        # pytest.fail, not assert: a failed assert on a long list renders slowly.
        pytest.fail("\n".join([f"{srv.backend}: {len(bad)} of {len(hits)} wrong:", *bad]), False)


def _form(fields: dict[str, bytes | None]) -> bytes:
    """An urlencoded body of already-encoded values; None leaves the field out."""
    return b"&".join(k.encode() + b"=" + v for k, v in fields.items() if v is not None)


# ---------------------------------------------------------------------------- form fields

# (path, valid form with "{csrf}" for the session's token, fields to make hostile one at a time)
FORM_ROUTES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "/login",
        {"csrf": LOGIN_TOKEN, "email": MEMBER, "password": PASSWORD, "next": "/"},
        ["email", "password", "next"],
    ),
    ("/logout", {"csrf": "{csrf}"}, []),
    (
        f"/p/{{p}}/traces/{TRACE}/scores",
        {"csrf": "{csrf}", "span_id": SPAN, "name": "n", "value": "0.5", "comment": "c"},
        ["span_id", "name", "thumb", "value", "comment"],
    ),
    (
        f"/p/{{p}}/traces/{TRACE}/dataset",
        {"csrf": "{csrf}", "dataset": "ds", "expected": "e"},
        ["dataset", "expected"],
    ),
    ("/p/{p}/settings/keys", {"csrf": "{csrf}", "name": "k"}, ["name"]),
    ("/p/{p}/settings/keys/999/revoke", {"csrf": "{csrf}"}, []),
    (
        "/p/{p}/settings/prices",
        {
            "csrf": "{csrf}",
            "model": "m",
            "input": "1",
            "output": "2",
            "cache_read": "0.5",
            "cache_write": "1.5",
            "reasoning": "2",
            "effective_from": "2025-01-01",
        },
        ["model", "input", "output", "cache_read", "cache_write", "reasoning", "effective_from"],
    ),
    ("/p/{p}/settings/prices/delete", {"csrf": "{csrf}", "model": "m"}, ["model"]),
    ("/p/{p}/settings/members", {"csrf": "{csrf}", "email": MEMBER}, ["email"]),
    ("/p/{p}/settings/members/999/remove", {"csrf": "{csrf}"}, []),
    ("/settings/projects", {"csrf": "{csrf}", "name": "fz"}, ["name"]),
]
LOGIN_COOKIE = f"spyglass_login_csrf={LOGIN_TOKEN}".encode()


def _post(
    srv: Server,
    label: str,
    path: str,
    fields: dict[str, bytes | None],
    cookie: bytes | None = None,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> Hit:
    """A form POST, as the admin unless ``cookie`` says otherwise; the login form gets its
    double-submit cookie, the scores form the header htmx sends."""
    if path == "/login" and cookie is None:
        cookie = LOGIN_COOKIE
    if path.endswith("/scores"):
        headers = ((b"hx-request", b"true"), *headers)
    return Hit(label, "POST", srv.url(path), _form(fields), FORM, headers, cookie)


def _valid(doc: dict[str, str], csrf: str) -> dict[str, bytes | None]:
    return {k: _q(v.replace("{csrf}", csrf)) for k, v in doc.items()}


@pytest.mark.parametrize(
    ("path", "doc", "name", "kind"),
    [
        pytest.param(p, d, f, k, id=f"POST{p}-{f}-{k}")
        for p, d, fields in FORM_ROUTES
        for f in fields
        for k in KINDS
    ],
)
def test_hostile_form_field(
    request: pytest.FixtureRequest,
    server: Server,
    path: str,
    doc: dict[str, str],
    name: str,
    kind: str,
) -> None:
    _expect_known_5xx(request, server.backend)
    valid = _valid(doc, server.csrf)
    values = dict(VALUES[kind])
    if name == "next":
        values |= NEXT_EXTRA
    hits = [_post(server, label, path, valid | {name: v}) for label, v in values.items()]
    if kind == "general":
        hits.append(_post(server, "missing", path, valid | {name: None}))
        twice = _form(valid) + b"&" + name.encode() + b"=1"
        hits.append(hits[-1]._replace(label="twice", body=twice))
        no_equals = _form(valid | {name: None}) + b"&" + name.encode()
        hits.append(hits[-1]._replace(label="no-equals", body=no_equals))
    if path == "/login" and name == "email":
        # An email given twice differently, and the member's in capitals (a real login).
        hits.append(_post(server, "upper", path, valid | {name: _q(MEMBER.upper())}))
    _check_all(server, hits)


@pytest.mark.parametrize(
    ("path", "doc"), [pytest.param(p, d, id=f"POST{p}") for p, d, _ in FORM_ROUTES]
)
def test_hostile_csrf_token(
    request: pytest.FixtureRequest, server: Server, path: str, doc: dict[str, str]
) -> None:
    """Wrong, odd and missing tokens: 403 and nothing done (and never a 5xx)."""
    _expect_known_5xx(request, server.backend)
    cookie, csrf = server.new_session() if path == "/logout" else (None, server.csrf)
    token = LOGIN_TOKEN if path == "/login" else csrf
    valid = _valid(doc, token)
    tokens = {f"csrf-{k}": v for kind in KINDS for k, v in VALUES[kind].items()}
    tokens |= {
        "csrf-wrong": b"forged",
        "csrf-nul-suffix": _q(token + "\x00"),
        "csrf-longer": _q(token + "x"),
        "csrf-prefix": _q(token[:-1]),
        "csrf-missing": None,
    }
    hits = [_post(server, k, path, valid | {"csrf": v}, cookie=cookie) for k, v in tokens.items()]
    header = (b"x-csrf-token", token.encode("latin-1"))
    wrong = (b"x-csrf-token", b"\xff\x00forged")
    without = valid | {"csrf": None}
    hits += [
        _post(server, "header-wrong", path, without, cookie, (wrong,)),
        _post(server, "right-header", path, valid | {"csrf": b"x"}, cookie, (header,)),
        # Last: the one that may act (and end the session, for logout).
        _post(server, "header-only", path, without, cookie, (header,)),
    ]
    _check_all(server, hits)


# The UI reads its forms with ``request.form()``, which nothing closes: a file part's temporary
# file is left to the garbage collector, which warns. A leak, not a 5xx (see the report).
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*SpooledTemporaryFile:pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.parametrize(
    ("path", "doc"), [pytest.param(p, d, id=f"POST{p}") for p, d, _ in FORM_ROUTES]
)
def test_odd_form_bodies(
    request: pytest.FixtureRequest, server: Server, path: str, doc: dict[str, str]
) -> None:
    """The form as multipart (fields, files), bodies that are no form, and forms too big."""
    _expect_known_5xx(request, server.backend)
    cookie, csrf = server.new_session() if path == "/logout" else (None, server.csrf)
    fields = {
        k: v.replace("{csrf}", LOGIN_TOKEN if path == "/login" else csrf) for k, v in doc.items()
    }

    def multipart(parts: list[tuple[str, bytes, str | None]], boundary: str = "b0undary") -> Hit:
        body = b""
        for name, value, filename in parts:
            disposition = f'form-data; name="{name}"' + (
                f'; filename="{filename}"' if filename else ""
            )
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            body += value + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        media = f"multipart/form-data; boundary={boundary}".encode()
        return _post(server, "", path, {}, cookie=cookie)._replace(body=body, content_type=media)

    plain = [(k, v.encode(), None) for k, v in fields.items()]
    hits = [multipart(plain)._replace(label="multipart")]
    for k in fields:
        if k != "csrf":
            as_file = [(n, v, "f.txt" if n == k else None) for n, v, _ in plain]
            hits.append(multipart(as_file)._replace(label=f"multipart-{k}-as-file"))
            odd = [(n, b"\xff\xfe\xed\xa0\x80" if n == k else v, None) for n, v, _ in plain]
            hits.append(multipart(odd)._replace(label=f"multipart-{k}-not-utf8"))
    csrf_file = [(n, v, "f.txt" if n == "csrf" else None) for n, v, _ in plain]
    hits.append(multipart(csrf_file)._replace(label="multipart-csrf-as-file"))
    base = _post(server, "", path, _valid(doc, fields["csrf"]), cookie=cookie)
    media = {
        "no-boundary": b"multipart/form-data",
        "json": b"application/json",
        "no-content-type": None,
        "form-charset-utf16": FORM + b"; charset=utf-16",
    }
    hits += [base._replace(label=k, content_type=v) for k, v in media.items()]
    hits += [
        base._replace(
            label="garbage-multipart",
            body=b"--x\r\n\xff",
            content_type=media["no-boundary"] + b"; boundary=x",
        ),
        base._replace(label="1001-fields", body=base.body + b"&a=1" * 1001),
        base._replace(label="1mb-field", body=base.body + b"&big=" + b"x" * (1024 * 1024 + 1)),
        base._replace(label="not-utf8", body=b"\xff\xfe=\xff&" + base.body),
        base._replace(label="empty", body=b""),
    ]
    _check_all(server, hits)
    gc.collect()  # the leaked files' warnings belong to this test


# ---------------------------------------------------------------------------- query parameters

FILTERS = ["q", "range", "start", "end", "status", "model", "name", "user_id", "session_id"]
FILTERS += ["tag", "release", "environment", "metadata"]
# (path, query parameters); the path holds ids of the seeded data. /login is asked logged out.
QUERY_ROUTES: list[tuple[str, list[str]]] = [
    ("/p/{p}/traces", [*FILTERS, "cursor", "partial", "refresh"]),
    ("/p/{p}/sessions", ["user_id", "cursor"]),
    ("/p/{p}/users", ["cursor"]),
    ("/p/{p}/users/u1", ["cursor"]),
    ("/p/{p}/dashboard", ["window", "by"]),
    ("/p/{p}/dashboard/data", ["window", "by"]),
    ("/p/{p}/datasets/ds", ["cursor", "added"]),
    ("/p/{p}/experiments", ["name", "cursor"]),
    ("/p/{p}/experiments/compare", ["baseline", "candidate"]),
    ("/p/{p}/experiments/run-a", ["cursor"]),
    ("/p/{p}/settings", ["removed"]),
    ("/login", ["next"]),
]
REQUIRED = {"/p/{p}/experiments/compare": {"baseline": "run-a", "candidate": "run-b"}}


@pytest.mark.parametrize(
    ("path", "param", "kind"),
    [
        pytest.param(p, n, k, id=f"GET{p}-{n}-{k}")
        for p, names in QUERY_ROUTES
        for n in names
        for k in KINDS
    ],
)
def test_hostile_query_parameter(
    request: pytest.FixtureRequest, server: Server, path: str, param: str, kind: str
) -> None:
    _expect_known_5xx(request, server.backend)
    values = VALUES[kind] | (CURSOR_VALUES[kind] if param == "cursor" else {})
    if param == "next":
        values = values | NEXT_EXTRA
    others = "".join(f"{k}={v}&" for k, v in REQUIRED.get(path, {}).items() if k != param)
    target = f"{server.url(path)}?{others}"
    cookie = b"" if path == "/login" else None
    hits = [
        Hit(label, "GET", target + f"{param}={v.decode('latin-1')}", cookie=cookie)
        for label, v in values.items()
    ]
    if kind == "general":
        hits.append(Hit("twice", "GET", f"{target}{param}=1&{param}=2", cookie=cookie))
        hits.append(Hit("no-equals", "GET", f"{target}{param}", cookie=cookie))
        # The htmx fragment form of the page.
        hx = ((b"hx-request", b"true"),)
        hits += [h._replace(label=f"hx-{h.label}", headers=hx) for h in hits[:3]]
    _check_all(server, hits)


# ---------------------------------------------------------------------------- path segments

# (method, path with {} for the hostile segment, valid form for POSTs)
PATH_ROUTES: list[tuple[str, str, dict[str, str] | None]] = [
    ("GET", "/p/{}", None),
    ("GET", "/p/{}/traces", None),
    ("GET", "/p/{p}/traces/{}", None),
    ("GET", "/p/{p}/traces/{}/spans/" + SPAN, None),
    ("GET", f"/p/{{p}}/traces/{TRACE}/spans/{{}}", None),
    ("GET", "/p/{p}/sessions/{}", None),
    ("GET", "/p/{p}/users/{}", None),
    ("GET", "/p/{p}/datasets/{}", None),
    ("GET", "/p/{p}/experiments/{}", None),
    ("POST", "/p/{}/settings/keys", {"name": "k"}),
    ("POST", "/p/{p}/traces/{}/scores", {"thumb": "up"}),
    ("POST", "/p/{p}/traces/{}/dataset", {"dataset": "ds"}),
    ("POST", "/p/{p}/settings/keys/{}/revoke", {}),
    ("POST", "/p/{p}/settings/members/{}/remove", {}),
]


@pytest.mark.parametrize(
    ("method", "template", "doc", "kind"),
    [
        pytest.param(m, t, d, k, id=f"{m}{t}-{k}")
        for m, t, d in PATH_ROUTES
        for k in KINDS
        if k != "surrogate" or m == "GET"
    ],
)
def test_hostile_path_segment(
    request: pytest.FixtureRequest,
    server: Server,
    method: str,
    template: str,
    doc: dict[str, str] | None,
    kind: str,
) -> None:
    _expect_known_5xx(request, server.backend)
    # No raw bytes in a path: a server refuses the request line before the app sees it.
    values = {k: v for k, v in VALUES[kind].items() if v.isascii()}
    if kind == "general":
        values |= PATH_EXTRA
    body = _form(_valid({"csrf": server.csrf, **(doc or {})}, server.csrf))
    hits = [
        Hit(
            label,
            method,
            server.url(template).replace("{}", v.decode()),
            body if doc is not None else b"",
            FORM if doc is not None else None,
        )
        for label, v in values.items()
    ]
    _check_all(server, hits)


# ---------------------------------------------------------------------------- cookies

COOKIES = {
    "empty": b"",
    "101-chars": b"x" * 101,
    "60kb": b"x" * 60_000,
    "octal-nul": b'"\\000"',
    "octal-surrogate-bytes": b'"\\355\\240\\200"',
    "latin1": b"\xff\xfe",
    "unbalanced-quote": b'"abc',
    "semicolons": b";;;=;",
}
COOKIE_TARGETS = [("GET", "/p/{p}/traces"), ("GET", "/login"), ("POST", "/login")]
COOKIE_TARGETS += [("POST", "/logout"), ("POST", "/p/{p}/settings/keys")]


@pytest.mark.parametrize(("method", "path"), COOKIE_TARGETS, ids=lambda v: v)
def test_hostile_cookies(server: Server, method: str, path: str) -> None:
    """Odd session and login-form cookies: a login page or a 403, never a 5xx."""
    body = _form({"csrf": _q(server.csrf), "email": _q(MEMBER), "password": _q(PASSWORD)})
    hits = [
        Hit(
            f"{name}-{label}",
            method,
            server.url(path),
            body if method == "POST" else b"",
            FORM if method == "POST" else None,
            cookie=name + b"=" + value,
        )
        for name in (b"spyglass_session", b"spyglass_login_csrf")
        for label, value in COOKIES.items()
    ]
    hits.append(hits[0]._replace(label="twice", cookie=server.cookie + b"; " + server.cookie))
    _check_all(server, hits)


# ---------------------------------------------------------------------------- read back


def test_what_the_hostile_forms_stored_renders(server: Server) -> None:
    """Keys, prices, scores, dataset items and projects the forms stored: every page that shows
    them (run last: the module's tests run in order, one backend after the other)."""
    pages = [
        "/",
        "/p/{p}/traces",
        f"/p/{{p}}/traces/{TRACE}",
        f"/p/{{p}}/traces/{TRACE}/spans/{SPAN}",
    ]
    pages += ["/p/{p}/datasets", "/p/{p}/settings", "/p/{p}/sessions/s1", "/p/{p}/users/u1"]
    pages += ["/p/{p}/dashboard/data", "/p/{p}/experiments"]
    pages += [
        f"/p/{{p}}/datasets/{quote(d.name, safe='')}"
        for d in server.store.list_datasets(server.alpha)
    ]
    pages += [f"/p/{p.id}/settings" for p in server.store.list_projects()]
    _check_all(server, [Hit(p, "GET", server.url(p)) for p in pages])
