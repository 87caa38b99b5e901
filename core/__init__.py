"""citekg: citation and link knowledge graphs from research papers.

Importing ``citekg`` loads only the standard-library data model; spaCy, rdflib and the store load when the
stage that needs them runs.
"""

from __future__ import annotations

from citekg.errors import CitekgError, CitekgWarning, InputError
from citekg.model import Extraction, Link, LinkKind, Mention, MentionKind, Paper, Role

__version__ = "0.1.0"

__all__ = [
    "CitekgError",
    "KnowledgeGraph",
    "CitekgWarning",
    "Extraction",
    "InputError",
    "Link",
    "LinkKind",
    "Mention",
    "MentionKind",
    "Paper",
    "Role",
    "__version__",
]


def __getattr__(name: str) -> object:
    # PEP 562: citekg.KnowledgeGraph loads the store (rdflib, pyoxigraph) on first use, not on import.
    if name == "KnowledgeGraph":
        from citekg.api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'citekg' has no attribute {name!r}")
