"""The direction of imports in DESIGN.md: the SDK side never imports the server side.

``sdk``, ``semconv``, ``pricing`` (and the later ``checks``, ``guard``, ``evals``, ``prompts``)
run inside users' applications; importing ``server``, ``storage`` or ``gateway`` from them
would drag a web server and a database driver into every traced app.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "spyglass"
LOWER = ("sdk", "semconv", "pricing", "checks", "guard", "evals", "prompts", "llm")
UPPER = ("spyglass.server", "spyglass.storage", "spyglass.gateway", "spyglass.cli")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", LOWER)
def test_lower_layers_do_not_import_the_server_side(package: str) -> None:
    root = SRC / package
    if not root.exists():
        pytest.skip(f"spyglass.{package} does not exist yet")
    offenders = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in root.rglob("*.py")
        for name in _imports(path)
        if name.startswith(UPPER)
    }
    assert offenders == set()


def test_importing_the_sdk_loads_no_web_server_or_database() -> None:
    code = (
        "import sys, spyglass\n"
        "bad = [m for m in ('fastapi', 'starlette', 'uvicorn', 'sqlalchemy', 'psycopg', "
        "'alembic', 'spyglass.server', 'spyglass.storage', 'spyglass.evals', 'yaml') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
