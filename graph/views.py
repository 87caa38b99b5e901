"""Precomputed views: counts and rankings kept in the store so canned queries are index lookups.

Global aggregates (what is used most, which pairs co-occur most, how many papers have code) cost a scan
of the graph, seconds at 100,000 papers (DESIGN §5). They are computed when the graph is written and
stored as RDF in one named graph, :data:`VIEWS_GRAPH`, so users' own queries over the default graph,
``citekg export`` (N-Triples, Turtle) and ``citekg validate`` never see them; ``GRAPH <…views>``
reads them. Their terms are in ``ontology/citekg.ttl`` ("Precomputed views"), their shapes in
``ontology/shapes.ttl``.

What the views graph holds:

- per entity: ``ckg:paperCount`` (papers that mention it) and, when not zero, the per-role counts
  ``ckg:proposingPaperCount``, ``ckg:usingPaperCount``, ``ckg:comparingPaperCount``; and
  ``ckg:countedAtRequest true`` when it has too few papers for stored pair rankings;
- one ``ckg:ViewSummary`` (:data:`SUMMARY`): papers, corpus papers, citations, citations between
  corpus papers, papers with code, entities and pages;
- ``ckg:Ranking`` nodes with rows (``ckg:inRanking``, ``ckg:rank`` 1, 2, …, at most
  :data:`RANK_CAP`, ``ckg:countedPapers``): top entities per type (``ckg:topEntitiesOf`` the class;
  ``ckg:Entity`` ranks every type), the entities co-occurring with one entity
  (``ckg:cooccurrenceOf``) and the methods and models used with one dataset (``ckg:methodsOf``) for
  entities named by at least :data:`FREQUENT` papers (for rarer ones the canned queries count at
  request time, a few lookups), and the graph-wide pair rankings (``ckg:cooccurrenceOf ckg:Entity``,
  ``ckg:methodsOf ckg:Dataset``);
- ``ckg:PaperPage`` nodes listing the corpus papers :data:`PAGE_SIZE` at a time (``ckg:pageNumber``,
  ``ckg:pageItem``), so listings page by lookups; a full refresh orders papers by IRI, later papers
  go on the last page.

Ties rank by IRI. Consistency: :meth:`GraphStore.update <citekg.graph.store.GraphStore.update>`
writes ``ckg:viewsStale true`` on the summary in the same transaction as the data, and the refresh
after it removes the marker in its last transaction. A process killed in between leaves the marker;
the next write sees it (:func:`views_stale`) and recomputes every view. A store without a summary
(views never built, or a full refresh cut short: the summary is written last) counts as stale too.
Readers in between see the previous views. Imports pyoxigraph and citekg's ontology only.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from citekg.ontology.namespace import CITEKG_NS, PREFIXES, XSD

if TYPE_CHECKING:
    import numpy as np
    from citekg.graph.build import Triple
    from citekg.graph.mention_index import MentionIndex
    from citekg.graph.store import GraphStore

__all__ = [
    "ENTITY_CAP",
    "FREQUENT",
    "PAGE_SIZE",
    "RANK_CAP",
    "SUMMARY",
    "VIEWS_GRAPH",
    "PendingWrite",
    "prepare_write",
    "refresh_after_write",
    "refresh_views",
    "stale_marker",
    "views_stale",
]

#: The named graph that holds the views.
VIEWS_GRAPH = CITEKG_NS + "graph/views"
_VIEW = CITEKG_NS + "view/"
#: The one ``ckg:ViewSummary`` node.
SUMMARY = _VIEW + "summary"
#: Rows kept per graph-wide ranking (top entities, top pairs).
RANK_CAP = 100
#: Rows kept per entity's own ranking (co-occurring entities, a dataset's methods).
ENTITY_CAP = 50
#: Entities named by at least this many papers get stored co-occurrence (datasets: methods) rankings.
FREQUENT = 50
#: Corpus papers per ``ckg:PaperPage``.
PAGE_SIZE = 100

_KINDS = {"method": "Method", "dataset": "Dataset", "model": "Model", "task": "Task", "metric": "Metric"}
_METHOD_KINDS = ("method", "model")
_ROLE_COUNTS = {
    "mentions": "paperCount",
    "proposes": "proposingPaperCount",
    "uses": "usingPaperCount",
    "compares": "comparingPaperCount",
}
_EDGES = {CITEKG_NS + name for name in _ROLE_COUNTS}
_ROLE_EDGES = ("proposes", "uses", "compares")  # ckg:mentions is counted from the MentionIndex
_SUMMARY_EDGES = {CITEKG_NS + "inCorpus", CITEKG_NS + "hasCode", "http://purl.org/spar/cito/cites"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_G = ox.NamedNode(VIEWS_GRAPH)
_TYPE = ox.NamedNode(_RDF_TYPE)
_INT = ox.NamedNode(str(XSD.integer))
_TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
_CHUNK = 500
_GLOBAL = {"cooccurrence": "Entity", "methods": "Dataset"}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _ckg(name: str) -> ox.NamedNode:
    return ox.NamedNode(CITEKG_NS + name)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INT)


def stale_marker() -> ox.Quad:
    """The quad a write adds in its own transaction: the views lag behind the data until it goes."""
    return ox.Quad(_n(SUMMARY), _ckg("viewsStale"), _TRUE, _G)


def views_stale(store: GraphStore) -> bool:
    """True when the views may not match the data.

    That is when the stale marker is set, or when a non-empty store has no summary.
    """
    ox_store = store.ox
    if stale_marker() in ox_store:
        return True
    summary = next(ox_store.quads_for_pattern(_n(SUMMARY), _TYPE, None, _G), None)
    return summary is None and next(iter(ox_store), None) is not None


# -- small tools -----------------------------------------------------------------------------------


class _Worst:
    """Orders (count, key) entries worst first (fewer papers, then the greater key)."""

    __slots__ = ("count", "key")

    def __init__(self, count: int, key: Any) -> None:
        self.count, self.key = count, key

    def __lt__(self, other: _Worst) -> bool:
        return (self.count, other.key) < (other.count, self.key)


class _Best:
    """The ``cap`` best (key, count) pairs of a stream, in memory bounded by ``cap``.

    Most papers first, ties by key.
    """

    def __init__(self, cap: int | None = None) -> None:
        self.cap = RANK_CAP if cap is None else cap
        self.heap: list[_Worst] = []
        self.seen = 0

    def add(self, key: Any, count: int) -> None:
        self.seen += 1
        heap = self.heap
        if len(heap) < self.cap:
            heapq.heappush(heap, _Worst(count, key))
        elif count > heap[0].count or (count == heap[0].count and key < heap[0].key):
            heapq.heapreplace(heap, _Worst(count, key))

    def floor(self) -> int:
        """The count a key needs to enter: the last row's once full, else 0."""
        return self.heap[0].count if len(self.heap) >= self.cap else 0

    def rows(self) -> list[tuple[Any, int]]:
        return sorted(((w.key, w.count) for w in self.heap), key=lambda kv: (-kv[1], kv[0]))


def _best(items: Iterable[tuple[Any, int]], cap: int | None = None) -> list[tuple[Any, int]]:
    best = _Best(cap)
    for key, count in items:
        best.add(key, count)
    return best.rows()


def _rows(store: GraphStore, sparql: str) -> Iterator[Any]:
    yield from store.query(sparql)  # type: ignore[misc]


def _values(var: str, iris: Iterable[str]) -> Iterator[str]:
    items = sorted(set(iris))
    for start in range(0, len(items), _CHUNK):
        yield f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in items[start : start + _CHUNK])} }}"


def _kind(entity: str, base: str) -> str:
    return entity.removeprefix(base).partition("/")[0]


def _count(store: GraphStore, body: str) -> int:
    return sum(int(row[0].value) for row in _rows(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}"))


def _hashed(entity: str) -> str:
    return hashlib.sha1(entity.encode()).hexdigest()[:24]


def _ranking_iri(kind: str, name: str) -> str:
    return f"{_VIEW}{kind}/{name}"


# -- counting the data -----------------------------------------------------------------------------


def _entity_counts(
    store: GraphStore, entities: Iterable[str] | None, edges: Iterable[str] = tuple(_ROLE_COUNTS)
) -> dict[str, dict[str, int]]:
    """Papers per entity and role (``edges``), for ``entities`` or (``None``) every entity."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    chunks = [""] if entities is None else list(_values("e", entities))
    for edge in edges:
        name = _ROLE_COUNTS[edge]
        for values in chunks:
            sparql = f"SELECT ?e (COUNT(?p) AS ?n) WHERE {{ {values} ?p ckg:{edge} ?e }} GROUP BY ?e"
            for row in _rows(store, sparql):
                counts[row[0].value][name] = int(row[1].value)
    return counts


def _partners(store: GraphStore, entity: str) -> dict[str, int]:
    """Every entity co-mentioned with ``entity``, with the number of papers naming both."""
    sparql = f"""SELECT ?o (COUNT(?p) AS ?n) WHERE {{ ?p ckg:mentions <{entity}> . ?p ckg:mentions ?o .
      FILTER(?o != <{entity}>) }} GROUP BY ?o"""
    return {row[0].value: int(row[1].value) for row in _rows(store, sparql)}


def _pair_counts(store: GraphStore, entity: str, others: Iterable[str]) -> dict[str, int]:
    """Papers naming both ``entity`` and each of ``others`` (through the others' papers)."""
    counts = dict.fromkeys(others, 0)
    for values in _values("o", counts):
        sparql = f"""SELECT ?o (COUNT(?p) AS ?n) WHERE {{ {values} ?p ckg:mentions ?o .
          ?p ckg:mentions <{entity}> }} GROUP BY ?o"""
        for row in _rows(store, sparql):
            counts[row[0].value] = int(row[1].value)
    return counts


def _touched_pairs(
    store: GraphStore, entity: str, others: set[str], counts: dict[str, dict[str, int]]
) -> dict[str, int]:
    """Papers naming both ``entity`` and each of ``others``, through whichever side has fewer papers."""
    if not others:
        return {}
    own = counts.get(entity, {}).get("paperCount", 0)
    if own <= sum(counts.get(o, {}).get("paperCount", 0) for o in others):
        partners = _partners(store, entity)
        return {o: partners.get(o, 0) for o in others}
    return _pair_counts(store, entity, others)


def _entities_on(store: GraphStore, papers: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for values in _values("p", papers):
        for row in _rows(store, f"SELECT ?p ?e WHERE {{ {values} ?p ckg:mentions ?e }}"):
            found[row[0].value].add(row[1].value)
    return found


def _global_counts(store: GraphStore, corpus: set[str]) -> dict[str, int]:
    from citekg.graph.mention_index import stream_pairs

    # Citations between corpus papers: streamed and checked here, far cheaper than Oxigraph's join.
    cites = "SELECT ?p ?q WHERE { ?p <http://purl.org/spar/cito/cites> ?q }"
    return {
        "paperCount": _count(store, "?p a ckg:Paper"),
        "corpusPaperCount": len(corpus),
        "citationCount": _count(store, "?p cito:cites ?q"),
        "corpusCitationCount": sum(p in corpus and q in corpus for p, q in stream_pairs(store, cites)),
        "codePaperCount": _count(store, "SELECT DISTINCT ?p WHERE { ?p ckg:hasCode ?r }"),
    }


def _local_counts(store: GraphStore, papers: set[str]) -> dict[str, int]:
    """The global counts restricted to what touches ``papers``: a write's change is after - before."""
    counts = dict.fromkeys(("paperCount", "corpusPaperCount", "citationCount", "corpusCitationCount"), 0)
    counts["codePaperCount"] = 0
    for values in _values("x", papers):
        counts["paperCount"] += _count(store, f"{values} ?x a ckg:Paper")
        counts["corpusPaperCount"] += _count(store, f"{values} ?x ckg:inCorpus true")
        counts["codePaperCount"] += _count(
            store, f"SELECT DISTINCT ?x WHERE {{ {values} ?x ckg:hasCode ?r }}"
        )
    pairs: set[tuple[str, str]] = set()
    for values in _values("x", papers):
        # Plain lookups, one per direction: Oxigraph joins these with VALUES by index.
        pairs.update(
            (r[0].value, r[1].value)
            for r in _rows(store, f"SELECT ?x ?y WHERE {{ {values} ?x cito:cites ?y }}")
        )
        pairs.update(
            (r[1].value, r[0].value)
            for r in _rows(store, f"SELECT ?x ?y WHERE {{ {values} ?y cito:cites ?x }}")
        )
    ends = {paper for pair in pairs for paper in pair}
    in_corpus: set[str] = set()
    for values in _values("x", ends):
        in_corpus.update(
            r[0].value for r in _rows(store, f"SELECT ?x WHERE {{ {values} ?x ckg:inCorpus true }}")
        )
    corpus = {(a, b) for a, b in pairs if a in in_corpus and b in in_corpus}
    counts["citationCount"] = len(pairs)
    counts["corpusCitationCount"] = len(corpus)
    return counts


# -- reading the stored views ----------------------------------------------------------------------


def _stored_summary(store: GraphStore) -> dict[str, int]:
    sparql = f"SELECT ?p ?n WHERE {{ GRAPH <{VIEWS_GRAPH}> {{ <{SUMMARY}> ?p ?n FILTER(isLiteral(?n)) }} }}"
    return {
        row[0].value.removeprefix(CITEKG_NS): int(row[1].value)
        for row in _rows(store, sparql)
        if row[1].datatype == _INT
    }


def _stored_counts(store: GraphStore, entities: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for values in _values("e", entities):
        sparql = f"SELECT ?e ?n WHERE {{ {values} GRAPH <{VIEWS_GRAPH}> {{ ?e ckg:paperCount ?n }} }}"
        counts.update((row[0].value, int(row[1].value)) for row in _rows(store, sparql))
    return counts


def _stored_ranking(store: GraphStore, iri: str) -> list[tuple[Any, int]]:
    """The rows of one ranking: (entity, count), or ((entity, other), count) for pair rankings."""
    sparql = f"""SELECT ?rank ?e ?o ?n WHERE {{ GRAPH <{VIEWS_GRAPH}> {{ ?i ckg:inRanking <{iri}> ;
      ckg:rank ?rank ; ckg:countedPapers ?n . OPTIONAL {{ ?i ckg:rankedEntity ?e }}
      OPTIONAL {{ ?i ckg:otherEntity ?o }} }} }}"""
    rows = []
    for row in _rows(store, sparql):
        first, other = (term.value if term is not None else None for term in (row[1], row[2]))
        key = (first, other) if first and other else first or other
        rows.append((int(row[0].value), key, int(row[3].value)))
    return [(key, n) for _, key, n in sorted(rows)]


# -- writing ---------------------------------------------------------------------------------------


def _ranking_quads(
    kind: str, about: str, name: str, rows: list[tuple[Any, int]], *, subject: bool = False
) -> Iterator[ox.Quad]:
    """A ranking node (``ckg:<kind>Of about``) and its rows.

    A row key is an entity (ranked on its own, or, with ``subject``, against ``about``) or an
    ``(entity, other)`` pair.
    """
    ranking = _n(_ranking_iri(kind, name))
    yield ox.Quad(ranking, _TYPE, _ckg("Ranking"), _G)
    yield ox.Quad(ranking, _ckg(f"{kind}Of"), _n(about), _G)
    for rank, (key, count) in enumerate(rows, start=1):
        item = _n(f"{ranking.value}/{rank}")
        yield ox.Quad(item, _ckg("inRanking"), ranking, _G)
        yield ox.Quad(item, _ckg("rank"), _int(rank), _G)
        yield ox.Quad(item, _ckg("countedPapers"), _int(count), _G)
        if isinstance(key, tuple):
            yield ox.Quad(item, _ckg("rankedEntity"), _n(key[0]), _G)
            yield ox.Quad(item, _ckg("otherEntity"), _n(key[1]), _G)
        else:
            yield ox.Quad(item, _ckg("otherEntity" if subject else "rankedEntity"), _n(key), _G)


def _entity_quads(entity: str, counts: dict[str, int]) -> Iterator[ox.Quad]:
    for name in _ROLE_COUNTS.values():
        value = counts.get(name, 0)
        if value or name == "paperCount":
            yield ox.Quad(_n(entity), _ckg(name), _int(value), _G)
    if counts.get("paperCount", 0) < FREQUENT:
        # a positive marker, so a query finds "no stored ranking" by lookup (NOT EXISTS scans)
        yield ox.Quad(_n(entity), _ckg("countedAtRequest"), _TRUE, _G)


def _entity_rankings(base: str, entity: str, partners: dict[str, int]) -> Iterator[ox.Quad]:
    """The stored rankings of one frequent entity: co-occurring entities and, for a dataset, methods."""
    name = _hashed(entity)
    yield from _ranking_quads("cooccurrence", entity, name, _best(partners.items(), ENTITY_CAP), subject=True)
    if _kind(entity, base) == "dataset":
        methods = ((o, n) for o, n in partners.items() if _kind(o, base) in _METHOD_KINDS)
        yield from _ranking_quads("methods", entity, name, _best(methods, ENTITY_CAP), subject=True)


class _PairScan:
    """The graph-wide pair rankings, fed by entities in decreasing order of papers.

    A pair has no more papers than either of its entities, so once the entities left have fewer
    papers than a full ranking's last row, no unseen pair can enter it: the scan is exhausted. Exact,
    and on a big graph it stops after the few most named entities.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.best = {kind: _Best() for kind in _GLOBAL}
        self.done: set[str] = set()

    def wants(self, entity: str, count: int) -> bool:
        if count >= self.best["cooccurrence"].floor():
            return True
        return _kind(entity, self.base) == "dataset" and count >= self.best["methods"].floor()

    def exhausted(self, count: int) -> bool:
        return all(count < ranked.floor() for ranked in self.best.values())

    def feed(self, entity: str, partners: dict[str, int]) -> None:
        cooccurrence = self.best["cooccurrence"]
        for other, count in partners.items():
            if other not in self.done:
                cooccurrence.add((min(entity, other), max(entity, other)), count)
        if _kind(entity, self.base) == "dataset":
            methods = self.best["methods"]
            for other, count in partners.items():
                if _kind(other, self.base) in _METHOD_KINDS:
                    methods.add((entity, other), count)
        self.done.add(entity)

    def quads(self) -> list[ox.Quad]:
        quads: list[ox.Quad] = []
        for kind, ranked in self.best.items():
            quads += _ranking_quads(kind, CITEKG_NS + _GLOBAL[kind], "graph", ranked.rows())
        return quads


def _summary_quads(values: dict[str, int]) -> list[ox.Quad]:
    node = _n(SUMMARY)
    quads = [ox.Quad(node, _TYPE, _ckg("ViewSummary"), _G)]
    quads += [ox.Quad(node, _ckg(name), _int(value), _G) for name, value in sorted(values.items())]
    return quads


def _replace(
    store: GraphStore, nodes: Iterable[str], quads: Iterable[ox.Quad], *, done: bool = False
) -> None:
    """In one transaction, drop the views triples of ``nodes`` and of their rows, then add ``quads``.

    ``done`` also drops the stale marker (the last transaction of a refresh).
    """
    graph = f"<{VIEWS_GRAPH}>"
    parts = []
    for values in _values("s", nodes):
        parts.append(
            f"DELETE {{ GRAPH {graph} {{ ?x ?p ?o }} }} WHERE {{ {values} GRAPH {graph} {{ "
            "{ ?s ?p ?o BIND(?s AS ?x) } UNION { ?x ckg:inRanking ?s . ?x ?p ?o } } }"
        )
    if done:
        parts.append(f"DELETE DATA {{ GRAPH {graph} {{ {stale_marker().triple} }} }}")
    body = "".join(f"{q.triple} .\n" for q in quads)
    parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")
    store.ox.update(" ;\n".join(parts), prefixes=PREFIXES)


def _pages(papers: Iterable[str], number: int, filled: int) -> Iterator[ox.Quad]:
    """Page nodes for ``papers``, continuing page ``number`` that holds ``filled`` papers."""
    for paper in papers:
        if filled == PAGE_SIZE:
            number, filled = number + 1, 0
        page = _n(f"{_VIEW}page/{number}")
        if filled == 0:
            yield ox.Quad(page, _TYPE, _ckg("PaperPage"), _G)
            # as an integer and as a string: a binding of either type (Python, ``citekg query -p``) finds it
            yield ox.Quad(page, _ckg("pageNumber"), _int(number), _G)
            yield ox.Quad(page, _ckg("pageNumber"), ox.Literal(str(number)), _G)
        yield ox.Quad(page, _ckg("pageItem"), _n(paper), _G)
        filled += 1


# -- full refresh ----------------------------------------------------------------------------------


def refresh_views(store: GraphStore, entities: Iterable[str] | None = None) -> None:
    """Recompute the views: all of them (``entities=None``), or what the given entity IRIs affect.

    With ``entities``, their counts and stored rankings are recounted in full, and the global rankings
    and counts recomputed. A full refresh streams the data and keeps only each ranking's best rows
    and the per-entity counts in memory. :meth:`GraphStore.update` refreshes after every write;
    call this after loading data by other means (a bulk load, a SPARQL update).

    Examples:
        >>> from citekg.graph.store import GraphStore
        >>> from citekg.model import Extraction, Mention, Paper
        >>> m = Mention("arxiv:1", "dataset", "GLUE", 0, 4, "title", "GLUE")
        >>> with GraphStore.open(None) as store:
        ...     _ = store.add([Extraction(Paper(id="arxiv:1", title="GLUE"), mentions=(m,))])
        ...     refresh_views(store)
        ...     glue = "<https://w3id.org/citekg/dataset/glue>"
        ...     rows = store.query(f"SELECT ?n WHERE {{ GRAPH ?g {{ {glue} ckg:paperCount ?n }} }}")
        ...     [int(row["n"].value) for row in rows]
        [1]
    """
    if entities is None:
        _refresh_all(store)
    else:
        _refresh_some(store, PendingWrite(entities=set(entities), full=True))


def _refresh_all(store: GraphStore) -> None:
    import numpy as np  # here: a full refresh is rare, and most commands never need numpy
    from citekg.graph.mention_index import MentionIndex

    ox_store = store.ox
    base = store.base
    ox_store.clear_graph(_G)
    index = MentionIndex.read(store)
    counts = _entity_counts(store, None, _ROLE_EDGES)
    for entity, papers in zip(index.entities, index.paper_counts().tolist(), strict=True):
        counts[entity]["paperCount"] = papers
    top = {kind: _Best() for kind in (*_KINDS, "all")}
    quads: list[ox.Quad] = []
    for entity, entity_counts in counts.items():
        quads += _entity_quads(entity, entity_counts)
        if (kind := _kind(entity, base)) in _KINDS:
            top[kind].add(entity, entity_counts.get("paperCount", 0))
            top["all"].add(entity, entity_counts.get("paperCount", 0))
        if len(quads) > 50_000:
            ox_store.bulk_extend(quads)
            quads = []
    ordered = sorted(((e, c.get("paperCount", 0)) for e, c in counts.items()), key=lambda ec: (-ec[1], ec[0]))
    del counts
    number = {entity: i for i, entity in enumerate(index.entities)}
    methods = np.array([_kind(entity, base) in _METHOD_KINDS for entity in index.entities], dtype=bool)
    scan = _PairScan(base)
    for entity, count in ordered:
        wanted = scan.wants(entity, count)
        if count < FREQUENT and not wanted:
            if scan.exhausted(count):
                break
            continue
        partners = _indexed_partners(index, number[entity], base, methods, scan if wanted else None, count)
        if count >= FREQUENT:
            quads += _entity_rankings(base, entity, partners)
        if wanted:
            scan.feed(entity, partners)
        if len(quads) > 50_000:
            ox_store.bulk_extend(quads)
            quads = []
    del index, number
    for kind, ranked in top.items():
        quads += _top_quads(kind, ranked.rows(), ranked.seen)
    quads += scan.quads()
    corpus = sorted(row[0].value for row in _rows(store, "SELECT ?p WHERE { ?p ckg:inCorpus true }"))
    quads += _pages(corpus, 1, 0)
    ox_store.bulk_extend(quads)
    summary = _global_counts(store, set(corpus))
    summary.update(
        entityCount=top["all"].seen, pageCount=-(-len(corpus) // PAGE_SIZE), rankingThreshold=FREQUENT
    )
    ox_store.extend(_summary_quads(summary))  # last: a summary says the views are complete


def _indexed_partners(
    index: MentionIndex, entity: int, base: str, methods: np.ndarray, scan: _PairScan | None, count: int
) -> dict[str, int]:
    """The partners of ``entity`` that its stored rankings and the pair scan can still take.

    The same as :func:`_partners` for every use made of it: a partner with fewer papers than the
    last row of a full ranking could not enter it, so only the rest become strings.
    """
    from citekg.graph.mention_index import least_of_top

    counts = index.partner_counts(entity)
    dataset = _kind(index.entities[entity], base) == "dataset"
    floors = []
    if count >= FREQUENT:
        floors.append(least_of_top(counts, ENTITY_CAP))
        if dataset:
            floors.append(least_of_top(counts[methods], ENTITY_CAP))
    if scan is not None:
        floors.append(scan.best["cooccurrence"].floor())
        if dataset:
            floors.append(scan.best["methods"].floor())
    return index.partners(entity, at_least=min(floors), counts=counts)


def _top_quads(kind: str, rows: list[tuple[Any, int]], total: int) -> list[ox.Quad]:
    quads = list(_ranking_quads("topEntities", CITEKG_NS + _KINDS.get(kind, "Entity"), kind, rows))
    quads.append(ox.Quad(_n(_ranking_iri("topEntities", kind)), _ckg("entityCount"), _int(total), _G))
    return quads


# -- incremental refresh ---------------------------------------------------------------------------


@dataclass
class PendingWrite:
    """What one write changes, gathered before its commit (:func:`prepare_write`).

    ``entities`` had paper edges added or removed; ``papers`` are the papers those edges (and corpus
    membership, citations, code links) belong to; ``removed`` lost an edge, on the papers ``removed_on``;
    ``before`` holds
    the global counts restricted to ``papers`` before the write. ``full`` recounts every entity's
    ranking in full (no paper information).
    """

    entities: set[str] = field(default_factory=set)
    papers: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    removed_on: set[str] = field(default_factory=set)
    before: dict[str, int] | None = None
    stale: bool = False
    full: bool = False


def prepare_write(store: GraphStore, delete: Iterable[Triple], insert: Iterable[Triple]) -> PendingWrite:
    """Gather, before a write's commit, what the views need to follow it.

    ``GraphStore.update`` calls this, commits, then calls :func:`refresh_after_write`.
    """
    pending = PendingWrite(stale=views_stale(store))
    if pending.stale:
        return pending
    counted: set[str] = set()
    for triples, deleting in ((delete, True), (insert, False)):
        for s, p, o in triples:
            predicate = str(p)
            if predicate in _EDGES:
                pending.entities.add(str(o))
                pending.papers.add(str(s))
                if deleting:
                    pending.removed.add(str(o))
                    pending.removed_on.add(str(s))
            elif predicate in _SUMMARY_EDGES or (predicate == _RDF_TYPE and str(o) == CITEKG_NS + "Paper"):
                counted.add(str(s))
                if predicate.endswith("/cites"):
                    counted.add(str(o))
    pending.papers |= counted
    pending.before = _local_counts(store, pending.papers)
    return pending


def refresh_after_write(store: GraphStore, pending: PendingWrite) -> None:
    """Bring the views up to date after a write prepared with :func:`prepare_write`.

    Everything when they were stale already, otherwise what the write touched.
    """
    if pending.stale:
        _refresh_all(store)
    else:
        _refresh_some(store, pending)


def _refresh_some(store: GraphStore, pending: PendingWrite) -> None:
    """Refresh what ``pending`` touches.

    Counts only grow under additions, so a ranking is then its old rows merged with the recounted
    pairs on the write's papers (:func:`_merged`). An entity on a paper that lost an edge, or any
    entity when ``pending.full``, is recounted in full, and a global ranking whose counts may have
    dropped is recomputed from the most named entities (:class:`_PairScan`): seconds on a big graph.
    """
    base = store.base
    papers = pending.papers
    on_papers = _entities_on(store, papers) if papers else {}
    removed = set(pending.removed)
    for paper in pending.removed_on:
        removed |= on_papers.get(paper, set())
    entities = pending.entities | removed
    old_counts = _stored_counts(store, entities)
    counts = _entity_counts(store, entities)
    shrunk = pending.full or any(counts.get(e, {}).get("paperCount", 0) < n for e, n in old_counts.items())
    quads: list[ox.Quad] = []
    nodes: set[str] = set(entities)
    fresh: dict[str, list[tuple[Any, int]]] = {kind: [] for kind in _GLOBAL}
    frequent = {e for e in entities if counts.get(e, {}).get("paperCount", 0) >= FREQUENT}
    for entity in sorted(entities):
        quads += _entity_quads(entity, counts[entity]) if entity in counts else []
        nodes.update(_ranking_iri(kind, _hashed(entity)) for kind in _GLOBAL)
        if entity not in counts:
            continue
        # Every pair on the write's papers is recounted, so the graph-wide rankings can be merged too.
        others = {o for es in on_papers.values() if entity in es for o in es if o != entity}
        touched = _touched_pairs(store, entity, others, counts)
        for other, count in touched.items():
            fresh["cooccurrence"].append(((min(entity, other), max(entity, other)), count))
            if _kind(entity, base) == "dataset" and _kind(other, base) in _METHOD_KINDS:
                fresh["methods"].append(((entity, other), count))
        if entity not in frequent:
            continue
        rankings: dict[str, list[tuple[Any, int]] | None] = {"cooccurrence": None, "methods": None}
        if not (pending.full or entity in removed or old_counts.get(entity, 0) < FREQUENT):
            for kind in rankings:
                old = _stored_ranking(store, _ranking_iri(kind, _hashed(entity)))
                keys = {
                    o: n
                    for o, n in touched.items()
                    if kind == "cooccurrence" or _kind(o, base) in _METHOD_KINDS
                }
                rankings[kind] = _merged(old, keys, ENTITY_CAP)
        if rankings["cooccurrence"] is None or rankings["methods"] is None:
            quads += _entity_rankings(base, entity, _partners(store, entity))
        else:
            quads += _ranking_quads(
                "cooccurrence", entity, _hashed(entity), rankings["cooccurrence"], subject=True
            )
            if _kind(entity, base) == "dataset":
                quads += _ranking_quads("methods", entity, _hashed(entity), rankings["methods"], subject=True)
    _replace(store, nodes, quads)

    global_quads: list[ox.Quad] = []
    global_nodes: list[str] = []
    merged_top = _merge_top(store, counts, shrunk)
    for kind, (rows, total) in merged_top.items():
        global_nodes.append(_ranking_iri("topEntities", kind))
        global_quads += _top_quads(kind, rows, total)
    for kind, rows in _merge_pairs(store, fresh, shrunk or bool(removed)).items():
        global_nodes.append(_ranking_iri(kind, "graph"))
        global_quads += _ranking_quads(kind, CITEKG_NS + _GLOBAL[kind], "graph", rows)
    summary = _stored_summary(store)
    if papers and pending.before is not None:
        after = _local_counts(store, papers)
        for name, value in after.items():
            summary[name] = summary.get(name, 0) + value - pending.before[name]
        page_quads, pages = _append_pages(store, papers, summary.get("pageCount", 0))
        global_quads += page_quads
        summary["pageCount"] = pages
    summary["entityCount"] = merged_top["all"][1]
    summary["rankingThreshold"] = FREQUENT
    global_nodes.append(SUMMARY)
    global_quads += _summary_quads(summary)
    _replace(store, global_nodes, global_quads, done=True)


def _merge_top(
    store: GraphStore, counts: dict[str, dict[str, int]], shrunk: bool
) -> dict[str, tuple[list[tuple[Any, int]], int]]:
    """Top entities per type after a write, with each type's number of entities.

    Old rows merged with the recounted entities, or a scan of the stored counts when some count
    dropped (or an entity went).
    """
    base = store.base
    result = {}
    totals = _entity_totals(store)
    for kind in (*_KINDS, "all"):
        iri = _ranking_iri("topEntities", kind)
        old = _stored_ranking(store, iri)
        touched = {e: c.get("paperCount", 0) for e, c in counts.items() if kind in ("all", _kind(e, base))}
        rows = None if shrunk else _merged(old, touched)
        if rows is None:
            best = _Best()
            sparql = f"SELECT ?e ?n WHERE {{ GRAPH <{VIEWS_GRAPH}> {{ ?e ckg:paperCount ?n }} }}"
            for row in _rows(store, sparql):
                if kind == "all" and _kind(row[0].value, base) in _KINDS or _kind(row[0].value, base) == kind:
                    best.add(row[0].value, int(row[1].value))
            rows = best.rows()
        result[kind] = (rows, totals.get(kind, 0))
    return result


def _entity_totals(store: GraphStore) -> dict[str, int]:
    totals: dict[str, int] = {}
    for kind, cls in _KINDS.items():
        totals[kind] = _count(store, f"?e a ckg:{cls}")
    totals["all"] = sum(totals.values())
    return totals


def _merged(
    old: list[tuple[Any, int]], touched: dict[Any, int], cap: int | None = None
) -> list[tuple[Any, int]]:
    """Old best rows merged with every key whose count changed, when counts only grew.

    Exact, ties included: an unseen key had at most the old last row's count (and, tying, a greater
    key), every old row kept or improved its place, so it still ranks below the cut.
    """
    merged = dict(old)
    merged.update(touched)
    return _best(merged.items(), cap)


def _merge_pairs(
    store: GraphStore, fresh: dict[str, list[tuple[Any, int]]], shrunk: bool
) -> dict[str, list[tuple[Any, int]]]:
    result = {}
    recompute = shrunk
    for kind in _GLOBAL:
        old = _stored_ranking(store, _ranking_iri(kind, "graph"))
        rows = None if recompute else _merged(old, dict(fresh[kind]))
        result[kind] = rows
    if any(rows is None for rows in result.values()):
        recomputed = _recompute_pairs(store)
        result = {kind: rows if rows is not None else recomputed[kind] for kind, rows in result.items()}
    return result  # type: ignore[return-value]


def _recompute_pairs(store: GraphStore) -> dict[str, list[tuple[Any, int]]]:
    """The graph-wide pair rankings recomputed by a :class:`_PairScan` over the stored entity counts."""
    sparql = f"SELECT ?e ?n WHERE {{ GRAPH <{VIEWS_GRAPH}> {{ ?e ckg:paperCount ?n }} }}"
    base = store.base
    ordered = sorted(
        (
            (row[0].value, int(row[1].value))
            for row in _rows(store, sparql)
            if _kind(row[0].value, base) in _KINDS
        ),
        key=lambda ec: (-ec[1], ec[0]),
    )
    scan = _PairScan(base)
    for entity, count in ordered:
        if scan.wants(entity, count):
            scan.feed(entity, _partners(store, entity))
        elif scan.exhausted(count):
            break
    return {kind: ranked.rows() for kind, ranked in scan.best.items()}


def _append_pages(store: GraphStore, papers: set[str], pages: int) -> tuple[list[ox.Quad], int]:
    """Pages for corpus papers among ``papers`` that are on no page yet, after the last page."""
    found: list[str] = []
    for values in _values("p", papers):
        sparql = f"""SELECT ?p WHERE {{ {values} ?p ckg:inCorpus true .
          FILTER NOT EXISTS {{ GRAPH <{VIEWS_GRAPH}> {{ ?page ckg:pageItem ?p }} }} }}"""
        found += [row[0].value for row in _rows(store, sparql)]
    if not found:
        return [], pages
    filled = (
        _count(store, f"GRAPH <{VIEWS_GRAPH}> {{ <{_VIEW}page/{pages}> ckg:pageItem ?p }}") if pages else 0
    )
    number = max(pages, 1)
    quads = list(_pages(sorted(found), number, filled))
    return quads, number + (filled + len(found) - 1) // PAGE_SIZE
