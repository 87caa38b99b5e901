"""Type-check the citekg package with mypy, using the settings in ``pyproject.toml``.

The source folders are not laid out like the package (``core/`` is ``citekg``, ``graph/`` is
``citekg.graph``, ... per ``[tool.setuptools.package-dir]``), so ``mypy -p citekg`` cannot find it. This
script links every module into a tree shaped like the package, runs mypy on that tree, and prints the
report with the repository's own paths. The exit status is mypy's (non-zero on errors).

The tree and mypy's cache live in ``.mypy_cache/`` (git ignores it) at a fixed place: mypy's cache
replays a module's errors with the path it had when it was cached, so a tree at a new temporary path
each run would print paths that no longer exist. With the cache, a rerun takes seconds.

    python tools/typecheck.py
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".mypy_cache" / "citekg"
TREE = REPO / ".mypy_cache" / "citekg-tree"
MODULE_SUFFIXES = (".py", ".pyi")


def package_folders(pyproject: dict[str, Any]) -> dict[str, Path]:
    """Package name -> source folder, as setuptools maps them (a subpackage follows its parent)."""
    setuptools = pyproject["tool"]["setuptools"]
    mapping: dict[str, str] = setuptools.get("package-dir", {})
    folders: dict[str, Path] = {}
    for package in setuptools["packages"]:
        parent = package
        while parent and parent not in mapping:
            parent = parent.rpartition(".")[0]
        rest = package[len(parent) :].lstrip(".").replace(".", "/")
        folders[package] = REPO / mapping.get(parent, "") / rest
    return folders


def link_tree(folders: dict[str, Path], root: Path) -> dict[str, str]:
    """Symlink each package's modules (and ``py.typed``) under ``root``; tree path -> repository path."""
    paths: dict[str, str] = {}
    for package, folder in folders.items():
        target = root.joinpath(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(folder.iterdir()):
            if source.is_file() and (source.suffix in MODULE_SUFFIXES or source.name == "py.typed"):
                (target / source.name).symlink_to(source)
                paths[str(target / source.name)] = str(source.relative_to(REPO))
    return paths


def main() -> int:
    """Build the tree, run mypy over it, print its report; mypy's exit status."""
    try:
        from mypy import api
    except ImportError:
        print("mypy is not installed: pip install -e '.[test]'", file=sys.stderr)
        return 2

    pyproject_path = REPO / "pyproject.toml"
    with pyproject_path.open("rb") as f:
        folders = package_folders(tomllib.load(f))
    shutil.rmtree(TREE, ignore_errors=True)
    paths = link_tree(folders, TREE)
    tops = sorted({str(TREE / package.split(".")[0]) for package in folders})
    args = ["--config-file", str(pyproject_path), "--cache-dir", str(CACHE), "--show-absolute-path"]
    stdout, stderr, status = api.run([*args, *tops])
    for tree_path, repo_path in sorted(paths.items(), key=lambda item: -len(item[0])):
        stdout = stdout.replace(tree_path, repo_path)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
