"""The checks that keep the code honest: ruff, the import contracts, and a docstring on every module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The tools installed with the test extras live next to the interpreter running the tests (the venv's bin/
# or Scripts\), whether or not that venv is on PATH.
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    for candidate in (BIN / name, BIN / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    pytest.fail(f"{name} is not installed next to {sys.executable}: pip install -e '.[test]'")


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300
    )


def test_ruff_passes():
    result = run(tool("ruff"), "check", ".")
    assert result.returncode == 0, f"ruff check . failed:\n{result.stdout}\n{result.stderr}"


def test_import_contracts_hold():
    # app.models and app.services never import PySide6; the layers point one way (pyproject.toml).
    result = run(tool("lint-imports"))
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"


MODULES = sorted((ROOT / "app").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_every_module_has_a_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    assert docstring and docstring.strip(), f"{path.relative_to(ROOT)} has no module docstring"
