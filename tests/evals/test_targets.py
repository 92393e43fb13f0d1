"""Eval-file targets: an HTTP endpoint and an OpenAI-compatible model (cached)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from spyglass.evals import Dataset, Item, evaluate
from spyglass.evals.targets import build_target, estimate_cost, render
from spyglass.exceptions import ConfigError
from tests.fakes.openai_upstream import FakeOpenAI, Script

ITEMS = [
    {"id": f"q{i}", "input": {"question": f"what is {i}?"}, "expected": str(i)} for i in range(5)
]


class _Answer(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        number = body["q"]["question"].split()[-1].rstrip("?")
        payload = json.dumps({"data": {"answer": number}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def answer_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/answer"
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_target_posts_the_rendered_body_and_reads_the_output_path(
    answer_server: str, tmp_path: Path
) -> None:
    spec = {"http": {"url": answer_server, "body": {"q": "{input}"}, "output": "data.answer"}}
    task = build_target(spec, tmp_path)
    run = evaluate(task, ITEMS, ["exact-match"], evals_dir=tmp_path, progress=False)
    assert run.summary.check("exact-match").mean == 1.0  # type: ignore[union-attr]


def test_a_model_target_is_cached_so_a_rerun_makes_no_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache file comes from the setting, as it does for the CLI.
    monkeypatch.setenv("SPYGLASS_LLM_CACHE_PATH", str(tmp_path / "llm.sqlite"))
    with FakeOpenAI(Script(reply="4")) as fake:
        spec = {
            "model": {
                "name": "gpt-4o-mini",
                "base_url": fake.base_url,
                "api_key": "sk-test",
                "system": "Answer with a number.",
                "prompt": "Q: {input[question]}",
            }
        }
        for expected_calls in (5, 0):
            before = len(fake.requests)
            run = evaluate(
                build_target(spec, tmp_path),
                ITEMS,
                ["exact-match"],
                evals_dir=tmp_path,
                progress=False,
            )
            assert len(fake.requests) - before == expected_calls
            assert run.summary.check("exact-match").mean == pytest.approx(0.2)  # type: ignore[union-attr]
        sent = [r.body["messages"] for r in fake.requests]  # items run concurrently
        assert [
            {"role": "system", "content": "Answer with a number."},
            {"role": "user", "content": "Q: what is 0?"},
        ] in sent
        refreshed = build_target(spec, tmp_path, refresh=True)
        evaluate(refreshed, ITEMS[:2], evals_dir=tmp_path, progress=False)
        assert len(fake.requests) == 7  # --no-cache asks the model again


def test_cost_is_estimated_from_the_price_table_for_model_targets() -> None:
    items = Dataset.from_items(ITEMS).items
    cost, how = estimate_cost({"model": {"name": "gpt-4o-mini", "max_tokens": 100}}, items)
    assert cost is not None and 0 < cost < 0.001 and "5 calls" in how
    assert estimate_cost({"python": "x:y"}, items) == (
        None,
        "no estimate: the target is not a model",
    )
    unknown, why = estimate_cost({"model": {"name": "my-local-llama"}}, items)
    assert unknown is None and "no price for model" in why


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"python": "nomodule"}, "use 'module.path:function'"),
        ({"python": "not_a_module_xyz:f"}, "cannot import not_a_module_xyz"),
        ({"http": {"body": {}}}, "http target needs a 'url'"),
        ({"model": {"prompt": "x"}}, "model target needs a 'name'"),
        ({"ftp": {}}, "unknown target kind 'ftp'"),
        ({"python": "a:b", "http": {}}, "target is one of"),
    ],
)
def test_bad_targets_say_what_is_wrong(spec: dict[str, Any], message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        build_target(spec, tmp_path)


def test_templates_name_their_fields() -> None:
    item = Item(input={"q": "hi"}, expected="x", metadata={"lang": "en"})
    assert render("{input[q]} ({metadata[lang]}) -> {expected}", item) == "hi (en) -> x"
    with pytest.raises(ConfigError, match=r"template field \{answer\}"):
        render("{answer}", item)
