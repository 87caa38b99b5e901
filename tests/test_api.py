"""citekg.KnowledgeGraph: each method on the hand-made example graph (exact answers) and the sample corpus."""

from __future__ import annotations

from pathlib import Path

import citekg
import networkx as nx
import pytest
import rdflib
from citekg.api import (
    AmbiguousNameError,
    EntityInfo,
    KnowledgeGraph,
    NotFoundError,
    PaperInfo,
    example_extractions,
    example_graph,
)
from citekg.errors import QueryError, StoreError, UnknownNameError
from citekg.model import Extraction, Mention, Paper

NS = "https://w3id.org/citekg/"
ATTENTION, BERT, ROBERTA = (f"{NS}paper/arxiv/{n}" for n in ("1706.03762", "1810.04805", "1907.11692"))
HOSTILE = [
    'BERT" } ; DROP ALL ; #',
    "BERT' . } INSERT DATA { <a> <b> <c> } #",
    "BERT\n}",
    "?title",
    "<https://w3id.org/citekg/paper/arxiv/1810.04805>",
    "\\u0022",
    "Ünïcödé ∑ \x00",
]


@pytest.fixture()
def kg() -> KnowledgeGraph:
    graph = example_graph()
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> KnowledgeGraph:
    """The bundled sample corpus, built once on disk (runs the extractors)."""
    path = tmp_path_factory.mktemp("sample") / "graph"
    graph = KnowledgeGraph.open(path)
    graph.build()
    yield graph
    graph.close()


# -- opening, import ---------------------------------------------------------------------------------


def test_api_exported_lazily_from_citekg() -> None:
    assert citekg.KnowledgeGraph is KnowledgeGraph
    assert "KnowledgeGraph" in citekg.__all__
    with pytest.raises(AttributeError, match="no attribute 'KnowledgeGrpah'"):
        citekg.KnowledgeGrpah  # noqa: B018


def test_api_open_memory_repr_and_close() -> None:
    graph = KnowledgeGraph.open()
    assert repr(graph) == "<KnowledgeGraph memory (read-write)>"
    graph.close()
    assert repr(graph) == "<KnowledgeGraph memory (closed)>"
    with pytest.raises(StoreError, match="closed"):
        graph.stats()


def test_api_on_disk_reopen_read_only(tmp_path: Path) -> None:
    with KnowledgeGraph.open(tmp_path / "g") as graph:
        added = graph.add(example_extractions())
    with KnowledgeGraph.open(tmp_path / "g", read_only=True) as graph:
        assert repr(graph).endswith("(read-only)>")
        assert len(graph.store) == added
        assert [p.title for p in graph.papers()] == ["Attention Is All You Need", "BERT", "RoBERTa"]
        with pytest.raises(StoreError, match="read-only"):
            graph.add(example_extractions())


# -- writing -----------------------------------------------------------------------------------------


def test_api_add_is_idempotent(kg: KnowledgeGraph) -> None:
    before = len(kg.store)
    assert kg.add(example_extractions()) == 0
    assert len(kg.store) == before


def test_api_add_papers_runs_the_extractors_in_order() -> None:
    paper = Paper("arxiv:2401.00001", "A probe", abstract="Code at https://github.com/probe/probe.")
    with KnowledgeGraph.open() as graph:
        assert graph.add([paper, *example_extractions()]) > 0
        assert graph.paper("arxiv:2401.00001").code == ("https://github.com/probe/probe",)
        assert len(graph.papers()) == 4


def test_api_add_refuses_other_objects(kg: KnowledgeGraph) -> None:
    with pytest.raises(TypeError, match="not dict"):
        kg.add([{"id": "arxiv:1"}])


def test_api_build_sample(sample: KnowledgeGraph) -> None:
    assert len(sample.papers()) == 43
    summary = sample.build()
    assert (summary.papers, summary.triples_added) == (43, 0)


def test_api_build_one_path(tmp_path: Path) -> None:
    source = tmp_path / "extractions.jsonl"
    import json

    source.write_text(
        "".join(json.dumps(e.to_dict()) + "\n" for e in example_extractions()), encoding="utf-8"
    )
    with KnowledgeGraph.open() as graph:
        summary = graph.build(source)
        assert summary.papers == 3
        assert graph.stats()["papers_in_corpus"] == 3


# -- SPARQL --------------------------------------------------------------------------------------------


def test_api_query_select_plain_values(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        "SELECT ?title ?year ?code WHERE { ?p dcterms:title ?title ; fabio:hasPublicationYear ?year . "
        "OPTIONAL { ?p ckg:hasCode ?code } } ORDER BY ?title"
    )
    assert rows == [
        {
            "title": "Attention Is All You Need",
            "year": 2017,
            "code": f"{NS}repo/github.com/tensorflow/tensor2tensor",
        },
        {"title": "BERT", "year": 2019, "code": f"{NS}repo/github.com/google-research/bert"},
        {"title": "RoBERTa", "year": 2019, "code": None},
    ]


@pytest.mark.parametrize(
    "sparql, expected",
    [
        ("ASK { ?p dcterms:title 'BERT' }", True),
        ("ASK { ?p dcterms:title 'GPT' }", False),
    ],
)
def test_api_query_ask(kg: KnowledgeGraph, sparql: str, expected: bool) -> None:
    assert kg.query(sparql) is expected


def test_api_query_construct_is_an_rdflib_graph(kg: KnowledgeGraph) -> None:
    graph = kg.query("CONSTRUCT { ?a cito:cites ?b } WHERE { ?a cito:cites ?b }")
    assert isinstance(graph, rdflib.Graph)
    cites = rdflib.URIRef("http://purl.org/spar/cito/cites")
    assert set(graph) == {
        (rdflib.URIRef(BERT), cites, rdflib.URIRef(ATTENTION)),
        (rdflib.URIRef(ROBERTA), cites, rdflib.URIRef(BERT)),
    }
    assert len(kg.query("CONSTRUCT { ?a ?p ?b } WHERE { ?a cito:nothing ?b }")) == 0


@pytest.mark.parametrize("hostile", HOSTILE)
def test_api_query_bindings_never_splice(kg: KnowledgeGraph, hostile: str) -> None:
    before = len(kg.store)
    sparql = "SELECT ?p ?title WHERE { ?p dcterms:title ?title }"
    assert kg.query(sparql, title=hostile) == []
    assert kg.query("ASK { ?p dcterms:title ?t }", t=hostile) is False
    assert len(kg.store) == before


@pytest.mark.parametrize("hostile", HOSTILE)
def test_api_query_binding_finds_a_hostile_title_exactly(hostile: str) -> None:
    with KnowledgeGraph.open() as graph:
        graph.add([Extraction(Paper("arxiv:2401.00002", hostile))])
        rows = graph.query("SELECT ?p ?title WHERE { ?p dcterms:title ?title }", title=hostile)
        assert rows == [{"p": f"{NS}paper/arxiv/2401.00002", "title": hostile}]
        assert graph.paper(hostile).id == "arxiv:2401.00002"


def test_api_query_binds_records_as_iris(kg: KnowledgeGraph) -> None:
    rows = kg.query("SELECT ?p ?e WHERE { ?p ckg:proposes ?e }", e=kg.entity("BERT"))
    assert rows == [{"p": BERT, "e": f"{NS}model/bert"}]
    rows = kg.query("SELECT ?p ?q WHERE { ?p cito:cites ?q }", p=kg.paper("RoBERTa"))
    assert rows == [{"p": ROBERTA, "q": BERT}]


@pytest.mark.parametrize(
    "sparql, bindings, message",
    [
        ("SELECT ?x WHERE { ?x ?y }", {}, "invalid SPARQL"),
        ("SELECT ?p WHERE { ?p dcterms:title ?t }", {"t": "BERT"}, "must appear in the SELECT clause"),
        ("SELECT ?p WHERE { ?p ?q ?r }", {"p": object()}, "cannot bind ?p"),
    ],
)
def test_api_query_errors(kg: KnowledgeGraph, sparql: str, bindings: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("?", r"\?")):
        kg.query(sparql, **bindings)


# -- papers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["Attention Is All You Need", "BERT", "RoBERTa"]),
        ({"with_code": True}, ["Attention Is All You Need", "BERT"]),
        ({"with_code": False}, ["RoBERTa"]),
        ({"year": 2019}, ["BERT", "RoBERTa"]),
        ({"year": 2019, "with_code": False}, ["RoBERTa"]),
        ({"year": 1999}, []),
        ({"limit": 1}, ["Attention Is All You Need"]),
        ({"limit": 0}, []),
    ],
)
def test_api_papers_filters(kg: KnowledgeGraph, kwargs: dict, expected: list[str]) -> None:
    assert [p.title for p in kg.papers(**kwargs)] == expected


def test_api_papers_include_cited_outside_corpus() -> None:
    extraction = Extraction(Paper("arxiv:2401.00003", "Cites out", references=("doi:10.1000/out",)))
    with KnowledgeGraph.open() as graph:
        graph.add([extraction])
        assert [p.id for p in graph.papers()] == ["arxiv:2401.00003"]
        outside = [p for p in graph.papers(in_corpus=False) if not p.in_corpus]
        assert [(p.id, p.title) for p in outside] == [("doi:10.1000/out", None)]


@pytest.mark.parametrize(
    "name",
    ["arxiv:1706.03762", "1706.03762", ATTENTION, "Attention Is All You Need", "ATTENTION is all YOU need"],
)
def test_api_paper_lookup(kg: KnowledgeGraph, name: str) -> None:
    assert kg.paper(name) == PaperInfo(
        iri=ATTENTION,
        id="arxiv:1706.03762",
        title="Attention Is All You Need",
        year=2017,
        authors=("Ashish Vaswani", "Noam Shazeer"),
        url="https://arxiv.org/abs/1706.03762",
        code=("https://github.com/tensorflow/tensor2tensor",),
        in_corpus=True,
    )


@pytest.mark.parametrize("name", ["GPT-4", "", "arxiv:9999.99999", f"{NS}method/transformer"])
def test_api_paper_not_found(kg: KnowledgeGraph, name: str) -> None:
    with pytest.raises(NotFoundError, match="no paper has the id or title"):
        kg.paper(name)


def test_api_paper_ambiguous_title_lists_candidates() -> None:
    twins = [Extraction(Paper(f"arxiv:2401.0000{i}", "Same Title")) for i in (4, 5)]
    with KnowledgeGraph.open() as graph:
        graph.add(twins)
        with pytest.raises(AmbiguousNameError) as info:
            graph.paper("same title")
        assert info.value.candidates == (f"{NS}paper/arxiv/2401.00004", f"{NS}paper/arxiv/2401.00005")
        assert str(info.value).startswith("'same title' names 2 papers: ")


# -- entities ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type, expected",
    [
        (
            None,
            [
                ("BERT", 2),
                ("GLUE", 2),
                ("SQuAD", 2),
                ("Transformer", 2),
                ("BLEU", 1),
                ("RoBERTa", 1),
                ("WMT 2014", 1),
            ],
        ),
        ("dataset", [("GLUE", 2), ("SQuAD", 2), ("WMT 2014", 1)]),
        ("Model", [("BERT", 2), ("RoBERTa", 1)]),
        ("task", []),
    ],
)
def test_api_entities(kg: KnowledgeGraph, type: str | None, expected: list) -> None:
    assert [(e.label, e.papers) for e in kg.entities(type)] == expected


def test_api_entities_unknown_type(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownNameError, match="unknown entity type 'paper'; choose one of: dataset, method"):
        kg.entities("paper")


@pytest.mark.parametrize(
    "name", ["WMT 2014", "wmt 2014", "WMT-2014", "wmt_2014", f"{NS}dataset/wmt-2014", "  WMT 2014 "]
)
def test_api_entity_lookup(kg: KnowledgeGraph, name: str) -> None:
    assert kg.entity(name) == EntityInfo(f"{NS}dataset/wmt-2014", "dataset", "WMT 2014", "wmt-2014", (), 1)


def _mae_graph() -> KnowledgeGraph:
    paper = Paper("arxiv:2401.00006", "MAE twice", abstract="MAE drops; masked autoencoders (MAE) help.")
    mentions = (
        Mention(paper.id, "metric", "MAE", 0, 3, "abstract", "MAE"),
        Mention(paper.id, "method", "MAE", 36, 39, "abstract", "MAE"),
        Mention(paper.id, "method", "masked autoencoders", 15, 34, "abstract", "MAE"),
    )
    graph = KnowledgeGraph.open()
    graph.add([Extraction(paper, mentions=mentions)])
    return graph


def test_api_entity_ambiguous_lists_candidates() -> None:
    with _mae_graph() as graph:
        with pytest.raises(AmbiguousNameError) as info:
            graph.entity("mae")
        assert info.value.candidates == (f"{NS}method/mae", f"{NS}metric/mae")
        assert str(info.value) == (
            f"'mae' names 2 entities: method 'MAE' <{NS}method/mae>; metric 'MAE' <{NS}metric/mae>; "
            "pass type=… or the IRI"
        )
        assert graph.entity("mae", type="metric").iri == f"{NS}metric/mae"
        # an alias finds the entity it was written for
        assert graph.entity("Masked Autoencoders").iri == f"{NS}method/mae"


@pytest.mark.parametrize(
    "name, type, message",
    [
        ("SQuAD 3", None, "no entity is called 'SQuAD 3'; did you mean: SQuAD?"),
        ("zzzz", None, "no entity is called 'zzzz'"),
        ("GLUE", "model", "no model is called 'GLUE'"),
    ],
)
def test_api_entity_not_found(kg: KnowledgeGraph, name: str, type: str | None, message: str) -> None:
    with pytest.raises(NotFoundError) as info:
        kg.entity(name, type=type)
    assert str(info.value) == message


# -- views --------------------------------------------------------------------------------------------------


def test_api_neighbours_depth_one_and_two(kg: KnowledgeGraph) -> None:
    first = kg.neighbours("GLUE")
    assert [(n.label, n.type, n.distance, n.relation) for n in first] == [
        ("BERT", "paper", 1, "uses"),
        ("RoBERTa", "paper", 1, "uses"),
    ]
    second = {(n.label, n.type) for n in kg.neighbours(kg.entity("GLUE"), depth=2)}
    assert {("SQuAD", "dataset"), ("Attention Is All You Need", "paper"), ("Transformer", "method")} <= second
    assert all(n.iri != f"{NS}dataset/glue" for n in kg.neighbours("GLUE", depth=3))


def test_api_neighbours_of_a_paper_by_title(kg: KnowledgeGraph) -> None:
    labels = [(n.label, n.relation) for n in kg.neighbours("Attention Is All You Need")]
    assert labels == [
        ("BERT", "cites"),
        ("BLEU", "uses"),
        ("github.com/tensorflow/tensor2tensor", "has_code"),
        ("Transformer", "proposes"),
        ("WMT 2014", "uses"),
    ]


@pytest.mark.parametrize("node, error", [("nothing here", NotFoundError), ("GLUE", None)])
def test_api_neighbours_errors(kg: KnowledgeGraph, node: str, error: type | None) -> None:
    if error is None:
        with pytest.raises(ValueError, match="depth must be at least 1"):
            kg.neighbours(node, depth=0)
    else:
        with pytest.raises(error, match="no paper or entity is called 'nothing here'"):
            kg.neighbours(node)


def test_api_neighbours_see_added_papers(kg: KnowledgeGraph) -> None:
    assert len(kg.neighbours("GLUE")) == 2
    paper = Paper("arxiv:2401.00007", "More GLUE", abstract="GLUE again.")
    kg.add([Extraction(paper, mentions=(Mention(paper.id, "dataset", "GLUE", 0, 4, "abstract", "GLUE"),))])
    assert len(kg.neighbours("GLUE")) == 3


@pytest.mark.parametrize(
    "view, graph_type, nodes, edges",
    [("bipartite", nx.DiGraph, 12, 15), ("citation", nx.DiGraph, 3, 2), ("cooccurrence", nx.Graph, 7, 12)],
)
def test_api_to_networkx(kg: KnowledgeGraph, view: str, graph_type: type, nodes: int, edges: int) -> None:
    graph = kg.to_networkx(view)
    assert type(graph) is graph_type
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    assert kg.to_networkx(view) is not graph


def test_api_to_networkx_unknown_view(kg: KnowledgeGraph) -> None:
    with pytest.raises(
        UnknownNameError, match="unknown view 'tree'; choose one of: bipartite, citation, cooccurrence"
    ):
        kg.to_networkx("tree")


def test_api_viz_writes_a_page(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = kg.viz(tmp_path / "g.html", focus="GLUE", depth=1)
    assert path == tmp_path / "g.html"
    page = path.read_text(encoding="utf-8")
    assert "<html" in page and "RoBERTa" in page and "WMT 2014" not in page


# -- whole graph -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, format, parse_as", [("g.ttl", None, "turtle"), ("g.txt", "nt", "nt")])
def test_api_export(kg: KnowledgeGraph, tmp_path: Path, name: str, format: str | None, parse_as: str) -> None:
    path = kg.export(tmp_path / name, format)
    assert len(rdflib.Graph().parse(path, format=parse_as)) == len(kg.store)


def test_api_export_unknown_extension(kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="unknown export file extension '.txt'"):
        kg.export(tmp_path / "g.txt")


def test_api_stats_and_rdf(kg: KnowledgeGraph) -> None:
    stats = kg.stats()
    assert (stats["papers_in_corpus"], stats["papers_with_code"], stats["citations"]) == (3, 2, 2)
    assert stats == kg.store.stats()
    assert isinstance(kg.rdf, rdflib.Graph)
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    assert str(kg.rdf.value(rdflib.URIRef(ROBERTA), title)) == "RoBERTa"


# -- the sample corpus -----------------------------------------------------------------------------------


def test_api_sample_corpus_end_to_end(sample: KnowledgeGraph) -> None:
    papers = sample.papers()
    with_code, without = sample.papers(with_code=True), sample.papers(with_code=False)
    assert len(with_code) + len(without) == len(papers) == 43
    assert all(p.code for p in with_code) and not any(p.code for p in without)
    attention = sample.paper("1706.03762")
    assert attention.title == "Attention Is All You Need"
    assert attention.code == ("https://github.com/tensorflow/tensor2tensor",)
    imagenet = sample.entity("imagenet")
    assert imagenet.type == "dataset" and imagenet.papers >= 3
    assert {n.type for n in sample.neighbours(imagenet)} == {"paper"}
    counts = [e.papers for e in sample.entities("dataset")]
    assert counts == sorted(counts, reverse=True)
    assert sample.to_networkx("citation").number_of_edges() == sample.stats()["citations"]
