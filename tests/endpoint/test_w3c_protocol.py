"""The W3C SPARQL 1.1 Protocol test cases that apply to our endpoint, rewritten as pytest cases.

Each case is named after its entry in the W3C manifest (sparql11-protocol/manifest.ttl, read from ../shared
at test time only to check coverage; it is not copied here). The requests follow the manifest: same method,
path (``/sparql/``), parameters, headers and body; the expected status class and result shape are the
manifest's.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

DATA = "http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update"}
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")

# name: (method, path and query string, headers, body, expected status class, format, boolean)
QUERY_CASES = {
    "query_post_form": (
        "POST",
        f"?default-graph-uri={DATA}data0.rdf",
        FORM,
        b"query=ASK%20%7B%7D",
        2,
        "boolean",
        True,
    ),
    "query_dataset_default_graphs_get": (
        "GET",
        f"?query=ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf%3E%20a%20%3Ftype"
        f"%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20.%20%7D"
        f"&default-graph-uri={DATA}data1.rdf&default-graph-uri={DATA}data2.rdf",
        {},
        None,
        2,
        "boolean",
        True,
    ),
    "query_dataset_default_graphs_post": (
        "POST",
        f"?default-graph-uri={DATA}data1.rdf&default-graph-uri={DATA}data2.rdf",
        DIRECT,
        b"ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . "
        b"<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }",
        2,
        "boolean",
        True,
    ),
    "query_dataset_named_graphs_post": (
        "POST",
        f"?named-graph-uri={DATA}data1.rdf&named-graph-uri={DATA}data2.rdf",
        DIRECT,
        b"ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
        b"GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
        2,
        "boolean",
        True,
    ),
    "query_dataset_named_graphs_get": (
        "GET",
        "?query=ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F"
        "data1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2F"
        f"sparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20%7D%20%7D&named-graph-uri={DATA}data1.rdf"
        f"&named-graph-uri={DATA}data2.rdf",
        {},
        None,
        2,
        "boolean",
        True,
    ),
    "query_dataset_full": (
        "POST",
        f"?default-graph-uri={DATA}data3.rdf&named-graph-uri={DATA}data1.rdf&named-graph-uri={DATA}data2.rdf",
        DIRECT,
        b"ASK {\n  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type\n"
        b"  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }\n"
        b"  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }\n}",
        2,
        "boolean",
        True,
    ),
    "query_multiple_dataset": (
        "POST",
        f"?named-graph-uri={DATA}data1.rdf&named-graph-uri={DATA}data2.rdf",
        DIRECT,
        b"ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> { "
        b"GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
        b"GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
        2,
        "boolean",
        True,
    ),
    "query_get": (
        "GET",
        f"?query=ASK%20%7B%7D&default-graph-uri={DATA}data0.rdf",
        {},
        None,
        2,
        "boolean",
        True,
    ),
    "query_content_type_select": (
        "POST",
        f"?default-graph-uri={DATA}data0.rdf",
        DIRECT,
        b"SELECT (1 AS ?value) {}",
        2,
        "tabular",
        None,
    ),
    "query_content_type_ask": (
        "POST",
        f"?default-graph-uri={DATA}data0.rdf",
        DIRECT,
        b"ASK {}",
        2,
        "boolean",
        None,
    ),
    "query_content_type_describe": (
        "POST",
        f"?default-graph-uri={DATA}data0.rdf",
        DIRECT,
        b"DESCRIBE <http://example.org/>",
        2,
        "RDF",
        None,
    ),
    "query_content_type_construct": (
        "POST",
        f"?default-graph-uri={DATA}data0.rdf",
        DIRECT,
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        2,
        "RDF",
        None,
    ),
    "query_post_direct": ("POST", "", DIRECT, b"ASK {}", 2, "boolean", True),
    "bad_query_method": (
        "PUT",
        f"?query=ASK%20%7B%7D&default-graph-uri={DATA}data0.rdf",
        FORM,
        None,
        4,
        None,
        None,
    ),
    "bad_multiple_queries": (
        "GET",
        "?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
        {},
        None,
        4,
        None,
        None,
    ),
    "bad_query_wrong_media_type": ("POST", "", {"content-type": "text/plain"}, b"ASK {}", 4, None, None),
    "bad_query_missing_form_type": ("POST", "", {}, b"query=ASK%20%7B%7D", 4, None, None),
    "bad_query_missing_direct_type": ("POST", "", {}, b"ASK {}", 4, None, None),
    "bad_query_non_utf8": (
        "POST",
        "",
        {"content-type": "application/sparql-query; charset=UTF-16"},
        "ASK {}".encode("utf-16"),
        4,
        None,
        None,
    ),
    "bad_query_syntax": ("GET", "?query=ASK%20%7B", {}, None, 4, None, None),
    "bad_update_get": ("GET", "?update=CLEAR%20ALL", {}, None, 4, None, None),
    "bad_multiple_updates": ("POST", "", FORM, b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", 4, None, None),
    "bad_update_wrong_media_type": (
        "POST",
        "",
        {"content-type": "text/plain"},
        b"CLEAR NAMED",
        4,
        None,
        None,
    ),
    "bad_update_missing_form_type": ("POST", "", {}, b"update=CLEAR%20NAMED", 4, None, None),
    "bad_update_non_utf8": (
        "POST",
        "",
        {"content-type": "application/sparql-update; charset=UTF-16"},
        "CLEAR NAMED".encode("utf-16"),
        4,
        None,
        None,
    ),
    "bad_update_syntax": ("POST", "", FORM, b"update=CLEAR%20XYZ", 4, None, None),
    "bad_update_dataset_conflict": (
        "POST",
        "?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        UPDATE,
        b"PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        b"DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        b"WHERE {\n    ?person foaf:givenName 'Bill'\n}",
        4,
        None,
        None,
    ),
}
UPDATE_CASES = ("update_post_form", "update_post_direct", "update_base_uri")
# Updates with using-graph-uri / using-named-graph-uri: refused with 400 (documented), so these do not apply.
NOT_APPLICABLE = (
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
)


def protocol_store() -> ox.Store:
    store = ox.Store()
    foaf_document = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for n in (1, 2, 3):  # the manifest's data1.nt .. data3.nt, one triple each, in graphs named after them
        iri = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf")
        store.add(ox.Quad(iri, rdf_type, foaf_document, iri))
    return store


@pytest.fixture(scope="module")
def protocol_servers(make_module_server):
    """A read-only and an update-enabled endpoint over the manifest's three named graphs."""
    return {
        False: make_module_server(protocol_store()),
        True: make_module_server(protocol_store(), allow_update=True),
    }


def _send(client: httpx.Client, base: str, method: str, path: str, headers: dict, body: bytes | None):
    return client.request(method, base + "/sparql/" + path, headers=headers, content=body)


def _check(response: httpx.Response, status_class: int, fmt: str | None, boolean: bool | None) -> None:
    assert response.status_code // 100 == status_class or (
        status_class == 2 and response.status_code // 100 == 3
    ), (response.status_code, response.text)
    media = response.headers.get("content-type", "").split(";")[0]
    if fmt in ("boolean", "tabular"):
        assert media in RESULT_TYPES
    if fmt == "RDF":
        assert media in RDF_TYPES
    if boolean is not None:
        assert response.json()["boolean"] is boolean


@pytest.mark.parametrize("allow_update", [False, True], ids=["read-only", "allow-update"])
@pytest.mark.parametrize("name", list(QUERY_CASES))
def test_protocol_case(protocol_servers, name, allow_update):
    method, path, headers, body, status_class, fmt, boolean = QUERY_CASES[name]
    srv = protocol_servers[allow_update]
    with httpx.Client(timeout=30) as client:
        response = _send(client, srv.base, method, path, headers, body)
    _check(response, status_class, fmt, boolean)
    if name.startswith("bad_update") or name == "bad_multiple_updates":
        # read-only: refused as an update (403) unless the request was malformed before that could be known
        assert response.status_code in ((403, 400, 415) if not allow_update else (400, 415))


def test_update_post_form(make_server):
    srv = make_server(protocol_store(), allow_update=True)
    with httpx.Client(timeout=30) as client:
        response = client.post(srv.base + "/sparql/", headers=FORM, content=b"update=CLEAR+ALL")
        assert response.status_code // 100 == 2
        assert (
            client.post(srv.url, headers=DIRECT, content=b"ASK { GRAPH ?g { ?s ?p ?o } }").json()["boolean"]
            is False
        )


def test_update_post_direct(make_server):
    srv = make_server(protocol_store(), allow_update=True)
    with httpx.Client(timeout=30) as client:
        assert (
            client.post(srv.base + "/sparql/", headers=UPDATE, content=b"CLEAR ALL").status_code // 100 == 2
        )
        assert (
            client.post(srv.url, headers=DIRECT, content=b"ASK { GRAPH ?g { ?s ?p ?o } }").json()["boolean"]
            is False
        )


def test_update_base_uri(make_server):
    srv = make_server(protocol_store(), allow_update=True)
    update = (
        b"CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\n"
        b"INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
        b"{ <http://example.org/s> <http://example.org/p> <test> } }"
    )
    ask = (
        b"ASK {\n    GRAPH <http://example.org/protocol-base-test/> {\n"
        b"        <http://example.org/s> <http://example.org/p> ?o\n"
        b'        FILTER (isIRI(?o) && STR(?o) != "test")\n    }\n}'
    )
    with httpx.Client(timeout=30) as client:
        assert client.post(srv.base + "/sparql/", headers=UPDATE, content=update).status_code // 100 == 2
        response = client.post(srv.base + "/sparql/", headers=DIRECT, content=ask)
    _check(response, 2, "boolean", True)


def test_updates_refused_when_read_only(protocol_servers):
    with httpx.Client(timeout=30) as client:
        for headers, body in ((FORM, b"update=CLEAR+ALL"), (UPDATE, b"CLEAR ALL")):
            response = client.post(protocol_servers[False].base + "/sparql/", headers=headers, content=body)
            assert response.status_code == 403
            assert "read-only" in response.text
        # the data is still there
        ask = client.post(
            protocol_servers[False].url, headers=DIRECT, content=b"ASK { GRAPH ?g { ?s ?p ?o } }"
        )
        assert ask.json()["boolean"] is True


def _manifest() -> Path:
    here = Path(__file__).resolve()
    repo = next(p for p in here.parents if (p / "pyproject.toml").is_file())
    return repo / ".." / "shared" / "w3c" / "sparql11-protocol" / "manifest.ttl"


def test_every_manifest_entry_is_covered_or_declared_not_applicable():
    manifest = _manifest()
    if not manifest.is_file():
        pytest.skip(f"W3C protocol manifest not found at {manifest} (../shared is absent)")
    prefix = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
    store = ox.Store()
    store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=prefix)
    names = {
        row["t"].value.removeprefix(prefix)
        for row in store.query(
            "PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> "
            "SELECT ?t { ?m mf:entries/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?t }"
        )
    }
    assert len(names) == 34
    covered = set(QUERY_CASES) | set(UPDATE_CASES)
    assert names == covered | set(NOT_APPLICABLE)
    assert not covered & set(NOT_APPLICABLE)
