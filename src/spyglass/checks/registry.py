"""Finding checks by name: built-ins and third-party checks register the same way.

A check class registers with the :func:`register` decorator under its ``name``. Third-party
packages can also expose checks through the ``spyglass.checks`` entry-point group (the entry
point's value is the Check subclass), so a policy file can name them without an import.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from importlib.metadata import entry_points
from typing import Any, TypeVar

from spyglass.checks.base import Check
from spyglass.exceptions import PolicyError

logger = logging.getLogger(__name__)

__all__ = ["available_checks", "create_check", "register"]

C = TypeVar("C", bound=type[Check])

# Modules of the built-in checks; each registers its classes when imported. Loaded on first
# lookup so ``import spyglass`` stays cheap for apps that only trace.
_BUILTIN_MODULES: tuple[str, ...] = (
    "spyglass.checks.pii",
    "spyglass.checks.secrets",
    "spyglass.checks.injection",
    "spyglass.checks.unicode",
    "spyglass.checks.leak",
    "spyglass.checks.toxicity",
    "spyglass.checks.topics",
    "spyglass.checks.semantic_topics",
    "spyglass.checks.format",
    "spyglass.checks.language",
    "spyglass.checks.judge",
    # Evaluation metrics are checks too (a check is a check); they live with the evals.
    "spyglass.evals.metrics",
)
ENTRY_POINT_GROUP = "spyglass.checks"

_registry: dict[str, type[Check]] = {}
_loaded = False
_lock = threading.Lock()


def register(cls: C) -> C:
    """Class decorator: make ``cls`` available by ``cls.name`` to policies and evaluations."""
    if not (inspect.isclass(cls) and issubclass(cls, Check)):
        raise TypeError("register() takes a Check subclass")
    if not cls.name:
        raise TypeError(f"{cls.__name__} needs a class attribute 'name' to be registered")
    existing = _registry.get(cls.name)
    if existing is not None and existing is not cls:
        raise PolicyError(f"two checks are named {cls.name!r}: {existing!r} and {cls!r}")
    _registry[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for module in _BUILTIN_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:  # a real import error inside the module
                    raise
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                cls = ep.load()
            except Exception:
                logger.warning("could not load check plugin %s", ep.value, exc_info=True)
                continue
            if inspect.isclass(cls) and issubclass(cls, Check):
                _registry.setdefault(ep.name, cls)
            else:
                logger.warning("check plugin %s is not a Check subclass", ep.value)
        _loaded = True


def available_checks() -> dict[str, type[Check]]:
    """Every registered check by name, built-ins and plugins."""
    _load()
    return dict(sorted(_registry.items()))


def create_check(name: str, /, **params: Any) -> Check:
    """Build the check registered as ``name`` with its parameters; PolicyError if unusable."""
    _load()
    cls = _registry.get(name)
    if cls is None:
        known = ", ".join(sorted(_registry))
        raise PolicyError(f"unknown check {name!r}; known checks: {known}")
    try:
        return cls(**params)
    except TypeError as exc:
        raise PolicyError(f"check {name!r}: {exc}") from exc
