"""Write a graph as one self-contained, offline HTML page drawn by vis-network.

pyvis is used for what it does well, the vis-network build it ships, which is inlined into our own
template. Its ``Network`` class is not used: ``from_nx``/``add_node`` grow quadratically (26 s for 10,000
nodes, DESIGN §7), its page loads Bootstrap from a CDN even with ``cdn_resources="in_line"``, and its
template turns titles into markup. Here the node and edge lists are built directly (:func:`to_vis_data`),
the data travels as JSON in a ``<script type="application/json">`` element, and the page's own script turns
paper text into DOM text nodes, never into markup. A Content-Security-Policy in the page allows only its
two inline scripts (by hash) and no network access at all, so even a mistake cannot fetch or run anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Collection, Hashable
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

import networkx as nx
from citekg.errors import UnknownNameError
from citekg.viz.layout import layout_of
from citekg.viz.select import induced_edges, pagerank_of, select_nodes
from citekg.viz.style import edge_style, node_style, style_table

__all__ = ["PHYSICS_MAX_NODES", "render_html", "safe_url", "script_json", "to_vis_data"]

# Above this many nodes the layout is computed in Python and physics is off (see docs/viz.md for timings).
PHYSICS_MAX_NODES = 100
# Longest label drawn on the canvas; the full name is in the tooltip.
LABEL_CHARS = 40
# Longest abstract or evidence sentence carried into the page, to bound its size.
TEXT_CHARS = 1200
MIN_SIZE, MAX_SIZE = 8.0, 40.0
# With physics off, the page draws the nodes with this many edges first and adds the rest after the first
# frame (0: all at once); see docs/viz.md for why.
FIRST_EDGES = 3000
SIZE_BY = ("degree", "pagerank")


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL, else ``None`` (no ``javascript:``, no ``data:``).

    Examples:
        >>> safe_url("https://github.com/owner/repo")
        'https://github.com/owner/repo'
        >>> safe_url("javascript:alert(1)") is None
        True
        >>> safe_url(" JaVaScRiPt:alert(1)") is None
        True
        >>> safe_url("github.com/owner/repo") is None
        True
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\r\n\t "):
        return None
    return url


def script_json(value: object) -> str:
    """Serialise ``value`` as JSON that is inert inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``-style escapes, so neither ``</script>`` nor ``<!--`` can
    appear; U+2028 and U+2029 are escaped too. ``JSON.parse`` reads the result back unchanged.

    Examples:
        >>> script_json({"t": "</script><b>&"})
        '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
        >>> json.loads(script_json(["<!--\\u2028"])) == ["<!--\\u2028"]
        True
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _text(value: object, limit: int = TEXT_CHARS) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _node_dict(node: Hashable, data: dict[str, Any], size: float, degree: int) -> dict[str, Any]:
    node_type = data.get("type")
    style = node_style(node_type)
    name = str(data.get("label") or data.get("title") or node)
    item: dict[str, Any] = {
        "id": str(node),
        "label": _short(name),
        "name": name,
        "type": node_type if isinstance(node_type, str) else "other",
        "shape": style.shape,
        "color": style.color,
        "size": round(size, 2),
        "degree": degree,
    }
    if data.get("title") and str(data["title"]) != name:
        item["paper_title"] = _text(data["title"])
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        item["year"] = year
    url = safe_url(data.get("url"))
    if url:
        item["url"] = url
    aliases = data.get("aliases")
    if isinstance(aliases, str):
        aliases = [aliases]
    if aliases:
        item["aliases"] = [str(a) for a in aliases if a and str(a) != name]
    if data.get("abstract"):
        item["abstract"] = _text(data["abstract"])
    return item


def _edge_dict(number: int, u: Hashable, v: Hashable, data: dict[str, Any], directed: bool) -> dict[str, Any]:
    relation = data.get("relation")
    style = edge_style(relation)
    item: dict[str, Any] = {
        "id": f"e{number}",
        "from": str(u),
        "to": str(v),
        "relation": relation if isinstance(relation, str) else "other",
        "color": style.color,
        "dashes": style.dashes,
        "arrows": "to" if directed and style.directed else "",
        "width": 1,
    }
    confidence = _number(data.get("confidence"))
    if confidence is not None:
        item["confidence"] = round(confidence, 4)
    weight = _number(data.get("weight"))
    if weight is not None:
        item["weight"] = weight
        item["width"] = round(1 + math.log2(max(weight, 1.0)), 2)
    evidence = data.get("evidence")
    if evidence:
        text = str(evidence)
        item["evidence"] = _text(text)
        start, end = data.get("evidence_start"), data.get("evidence_end")
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and 0 <= start < end <= min(len(text), TEXT_CHARS - 1)
        ):
            item["evidence_start"], item["evidence_end"] = start, end
    return item


def _sizes(
    nodes: list[Hashable], pairs: list[tuple[Hashable, Hashable]], directed: bool, size_by: str
) -> dict[Hashable, float]:
    if size_by == "pagerank":
        score: dict[Hashable, float] = pagerank_of(nodes, pairs, directed=directed)
    else:
        score = dict.fromkeys(nodes, 0.0)
        for u, v in pairs:
            score[u] += 1
            score[v] += 1
    top = max(score.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(nodes, MIN_SIZE)
    return {n: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(s / top) for n, s in score.items()}


class _Selection(NamedTuple):
    nodes: list[Hashable]
    edges: list[tuple[Hashable, Hashable, dict[str, Any]]]
    focus: list[Hashable]


def _select(
    graph: nx.Graph,
    focus: str | None,
    depth: int,
    types: Collection[str] | None,
    min_degree: int,
    max_nodes: int,
    size_by: str,
) -> _Selection:
    if size_by not in SIZE_BY:
        raise UnknownNameError("size_by", size_by, SIZE_BY)
    chosen, focus_nodes = select_nodes(
        graph, focus=focus, depth=depth, types=types, min_degree=min_degree, max_nodes=max_nodes
    )
    return _Selection(chosen, induced_edges(graph, chosen), focus_nodes)


def _vis_lists(
    graph: nx.Graph, selection: _Selection, size_by: str, layout: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pairs = [(u, v) for u, v, _ in selection.edges]
    directed = graph.is_directed()
    sizes = _sizes(selection.nodes, pairs, directed, size_by)
    degree = dict.fromkeys(selection.nodes, 0)
    for u, v in pairs:
        degree[u] += 1
        degree[v] += 1
    positions = layout_of(selection.nodes, pairs) if layout else None
    attrs = graph.nodes
    nodes = []
    for node in selection.nodes:
        item = _node_dict(node, attrs[node], sizes[node], degree[node])
        if positions is not None:
            item["x"], item["y"] = positions[node]
        nodes.append(item)
    edges = [_edge_dict(i, u, v, d, directed) for i, (u, v, d) in enumerate(selection.edges)]
    return nodes, edges


def to_vis_data(
    graph: nx.Graph,
    *,
    focus: str | None = None,
    depth: int = 1,
    types: Collection[str] | None = None,
    min_degree: int = 0,
    max_nodes: int = 1500,
    size_by: Literal["degree", "pagerank"] = "degree",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the vis-network node and edge dicts for the selected part of ``graph``.

    Node dicts carry ``id``, ``label`` (shortened), ``name``, ``type``, ``shape``, ``color``, ``size`` and
    ``degree``, plus ``paper_title``, ``year``, ``url`` (http/https only), ``aliases`` and ``abstract`` when
    the graph has them. Edge dicts carry ``id``, ``from``, ``to``, ``relation``, ``color``, ``dashes``,
    ``arrows`` and ``width``, plus ``confidence``, ``weight``, ``evidence`` and valid
    ``evidence_start``/``evidence_end``. Text is copied as it is: the page renders it as text. No vis
    ``title`` is set, because vis-network would show it itself. ``graph`` is not changed.

    The selection arguments are those of :func:`citekg.viz.select.select_nodes`.

    Examples:
        >>> g = nx.DiGraph()
        >>> g.add_node("p", type="paper", label="A paper", year=2024)
        >>> g.add_node("m", type="method", label="<b>X</b>")
        >>> g.add_edge("p", "m", relation="proposes", confidence=0.9)
        >>> nodes, edges = to_vis_data(g)
        >>> [(n["id"], n["shape"], n["label"]) for n in nodes]
        [('p', 'dot', 'A paper'), ('m', 'diamond', '<b>X</b>')]
        >>> edges[0]["relation"], edges[0]["arrows"], edges[0]["confidence"]
        ('proposes', 'to', 0.9)
    """
    selection = _select(graph, focus, depth, types, min_degree, max_nodes, size_by)
    return _vis_lists(graph, selection, size_by, layout=False)


def _asset(*parts: str) -> str:
    return resources.files("citekg.viz").joinpath(*parts).read_text(encoding="utf-8")


def _vis_library() -> tuple[str, str]:
    """The vis-network script and stylesheet shipped inside the pyvis package."""
    root = resources.files("pyvis").joinpath("lib", "vis-9.1.2")
    js = root.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = root.joinpath("vis-network.css").read_text(encoding="utf-8")
    # Inline text must not close its element early; neither file contains these today.
    js = js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
    css = css.replace("</style", "<\\/style")
    return js, css


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(
    graph: nx.Graph,
    path: str | Path,
    *,
    title: str = "citekg graph",
    focus: str | None = None,
    depth: int = 1,
    types: Collection[str] | None = None,
    min_degree: int = 0,
    max_nodes: int = 1500,
    size_by: Literal["degree", "pagerank"] = "degree",
    physics: bool | None = None,
) -> Path:
    """Write ``graph`` as an interactive, self-contained HTML page and return its path.

    The page needs no network: vis-network's script and stylesheet are inlined. ``physics=None`` lets the
    browser lay out graphs of up to :data:`PHYSICS_MAX_NODES` nodes and lays out larger ones here first,
    with physics off, so they are interactive at once; ``True`` or ``False`` forces either way. The
    selection arguments are those of :func:`to_vis_data`. ``graph`` is not changed.

    Raises:
        citekg.viz.select.FocusNotFoundError: ``focus`` names no node (the message lists close names).
        citekg.errors.UnknownNameError: an unknown node type in ``types`` or an unknown ``size_by``.
        ValueError: ``depth``, ``min_degree`` or ``max_nodes`` is out of range.
    """
    import jinja2
    from markupsafe import Markup

    selection = _select(graph, focus, depth, types, min_degree, max_nodes, size_by)
    use_physics = physics if physics is not None else len(selection.nodes) <= PHYSICS_MAX_NODES
    nodes, edges = _vis_lists(graph, selection, size_by, layout=not use_physics)
    data = {
        "nodes": nodes,
        "edges": edges,
        "styles": style_table(),
        "physics": use_physics,
        "first_edges": FIRST_EDGES,
        "directed": graph.is_directed(),
        "focus": [str(n) for n in selection.focus],
    }
    vis_js, vis_css = _vis_library()
    page_js = _asset("assets", "page.js")
    page_css = _asset("assets", "page.css")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("templates", "page.html"))
    html = template.render(
        title=title,
        data_json=Markup(script_json(data)),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_js=Markup(page_js),
        page_css=Markup(page_css),
        script_hashes=" ".join(_csp_hash(s) for s in (vis_js, page_js)),
    )
    out = Path(path)
    out.write_text(html, encoding="utf-8")
    return out
