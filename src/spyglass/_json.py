"""JSON for the ingest hot path: orjson when installed (the server extra), else the stdlib.

Both produce compact UTF-8 text without ASCII escaping, so stored values do not depend on
which one ran.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # the core SDK install does not need it
    orjson = None  # type: ignore[assignment]


def dumps(value: Any) -> str:
    if orjson is not None:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def loads(raw: str | bytes) -> Any:
    """Parse JSON; raises ``ValueError`` on bad input with either backend."""
    if orjson is not None:
        return orjson.loads(raw)
    return json.loads(raw)
