"""What an eval file can run: a Python callable, an HTTP endpoint, or a model with a prompt.

::

    target: {python: "my_app.bot:answer"}
    target:
      http: {url: "http://127.0.0.1:8000/answer", body: {question: "{input}"}, output: answer}
    target:
      model: {name: gpt-4o-mini, base_url: "http://127.0.0.1:11434/v1",
              system: "You are terse.", prompt: "Question: {input}"}

Templates use Python's ``str.format`` fields: ``{input}`` (or ``{input[question]}`` when the
input is an object), ``{expected}`` and ``{metadata[key]}``. Model answers go through the
LLM cache: an unchanged experiment re-runs with zero model calls.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from spyglass.evals.dataset import Item
from spyglass.exceptions import ConfigError

__all__ = ["build_target", "estimate_cost"]

# The estimate assumes this many answer tokens when the target does not cap max_tokens: a
# typical short answer. It is an estimate, printed as one, never a budget.
ASSUMED_OUTPUT_TOKENS = 256


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise ConfigError(f"template field {{{key}}} is not one of input, expected, metadata")


def render(template: str, item: Item) -> str:
    fields = _Fields(input=item.input, expected=item.expected, metadata=dict(item.metadata))
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, AttributeError) as exc:
        raise ConfigError(f"template {template!r}: {exc}") from exc


def _render_value(value: Any, item: Item) -> Any:
    if isinstance(value, str):
        if value == "{input}":
            return item.input  # keep objects as objects in JSON bodies
        return render(value, item)
    if isinstance(value, Mapping):
        return {k: _render_value(v, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_render_value(v, item) for v in value]
    return value


def python_target(ref: str, base_dir: Path) -> Callable[..., Any]:
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"python target {ref!r}: use 'module.path:function'")
    if str(base_dir) not in sys.path:
        sys.path.insert(0, str(base_dir))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"python target {ref!r}: cannot import {module_name}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise ConfigError(f"python target {ref!r}: {attr} is not a function of {module_name}")
    return func  # type: ignore[no-any-return]


def http_target(spec: Mapping[str, Any]) -> Callable[..., Any]:
    import httpx

    url = spec.get("url")
    if not isinstance(url, str):
        raise ConfigError("http target needs a 'url'")
    method = str(spec.get("method", "POST")).upper()
    headers = dict(spec.get("headers") or {})
    body = spec.get("body", {"input": "{input}"})
    output_path = [p for p in str(spec.get("output", "")).split(".") if p]
    timeout = float(spec.get("timeout_s", 60))

    async def call(item: Item) -> Any:
        async with httpx.AsyncClient(timeout=timeout) as client:
            resp = await client.request(
                method, url, headers=headers, json=_render_value(body, item)
            )
        resp.raise_for_status()
        value: Any = (
            resp.json()
            if output_path or "json" in resp.headers.get("content-type", "")
            else resp.text
        )
        for part in output_path:
            if not isinstance(value, Mapping) or part not in value:
                raise ValueError(f"the answer has no {'.'.join(output_path)!r}")
            value = value[part]
        return value

    return call


class ModelTarget:
    """An OpenAI-compatible model answering a prompt template (cached by content)."""

    def __init__(self, spec: Mapping[str, Any], *, refresh: bool = False) -> None:
        from spyglass.llm import ChatModel

        name = spec.get("name")
        if not isinstance(name, str):
            raise ConfigError("model target needs a 'name'")
        self.prompt = str(spec.get("prompt", "{input}"))
        self.system = spec.get("system")
        self.max_tokens = spec.get("max_tokens")
        self.model = ChatModel(
            name,
            base_url=spec.get("base_url"),
            api_key=spec.get("api_key"),
            temperature=spec.get("temperature", 0.0),
            max_tokens=self.max_tokens,
            refresh=refresh,
        )

    def messages(self, item: Item) -> list[dict[str, str]]:
        out = []
        if self.system:
            out.append({"role": "system", "content": render(str(self.system), item)})
        out.append({"role": "user", "content": render(self.prompt, item)})
        return out

    async def __call__(self, item: Item) -> str:
        completion = await self.model.acomplete(self.messages(item))
        return completion.text


def build_target(spec: Any, base_dir: Path, *, refresh: bool = False) -> Callable[..., Any]:
    """The task function for an eval file's ``target``; it takes the :class:`Item`."""
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise ConfigError("target is one of {python: ...}, {http: {...}}, {model: {...}}")
    ((kind, value),) = spec.items()
    if kind == "python":
        func = python_target(str(value), base_dir)
        return func
    if kind == "http":
        if not isinstance(value, Mapping):
            raise ConfigError("http target: give {url: ..., body: ..., output: ...}")
        call = http_target(value)

        async def item_http(item: Item) -> Any:
            return await call(item)

        return item_http
    if kind == "model":
        if not isinstance(value, Mapping):
            raise ConfigError("model target: give {name: ..., prompt: ...}")
        target = ModelTarget(value, refresh=refresh)

        async def item_model(item: Item) -> str:
            return await target(item)

        return item_model
    raise ConfigError(f"unknown target kind {kind!r}; use python, http or model")


def estimate_cost(spec: Any, items: list[Item]) -> tuple[float | None, str]:
    """A cost estimate for a model target before it runs, and how it was made."""
    if not isinstance(spec, Mapping) or "model" not in spec:
        return None, "no estimate: the target is not a model"
    from spyglass.checks.format import estimate_tokens
    from spyglass.pricing import compute_cost

    model = spec["model"]
    system = str(model.get("system") or "")
    prompt = str(model.get("prompt", "{input}"))
    out_tokens = int(model.get("max_tokens") or ASSUMED_OUTPUT_TOKENS)
    total = 0.0
    for item in items:
        text = render(system, item) + render(prompt, item)
        cost = compute_cost(str(model.get("name")), None, estimate_tokens(text), out_tokens)
        if cost is None:
            return None, f"no estimate: no price for model {model.get('name')!r}"
        total += cost.total
    how = (
        f"{len(items)} calls, prompt tokens estimated, {out_tokens} answer tokens each "
        "(before cache hits)"
    )
    return total, how
