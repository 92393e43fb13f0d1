"""The ``spyglass`` command."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point; explains what to install when the server extra is missing."""
    try:
        from spyglass.cli.app import app
    except ImportError as exc:  # the core install has no CLI dependencies
        sys.stderr.write(
            f"spyglass: the command line needs the server extra ({exc.name} is missing).\n"
            "Install it with: pip install 'spyglass[server]'\n"
        )
        raise SystemExit(2) from exc
    app()
