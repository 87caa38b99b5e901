"""The graph stage: Extraction → RDF triples → an Oxigraph store, plus canned SPARQL queries.

Imports rdflib, pyoxigraph and networkx, never spaCy (a test checks it). ``endpoint`` and ``project``
are separate modules, imported on demand, not from here.
"""

from __future__ import annotations

from citekg.graph.build import triples_for
from citekg.graph.queries import list_queries, load_query
from citekg.graph.store import GraphStore, to_ntriples

__all__ = ["GraphStore", "list_queries", "load_query", "to_ntriples", "triples_for"]
