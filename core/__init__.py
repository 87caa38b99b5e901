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
