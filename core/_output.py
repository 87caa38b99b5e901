"""Rendering of query results and summaries for the terminal (table, JSON, CSV, TSV).

Kept apart from ``cli.py`` so the click layer stays a thin shell over the Python API. Works on pyoxigraph
result objects; pyoxigraph is only imported by the caller that produced them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tabulate import tabulate

__all__ = ["OUTPUT_FORMATS", "render_result", "render_summary", "term_value"]

OUTPUT_FORMATS = ("table", "json", "csv", "tsv")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {f"{_XSD}{t}" for t in ("integer", "int", "long", "short", "nonNegativeInteger", "gYear")}
_FLOAT_TYPES = {f"{_XSD}{t}" for t in ("decimal", "double", "float")}


def term_value(term: Any) -> Any:
    """Return a plain Python value for an RDF term: IRIs and strings as str, numbers as numbers.

    Unbound variables (``None``) stay ``None``; blank nodes read ``_:id``.
    """
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "BlankNode":
        return f"_:{term.value}"
    if kind == "Literal":
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == f"{_XSD}boolean":
            return term.value == "true"
    return term.value


def _rows(result: Any) -> tuple[list[str], list[list[Any]]]:
    variables = [v.value for v in result.variables]
    rows = [[term_value(solution[v]) for v in variables] for solution in result]
    return variables, rows


def render_result(result: Any, fmt: str) -> str:
    """Render a pyoxigraph query result in one of :data:`OUTPUT_FORMATS`.

    SELECT results become a table, a JSON array of objects, or SPARQL CSV/TSV; ASK gives ``true`` or
    ``false``; CONSTRUCT and DESCRIBE give N-Triples (``json`` gives JSON-LD).
    """
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        return json.dumps(value) if fmt == "json" else str(value).lower()
    if isinstance(result, ox.QueryTriples):
        rdf_format = ox.RdfFormat.JSON_LD if fmt == "json" else ox.RdfFormat.N_TRIPLES
        return (result.serialize(format=rdf_format) or b"").decode("utf-8").rstrip("\n")
    if fmt in ("csv", "tsv"):
        results_format = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.TSV
        # The caller adds the final newline, as for every other format.
        return result.serialize(format=results_format).decode("utf-8").rstrip("\r\n")
    variables, rows = _rows(result)
    if fmt == "json":
        return json.dumps(
            [dict(zip(variables, row, strict=True)) for row in rows], ensure_ascii=False, indent=2
        )
    return tabulate(rows, headers=variables, tablefmt="simple") if rows else "(no results)"


def _pairs(mapping: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in mapping.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                yield f"{key}.{sub_key}", sub_value
        else:
            yield key, value


def render_summary(title: str, mapping: dict[str, Any]) -> str:
    """Render a flat or one-level nested dict as a two-column table under ``title``."""
    return f"{title}\n" + tabulate(list(_pairs(mapping)), tablefmt="plain")
