"""Raw HTTP against a live endpoint: status codes, headers, negotiation, CORS, limits, logging."""

from __future__ import annotations

import json
import logging

import pytest
import rdflib

SELECT = "SELECT ?s WHERE { ?s a <http://schema.org/ScholarlyArticle> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <http://schema.org/Dataset> }"


@pytest.mark.parametrize(
    ("query", "params", "accept", "status", "media"),
    [
        (SELECT, {}, None, 200, "application/sparql-results+json"),
        (SELECT, {}, "*/*", 200, "application/sparql-results+json"),
        (SELECT, {}, "application/sparql-results+xml", 200, "application/sparql-results+xml"),
        (SELECT, {}, "text/csv", 200, "text/csv"),
        (SELECT, {}, "text/tab-separated-values", 200, "text/tab-separated-values"),
        (SELECT, {}, "text/csv;q=0.3, text/tab-separated-values;q=0.6", 200, "text/tab-separated-values"),
        (SELECT, {"format": "csv"}, "application/sparql-results+json", 200, "text/csv"),
        (SELECT, {"format": "application/sparql-results+xml"}, None, 200, "application/sparql-results+xml"),
        (SELECT, {"output": "tsv"}, None, 200, "text/tab-separated-values"),
        (SELECT, {}, "text/turtle", 406, "text/plain"),
        (SELECT, {"format": "turtle"}, None, 406, "text/plain"),
        (CONSTRUCT, {}, None, 200, "text/turtle"),
        (CONSTRUCT, {}, "application/n-triples", 200, "application/n-triples"),
        (CONSTRUCT, {}, "application/ld+json", 200, "application/ld+json"),
        (CONSTRUCT, {}, "application/rdf+xml", 200, "application/rdf+xml"),
        (CONSTRUCT, {"format": "nt"}, None, 200, "application/n-triples"),
        (CONSTRUCT, {"format": "jsonld"}, None, 200, "application/ld+json"),
        (CONSTRUCT, {"format": "rdfxml"}, None, 200, "application/rdf+xml"),
        (CONSTRUCT, {"format": "turtle"}, None, 200, "text/turtle"),
        (CONSTRUCT, {}, "text/csv", 406, "text/plain"),
        (CONSTRUCT, {"format": "csv"}, None, 406, "text/plain"),
        ("ASK {}", {}, "text/csv", 200, "text/csv"),
    ],
)
def test_negotiation(server, http, query, params, accept, status, media):
    headers = {"accept": accept} if accept else {}
    response = http.get(server.url, params={"query": query, **params}, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media
    if status == 200:
        assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml"])
def test_graph_formats_parse(server, http, fmt):
    import pyoxigraph as ox

    response = http.get(server.url, params={"query": CONSTRUCT, "format": fmt})
    media = response.headers["content-type"].split(";")[0]
    triples = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)))
    assert len(triples) == 2


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "text"),
    [
        ("GET", {"params": {"query": "SELECT * WHERE {"}}, 400, "error at"),
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
        ("GET", {"params": [("query", "ASK {}"), ("update", "CLEAR ALL")]}, 403, "read-only"),
        ("POST", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 403, "read-only"),
        ("POST", {"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
        (
            "POST",
            {"content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}},
            403,
            "read-only",
        ),
        ("POST", {"data": {"format": "json"}}, 400, "missing query"),
        (
            "POST",
            {"content": b"ASK {}", "headers": {"content-type": "text/plain"}},
            415,
            "application/sparql-query",
        ),
        (
            "POST",
            {
                "content": b"ASK {}",
                "params": {"query": "ASK {}"},
                "headers": {"content-type": "application/sparql-query"},
            },
            400,
            "direct POST",
        ),
        ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "default-graph-uri"),
        ("PUT", {"params": {"query": "ASK {}"}}, 405, "GET or POST"),
        ("DELETE", {}, 405, "GET or POST"),
        ("PATCH", {}, 405, "GET or POST"),
    ],
)
def test_errors(server, http, method, kwargs, status, text):
    response = http.request(method, server.url, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert text in response.text
    if status == 405:
        assert response.headers["allow"] == "GET, POST, OPTIONS"


def test_default_and_named_graph_uri_are_honoured(make_server, http):
    import pyoxigraph as ox

    store = ox.Store()
    p = ox.NamedNode("http://ex/p")
    for g in ("g1", "g2"):
        store.add(ox.Quad(ox.NamedNode(f"http://ex/{g}-s"), p, ox.Literal(g), ox.NamedNode(f"http://ex/{g}")))
    srv = make_server(store)
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"

    def n(params):
        body = http.get(srv.url, params=[("query", count), *params]).json()
        return int(body["results"]["bindings"][0]["n"]["value"])

    assert n([]) == 0  # data only in named graphs; the default graph is the store's default graph
    assert n([("default-graph-uri", "http://ex/g1")]) == 1
    assert n([("default-graph-uri", "http://ex/g1"), ("default-graph-uri", "http://ex/g2")]) == 2
    named = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    body = http.get(srv.url, params=[("query", named), ("named-graph-uri", "http://ex/g2")]).json()
    assert body["results"]["bindings"][0]["n"]["value"] == "1"


def test_service_description(server, http):
    response = http.get(server.url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    result = graph.query("""
        PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?endpoint ?triples ?classes WHERE {
          ?svc a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage sd:SPARQL11Query ;
               sd:defaultDataset/sd:defaultGraph ?g .
          ?g void:triples ?triples ; void:classes ?classes .
        }""")
    rows = list(result)
    assert len(rows) == 1
    assert str(rows[0][0]) == server.url
    assert (int(rows[0][1]), int(rows[0][2])) == (24, 3)
    parts = {
        (str(c), int(n))
        for c, n in graph.query(
            "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?c ?n { ?g void:classPartition [ void:class ?c ; "
            "void:entities ?n ] }"
        )
    }
    assert parts == {
        ("http://schema.org/ScholarlyArticle", 4),
        ("http://schema.org/Dataset", 2),
        ("http://schema.org/SoftwareSourceCode", 2),
    }
    formats = {
        str(o)
        for o in graph.objects(
            None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#resultFormat")
        )
    }
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    assert "http://www.w3.org/ns/sparql-service-description#SPARQL11Update" not in response.text


@pytest.mark.parametrize(
    ("accept", "params", "status", "media"),
    [
        ("application/n-triples", {}, 200, "application/n-triples"),
        ("application/ld+json", {}, 200, "application/ld+json"),
        ("application/rdf+xml", {}, 200, "application/rdf+xml"),
        (None, {"format": "nt"}, 200, "application/n-triples"),
        ("text/csv", {}, 406, "text/plain"),
        ("text/html,application/xhtml+xml", {}, 303, None),
    ],
)
def test_service_description_negotiation(server, http, accept, params, status, media):
    response = http.get(server.url, params=params, headers={"accept": accept} if accept else {})
    assert response.status_code == status
    if media:
        assert response.headers["content-type"].split(";")[0] == media
    else:
        assert response.headers["location"] == "/"


def test_cors_headers_and_preflight(server, http):
    origin = {"origin": "http://yasgui.example"}
    response = http.get(server.url, params={"query": "ASK {}"}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = http.options(
        server.url,
        headers={
            **origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, accept",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    plain = http.options(server.url)
    assert (plain.status_code, plain.headers["allow"]) == (204, "GET, POST, OPTIONS")


def test_cors_can_be_disabled(make_server, http):
    srv = make_server(cors=False, isolation="thread")
    response = http.get(srv.url, params={"query": "ASK {}"}, headers={"origin": "http://yasgui.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("query", "fmt", "rows", "truncated"),
    [
        ("SELECT * { ?s ?p ?o }", "json", 5, True),
        ("SELECT * { ?s ?p ?o } LIMIT 4", "json", 4, False),
        ("SELECT * { ?s ?p ?o }", "csv", 5, True),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "nt", 5, True),
    ],
)
def test_row_cap_marker(make_module_server, http, query, fmt, rows, truncated):
    srv = make_module_server(max_rows=5, isolation="thread")
    response = http.get(srv.url, params={"query": query, "format": fmt})
    assert response.status_code == 200
    assert (response.headers.get("x-citekg-truncated") == "true") is truncated
    if fmt == "json":
        body = response.json()
        assert set(body) == {"head", "results"}  # nothing non-standard inside the body
        assert len(body["results"]["bindings"]) == rows
    else:
        assert len(response.text.strip().splitlines()) == rows + (1 if fmt == "csv" else 0)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        (
            {
                "method": "POST",
                "content": b"ASK {}" + b" " * 3000,
                "headers": {"content-type": "application/sparql-query"},
            },
            413,
        ),
        ({"method": "POST", "data": {"query": "ASK {}" + " " * 3000}}, 413),
        ({"method": "GET", "params": {"query": "ASK {}" + " " * 3000}}, 413),
        ({"method": "GET", "params": {"query": "ASK {}" + " " * 500}}, 200),
    ],
)
def test_request_size_limit(make_module_server, http, kwargs, status):
    srv = make_module_server(max_query_bytes=2048, isolation="thread")
    response = http.request(url=srv.url, **kwargs)
    assert response.status_code == status, response.text


def test_one_log_line_per_request(server, http, caplog):
    with caplog.at_level(logging.INFO, logger="citekg.graph.endpoint"):
        http.get(server.url, params={"query": SELECT})
        http.get(server.url, params={"query": "SELECT * {"})
    lines = [r.getMessage() for r in caplog.records if r.name == "citekg.graph.endpoint"]
    assert lines[-2].startswith("GET /sparql 200 rows=4 ")
    assert lines[-1].startswith("GET /sparql 400 rows=- ")
    assert lines[-1].endswith("ms")


def test_examples_api(make_server, http):
    srv = make_server(examples={"mine": "ASK {}"}, isolation="thread")
    body = http.get(srv.base + "/api/examples").json()
    assert body["examples"] == [{"name": "mine", "query": "ASK {}"}]
    assert json.dumps(body)  # plain JSON
