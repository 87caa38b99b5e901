from __future__ import annotations

import pyoxigraph as ox
import pytest
from citekg.errors import UnknownNameError
from citekg.graph import list_queries, load_query
from citekg.ontology.namespace import CITEKG_NS, CKG
from rdflib import URIRef

NAMES = ["citations-in-graph", "count-papers", "entity-mentions", "papers-with-code", "top-entities"]


def rows(result) -> list[dict[str, str]]:
    variables = [v.value for v in result.variables]
    return [
        {name: term.value for name, term in zip(variables, row, strict=True) if term is not None}
        for row in result
    ]


def test_list_queries_names_and_descriptions():
    queries = list_queries()
    # The v0 queries keep their names; later ones (tests/test_api.py covers them) may join.
    assert set(NAMES) <= set(queries)
    assert list(queries) == sorted(queries)
    for name, description in queries.items():
        assert description, f"{name}.rq has no leading comment"
        assert not description.startswith("PREFIX")


@pytest.mark.parametrize("name", NAMES)
def test_canned_query_is_portable(name):
    text = load_query(name)
    assert load_query(f"{name}.rq") == text
    # declares its own prefixes, so it runs on a bare Oxigraph store too
    store = ox.Store()
    store.query(text)


def test_load_query_unknown_lists_names():
    with pytest.raises(UnknownNameError) as info:
        load_query("top-papers")
    assert str(info.value) == f"unknown query 'top-papers'; choose one of: {', '.join(list_queries())}"


def test_query_count_papers(kg):
    assert rows(kg.query(load_query("count-papers"))) == [
        {"papers": "5", "inCorpusPapers": "3", "externalPapers": "2"}
    ]


def test_query_papers_with_code(kg):
    assert rows(kg.query(load_query("papers-with-code"))) == [
        {
            "paper": CITEKG_NS + "paper/arxiv/1706.03762",
            "title": "Attention Is All You Need",
            "repoUrl": "https://github.com/tensorflow/tensor2tensor",
            "repoSlug": "tensorflow/tensor2tensor",
        },
        {
            "paper": CITEKG_NS + "paper/arxiv/1810.04805",
            "title": "BERT: Pre-training of Deep Bidirectional Transformers",
            "repoUrl": "https://github.com/google-research/bert",
            "repoSlug": "google-research/bert",
        },
    ]


def test_query_top_entities(kg):
    top = [
        (r["entity"].removeprefix(CITEKG_NS), r["label"], int(r["papers"]))
        for r in rows(kg.query(load_query("top-entities")))
    ]
    assert top[:2] == [("dataset/glue", "GLUE", 2), ("method/transformer", "Transformer", 2)]
    assert sorted(top[2:]) == [
        ("dataset/squad", "SQuAD", 1),
        ("dataset/wmt-2014", "WMT 2014", 1),
        ("metric/bleu", "BLEU", 1),
        ("model/bert", "BERT", 1),
    ]


@pytest.mark.parametrize(
    "type_, expected",
    [(CKG.Dataset, ["dataset/glue", "dataset/squad", "dataset/wmt-2014"]), (CKG.Task, [])],
)
def test_query_top_entities_of_one_type(kg, type_, expected):
    result = rows(kg.query(load_query("top-entities"), {"type": type_}))
    assert [r["entity"].removeprefix(CITEKG_NS) for r in result] == expected


def test_query_citations_in_graph(kg):
    found = [(r["citingTitle"], r["citedTitle"]) for r in rows(kg.query(load_query("citations-in-graph")))]
    assert found == [
        ("BERT: Pre-training of Deep Bidirectional Transformers", "Attention Is All You Need"),
        ('Robust "} ; DROP ALL ; # Probing', "BERT: Pre-training of Deep Bidirectional Transformers"),
    ]


def test_query_entity_mentions(kg):
    result = rows(
        kg.query(load_query("entity-mentions"), {"entity": URIRef(CITEKG_NS + "method/transformer")})
    )
    assert sorted(
        (
            r["paper"].removeprefix(CITEKG_NS),
            r["field"],
            int(r["start"]),
            int(r["end"]),
            r["surfaceForm"],
            r["role"],
            float(r["confidence"]),
            r["extractor"],
            r["extractorVersion"],
        )
        for r in result
    ) == [  # unsorted by the query
        ("paper/arxiv/1706.03762", "abstract", 4, 15, "Transformer", "proposed", 0.9, "patterns", "0.1.0"),
        ("paper/arxiv/1810.04805", "abstract", 32, 43, "transformer", "used", 0.8, "lexicons", "0.1.0"),
    ]


def test_query_entity_mentions_unknown_entity(kg):
    assert (
        rows(kg.query(load_query("entity-mentions"), {"entity": URIRef(CITEKG_NS + "method/nothing")})) == []
    )
