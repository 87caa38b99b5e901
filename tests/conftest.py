"""Shared fixtures and options for the whole suite (one global conftest, as spaCy does)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared"))
TRENDING = SHARED / "corpus" / "hf-trending-papers.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow; run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder beside the repository (CI always has it; a user's clone may not)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: shared data only exists beside the development checkout")
    return SHARED


@pytest.fixture(scope="session")
def trending_path(shared_dir: Path) -> Path:
    """The real trending-papers page dump, 119 papers."""
    if not TRENDING.is_file():
        pytest.skip(f"{TRENDING} is absent")
    return TRENDING


@pytest.fixture(scope="session")
def sample_corpus() -> Path:
    """The bundled sample corpus shipped as package data."""
    from citekg.pipeline import sample_corpus_path

    return sample_corpus_path()
