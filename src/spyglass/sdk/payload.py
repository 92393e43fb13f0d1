"""Turn inputs and outputs into span attribute text: JSON, redacted, truncated."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

Redactor = Callable[[str], str]

_TRUNCATED = "…[truncated {n} chars]"


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)  # pydantic models
    if callable(dump):
        try:
            return dump(mode="json")
        except Exception:  # a model that cannot dump itself still gets a repr
            return repr(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return repr(value)


def to_text(value: Any, limit: int, redact: Redactor | None) -> str:
    """``value`` as text: strings as they are, anything else as JSON (repr as a last resort)."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=_default, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    if redact is not None:
        text = redact(text)
    if len(text) > limit:
        text = text[:limit] + _TRUNCATED.format(n=len(text) - limit)
    return text


def bound_arguments(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The call's arguments by parameter name, without ``self``/``cls``."""
    try:
        sig = inspect.signature(func)
        bound = sig.bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return {"args": list(args), **kwargs}
    out = dict(bound.arguments)
    out.pop("self", None)
    out.pop("cls", None)
    return out
