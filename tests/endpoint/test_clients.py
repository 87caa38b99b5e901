"""SPARQLWrapper, a standard client, against a live endpoint: every result format, GET and both POSTs."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

TITLES_QUERY = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?title WHERE { ?paper dcterms:title ?title } ORDER BY ?paper"""
EXPECTED_TITLES = [
    "Deep Interest Network for Click-Through Rate Prediction",
    "<script>alert(1)</script> Cross-site titles considered harmful",
    'Quotes " and backslashes \\ in a "title"',
    "Multilingual évaluation: 多言語 benchmarks",
]
CONSTRUCT_QUERY = (
    "CONSTRUCT { ?p <http://purl.org/dc/terms/title> ?t } WHERE { ?p <http://purl.org/dc/terms/title> ?t }"
)
# SPARQLWrapper builds rdflib ConjunctiveGraphs for RDF results; that deprecation is theirs, not ours.
rdf_client = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
METHODS = [
    pytest.param(GET, False, id="GET"),
    pytest.param(POST, False, id="POST-form"),
    pytest.param(POSTDIRECTLY, False, id="POST-direct"),
    pytest.param(GET, True, id="GET-conneg-only"),
]


def _client(url: str, query: str, method: str, fmt: str, conneg_only: bool) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setMethod(POST if method in (POST, POSTDIRECTLY) else GET)
    if method == POSTDIRECTLY:
        client.setRequestMethod(POSTDIRECTLY)
    client.setReturnFormat(fmt)
    client.setOnlyConneg(conneg_only)
    client.setTimeout(30)
    return client


@pytest.mark.parametrize(("method", "conneg_only"), METHODS)
def test_select_json(server, method, conneg_only):
    result = _client(server.url, TITLES_QUERY, method, JSON, conneg_only).queryAndConvert()
    assert result["head"]["vars"] == ["paper", "title"]
    assert [b["title"]["value"] for b in result["results"]["bindings"]] == EXPECTED_TITLES
    assert result["results"]["bindings"][3]["title"]["xml:lang"] == "en"


@pytest.mark.parametrize(("method", "conneg_only"), METHODS)
def test_select_xml(server, method, conneg_only):
    doc = _client(server.url, TITLES_QUERY, method, XML, conneg_only).queryAndConvert()
    literals = [node.firstChild.data for node in doc.getElementsByTagName("literal")]
    assert literals == EXPECTED_TITLES


@pytest.mark.parametrize(("method", "conneg_only"), METHODS)
@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(server, method, conneg_only, fmt, delimiter):
    raw = _client(server.url, TITLES_QUERY, method, fmt, conneg_only).queryAndConvert()
    text = raw.decode("utf-8")
    if fmt == CSV:
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["paper", "title"]
        assert [r[1] for r in rows[1:]] == EXPECTED_TITLES
    else:
        lines = text.splitlines()
        assert lines[0] == "?paper\t?title"
        assert lines[2].split("\t")[1] == '"<script>alert(1)</script> Cross-site titles considered harmful"'
        assert len(lines) == 5


@pytest.mark.parametrize(("method", "conneg_only"), METHODS)
@pytest.mark.parametrize(
    ("query", "expected"),
    [("ASK { ?s a <http://schema.org/Dataset> }", True), ("ASK { ?s a <http://schema.org/Person> }", False)],
)
def test_ask(server, method, conneg_only, query, expected):
    assert _client(server.url, query, method, JSON, conneg_only).queryAndConvert()["boolean"] is expected
    doc = _client(server.url, query, method, XML, conneg_only).queryAndConvert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()


def _expected_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for i, title in enumerate(EXPECTED_TITLES, start=1):
        literal = rdflib.Literal(title, lang="en") if i == 4 else rdflib.Literal(title)
        graph.add(
            (
                rdflib.URIRef(f"https://w3id.org/citekg/paper/arxiv-2401.0000{i}"),
                rdflib.DCTERMS.title,
                literal,
            )
        )
    return graph


@rdf_client
@pytest.mark.parametrize(("method", "conneg_only"), METHODS)
@pytest.mark.parametrize(
    ("fmt", "parse_as"), [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, None), (XML, None), (JSONLD, None)]
)
def test_construct(server, method, conneg_only, fmt, parse_as):
    converted = _client(server.url, CONSTRUCT_QUERY, method, fmt, conneg_only).queryAndConvert()
    if parse_as is not None:  # SPARQLWrapper hands back the bytes for Turtle and N3
        converted = rdflib.Graph().parse(data=converted, format="turtle")  # Turtle is what we send for N3
    assert isinstance(converted, rdflib.Graph)
    assert isomorphic(converted, _expected_graph())


@rdf_client
@pytest.mark.parametrize(("method", "conneg_only"), METHODS[:3])
def test_describe(server, method, conneg_only):
    graph = _client(
        server.url, "DESCRIBE <https://w3id.org/citekg/dataset/glue>", method, RDFXML, conneg_only
    ).queryAndConvert()
    assert (
        rdflib.URIRef("https://w3id.org/citekg/dataset/glue"),
        rdflib.URIRef("http://schema.org/name"),
        rdflib.Literal("GLUE"),
    ) in graph


def test_malformed_query_raises_querybadformed(server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="error at"):
        _client(server.url, "SELECT * WHERE {", GET, JSON, False).queryAndConvert()
