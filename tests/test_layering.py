"""The layers of DESIGN §2 stay apart: graph never loads spaCy, extractors never load rdflib."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOP_LEVEL_FOLDERS = {"core", "extractors", "ontology", "graph", "viz", "examples"}


def _loaded_after(imports: str, modules: list[str]) -> list[str]:
    code = f"import sys\n{imports}\nprint(','.join(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


@pytest.mark.parametrize(
    "imports, forbidden",
    [
        ("import citekg", ["spacy", "rdflib", "pyoxigraph", "networkx"]),
        ("import citekg.model, citekg.errors, citekg.ids", ["spacy", "rdflib", "pyoxigraph"]),
        ("import citekg.cli", ["spacy", "rdflib", "pyoxigraph"]),
        ("import citekg.graph, citekg.graph.store, citekg.graph.build, citekg.ontology", ["spacy"]),
        ("import citekg.extractors", ["rdflib", "pyoxigraph"]),
        ("import citekg.readers", ["spacy", "rdflib", "pyoxigraph"]),
    ],
)
def test_layering_import_does_not_load(imports: str, forbidden: list[str]) -> None:
    assert _loaded_after(imports, forbidden) == []


def _source_files() -> list[Path]:
    return [p for folder in TOP_LEVEL_FOLDERS for p in (REPO / folder).rglob("*.py")]


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_layering_no_folder_imports(path: Path) -> None:
    """Modules import ``citekg.*``, never the folder names the package is mapped from."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.split(".")[0] in TOP_LEVEL_FOLDERS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in TOP_LEVEL_FOLDERS:
                bad.append(node.module)
    assert bad == []
