"""Questions about a citekg graph, one function each, in the manner of ``networkx.algorithms``.

Counting questions (most used datasets, methods per dataset, papers without code, co-occurrence,
builds-on) are SPARQL aggregates run on the store, where Oxigraph's indexes do the work. Questions that
need a graph algorithm (PageRank, communities, shortest paths) run on a NetworkX view from
:mod:`citekg.graph.project`; those functions take either the store or a view already made, so a caller
who asks several questions projects once.

Every function takes ``kg``: a :class:`~citekg.graph.store.GraphStore` or anything with a ``store``
attribute holding one (``citekg.KnowledgeGraph``); the graph functions also take a NetworkX graph that
follows the attribute contract of :mod:`citekg.viz`. Results are lists of small named tuples, best first.

PageRank uses ``networkx.pagerank`` when SciPy is installed and citekg's NumPy power iteration
(:func:`citekg.viz.select.pagerank`) otherwise; citekg does not depend on SciPy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from itertools import combinations
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import networkx as nx
from citekg.errors import CitekgError, UnknownNameError
from citekg.graph.store import GraphStore

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = [
    "BuildsOn",
    "CoOccurrence",
    "EntityCount",
    "NoPathError",
    "PaperRef",
    "Score",
    "builds_on",
    "communities",
    "cooccurring",
    "methods_per_dataset",
    "most_used",
    "most_used_datasets",
    "most_used_methods",
    "most_used_models",
    "pagerank_entities",
    "pagerank_papers",
    "papers_without_code",
    "shortest_path",
]

_CKG = "https://w3id.org/citekg/"
_TYPES = ("method", "dataset", "model", "task", "metric")


class EntityCount(NamedTuple):
    """An entity and the number of papers that mention it (or both it and another entity)."""

    iri: str
    type: str
    label: str
    papers: int


class PaperRef(NamedTuple):
    """A paper by IRI, with its title and year when known."""

    iri: str
    title: str | None
    year: int | None


class CoOccurrence(NamedTuple):
    """Two entities and the number of papers that mention both."""

    a: str
    a_label: str
    b: str
    b_label: str
    papers: int


class BuildsOn(NamedTuple):
    """Paper ``paper`` builds on paper ``basis``: it uses ``entity``, which ``basis`` proposes.

    ``confidence`` is the builder's (``ckg:BuildsOnEvidence``), or ``None`` when inferred at query time.
    """

    paper: str
    paper_title: str | None
    basis: str
    basis_title: str | None
    entity: str
    entity_label: str
    confidence: float | None = None


class Score(NamedTuple):
    """A node with a score (PageRank)."""

    iri: str
    label: str
    score: float


class NoPathError(CitekgError, nx.NetworkXNoPath):
    """Two nodes are not connected in the view searched."""


# -- access ------------------------------------------------------------------------------------------


def _store(kg: Any) -> GraphStore:
    store = kg if isinstance(kg, GraphStore) else getattr(kg, "store", None)
    if not isinstance(store, GraphStore):
        raise TypeError(f"expected a GraphStore or a KnowledgeGraph, not {type(kg).__name__}")
    return store


def _rows(kg: Any, sparql: str, **bindings: Any) -> list[dict[str, Any]]:
    from citekg._output import term_value

    result = cast("ox.QuerySolutions", _store(kg).query(sparql, bindings or None))
    names = [v.value for v in result.variables]
    return [{name: term_value(row[name]) for name in names} for row in result]


def _view(kg: Any, view: str) -> nx.Graph:
    if isinstance(kg, nx.Graph):
        return kg
    from citekg.graph.project import to_networkx

    return to_networkx(_store(kg), view)


def _type_iri(type: str) -> str:
    if type not in _TYPES:
        raise UnknownNameError("entity type", type, _TYPES)
    return f"{_CKG}{type.capitalize()}"


def _label(variable: str, labels: str) -> str:
    """SPARQL for an entity's label: its least prefLabel, else the last segment of its IRI."""
    return f'COALESCE(MIN(STR(?{labels})), REPLACE(STR(?{variable}), "^.*/", ""))'


def _limit(limit: int | None) -> str:
    return "" if limit is None else f"LIMIT {max(int(limit), 0)}"


# -- counting (SPARQL) -------------------------------------------------------------------------------

_MOST_USED = """
SELECT ?entity ({label} AS ?label) (COUNT(DISTINCT ?paper) AS ?papers) ?type
WHERE {{ ?paper ckg:mentions ?entity . ?entity a ?type . OPTIONAL {{ ?entity skos:prefLabel ?prefLabel }} }}
GROUP BY ?entity ?type
ORDER BY DESC(?papers) ?label ?entity
{limit}"""


_MOST_USED_VIEW = """
SELECT ?type ?entity ({label} AS ?label) ?papers
WHERE {{
  GRAPH <{graph}> {{
    ?ranking ckg:topEntitiesOf ?type .
    ?item ckg:inRanking ?ranking ; ckg:rank ?rank ; ckg:rankedEntity ?entity ; ckg:countedPapers ?papers .
  }}
  OPTIONAL {{ ?entity skos:prefLabel ?prefLabel }}
}}
GROUP BY ?type ?rank ?entity ?papers
ORDER BY ?rank
{limit}"""


def most_used(kg: Any, type: str, *, limit: int | None = 10) -> list[EntityCount]:
    """Rank the entities of one type by the number of papers that mention them, in any role.

    Up to :data:`~citekg.graph.views.RANK_CAP` of them come from the precomputed views (a lookup; ties
    by IRI), more, or on a graph whose views are stale, from counting every mention (ties by label).

    Args:
        kg: The graph (store or ``KnowledgeGraph``).
        type: ``method``, ``dataset``, ``model``, ``task`` or ``metric``.
        limit: How many to return; ``None`` for all.

    Raises:
        UnknownNameError: For another type.

    Examples:
        >>> from citekg.api import example_graph
        >>> [(e.label, e.papers) for e in most_used(example_graph(), "model")]
        [('BERT', 2), ('RoBERTa', 1)]
    """
    from citekg.graph import views
    from rdflib import URIRef

    sparql = _MOST_USED.format(limit=_limit(limit), label=_label("entity", "prefLabel"))
    if limit is not None and limit <= views.RANK_CAP and not views.views_stale(_store(kg)):
        label = _label("entity", "prefLabel")
        sparql = _MOST_USED_VIEW.format(limit=_limit(limit), label=label, graph=views.VIEWS_GRAPH)
    rows = _rows(kg, sparql, type=URIRef(_type_iri(type)))
    return [EntityCount(r["entity"], type, r["label"], r["papers"]) for r in rows]


def most_used_datasets(kg: Any, *, limit: int | None = 10) -> list[EntityCount]:
    """The datasets most papers mention; see :func:`most_used`.

    Examples:
        >>> from citekg.api import example_graph
        >>> [(e.label, e.papers) for e in most_used_datasets(example_graph())]
        [('GLUE', 2), ('SQuAD', 2), ('WMT 2014', 1)]
    """
    return most_used(kg, "dataset", limit=limit)


def most_used_methods(kg: Any, *, limit: int | None = 10) -> list[EntityCount]:
    """The methods most papers mention; see :func:`most_used`."""
    return most_used(kg, "method", limit=limit)


def most_used_models(kg: Any, *, limit: int | None = 10) -> list[EntityCount]:
    """The models most papers mention; see :func:`most_used`."""
    return most_used(kg, "model", limit=limit)


_METHODS_PER_DATASET = f"""
SELECT ?dataset ({_label("dataset", "datasetPrefLabel")} AS ?datasetLabel) ?method ?methodType
       ({_label("method", "methodPrefLabel")} AS ?methodLabel) (COUNT(DISTINCT ?paper) AS ?papers)
WHERE {{
  ?paper ckg:mentions ?dataset .
  ?dataset a ckg:Dataset .
  ?paper ckg:mentions ?method .
  ?method a ?methodType .
  FILTER(?methodType IN (ckg:Method, ckg:Model))
  OPTIONAL {{ ?dataset skos:prefLabel ?datasetPrefLabel }}
  OPTIONAL {{ ?method skos:prefLabel ?methodPrefLabel }}
}}
GROUP BY ?dataset ?method ?methodType"""


def methods_per_dataset(
    kg: Any, dataset: str | None = None, *, limit: int | None = None
) -> dict[EntityCount, list[EntityCount]]:
    """Which methods and models are used on each dataset: those mentioned by the same papers.

    Args:
        kg: The graph.
        dataset: One dataset's IRI to answer for it alone (fast); ``None`` for every dataset (a global
            aggregate, seconds on a large graph).
        limit: At most this many methods per dataset.

    Returns:
        Each dataset (its ``papers`` counts the papers mentioning it with any method) mapped to its
        methods and models, ranked by the papers that mention both; datasets in the same order.

    Examples:
        >>> from citekg.api import example_graph
        >>> for dataset, methods in methods_per_dataset(example_graph()).items():
        ...     print(dataset.label, [(m.label, m.papers) for m in methods])
        GLUE [('BERT', 2), ('RoBERTa', 1), ('Transformer', 1)]
        SQuAD [('BERT', 2), ('RoBERTa', 1), ('Transformer', 1)]
        WMT 2014 [('Transformer', 1)]
    """
    from rdflib import URIRef

    bindings = {"dataset": URIRef(dataset)} if dataset is not None else {}
    grouped: dict[str, list[EntityCount]] = {}
    labels: dict[str, str] = {}
    for row in _rows(kg, _METHODS_PER_DATASET, **bindings):
        labels[row["dataset"]] = row["datasetLabel"]
        kind = row["methodType"].removeprefix(_CKG).lower()
        grouped.setdefault(row["dataset"], []).append(
            EntityCount(row["method"], kind, row["methodLabel"], row["papers"])
        )
    papers = _papers_with_any(kg, dataset) if grouped else {}
    result: dict[EntityCount, list[EntityCount]] = {}
    for iri, methods in grouped.items():
        methods.sort(key=lambda m: (-m.papers, m.label.casefold(), m.iri))
        result[EntityCount(iri, "dataset", labels[iri], papers.get(iri, 0))] = methods[:limit]
    return dict(sorted(result.items(), key=lambda item: (-item[0].papers, item[0].label.casefold())))


_DATASET_PAPERS = """
SELECT ?dataset (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper ckg:mentions ?dataset .
  ?dataset a ckg:Dataset .
  ?paper ckg:mentions ?method .
  ?method a ?methodType .
  FILTER(?methodType IN (ckg:Method, ckg:Model))
}
GROUP BY ?dataset"""


def _papers_with_any(kg: Any, dataset: str | None) -> dict[str, int]:
    from rdflib import URIRef

    bindings = {"dataset": URIRef(dataset)} if dataset is not None else {}
    return {r["dataset"]: r["papers"] for r in _rows(kg, _DATASET_PAPERS, **bindings)}


_WITHOUT_CODE = """
SELECT ?paper ?title ?year WHERE {{
  ?paper ckg:inCorpus true .
  FILTER NOT EXISTS {{ ?paper ckg:hasCode ?repo }}
  OPTIONAL {{ ?paper dcterms:title ?title }}
  OPTIONAL {{ ?paper fabio:hasPublicationYear ?year }}
}}
ORDER BY DESC(?year) ?title ?paper
{limit}"""


def papers_without_code(kg: Any, *, limit: int | None = None) -> list[PaperRef]:
    """Papers read from the input that link to no code repository, newest first.

    Examples:
        >>> from citekg.api import example_graph
        >>> papers_without_code(example_graph())
        [PaperRef(iri='https://w3id.org/citekg/paper/arxiv/1907.11692', title='RoBERTa', year=2019)]
    """
    rows = _rows(kg, _WITHOUT_CODE.format(limit=_limit(limit)))
    return [PaperRef(r["paper"], r["title"], r["year"]) for r in rows]


_MENTION_PAIRS = """
SELECT ?paper ?entity ?type WHERE {
  ?paper ckg:mentions ?entity .
  ?entity a ?type .
  FILTER(?type IN (ckg:Dataset, ckg:Model, ckg:Method, ckg:Task, ckg:Metric))
}"""
_ENTITY_LABELS = f"""
SELECT ?entity ({_label("entity", "prefLabel")} AS ?label) WHERE {{
  ?entity a ckg:Entity . OPTIONAL {{ ?entity skos:prefLabel ?prefLabel }}
}} GROUP BY ?entity"""
_COOCCURRING_WITH = f"""
SELECT ?entity ?other ({_label("other", "otherPrefLabel")} AS ?otherLabel) (COUNT(DISTINCT ?paper) AS ?papers)
WHERE {{
  ?paper ckg:mentions ?entity , ?other .
  FILTER(?other != ?entity)
  ?other a ?otherType .
  FILTER(?otherType IN (ckg:Dataset, ckg:Model, ckg:Method, ckg:Task, ckg:Metric))
  OPTIONAL {{ ?other skos:prefLabel ?otherPrefLabel }}
}}
GROUP BY ?entity ?other"""


def cooccurring(
    kg: Any, entity: str | None = None, *, type: str | None = None, limit: int | None = 20
) -> list[CoOccurrence]:
    """Pairs of entities that papers mention together, by the number of such papers.

    Args:
        kg: The graph.
        entity: One entity's IRI: rank what appears with it (``a`` is always this entity). ``None``
            ranks every pair once, counted in Python from one scan of the mentions (a global aggregate;
            DESIGN §5 would precompute it for an endpoint).
        type: Keep only pairs whose other entity (both, when ``entity`` is ``None``) has this type.
        limit: How many pairs to return; ``None`` for all.

    Examples:
        >>> from citekg.api import example_graph
        >>> [(p.a_label, p.b_label, p.papers) for p in cooccurring(example_graph(), type="dataset")]
        [('GLUE', 'SQuAD', 2)]
        >>> kg = example_graph()
        >>> [(p.b_label, p.papers) for p in cooccurring(kg, kg.entity("GLUE").iri, type="model")]
        [('BERT', 2), ('RoBERTa', 1)]
    """
    cls = _type_iri(type) if type is not None else None
    if entity is not None:
        from rdflib import URIRef

        pairs = []
        own = _label_of(kg, entity)
        for row in _rows(kg, _COOCCURRING_WITH, entity=URIRef(entity)):
            if cls is not None and not _has_type(kg, row["other"], cls):
                continue
            pairs.append(CoOccurrence(entity, own, row["other"], row["otherLabel"], row["papers"]))
    else:
        by_paper: dict[str, set[str]] = {}
        for row in _rows(kg, _MENTION_PAIRS):
            if cls is not None and row["type"] != cls:
                continue
            by_paper.setdefault(row["paper"], set()).add(row["entity"])
        labels = {row["entity"]: row["label"] for row in _rows(kg, _ENTITY_LABELS)}
        counts: Counter[tuple[str, str]] = Counter()
        for members in by_paper.values():
            counts.update(combinations(sorted(members), 2))
        pairs = [CoOccurrence(a, labels[a], b, labels[b], n) for (a, b), n in counts.items()]
    pairs.sort(key=lambda p: (-p.papers, p.a_label.casefold(), p.b_label.casefold(), p.a, p.b))
    return pairs if limit is None else pairs[: max(limit, 0)]


def _label_of(kg: Any, iri: str) -> str:
    from rdflib import URIRef

    rows = _rows(kg, _ENTITY_LABELS, entity=URIRef(iri))
    return rows[0]["label"] if rows else iri


def _has_type(kg: Any, iri: str, cls: str) -> bool:
    from rdflib import URIRef

    result = _store(kg).query("ASK { ?e a ?t }", {"e": URIRef(iri), "t": URIRef(cls)})
    return bool(result)


_BUILDS_ON = f"""
SELECT ?paper ?paperTitle ?basis ?basisTitle ?entity ({_label("entity", "prefLabel")} AS ?entityLabel)
WHERE {{
  ?basis ckg:proposes ?entity .
  ?paper ckg:uses ?entity .
  FILTER(?paper != ?basis)
  ?basis ckg:inCorpus true .
  ?paper ckg:inCorpus true .
  OPTIONAL {{ ?entity skos:prefLabel ?prefLabel }}
  OPTIONAL {{ ?paper dcterms:title ?paperTitle }}
  OPTIONAL {{ ?basis dcterms:title ?basisTitle }}
}}
GROUP BY ?paper ?paperTitle ?basis ?basisTitle ?entity"""


def builds_on(kg: Any, *, paper: str | None = None, basis: str | None = None) -> list[BuildsOn]:
    """Papers that build on other papers of the corpus, and why.

    Paper B builds on paper A when B uses an entity that A proposes (DESIGN §5); the entity is the
    evidence, and it is never a citation. The builder's ``ckg:BuildsOnEvidence`` nodes are read when
    the graph has them (canned query ``papers-building-on``); a graph built without them is answered by
    the same rule applied at query time to ``ckg:proposes`` and ``ckg:uses``, with no confidence.

    Args:
        kg: The graph.
        paper: Only what this paper (IRI) builds on.
        basis: Only the papers that build on this one (IRI).

    Examples:
        >>> from citekg.api import example_graph
        >>> [(b.paper_title, b.basis_title, b.entity_label) for b in builds_on(example_graph())]
        [('BERT', 'Attention Is All You Need', 'Transformer'), ('RoBERTa', 'BERT', 'BERT')]
    """
    from rdflib import URIRef

    bindings = {}
    if paper is not None:
        bindings["paper"] = URIRef(paper)
    if basis is not None:
        bindings["basis"] = URIRef(basis)
    if bool(_store(kg).query("ASK { ?e a ckg:BuildsOnEvidence }")):
        from citekg.graph.queries import load_query

        rows = _rows(kg, load_query("papers-building-on").replace("LIMIT 1000", ""), **bindings)
    else:
        sparql = _BUILDS_ON
        if paper is not None and basis is None:
            # Oxigraph joins in the written order, so the pattern holding the bound variable goes first.
            sparql = sparql.replace(
                "  ?basis ckg:proposes ?entity .\n  ?paper ckg:uses ?entity .",
                "  ?paper ckg:uses ?entity .\n  ?basis ckg:proposes ?entity .",
            )
        rows = _rows(kg, sparql, **bindings)
    found = [
        BuildsOn(
            r["paper"],
            r["paperTitle"],
            r["basis"],
            r["basisTitle"],
            r["entity"],
            r["entityLabel"],
            r.get("confidence"),
        )
        for r in rows
    ]
    found.sort(
        key=lambda b: ((b.paper_title or b.paper).casefold(), (b.basis_title or "").casefold(), b.entity)
    )
    return found


# -- graph algorithms (NetworkX views) ---------------------------------------------------------------


def _pagerank(graph: nx.Graph) -> dict[Hashable, float]:
    try:
        import scipy  # noqa: F401
    except ImportError:
        from citekg.viz.select import pagerank

        return pagerank(graph)
    return nx.pagerank(graph, weight=None)


def _scores(graph: nx.Graph, nodes: list[Hashable], limit: int | None) -> list[Score]:
    ranks = _pagerank(graph)
    scored = [Score(str(n), str(graph.nodes[n].get("label", n)), ranks.get(n, 0.0)) for n in nodes]
    # Rounded so that ties (equal up to float noise) are broken by label, the same on every run.
    scored.sort(key=lambda s: (-round(s.score, 12), s.label.casefold(), s.iri))
    return scored if limit is None else scored[: max(limit, 0)]


def pagerank_papers(kg: Any, *, limit: int | None = 10, in_corpus_only: bool = False) -> list[Score]:
    """Rank papers by PageRank over citations (a paper cited by well-cited papers ranks high).

    Args:
        kg: The graph, or a citation view (``to_networkx(store, "citation")``) already made.
        limit: How many to return; ``None`` for all.
        in_corpus_only: Rank only papers read from the input; by default cited papers outside the
            corpus are ranked too (they are often the classics).

    Examples:
        >>> from citekg.api import example_graph
        >>> [s.label for s in pagerank_papers(example_graph())]
        ['Attention Is All You Need', 'BERT', 'RoBERTa']
    """
    graph = _view(kg, "citation")
    nodes = [n for n, d in graph.nodes(data=True) if d.get("type", "paper") == "paper"]
    if in_corpus_only:
        nodes = [n for n in nodes if graph.nodes[n].get("in_corpus", True)]
    return _scores(graph, nodes, limit)


def pagerank_entities(kg: Any, *, limit: int | None = 10, type: str | None = None) -> list[Score]:
    """Rank entities by PageRank over the co-occurrence view (central in what papers mention together).

    Args:
        kg: The graph, or a co-occurrence view already made.
        limit: How many to return; ``None`` for all.
        type: Only entities of this type.

    Examples:
        >>> from citekg.api import example_graph
        >>> [s.label for s in pagerank_entities(example_graph(), limit=3)]
        ['Transformer', 'BERT', 'GLUE']
    """
    graph = _view(kg, "cooccurrence")
    if type is not None:
        _type_iri(type)
    nodes = [
        n for n, d in graph.nodes(data=True) if d.get("type") in _TYPES and type in (None, d.get("type"))
    ]
    return _scores(graph, nodes, limit)


def communities(
    kg: Any, *, view: str = "cooccurrence", seed: int = 0, resolution: float = 1.0
) -> list[list[str]]:
    """Split a view into communities with Louvain (seeded, so the answer is repeatable).

    Args:
        kg: The graph, or a view already made.
        view: ``cooccurrence`` (groups of entities that papers use together) or ``bipartite`` (papers
            and entities together); ignored when ``kg`` is a NetworkX graph.
        seed: Random seed of the Louvain method.
        resolution: Above 1 favours smaller communities, below 1 larger ones.

    Returns:
        Communities as sorted lists of node IRIs, largest first; singleton nodes included.

    Examples:
        >>> import networkx as nx
        >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
        >>> communities(g)
        [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    graph = _view(kg, view)
    if graph.number_of_nodes() == 0:
        return []
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    found = nx.community.louvain_communities(undirected, weight="weight", resolution=resolution, seed=seed)
    groups = [sorted(map(str, group)) for group in found]
    groups.sort(key=lambda g: (-len(g), g))
    return groups


def shortest_path(kg: Any, source: str, target: str) -> list[tuple[str, str]]:
    """The shortest chain of papers and entities joining two nodes in the paper-entity view.

    Edges are followed in either direction, so two entities are joined through the papers that mention
    them (entity, paper, entity, …).

    Args:
        kg: The graph, or a bipartite view already made.
        source: A node IRI, label or alias (ignoring case).
        target: Likewise.

    Returns:
        ``(iri, label)`` of each node on the path, ``source`` first.

    Raises:
        FocusNotFoundError: If a name matches no node (with close names suggested).
        NoPathError: If the two are not connected.

    Examples:
        >>> from citekg.api import example_graph
        >>> [label for _, label in shortest_path(example_graph(), "WMT 2014", "GLUE")]
        ['WMT 2014', 'Attention Is All You Need', 'BERT', 'GLUE']
    """
    graph = _view(kg, "bipartite")
    start, end = _find(graph, source), _find(graph, target)
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    try:
        path = nx.shortest_path(undirected, start, end)
    except nx.NetworkXNoPath:
        raise NoPathError(f"{source!r} and {target!r} are not connected") from None
    return [(str(n), str(graph.nodes[n].get("label", n))) for n in path]


def _find(graph: nx.Graph, name: str) -> Hashable:
    """The node called ``name``; an entity wins over a paper of the same title (a paper "BERT")."""
    from citekg.viz.select import find_nodes

    found = find_nodes(graph, name)
    entities = [n for n in found if graph.nodes[n].get("type") in _TYPES]
    return (entities or found)[0]
