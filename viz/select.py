"""Choosing what to draw: focus on a node's neighbourhood, filter by type and degree, cap by PageRank.

A browser draws a few thousand nodes comfortably, not a whole corpus, so the page shows a selection. Every
function here reads the caller's graph and never changes it: selections are returned as node lists, and
subgraphs as read-only views.

PageRank is computed here with NumPy (already installed with spaCy) because NetworkX's own ``pagerank``
needs SciPy, which citekg does not depend on.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Hashable, Iterable
from typing import Any

import networkx as nx
from citekg.errors import CitekgError, UnknownNameError
from citekg.viz.style import NODE_TYPES

__all__ = ["FocusNotFoundError", "find_nodes", "induced_edges", "pagerank", "pagerank_of", "select_nodes"]


class FocusNotFoundError(CitekgError, ValueError):
    """No node matches the requested focus; the message lists close matches."""


def _names(node: Hashable, data: dict[str, Any]) -> list[str]:
    """The strings a user may type to find ``node``: its id, label and aliases."""
    names = [str(node)]
    if data.get("label"):
        names.append(str(data["label"]))
    aliases = data.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = (aliases,)
    names.extend(str(a) for a in aliases if a)
    return names


def find_nodes(graph: nx.Graph, name: str) -> list[Hashable]:
    """Return the nodes whose id, label or alias equals ``name``, ignoring case.

    An exact id match wins on its own; otherwise every node that matches is returned, in graph order.

    Raises:
        FocusNotFoundError: nothing matches; the message suggests close names.

    Examples:
        >>> g = nx.Graph()
        >>> g.add_node("ex:bert", label="BERT", aliases=["Bidirectional Encoder Representations"])
        >>> find_nodes(g, "bert")
        ['ex:bert']
        >>> find_nodes(g, "ex:bert")
        ['ex:bert']
        >>> find_nodes(g, "bret")
        Traceback (most recent call last):
        ...
        citekg.viz.select.FocusNotFoundError: no node is called 'bret'; did you mean: BERT?
    """
    if name in graph:
        return [name]
    wanted = name.strip().casefold()
    found = [n for n, d in graph.nodes(data=True) if any(s.casefold() == wanted for s in _names(n, d))]
    if found:
        return found
    by_folded: dict[str, str] = {}
    for n, d in graph.nodes(data=True):
        for s in _names(n, d):
            by_folded.setdefault(s.casefold(), s)
    close = difflib.get_close_matches(wanted, list(by_folded), n=5, cutoff=0.6)
    hint = (
        f"; did you mean: {', '.join(by_folded[c] for c in close)}?" if close else "; no name is close to it"
    )
    raise FocusNotFoundError(f"no node is called {name!r}{hint}")


def induced_edges(graph: nx.Graph, nodes: Collection[Hashable]) -> list[tuple[Hashable, Hashable, dict]]:
    """Return the ``(u, v, data)`` edges of ``graph`` between ``nodes``, parallel edges included.

    Reads only the edges at ``nodes``; much faster than iterating a ``graph.subgraph`` view.

    Examples:
        >>> induced_edges(nx.path_graph(4), [0, 1, 2])
        [(0, 1, {}), (1, 2, {})]
    """
    keep = nodes if isinstance(nodes, set | frozenset) else set(nodes)
    if len(keep) == len(graph):
        return list(graph.edges(data=True))
    return [(u, v, d) for u, v, d in graph.edges([n for n in graph if n in keep], data=True) if v in keep]


def pagerank(graph: nx.Graph, *, alpha: float = 0.85, tol: float = 1.0e-8, max_iter: int = 200) -> dict:
    """Return the PageRank of each node (edges unweighted; undirected edges count both ways).

    Examples:
        >>> ranks = pagerank(nx.star_graph(3))
        >>> max(ranks, key=ranks.get)
        0
        >>> round(sum(ranks.values()), 6)
        1.0
        >>> pagerank(nx.Graph())
        {}
    """
    pairs = [(u, v) for u, v, _ in graph.edges(data=True)]
    return pagerank_of(
        list(graph), pairs, directed=graph.is_directed(), alpha=alpha, tol=tol, max_iter=max_iter
    )


def pagerank_of(
    nodes: list[Hashable],
    pairs: list[tuple[Hashable, Hashable]],
    *,
    directed: bool,
    alpha: float = 0.85,
    tol: float = 1.0e-8,
    max_iter: int = 200,
) -> dict:
    """PageRank of ``nodes`` linked by ``pairs`` (which must only join ``nodes``), by power iteration."""
    import numpy as np

    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    src = np.fromiter((index[u] for u, _ in pairs), dtype=np.int64, count=len(pairs))
    dst = np.fromiter((index[v] for _, v in pairs), dtype=np.int64, count=len(pairs))
    if not directed:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    out = np.bincount(src, minlength=n).astype(float)
    dangling = out == 0
    share = np.divide(1.0, out, out=np.zeros(n), where=~dangling)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        flow = np.bincount(dst, weights=rank[src] * share[src], minlength=n)
        new = alpha * (flow + rank[dangling].sum() / n) + (1.0 - alpha) / n
        done = np.abs(new - rank).sum() < n * tol
        rank = new
        if done:
            break
    return {node: float(r) for node, r in zip(nodes, rank, strict=True)}


def _check_types(types: Iterable[str]) -> set[str]:
    wanted = set(types)
    for t in sorted(wanted):
        if t not in NODE_TYPES:
            raise UnknownNameError("node type", t, NODE_TYPES)
    return wanted


def select_nodes(
    graph: nx.Graph,
    *,
    focus: str | None = None,
    depth: int = 1,
    types: Collection[str] | None = None,
    min_degree: int = 0,
    max_nodes: int | None = 1500,
) -> tuple[list[Hashable], list[Hashable]]:
    """Return the nodes to draw, in graph order, and the focus nodes among them.

    The steps run in this order: the ``depth``-hop neighbourhood of the focus (edge direction ignored), the
    ``types`` filter, ``min_degree`` (degree in the whole graph), then the ``max_nodes`` nodes with the
    highest PageRank in what is left (ties go to the earlier node). Focus nodes survive every step.

    Raises:
        FocusNotFoundError: ``focus`` names no node.
        UnknownNameError: a type in ``types`` is not a citekg node type.
        ValueError: ``depth``, ``min_degree`` or ``max_nodes`` is out of range.

    Examples:
        >>> g = nx.path_graph(["a", "b", "c", "d"])
        >>> select_nodes(g, focus="b", depth=1)
        (['a', 'b', 'c'], ['b'])
        >>> select_nodes(g, min_degree=2)
        (['b', 'c'], [])
        >>> select_nodes(g, max_nodes=2)[0]
        ['b', 'c']
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    if min_degree < 0:
        raise ValueError(f"min_degree must be 0 or more, not {min_degree}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be 1 or more, not {max_nodes}")
    wanted_types = _check_types(types) if types is not None else None

    focus_nodes: list[Hashable] = find_nodes(graph, focus) if focus is not None else []
    keep_always = set(focus_nodes)
    if focus_nodes:
        undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
        reached: set[Hashable] = set()
        for seed in focus_nodes:
            reached.update(nx.single_source_shortest_path_length(undirected, seed, cutoff=depth))
        chosen = [n for n in graph if n in reached]
    else:
        chosen = list(graph)
    if wanted_types is not None:
        node_type = graph.nodes
        chosen = [n for n in chosen if n in keep_always or node_type[n].get("type") in wanted_types]
    if min_degree:
        degree = graph.degree
        chosen = [n for n in chosen if n in keep_always or degree[n] >= min_degree]
    if max_nodes is not None and len(chosen) > max_nodes:
        pairs = [(u, v) for u, v, _ in induced_edges(graph, chosen)]
        ranks = pagerank_of(chosen, pairs, directed=graph.is_directed())
        order = {n: i for i, n in enumerate(chosen)}
        best = sorted(chosen, key=lambda n: (n not in keep_always, -ranks[n], order[n]))[:max_nodes]
        best_set = set(best)
        chosen = [n for n in chosen if n in best_set]
    return chosen, [n for n in focus_nodes if n in set(chosen)]
