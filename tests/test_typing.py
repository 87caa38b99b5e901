"""The package type-checks with mypy (settings in pyproject.toml), through tools/typecheck.py."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tools" / "typecheck.py"


def _typecheck_module() -> Any:
    spec = importlib.util.spec_from_file_location("citekg_typecheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_typecheck_tree_holds_every_module(tmp_path: Path) -> None:
    typecheck = _typecheck_module()
    with (REPO / "pyproject.toml").open("rb") as f:
        folders = typecheck.package_folders(tomllib.load(f))
    linked = set(typecheck.link_tree(folders, tmp_path).values())
    tops = {folder.relative_to(REPO).parts[0] for folder in folders.values()}
    modules = {str(path.relative_to(REPO)) for top in tops for path in (REPO / top).rglob("*.py")}
    assert modules - linked == set()
    assert (tmp_path / "citekg" / "graph" / "store.py").resolve() == REPO / "graph" / "store.py"


def test_package_passes_mypy() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
