"""The persistent graph: a thin wrapper over an Oxigraph (pyoxigraph) store.

A store directory holds ``oxigraph/`` (the RocksDB data) and ``citekg.json`` (format version and the
base IRI of instance IRIs), so a directory is recognisably citekg's and is never reused by accident.
Writes go through :meth:`GraphStore.update` (and :meth:`GraphStore.add`): each call is planned in
full by :mod:`citekg.graph.update` and committed as ONE Oxigraph transaction, so an interrupted run
leaves the store as it was. Reads go through :meth:`GraphStore.query`
with bindings passed as SPARQL substitutions, never spliced into the query text.

The ``rdf`` property offers an ``rdflib.Graph`` over the same data through oxrdflib. It is convenient
and slow off its own paths (DESIGN §5): parse with ``format="ox-nt"``/``"ox-turtle"``, pass queries as
strings (a prepared rdflib ``Query`` is refused), expect ``len(graph)`` to run a full count, and note
that plain literals come back typed ``xsd:string``. Imports rdflib, pyoxigraph and oxrdflib (lazily);
never spaCy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal, cast

import pyoxigraph as ox
from citekg.errors import QueryError, StoreError, UnknownNameError
from citekg.graph.update import UpdateReport
from citekg.model import Extraction, MentionKind
from citekg.ontology.iri import check_base
from citekg.ontology.namespace import CITEKG_NS, PREFIXES, XSD
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["EXPORT_FORMATS", "FORMAT_VERSION", "GraphStore", "build_graph", "to_ntriples"]


#: Version of the on-disk layout written to ``citekg.json``.
FORMAT_VERSION = 1
_META_NAME = "citekg.json"
_OX_DIR = "oxigraph"
_FORMAT_TAG = "citekg-store"

ExportFormat = Literal["ttl", "nt", "nq", "jsonld", "xml"]
#: Export format names and the Oxigraph serialiser behind each.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

Binding = str | int | float | Node | ox.NamedNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Up to this many planned triples, a write counts its change by lookups rather than two store counts.
_COUNT_BY_LOOKUP = 50_000

_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt_term(term: Node) -> str:
    if type(term) is URIRef or isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, RdfLiteral):
        text = f'"{str(term).translate(_NT_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    raise TypeError(f"citekg graphs have no blank nodes or variables; got {term!r}")


def to_ntriples(triple: tuple[Node, Node, Node]) -> str:
    """Return one N-Triples line (with its newline) for an rdflib triple without blank nodes.

    rdflib's ``Literal.n3()`` writes Turtle (triple-quoted strings for newlines), which is not valid
    N-Triples, hence this small writer.

    Examples:
        >>> from rdflib import Literal, URIRef
        >>> to_ntriples((URIRef("http://x/a"), URIRef("http://x/p"), Literal('say "hi"\\nbye')))
        '<http://x/a> <http://x/p> "say \\\\"hi\\\\"\\\\nbye" .\\n'
        >>> to_ntriples((URIRef("http://x/a"), URIRef("http://x/p"), Literal(3)))
        '<http://x/a> <http://x/p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
    """
    s, p, o = triple
    return f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n"


def _ntriples_lines(triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    """Serialise many triples; IRIs repeat a lot (predicates, entities, papers), so each is written once."""
    written: dict[Node, str] = {}
    lines = []
    for s, p, o in triples:
        try:
            ns = written[s]
        except KeyError:
            ns = written[s] = _nt_term(s)
        try:
            np = written[p]
        except KeyError:
            np = written[p] = _nt_term(p)
        if type(o) is URIRef:
            try:
                no = written[o]
            except KeyError:
                no = written[o] = f"<{o}>"
        elif type(o) is RdfLiteral:
            text = f'"{str.translate(o, _NT_ESCAPES)}"'
            if o.language:
                no = f"{text}@{o.language}"
            elif o.datatype is not None and o.datatype != XSD.string:
                no = f"{text}^^<{o.datatype}>"
            else:
                no = text
        else:
            no = _nt_term(o)
        lines.append(f"{ns} {np} {no} .\n")
    return lines


class GraphStore:
    """A citekg graph in an Oxigraph store, in memory or in a directory.

    Open one with :meth:`open`; use it as a context manager so the on-disk lock is released.

    Examples:
        >>> from citekg.model import Extraction, Paper
        >>> with GraphStore.open(None) as store:
        ...     added = store.add([Extraction(Paper(id="arxiv:1706.03762", title="Attention"))])
        ...     rows = store.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }")
        ...     [int(row["n"].value) for row in rows]
        [1]
    """

    def __init__(self, store: ox.Store, *, path: Path | None, base: str, read_only: bool) -> None:
        self._ox: ox.Store | None = store
        self._rdf: Graph | None = None
        self.path = path
        self.base = base
        self.read_only = read_only

    # -- opening and closing -------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, read_only: bool = False, base: str | None = None
    ) -> GraphStore:
        """Open the store in directory ``path``, creating it if missing; ``None`` opens one in memory.

        Args:
            path: A store directory (created, with parents, unless ``read_only``) or ``None``.
            read_only: Open an existing store without write access.
            base: Namespace of instance IRIs for a new store (default
                :data:`~citekg.ontology.namespace.CITEKG_NS`). An existing store keeps the base it was
                created with; passing a different one is an error.

        Raises:
            StoreError: If ``path`` is a file, a non-empty directory that is not a citekg store, a
                store of another format version or base IRI, missing while ``read_only``, or locked by
                another process.
        """
        if base is not None:
            try:
                check_base(base)
            except ValueError as exc:
                raise StoreError(str(exc)) from None
        if path is None:
            return cls(ox.Store(), path=None, base=base or CITEKG_NS, read_only=read_only)

        root = Path(path)
        meta_path = root / _META_NAME
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file; a store is a directory (give a new or empty directory)")
        if meta_path.is_file():
            stored_base = _read_meta(meta_path)
            if base is not None and base != stored_base:
                raise StoreError(
                    f"{root} was built with base IRI {stored_base!r}, not {base!r}; "
                    "drop the base option or build a new store"
                )
            base = stored_base
        elif root.exists() and any(root.iterdir()):
            raise StoreError(
                f"{root} is not empty and is not a citekg store (no {_META_NAME}); "
                "give a new or empty directory"
            )
        elif read_only:
            raise StoreError(f"no citekg store at {root}; build one first or open it without read_only")
        else:
            base = base or CITEKG_NS
        chosen_base = cast(str, base)

        ox_path = root / _OX_DIR
        try:
            if read_only:
                store = ox.Store.read_only(str(ox_path))
            else:
                root.mkdir(parents=True, exist_ok=True)
                store = ox.Store(str(ox_path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store at {root} is locked: another process (or another GraphStore in this one) "
                    "has it open for writing; close that first, or open this one with read_only=True"
                ) from exc
            raise StoreError(f"cannot open the store at {root}: {exc}") from exc
        if not meta_path.exists():
            _write_meta(meta_path, chosen_base)
        return cls(store, path=root, base=chosen_base, read_only=read_only)

    def close(self) -> None:
        """Flush and release the store (and its directory lock); further use raises ``StoreError``."""
        if self._ox is None:
            return
        if self.path is not None and not self.read_only:
            self._ox.flush()
        # pyoxigraph has no close(): the RocksDB lock goes with the last reference to the Store, so the
        # rdflib view (whose object graph has cycles, freed only by the garbage collector) drops its own.
        if self._rdf is not None:
            self._rdf.close()
            self._rdf = None
        self._ox = None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else "memory"
        state = "closed" if self._ox is None else ("read-only" if self.read_only else "read-write")
        return f"<GraphStore {where} ({state})>"

    @property
    def ox(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store``."""
        if self._ox is None:
            raise StoreError("the store is closed; open it again with GraphStore.open()")
        return self._ox

    def __len__(self) -> int:
        """Number of triples of the graph: the precomputed views (:mod:`citekg.graph.views`) left out."""
        from citekg.graph.views import VIEWS_GRAPH

        return len(self.ox) - self._count(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{VIEWS_GRAPH}> {{ ?s ?p ?o }} }}"
        )

    # -- writing --------------------------------------------------------------------------------

    def add(self, extractions: Iterable[Extraction], *, batch_size: int = 1000) -> int:
        """Add the extractions in one transaction; return how many triples were new.

        Shorthand for :meth:`update` that returns only the count of new triples.
        """
        return self.update(extractions, batch_size=batch_size).triples_added

    def update(self, extractions: Iterable[Extraction], *, batch_size: int = 1000) -> UpdateReport:
        """Add (or re-add) the extractions as ONE transaction and report what changed.

        Everything the write implies is planned first (:mod:`citekg.graph.update`: paper merges,
        citation targets, re-extraction with a newer extractor version, entity resolution and labels,
        builds-on edges) and then committed as one SPARQL update, which Oxigraph applies atomically: an
        error or a killed process leaves the store exactly as before. Adding the same extractions
        again changes nothing; the result does not depend on the order of papers or of calls.

        Args:
            extractions: The papers to add.
            batch_size: Kept for compatibility (must be >= 1): the whole call is one transaction, so
                memory grows with the call; add a very large corpus in several calls.

        Raises:
            StoreError: If the store is read-only or the update cannot be applied.
        """
        from citekg.graph import update as update_module
        from citekg.graph import views

        if self.read_only:
            raise StoreError(f"{self!r} is read-only; open it without read_only to add papers")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        store = self.ox
        plan = update_module.plan_update(self, extractions)
        # The views' stale marker goes in with the data; the refresh after the commit removes it.
        pending = views.prepare_write(self, plan.delete, plan.insert)
        if next(iter(store), None) is None:
            self._commit(plan.delete, plan.insert)
            change = len(self)
        elif len(plan.insert) + len(plan.delete) <= _COUNT_BY_LOOKUP and (
            (lookup := self._net_change(plan.delete, plan.insert)) is not None
        ):
            # Counting a big store costs a scan of it; a small write counts its own triples instead.
            self._commit(plan.delete, plan.insert)
            change = lookup
        else:
            before = len(self)
            self._commit(plan.delete, plan.insert)
            change = len(self) - before
        plan.report.triples_added = max(0, change)
        plan.report.triples_removed = max(0, -change)
        views.refresh_after_write(self, pending)
        return plan.report

    def _net_change(
        self, delete: Iterable[tuple[Node, Node, Node]], insert: Iterable[tuple[Node, Node, Node]]
    ) -> int | None:
        """How many triples committing ``delete`` then ``insert`` adds, less how many it removes.

        ``None`` when a term cannot be looked up (the commit then reports why it cannot be written).
        """
        store = self.ox
        terms: dict[Node, ox.NamedNode | ox.Literal] = {}

        def quad(triple: tuple[Node, Node, Node]) -> ox.Quad:
            converted = []
            for term in triple:
                value = terms.get(term)
                if value is None:
                    value = terms[term] = _to_ox_term("term", cast(Binding, term))
                converted.append(value)
            subject, predicate, obj = converted  # a literal subject or predicate is a TypeError in Quad
            return ox.Quad(cast(ox.NamedNode, subject), cast(ox.NamedNode, predicate), obj)

        try:
            inserted = {quad(t) for t in insert}
            deleted = [quad(t) for t in delete]
        except QueryError:
            return None
        removed = {q for q in deleted if q not in inserted and q in store}
        added = sum(1 for q in inserted if q not in store)
        return added - len(removed)

    def _commit(
        self, delete: Iterable[tuple[Node, Node, Node]], insert: Iterable[tuple[Node, Node, Node]]
    ) -> None:
        """Apply deletions then insertions, and the views' stale marker, as one Oxigraph transaction."""
        from citekg.graph.views import stale_marker

        removed = _ntriples_lines(delete)
        added = _ntriples_lines(insert)
        marker = stale_marker()
        try:
            if not removed:
                # One load is one transaction too, and faster than parsing INSERT DATA.
                self.ox.load("".join(added) + f"{marker} .\n", ox.RdfFormat.N_QUADS)
            else:
                self.ox.update(
                    "DELETE DATA {\n"
                    + "".join(removed)
                    + "} ;\nINSERT DATA {\n"
                    + "".join(added)
                    + f"GRAPH {marker.graph_name} {{ {marker.triple} }}\n}}"
                )
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(
                f"could not write {len(added)} triples and delete {len(removed)}; "
                f"nothing of it was written: {exc}"
            ) from exc

    # -- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> QueryResult:
        """Run a SPARQL query; the prefixes of :data:`~citekg.ontology.namespace.PREFIXES` are predeclared.

        Args:
            sparql: A SELECT, ASK, CONSTRUCT or DESCRIBE query. A ``PREFIX`` it declares wins over
                the built-in one.
            bindings: Values for variables (names with or without ``?``), passed to Oxigraph as
                substitutions, so untrusted text cannot change the query. ``str`` binds a plain
                literal, ``int``/``float``/``bool`` typed literals; bind an IRI with
                ``rdflib.URIRef``. A bound variable of a SELECT must be in its projection (Oxigraph
                follows SPARQL-dev SEP-0007): add it to the SELECT clause, and to GROUP BY when
                aggregating.

        Returns:
            ``pyoxigraph.QuerySolutions`` (SELECT), ``QueryBoolean`` (ASK) or ``QueryTriples``.

        Raises:
            QueryError: On a syntax error (with the parser's message), or a binding that cannot be
                used.
        """
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name.lstrip("?$")): _to_ox_term(name, value)
            for name, value in (bindings or {}).items()
        }
        try:
            return self.ox.query(sparql, prefixes=PREFIXES, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {exc}") from exc
        except RuntimeError as exc:
            raise QueryError(
                f"{exc}; a bound variable must appear in the SELECT clause (and in GROUP BY when aggregating)"
            ) from exc

    def _count(self, sparql: str) -> int:
        solutions = cast(ox.QuerySolutions, self.query(sparql))
        return sum(int(row[0].value) for row in solutions)

    def stats(self) -> dict[str, Any]:
        """Count what the graph holds.

        Returns:
            A dict with ``triples``; ``papers`` (all ``ckg:Paper`` nodes), ``papers_in_corpus`` (read
            from the input) and ``papers_external`` (only cited); ``entities`` by type (every
            :class:`~citekg.model.MentionKind`, zeros included, plus ``total``); ``mentions``;
            ``links`` with ``code``, ``project_page``, ``other`` and ``total``; ``papers_with_code``;
            and ``citations`` (``cito:cites`` edges).
        """
        papers = self._count("SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }")
        in_corpus = self._count("SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper ; ckg:inCorpus true }")
        entities = {kind.value: 0 for kind in MentionKind}
        for row in cast(
            ox.QuerySolutions,
            self.query(
                "SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a ckg:Entity, ?type . "
                "FILTER(?type != ckg:Entity && STRSTARTS(STR(?type), STR(ckg:))) } GROUP BY ?type"
            ),
        ):
            name = row["type"].value.removeprefix(PREFIXES["ckg"]).lower()
            entities[name] = entities.get(name, 0) + int(row["n"].value)
        entities["total"] = self._count("SELECT (COUNT(?e) AS ?n) WHERE { ?e a ckg:Entity }")
        code = self._count("SELECT (COUNT(?r) AS ?n) WHERE { ?r a ckg:CodeRepository }")
        pages = self._count("SELECT (COUNT(?r) AS ?n) WHERE { ?r a ckg:ProjectPage }")
        all_links = self._count("SELECT (COUNT(?r) AS ?n) WHERE { ?r a ckg:WebResource }")
        return {
            "triples": len(self),
            "papers": papers,
            "papers_in_corpus": in_corpus,
            "papers_external": papers - in_corpus,
            "entities": entities,
            "mentions": self._count("SELECT (COUNT(?m) AS ?n) WHERE { ?m a ckg:Mention }"),
            "links": {
                "code": code,
                "project_page": pages,
                "other": all_links - code - pages,
                "total": all_links,
            },
            "papers_with_code": self._count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:hasCode ?r }"),
            "citations": self._count("SELECT (COUNT(*) AS ?n) WHERE { ?p cito:cites ?q }"),
        }

    def export(self, dest: str | Path | IO[bytes], format: str) -> None:
        """Write the whole graph to a file path or binary stream.

        Args:
            dest: A path or a binary file object.
            format: ``ttl``, ``nt``, ``nq``, ``jsonld`` or ``xml``.

        Raises:
            UnknownNameError: For another format name.
        """
        rdf_format = EXPORT_FORMATS.get(format)
        if rdf_format is None:
            raise UnknownNameError("export format", format, list(EXPORT_FORMATS))
        output = str(dest) if isinstance(dest, (str, Path)) else dest
        from_graph = ox.DefaultGraph()  # the data; the views graph is derived (citekg.graph.views)
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        try:
            self.ox.dump(output, rdf_format, from_graph=from_graph, prefixes=prefixes)
        except OSError as exc:
            raise StoreError(f"could not export to {dest}: {exc}") from exc

    @property
    def rdf(self) -> Graph:
        """An ``rdflib.Graph`` over the store's default graph, through oxrdflib (see the module notes)."""
        if self._rdf is None:
            from oxrdflib import OxigraphStore
            from rdflib import Graph
            from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

            graph = Graph(store=OxigraphStore(store=self.ox), identifier=DATASET_DEFAULT_GRAPH_ID)
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace, override=True, replace=True)
            self._rdf = graph
        return self._rdf

    # -- bulk builds ------------------------------------------------------------------------------------

    def _swap_in(self, staging: Path) -> None:
        """Make ``staging``, a complete Oxigraph directory built beside this (empty) store, its data.

        The last step of :class:`citekg.graph.bulk.BulkWriter`: the live directory is renamed away, the
        staging one renamed in, and the store reopened, so a crash leaves either the old or the new data.
        Every other reference to either pyoxigraph store must be gone (RocksDB locks a path per process).
        """
        if self.path is None or self.read_only:
            raise StoreError(f"{self!r} cannot take a staged store")
        import gc
        import shutil

        live, old = self.path / _OX_DIR, self.path / f"{_OX_DIR}.old"
        if self._rdf is not None:
            self._rdf.close()
            self._rdf = None
        self._ox = None
        gc.collect()
        shutil.rmtree(old, ignore_errors=True)
        if live.exists():
            live.rename(old)
        staging.rename(live)
        self._ox = ox.Store(str(live))
        shutil.rmtree(old, ignore_errors=True)


def _read_meta(meta_path: Path) -> str:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{meta_path} is not readable citekg store metadata: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT_TAG:
        raise StoreError(f"{meta_path} does not describe a citekg store")
    if meta.get("version") != FORMAT_VERSION:
        raise StoreError(
            f"{meta_path.parent} has store format version {meta.get('version')!r}; this citekg reads "
            f"version {FORMAT_VERSION}: rebuild the store"
        )
    base = meta.get("base_iri")
    if not isinstance(base, str):
        raise StoreError(f"{meta_path} has no base_iri")
    return base


def _write_meta(meta_path: Path, base: str) -> None:
    meta = {"format": _FORMAT_TAG, "version": FORMAT_VERSION, "base_iri": base}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _to_ox_term(name: str, value: Binding) -> ox.NamedNode | ox.Literal:
    """Convert one binding value to a pyoxigraph term, refusing blank nodes."""
    try:
        if isinstance(value, (ox.NamedNode, ox.Literal)):
            return value
        if isinstance(value, BNode):
            raise QueryError(f"cannot bind ?{name} to a blank node; citekg graphs have none")
        if isinstance(value, URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, RdfLiteral):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            if value.datatype is not None:
                return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
            return ox.Literal(str(value))
        if isinstance(value, bool):
            return ox.Literal("true" if value else "false", datatype=ox.NamedNode(str(XSD.boolean)))
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD.integer)))
        if isinstance(value, float):
            return ox.Literal(repr(value), datatype=ox.NamedNode(str(XSD.double)))
        if isinstance(value, str):
            return ox.Literal(value)
    except ValueError as exc:
        raise QueryError(f"cannot bind ?{name} to {value!r}: {exc}") from exc
    raise QueryError(
        f"cannot bind ?{name} to a {type(value).__name__}; use str, int, float, bool or an rdflib term"
    )


def build_graph(extractions: Iterable[Extraction], *, base: str = CITEKG_NS) -> Graph:
    """Return the complete graph of ``extractions`` as an ``rdflib.Graph``, built in a throw-away store.

    The same triples a store holds after :meth:`GraphStore.add`, labels and inferred edges included;
    convenient for golden tests and small scripts.

    Examples:
        >>> from citekg.model import Extraction, Mention, Paper
        >>> p = Paper(id="arxiv:1", title="T")
        >>> m = Mention(p.id, "method", "ViTs", 0, 4, "title", "ViTs")
        >>> graph = build_graph([Extraction(p, mentions=(m,))])
        >>> from citekg.ontology.namespace import SKOS
        >>> [str(o) for o in graph.objects(None, SKOS.prefLabel)]
        ['ViTs']
    """
    from rdflib import Graph

    with GraphStore.open(None, base=base) as store:
        store.add(extractions)
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph = Graph()
    graph.parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format="nt")
    return graph
