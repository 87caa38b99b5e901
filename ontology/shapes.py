"""Validate a citekg graph against ``shapes.ttl`` (SHACL, with pyshacl) and report violations readably.

pyshacl walks an ``rdflib.Graph`` with many small pattern lookups, which is slow through the oxrdflib
view of a store; callers hand it an in-memory copy (``citekg validate`` exports the store as
N-Triples and parses that). No inference is run: the graph is checked as written.
Imports rdflib and pyshacl only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from citekg.ontology.namespace import PREFIXES
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

__all__ = ["Violation", "format_violations", "shapes_graph", "shapes_path", "validate"]


def shapes_path() -> Path:
    """Return the path of the shipped ``shapes.ttl``."""
    return Path(str(files("citekg.ontology").joinpath("shapes.ttl")))


def shapes_graph() -> Graph:
    """Return the SHACL shapes as an ``rdflib.Graph``."""
    return Graph().parse(shapes_path(), format="turtle")


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One SHACL result: the node that fails, the property path, the message and the shape's name."""

    shape: str
    path: str
    focus: str
    message: str
    value: str = ""
    severity: str = "Violation"


_PREFIXES = {**PREFIXES, "shapes": "https://w3id.org/citekg/shapes/"}


def _short(term: Node | None) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in sorted(_PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(namespace) and "/" not in text[len(namespace) :]:
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _path(report: Graph, node: Node) -> str:
    path = report.value(node, SH.resultPath)
    if path is None:
        return ""
    inverse = report.value(path, SH.inversePath)
    return f"^{_short(inverse)}" if inverse is not None else _short(path)


def validate(data: Graph, shapes: Graph | None = None) -> list[Violation]:
    """Validate ``data`` against the citekg shapes; return the violations, sorted (empty when valid).

    Examples:
        >>> from rdflib import Graph, Literal, URIRef
        >>> from citekg.ontology.namespace import CKG, RDF
        >>> g = Graph()
        >>> m = URIRef("https://w3id.org/citekg/mention/x")
        >>> g.add((m, RDF.type, CKG.Mention))
        <Graph identifier=... (<class 'rdflib.graph.Graph'>)>
        >>> sorted({v.path for v in validate(g)})[:3]
        ['ckg:confidence', 'ckg:end', 'ckg:field']
    """
    from pyshacl import validate as run_shacl

    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report, _ = run_shacl(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    assert isinstance(report, Graph)  # noqa: S101 - pyshacl returns a Graph for graph input
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        named = shape
        # A property shape is a blank node: name it by the node shape that holds it.
        for graph in (report, shapes):
            for owner in graph.subjects(SH.property, shape) if shape is not None else ():
                named = owner
        severity = report.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                shape=_short(named) if isinstance(named, URIRef) else "",
                path=_path(report, result),
                focus=_short(report.value(result, SH.focusNode)),
                message=str(report.value(result, SH.resultMessage) or ""),
                value=_short(report.value(result, SH.value)),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    return sorted(violations)


def format_violations(violations: list[Violation], *, limit: int = 20) -> str:
    """Render violations grouped by shape and path, at most ``limit`` focus nodes per group.

    Examples:
        >>> print(format_violations([Violation("shapes:MentionShape", "ckg:start", "ckg:mention/x",
        ...                                    "start below end", "5")]))
        1 violation
        <BLANKLINE>
        shapes:MentionShape  ckg:start  (1)
          ckg:mention/x: start below end [value 5]
    """
    if not violations:
        return "0 violations: the graph conforms to the citekg shapes"
    groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for violation in violations:
        groups[(violation.shape, violation.path)].append(violation)
    lines = [f"{len(violations)} violation{'s' if len(violations) != 1 else ''}"]
    for (shape, path), items in sorted(groups.items()):
        lines.append("")
        lines.append(f"{shape or '(shape)'}  {path or '(node)'}  ({len(items)})")
        for item in items[:limit]:
            value = f" [value {item.value}]" if item.value else ""
            lines.append(f"  {item.focus}: {item.message}{value}")
        if len(items) > limit:
            lines.append(f"  … and {len(items) - limit} more")
    return "\n".join(lines)
