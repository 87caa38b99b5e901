"""The vis data and the written page: styles, escaping, selection, and nothing fetched from the network."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from citekg.errors import UnknownNameError
from citekg.viz import FocusNotFoundError, render_html, to_vis_data
from citekg.viz import html as viz_html
from citekg.viz.html import safe_url, script_json
from citekg.viz.style import EDGE_STYLES, NODE_STYLES

NS = "https://w3id.org/citekg/"


class _Page(HTMLParser):
    """Collects scripts (attributes and text), links, and every src/href attribute of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.urls: list[tuple[str, str, str]] = []
        self.meta: list[dict[str, str | None]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        for name in ("src", "href"):
            if attrs_d.get(name):
                self.urls.append((tag, name, attrs_d[name]))
        if tag == "meta":
            self.meta.append(attrs_d)
        if tag == "script":
            self._script, self._text = attrs_d, []

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def parse(path: Path) -> tuple[str, _Page]:
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    return text, page


def page_data(page: _Page) -> dict:
    [blob] = [text for attrs, text in page.scripts if attrs.get("id") == "citekg-data"]
    return json.loads(blob)


@pytest.fixture
def written(graph, tmp_path):
    path = render_html(graph, tmp_path / "graph.html", title="<b>My</b> graph & co")
    return parse(path)


# ---- data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("node_type", list(NODE_STYLES))
def test_node_style_follows_type(node_type):
    g = nx.Graph()
    g.add_node("x", type=node_type, label="X")
    [node], _ = to_vis_data(g)
    assert (node["type"], node["shape"], node["color"]) == (
        node_type,
        NODE_STYLES[node_type].shape,
        NODE_STYLES[node_type].color,
    )


@pytest.mark.parametrize("attrs", [{}, {"type": "planet"}, {"type": 3}])
def test_node_without_known_type_is_drawn_as_other(attrs):
    g = nx.Graph()
    g.add_node("x", **attrs)
    [node], _ = to_vis_data(g)
    assert node["shape"] == "dot" and node["color"] == "#8c8c8c"
    assert node["label"] == "x"


@pytest.mark.parametrize("relation", list(EDGE_STYLES))
@pytest.mark.parametrize("graph_class", [nx.Graph, nx.DiGraph, nx.MultiDiGraph])
def test_edge_style_follows_relation(relation, graph_class):
    g = graph_class()
    g.add_edge("a", "b", relation=relation)
    _, [edge] = to_vis_data(g)
    style = EDGE_STYLES[relation]
    assert (edge["relation"], edge["color"], edge["dashes"]) == (relation, style.color, style.dashes)
    assert edge["arrows"] == ("to" if style.directed and g.is_directed() else "")


@pytest.mark.parametrize("graph_class", [nx.Graph, nx.DiGraph, nx.MultiDiGraph])
def test_counts_match_graph(graph, graph_class):
    g = graph_class(graph)
    nodes, edges = to_vis_data(g)
    assert len(nodes) == g.number_of_nodes()
    assert len(edges) == g.number_of_edges()
    assert len({e["id"] for e in edges}) == len(edges)


def test_node_fields(graph):
    nodes = {n["id"]: n for n in to_vis_data(graph)[0]}
    paper = nodes[NS + "paper/bert"]
    assert paper["year"] == 2019 and paper["url"] == "https://arxiv.org/abs/1810.04805"
    assert paper["label"].endswith("…") and len(paper["label"]) == viz_html.LABEL_CHARS
    assert paper["name"] == "BERT: Pre-training of Deep Bidirectional Transformers"
    assert nodes[NS + "model/bert"]["aliases"] == ["Bidirectional Encoder Representations"]
    assert "title" not in paper  # vis-network would render its own tooltip from it
    assert "url" not in nodes[NS + "page/evil"]  # javascript: is dropped


def test_edge_fields(graph):
    edges = {(e["from"], e["to"]): e for e in to_vis_data(graph)[1]}
    proposes = edges[(NS + "paper/attention", NS + "method/transformer")]
    assert proposes["confidence"] == 0.95
    text = proposes["evidence"]
    assert text[proposes["evidence_start"] : proposes["evidence_end"]] == "Transformer"
    co = edges[(NS + "method/transformer", NS + "model/bert")]
    assert co["weight"] == 3 and co["width"] > 1 and "confidence" not in co


@pytest.mark.parametrize(
    "start, end, kept",
    [
        (0, 4, True),
        (4, 4, False),
        (5, 2, False),
        (-1, 3, False),
        (0, 99, False),
        (None, 3, False),
        (True, 3, False),
        ("0", "3", False),
    ],
)
def test_evidence_offsets_kept_only_when_valid(start, end, kept):
    g = nx.DiGraph()
    g.add_edge("p", "m", relation="uses", evidence="Some sentence.", evidence_start=start, evidence_end=end)
    [edge] = to_vis_data(g)[1]
    assert edge["evidence"] == "Some sentence."
    assert ("evidence_start" in edge) is kept


@pytest.mark.parametrize("confidence", [float("nan"), float("inf"), "0.9", True])
def test_bad_confidence_is_dropped(confidence):
    g = nx.DiGraph()
    g.add_edge("p", "m", relation="uses", confidence=confidence)
    assert "confidence" not in to_vis_data(g)[1][0]


@pytest.mark.parametrize("size_by", ["degree", "pagerank"])
def test_size_by(size_by):
    g = nx.star_graph(5)
    sizes = {n["id"]: n["size"] for n in to_vis_data(g, size_by=size_by)[0]}
    assert sizes["0"] == viz_html.MAX_SIZE
    assert all(viz_html.MIN_SIZE <= s < viz_html.MAX_SIZE for k, s in sizes.items() if k != "0")


def test_size_by_unknown():
    with pytest.raises(
        UnknownNameError, match="unknown size_by 'betweenness'; choose one of: degree, pagerank"
    ):
        to_vis_data(nx.path_graph(2), size_by="betweenness")


def test_selection_arguments(graph):
    nodes, edges = to_vis_data(graph, focus="wmt14", depth=1)
    assert {n["id"] for n in nodes} == {NS + "dataset/wmt14", NS + "paper/attention"}
    assert len(edges) == 1
    nodes, _ = to_vis_data(graph, max_nodes=3)
    assert len(nodes) == 3
    nodes, _ = to_vis_data(graph, types=["dataset", "model"])
    assert {n["type"] for n in nodes} == {"dataset", "model"}


def test_unknown_focus(graph):
    with pytest.raises(FocusNotFoundError, match="did you mean: .*Transformer"):
        to_vis_data(graph, focus="Transfromer")


def test_caller_graph_unchanged(graph, tmp_path):
    before = copy.deepcopy(graph)
    to_vis_data(graph, focus="BERT", depth=2, max_nodes=4, size_by="pagerank")
    render_html(graph, tmp_path / "a.html", types=["paper", "method"], min_degree=1, physics=False)
    render_html(graph, tmp_path / "b.html")
    assert nx.utils.graphs_equal(graph, before)
    assert dict(graph.nodes(data=True)) == dict(before.nodes(data=True))
    assert list(graph.edges(keys=True, data=True)) == list(before.edges(keys=True, data=True))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://github.com/a/b", "https://github.com/a/b"),
        ("http://example.org/x?y=1#z", "http://example.org/x?y=1#z"),
        ("  https://a.io  ", "https://a.io"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:x", None),
        ("//evil.example/x", None),
        ("github.com/a/b", None),
        ("https://", None),
        ("https://a.io/x y", None),
        ("https://a.io/\nx", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "value",
    ["</script><script>alert(1)</script>", "<!--<script>", "a & b > c", "\u2028\u2029", "é ∑ 𝑥 😀", ""],
)
def test_script_json_is_inert_and_round_trips(value):
    text = script_json({"v": value})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == {"v": value}


# ---- the page ----------------------------------------------------------------------------------------


def test_page_fetches_nothing(written):
    text, page = written
    assert page.urls == []  # no src or href attribute at all, so nothing to fetch
    lowered = text.lower()
    for cdn in ("cdnjs", "unpkg", "jsdelivr", "bootstrap", "googleapis"):
        assert cdn not in lowered
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?\s*(https?:)?//", text, re.I)


def test_page_scripts_and_csp(written):
    _, page = written
    kinds = [attrs.get("type") for attrs, _ in page.scripts]
    assert kinds == ["application/json", None, None]
    [csp] = [m["content"] for m in page.meta if m.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    for _, body in page.scripts[1:]:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def test_page_embeds_text_as_inert_json(written, graph):
    text, page = written
    assert "<img src=x" not in text
    assert "</script><script>window.__xss" not in text
    assert "\u2028" not in text
    data = page_data(page)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[NS + "paper/attention"]["abstract"] == graph.nodes[NS + "paper/attention"]["abstract"]
    assert "\u2028" in nodes[NS + "paper/bert"]["abstract"]
    assert len(data["nodes"]) == graph.number_of_nodes() and len(data["edges"]) == graph.number_of_edges()


def test_page_title_is_escaped(written):
    text, _ = written
    assert "<title>&lt;b&gt;My&lt;/b&gt; graph &amp; co</title>" in text
    assert "<b>My</b>" not in text


def test_page_js_never_uses_markup_sinks():
    js = (Path(viz_html.__file__).parent / "assets" / "page.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code


@pytest.mark.parametrize(
    "nodes, physics, expected_physics, positioned",
    [
        (5, None, True, False),
        (viz_html.PHYSICS_MAX_NODES + 1, None, False, True),
        (5, False, False, True),
        (viz_html.PHYSICS_MAX_NODES + 1, True, True, False),
    ],
)
def test_physics_and_layout(tmp_path, nodes, physics, expected_physics, positioned):
    g = nx.path_graph(nodes)
    _, page = parse(render_html(g, tmp_path / "p.html", physics=physics))
    data = page_data(page)
    assert data["physics"] is expected_physics
    assert all(("x" in n) is positioned for n in data["nodes"])


def test_render_returns_path_and_accepts_str(tmp_path, graph):
    out = render_html(graph, str(tmp_path / "s.html"))
    assert isinstance(out, Path) and out.is_file()


def test_render_empty_graph(tmp_path):
    _, page = parse(render_html(nx.Graph(), tmp_path / "e.html"))
    assert page_data(page)["nodes"] == []


def test_render_focus_marks_focus_nodes(tmp_path, graph):
    _, page = parse(render_html(graph, tmp_path / "f.html", focus="bert", depth=1))
    data = page_data(page)
    assert data["focus"] == [NS + "model/bert"]
    assert {n["id"] for n in data["nodes"]} == {
        NS + "model/bert",
        NS + "paper/bert",
        NS + "method/transformer",
    }
