from __future__ import annotations

import pytest
from citekg.ontology import ontology_path
from citekg.ontology.namespace import CITEKG_NS, CKG, PREFIXES
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def ttl_terms(graph: Graph) -> set[str]:
    """Terms the TTL defines: typed subjects in the citekg namespace, the ontology IRI itself excluded."""
    return {
        str(s).removeprefix(CITEKG_NS)
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(CITEKG_NS) and str(s) != CITEKG_NS
    }


def test_namespace_terms_equal_ttl_terms(vocabulary):
    declared = set(CKG.__annotations__)
    defined = ttl_terms(vocabulary)
    assert declared - defined == set(), "in namespace.py but not in citekg.ttl"
    assert defined - declared == set(), "in citekg.ttl but not in namespace.py"


def test_ontology_header(vocabulary):
    assert (URIRef(CITEKG_NS), RDF.type, OWL.Ontology) in vocabulary


@pytest.mark.parametrize("term", sorted(CKG.__annotations__))
def test_every_term_is_labelled_commented_and_typed(vocabulary, term):
    iri = CKG[term]
    assert vocabulary.value(iri, RDFS.label) is not None
    assert vocabulary.value(iri, RDFS.comment) is not None
    kinds = set(vocabulary.objects(iri, RDF.type))
    assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    # classes are UpperCamel, properties lowerCamel (STYLE §4.11)
    assert term[0].isupper() == (OWL.Class in kinds)


@pytest.mark.parametrize(
    "term, parents",
    [
        ("Paper", {"https://schema.org/ScholarlyArticle", "http://purl.org/spar/fabio/ScholarlyWork"}),
        ("Dataset", {CITEKG_NS + "Entity", "https://schema.org/Dataset"}),
        ("CodeRepository", {CITEKG_NS + "WebResource", "https://schema.org/SoftwareSourceCode"}),
        ("ProjectPage", {CITEKG_NS + "WebResource", "https://schema.org/WebPage"}),
        ("Mention", {"http://www.w3.org/ns/prov#Entity"}),
    ],
)
def test_class_alignment(vocabulary, term, parents):
    assert {str(o) for o in vocabulary.objects(CKG[term], RDFS.subClassOf)} == parents


@pytest.mark.parametrize(
    "term, parents",
    [
        ("proposes", {CITEKG_NS + "mentions"}),
        ("uses", {CITEKG_NS + "mentions"}),
        ("compares", {CITEKG_NS + "mentions"}),
        ("mentions", {"https://schema.org/mentions"}),
        ("hasCode", {CITEKG_NS + "hasLink", "https://schema.org/codeRepository"}),
        ("hasProjectPage", {CITEKG_NS + "hasLink"}),
        ("inPaper", {"http://www.w3.org/ns/prov#wasDerivedFrom"}),
    ],
)
def test_property_alignment(vocabulary, term, parents):
    assert {str(o) for o in vocabulary.objects(CKG[term], RDFS.subPropertyOf)} == parents


def test_namespace_fails_on_unknown_term():
    with pytest.raises(AttributeError, match="not in namespace"):
        CKG.Paperr  # noqa: B018


def test_prefixes_use_the_namespace_constant():
    assert PREFIXES["ckg"] == CITEKG_NS == str(CKG._NS)
    assert PREFIXES["schema"] == "https://schema.org/"
