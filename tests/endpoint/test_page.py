"""The offline query page: only local assets, no innerHTML, and the URLs its JavaScript calls work."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "graph" / "static"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action") and value:
                self.refs.append(value)


def test_page_references_only_local_assets(server, http):
    response = http.get(server.base + "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _Refs()
    parser.feed(response.text)
    assert parser.refs, "the page should load its script and stylesheet"
    for ref in parser.refs:
        assert ref.startswith("/") and not ref.startswith("//") or ref == "#", ref
        if ref != "#":
            assert http.get(server.base + ref).status_code == 200, ref
    assert "http://" not in response.text and "https://" not in response.text


@pytest.mark.parametrize("asset", ["app.js", "style.css", "index.html"])
def test_assets_make_no_external_requests_and_never_use_innerhtml(asset):
    text = (STATIC / asset).read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text
    assert "document.write" not in text and "eval(" not in text


def _js_constant(name: str) -> str:
    match = re.search(rf'var {name} = "([^"]+)"', (STATIC / "app.js").read_text(encoding="utf-8"))
    assert match, name
    return match.group(1)


def test_the_calls_the_page_makes(server, http):
    endpoint, examples_url, accept = (
        _js_constant("ENDPOINT"),
        _js_constant("EXAMPLES_URL"),
        _js_constant("RESULTS_ACCEPT"),
    )
    examples = http.get(server.base + examples_url).json()["examples"]
    assert examples and all(set(e) == {"name", "query"} for e in examples)
    # Run every example as the Run button does: form POST with the page's Accept header.
    for example in examples:
        response = http.post(
            server.base + endpoint, data={"query": example["query"]}, headers={"accept": accept}
        )
        assert response.status_code == 200, (example["name"], response.text)
        media = response.headers["content-type"].split(";")[0]
        assert media in ("application/sparql-results+json", "text/turtle")
    # The hostile title arrives as JSON data (rendered with textContent), unescaped and intact.
    titles = http.post(
        server.base + endpoint,
        headers={"accept": accept},
        data={"query": "SELECT ?t { ?p <http://purl.org/dc/terms/title> ?t }"},
    ).json()
    assert "<script>alert(1)</script> Cross-site titles considered harmful" in {
        b["t"]["value"] for b in titles["results"]["bindings"]
    }
    # The download links: GET with format=
    query = "SELECT ?p { ?p a <http://schema.org/ScholarlyArticle> }"
    for fmt, media in (
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/sparql-results+json"),
    ):
        response = http.get(server.base + endpoint, params={"query": query, "format": fmt})
        assert response.headers["content-type"].split(";")[0] == media
    construct = "CONSTRUCT WHERE { ?p a <http://schema.org/Dataset> }"
    response = http.get(server.base + endpoint, params={"query": construct, "format": "turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert _js_constant("VIZ_URL") == "/viz"  # the "view as graph" link target, mounted later by the lead
