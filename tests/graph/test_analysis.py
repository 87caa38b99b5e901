"""citekg.graph.analysis on a small hand-made corpus and hand-made NetworkX graphs with known answers.

The corpus (A = method "A-Net", M = model "M-Model", D1/D2 = datasets):

    p1 (2017, code)  proposes A; uses D1
    p2 (2018)        proposes M; uses A, D1, D2; cites p1
    p3 (2019)        uses A, M, D2; cites p1, p2
    p4 (2020)        uses D1
    p5 (2020, code)  uses M, D1; cites p1
"""

from __future__ import annotations

import networkx as nx
import pytest
from citekg.errors import UnknownNameError
from citekg.graph import analysis
from citekg.graph.analysis import BuildsOn, CoOccurrence, EntityCount, NoPathError, PaperRef
from citekg.graph.store import GraphStore
from citekg.model import Extraction, Link, Mention, Paper
from citekg.viz.select import FocusNotFoundError

NS = "https://w3id.org/citekg/"
A, M, D1, D2 = f"{NS}method/a-net", f"{NS}model/m-model", f"{NS}dataset/d1", f"{NS}dataset/d2"
NAMES = {"method": "A-Net", "model": "M-Model", "d1": "D1", "d2": "D2"}
P = {i: f"{NS}paper/arxiv/2401.0000{i}" for i in range(1, 6)}


def _paper(
    i: int, year: int, uses: list[tuple[str, str]], proposes: tuple[str, str] | None, cites=(), code=False
):
    pid = f"arxiv:2401.0000{i}"
    parts, mentions = [], []
    roles = ([(proposes, "proposed")] if proposes else []) + [(u, "used") for u in uses]
    for (label, name), role in roles:
        start = len(" ".join(parts)) + (1 if parts else 0)
        parts.append(name)
        mentions.append(
            Mention(pid, label, name, start, start + len(name), "abstract", name, role, 0.9, "test")
        )
    links = ()
    if code:
        url = f"https://github.com/lab/p{i}"
        links = (Link(url, url, "code", "github.com", f"lab/p{i}", field="metadata"),)
    paper = Paper(pid, f"Paper {i}", abstract=" ".join(parts), year=year, references=tuple(cites))
    return Extraction(paper, mentions=tuple(mentions), links=links)


AN, MM, DD1, DD2 = ("method", "A-Net"), ("model", "M-Model"), ("dataset", "D1"), ("dataset", "D2")
CORPUS = [
    _paper(1, 2017, [DD1], AN, code=True),
    _paper(2, 2018, [AN, DD1, DD2], MM, cites=["arxiv:2401.00001"]),
    _paper(3, 2019, [AN, MM, DD2], None, cites=["arxiv:2401.00001", "arxiv:2401.00002"]),
    _paper(4, 2020, [DD1], None),
    _paper(5, 2020, [MM, DD1], None, cites=["arxiv:2401.00001"], code=True),
]


@pytest.fixture(scope="module")
def store() -> GraphStore:
    with GraphStore.open(None) as graph:
        graph.add(CORPUS)
        yield graph


# -- counting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type, expected",
    [
        ("dataset", [EntityCount(D1, "dataset", "D1", 4), EntityCount(D2, "dataset", "D2", 2)]),
        ("method", [EntityCount(A, "method", "A-Net", 3)]),
        ("model", [EntityCount(M, "model", "M-Model", 3)]),
        ("task", []),
    ],
)
def test_analysis_most_used(store: GraphStore, type: str, expected: list) -> None:
    assert analysis.most_used(store, type) == expected


def test_analysis_most_used_wrappers_and_limit(store: GraphStore) -> None:
    assert [e.label for e in analysis.most_used_datasets(store, limit=1)] == ["D1"]
    assert [e.label for e in analysis.most_used_methods(store)] == ["A-Net"]
    assert [e.label for e in analysis.most_used_models(store, limit=None)] == ["M-Model"]


def test_analysis_most_used_unknown_type(store: GraphStore) -> None:
    with pytest.raises(UnknownNameError, match="unknown entity type 'paper'"):
        analysis.most_used(store, "paper")


def test_analysis_accepts_a_knowledge_graph_and_refuses_others(store: GraphStore) -> None:
    from citekg.api import KnowledgeGraph

    assert analysis.most_used(KnowledgeGraph(store), "dataset") == analysis.most_used(store, "dataset")
    with pytest.raises(TypeError, match="expected a GraphStore or a KnowledgeGraph, not str"):
        analysis.most_used("graph", "dataset")


def test_analysis_methods_per_dataset(store: GraphStore) -> None:
    result = analysis.methods_per_dataset(store)
    assert result == {
        EntityCount(D1, "dataset", "D1", 3): [
            EntityCount(A, "method", "A-Net", 2),
            EntityCount(M, "model", "M-Model", 2),
        ],
        EntityCount(D2, "dataset", "D2", 2): [
            EntityCount(A, "method", "A-Net", 2),
            EntityCount(M, "model", "M-Model", 2),
        ],
    }
    assert list(analysis.methods_per_dataset(store, D2, limit=1).values()) == [
        [EntityCount(A, "method", "A-Net", 2)]
    ]
    assert analysis.methods_per_dataset(store, f"{NS}dataset/none") == {}


def test_analysis_papers_without_code(store: GraphStore) -> None:
    assert analysis.papers_without_code(store) == [
        PaperRef(P[4], "Paper 4", 2020),
        PaperRef(P[3], "Paper 3", 2019),
        PaperRef(P[2], "Paper 2", 2018),
    ]
    assert analysis.papers_without_code(store, limit=1) == [PaperRef(P[4], "Paper 4", 2020)]


def test_analysis_cooccurring_all_pairs(store: GraphStore) -> None:
    pairs = {(frozenset((p.a_label, p.b_label)), p.papers) for p in analysis.cooccurring(store, limit=None)}
    assert pairs == {
        (frozenset({"A-Net", "D1"}), 2),
        (frozenset({"A-Net", "D2"}), 2),
        (frozenset({"A-Net", "M-Model"}), 2),
        (frozenset({"D1", "D2"}), 1),
        (frozenset({"D1", "M-Model"}), 2),
        (frozenset({"D2", "M-Model"}), 2),
    }
    assert [p.papers for p in analysis.cooccurring(store, limit=None)] == [2, 2, 2, 2, 2, 1]


@pytest.mark.parametrize(
    "entity, type, expected",
    [
        (D1, None, [("A-Net", 2), ("M-Model", 2), ("D2", 1)]),
        (D1, "model", [("M-Model", 2)]),
        (None, "dataset", [("D2", 1)]),
        (f"{NS}dataset/none", None, []),
    ],
)
def test_analysis_cooccurring_with(
    store: GraphStore, entity: str | None, type: str | None, expected: list
) -> None:
    pairs = analysis.cooccurring(store, entity, type=type)
    assert [(p.b_label, p.papers) for p in pairs] == expected
    if entity == D1 and type is None:
        assert pairs[0] == CoOccurrence(D1, "D1", A, "A-Net", 2)


def test_analysis_builds_on(store: GraphStore) -> None:
    found = analysis.builds_on(store)
    assert [b[:6] for b in found] == [
        (P[2], "Paper 2", P[1], "Paper 1", A, "A-Net"),
        (P[3], "Paper 3", P[1], "Paper 1", A, "A-Net"),
        (P[3], "Paper 3", P[2], "Paper 2", M, "M-Model"),
        (P[5], "Paper 5", P[2], "Paper 2", M, "M-Model"),
    ]
    # The builder's evidence carries a confidence (0.9 x 0.9 here); a graph without evidence has none.
    assert all(b.confidence is None or b.confidence == pytest.approx(0.81) for b in found)
    assert [b.paper for b in analysis.builds_on(store, basis=P[2])] == [P[3], P[5]]
    assert [b.basis for b in analysis.builds_on(store, paper=P[3])] == [P[1], P[2]]
    assert analysis.builds_on(store, paper=P[1]) == []


# -- graph algorithms ---------------------------------------------------------------------------------


def test_analysis_pagerank_papers(store: GraphStore) -> None:
    ranked = analysis.pagerank_papers(store, limit=None)
    assert [s.iri for s in ranked[:2]] == [P[1], P[2]]
    assert sum(s.score for s in ranked) == pytest.approx(1.0)
    assert len(analysis.pagerank_papers(store, limit=2)) == 2


def test_analysis_pagerank_papers_in_corpus_only() -> None:
    with GraphStore.open(None) as graph:
        graph.add([_paper(1, 2020, [], None, cites=["doi:10.1000/classic"])])
        assert [s.label for s in analysis.pagerank_papers(graph)] == ["doi:10.1000/classic", "Paper 1"]
        assert [s.label for s in analysis.pagerank_papers(graph, in_corpus_only=True)] == ["Paper 1"]


def test_analysis_pagerank_on_a_view_star() -> None:
    star = nx.Graph()
    star.add_nodes_from(["hub", "a", "b", "c"], type="dataset")
    star.add_edges_from([("hub", "a"), ("hub", "b"), ("hub", "c")])
    ranked = analysis.pagerank_entities(star)
    assert ranked[0].iri == "hub"
    assert ranked[1].score == pytest.approx(ranked[2].score)
    assert analysis.pagerank_entities(star, type="method") == []


def test_analysis_pagerank_entities_on_store(store: GraphStore) -> None:
    ranked = analysis.pagerank_entities(store, limit=None)
    assert {s.label for s in ranked} == {"A-Net", "M-Model", "D1", "D2"}
    assert ranked[-1].label == "D1" or ranked[-1].score <= ranked[0].score


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_analysis_communities_two_triangles(seed: int) -> None:
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    g.add_node("lonely")
    assert analysis.communities(g, seed=seed) == [["a", "b", "c"], ["x", "y", "z"], ["lonely"]]


def test_analysis_communities_empty_and_store(store: GraphStore) -> None:
    assert analysis.communities(nx.Graph()) == []
    groups = analysis.communities(store)
    assert sorted(n for group in groups for n in group) == sorted([A, M, D1, D2])
    bipartite = analysis.communities(store, view="bipartite")
    assert set(P.values()) <= {n for group in bipartite for n in group}


def _chain() -> nx.DiGraph:
    g = nx.DiGraph()
    for node, kind, label in [
        ("e1", "dataset", "GLUE"),
        ("p1", "paper", "First"),
        ("e2", "model", "BERT"),
        ("p2", "paper", "BERT"),
        ("e3", "method", "Adam"),
        ("far", "dataset", "Island"),
    ]:
        g.add_node(node, type=kind, label=label)
    g.add_edges_from([("p1", "e1"), ("p1", "e2"), ("p2", "e2"), ("p2", "e3")], relation="uses")
    return g


@pytest.mark.parametrize(
    "source, target, expected",
    [
        ("GLUE", "Adam", ["e1", "p1", "e2", "p2", "e3"]),
        ("adam", "glue", ["e3", "p2", "e2", "p1", "e1"]),
        ("GLUE", "BERT", ["e1", "p1", "e2"]),  # the model BERT, not the paper titled BERT
        ("e1", "e1", ["e1"]),
    ],
)
def test_analysis_shortest_path(source: str, target: str, expected: list[str]) -> None:
    assert [iri for iri, _ in analysis.shortest_path(_chain(), source, target)] == expected


def test_analysis_shortest_path_errors() -> None:
    with pytest.raises(NoPathError, match="'GLUE' and 'Island' are not connected"):
        analysis.shortest_path(_chain(), "GLUE", "Island")
    with pytest.raises(nx.NetworkXNoPath):
        analysis.shortest_path(_chain(), "GLUE", "Island")
    with pytest.raises(FocusNotFoundError, match="no node is called 'Adma'; did you mean: Adam?"):
        analysis.shortest_path(_chain(), "GLUE", "Adma")


def test_analysis_shortest_path_on_store(store: GraphStore) -> None:
    assert [label for _, label in analysis.shortest_path(store, "D1", "D2")] == ["D1", "Paper 2", "D2"]


def test_analysis_builds_on_reads_the_builders_evidence() -> None:
    """With ckg:BuildsOnEvidence nodes in the graph, they are the answer (and the canned query's).

    The evidence added here (p4 builds on p1 via D1) is one the proposes/uses rule could not produce, so
    finding it shows the evidence is read.
    """
    from citekg.graph.queries import load_query
    from rdflib import URIRef

    evidence = f"{NS}evidence/test/p4-p1-d1"
    with GraphStore.open(None) as graph:
        graph.add(CORPUS)
        graph.ox.update(
            f"""PREFIX ckg: <{NS}>
            INSERT DATA {{
              <{P[4]}> ckg:buildsOn <{P[1]}> .
              <{P[5]}> ckg:buildsOn <{P[2]}> .
              <{evidence}> a ckg:BuildsOnEvidence ; ckg:sourcePaper <{P[4]}> ; ckg:targetPaper <{P[1]}> ;
                  ckg:viaEntity <{D1}> ; ckg:confidence 0.5 .
            }}"""
        )
        assert analysis.builds_on(graph, paper=P[4]) == [
            BuildsOn(P[4], "Paper 4", P[1], "Paper 1", D1, "D1", 0.5)
        ]
        rows = list(graph.query(load_query("papers-building-on"), {"paper": URIRef(P[4])}))
        assert [(r["basis"].value, r["entityLabel"].value, r["confidence"].value) for r in rows] == [
            (P[1], "D1", "0.5")
        ]
        from citekg.graph.project import to_networkx

        for name in ("citation", "bipartite"):
            view = to_networkx(graph, name)
            assert view.edges[P[3], P[2]]["relation"] == "cites"  # an asserted citation wins
            assert view.edges[P[5], P[2]]["relation"] == "builds_on"
            assert view.edges[P[4], P[1]]["relation"] == "builds_on"


# -- canned queries (graph/queries/*.rq) on the same corpus -----------------------------------------------


def _canned(store: GraphStore, name: str, columns: tuple[str, ...], **bindings: str) -> list[tuple]:
    from citekg._output import term_value
    from citekg.graph.queries import load_query
    from rdflib import URIRef

    result = store.query(load_query(name), {k: URIRef(v) for k, v in bindings.items()} or None)
    return [tuple(term_value(row[c]) for c in columns) for row in result]


@pytest.mark.parametrize(
    "name, columns, bindings, expected",
    [
        (
            "methods-per-dataset",
            ("datasetLabel", "methodLabel", "papers"),
            {"dataset": D1},
            [("D1", "A-Net", 2), ("D1", "M-Model", 2)],
        ),
        ("methods-per-dataset", ("methodLabel", "papers"), {"dataset": f"{NS}dataset/none"}, []),
        (
            "cooccurring-entities",
            ("otherLabel", "papers"),
            {"entity": D1},
            [("A-Net", 2), ("M-Model", 2), ("D2", 1)],
        ),
        (
            "papers-without-code",
            ("title", "year"),
            {},
            [("Paper 4", 2020), ("Paper 3", 2019), ("Paper 2", 2018)],
        ),
        ("papers-citing", ("title",), {"cited": P[1]}, [("Paper 5",), ("Paper 3",), ("Paper 2",)]),
        ("papers-citing", ("title",), {"cited": P[4]}, []),
        (
            "paper-proposes",
            ("label", "surfaceForm", "field", "start"),
            {"paper": P[2]},
            [("M-Model", "M-Model", "abstract", 0)],
        ),
        ("paper-proposes", ("label",), {"paper": P[4]}, []),
        ("papers-citing", ("title",), {"cited": P[2]}, [("Paper 3",)]),
    ],
)
def test_analysis_canned_queries(
    store: GraphStore, name: str, columns: tuple[str, ...], bindings: dict, expected: list
) -> None:
    found = _canned(store, name, columns, **bindings)
    if name == "papers-without-code":  # in no particular order
        found, expected = sorted(found), sorted(expected)
    assert found == expected


def test_analysis_canned_query_hostile_binding_is_a_literal(store: GraphStore) -> None:
    from citekg.graph.queries import load_query

    before = len(store)
    result = store.query(load_query("papers-citing"), {"cited": "<x> } ; DROP ALL ; #"})
    assert list(result) == [] and len(store) == before
