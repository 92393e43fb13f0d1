"""Redaction: mask findings, or swap them for placeholders that a :class:`Vault` can restore.

Pseudonymisation keeps a conversation coherent: the same e-mail address becomes the same
``<EMAIL_1>`` in every turn, the model answers in terms of ``<EMAIL_1>``, and
:meth:`Vault.restore` puts the real value back into the answer the user sees. The model
provider never sees the value.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from spyglass.checks import Finding

__all__ = ["Vault", "redact"]

_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_(\d+)>")
_SAFE_ENTITY = re.compile(r"[^A-Z0-9_]+")


def _entity_tag(entity: str) -> str:
    return _SAFE_ENTITY.sub("_", entity.upper()).strip("_") or "REDACTED"


class Vault:
    """Placeholders ↔ original values, shared by every turn of one conversation.

    Thread-safe; holds the originals in memory only. Use one vault per conversation (a vault
    shared by many users would hand one user's values back to another).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def placeholder(self, entity: str, value: str) -> str:
        tag = _entity_tag(entity)
        with self._lock:
            key = (tag, value)
            found = self._by_value.get(key)
            if found is not None:
                return found
            n = self._counts.get(tag, 0) + 1
            self._counts[tag] = n
            ph = f"<{tag}_{n}>"
            self._by_value[key] = ph
            self._by_placeholder[ph] = value
            return ph

    def restore(self, text: str) -> str:
        """Put the original values back for every placeholder this vault issued."""
        if "<" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(0), m.group(0)), text)

    def __len__(self) -> int:
        return len(self._by_placeholder)


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings on the text itself, sorted, overlaps resolved in favour of the longer span."""
    spans = sorted(
        (f for f in findings if f.end > f.start and not f.entity.startswith("DOCUMENT[")),
        key=lambda f: (f.start, -(f.end - f.start)),
    )
    merged: list[Finding] = []
    for f in spans:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            if f.end - f.start > last.end - last.start:
                merged[-1] = f
            continue
        merged.append(f)
    return merged


def redact(
    text: str, findings: Iterable[Finding], *, mode: str = "mask", vault: Vault | None = None
) -> str:
    """``text`` with each finding replaced by ``[ENTITY]`` (mask) or a vault placeholder."""
    parts: list[str] = []
    pos = 0
    for f in merge_findings(findings):
        parts.append(text[pos : f.start])
        original = text[f.start : f.end]
        if mode == "pseudonymize" and vault is not None:
            parts.append(vault.placeholder(f.entity, original))
        else:
            parts.append(f"[{_entity_tag(f.entity)}]")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)
