"""Purpose-built NetworkX views of the RDF graph: paper–entity bipartite, citations, co-occurrence.

A view is a projection made for one kind of question, not a dump of every triple (literals and classes
never become nodes). Nodes are IRIs with typed attributes, following the contract that ``citekg.viz``
draws (see :mod:`citekg.viz`): ``type``, ``label``, and where known ``title``, ``year``, ``url``,
``aliases``, ``abstract``; edges carry ``relation`` and, for mentions, ``confidence`` and the
``evidence`` sentence with the mention's offsets in it. Imports networkx and the store, never spaCy.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import networkx as nx
from citekg.errors import UnknownNameError
from citekg.graph.store import GraphStore
from citekg.ontology.iri import paper_id_from_iri

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["VIEWS", "nodes_in_result", "sentence_around", "to_networkx"]

View = Literal["bipartite", "citation", "cooccurrence"]
VIEWS: tuple[str, ...] = ("bipartite", "citation", "cooccurrence")

_ENTITY_TYPES = {
    "Method": "method",
    "Dataset": "dataset",
    "Model": "model",
    "Task": "task",
    "Metric": "metric",
}
_LINK_TYPES = {"code": "code_repository", "project_page": "project_page"}
_ROLE_RELATIONS = {"proposed": "proposes", "used": "uses"}
# A sentence ends at . ! or ? before a capital, unless the dot closes a common abbreviation.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bcf\.)(?<!\bFig\.)(?<!\bEq\.)"
    r"\s+(?=[A-Z0-9\"'(\[])"
)

_PAPERS = """
SELECT ?paper ?title ?year ?url ?abstract ?inCorpus WHERE {
  ?paper a ckg:Paper .
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper fabio:hasPublicationYear ?year }
  OPTIONAL { ?paper schema:url ?url }
  OPTIONAL { ?paper dcterms:abstract ?abstract }
  OPTIONAL { ?paper ckg:inCorpus ?inCorpus }
}"""
_ENTITIES = """
SELECT ?entity ?type (MIN(STR(?prefLabel)) AS ?label) (SAMPLE(?k) AS ?key)
       (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?aliases) WHERE {
  ?entity a ckg:Entity ; a ?type .
  FILTER(?type != ckg:Entity)
  OPTIONAL { ?entity skos:prefLabel ?prefLabel }
  OPTIONAL { ?entity ckg:key ?k }
  OPTIONAL { ?entity skos:altLabel ?alt }
} GROUP BY ?entity ?type"""
_MENTIONS = """
SELECT ?paper ?entity ?role ?confidence ?field ?start ?end WHERE {
  ?mention a ckg:Mention ; ckg:inPaper ?paper ; ckg:mentionOf ?entity ;
           ckg:role ?role ; ckg:confidence ?confidence ;
           ckg:field ?field ; ckg:start ?start ; ckg:end ?end .
}"""
_LINKS = """
SELECT ?paper ?resource ?url ?kind WHERE {
  ?paper ckg:hasLink ?resource .
  ?resource ckg:linkKind ?kind .
  OPTIONAL { ?resource schema:url ?url }
}"""
_CITES = "SELECT ?citing ?cited WHERE { ?citing cito:cites ?cited }"
# Inferred "builds on" edges, once the builder writes them; an asserted citation of the same pair wins.
_BUILDS_ON = "SELECT ?paper ?basis WHERE { ?paper ckg:buildsOn ?basis }"


def sentence_around(text: str, start: int, end: int) -> tuple[str, int, int]:
    """Return the sentence of ``text`` holding ``[start, end)`` and the span's offsets within it.

    Examples:
        >>> sentence_around("We use BERT. We test on GLUE. Done.", 24, 28)
        ('We test on GLUE.', 11, 15)
    """
    sentence_start, sentence_end = 0, len(text)
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= start:
            sentence_start = match.end()
        elif match.start() >= end:
            sentence_end = match.start()
            break
    return text[sentence_start:sentence_end], start - sentence_start, end - sentence_start


def nodes_in_result(result: Any) -> set[str]:
    """Return every IRI a query result names: the cells of a SELECT, the terms of a CONSTRUCT.

    Used to draw "what this query returned" as the part of a view those IRIs span.
    """
    if hasattr(result, "variables"):
        terms = [solution[v] for solution in result for v in result.variables]
    else:
        terms = [term for triple in result for term in (triple.subject, triple.object)]
    return {term.value for term in terms if type(term).__name__ == "NamedNode"}


def _rows(store: GraphStore, sparql: str) -> list[dict[str, Any]]:
    result = cast("ox.QuerySolutions", store.query(sparql))
    names = [v.value for v in result.variables]
    return [{name: (None if sol[name] is None else sol[name].value) for name in names} for sol in result]


def _paper_nodes(store: GraphStore, *, in_corpus_only: bool) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for row in _rows(store, _PAPERS):
        if in_corpus_only and row["inCorpus"] != "true":
            continue
        # A cited paper outside the corpus may have no title: show its id (doi:…, arxiv:…) instead.
        title = row["title"] or paper_id_from_iri(row["paper"], store.base) or row["paper"].rsplit("/", 1)[-1]
        attrs: dict[str, Any] = {
            "type": "paper",
            "label": title,
            "title": title,
            "in_corpus": row["inCorpus"] == "true",
        }
        if row["year"]:
            attrs["year"] = int(row["year"][:4])
        if row["url"]:
            attrs["url"] = row["url"]
        if row["abstract"]:
            attrs["abstract"] = row["abstract"]
        nodes[row["paper"]] = attrs
    return nodes


def _entity_nodes(store: GraphStore) -> dict[str, dict[str, Any]]:
    nodes = {}
    for row in _rows(store, _ENTITIES):
        kind = _ENTITY_TYPES.get(row["type"].rsplit("/", 1)[-1])
        if kind is None:
            continue
        label = row["label"] or row["key"] or row["entity"].rsplit("/", 1)[-1]
        aliases = sorted({a for a in (row["aliases"] or "").split("\x1f") if a and a != label})
        nodes[row["entity"]] = {"type": kind, "label": label, "aliases": aliases}
    return nodes


def _mention_edges(
    store: GraphStore, papers: dict[str, dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """One edge per (paper, entity): the most confident mention gives the evidence; proposing wins."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _rows(store, _MENTIONS):
        pair = (row["paper"], row["entity"])
        confidence = float(row["confidence"])
        relation = _ROLE_RELATIONS.get(row["role"], "mentions")
        current = best.get(pair)
        if current is not None and (current["relation"] == "proposes", current["confidence"]) >= (
            relation == "proposes",
            confidence,
        ):
            continue
        text = papers.get(row["paper"], {}).get("abstract" if row["field"] == "abstract" else "title", "")
        edge: dict[str, Any] = {"relation": relation, "confidence": confidence}
        start, end = int(row["start"]), int(row["end"])
        if text and 0 <= start < end <= len(text):
            edge["evidence"], edge["evidence_start"], edge["evidence_end"] = sentence_around(text, start, end)
        best[pair] = edge
    return best


def _bipartite(store: GraphStore) -> nx.DiGraph:
    graph: nx.DiGraph[str] = nx.DiGraph(view="bipartite")
    papers = _paper_nodes(store, in_corpus_only=True)
    entities = _entity_nodes(store)
    graph.add_nodes_from(papers.items())
    graph.add_nodes_from(entities.items())
    for (paper, entity), attrs in _mention_edges(store, papers).items():
        if paper in papers and entity in entities:
            graph.add_edge(paper, entity, **attrs)
    for row in _rows(store, _LINKS):
        if row["paper"] not in papers or row["kind"] in ("paper", "doi"):
            continue
        kind = _LINK_TYPES.get(row["kind"], "web_resource")
        url = row["url"] or row["resource"]
        graph.add_node(row["resource"], type=kind, label=_short_url(url), url=url)
        relation = {"code_repository": "has_code", "project_page": "has_project_page"}.get(kind, "has_link")
        graph.add_edge(row["paper"], row["resource"], relation=relation)
    for row in _rows(store, _CITES):
        if row["citing"] in papers and row["cited"] in papers:
            graph.add_edge(row["citing"], row["cited"], relation="cites")
    _add_builds_on(store, graph)
    return graph


def _add_builds_on(store: GraphStore, graph: nx.DiGraph) -> None:
    for row in _rows(store, _BUILDS_ON):
        paper, basis = row["paper"], row["basis"]
        if paper in graph and basis in graph and not graph.has_edge(paper, basis):
            graph.add_edge(paper, basis, relation="builds_on")


def _citation(store: GraphStore) -> nx.DiGraph:
    graph: nx.DiGraph[str] = nx.DiGraph(view="citation")
    graph.add_nodes_from(_paper_nodes(store, in_corpus_only=False).items())
    for row in _rows(store, _CITES):
        graph.add_edge(row["citing"], row["cited"], relation="cites")
    _add_builds_on(store, graph)
    return graph


def _cooccurrence(store: GraphStore) -> nx.Graph:
    graph: nx.Graph[str] = nx.Graph(view="cooccurrence")
    entities = _entity_nodes(store)
    graph.add_nodes_from(entities.items())
    by_paper: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _MENTIONS):
        if row["entity"] in entities:
            by_paper[row["paper"]].add(row["entity"])
    for members in by_paper.values():
        for a, b in combinations(sorted(members), 2):
            weight = graph.edges[a, b]["weight"] + 1 if graph.has_edge(a, b) else 1
            graph.add_edge(a, b, relation="co_occurs", weight=weight)
    return graph


def _short_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


@overload
def to_networkx(store: GraphStore, view: Literal["bipartite", "citation"] = ...) -> nx.DiGraph: ...
@overload
def to_networkx(store: GraphStore, view: str = ...) -> nx.Graph: ...


def to_networkx(store: GraphStore, view: str = "bipartite") -> nx.Graph:
    """Project the store into a NetworkX graph for one purpose.

    Args:
        store: An open graph store.
        view: ``bipartite`` (papers with the entities they mention and their code/pages, plus citations
            among them), ``citation`` (papers, including cited papers outside the corpus, and
            ``cites`` edges) or ``cooccurrence`` (entities joined when papers mention them together;
            ``weight`` counts the papers).

    Raises:
        UnknownNameError: for any other view.
    """
    builders = {"bipartite": _bipartite, "citation": _citation, "cooccurrence": _cooccurrence}
    if view not in builders:
        raise UnknownNameError("view", view, VIEWS)
    return builders[view](store)
