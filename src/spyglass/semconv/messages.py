"""Rebuild chat messages from the shapes instrumentors send them in.

Every dialect is normalised to one OpenAI-like shape, which the UI renders::

    {"role": "user", "content": "text", "tool_calls": [{"id", "name", "arguments"}],
     "tool_call_id": "...", "name": "..."}

Keys that are absent or empty are left out.
"""

from __future__ import annotations

from typing import Any

from spyglass._json import dumps, loads

Message = dict[str, Any]


def is_index(text: str) -> bool:
    """Whether ``text`` is a list index int() takes: ASCII digits ("²".isdigit() is True and
    int() refuses it), at most 9 of them (int() refuses over 4,300)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def from_indexed(groups: dict[int, dict[str, Any]], style: str) -> list[Message]:
    """Messages from flattened ``prefix.N.field`` attributes, grouped by N.

    ``style`` is ``"openinference"`` (``message.role``, ``message.tool_calls.K.tool_call.*``)
    or ``"openllmetry"`` (``role``, ``tool_calls.K.name``).
    """
    out: list[Message] = []
    for index in sorted(groups):
        fields = groups[index]
        if style == "openinference":
            fields = {k.removeprefix("message."): v for k, v in fields.items()}
        msg: Message = {}
        calls: dict[int, dict[str, Any]] = {}
        parts: dict[int, str] = {}
        for key, value in fields.items():
            if key in ("role", "content", "name", "tool_call_id"):
                msg[key] = value
            elif key == "finish_reason":
                msg["finish_reason"] = value
            elif key.startswith("tool_calls."):
                num, _, rest = key[len("tool_calls.") :].partition(".")
                if not is_index(num):
                    continue
                rest = rest.removeprefix("tool_call.").removeprefix("function.")
                rest = rest.removeprefix("function.")
                if rest in ("name", "arguments", "id"):
                    calls.setdefault(int(num), {})[rest] = value
            elif key.startswith("contents."):
                num, _, rest = key[len("contents.") :].partition(".")
                if is_index(num) and rest.endswith("text"):
                    parts[int(num)] = str(value)
        if "content" not in msg and parts:
            msg["content"] = "".join(parts[i] for i in sorted(parts))
        if calls:
            msg["tool_calls"] = [calls[i] for i in sorted(calls)]
        if msg:
            out.append(msg)
    return out


def from_genai_json(raw: Any) -> list[Message] | None:
    """Messages from ``gen_ai.input.messages`` / ``gen_ai.output.messages`` (JSON or list).

    The OTel GenAI form is ``[{"role", "parts": [{"type": "text", "content"}, {"type":
    "tool_call", "id", "name", "arguments"}, {"type": "tool_call_response", "id",
    "response"}]}]``. Returns None when ``raw`` is not that shape, so the caller can note it.
    """
    data = loads(raw) if isinstance(raw, str) else raw
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return None
    out: list[Message] = []
    for item in data:
        if not isinstance(item, dict):
            return None
        msg: Message = {"role": item.get("role", "unknown")}
        parts = item.get("parts")
        if parts is None:
            # Older drafts and some SDKs send OpenAI-style {"role", "content"} objects.
            if "content" in item:
                msg["content"] = _text_of(item["content"])
            if isinstance(item.get("tool_calls"), list) and item["tool_calls"]:
                msg["tool_calls"] = [openai_call(c) for c in item["tool_calls"]]
        else:
            texts: list[str] = []
            for part in parts if isinstance(parts, list) else []:
                if not isinstance(part, dict):
                    continue
                ptype = part.get("type")
                if ptype in {"text", "reasoning"}:
                    texts.append(str(part.get("content", "")))
                elif ptype == "tool_call":
                    call = {k: part[k] for k in ("id", "name", "arguments") if k in part}
                    # GenAI sends arguments as an object; the other dialects (and OpenAI) as
                    # JSON text. Keep one shape: text.
                    if "arguments" in call and not isinstance(call["arguments"], str):
                        call["arguments"] = dumps(call["arguments"])
                    msg.setdefault("tool_calls", []).append(call)
                elif ptype == "tool_call_response":
                    msg["tool_call_id"] = part.get("id")
                    texts.append(_text_of(part.get("response", part.get("result"))))
            if "".join(texts):  # absent or empty keys are left out (module docstring)
                msg["content"] = "".join(texts)
        if item.get("finish_reason"):
            msg["finish_reason"] = item["finish_reason"]
        out.append(msg)
    return out


def system_instructions(raw: Any) -> Message | None:
    """The ``gen_ai.system_instructions`` attribute as a system message."""
    data = raw
    if isinstance(raw, str) and raw.lstrip().startswith("["):
        try:
            data = loads(raw)
        except ValueError:
            data = raw  # plain text may start with "[" too, e.g. "[INST] ..."
    if isinstance(data, str):
        return {"role": "system", "content": data}
    if isinstance(data, list):
        text = "".join(str(p.get("content", "")) for p in data if isinstance(p, dict))
        return {"role": "system", "content": text}
    return None


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            str(p.get("text", p.get("content", ""))) if isinstance(p, dict) else str(p)
            for p in value
        )
    return dumps(value)


def openai_call(call: Any) -> dict[str, Any]:
    """One OpenAI-style tool call (``{"id", "function": {"name", "arguments"}}``), flattened."""
    if not isinstance(call, dict):
        return {"arguments": str(call)}
    raw_fn = call.get("function")
    fn: dict[str, Any] = raw_fn if isinstance(raw_fn, dict) else call
    return {
        k: v
        for k, v in (
            ("id", call.get("id")),
            ("name", fn.get("name")),
            ("arguments", fn.get("arguments")),
        )
        if v is not None
    }
