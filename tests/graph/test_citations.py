"""Citations per source, quoted titles, inferred builds-on edges, and paper merging across formats."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from citekg.graph import GraphStore
from citekg.graph.citations import builds_on, looks_like_title, quoted_titles
from citekg.graph.merge import merge_extractions, preferred_id
from citekg.graph.store import build_graph
from citekg.ids import title_id
from citekg.model import Extraction, Link, Mention, Paper
from citekg.ontology.iri import paper_id_from_iri
from citekg.ontology.namespace import CITEKG_NS, CITO, CKG, DCTERMS, RDF
from citekg.readers import read_papers
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

NS = CITEKG_NS
DATA = Path(__file__).resolve().parents[1] / "data"
ATTENTION = Paper(id="arxiv:1706.03762", title="Attention Is All You Need", abstract="The Transformer.")


def iri(paper_id: str) -> URIRef:
    scheme, _, value = paper_id.partition(":")
    return URIRef(f"{NS}paper/{scheme}/{value.replace('/', '%2F')}")


def citations(graph: Graph) -> set[tuple[str, str, str]]:
    """(citing, cited, source) of every Citation node."""
    return {
        (
            str(graph.value(c, CKG.sourcePaper)),
            str(graph.value(c, CKG.targetPaper)),
            str(graph.value(c, CKG.citationSource)),
        )
        for c in graph.subjects(RDF.type, CKG.Citation)
    }


def exported(store: GraphStore) -> Graph:
    buffer = io.BytesIO()
    store.export(buffer, "nt")
    return Graph().parse(data=buffer.getvalue(), format="nt")


# -- quoted titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            'Reproducibility Study of "Cooperate or Collapse: Emergence of Sustainable Cooperation"',
            ["Cooperate or Collapse: Emergence of Sustainable Cooperation"],
        ),
        (
            "as shown in “Attention Is All You Need” and ``Deep Residual Learning for Image Recognition''",
            ["Attention Is All You Need", "Deep Residual Learning for Image Recognition"],
        ),
        ("a model says, ``The code I write is insecure.''", []),
        ('the models exhibit "case-based" generalization', []),
        ("sibling models, a ‘parent’ model", []),
        ('we introduce a "simple yet effective" trick', []),
        ("it's the model's own 'Attention Is All You Need' view", []),  # straight single quotes: apostrophes
    ],
)
def test_quoted_titles(text, expected):
    assert quoted_titles(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Attention Is All You Need", True),
        ("MEND: Fast Model Editing at Scale", True),
        ("a b", False),
        ("Behavioral Fingerprinting", False),
        ("the quick brown fox jumps", False),
    ],
)
def test_looks_like_title(text, expected):
    assert looks_like_title(text) is expected


# -- citations per source --------------------------------------------------------------------------


def test_citation_from_metadata_id_lands_on_the_input_paper():
    citing = Paper(id="arxiv:2401.00001", title="Citing paper here", references=("arXiv:1706.03762v5",))
    graph = build_graph([Extraction(citing), Extraction(ATTENTION)])
    assert (iri(citing.id), CITO.cites, iri(ATTENTION.id)) in graph
    assert citations(graph) == {(str(iri(citing.id)), str(iri(ATTENTION.id)), "metadata")}


def test_title_only_reference_matches_an_input_paper_by_normalised_title():
    citing = Paper(
        id="arxiv:2401.00001", title="Citing paper here", references=("title:attention is all you need.",)
    )
    for order in ([citing, ATTENTION], [ATTENTION, citing]):
        with GraphStore.open(None) as store:
            for p in order:  # one paper per call: the match also works incrementally, in both orders
                store.add([Extraction(p)])
            graph = exported(store)
        assert set(graph.objects(iri(citing.id), CITO.cites)) == {iri(ATTENTION.id)}
        assert not (set(graph.subjects(RDF.type, CKG.Paper)) - {iri(citing.id), iri(ATTENTION.id)})


def test_unknown_references_become_external_papers_with_what_is_known():
    citing = Paper(
        id="arxiv:2401.00001",
        title="Citing paper here",
        references=("doi:10.5555/External", "title:Deep Residual Learning for Image Recognition"),
    )
    graph = build_graph([Extraction(citing)])
    doi, titled = iri("doi:10.5555/external"), iri(title_id("Deep Residual Learning for Image Recognition"))
    assert set(graph.objects(iri(citing.id), CITO.cites)) == {doi, titled}
    assert (titled, DCTERMS.title, Literal("Deep Residual Learning for Image Recognition")) in graph
    assert (doi, CKG.inCorpus, None) not in graph
    assert (doi, DCTERMS.identifier, Literal("doi:10.5555/external")) in graph


def test_citations_from_text_ids_links_and_quoted_titles():
    citing = Extraction(
        Paper(
            id="arxiv:2401.00001",
            title='Reproducibility Study of "Attention Is All You Need"',
            abstract='Unlike "Deep Residual Learning for Image Recognition", we see arXiv:1810.04805.',
        ),
        links=(Link("https://doi.org/10.1145/3292500", "https://doi.org/10.1145/3292500", "doi", "doi.org"),),
        references=("arxiv:1810.04805",),
    )
    graph = build_graph([citing])
    expected = {
        (title_id("Attention Is All You Need"), "text-title"),
        ("arxiv:1810.04805", "text-id"),
        ("doi:10.1145/3292500", "text-link"),
    }
    found = {(paper_id_from_iri(c), s) for _, c, s in citations(graph)}
    assert found == expected  # the abstract's quoted title names no paper in the graph: not cited
    evidence = {str(o) for o in graph.objects(None, CKG.evidenceText)}
    assert {"Attention Is All You Need", "arxiv:1810.04805", "https://doi.org/10.1145/3292500"} <= evidence


def test_quoted_title_in_abstract_cites_only_an_input_paper():
    citing = Paper(
        id="arxiv:2401.00001",
        title="Citing paper here",
        abstract='We revisit "Attention Is All You Need" and "Some Other Unknown Great Paper".',
    )
    graph = build_graph([Extraction(citing), Extraction(ATTENTION)])
    assert citations(graph) == {(str(iri(citing.id)), str(iri(ATTENTION.id)), "text-title")}


def test_external_title_node_is_folded_into_the_paper_when_it_arrives():
    study = Paper(id="arxiv:2401.00001", title='Reproducibility Study of "Attention Is All You Need"')
    with GraphStore.open(None) as store:
        store.add([Extraction(study)])
        external = iri(title_id("Attention Is All You Need"))
        assert (external, RDF.type, CKG.Paper) in exported(store)
        report = store.update([Extraction(ATTENTION)])
        graph = exported(store)
    assert report.redirected == [(title_id("Attention Is All You Need"), ATTENTION.id)]
    assert not any(external in triple for triple in graph)
    assert set(graph.objects(iri(study.id), CITO.cites)) == {iri(ATTENTION.id)}
    assert isomorphic(graph, build_graph([Extraction(study), Extraction(ATTENTION)]))


# -- builds on -------------------------------------------------------------------------------------


def test_builds_on_table():
    rows = [
        ("A", "x", "proposed", 0.9),
        ("B", "x", "used", 0.5),
        ("B", "x", "used", 0.8),
        ("C", "x", "compared", 1.0),
        ("D", "y", "proposed", 1.0),
        ("D", "x", "proposed", 0.5),
        ("E", "y", "mentioned", 1.0),
    ]
    found = {(e.paper, e.basis, e.entity, e.confidence) for e in builds_on(rows)}
    assert found == {("B", "A", "x", 0.72), ("B", "D", "x", 0.4)}
    # an entity "proposed" by too many papers is a common name, not a contribution
    assert builds_on(rows, max_proposers=1) == []


def mention(paper: Paper, label: str, text: str, role: str, confidence: float = 0.9) -> Mention:
    return Mention(paper.id, label, text, 0, len(text), "title", text, role, confidence, "patterns")


def test_builds_on_edge_with_evidence_never_cites():
    a = Paper(id="arxiv:2401.00001", title="FooNet: a new network")
    b = Paper(id="arxiv:2401.00002", title="FooNet for everything")
    records = [
        Extraction(a, mentions=(mention(a, "method", "FooNet", "proposed", 0.9),)),
        Extraction(b, mentions=(mention(b, "method", "FooNet", "used", 0.8),)),
    ]
    graph = build_graph(records)
    assert set(graph.subject_objects(CKG.buildsOn)) == {(iri(b.id), iri(a.id))}
    assert (iri(b.id), CITO.cites, iri(a.id)) not in graph
    (evidence,) = graph.subjects(RDF.type, CKG.BuildsOnEvidence)
    assert graph.value(evidence, CKG.viaEntity) == URIRef(NS + "method/foonet")
    assert float(graph.value(evidence, CKG.confidence)) == pytest.approx(0.72)


def test_builds_on_is_incremental_and_retracted_by_re_extraction():
    a = Paper(id="arxiv:2401.00001", title="FooNet: a new network")
    b = Paper(id="arxiv:2401.00002", title="FooNet for everything")
    user = Extraction(b, mentions=(mention(b, "method", "FooNet", "used"),), extractor_version="v1")
    proposer = Extraction(a, mentions=(mention(a, "method", "FooNet", "proposed"),), extractor_version="v1")
    with GraphStore.open(None) as store:
        store.add([user])  # the user first: the edge appears when the proposer arrives
        assert list(exported(store).subject_objects(CKG.buildsOn)) == []
        store.add([proposer])
        assert set(exported(store).subject_objects(CKG.buildsOn)) == {(iri(b.id), iri(a.id))}
        # B re-extracted by a newer extractor no longer uses FooNet: edge and evidence go
        newer = Extraction(b, mentions=(mention(b, "task", "everything", "used"),), extractor_version="v2")
        store.add([newer])
        graph = exported(store)
    assert list(graph.subject_objects(CKG.buildsOn)) == []
    assert list(graph.subjects(RDF.type, CKG.BuildsOnEvidence)) == []
    assert isomorphic(graph, build_graph([proposer, newer]))


# -- paper merging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids, expected",
    [
        (["doi:10.1/x", "arxiv:1706.03762"], "arxiv:1706.03762"),
        (["s2:b", "s2:a"], "s2:a"),
        (["title:0123456789abcdef", "openalex:W1"], "openalex:W1"),
        (["pmid:1", "dblp:x"], "pmid:1"),
    ],
)
def test_preferred_id(ids, expected):
    assert preferred_id(ids) == expected


def fixture_papers(name: str, fmt: str | None = None) -> list[Extraction]:
    return [Extraction(p) for p in read_papers(DATA / name, format=fmt)]


@pytest.mark.parametrize(
    "files, merged_into, merged_from",
    [
        # Semantic Scholar knows BERT's arXiv id; the BibTeX entry only its DOI and title
        (["s2-papers.json", "papers.bib"], "arxiv:1810.04805", "doi:10.18653/v1/n19-1423"),
        # citekg's record of ResNet is under its DOI; OpenAlex gives the arXiv id and the DOI
        (["citekg-papers.jsonl", "openalex-works.jsonl"], "arxiv:1512.03385", "doi:10.1109/cvpr.2016.90"),
    ],
)
def test_merge_across_formats(files, merged_into, merged_from):
    records = [e for name in files for e in fixture_papers(name)]
    merged, merges = merge_extractions(records)
    assert merged_into in {e.paper.id for e in merged}
    assert merged_from not in {e.paper.id for e in merged}
    assert any(m.into == merged_into and merged_from in m.merged for m in merges)
    # the graph has one node for the paper, carrying both ids
    graph = build_graph(records)
    node = iri(merged_into)
    assert (iri(merged_from), RDF.type, CKG.Paper) not in graph
    assert (node, DCTERMS.identifier, Literal(merged_from)) in graph
    assert len(set(graph.objects(node, DCTERMS.title))) == 1


def test_merge_with_a_paper_already_in_the_store_is_reported_and_redirects_references():
    s2 = fixture_papers("s2-papers.json")
    bib = fixture_papers("papers.bib")
    citing = Extraction(
        Paper(id="arxiv:2401.00001", title="Citing paper here", references=("doi:10.18653/v1/n19-1423",))
    )
    with GraphStore.open(None) as store:
        store.add(s2)
        report = store.update([*bib, citing])
        graph = exported(store)
    assert any(
        m.into == "arxiv:1810.04805" and m.merged == ("doi:10.18653/v1/n19-1423",) for m in report.merges
    )
    assert set(graph.objects(iri(citing.paper.id), CITO.cites)) == {iri("arxiv:1810.04805")}
    assert (iri("doi:10.18653/v1/n19-1423"), None, None) not in graph
    # the stored text stays the node's only title
    assert len(set(graph.objects(iri("arxiv:1810.04805"), DCTERMS.title))) == 1


def test_merge_is_order_independent_within_a_run():
    records = fixture_papers("s2-papers.json") + fixture_papers("papers.bib")
    assert isomorphic(build_graph(records), build_graph(list(reversed(records))))
