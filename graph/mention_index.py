"""Which papers mention which entities, as integer arrays: co-occurrence counted by numpy, not by queries.

A full refresh of the views (:mod:`citekg.graph.views`) needs, for every frequent entity, the entities
its papers also mention. As one SPARQL aggregate per entity that is thousands of queries at 100,000
papers, each a join, and most of the refresh's time. Reading every ``ckg:mentions`` edge once (streamed
as TSV through a temporary file, a few bytes of RAM per edge) and keeping it as two sorted index
arrays turns each entity's count into a gather and a ``bincount``.

Entity numbers follow the order of their IRIs, so ordering by number breaks ties as ordering by IRI
does: the views' rankings come out exactly as from the queries. Imports pyoxigraph and numpy only.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import numpy as np
import pyoxigraph as ox

if TYPE_CHECKING:
    from citekg.graph.store import GraphStore

__all__ = ["MentionIndex", "least_of_top", "stream_pairs"]


def stream_pairs(store: GraphStore, sparql: str) -> Iterator[tuple[str, str]]:
    """Yield the two IRIs of each row of a two-variable SELECT, read as TSV from a temporary file.

    Far cheaper than a ``QuerySolution`` per row; rows whose terms are not both IRIs are skipped.

    Examples:
        >>> from citekg.graph.store import GraphStore
        >>> with GraphStore.open(None) as store:
        ...     store.ox.update("INSERT DATA { <http://x/p> <http://x/q> <http://x/e> }")
        ...     list(stream_pairs(store, "SELECT ?s ?o WHERE { ?s ?q ?o }"))
        [('http://x/p', 'http://x/e')]
    """
    with tempfile.TemporaryFile() as spool:
        cast(ox.QuerySolutions, store.ox.query(sparql)).serialize(spool, ox.QueryResultsFormat.TSV)
        spool.seek(0)
        spool.readline()  # the header
        for raw in spool:
            left, _, right = raw.decode("utf-8").rstrip("\n").partition("\t")
            if left.startswith("<") and right.startswith("<"):
                yield left[1:-1], right[1:-1]


class MentionIndex:
    """The ``ckg:mentions`` edges of a store: entity → papers and paper → entities, as CSR arrays.

    ``entities`` lists the entity IRIs in sorted order; an entity's number is its position.

    Examples:
        >>> from citekg.graph.store import GraphStore
        >>> data = " ".join(f"<http://x/{p}> <https://w3id.org/citekg/mentions> <http://x/{e}> ."
        ...                 for p, e in [("p1", "a"), ("p1", "b"), ("p2", "a"), ("p2", "b"), ("p2", "c")])
        >>> with GraphStore.open(None) as store:
        ...     store.ox.update(f"INSERT DATA {{ {data} }}")
        ...     index = MentionIndex.read(store)
        >>> index.entities, index.paper_counts().tolist()
        (['http://x/a', 'http://x/b', 'http://x/c'], [2, 2, 1])
        >>> index.partners(0)
        {'http://x/b': 2, 'http://x/c': 1}
    """

    def __init__(self, entities: list[str], pairs: np.ndarray) -> None:
        """Index ``pairs``, an (n, 2) array of (paper number, entity number) rows without repeats."""
        self.entities = entities
        by_entity = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
        by_paper = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        papers = int(pairs[:, 0].max()) + 1 if len(pairs) else 0
        self._papers_of = by_entity[:, 0]
        self._entity_start = np.searchsorted(by_entity[:, 1], np.arange(len(entities) + 1))
        self._entities_of = by_paper[:, 1]
        self._paper_start = np.searchsorted(by_paper[:, 0], np.arange(papers + 1))

    @classmethod
    def read(cls, store: GraphStore) -> MentionIndex:
        """Read every ``ckg:mentions`` edge of ``store``'s default graph."""
        paper_ids: dict[str, int] = {}
        entity_ids: dict[str, int] = {}
        papers, entities = array("q"), array("q")  # 8 bytes an edge, not a Python int each
        sparql = "SELECT ?p ?e WHERE { ?p <https://w3id.org/citekg/mentions> ?e }"
        for paper, entity in stream_pairs(store, sparql):
            papers.append(paper_ids.setdefault(paper, len(paper_ids)))
            entities.append(entity_ids.setdefault(entity, len(entity_ids)))
        del paper_ids
        names = sorted(entity_ids)
        renumber = np.empty(len(names), dtype=np.int64)
        for number, name in enumerate(names):
            renumber[entity_ids[name]] = number
        pairs = np.column_stack(
            (np.frombuffer(papers, dtype=np.int64), renumber[np.frombuffer(entities, dtype=np.int64)])
        ).reshape(-1, 2)
        return cls(names, pairs)

    def paper_counts(self) -> np.ndarray:
        """Papers that mention each entity, by entity number."""
        return np.diff(self._entity_start)

    def partner_counts(self, entity: int) -> np.ndarray:
        """Papers mentioning both ``entity`` and each entity, by entity number (``entity`` itself 0)."""
        papers = self._papers_of[self._entity_start[entity] : self._entity_start[entity + 1]]
        starts, ends = self._paper_start[papers], self._paper_start[papers + 1]
        lengths = ends - starts
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        together = self._entities_of[np.arange(int(lengths.sum())) + offsets]
        counts = np.bincount(together, minlength=len(self.entities))
        counts[entity] = 0
        return counts

    def partners(self, entity: int, at_least: int = 1, counts: np.ndarray | None = None) -> dict[str, int]:
        """The entities co-mentioned with ``entity`` by at least ``at_least`` papers, with those counts.

        ``counts`` is :meth:`partner_counts` of ``entity`` where the caller has it already.
        """
        if counts is None:
            counts = self.partner_counts(entity)
        chosen = np.flatnonzero(counts >= max(at_least, 1))
        return {self.entities[i]: int(counts[i]) for i in chosen}


def least_of_top(counts: np.ndarray, cap: int) -> int:
    """The least count among the ``cap`` greatest positive ``counts``; 1 when ``cap`` or fewer are positive.

    A ranking of ``cap`` rows can take nothing below it (ties with it still compete by IRI).

    Examples:
        >>> least_of_top(np.array([5, 0, 3, 3, 1]), 2), least_of_top(np.array([5, 0, 3]), 2)
        (3, 1)
    """
    positive = counts[counts > 0]
    if len(positive) <= cap:
        return 1
    return int(np.partition(positive, len(positive) - cap)[len(positive) - cap])
