"""Canned SPARQL queries shipped as package data in ``graph/queries/*.rq``.

Each file starts with ``#`` comment lines saying what it answers and which variables are meant to be
bound, and declares its own prefixes, so it also runs unchanged in other SPARQL tools.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

from citekg.errors import UnknownNameError

__all__ = ["list_queries", "load_query"]


def _query_files() -> dict[str, Traversable]:
    folder = files("citekg.graph").joinpath("queries")
    return {
        entry.name.removesuffix(".rq"): entry
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".rq")
    }


def list_queries() -> dict[str, str]:
    """Return the canned queries' names, sorted, each with its description (its leading comments).

    Examples:
        >>> "papers-with-code" in list_queries()
        True
    """
    described = {}
    for name, entry in sorted(_query_files().items()):
        lines = []
        for line in entry.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("#").strip())
        described[name] = " ".join(lines)
    return described


def load_query(name: str) -> str:
    """Return the text of one canned query.

    Raises:
        UnknownNameError: If no query has that name; the message lists the names.

    Examples:
        >>> "SELECT" in load_query("count-papers")
        True
        >>> load_query("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        citekg.errors.UnknownNameError: unknown query 'nope'; choose one of: citations-in-graph, ...
    """
    available = _query_files()
    entry = available.get(name.removesuffix(".rq"))
    if entry is None:
        raise UnknownNameError("query", name, list(available))
    return entry.read_text(encoding="utf-8")
