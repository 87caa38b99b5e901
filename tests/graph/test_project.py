"""NetworkX views: typed nodes, one edge per paper-entity pair, evidence sentences, citations."""

from __future__ import annotations

import pytest
from citekg.errors import UnknownNameError
from citekg.graph.project import sentence_around, to_networkx
from citekg.graph.store import GraphStore
from citekg.model import Extraction, Link, Mention, Paper

ABSTRACT = "We propose FooNet. FooNet beats BERT on GLUE. Code: github.com/a/foonet."


def _extractions() -> list[Extraction]:
    a = Paper("arxiv:2401.00001", "FooNet", abstract=ABSTRACT, year=2024, references=("arxiv:1810.04805",))
    b = Paper("arxiv:1810.04805", "BERT", abstract="We use GLUE.", year=2018)
    start = ABSTRACT.index("GLUE")
    return [
        Extraction(
            a,
            mentions=(
                Mention(a.id, "method", "FooNet", 11, 17, "abstract", "foonet", "proposed", 0.8, "patterns"),
                Mention(a.id, "method", "FooNet", 19, 25, "abstract", "foonet", "used", 0.95, "patterns"),
                Mention(a.id, "model", "BERT", 32, 36, "abstract", "bert", "used", 0.9, "lexicon"),
                Mention(
                    a.id, "dataset", "GLUE", start, start + 4, "abstract", "glue", "used", 0.9, "lexicon"
                ),
            ),
            links=(
                Link(
                    "github.com/a/foonet",
                    "https://github.com/a/foonet",
                    "code",
                    "github.com",
                    "a/foonet",
                    52,
                    71,
                    "abstract",
                ),
            ),
        ),
        Extraction(
            b, mentions=(Mention(b.id, "dataset", "GLUE", 7, 11, "abstract", "glue", "used", 0.9, "lexicon"),)
        ),
    ]


@pytest.fixture()
def store() -> GraphStore:
    kg = GraphStore.open(None)
    kg.add(_extractions())
    return kg


def test_project_bipartite_nodes_and_edges(store: GraphStore) -> None:
    graph = to_networkx(store, "bipartite")
    types = sorted(data["type"] for _, data in graph.nodes(data=True))
    assert types == ["code_repository", "dataset", "method", "model", "paper", "paper"]
    relations = sorted(data["relation"] for *_, data in graph.edges(data=True))
    assert relations == ["cites", "has_code", "proposes", "uses", "uses", "uses"]


def test_project_bipartite_proposing_wins_and_evidence_is_the_sentence(store: GraphStore) -> None:
    graph = to_networkx(store, "bipartite")
    paper = next(n for n, d in graph.nodes(data=True) if d.get("title") == "FooNet")
    method = next(n for n, d in graph.nodes(data=True) if d["type"] == "method")
    edge = graph.edges[paper, method]
    assert edge["relation"] == "proposes"
    assert edge["evidence"] == "We propose FooNet."
    assert edge["evidence"][edge["evidence_start"] : edge["evidence_end"]] == "FooNet"


def test_project_cooccurrence_counts_papers(store: GraphStore) -> None:
    graph = to_networkx(store, "cooccurrence")
    weights = {
        frozenset(n.rsplit("/", 1)[-1] for n in (a, b)): d["weight"] for a, b, d in graph.edges(data=True)
    }
    assert weights == {
        frozenset({"foonet", "bert"}): 1,
        frozenset({"foonet", "glue"}): 1,
        frozenset({"bert", "glue"}): 1,
    }


def test_project_citation_view(store: GraphStore) -> None:
    graph = to_networkx(store, "citation")
    assert graph.number_of_nodes() == 2
    assert [d["relation"] for *_, d in graph.edges(data=True)] == ["cites"]


def test_project_unknown_view(store: GraphStore) -> None:
    with pytest.raises(UnknownNameError, match="unknown view 'tree'; choose one of: bipartite"):
        to_networkx(store, "tree")


@pytest.mark.parametrize(
    "text, start, end, expected",
    [
        ("One. Two three. Four.", 5, 8, "Two three."),
        ("No boundary here", 3, 11, "No boundary here"),
        ("We use e.g. BERT. Next.", 12, 16, "We use e.g. BERT."),
    ],
)
def test_project_sentence_around(text: str, start: int, end: int, expected: str) -> None:
    sentence, s, e = sentence_around(text, start, end)
    assert sentence == expected
    assert sentence[s:e] == text[start:end]
