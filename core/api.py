"""``citekg.KnowledgeGraph``: the Python way into a citekg graph.

One object wraps a :class:`~citekg.graph.store.GraphStore` and answers the questions a researcher asks
from a notebook: which papers, which entities, what is around this node, and any SPARQL with bound
values. It adds no storage of its own; everything it returns is read from the store, as small frozen
records (:class:`PaperInfo`, :class:`EntityInfo`, :class:`Neighbour`) or plain Python values. Graph
analytics live in :mod:`citekg.graph.analysis` and accept a ``KnowledgeGraph`` directly.

rdflib, pyoxigraph and networkx are imported when a graph is opened, not when ``citekg`` is.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from citekg.errors import CitekgError, UnknownNameError
from citekg.model import Extraction, Link, Mention, MentionKind, Paper

if TYPE_CHECKING:
    import networkx as nx
    from citekg.graph.store import GraphStore
    from citekg.pipeline import BuildSummary
    from rdflib import Graph

__all__ = [
    "AmbiguousNameError",
    "EntityInfo",
    "KnowledgeGraph",
    "Neighbour",
    "NotFoundError",
    "PaperInfo",
    "example_extractions",
    "example_graph",
]

_CKG = "https://w3id.org/citekg/"
_ENTITY_TYPES = {kind.value: kind.value.capitalize() for kind in MentionKind}
_VIEWS = ("bipartite", "citation", "cooccurrence")
_EXPORT_SUFFIXES = {
    ".ttl": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
}


class NotFoundError(CitekgError, LookupError):
    """No paper or entity has the name asked for; the message suggests close names when there are any."""


class AmbiguousNameError(CitekgError, LookupError):
    """A name fits several papers or entities; the message lists them so the caller can pick one.

    Attributes:
        candidates: The IRIs that match, sorted.
    """

    def __init__(self, message: str, candidates: Sequence[str]) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


@dataclass(frozen=True)
class PaperInfo:
    """One paper as the graph knows it.

    Attributes:
        iri: The paper's IRI.
        id: The citekg paper id (``arxiv:…``, ``doi:…``, ``title:<hash>``).
        title: The title, when known (cited papers outside the corpus may have none).
        year: Publication year.
        authors: Author names in source order.
        url: The paper's landing page.
        code: URLs of the code repositories it links to, sorted.
        in_corpus: ``True`` for papers read from the input, ``False`` for papers known only as cited.
    """

    iri: str
    id: str
    title: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    code: tuple[str, ...] = ()
    in_corpus: bool = True


@dataclass(frozen=True)
class EntityInfo:
    """One method, dataset, model, task or metric.

    Attributes:
        iri: The entity's IRI (minted from its type and canonical key).
        type: ``method``, ``dataset``, ``model``, ``task`` or ``metric``.
        label: The preferred label (the least one when the builder wrote several).
        key: The normalised canonical key.
        aliases: Every other label and surface form it was written as, sorted.
        papers: How many papers mention it, in any role.
    """

    iri: str
    type: str
    label: str
    key: str
    aliases: tuple[str, ...] = ()
    papers: int = 0


@dataclass(frozen=True)
class Neighbour:
    """A node near another one in the paper-entity (bipartite) view.

    Attributes:
        iri: The node's IRI.
        type: Its node type (``paper``, ``method``, ``dataset``, …, ``code_repository``).
        label: Its display name.
        distance: Hops from the node asked about (1 for direct neighbours).
        relation: The relation of the edge that reached it (``proposes``, ``uses``, ``cites``, …).
        via: The node it was reached from (the start node for direct neighbours).
    """

    iri: str
    type: str
    label: str
    distance: int
    relation: str
    via: str


def example_extractions() -> list[Extraction]:
    """Return three hand-made extractions (Transformer → BERT → RoBERTa) used by examples and tests.

    Offsets are computed from the texts, so the mentions are exact. Attention proposes the Transformer;
    BERT uses it and proposes BERT; RoBERTa uses BERT; GLUE and SQuAD are used by both later papers.
    Only the first two link to code; each later paper cites the one before.

    Examples:
        >>> [e.paper.title for e in example_extractions()]
        ['Attention Is All You Need', 'BERT', 'RoBERTa']
    """

    def mention(paper: Paper, label: str, text: str, role: str) -> Mention:
        start = paper.abstract.index(text)
        return Mention(
            paper.id, label, text, start, start + len(text), "abstract", text, role, 0.9, "example"
        )

    def code(repo: str) -> Link:
        url = f"https://github.com/{repo}"
        return Link(url, url, "code", "github.com", repo, field="metadata")

    attention = Paper(
        "arxiv:1706.03762",
        "Attention Is All You Need",
        abstract="We propose the Transformer, based on attention alone. It reaches 28.4 BLEU on WMT 2014.",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        year=2017,
        url="https://arxiv.org/abs/1706.03762",
    )
    bert = Paper(
        "arxiv:1810.04805",
        "BERT",
        abstract="We introduce BERT, a deep Transformer encoder. BERT leads GLUE and SQuAD.",
        authors=("Jacob Devlin",),
        year=2019,
        references=(attention.id,),
    )
    roberta = Paper(
        "arxiv:1907.11692",
        "RoBERTa",
        abstract="We present RoBERTa, a robustly optimised BERT. It improves on GLUE and SQuAD.",
        authors=("Yinhan Liu",),
        year=2019,
        references=(bert.id,),
    )
    return [
        Extraction(
            attention,
            mentions=(
                mention(attention, "method", "Transformer", "proposed"),
                mention(attention, "metric", "BLEU", "used"),
                mention(attention, "dataset", "WMT 2014", "used"),
            ),
            links=(code("tensorflow/tensor2tensor"),),
        ),
        Extraction(
            bert,
            mentions=(
                mention(bert, "model", "BERT", "proposed"),
                mention(bert, "method", "Transformer", "used"),
                mention(bert, "dataset", "GLUE", "used"),
                mention(bert, "dataset", "SQuAD", "used"),
            ),
            links=(code("google-research/bert"),),
        ),
        Extraction(
            roberta,
            mentions=(
                mention(roberta, "model", "RoBERTa", "proposed"),
                mention(roberta, "model", "BERT", "used"),
                mention(roberta, "dataset", "GLUE", "used"),
                mention(roberta, "dataset", "SQuAD", "used"),
            ),
        ),
    ]


def example_graph() -> KnowledgeGraph:
    """Return an in-memory graph of :func:`example_extractions`, like ``networkx.karate_club_graph()``.

    Examples:
        >>> kg = example_graph()
        >>> [p.title for p in kg.papers()]
        ['Attention Is All You Need', 'BERT', 'RoBERTa']
    """
    kg = KnowledgeGraph.open()
    kg.add(example_extractions())
    return kg


class KnowledgeGraph:
    """A citekg graph: papers, the entities they propose and use, their code and citations.

    Open one with :meth:`open` (a directory, or ``None`` for memory), fill it with :meth:`build` or
    :meth:`add`, and ask it questions. Use it as a context manager so an on-disk store is released.

    Examples:
        >>> with KnowledgeGraph.open() as kg:
        ...     added = kg.add(example_extractions())
        ...     print(kg.stats()["papers_with_code"], [e.label for e in kg.entities("dataset")])
        2 ['GLUE', 'SQuAD', 'WMT 2014']
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._bipartite: nx.DiGraph | None = None

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, read_only: bool = False, base: str | None = None
    ) -> KnowledgeGraph:
        """Open the graph in directory ``path`` (created if missing), or a new one in memory.

        Args:
            path: A graph directory, as made by ``citekg build --graph DIR``; ``None`` for memory.
            read_only: Open an existing graph without write access (several processes may).
            base: Namespace of instance IRIs for a new graph (``--base-iri``).

        Raises:
            StoreError: See :meth:`citekg.graph.store.GraphStore.open`.

        Examples:
            >>> KnowledgeGraph.open()
            <KnowledgeGraph memory (read-write)>
        """
        from citekg.graph.store import GraphStore

        return cls(GraphStore.open(path, read_only=read_only, base=base))

    def close(self) -> None:
        """Release the store; the object cannot be used afterwards."""
        self._bipartite = None
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self.store).replace("GraphStore", "KnowledgeGraph", 1)

    @property
    def rdf(self) -> Graph:
        """The graph as an ``rdflib.Graph`` (through oxrdflib; slow off its own paths, see DESIGN §5)."""
        return self.store.rdf

    # -- writing ---------------------------------------------------------------------------------

    def build(
        self,
        inputs: str | Path | Iterable[str | Path] | None = None,
        *,
        format: str | None = None,
        skip_invalid: bool = False,
        workers: int = 1,
        engine: str = "local",
        scheduler: str | None = None,
        fast: bool = False,
        batch_size: int | None = None,
        resume: bool = True,
    ) -> BuildSummary:
        """Read, extract and add input files, as ``citekg build`` does; ``None`` builds the sample corpus.

        Streamed in batches and resumable after an interruption (see :func:`citekg.pipeline.build`).

        Args:
            inputs: One path or several (papers in any supported format, or extraction JSONL).
            format: Force an input format instead of detecting it per file.
            skip_invalid: Skip malformed records (counted in the summary) instead of stopping.
            workers: Extraction processes (with ``engine="dask"``: LocalCluster workers).
            engine: ``local`` or ``dask``.
            scheduler: A Dask scheduler address; ``None`` starts a LocalCluster.
            fast: Rules only, no statistical NER.
            batch_size: Papers per store write (default :data:`citekg.pipeline.DEFAULT_BATCH`).
            resume: Go on from the checkpoint of an interrupted run of the same build.

        Returns:
            What was read, skipped and stored.

        Raises:
            InputError: On the first malformed record, unless ``skip_invalid``.
        """
        from citekg.pipeline import DEFAULT_BATCH, build, sample_corpus_path

        if inputs is None:
            paths = [sample_corpus_path()]
        elif isinstance(inputs, (str, Path)):
            paths = [Path(inputs)]
        else:
            paths = [Path(p) for p in inputs]
        self._bipartite = None
        return build(
            paths,
            self.store,
            format=format,
            skip_invalid=skip_invalid,
            workers=workers,
            engine=engine,
            scheduler=scheduler,
            fast=fast,
            batch_size=batch_size or DEFAULT_BATCH,
            resume=resume,
        )

    def add(self, papers: Iterable[Paper | Extraction]) -> int:
        """Add papers (extracted with spaCy first) or ready extractions; return the triples added.

        Adding what is already there adds nothing. Papers are extracted in batches as they stream by,
        so a long iterable is not held in memory.

        Examples:
            >>> kg = KnowledgeGraph.open()
            >>> kg.add(example_extractions()) > 0, kg.add(example_extractions())
            (True, 0)
        """
        self._bipartite = None
        return self.store.add(_extracted(papers))

    # -- SPARQL ----------------------------------------------------------------------------------

    def query(self, sparql: str, /, **bindings: Any) -> list[dict[str, Any]] | bool | Graph:
        """Run SPARQL with values bound to variables, never spliced into the text.

        The usual prefixes (``ckg``, ``cito``, ``dcterms``, ``schema``, ``skos``, …) need no declaring.
        A string binds a plain literal, whatever it holds, so text from papers or users is safe to bind;
        bind an IRI with ``rdflib.URIRef`` or pass a :class:`PaperInfo`/:class:`EntityInfo`. A bound
        variable of a SELECT must be in its projection (and in GROUP BY when aggregating).

        Returns:
            SELECT: one dict per row, variable name → plain Python value (IRIs and strings as ``str``,
            numbers as ``int``/``float``, booleans as ``bool``, unbound as ``None``). ASK: a ``bool``.
            CONSTRUCT and DESCRIBE: an ``rdflib.Graph`` of the triples.

        Raises:
            QueryError: On a syntax error or a binding that cannot be used.

        Examples:
            >>> kg = example_graph()
            >>> kg.query("SELECT ?paper ?title WHERE { ?paper dcterms:title ?title }", title="BERT")
            [{'paper': 'https://w3id.org/citekg/paper/arxiv/1810.04805', 'title': 'BERT'}]
            >>> kg.query("ASK { ?p dcterms:title ?t }", t='BERT" } ; DROP ALL ; #')
            False
            >>> len(kg.query("CONSTRUCT { ?p cito:cites ?q } WHERE { ?p cito:cites ?q }"))
            2
        """
        import pyoxigraph as ox
        from citekg._output import term_value

        result = self.store.query(sparql, {name: _binding(value) for name, value in bindings.items()})
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            from rdflib import Graph

            graph = Graph()
            data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
            if data:
                graph.parse(data=data.decode("utf-8"), format="nt")
            return graph
        names = [v.value for v in result.variables]
        return [{name: term_value(row[name]) for name in names} for row in result]

    def _select(self, sparql: str, **bindings: Any) -> list[dict[str, Any]]:
        rows = self.query(sparql, **bindings)
        if not isinstance(rows, list):  # pragma: no cover - only called with SELECT queries
            raise TypeError("expected a SELECT query")
        return rows

    # -- papers ----------------------------------------------------------------------------------

    def papers(
        self,
        *,
        with_code: bool | None = None,
        year: int | None = None,
        limit: int | None = None,
        in_corpus: bool = True,
    ) -> list[PaperInfo]:
        """List papers, sorted by title.

        Args:
            with_code: ``True`` for papers linking to code only, ``False`` for those without.
            year: Only papers of this publication year.
            limit: At most this many.
            in_corpus: ``False`` lists every paper node, including those known only as cited.

        Examples:
            >>> kg = example_graph()
            >>> [p.title for p in kg.papers(with_code=False)]
            ['RoBERTa']
            >>> [p.id for p in kg.papers(year=2019, with_code=True)]
            ['arxiv:1810.04805']
        """
        rows = self._select(_PAPERS_QUERY)
        code = _code_by_paper(self._select(_CODE_QUERY))
        found = []
        for row in rows:
            info = self._paper_info(row, code.get(row["paper"], ()))
            if in_corpus and not info.in_corpus:
                continue
            if with_code is not None and bool(info.code) != with_code:
                continue
            if year is not None and info.year != year:
                continue
            found.append(info)
        found.sort(key=lambda p: ((p.title or "").casefold(), p.id))
        return found if limit is None else found[: max(limit, 0)]

    def paper(self, id_or_title: str) -> PaperInfo:
        """Find one paper by IRI, citekg id, arXiv id, DOI or title (ignoring case).

        Raises:
            NotFoundError: If nothing matches.
            AmbiguousNameError: If several papers share the title; the message lists them.

        Examples:
            >>> kg = example_graph()
            >>> kg.paper("1706.03762").title
            'Attention Is All You Need'
            >>> kg.paper("attention is all you need").code
            ('https://github.com/tensorflow/tensor2tensor',)
            >>> kg.paper("GPT-5")
            Traceback (most recent call last):
            ...
            citekg.api.NotFoundError: no paper has the id or title 'GPT-5'
        """
        iris = self._paper_iris(id_or_title.strip())
        if not iris:
            raise NotFoundError(f"no paper has the id or title {id_or_title!r}")
        if len(iris) > 1:
            listed = "; ".join(sorted(iris))
            raise AmbiguousNameError(
                f"{id_or_title!r} names {len(iris)} papers: {listed}; ask for one by id or IRI", sorted(iris)
            )
        return self._paper_by_iri(iris[0])

    def _paper_iris(self, name: str) -> list[str]:
        from rdflib import URIRef

        if name.startswith(("http://", "https://")):
            if self.query("ASK { ?p a ckg:Paper }", p=URIRef(name)):
                return [name]
            return []
        lookups = [
            ("SELECT DISTINCT ?p ?v WHERE { ?p dcterms:identifier ?v ; a ckg:Paper }", name),
            ("SELECT DISTINCT ?p ?v WHERE { ?p ckg:arxivId ?v }", name),
            ("SELECT DISTINCT ?p ?v WHERE { ?p prism:doi ?v }", name.removeprefix("doi:")),
            ("SELECT DISTINCT ?p ?v WHERE { ?p dcterms:title ?v ; a ckg:Paper }", name),
        ]
        for sparql, value in lookups:
            if found := [row["p"] for row in self._select(sparql, v=value)]:
                return found
        if not name:
            return []
        rows = self._select(
            "SELECT DISTINCT ?p ?q WHERE { ?p a ckg:Paper ; dcterms:title ?t . FILTER(LCASE(STR(?t)) = ?q) }",
            q=name.lower(),
        )
        return [row["p"] for row in rows]

    def _paper_by_iri(self, iri: str) -> PaperInfo:
        from rdflib import URIRef

        node = URIRef(iri)
        rows = self._select(_PAPER_QUERY, paper=node)
        code = _code_by_paper(self._select(_CODE_QUERY, paper=node))
        return self._paper_info(rows[0], code.get(iri, ()))

    def _paper_info(self, row: dict[str, Any], code: Sequence[str]) -> PaperInfo:
        from citekg.ontology.iri import paper_id_from_iri

        iri = row["paper"]
        year = row.get("year")
        return PaperInfo(
            iri=iri,
            id=paper_id_from_iri(iri, self.store.base) or iri,
            title=row.get("title"),
            year=int(year) if year is not None else None,
            authors=tuple(row["authors"].split("; ")) if row.get("authors") else (),
            url=row.get("url"),
            code=tuple(sorted(code)),
            in_corpus=bool(row.get("inCorpus")),
        )

    # -- entities --------------------------------------------------------------------------------

    def entities(self, type: str | None = None, *, limit: int | None = None) -> list[EntityInfo]:
        """List entities, the most mentioned first (then by label).

        Args:
            type: ``method``, ``dataset``, ``model``, ``task`` or ``metric``; all when ``None``.
            limit: At most this many.

        Raises:
            UnknownNameError: For another type.

        Examples:
            >>> kg = example_graph()
            >>> [(e.label, e.papers) for e in kg.entities("model")]
            [('BERT', 2), ('RoBERTa', 1)]
        """
        entities = self._entities(_entity_class(type) if type is not None else None)
        entities.sort(key=lambda e: (-e.papers, e.label.casefold(), e.iri))
        return entities if limit is None else entities[: max(limit, 0)]

    def _entities(self, cls: str | None = None, iri: str | None = None) -> list[EntityInfo]:
        from rdflib import URIRef

        bindings: dict[str, Any] = {}
        if cls is not None:
            bindings["type"] = URIRef(cls)
        if iri is not None:
            bindings["entity"] = URIRef(iri)
        rows = self._select(_ENTITIES_QUERY, **bindings)
        counts = {row["entity"]: row["papers"] for row in self._select(_ENTITY_PAPERS_QUERY, **bindings)}
        found = []
        for row in rows:
            kind = row["type"].removeprefix(_CKG).lower()
            if kind not in _ENTITY_TYPES:
                continue
            labels = [s for s in (row["labels"] or "").split("\x1f") if s]
            label = min(labels) if labels else row["key"]
            aliases = {s for s in (row["aliases"] or "").split("\x1f") if s} | set(labels)
            aliases.discard(label)
            found.append(
                EntityInfo(
                    iri=row["entity"],
                    type=kind,
                    label=label,
                    key=row["key"] or "",
                    aliases=tuple(sorted(aliases)),
                    papers=counts.get(row["entity"], 0),
                )
            )
        return found

    def entity(self, name: str, *, type: str | None = None) -> EntityInfo:
        """Find one entity by IRI, canonical key, preferred label or alias, ignoring case.

        Args:
            name: What to look for, e.g. ``"ViT"``, ``"vision transformer"`` or an entity IRI.
            type: Only entities of this type (``method``, ``dataset``, …); use it to pick one of
                several that share a name.

        Raises:
            NotFoundError: If nothing matches; the message suggests close names.
            AmbiguousNameError: If several entities match; the message lists each with its type and IRI.

        Examples:
            >>> kg = example_graph()
            >>> kg.entity("squad")  # doctest: +NORMALIZE_WHITESPACE
            EntityInfo(iri='https://w3id.org/citekg/dataset/squad', type='dataset', label='SQuAD',
                       key='squad', aliases=(), papers=2)
            >>> kg.entity("SQuAD 3")
            Traceback (most recent call last):
            ...
            citekg.api.NotFoundError: no entity is called 'SQuAD 3'; did you mean: SQuAD?
        """
        cls = _entity_class(type) if type is not None else None
        iris = self._entity_iris(name.strip())
        candidates = [e for iri in sorted(iris) for e in self._entities(cls, iri)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            listed = "; ".join(f"{e.type} {e.label!r} <{e.iri}>" for e in candidates)
            raise AmbiguousNameError(
                f"{name!r} names {len(candidates)} entities: {listed}; pass type=… or the IRI",
                [e.iri for e in candidates],
            )
        raise NotFoundError(f"no {type or 'entity'} is called {name!r}{self._suggest(name, cls)}")

    def _entity_iris(self, name: str) -> set[str]:
        from citekg.ontology.iri import normalize_key
        from rdflib import URIRef

        if name.startswith(("http://", "https://")):
            return {name} if self.query("ASK { ?e a ckg:Entity }", e=URIRef(name)) else set()
        found = {
            row["e"]
            for row in self._select(
                "SELECT DISTINCT ?e ?v WHERE { { ?e skos:prefLabel ?v } UNION { ?e skos:altLabel ?v } "
                "?e a ckg:Entity }",
                v=name,
            )
        }
        if key := normalize_key(name):
            found |= {row["e"] for row in self._select("SELECT ?e ?k WHERE { ?e ckg:key ?k }", k=key)}
        if not found:
            found = {
                row["e"]
                for row in self._select(
                    "SELECT DISTINCT ?e ?q WHERE { { ?e skos:prefLabel ?v } UNION { ?e skos:altLabel ?v } "
                    "FILTER(LCASE(STR(?v)) = ?q) ?e a ckg:Entity }",
                    q=name.lower(),
                )
            }
        return found

    def _suggest(self, name: str, cls: str | None) -> str:
        labels = {e.label.casefold(): e.label for e in self._entities(cls)}
        close = difflib.get_close_matches(name.casefold(), list(labels), n=5, cutoff=0.6)
        return f"; did you mean: {', '.join(labels[c] for c in close)}?" if close else ""

    # -- graph views -----------------------------------------------------------------------------

    def neighbours(self, node: str | PaperInfo | EntityInfo, depth: int = 1) -> list[Neighbour]:
        """Return the nodes within ``depth`` hops of a paper or entity, nearest first.

        Hops follow the paper-entity view (papers, entities, code and pages, citations) in either
        direction, so an entity's neighbours are its papers, and at depth 2 their other entities.

        Args:
            node: A paper or entity, as a record, an IRI, or a name :meth:`entity` or :meth:`paper`
                finds (entities are tried first).
            depth: How many hops, at least 1.

        Raises:
            NotFoundError, AmbiguousNameError: If ``node`` is a name that finds no or several nodes.

        Examples:
            >>> kg = example_graph()
            >>> [(n.label, n.relation) for n in kg.neighbours("RoBERTa")]
            [('RoBERTa', 'proposes')]
            >>> [n.label for n in kg.neighbours("Transformer", depth=2) if n.type in ("dataset", "model")]
            ['BERT', 'GLUE', 'SQuAD', 'WMT 2014']
        """
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        graph = self._bipartite_view()
        start = self._node_iri(node, graph)
        seen = {start}
        found = []
        frontier = deque([(start, 0)])
        while frontier:
            current, distance = frontier.popleft()
            if distance == depth:
                continue
            steps = [(v, d) for _, v, d in graph.out_edges(current, data=True)]
            steps += [(u, d) for u, _, d in graph.in_edges(current, data=True)]
            for other, data in sorted(steps, key=lambda s: s[0]):
                if other in seen:
                    continue
                seen.add(other)
                attrs = graph.nodes[other]
                found.append(
                    Neighbour(
                        iri=other,
                        type=attrs.get("type", ""),
                        label=attrs.get("label", other),
                        distance=distance + 1,
                        relation=data.get("relation", ""),
                        via=current,
                    )
                )
                frontier.append((other, distance + 1))
        found.sort(key=lambda n: (n.distance, n.type != "paper", n.label.casefold(), n.iri))
        return found

    def _node_iri(self, node: str | PaperInfo | EntityInfo, graph: nx.DiGraph) -> str:
        if isinstance(node, (PaperInfo, EntityInfo)):
            return node.iri
        if node in graph:
            return node
        try:
            return self.entity(node).iri
        except NotFoundError:
            pass
        try:
            return self.paper(node).iri
        except NotFoundError:
            raise NotFoundError(f"no paper or entity is called {node!r}") from None

    def _bipartite_view(self) -> nx.DiGraph:
        # Cached for neighbours(); build() and add() drop it. Writes made on self.store directly do not.
        if self._bipartite is None:
            from citekg.graph.project import to_networkx

            self._bipartite = to_networkx(self.store, "bipartite")
        return self._bipartite

    def to_networkx(self, view: str = "bipartite") -> nx.Graph:
        """Project the graph into NetworkX for one purpose (a fresh graph on every call).

        Args:
            view: ``bipartite`` (papers, their entities, code and pages, and citations among them),
                ``citation`` (papers, cited ones included, with ``cites`` edges) or ``cooccurrence``
                (entities, joined with a ``weight`` of papers naming both).

        Raises:
            UnknownNameError: For another view.

        Examples:
            >>> import networkx as nx
            >>> g = example_graph().to_networkx("citation")
            >>> [g.nodes[n]["label"] for n in nx.topological_sort(g)]
            ['RoBERTa', 'BERT', 'Attention Is All You Need']
        """
        from citekg.graph.project import to_networkx

        if view not in _VIEWS:
            raise UnknownNameError("view", view, _VIEWS)
        return to_networkx(self.store, view)

    def viz(self, path: str | Path, *, view: str = "bipartite", **options: Any) -> Path:
        """Write an interactive offline HTML page of one view; return its path.

        Args:
            path: The HTML file to write.
            view: The view to draw (see :meth:`to_networkx`).
            **options: Passed to :func:`citekg.viz.render_html`: ``focus``, ``depth``, ``types``,
                ``min_degree``, ``max_nodes``, ``size_by``, ``title``, ….
        """
        from citekg.viz import render_html

        return Path(render_html(self.to_networkx(view), path, **options))

    # -- whole-graph -----------------------------------------------------------------------------

    def export(self, path: str | Path, format: str | None = None) -> Path:
        """Write the whole graph as ``ttl``, ``nt``, ``nq``, ``jsonld`` or ``xml``; return the path.

        Args:
            path: The file to write.
            format: The RDF format; from the file extension when ``None``.

        Raises:
            UnknownNameError: For an unknown format or extension.
        """
        dest = Path(path)
        chosen = format or _EXPORT_SUFFIXES.get(dest.suffix.lower())
        if chosen is None:
            raise UnknownNameError("export file extension", dest.suffix or dest.name, list(_EXPORT_SUFFIXES))
        self.store.export(dest, chosen)
        return dest

    def stats(self) -> dict[str, Any]:
        """Count papers, entities by type, mentions, links and citations (``citekg stats``).

        Examples:
            >>> s = example_graph().stats()
            >>> s["papers_in_corpus"], s["entities"]["dataset"], s["citations"]
            (3, 3, 2)
        """
        return self.store.stats()


# -- helpers ---------------------------------------------------------------------------------------


def _extracted(items: Iterable[Paper | Extraction], batch: int = 64) -> Iterator[Extraction]:
    """Yield extractions in input order, running the extractors over Papers in batches."""
    pending: list[Paper] = []
    nlp = None

    def flush() -> Iterator[Extraction]:
        nonlocal nlp
        from citekg.extractors import build_nlp, extract

        nlp = nlp or build_nlp()
        yield from extract(pending, nlp=nlp)
        pending.clear()

    for item in items:
        if isinstance(item, Extraction):
            if pending:
                yield from flush()
            yield item
        elif isinstance(item, Paper):
            pending.append(item)
            if len(pending) >= batch:
                yield from flush()
        else:
            raise TypeError(f"add() takes Paper or Extraction objects, not {type(item).__name__}")
    if pending:
        yield from flush()


def _binding(value: Any) -> Any:
    if isinstance(value, (PaperInfo, EntityInfo, Neighbour)):
        from rdflib import URIRef

        return URIRef(value.iri)
    return value


def _entity_class(type: str) -> str:
    name = _ENTITY_TYPES.get(type.lower())
    if name is None:
        raise UnknownNameError("entity type", type, list(_ENTITY_TYPES))
    return f"{_CKG}{name}"


def _code_by_paper(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    code: dict[str, list[str]] = {}
    for row in rows:
        code.setdefault(row["paper"], []).append(row["url"])
    return code


_PAPER_FIELDS = """
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper fabio:hasPublicationYear ?year }
  OPTIONAL { ?paper ckg:authorList ?authors }
  OPTIONAL { ?paper schema:url ?url }
  OPTIONAL { ?paper ckg:inCorpus ?inCorpus }
"""
_PAPERS_QUERY = (
    f"SELECT ?paper ?title ?year ?authors ?url ?inCorpus WHERE {{ ?paper a ckg:Paper . {_PAPER_FIELDS} }}"
)
_PAPER_QUERY = f"{_PAPERS_QUERY} LIMIT 1"
_CODE_QUERY = "SELECT ?paper ?url WHERE { ?paper ckg:hasCode ?repo . ?repo schema:url ?url }"
_ENTITIES_QUERY = """
SELECT ?entity ?type (SAMPLE(?k) AS ?key)
       (GROUP_CONCAT(DISTINCT STR(?pref); SEPARATOR="\\u001f") AS ?labels)
       (GROUP_CONCAT(DISTINCT STR(?alt); SEPARATOR="\\u001f") AS ?aliases)
WHERE {
  ?entity a ckg:Entity ; a ?type .
  FILTER(?type != ckg:Entity)
  OPTIONAL { ?entity ckg:key ?k }
  OPTIONAL { ?entity skos:prefLabel ?pref }
  OPTIONAL { ?entity skos:altLabel ?alt }
}
GROUP BY ?entity ?type"""
_ENTITY_PAPERS_QUERY = """
SELECT ?entity ?type (COUNT(DISTINCT ?paper) AS ?papers)
WHERE { ?paper ckg:mentions ?entity . ?entity a ?type }
GROUP BY ?entity ?type"""
