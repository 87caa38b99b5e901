"""Colours, shapes and line styles for each node type and edge relation.

One table per kind, so the page's legend, the vis-network data and the docs all read the same values.
Shapes are the vis-network ones whose size follows the ``size`` attribute (label-inside shapes such as
``box`` ignore it), and the colours stay tellable apart on white for the common kinds of colour blindness.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = [
    "EDGE_STYLES",
    "NODE_STYLES",
    "NODE_TYPES",
    "RELATIONS",
    "EdgeStyle",
    "NodeStyle",
    "edge_style",
    "node_style",
    "style_table",
]


@dataclass(frozen=True)
class NodeStyle:
    """How nodes of one type are drawn."""

    label: str
    color: str
    shape: str


@dataclass(frozen=True)
class EdgeStyle:
    """How edges of one relation are drawn; ``directed`` relations get an arrow head."""

    label: str
    color: str
    dashes: bool
    directed: bool


NODE_STYLES: dict[str, NodeStyle] = {
    "paper": NodeStyle("Paper", "#4e79a7", "dot"),
    "method": NodeStyle("Method", "#e15759", "diamond"),
    "dataset": NodeStyle("Dataset", "#59a14f", "square"),
    "model": NodeStyle("Model", "#f28e2b", "triangle"),
    "task": NodeStyle("Task", "#b07aa1", "star"),
    "metric": NodeStyle("Metric", "#edc948", "triangleDown"),
    "code_repository": NodeStyle("Code repository", "#17becf", "hexagon"),
    "project_page": NodeStyle("Project page", "#9c755f", "hexagon"),
    "web_resource": NodeStyle("Web resource", "#bab0ac", "dot"),
}
NODE_TYPES: tuple[str, ...] = tuple(NODE_STYLES)

# The style for a node whose ``type`` is missing or unknown: drawn, never fatal (the data is not ours).
OTHER_NODE = NodeStyle("Other", "#8c8c8c", "dot")

EDGE_STYLES: dict[str, EdgeStyle] = {
    "proposes": EdgeStyle("proposes", "#c0392b", False, True),
    "uses": EdgeStyle("uses", "#7f8c8d", False, True),
    "mentions": EdgeStyle("mentions", "#b8b8b8", True, True),
    "cites": EdgeStyle("cites", "#2c5d8a", False, True),
    "builds_on": EdgeStyle("builds on", "#8e44ad", True, True),
    "has_code": EdgeStyle("has code", "#138d90", False, True),
    "has_project_page": EdgeStyle("has project page", "#9c755f", False, True),
    "has_link": EdgeStyle("has link", "#a0a0a0", True, True),
    "co_occurs": EdgeStyle("co-occurs with", "#d4a017", False, False),
}
RELATIONS: tuple[str, ...] = tuple(EDGE_STYLES)

OTHER_EDGE = EdgeStyle("other", "#9a9a9a", True, False)


def node_style(node_type: str | None) -> NodeStyle:
    """Return the style of a node type, or the neutral "other" style for a missing or unknown one.

    Examples:
        >>> node_style("dataset").shape
        'square'
        >>> node_style("no-such-type").label
        'Other'
    """
    return NODE_STYLES.get(node_type or "", OTHER_NODE)


def edge_style(relation: str | None) -> EdgeStyle:
    """Return the style of an edge relation, or the neutral "other" style.

    Examples:
        >>> edge_style("cites").directed
        True
        >>> edge_style("co_occurs").directed
        False
        >>> edge_style(None).label
        'other'
    """
    return EDGE_STYLES.get(relation or "", OTHER_EDGE)


def style_table() -> dict[str, dict[str, dict[str, object]]]:
    """Return both tables as plain dicts (what the page's legend is built from).

    Examples:
        >>> style_table()["types"]["paper"]["color"]
        '#4e79a7'
        >>> sorted(style_table())
        ['relations', 'types']
    """
    types = {name: asdict(style) for name, style in NODE_STYLES.items()}
    types["other"] = asdict(OTHER_NODE)
    relations = {name: asdict(style) for name, style in EDGE_STYLES.items()}
    relations["other"] = asdict(OTHER_EDGE)
    return {"types": types, "relations": relations}
