"""Run the doctested ``Examples:`` of every citekg module (pytest cannot collect the mapped folders)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

# Packages of the optional extras (dask); a module needing one is skipped when it is absent.
OPTIONAL_EXTRAS = {"dask", "distributed"}


# The folders mapped onto citekg's namespace; walking citekg.__path__ alone only reaches core/.
MAPPED_PACKAGES = ("citekg", "citekg.extractors", "citekg.ontology", "citekg.graph", "citekg.viz")


def _modules() -> list[str]:
    names = set(MAPPED_PACKAGES)
    for package in MAPPED_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            names.add(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name not in OPTIONAL_EXTRAS:
            raise
        pytest.skip(f"{name} needs the optional package {error.name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
