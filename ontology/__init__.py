"""The citekg vocabulary (``citekg.ttl``), its Python mirror and deterministic IRI minting.

Imports rdflib only; never spaCy, never the graph store.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from citekg.ontology.iri import entity_iri, link_iri, mention_iri, paper_iri, slugify
from citekg.ontology.namespace import CITEKG_NS, CITO, CKG, FABIO, PREFIXES, PRISM, SCHEMA

__all__ = [
    "CITEKG_NS",
    "CITO",
    "CKG",
    "FABIO",
    "PREFIXES",
    "PRISM",
    "SCHEMA",
    "entity_iri",
    "link_iri",
    "mention_iri",
    "ontology_path",
    "paper_iri",
    "slugify",
]


def ontology_path() -> Path:
    """Return the path of the shipped ``citekg.ttl``."""
    return Path(str(files("citekg.ontology").joinpath("citekg.ttl")))
