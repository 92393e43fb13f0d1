"""A progress bar for long runs: rich's when it is installed and stderr is a terminal."""

from __future__ import annotations

import sys
from typing import Any


class _Quiet:
    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Rich:
    def __init__(self, title: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress: Any = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(title, total=total)

    def advance(self) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()


def announce(line: str) -> None:
    """One line before a run starts (its size and cost estimate), on a terminal only."""
    if sys.stderr.isatty():
        sys.stderr.write(line + "\n")


def open(title: str, total: int, *, enabled: bool = True) -> _Quiet | _Rich:
    """A bar on a terminal; nothing when disabled, piped, or without rich (core install)."""
    if not enabled or not sys.stderr.isatty():
        return _Quiet()
    try:
        return _Rich(title, total)
    except ImportError:
        return _Quiet()
