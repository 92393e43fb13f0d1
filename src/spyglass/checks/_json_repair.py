"""JSON parsing that rejects NaN, and the repair of common LLM JSON breakage.

Used by the ``json`` and ``json-schema`` checks (:mod:`spyglass.checks.format`): their
``fix()`` is :func:`repair_json`, which never turns valid JSON into something different.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FENCED = re.compile(r"\A\s*```[ \t]*(?:json5?|JSON)?[ \t]*\n(.*?)\n?[ \t]*```\s*\Z", re.DOTALL)
_OPEN_FENCE = re.compile(r"```[ \t]*(?:json5?|JSON|javascript|js)?[ \t]*\n")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d*)?")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_LITERALS = {
    **dict.fromkeys(("true", "True", "TRUE"), "true"),
    **dict.fromkeys(("false", "False", "FALSE"), "false"),
    **dict.fromkeys(("null", "None", "NULL", "nil", "undefined", "NaN", "Infinity"), "null"),
}
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_VALID_ESCAPES = set('"\\/bfnrtu')
_CUT_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u[0-9a-fA-F]{0,3}\"\Z")
_OPENING = re.compile(r"[{\[]")
_SPACE_RUN = re.compile(r"\s+")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def parse_json(text: str) -> Any:
    """Strict JSON (no NaN or Infinity); raises ``ValueError`` with the position."""
    try:
        return _DECODER.decode(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply to parse") from exc


def parse_text(text: str, *, allow_fenced: bool) -> tuple[Any, str | None]:
    """(value, None) or (None, why it is not JSON)."""
    if not text.strip():
        return None, "empty text is not JSON"
    try:
        return parse_json(text), None
    except ValueError as exc:
        problem = _describe(exc)
    fenced = _FENCED.match(text) if allow_fenced else None
    if fenced is not None:
        try:
            return parse_json(fenced.group(1)), None
        except ValueError as exc:
            problem = _describe(exc) + " (inside the fenced block)"
    return None, problem


def _describe(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return str(exc)


def _is_json(text: str) -> bool:
    try:
        parse_json(text)
    except ValueError:
        return False
    return True


def repair_json(text: str) -> str | None:
    """Valid JSON text made from an LLM's broken attempt, or None. Valid JSON is returned as is."""
    if _is_json(text):
        return text
    fence = _OPEN_FENCE.search(text)
    if fence is not None:  # the fenced block, closed or cut off
        close = text.find("```", fence.end())
        text = text[fence.end() : close if close != -1 else len(text)]
        if _is_json(text.strip()):
            return text.strip()
    opening = _OPENING.search(text)
    if opening is not None:
        start = opening.start()
        try:  # valid JSON with prose around it
            return text[start : _DECODER.raw_decode(text, start)[1]]
        except (ValueError, RecursionError):
            pass
    else:  # a lone scalar: a quoted string, a number or a literal, nothing else
        stripped = text.strip()
        if stripped in _LITERALS:
            return _LITERALS[stripped]
        if _NUMBER.fullmatch(stripped):
            return _number(stripped)
        if not stripped or stripped[0] not in "'\"":
            return None
        start = len(text) - len(text.lstrip())
    repaired = _Repair(text, start).run()
    return repaired if _is_json(repaired) else None


class _Repair:
    """A forgiving single pass over JSON-ish text that writes strict JSON."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.i = start
        self.out: list[str] = []
        self.stack: list[str] = []  # "{" or "["
        # What may come next: "value", "key", "colon" or "comma" (after a value or key).
        self.expect = "value"

    def run(self) -> str:
        text, n = self.text, len(self.text)
        while self.i < n:
            c = text[self.i]
            if space := _SPACE_RUN.match(text, self.i):
                self.out.append(space.group())
                self.i = space.end()
            elif (c == "/" and text.startswith(("//", "/*"), self.i)) or c == "#":
                self._comment()
            elif c in "\"'":
                self._comma()
                self._string(c)
            elif c in "{[":
                self._comma()
                if not self._before_value():
                    self.i += 1
                    continue
                self.stack.append(c)
                self.out.append(c)
                self.expect = "key" if c == "{" else "value"
                self.i += 1
            elif c in "}]":
                self.i += 1
                if self._close("{" if c == "}" else "["):
                    break
            elif c in ":=" and self.expect == "colon":
                self.out.append(":")
                self.expect = "value"
                self.i += 1
            elif c == "," and self.expect == "comma":
                self.out.append(",")
                self.expect = "key" if self.stack[-1] == "{" else "value"
                self.i += 1
            elif m := _NUMBER.match(text, self.i):
                self._comma()
                if self.expect == "key":  # {1: "a"}
                    self._key(json.dumps(_number(m.group())), m.end())
                else:
                    self._scalar(_number(m.group()), m.end())
            elif m := _IDENTIFIER.match(text, self.i):
                self._comma()
                word = m.group()
                if self.expect == "key":
                    self._key(json.dumps(word), m.end())
                elif word in _LITERALS:
                    self._scalar(_LITERALS[word], m.end())
                elif m.end() == n and (full := _completion(word)) is not None:
                    self._scalar(full, m.end())  # "tru" cut off at the end
                else:
                    self._scalar(json.dumps(word), m.end())  # {status: ok}
            else:
                self.i += 1  # stray character: drop it
            if not self.stack and self.expect == "comma":
                break  # the top-level value is complete: ignore what follows
        return self._finish()

    def _comma(self) -> None:
        """Insert the comma missing between two values or members: {"a": 1 "b": 2}."""
        if self.expect == "comma" and self.stack:
            self.out.append(",")
            self.expect = "key" if self.stack[-1] == "{" else "value"

    def _before_value(self) -> bool:
        """Make room for a value; False when a value cannot go here."""
        if self.expect in ("key", "comma"):
            return False
        if self.expect == "colon":
            self.out.append(":")
        return self.expect in ("value", "colon")

    def _scalar(self, token: str, end: int) -> None:
        self.i = end
        if self._before_value():
            self.out.append(token)
            self.expect = "comma"

    def _key(self, token: str, end: int) -> None:
        self.i = end
        self.out.append(token)
        self.expect = "colon"

    def _string(self, quote: str) -> None:
        text, n = self.text, len(self.text)
        j = self.i + 1
        chars: list[str] = ['"']
        while j < n and text[j] != quote:
            c = text[j]
            if c == "\\" and j + 1 < n:
                nxt = text[j + 1]
                if nxt in _VALID_ESCAPES:
                    chars.append(c + nxt)
                else:  # \' and other escapes JSON does not have
                    chars.append(json.dumps(nxt)[1:-1])
                j += 2
                continue
            if c == '"':
                chars.append('\\"')
            elif c in _ESCAPES:
                chars.append(_ESCAPES[c])
            elif c == "\\":
                pass  # a lone backslash at the very end
            elif c < " ":
                chars.append(f"\\u{ord(c):04x}")
            else:
                chars.append(c)
            j += 1
        chars.append('"')
        token = _CUT_ESCAPE.sub(r'\1"', "".join(chars))  # text cut off inside a \\uXXXX escape
        end = j + 1 if j < n else n
        if self.expect == "key":
            self._key(token, end)
        else:
            self._scalar(token, end)

    def _comment(self) -> None:
        text = self.text
        if text.startswith("/*", self.i):
            close = text.find("*/", self.i + 2)
            self.i = len(text) if close == -1 else close + 2
        else:
            newline = text.find("\n", self.i)
            self.i = len(text) if newline == -1 else newline

    def _drop_trailing_comma(self) -> None:
        for k in range(len(self.out) - 1, -1, -1):
            if not self.out[k].isspace():
                if self.out[k] == ",":
                    del self.out[k]
                return

    def _close(self, opener: str) -> bool:
        """Close up to the matching ``opener``; True when the top-level value is complete."""
        if opener not in self.stack:
            return False  # a stray closer
        while self.stack:
            top = self.stack.pop()
            if self.expect == "colon":
                self.out.append(":null")  # a key cut off before its value
            elif self.expect == "value" and top == "{":  # "key": cut off before the value
                self.out.append("null")
            self._drop_trailing_comma()
            self.out.append("}" if top == "{" else "]")
            self.expect = "comma"
            if top == opener:
                break
        return not self.stack

    def _finish(self) -> str:
        while self.stack:
            self._close(self.stack[-1])
        return "".join(self.out).strip()


def _number(raw: str) -> str:
    """A JSON number from a sloppy or cut-off one: +1 -> 1, .5 -> 0.5, 1. -> 1, 1e -> 1."""
    raw = raw.lstrip("+")
    sign = "-" if raw.startswith("-") else ""
    raw = raw.lstrip("-")
    mantissa, _, exponent = raw.replace("E", "e").partition("e")
    whole, _, fraction = mantissa.partition(".")
    whole = whole.lstrip("0") or "0"
    text = sign + whole + (f".{fraction}" if fraction else "")
    if exponent.lstrip("+-").isdigit():
        text += "e" + exponent
    return text


def _completion(word: str) -> str | None:
    for literal in ("true", "false", "null"):
        if literal.startswith(word.lower()) and word:
            return literal
    return None
