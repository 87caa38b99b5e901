"""Entity resolution: which surface forms become one entity, its labels, and re-extraction."""

from __future__ import annotations

import io
import warnings

import pytest
from citekg.errors import CitekgWarning
from citekg.graph import GraphStore
from citekg.graph.resolve import alias_map, explain_entity, find_entities, is_abbreviation, preferred_label
from citekg.graph.store import build_graph
from citekg.model import Extraction, Mention, Paper
from citekg.ontology.namespace import CITEKG_NS, CKG, RDF, RDFS, SKOS
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

NS = CITEKG_NS


def paper(n: int, abstract: str = "") -> Paper:
    return Paper(id=f"arxiv:2401.{n:05d}", title=f"Paper number {n}", abstract=abstract)


def extraction(
    n: int, *mentions: tuple[str, str, str], role: str = "used", version: str = "v1"
) -> Extraction:
    """Paper ``n`` with mentions given as (label, text, key); offsets laid out one after another."""
    p = paper(n)
    built, offset = [], 0
    for label, text, key in mentions:
        built.append(Mention(p.id, label, text, offset, offset + len(text), "abstract", key, role, 0.9, "t"))
        offset += len(text) + 1
    abstract = " ".join(text for _, text, _ in mentions)
    return Extraction(
        Paper(id=p.id, title=p.title, abstract=abstract), tuple(built), extractor_version=version
    )


def entities(graph: Graph) -> set[str]:
    return {str(e) for e in graph.subjects(RDF.type, CKG.Entity)}


def exported(store: GraphStore) -> Graph:
    buffer = io.BytesIO()
    store.export(buffer, "nt")
    return Graph().parse(data=buffer.getvalue(), format="nt")


# -- forms that must merge, and forms that must not ------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        ([("method", "Transformer", "Transformer")], [("method", "transformer", "transformer")]),
        (
            [("model", "Vision Transformer", "Vision Transformer")],
            [("model", "vision transformers", "vision transformers")],
        ),
        # an empty key falls back to the text
        ([("method", "Vision-Transformer", "Vision-Transformer")], [("method", "vision transformer", "")]),
        ([("model", "LLMs", "LLMs")], [("model", "LLM", "LLM")]),
        ([("dataset", "MS-COCO", "MS-COCO")], [("dataset", "ms coco", "ms coco")]),
        # an abbreviation pair written in one paper merges the forms other papers use alone
        ([("model", "ViT", "ViT")], [("model", "Vision Transformer", "ViT"), ("model", "ViT", "ViT")]),
        (
            [("model", "Deep Interest Network", "Deep Interest Network")],
            [("model", "Deep Interest Network", "DIN")],
        ),
    ],
)
def test_forms_that_must_merge(first, second):
    graph = build_graph([extraction(1, *first), extraction(2, *second)])
    assert len(entities(graph)) == 1, entities(graph)


def test_abbreviation_pair_merges_three_papers_into_one_entity():
    graph = build_graph(
        [
            extraction(1, ("model", "ViT", "vit")),
            extraction(2, ("model", "Vision Transformer", "vit"), ("model", "ViT", "vit")),
            extraction(3, ("model", "vision transformers", "vision transformers")),
        ]
    )
    vit = URIRef(NS + "model/vit")
    assert entities(graph) == {str(vit)}
    assert set(graph.objects(vit, SKOS.prefLabel)) == {Literal("ViT")}
    assert set(graph.objects(vit, SKOS.altLabel)) == {
        Literal("Vision Transformer"),
        Literal("vision transformers"),
    }
    assert set(graph.objects(vit, CKG.aliasKey)) == {Literal("vision-transformer")}
    # every paper's edge points at the one entity
    for n in (1, 2, 3):
        assert (URIRef(NS + f"paper/arxiv/2401.{n:05d}"), CKG.uses, vit) in graph


@pytest.mark.parametrize(
    "first, second, expected",
    [
        # the type keeps MAE the metric apart from MAE the masked autoencoder
        ([("metric", "MAE", "MAE")], [("method", "MAE", "MAE")], {"metric/mae", "method/mae"}),
        ([("model", "GPT-4", "GPT-4")], [("model", "GPT-4o", "GPT-4o")], {"model/gpt-4", "model/gpt-4o"}),
        ([("method", "C++", "C++")], [("method", "C", "C")], {"method/c%2B%2B", "method/c"}),
        ([("model", "BERT", "BERT")], [("model", "RoBERTa", "RoBERTa")], {"model/bert", "model/roberta"}),
        ([("method", "Loss", "loss")], [("method", "Los", "los")], {"method/loss", "method/los"}),
        # one surface form keyed two ways is ambiguous: it merges nothing
        (
            [("metric", "MAE", "mean absolute error")],
            [("metric", "MAE", "mean average error")],
            {"metric/mean-absolute-error", "metric/mean-average-error"},
        ),
    ],
)
def test_forms_that_must_stay_apart(first, second, expected):
    graph = build_graph([extraction(1, *first), extraction(2, *second)])
    assert entities(graph) == {NS + path for path in expected}


def test_ambiguous_abbreviation_does_not_merge_the_plain_form():
    graph = build_graph(
        [
            extraction(1, ("metric", "MAE", "mean absolute error")),
            extraction(2, ("metric", "MAE", "mean average error")),
            extraction(3, ("metric", "MAE", "MAE")),
        ]
    )
    assert NS + "metric/mae" in entities(graph)
    assert len(entities(graph)) == 3


@pytest.mark.parametrize(
    "evidence, expected",
    [
        ([], {}),
        ([("model", "vision-transformer", "vit")], {("model", "vision-transformer"): "vit"}),
        # a chain: both surface keys join the extractor's key
        (
            [("model", "vision-transformer", "vit"), ("model", "visual-transformer", "vit")],
            {("model", "vision-transformer"): "vit", ("model", "visual-transformer"): "vit"},
        ),
        # two extractor keys linked through one another: the smaller names the group
        (
            [("model", "vit", "vision-transformer"), ("model", "vision-transformer", "vit")],
            {("model", "vit"): "vision-transformer"},
        ),
        ([("metric", "mae", "a"), ("metric", "mae", "b")], {}),
        ([("metric", "x", "x")], {}),
    ],
)
def test_alias_map(evidence, expected):
    assert alias_map(evidence) == expected


@pytest.mark.parametrize(
    "forms, label",
    [
        ({"Transformer": 1}, "Transformer"),
        ({"transformer": 3, "Transformer": 1}, "transformer"),
        ({"transformer": 2, "Transformer": 2}, "Transformer"),
        ({"ViT": 2, "Vision Transformer": 2, "vit": 2}, "ViT"),
    ],
)
def test_preferred_label(forms, label):
    assert preferred_label(forms) == label


def test_preferred_label_needs_a_form():
    with pytest.raises(ValueError, match="at least one"):
        preferred_label({})


@pytest.mark.parametrize(
    "short, long, expected",
    [
        ("ViT", "Vision Transformer", True),
        ("DIN", "Deep Interest Network", True),
        ("GAN", "Transformer", False),
        ("BERT", "BERT", False),
    ],
)
def test_is_abbreviation(short, long, expected):
    assert is_abbreviation(short, long) is expected


def test_labels_come_from_all_papers_and_not_their_order():
    papers = [
        extraction(1, ("method", "transformer", "transformer")),
        extraction(2, ("method", "Transformer", "transformer")),
        extraction(3, ("method", "Transformer", "transformer")),
        extraction(4, ("method", "Transformers", "transformer")),
    ]
    graph = build_graph(papers)
    node = URIRef(NS + "method/transformer")
    assert set(graph.objects(node, SKOS.prefLabel)) == {Literal("Transformer")}
    assert set(graph.objects(node, RDFS.label)) == {Literal("Transformer")}
    assert set(graph.objects(node, SKOS.altLabel)) == {Literal("transformer"), Literal("Transformers")}


FORMS = st.sampled_from(
    [
        ("model", "ViT", "vit"),
        ("model", "Vision Transformer", "vit"),
        ("model", "vision transformers", "vision transformers"),
        ("method", "Transformer", "transformer"),
        ("method", "transformer", "transformer"),
        ("metric", "MAE", "mean absolute error"),
        ("metric", "MAE", "mae"),
    ]
)


@settings(max_examples=20, deadline=None)
@given(
    papers=st.lists(st.lists(FORMS, min_size=1, max_size=3, unique=True), min_size=1, max_size=5),
    data=st.data(),
)
def test_resolution_is_order_independent_and_incremental(papers, data):
    records = [extraction(n, *forms) for n, forms in enumerate(papers)]
    expected = build_graph(records)
    shuffled = data.draw(st.permutations(records))
    cut = data.draw(st.integers(0, len(shuffled)))
    with GraphStore.open(None) as store:
        store.add(shuffled[:cut])
        store.add(shuffled[cut:])
        store.add(shuffled[: cut // 2])  # re-adding changes nothing
        assert isomorphic(expected, exported(store))


# -- re-extraction ---------------------------------------------------------------------------------


def test_newer_extraction_replaces_that_papers_mentions_only():
    old = extraction(1, ("method", "FooNet", "foonet"), ("dataset", "ImageNet", "imagenet"), version="v1")
    other = extraction(2, ("dataset", "ImageNet", "imagenet"), ("dataset", "GLUE", "glue"), version="v1")
    new = extraction(1, ("method", "FooNet", "foonet"), ("metric", "BLEU", "bleu"), version="v2")
    with GraphStore.open(None) as store:
        store.add([old, other])
        report = store.update([new])
        stored = exported(store)
    assert report.replaced == [new.paper.id]
    assert isomorphic(stored, build_graph([new, other]))
    # ImageNet is still named by paper 2; the orphaned nothing else; BLEU arrived
    assert NS + "dataset/imagenet" in entities(stored) and NS + "metric/bleu" in entities(stored)


def test_replaced_mentions_drop_orphan_entities_and_undo_merges():
    pair = extraction(1, ("model", "Deep Interest Network", "din"), ("model", "DIN", "din"), version="v1")
    plain = extraction(2, ("model", "Deep Interest Network", "deep interest network"), version="v1")
    retracted = extraction(1, ("task", "CTR prediction", "ctr prediction"), version="v2")
    with GraphStore.open(None) as store:
        store.add([pair, plain])
        assert entities(exported(store)) == {NS + "model/din"}
        store.add([retracted])
        stored = exported(store)
    assert entities(stored) == {NS + "model/deep-interest-network", NS + "task/ctr-prediction"}
    assert isomorphic(stored, build_graph([retracted, plain]))


def test_older_extraction_keeps_the_newer_mentions():
    new = extraction(1, ("method", "FooNet", "foonet"), version="citekg-0.2.0")
    old = extraction(1, ("method", "BarNet", "barnet"), version="citekg-0.1.0")
    with GraphStore.open(None) as store:
        store.add([new])
        with pytest.warns(CitekgWarning, match="newer extractor"):
            report = store.update([old])
        assert report.kept_newer == [new.paper.id]
        assert entities(exported(store)) == {NS + "method/foonet"}


def test_same_version_readd_is_a_no_op():
    records = [extraction(1, ("method", "FooNet", "foonet")), extraction(2, ("method", "FooNet", "foonet"))]
    with GraphStore.open(None) as store:
        store.add(records)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert store.add(records) == 0
            assert store.update(records).triples_removed == 0


# -- explain ---------------------------------------------------------------------------------------


def test_explain_lists_forms_rules_and_papers():
    with GraphStore.open(None) as store:
        store.add(
            [
                extraction(1, ("model", "ViT", "vit"), ("model", "ViTs", "vit")),
                extraction(2, ("model", "Vision Transformer", "vit"), ("model", "ViT", "vit")),
                extraction(3, ("model", "vision transformers", "vision transformers")),
            ]
        )
        assert find_entities(store, "vision transformer") == [NS + "model/vit"]
        assert find_entities(store, "VIT") == [NS + "model/vit"]
        assert find_entities(store, "nothing") == []
        info = explain_entity(store, NS + "model/vit")
    assert (info["type"], info["label"], info["key"], info["alias_keys"]) == (
        "Model",
        "ViT",
        "vit",
        ["vision-transformer"],
    )
    rules = {form["form"]: form["rule"] for form in info["forms"]}
    assert rules == {
        "ViT": "preferred label",
        "ViTs": "plural",
        "Vision Transformer": "abbreviation pair (extraction)",
        "vision transformers": "alias key vision-transformer (abbreviation pair in paper arxiv:2401.00002)",
    }
    assert [p["id"] for p in info["papers"]] == ["arxiv:2401.00001", "arxiv:2401.00002", "arxiv:2401.00003"]


def test_explain_unknown_entity():
    with GraphStore.open(None) as store, pytest.raises(ValueError, match="not an entity"):
        explain_entity(store, NS + "model/nothing")
