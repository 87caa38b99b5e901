"""Domain exceptions and warnings.

Every error citekg raises on purpose derives from :class:`CitekgError`; its message says what is wrong and,
where it can, how to fix it. The CLI turns these into one ``Error: …`` line in a single place.
Standard library only.
"""

from __future__ import annotations

__all__ = ["CitekgError", "CitekgWarning", "InputError", "StoreError", "QueryError", "UnknownNameError"]


class CitekgError(Exception):
    """Base class of the errors citekg raises deliberately."""


class CitekgWarning(UserWarning):
    """A recoverable data problem (a paper without an abstract, an unparsable year)."""


class InputError(CitekgError):
    """An input file or one of its records cannot be read.

    The message reads ``<file>:<line>: <what is wrong>`` when the line is known, else ``<file>: <what>``.

    Examples:
        >>> str(InputError("papers.jsonl", "not valid JSON", line=3))
        'papers.jsonl:3: not valid JSON'
        >>> str(InputError("papers.bib", "file is empty"))
        'papers.bib: file is empty'
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class StoreError(CitekgError):
    """The graph store cannot be opened or written."""


class QueryError(CitekgError):
    """A SPARQL query is malformed or cannot run."""


class UnknownNameError(CitekgError, KeyError):
    """A registry lookup missed; the message lists the valid names.

    Examples:
        >>> str(UnknownNameError("format", "bibtx", ["bibtex", "jsonl"]))
        "unknown format 'bibtx'; choose one of: bibtex, jsonl"
    """

    def __init__(self, what: str, name: str, options: list[str] | tuple[str, ...]) -> None:
        self.what = what
        self.name = name
        self.options = tuple(options)
        super().__init__(f"unknown {what} {name!r}; choose one of: {', '.join(sorted(self.options))}")

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0])
