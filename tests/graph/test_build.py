from __future__ import annotations

import subprocess
import sys

import pytest
from citekg.errors import CitekgWarning
from citekg.graph import triples_for
from citekg.ids import title_id
from citekg.model import Extraction, Link, Mention, Paper
from citekg.ontology.namespace import (
    CITEKG_NS,
    CITO,
    CKG,
    DCTERMS,
    FABIO,
    PRISM,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic

ATTENTION = "arxiv:1706.03762"
BERT = "arxiv:1810.04805"
NS = CITEKG_NS


def graph_of(*extractions: Extraction, base: str = CITEKG_NS) -> Graph:
    graph = Graph()
    for extraction in extractions:
        for triple in triples_for(extraction, base=base):
            graph.add(triple)
    return graph


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(expected, actual)
        lines = ["graphs differ", "only in expected:"]
        lines += sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_expected)
        lines += ["only in actual:"] + sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_actual)
        pytest.fail("\n".join(lines))


def iri(path: str) -> URIRef:
    return URIRef(NS + path)


PAPER = iri("paper/arxiv/1706.03762")


@pytest.mark.parametrize(
    "predicate, obj",
    [
        (RDF.type, CKG.Paper),
        (CKG.inCorpus, Literal(True)),
        (DCTERMS.identifier, Literal("arxiv:1706.03762")),
        (DCTERMS.identifier, Literal("doi:10.48550/arxiv.1706.03762")),
        (CKG.arxivId, Literal("1706.03762")),
        (PRISM.doi, Literal("10.48550/arxiv.1706.03762")),
        (DCTERMS.title, Literal("Attention Is All You Need")),
        (DCTERMS.abstract, Literal("The Transformer beats prior work on WMT 2014 by 2 BLEU.")),
        (DCTERMS.creator, Literal("Ashish Vaswani")),
        (DCTERMS.creator, Literal("Noam Shazeer")),
        (CKG.authorList, Literal("Ashish Vaswani; Noam Shazeer")),
        (FABIO.hasPublicationYear, Literal("2017", datatype=XSD.gYear)),
        (PRISM.publicationName, Literal("NeurIPS")),
        (SCHEMA.url, URIRef("https://arxiv.org/abs/1706.03762")),
        (CKG.mentions, iri("method/transformer")),
        (CKG.proposes, iri("method/transformer")),
        (CKG.uses, iri("dataset/wmt-2014")),
        (CKG.mentions, iri("metric/bleu")),
        (CKG.hasCode, iri("repo/github.com/tensorflow/tensor2tensor")),
        (CKG.hasLink, iri("repo/github.com/tensorflow/tensor2tensor")),
    ],
)
def test_build_paper_triples(corpus, predicate, obj):
    assert (PAPER, predicate, obj) in graph_of(corpus[0])


def test_build_paper_has_exactly_these_metadata_values(corpus):
    graph = graph_of(corpus[0])
    assert set(graph.objects(PAPER, DCTERMS.title)) == {Literal("Attention Is All You Need")}
    # the paper's link to its own arXiv page is not a self-citation
    assert list(graph.objects(PAPER, CITO.cites)) == []
    assert list(graph.objects(PAPER, CKG.compares)) == []


def test_build_mention_provenance(corpus):
    graph = graph_of(corpus[0])
    mention = iri("mention/arxiv/1706.03762/abstract/4-15/method")
    expected = {
        (RDF.type, CKG.Mention),
        (CKG.mentionOf, iri("method/transformer")),
        (CKG.inPaper, PAPER),
        (CKG.field, Literal("abstract")),
        (CKG.start, Literal(4)),
        (CKG.end, Literal(15)),
        (CKG.surfaceForm, Literal("Transformer")),
        (CKG.role, Literal("proposed")),
        (CKG.confidence, Literal("0.9", datatype=XSD.double)),
        (CKG.extractor, Literal("patterns")),
        (CKG.extractorVersion, Literal("0.1.0")),
        (CKG.mentionKey, Literal("transformer")),
        (CKG.sentence, Literal("The Transformer beats prior work on WMT 2014 by 2 BLEU.")),
    }
    assert set(graph.predicate_objects(mention)) == expected


def test_build_mention_surface_key_only_when_it_differs():
    paper = Paper(id="arxiv:2401.00001", title="T", abstract="Deep Interest Network (DIN) and DINs.")
    mentions = (
        Mention(paper.id, "model", "Deep Interest Network", 0, 21, "abstract", "din"),
        Mention(paper.id, "model", "DIN", 23, 26, "abstract", "din"),
        Mention(paper.id, "model", "DINs", 32, 36, "abstract", "din"),
    )
    graph = graph_of(Extraction(paper, mentions=mentions))
    assert set(graph.subject_objects(CKG.surfaceKey)) == {
        (iri("mention/arxiv/2401.00001/abstract/0-21/model"), Literal("deep-interest-network"))
    }
    assert set(graph.objects(None, CKG.mentionKey)) == {Literal("din")}


@pytest.mark.parametrize(
    "abstract, start, end, sentence",
    [
        ("We use BERT. We test on GLUE, e.g. SST-2. Done.", 24, 28, "We test on GLUE, e.g. SST-2."),
        ("One sentence only", 4, 12, "One sentence only"),
        ("A. B uses X. C.", 9, 10, "B uses X."),
    ],
)
def test_build_mention_sentence(abstract, start, end, sentence):
    paper = Paper(id="arxiv:2401.00001", title="T", abstract=abstract)
    mention = Mention(paper.id, "dataset", abstract[start:end], start, end, "abstract", "x")
    assert set(graph_of(Extraction(paper, mentions=(mention,))).objects(None, CKG.sentence)) == {
        Literal(sentence)
    }


def test_build_mention_outside_its_field_has_no_sentence():
    paper = Paper(id="arxiv:2401.00001", title="T", abstract="short")
    mention = Mention(paper.id, "dataset", "GLUE", 40, 44, "abstract", "glue")
    graph = graph_of(Extraction(paper, mentions=(mention,)))
    assert list(graph.objects(None, CKG.sentence)) == []
    assert len(list(graph.subjects(RDF.type, CKG.Mention))) == 1


def test_build_entity_node_has_no_labels_before_resolution(corpus):
    graph = graph_of(*corpus)
    transformer = iri("method/transformer")
    assert set(graph.objects(transformer, RDF.type)) == {CKG.Method, CKG.Entity}
    assert set(graph.objects(transformer, CKG.key)) == {Literal("transformer")}
    # labels depend on every paper naming the entity: the store's resolution pass writes them
    for prop in (SKOS.prefLabel, RDFS.label, SKOS.altLabel):
        assert list(graph.objects(transformer, prop)) == []


@pytest.mark.parametrize(
    "role, edges",
    [
        ("proposed", {CKG.mentions, CKG.proposes}),
        ("used", {CKG.mentions, CKG.uses}),
        ("compared", {CKG.mentions, CKG.compares}),
        ("mentioned", {CKG.mentions}),
        ("something-new", {CKG.mentions}),
    ],
)
def test_build_role_edges(role, edges):
    paper = Paper(id="arxiv:2401.00001", title="T")
    mention = Mention(paper.id, "dataset", "ImageNet", 0, 8, "abstract", "imagenet", role)
    graph = graph_of(Extraction(paper, mentions=(mention,)))
    assert set(graph.predicates(iri("paper/arxiv/2401.00001"), iri("dataset/imagenet"))) == edges


@pytest.mark.parametrize(
    "label, cls, path",
    [
        ("method", CKG.Method, "method/x-net"),
        ("dataset", CKG.Dataset, "dataset/x-net"),
        ("model", CKG.Model, "model/x-net"),
        ("task", CKG.Task, "task/x-net"),
        ("metric", CKG.Metric, "metric/x-net"),
        ("METHOD", CKG.Method, "method/x-net"),
        ("gadget", CKG.Entity, "entity/x-net"),
    ],
)
def test_build_entity_types_by_label(label, cls, path):
    paper = Paper(id="arxiv:2401.00001", title="T")
    graph = graph_of(Extraction(paper, mentions=(Mention(paper.id, label, "X-Net", 0, 5, "title", "X-Net"),)))
    assert (iri(path), RDF.type, cls) in graph
    assert (iri(path), RDF.type, CKG.Entity) in graph


@pytest.mark.parametrize(
    "link, node, types, edge, extra",
    [
        (
            Link("https://github.com/a/b", "https://github.com/a/b", "code", "github.com", "a/b"),
            "repo/github.com/a/b",
            {CKG.CodeRepository, CKG.WebResource},
            CKG.hasCode,
            {(CKG.repoSlug, Literal("a/b")), (CKG.host, Literal("github.com"))},
        ),
        (
            Link("https://x.github.io/", "https://x.github.io", "project_page", "x.github.io"),
            "page/x.github.io",
            {CKG.ProjectPage, CKG.WebResource},
            CKG.hasProjectPage,
            {(SCHEMA.url, URIRef("https://x.github.io")), (CKG.linkKind, Literal("project_page"))},
        ),
        (
            Link("https://zenodo.org/record/1", "https://zenodo.org/record/1", "dataset", "zenodo.org"),
            "link/dataset/zenodo.org/record/1",
            {CKG.WebResource},
            None,
            {(CKG.linkKind, Literal("dataset"))},
        ),
        (
            Link(
                "https://aclanthology.org/N19-1423",
                "https://aclanthology.org/N19-1423",
                "paper",
                "aclanthology.org",
            ),
            "link/paper/aclanthology.org/N19-1423",
            {CKG.WebResource},
            None,
            set(),
        ),
    ],
)
def test_build_link_nodes(link, node, types, edge, extra):
    paper = Paper(id="arxiv:2401.00001", title="T")
    graph = graph_of(Extraction(paper, links=(link,)))
    p, n = iri("paper/arxiv/2401.00001"), iri(node)
    assert set(graph.objects(n, RDF.type)) == types
    assert (p, CKG.hasLink, n) in graph
    assert set(graph.predicates(p, n)) == ({CKG.hasLink, edge} if edge else {CKG.hasLink})
    assert extra <= set(graph.predicate_objects(n))


@pytest.mark.parametrize(
    "link, cited",
    [
        (
            Link("arxiv.org/abs/1706.03762v5", "https://arxiv.org/abs/1706.03762", "paper", "arxiv.org"),
            "paper/arxiv/1706.03762",
        ),
        (
            Link(
                "https://doi.org/10.18653/v1/N19-1423",
                "https://doi.org/10.18653/v1/n19-1423",
                "doi",
                "doi.org",
            ),
            "paper/doi/10.18653%2Fv1%2Fn19-1423",
        ),
    ],
)
def test_build_paper_links_are_citations(link, cited):
    paper = Paper(id="arxiv:2401.00001", title="T")
    graph = graph_of(Extraction(paper, links=(link,)))
    p = iri("paper/arxiv/2401.00001")
    assert (p, CITO.cites, iri(cited)) in graph
    assert (iri(cited), RDF.type, CKG.Paper) in graph
    assert list(graph.objects(p, CKG.hasLink)) == []


@pytest.mark.parametrize(
    "reference, cited, title",
    [
        ("arxiv:1706.03762v2", "paper/arxiv/1706.03762", None),
        ("doi:10.1145/ABC.1", "paper/doi/10.1145%2Fabc.1", None),
        ("https://doi.org/10.1145/abc.1", "paper/doi/10.1145%2Fabc.1", None),
        ("1706.03762", "paper/arxiv/1706.03762", None),
        ("openalex:W2963403868", "paper/openalex/W2963403868", None),
        ("s2:abc123", "paper/s2/abc123", None),
        ("title:37f63852cdfb0690", "paper/title/37f63852cdfb0690", None),
        (
            "title:Deep Residual Learning for Image Recognition",
            "paper/title/" + title_id("Deep Residual Learning for Image Recognition").split(":")[1],
            "Deep Residual Learning for Image Recognition",
        ),
    ],
)
def test_build_references(reference, cited, title):
    paper = Paper(id="arxiv:2401.00001", title="T", references=(reference,))
    graph = graph_of(Extraction(paper))
    p, c = iri("paper/arxiv/2401.00001"), iri(cited)
    assert (p, CITO.cites, c) in graph
    assert (c, RDF.type, CKG.Paper) in graph
    assert (c, CKG.inCorpus, None) not in graph  # an external paper
    assert set(graph.objects(c, DCTERMS.title)) == ({Literal(title)} if title else set())


def test_build_in_text_references_and_self_citation():
    paper = Paper(id="arxiv:2401.00001", title="T", references=("arxiv:2401.00001",))
    extraction = Extraction(paper, references=("arxiv:1706.03762", "arxiv:2401.00001v2"))
    graph = graph_of(extraction)
    assert set(graph.objects(iri("paper/arxiv/2401.00001"), CITO.cites)) == {iri("paper/arxiv/1706.03762")}


@pytest.mark.parametrize("reference", ["", "title:", "not a reference", "arxiv:nonsense"])
def test_build_bad_reference_warns_and_is_skipped(reference):
    paper = Paper(id="arxiv:2401.00001", title="T", references=(reference,))
    with pytest.warns(CitekgWarning, match="skipped"):
        graph = graph_of(Extraction(paper))
    assert list(graph.objects(None, CITO.cites)) == []


def test_build_mention_without_key_warns_and_is_skipped():
    paper = Paper(id="arxiv:2401.00001", title="T")
    mention = Mention(paper.id, "method", "--", 0, 2, "title", " ")
    with pytest.warns(CitekgWarning, match="no usable key"):
        graph = graph_of(Extraction(paper, mentions=(mention,)))
    assert list(graph.subjects(RDF.type, CKG.Mention)) == []


def test_build_mention_key_falls_back_to_text():
    paper = Paper(id="arxiv:2401.00001", title="T")
    graph = graph_of(Extraction(paper, mentions=(Mention(paper.id, "model", "GPT-4o", 0, 6, "title", ""),)))
    assert (iri("model/gpt-4o"), CKG.key, Literal("gpt-4o")) in graph


@pytest.mark.parametrize(
    "paper, absent",
    [
        (
            Paper(id="arxiv:2401.00001", title="T"),
            {
                DCTERMS.abstract,
                DCTERMS.creator,
                CKG.authorList,
                FABIO.hasPublicationYear,
                PRISM.publicationName,
                SCHEMA.url,
            },
        ),
        (Paper(id="arxiv:2401.00001", title="", url="arxiv.org/abs/2401.00001"), {DCTERMS.title, SCHEMA.url}),
    ],
)
def test_build_empty_fields_are_left_out(paper, absent):
    graph = graph_of(Extraction(paper))
    assert absent.isdisjoint(set(graph.predicates(iri("paper/arxiv/2401.00001"))))


def test_build_unsafe_url_is_escaped():
    paper = Paper(id="arxiv:2401.00001", title="T", url='https://example.org/a b"<x>')
    graph = graph_of(Extraction(paper))
    assert set(graph.objects(iri("paper/arxiv/2401.00001"), SCHEMA.url)) == {
        URIRef("https://example.org/a%20b%22%3Cx%3E")
    }


@pytest.mark.parametrize("confidence, lexical", [(1.0, "1"), (0.0, "0"), (0.5, "0.5"), (0.123456, "0.1235")])
def test_build_confidence_is_canonical_double(confidence, lexical):
    paper = Paper(id="arxiv:2401.00001", title="T")
    mention = Mention(paper.id, "task", "QA", 0, 2, "title", "qa", confidence=confidence)
    graph = graph_of(Extraction(paper, mentions=(mention,)))
    assert set(graph.objects(None, CKG.confidence)) == {Literal(lexical, datatype=XSD.double)}


def test_build_no_blank_nodes_and_deterministic(corpus):
    for extraction in corpus:
        first = list(triples_for(extraction))
        assert first == list(triples_for(extraction))
        assert len(first) == len(set(first))
        for triple in first:
            assert not any(isinstance(term, BNode) for term in triple)
            assert isinstance(triple[0], URIRef) and isinstance(triple[1], URIRef)


def test_build_base_moves_instance_iris_only(corpus):
    base = "http://example.org/kg/"
    graph = graph_of(*corpus, base=base)
    for s, p, o in graph:
        assert str(s).startswith(base)
        assert not str(p).startswith(base)
        if isinstance(o, URIRef) and str(o).startswith(CITEKG_NS):
            assert p == RDF.type  # only vocabulary classes stay in the citekg namespace
    assert (URIRef(base + "paper/arxiv/1706.03762"), RDF.type, CKG.Paper) in graph


def test_build_rejects_unprefixed_paper_id():
    with pytest.raises(ValueError, match="not scheme-prefixed"):
        list(triples_for(Extraction(Paper(id="1706.03762", title="T"))))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_build_order_independent_and_idempotent(corpus, data):
    extractions = list(corpus) * 2 + [corpus[1]]
    shuffled = data.draw(st.permutations(extractions))
    assert_isomorphic(graph_of(*corpus), graph_of(*shuffled))


@settings(max_examples=25, deadline=None)
@given(
    mentions=st.lists(
        st.tuples(
            st.sampled_from(["method", "dataset", "model"]),
            st.sampled_from(["BERT", "bert", "Llama 2", "llama-2", "GLUE", "C++"]),
            st.integers(0, 20),
            st.sampled_from(["used", "proposed"]),
        ),
        max_size=6,
    ),
    data=st.data(),
)
def test_build_labels_do_not_depend_on_paper_order(mentions, data):
    extractions = [
        Extraction(
            Paper(id=f"arxiv:2401.{i:05d}", title="T"),
            mentions=(Mention(f"arxiv:2401.{i:05d}", label, key, start, start + 3, "abstract", key, role),),
        )
        for i, (label, key, start, role) in enumerate(mentions)
    ]
    shuffled = data.draw(st.permutations(extractions))
    assert_isomorphic(graph_of(*extractions), graph_of(*shuffled))


def test_import_graph_does_not_load_spacy():
    code = "import sys, citekg.graph, citekg.ontology; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
