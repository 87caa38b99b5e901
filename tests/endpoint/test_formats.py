"""Content negotiation, the SERVICE/LOAD guard and the executor, without a server."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from citekg.graph._endpoint_exec import Job, _cut_tsv, check_text, execute, query_form
from citekg.graph._endpoint_formats import choose_format, format_from_param, parse_accept


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, "results", "json"),
        ("", "results", "json"),
        ("*/*", "results", "json"),
        ("*/*", "graph", "turtle"),
        ("application/sparql-results+xml", "results", "xml"),
        ("text/csv", "results", "csv"),
        ("text/tab-separated-values", "results", "tsv"),
        ("application/json", "results", "json"),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.8", "results", "tsv"),
        ("text/csv;q=0.9, */*;q=0.1", "results", "csv"),
        ("application/sparql-results+json;q=0, */*", "results", "xml"),
        ("text/turtle", "graph", "turtle"),
        ("application/n-triples", "graph", "nt"),
        ("application/ld+json", "graph", "jsonld"),
        ("application/rdf+xml", "graph", "rdfxml"),
        ("text/turtle;q=0.5, application/rdf+xml", "graph", "rdfxml"),
        # SPARQLWrapper's Accept for CONSTRUCT + TURTLE and for JSON-LD
        ("application/turtle,text/turtle", "graph", "turtle"),
        ("application/ld+json,application/x-json+ld", "graph", "jsonld"),
        # a browser: XML at 0.9 beats */* at 0.8
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "results", "xml"),
        ("text/html", "results", None),
        ("image/png", "graph", None),
        ("text/turtle", "results", None),
        ("text/csv", "graph", None),
        ("*/*;q=0", "results", None),
    ],
)
def test_choose_format(accept, kind, expected):
    fmt = choose_format(accept, kind)
    assert (fmt.key if fmt else None) == expected


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        (["json"], "results", "json"),
        (["xml"], "results", "xml"),
        (["csv"], "results", "csv"),
        (["tsv", "text/tab-separated-values"], "results", "tsv"),
        (["application/sparql-results+json"], "results", "json"),
        (["turtle"], "graph", "turtle"),
        (["nt"], "graph", "nt"),
        (["jsonld"], "graph", "jsonld"),
        (["json-ld", "application/ld+json"], "graph", "jsonld"),
        (["rdfxml"], "graph", "rdfxml"),
        (["xml"], "graph", "rdfxml"),
        (["json"], "graph", "jsonld"),
        (["n3"], "graph", "turtle"),
        (["application/n-triples"], "graph", "nt"),
        (["bogus", "csv"], "results", "csv"),
        (["turtle"], "results", None),
        (["csv"], "graph", None),
        (["html"], "results", None),
    ],
)
def test_format_from_param(values, kind, expected):
    fmt = format_from_param(values, kind)
    assert (fmt.key if fmt else None) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a/b;q=0.5,c/d", [("a/b", 0.5), ("c/d", 1.0)]),
        ("a/b;q=2", [("a/b", 1.0)]),
        ("a/b;q=-1", [("a/b", 0.0)]),
        ("*", [("*/*", 1.0)]),
        (" , ,", []),
    ],
)
def test_parse_accept(header, expected):
    assert parse_accept(header) == expected


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", True),
        ("select * { service silent <http://example.org/> { ?s ?p ?o } }", True),
        ("SELECT * {\tSeRvIcE\t?endpoint { ?s ?p ?o } }", True),
        ("SELECT * { \\u0053ERVICE <http://example.org/> { ?s ?p ?o } }", True),
        ("LOAD <http://example.org/data.ttl>", True),
        ("load silent <http://example.org/data.ttl> INTO GRAPH <http://g/>", True),
        ('SELECT ?service { ?s <http://example.org/SERVICE> "SERVICE LOAD" }', False),
        ("SELECT * { ?s ex:service ?o ; ex:load ?l } # SERVICE <http://x/>", False),
        ("SELECT * { ?s ?p '''multi\nSERVICE line''' }", False),
        ("SELECT * { ?s ?p ?o FILTER(?o < 3) }", False),
    ],
)
def test_check_text(text, refused):
    assert (check_text(text) is not None) is refused


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX select: <http://x/> ASK { ?s select:p ?o }", "ASK"),
        ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("BASE <http://x/> DESCRIBE <a>", "DESCRIBE"),
        ("CLEAR ALL", None),
        ("", None),
    ],
)
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize(
    ("tsv", "cap", "expected"),
    [
        (b"?a\n1\n2\n3\n", 5, (b"?a\n1\n2\n3\n", 3, False)),
        (b"?a\n1\n2\n3\n", 3, (b"?a\n1\n2\n3\n", 3, False)),
        (b"?a\n1\n2\n3\n", 2, (b"?a\n1\n2\n", 2, True)),
        (b"?a\n1\n", 0, (b"?a\n", 0, True)),
        (b"?a\n", 0, (b"?a\n", 0, False)),
    ],
)
def test_cut_tsv(tsv, cap, expected):
    assert _cut_tsv(tsv, cap) == expected


@pytest.fixture()
def store(fixture_store) -> ox.Store:
    return fixture_store()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?t { ?s <http://purl.org/dc/terms/title> ?t } ORDER BY ?s",
        "SELECT ?s ?t { ?s <http://purl.org/dc/terms/title> ?t } ORDER BY ?s LIMIT 3",  # own LIMIT: slow path
        "SELECT ?s ?t { ?s <http://purl.org/dc/terms/title> ?t } ORDER BY ?s VALUES ?x { 1 }",
    ],
)
def test_select_matches_oxigraph_serialiser(store, fmt, query):
    ox_format = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }[fmt]
    out = execute(store, Job("query", query, formats=(fmt,)))
    assert out.status == 200
    assert out.body == store.query(query).serialize(format=ox_format)
    assert not out.truncated


@pytest.mark.parametrize(
    ("query", "max_rows", "rows", "truncated"),
    [
        ("SELECT * { ?s ?p ?o }", 5, 5, True),
        ("SELECT * { ?s ?p ?o } LIMIT 100", 5, 5, True),
        ("SELECT * { ?s ?p ?o } LIMIT 3", 5, 3, False),
        ("SELECT * { ?s ?p ?o }", 1000, 24, False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", 7, 7, True),
        ("CONSTRUCT WHERE { ?s ?p ?o }", 24, 24, False),
    ],
)
def test_row_cap(store, query, max_rows, rows, truncated):
    out = execute(
        store, Job("query", query, max_rows=max_rows, formats=("json",) if "SELECT" in query else ())
    )
    assert (out.status, out.rows, out.truncated) == (200, rows, truncated)
    if "SELECT" in query:
        assert len(json.loads(out.body)["results"]["bindings"]) == rows


@pytest.mark.parametrize(
    ("job", "status"),
    [
        (Job("query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 403),
        (Job("update", "LOAD <http://127.0.0.1:9/x.ttl>"), 403),
        (
            Job(
                "query",
                "SELECT * {",
            ),
            400,
        ),
        (Job("query", "SELECT * {}", default_graphs=("not an iri",)), 400),
        (Job("query", "SELECT * {}", formats=("turtle",)), 406),
        (Job("query", "CONSTRUCT WHERE {}", accept="text/csv"), 406),
        (Job("query", "ASK {}", accept="application/sparql-results+xml"), 200),
        (Job("bogus"), 500),
    ],
)
def test_execute_statuses(store, job, status):
    assert execute(store, job).status == status


def test_stats(store):
    stats = json.loads(execute(store, Job("stats")).body)
    assert stats["triples"] == len(store)
    assert dict(stats["classes"]) == {
        "http://schema.org/ScholarlyArticle": 4,
        "http://schema.org/Dataset": 2,
        "http://schema.org/SoftwareSourceCode": 2,
    }
