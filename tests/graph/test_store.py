from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import warnings

import citekg.graph.update as update_module
import pyoxigraph as ox
import pytest
from citekg.errors import QueryError, StoreError, UnknownNameError
from citekg.graph import GraphStore, triples_for
from citekg.graph.store import build_graph
from citekg.model import Extraction, Mention, Paper
from citekg.ontology.namespace import CITEKG_NS, CKG, DCTERMS, RDF, RDFS, SKOS
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic

HOSTILE_TITLE = 'Robust "} ; DROP ALL ; # Probing'


def reference_graph(extractions) -> Graph:
    """The complete graph: what a store holds after adding ``extractions``."""
    return build_graph(extractions)


def per_paper_graph(extractions) -> Graph:
    """Only what each paper's triples_for says, without the store's resolution pass."""
    graph = Graph()
    for extraction in extractions:
        for triple in triples_for(extraction):
            graph.add(triple)
    return graph


#: What the store's resolution pass adds on top of triples_for (labels, merges, inferred edges).
DERIVED = {SKOS.prefLabel, SKOS.altLabel, RDFS.label, CKG.aliasKey, CKG.buildsOn}


def exported_graph(store: GraphStore, fmt: str = "nt") -> Graph:
    buffer = io.BytesIO()
    store.export(buffer, fmt)
    rdflib_format = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nq": "nquads"}[fmt]
    with warnings.catch_warnings():
        # rdflib's own JSON-LD and N-Quads parsers use its deprecated ConjunctiveGraph internally
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        return Graph().parse(data=buffer.getvalue(), format=rdflib_format)


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(expected, actual)
        pytest.fail(
            "graphs differ\nonly in expected:\n"
            + "\n".join(
                sorted(t.n3() if hasattr(t, "n3") else " ".join(x.n3() for x in t) for t in only_expected)
            )
            + "\nonly in actual:\n"
            + "\n".join(sorted(" ".join(x.n3() for x in t) for t in only_actual))
        )


# -- adding ------------------------------------------------------------------------------------


def test_store_add_returns_new_triples_and_is_idempotent(corpus):
    with GraphStore.open(None) as store:
        added = store.add(corpus)
        assert added == len(store) == len(reference_graph(corpus))
        assert store.add(corpus) == 0
        assert store.add(reversed(corpus), batch_size=1) == 0
        assert len(store) == added


def test_store_content_matches_triples_for(corpus):
    # Round trip through our N-Triples writer, Oxigraph's canonical literals and its serializer.
    with GraphStore.open(None) as store:
        store.add(corpus)
        stored = exported_graph(store)
    local = per_paper_graph(corpus)
    # everything triples_for says is stored (this corpus has no alias merges), plus derived triples only
    assert set(local) - set(stored) == set()
    evidence = set(stored.subjects(RDF.type, CKG.BuildsOnEvidence))
    extra = {(s, p, o) for s, p, o in set(stored) - set(local) if s not in evidence and p not in DERIVED}
    assert extra == set()
    assert {p for _, p, _ in set(stored) - set(local)} >= {SKOS.prefLabel, RDFS.label, SKOS.altLabel}


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_store_order_independent(corpus, data):
    shuffled = data.draw(st.permutations(list(corpus) + [corpus[0]]))
    batch = data.draw(st.integers(1, 4))
    with GraphStore.open(None) as one, GraphStore.open(None) as two:
        one.add(corpus)
        two.add(shuffled, batch_size=batch)
        assert_isomorphic(exported_graph(one), exported_graph(two))


def test_store_tricky_literals_survive(corpus):
    text = 'line one\nline "two"\r\n\ttab \\ backslash — ünïcödé 🙂 <b>'
    paper = Paper(id="arxiv:2401.00001", title=text, abstract=text)
    with GraphStore.open(None) as store:
        store.add([Extraction(paper)])
        rows = list(store.query("SELECT ?t WHERE { ?p dcterms:title ?t }"))
        assert [row["t"].value for row in rows] == [text]


def test_store_failed_batch_leaves_store_unchanged(corpus, monkeypatch):
    real = update_module.triples_for

    def flaky(extraction, *, base, cited):
        yield from real(extraction, base=base, cited=cited)
        if extraction.paper.id == corpus[1].paper.id:
            yield URIRef("http://example.org/a b"), URIRef("http://example.org/p"), Literal("x")

    with GraphStore.open(None) as store:
        store.add(corpus[:1])
        before = exported_graph(store)
        monkeypatch.setattr(update_module, "triples_for", flaky)
        with pytest.raises(StoreError, match="nothing of it was written"):
            store.add(corpus, batch_size=1)
        # the whole call is one transaction: nothing of it is in the store, not even its good papers
        assert_isomorphic(before, exported_graph(store))


def test_store_add_rejects_bad_batch_size(corpus):
    with GraphStore.open(None) as store, pytest.raises(ValueError, match="batch_size"):
        store.add(corpus, batch_size=0)


# -- opening, persistence, errors --------------------------------------------------------------


def test_store_persists_and_reopens(tmp_path, corpus):
    path = tmp_path / "kg"
    with GraphStore.open(path) as store:
        count = store.add(corpus)
    assert json.loads((path / "citekg.json").read_text()) == {
        "format": "citekg-store",
        "version": 1,
        "base_iri": CITEKG_NS,
    }
    with GraphStore.open(path) as store:
        assert len(store) == count
        assert store.add(corpus) == 0
    with GraphStore.open(path, read_only=True) as store:
        assert len(store) == count
        with pytest.raises(StoreError, match="read-only"):
            store.add(corpus)


def test_store_keeps_its_base(tmp_path, corpus):
    path = tmp_path / "kg"
    base = "http://example.org/kg/"
    with GraphStore.open(path, base=base) as store:
        store.add(corpus[:1])
        assert store.base == base
    with GraphStore.open(path) as store:
        assert store.base == base
        assert bool(store.query("ASK { <http://example.org/kg/paper/arxiv/1706.03762> a ckg:Paper }"))
    with pytest.raises(StoreError, match="was built with base IRI"):
        GraphStore.open(path, base="http://other.org/")


@pytest.mark.parametrize("base", ["example.org/kg/", "http://example.org/kg", "http://exa mple.org/"])
def test_store_rejects_bad_base(base):
    with pytest.raises(StoreError, match="must be absolute"):
        GraphStore.open(None, base=base)


def test_store_creates_missing_parents_and_accepts_empty_dir(tmp_path):
    with GraphStore.open(tmp_path / "a" / "b") as store:
        assert len(store) == 0
    (tmp_path / "empty").mkdir()
    with GraphStore.open(tmp_path / "empty") as store:
        assert store.path == tmp_path / "empty"


@pytest.mark.parametrize(
    "setup, read_only, message",
    [
        ("foreign", False, "is not empty and is not a citekg store"),
        ("file", False, "is a file"),
        ("missing", True, "no citekg store at"),
        ("bad-version", False, "store format version 99"),
        ("bad-json", False, "not readable citekg store metadata"),
        ("other-format", False, "does not describe a citekg store"),
    ],
)
def test_store_open_errors(tmp_path, setup, read_only, message):
    path = tmp_path / "kg"
    if setup == "foreign":
        path.mkdir()
        (path / "notes.txt").write_text("mine")
    elif setup == "file":
        path.write_text("x")
    elif setup == "bad-version":
        path.mkdir()
        (path / "citekg.json").write_text(
            json.dumps({"format": "citekg-store", "version": 99, "base_iri": CITEKG_NS})
        )
    elif setup == "bad-json":
        path.mkdir()
        (path / "citekg.json").write_text("{nope")
    elif setup == "other-format":
        path.mkdir()
        (path / "citekg.json").write_text("[]")
    with pytest.raises(StoreError, match=message):
        GraphStore.open(path, read_only=read_only)


def test_store_locked_in_same_process(tmp_path):
    with GraphStore.open(tmp_path / "kg"):
        with pytest.raises(StoreError, match="is locked"):
            GraphStore.open(tmp_path / "kg")


def test_store_locked_by_another_process(tmp_path):
    path = tmp_path / "kg"
    GraphStore.open(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from citekg.graph import GraphStore; s = GraphStore.open({str(path)!r}); "
            "print('ready', flush=True); import sys; sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="another process"):
            GraphStore.open(path)
    finally:
        holder.communicate("", timeout=30)
    # released when the other process ends
    GraphStore.open(path).close()


def test_store_closed_store_raises(corpus):
    store = GraphStore.open(None)
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        len(store)
    with pytest.raises(StoreError, match="closed"):
        store.add(corpus)
    assert "closed" in repr(store)


# -- querying ----------------------------------------------------------------------------------


def test_query_standard_prefixes_need_no_declaration(kg):
    rows = list(
        kg.query("SELECT ?t WHERE { ?p a ckg:Paper ; dcterms:title ?t ; fabio:hasPublicationYear ?y }")
    )
    assert len(rows) == 2


def test_query_declared_prefix_wins(kg):
    query = "PREFIX ckg: <http://example.org/nothing/> ASK { ?p a ckg:Paper }"
    assert bool(kg.query(query)) is False


def test_query_binding_hostile_text_is_data_not_sparql(kg):
    query = "SELECT ?p ?t WHERE { ?p dcterms:title ?t }"
    rows = list(kg.query(query, {"t": HOSTILE_TITLE}))
    assert [row["p"].value for row in rows] == [CITEKG_NS + "paper/doi/10.1000%2Fxyz123"]
    assert len(kg) > 0  # nothing was dropped
    assert list(kg.query(query, {"?t": HOSTILE_TITLE + "x"})) == []


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("start", 4, 1),
        ("start", 4.0, 0),  # a double never equals an integer term
        ("field", "title", 2),
        ("role", Literal("proposed"), 3),
        ("entity", URIRef(CITEKG_NS + "method/transformer"), 2),
        ("entity", ox.NamedNode(CITEKG_NS + "dataset/glue"), 2),
    ],
)
def test_query_bindings_by_type(kg, name, value, expected):
    query = (
        "SELECT ?m ?start ?field ?role ?entity WHERE { ?m ckg:start ?start ; ckg:field ?field ; "
        "ckg:role ?role ; ckg:mentionOf ?entity }"
    )
    assert len(list(kg.query(query, {name: value}))) == expected


def test_query_boolean_binding(kg):
    assert bool(kg.query("ASK { ?p ckg:inCorpus ?flag }", {"flag": True}))
    assert not bool(kg.query("ASK { ?p ckg:inCorpus ?flag }", {"flag": False}))


@pytest.mark.parametrize(
    "query, bindings, message",
    [
        ("SELECT ?x WHERE {", None, "invalid SPARQL: error at 1:18"),
        ("SELEKT ?x WHERE { ?x ?p ?o }", None, "invalid SPARQL"),
        ("SELECT ?p WHERE { ?p undeclared:x ?o }", None, "invalid SPARQL"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", None, "invalid SPARQL"),
        ("SELECT ?p WHERE { ?p dcterms:title ?t }", {"t": "x"}, "must appear in the SELECT clause"),
        ("SELECT ?p ?t WHERE { ?p dcterms:title ?t }", {"t": BNode()}, "blank node"),
        ("SELECT ?p ?t WHERE { ?p dcterms:title ?t }", {"t": [1]}, "cannot bind ?t to a list"),
        ("SELECT ?p ?t WHERE { ?p dcterms:title ?t }", {"t": URIRef("not an iri")}, "cannot bind ?t"),
    ],
)
def test_query_errors(kg, query, bindings, message):
    with pytest.raises(QueryError) as info:
        kg.query(query, bindings)
    assert message in str(info.value)


# -- stats -------------------------------------------------------------------------------------


def test_stats_on_hand_made_graph(kg):
    stats = kg.stats()
    assert stats == {
        "triples": len(kg),
        "papers": 5,
        "papers_in_corpus": 3,
        "papers_external": 2,
        "entities": {"method": 1, "dataset": 3, "model": 1, "task": 0, "metric": 1, "total": 6},
        "mentions": 9,
        "links": {"code": 2, "project_page": 1, "other": 1, "total": 4},
        "papers_with_code": 2,
        "citations": 4,
    }


def test_stats_on_empty_store():
    with GraphStore.open(None) as store:
        stats = store.stats()
    assert stats["triples"] == stats["papers"] == stats["mentions"] == stats["citations"] == 0
    assert stats["entities"]["total"] == 0


# -- export and the rdflib view ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld", "xml", "nq"])
def test_export_round_trip(kg, corpus, fmt, tmp_path):
    assert_isomorphic(reference_graph(corpus), exported_graph(kg, fmt))
    dest = tmp_path / f"graph.{fmt}"
    kg.export(dest, fmt)
    assert dest.stat().st_size > 0


def test_export_turtle_uses_prefixes(kg):
    buffer = io.BytesIO()
    kg.export(buffer, "ttl")
    text = buffer.getvalue().decode()
    assert "@prefix ckg: <https://w3id.org/citekg/> ." in text
    assert "ckg:Paper" in text


def test_export_unknown_format(kg):
    with pytest.raises(UnknownNameError) as info:
        kg.export(io.BytesIO(), "rdfxml")
    assert str(info.value) == "unknown export format 'rdfxml'; choose one of: jsonld, nq, nt, ttl, xml"


def test_rdf_view_shares_the_store(kg, corpus):
    graph = kg.rdf
    assert graph is kg.rdf
    assert len(graph) == len(kg)
    rows = list(graph.query("SELECT ?p ?t WHERE { ?p a ckg:Paper ; dcterms:title ?t }"))
    assert len(rows) == 4  # three input papers and one external paper known by its title
    graph.add((URIRef(CITEKG_NS + "paper/arxiv/0000.00001"), DCTERMS.title, Literal("via rdflib")))
    assert bool(kg.query('ASK { ?p dcterms:title "via rdflib" }'))


def test_rdf_view_released_on_close(tmp_path):
    path = tmp_path / "kg"
    store = GraphStore.open(path)
    assert len(store.rdf) == 0
    store.close()
    GraphStore.open(path).close()  # the lock went with the view


def test_add_throughput_smoke():
    # Not a benchmark (see the report); guards against an accidental quadratic slowdown.
    extractions = [
        Extraction(
            Paper(id=f"arxiv:2401.{i:05d}", title=f"Paper {i}", abstract="x" * 50, year=2024),
            mentions=tuple(
                Mention(
                    f"arxiv:2401.{i:05d}",
                    "dataset",
                    f"D{j}",
                    j * 5,
                    j * 5 + 2,
                    "abstract",
                    f"D{(i + j) % 97}",
                )
                for j in range(3)
            ),
            references=(f"arxiv:2401.{(i + 1) % 500:05d}",),
        )
        for i in range(500)
    ]
    with GraphStore.open(None) as store:
        started = time.perf_counter()
        added = store.add(extractions, batch_size=100)
        elapsed = time.perf_counter() - started
    assert added > 500 * 20
    assert elapsed < 20
