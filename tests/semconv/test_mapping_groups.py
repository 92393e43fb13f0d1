"""``map_span`` reads only the key groups a span has: the group table agrees with the key
tuples, a field whose keys are all absent keeps its default, and a resource's fields computed
once (``resource_fields``) map exactly as the resource itself.

The group table is a lookup shortcut: these tests hold it to the key tuples it was built
from, so a key added to a tuple but missing from the table (or skipped by the wrong scan)
fails here rather than mapping to nothing in production.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.semconv import mapping
from spyglass.semconv.mapping import MappedSpan, map_span, resource_fields
from tests.semconv.test_mapping import CASES, Case

DEFAULTS = asdict(MappedSpan())
_TOKEN_FIELDS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)
_TOKEN_KEYS = (
    mapping._INPUT_TOKEN_KEYS
    + mapping._OUTPUT_TOKEN_KEYS
    + mapping._CACHE_READ_KEYS
    + mapping._CACHE_WRITE_KEYS
    + mapping._REASONING_KEYS
    + mapping._TOTAL_TOKEN_KEYS
)
# The attribute keys of each group of fields. Release on a span is read from its own names
# only (service.version is a resource attribute).
_GROUPS: list[tuple[tuple[str, ...], frozenset[str]]] = [
    (("provider",), frozenset(mapping._PROVIDER_KEYS)),
    (("model",), frozenset(mapping._MODEL_KEYS + mapping._INVOCATION_KEYS)),
    (_TOKEN_FIELDS, frozenset(_TOKEN_KEYS)),
    (("cost_reported",), frozenset(mapping._COST_KEYS)),
    (("ttft_ns",), frozenset(k for k, _ in mapping._TTFT_KEYS)),
    (("session_id",), frozenset(mapping._SESSION_KEYS)),
    (("user_id",), frozenset(mapping._USER_KEYS)),
    (("environment",), frozenset(mapping._ENV_KEYS)),
    (("release",), frozenset(mapping._RELEASE_KEYS[1:])),
    (("tags",), frozenset(mapping._TAG_KEYS)),
]
# Session and user ids of OpenLLMetry's association properties: grouped keys under a scanned
# prefix, and the only ones whose scan may be skipped (prefixed metadata leaves them out).
_GROUPED_UNDER_SCAN_PREFIX = {
    "traceloop.association.properties.session_id",
    "traceloop.association.properties.user_id",
}


def test_only_the_association_ids_are_grouped_under_a_scanned_prefix() -> None:
    # _scan skips the prefix scan for a grouped key: right only for keys whose prefixed
    # reading (metadata, indexed messages) would drop them anyway.
    grouped = {key for key in mapping._KEY_GROUPS if key.startswith(mapping._SCAN_PREFIXES)}
    assert grouped <= _GROUPED_UNDER_SCAN_PREFIX


# (key, a value it maps, the fields of its group) for every key a group names.
_ALONE: list[tuple[str, Any, tuple[str, ...]]] = [
    *((k, "openai", ("provider",)) for k in mapping._PROVIDER_KEYS),
    *((k, "gpt-4o", ("model",)) for k in mapping._MODEL_KEYS),
    *((k, '{"model": "gpt-4o"}', ("model",)) for k in mapping._INVOCATION_KEYS),
    *((k, 7, _TOKEN_FIELDS) for k in _TOKEN_KEYS),
    *((k, 0.5, ("cost_reported",)) for k in mapping._COST_KEYS),
    *((k, 0.25, ("ttft_ns",)) for k, _ in mapping._TTFT_KEYS),
    *((k, "s-1", ("session_id",)) for k in mapping._SESSION_KEYS),
    *((k, "u-1", ("user_id",)) for k in mapping._USER_KEYS),
    *((k, "prod", ("environment",)) for k in mapping._ENV_KEYS),
    *((k, "1.2.3", ("release",)) for k in mapping._RELEASE_KEYS[1:]),
    *((k, "a,b", ("tags",)) for k in mapping._TAG_KEYS),
    *((k, '{"plan": "pro"}', ("metadata",)) for k in mapping._METADATA_KEYS),
    *((k, "hello", ("input", "output")) for k in mapping._IO_KEYS),
]


@pytest.mark.parametrize(("key", "value", "fields"), _ALONE, ids=[a[0] for a in _ALONE])
def test_every_grouped_key_maps_on_its_own(key: str, value: Any, fields: tuple[str, ...]) -> None:
    m = map_span({key: value}, {})
    assert any(getattr(m, f) != DEFAULTS[f] for f in fields), asdict(m)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_precomputed_resource_fields_map_the_same(case: Case) -> None:
    assert map_span(
        case.attrs, case.resource, case.events, resource_fields(case.resource)
    ) == map_span(case.attrs, case.resource, case.events)


# ------------------------------------------------------------------- absent groups, property


def _known_keys() -> list[str]:
    keys: set[str] = {
        "openinference.span.kind",
        "gen_ai.operation.name",
        "gen_ai.system_instructions",
        *mapping._TTFT_KEY_SET,
    }
    for name, value in vars(mapping).items():
        if name.endswith("_KEYS") and isinstance(value, tuple):
            keys.update(k[0] if isinstance(k, tuple) else k for k in value)
    for prefix in mapping._INDEXED_PREFIXES:
        keys.update(
            f"{prefix}{rest}"
            for rest in ("0.message.content", "1.message.role", "0.content", "x.y", "0")
        )
    for prefix in mapping._METADATA_PREFIXES:
        keys.update(f"{prefix}{rest}" for rest in ("plan", "session_id", "user_id"))
    return sorted(keys)


_KNOWN_KEYS = _known_keys()
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.sampled_from([0, -1, 2**63 - 1, 10**30, -(10**30)])
    | st.floats()
    | st.sampled_from([math.nan, math.inf, ""])
    | st.text(max_size=20)
    | st.sampled_from(
        [
            '{"model": "gpt-4o"}',
            '{"plan": "pro"}',
            '["a", "b"]',
            '[{"role": "user", "content": "hi"}]',
            '[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]',
            "[",
            "{}",
            "null",
            "1e999",
        ]
    )
)
_values = _scalars | st.lists(_scalars, max_size=3)


def _has_prefixed(attrs: dict[str, Any], prefixes: tuple[str, ...], but: set[str]) -> bool:
    return any(k.startswith(prefixes) and k not in but for k in attrs)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_KNOWN_KEYS), _values, max_size=10))
def test_a_field_whose_keys_are_absent_keeps_its_default(attrs: dict[str, Any]) -> None:
    m = map_span(attrs, {})
    present = set(attrs)
    for fields, keys in _GROUPS:
        if present.isdisjoint(keys):
            for f in fields:
                assert getattr(m, f) == DEFAULTS[f], (f, attrs)
    if present.isdisjoint(mapping._METADATA_KEYS) and not _has_prefixed(
        attrs, mapping._METADATA_PREFIXES, _GROUPED_UNDER_SCAN_PREFIX
    ):
        assert m.metadata == {}, attrs
    if present.isdisjoint(mapping._IO_KEYS) and not _has_prefixed(
        attrs, mapping._INDEXED_PREFIXES, set()
    ):
        assert (m.input, m.output) == (None, None), attrs
    # Nothing comes from an empty resource.
    assert m.service is None
