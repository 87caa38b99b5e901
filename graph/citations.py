"""Citations between papers: where each one was read, quoted titles, and inferred ``builds on`` edges.

Asserted citations come from three places and each keeps its source on a ``ckg:Citation`` node next to
the plain ``cito:cites`` edge that standard clients read: the input's reference list (``metadata``), an
arXiv id or DOI written in the text (``text-id``) or linked (``text-link``), and a quoted title
(``text-title``, as in *Reproducibility Study of "Cooperate or Collapse: …"*). Quoted titles are cited by
their ``title:<hash>`` id, so the citation lands on the in-graph paper of that title when there is one
(see :mod:`citekg.graph.merge`).

``builds on`` is inferred, never asserted: paper B builds on paper A when B uses an entity that A
proposes. :func:`builds_on` computes those edges for a set of entities from their mentions; the store
runs it over the entities a write touched, so the edges stay exact as papers come and go.
Pure functions; imports the standard library and citekg's ids only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from citekg.ids import normalize_title

__all__ = [
    "CITATION_SOURCES",
    "MAX_PROPOSERS",
    "BuildsOn",
    "builds_on",
    "looks_like_title",
    "quoted_titles",
]

#: The values of ``ckg:citationSource``.
CITATION_SOURCES = ("metadata", "text-id", "text-link", "text-title")

#: An entity "proposed" by more papers than this is a common name mis-tagged as proposed, not one
#: paper's contribution, so it yields no ``builds on`` edges (and no quadratic blow-up).
MAX_PROPOSERS = 3

# Straight double quotes, curly double quotes, LaTeX ``…'' and curly single quotes; not straight single
# quotes, which are apostrophes far more often than quotation marks.
_QUOTED_RE = re.compile(r'"([^"\n]{8,300})"|“([^”\n]{8,300})”|``([^`\'\n]{8,300})\'\'|‘([^’\n]{8,300})’')
_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of on or the to via with vs versus is are be we our".split()
)


def looks_like_title(text: str) -> bool:
    """Return whether a quoted string reads like a paper title rather than a quoted phrase.

    A title has at least three words and no sentence-final full stop, and either a colon or most of
    its longer words capitalised.

    Examples:
        >>> looks_like_title("Cooperate or Collapse: Emergence of Sustainable Cooperation in LLM Agents")
        True
        >>> looks_like_title("Attention Is All You Need")
        True
        >>> looks_like_title("The code I write is insecure.")
        False
        >>> looks_like_title("case-based")
        False
    """
    text = text.strip()
    words = normalize_title(text).split()
    if len(words) < 3 or len(words) > 40 or text.endswith((".", "?", "!")) and ":" not in text:
        return False
    if text.endswith("."):
        return False
    if ":" in text and text[0].isupper():
        return True
    content = [w for w in re.findall(r"[^\W\d_][\w'-]*", text) if w.lower() not in _SMALL_WORDS]
    if len(content) < 2:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.75


def quoted_titles(text: str) -> list[str]:
    """Return the quoted strings of ``text`` that look like paper titles, in order, without duplicates.

    Examples:
        >>> quoted_titles('Reproducibility Study of "Cooperate or Collapse: Emergence of Cooperation"')
        ['Cooperate or Collapse: Emergence of Cooperation']
        >>> quoted_titles("models show ``case-based'' generalisation and say “The code I write is insecure.”")
        []
        >>> quoted_titles("as in ``Attention Is All You Need'' and “Attention is all you need”")
        ['Attention Is All You Need']
    """
    found: list[str] = []
    seen: set[str] = set()
    for match in _QUOTED_RE.finditer(text):
        candidate = next(group for group in match.groups() if group is not None).strip()
        key = normalize_title(candidate)
        if key and key not in seen and looks_like_title(candidate):
            seen.add(key)
            found.append(candidate)
    return found


@dataclass(frozen=True, slots=True)
class BuildsOn:
    """One inferred edge's evidence: ``paper`` uses ``entity``, which ``basis`` proposes."""

    paper: str
    basis: str
    entity: str
    confidence: float


def builds_on(
    mentions: Iterable[tuple[str, str, str, float]], *, max_proposers: int = MAX_PROPOSERS
) -> list[BuildsOn]:
    """Infer ``builds on`` evidence from mentions given as ``(paper, entity, role, confidence)``.

    For each entity, every paper that mentions it with role ``used`` builds on every other paper that
    mentions it with role ``proposed``. The confidence is the product of the best proposing and the
    best using mention's confidence. An entity proposed by more than ``max_proposers`` papers gives no
    evidence. A paper that proposes an entity does not also build on another proposer of it. The
    result depends only on the set of mentions (sorted, deduplicated), so it is order-independent.

    Examples:
        >>> rows = [("A", "e/x", "proposed", 0.9), ("B", "e/x", "used", 0.5), ("B", "e/x", "used", 0.8),
        ...         ("C", "e/x", "mentioned", 1.0), ("A", "e/y", "used", 1.0)]
        >>> builds_on(rows)
        [BuildsOn(paper='B', basis='A', entity='e/x', confidence=0.72)]
        >>> builds_on(rows, max_proposers=0)
        []
    """
    proposed: dict[str, dict[str, float]] = {}
    used: dict[str, dict[str, float]] = {}
    for paper, entity, role, confidence in mentions:
        table = proposed if role == "proposed" else used if role == "used" else None
        if table is None:
            continue
        best = table.setdefault(entity, {})
        best[paper] = max(best.get(paper, 0.0), float(confidence))
    edges: list[BuildsOn] = []
    for entity, proposers in proposed.items():
        if len(proposers) > max_proposers:
            continue
        for paper, use_confidence in used.get(entity, {}).items():
            if paper in proposers:
                continue
            for basis, propose_confidence in proposers.items():
                confidence = round(propose_confidence * use_confidence, 4)
                edges.append(BuildsOn(paper, basis, entity, confidence))
    return sorted(edges, key=lambda e: (e.paper, e.basis, e.entity))
