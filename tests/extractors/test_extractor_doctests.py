"""Run the doctests of citekg.extractors.

``tests/test_doctests.py`` walks ``citekg.__path__`` (the ``core/`` folder), which does not reach
subpackages mapped from other folders, so this package runs its own.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import citekg.extractors
import pytest

MODULES = sorted(
    ["citekg.extractors"]
    + [info.name for info in pkgutil.walk_packages(citekg.extractors.__path__, prefix="citekg.extractors.")]
)


def test_extractor_modules_found() -> None:
    expected = {"citekg.extractors.links", "citekg.extractors.lexicon", "citekg.extractors.extract"}
    assert expected <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_extractor_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
