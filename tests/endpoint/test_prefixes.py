"""The endpoint predeclares the prefixes `citekg query` does, so documented queries run on both."""

from __future__ import annotations

from typing import Any

import pytest
from citekg.ontology.namespace import PREFIXES


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle }",
        "ASK { ?p a schema:ScholarlyArticle }",
        "CONSTRUCT { ?p a schema:ScholarlyArticle } WHERE { ?p a schema:ScholarlyArticle }",
    ],
)
def test_endpoint_undeclared_standard_prefixes(server: Any, http: Any, query: str) -> None:
    response = http.get(server.url, params={"query": query})
    assert response.status_code == 200, response.text


def test_endpoint_declared_prefix_wins(server: Any, http: Any) -> None:
    query = "PREFIX schema: <http://example.org/not-schema/> ASK { ?p a schema:ScholarlyArticle }"
    response = http.get(
        server.url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.json()["boolean"] is False


def test_endpoint_unknown_prefix_is_still_an_error(server: Any, http: Any) -> None:
    response = http.get(server.url, params={"query": "ASK { ?p a nope:Thing }"})
    assert response.status_code == 400
    assert "nope" not in PREFIXES
