"""Interactive, offline HTML pages of a citekg graph (vis-network, inlined from the pyvis package).

:func:`render_html` writes one self-contained page: colour and shape by node type, size by degree or
PageRank, edge style by relation, a legend with filters, a search box, a confidence slider, and tooltips
whose paper text is shown as text. :func:`to_vis_data` returns the node and edge lists it draws.

This package imports networkx, pyvis (for its bundled vis-network files), jinja2 and NumPy only.

The NetworkX graph it draws follows this contract (a ``Graph``, ``DiGraph`` or ``MultiDiGraph``):

Nodes are IRI strings with the attributes

- ``type``: one of ``paper``, ``method``, ``dataset``, ``model``, ``task``, ``metric``,
  ``code_repository``, ``project_page``, ``web_resource`` (others are drawn grey, as "other");
- ``label``: the display name (the entity name, or the paper title);
- optional: ``title`` (paper title), ``year`` (int), ``url`` (repository or page URL, or the paper's landing
  page; only http/https URLs are kept), ``aliases`` (list of str), ``abstract`` (untrusted text).

Edges have the attributes

- ``relation``: one of ``proposes``, ``uses``, ``mentions``, ``cites``, ``builds_on``, ``has_code``,
  ``has_project_page``, ``has_link``, ``co_occurs``;
- optional: ``confidence`` (float, 0–1), ``evidence`` (the sentence, untrusted text), ``evidence_start`` and
  ``evidence_end`` (character offsets of the mention inside ``evidence``), ``weight`` (co-occurrence count).

Example:
    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("https://w3id.org/citekg/paper/x", type="paper", label="A paper")
    >>> nodes, edges = to_vis_data(g)
    >>> nodes[0]["type"], edges
    ('paper', [])
"""

from __future__ import annotations

from citekg.viz.html import render_html, to_vis_data
from citekg.viz.select import FocusNotFoundError
from citekg.viz.style import NODE_TYPES, RELATIONS

__all__ = ["NODE_TYPES", "RELATIONS", "FocusNotFoundError", "render_html", "to_vis_data"]
