"""The written page in a real headless Chromium: loads offline, filters, searches, and runs no paper text.

Needs Debian's ``chromium`` (CI installs it) and Playwright-Python; skipped with a reason where either is
missing. Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest
from citekg.viz import html as viz_html
from citekg.viz import render_html

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
NS = "https://w3id.org/citekg/"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Records anchor clicks instead of following them (the test machine has no network, and must not try).
RECORD_CLICKS = """
window.__opened = [];
HTMLAnchorElement.prototype.click = function () {
  window.__opened.push({href: this.href, target: this.target, rel: this.rel});
};
"""


def _chromium() -> str:
    for candidate in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip("no chromium binary found (Debian: apt-get install chromium); browser tests need one")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A loaded page plus everything it logged and requested."""

    def __init__(self, browser, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.add_init_script(RECORD_CLICKS)
        self.page.goto(self.url)
        # Functions, not expression strings: the page's CSP forbids eval, which Playwright uses for those.
        self.page.wait_for_function(
            "() => window.citekg && window.citekg.ready && window.citekg.edgesLoaded", timeout=60_000
        )

    def js(self, code: str, arg=None):
        return self.page.evaluate(code, arg)

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Where ``node_id`` is drawn, in page coordinates."""
        return tuple(
            self.js(
                """(id) => {
            const net = window.citekg.network;
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const r = document.getElementById('graph').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
                node_id,
            )
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def opened(browser, make_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("viz") / "graph.html"
    render_html(make_graph(), path, title="citekg test graph")
    page = Opened(browser, path)
    yield page
    page.close()


def test_loads_offline_without_errors(opened):
    assert opened.errors == []
    assert all(url == opened.url or url.startswith("data:") for url in opened.requests), opened.requests
    assert opened.requests[0] == opened.url


def test_dataset_counts_match_graph(opened, make_graph):
    g = make_graph()
    assert opened.js("() => [citekg.nodes.length, citekg.edges.length]") == [
        g.number_of_nodes(),
        g.number_of_edges(),
    ]
    assert opened.js("() => Object.keys(citekg.network.body.nodes).length") == g.number_of_nodes()


def test_xss_payloads_do_not_run(opened):
    opened.page.mouse.move(*opened.node_point(NS + "paper/attention"))
    opened.page.wait_for_selector("#tooltip:not([hidden])")
    opened.page.mouse.click(*opened.node_point(NS + "paper/attention"))
    opened.page.wait_for_selector("#details:not([hidden])")
    opened.page.wait_for_timeout(200)  # let any onerror handler fire, had markup been made
    assert opened.js("() => typeof window.__xss") == "undefined"
    assert opened.dialogs == []
    assert (
        opened.js("() => document.querySelectorAll('img, iframe, #panel script, #tooltip script').length")
        == 0
    )


def test_tooltip_and_details_show_paper_text_as_text(opened):
    opened.page.mouse.move(10, 10)
    opened.page.mouse.move(*opened.node_point(NS + "paper/attention"))
    opened.page.wait_for_selector("#tooltip:not([hidden])")
    tooltip = opened.js("() => document.getElementById('tooltip').textContent")
    assert "Attention Is All You Need" in tooltip and "2017" in tooltip
    assert '<img src=x onerror="window.__xss=1;alert(1)">' in tooltip
    assert opened.js("() => document.querySelectorAll('#tooltip *').length") == opened.js(
        "() => document.querySelectorAll('#tooltip p').length"
    )  # only our own paragraphs
    opened.page.mouse.click(*opened.node_point(NS + "paper/attention"))
    details = opened.js("() => document.getElementById('details-body').textContent")
    assert "<script>window.__xss=2</script>" in details
    link = opened.js(
        "() => [...document.querySelectorAll('#details-body a')].map(a => [a.href, a.rel, a.target])"
    )
    assert ["https://arxiv.org/abs/1706.03762", "noopener noreferrer", "_blank"] in link


def test_edge_tooltip_highlights_the_mention(opened):
    card = opened.js("""() => {
        const e = citekg.edges.get().find(e => e.relation === 'mentions' && e.evidence);
        const net = citekg.network;
        const a = net.canvasToDOM(net.getPositions([e.from])[e.from]);
        const b = net.canvasToDOM(net.getPositions([e.to])[e.to]);
        return [e.id, (a.x + b.x) / 2, (a.y + b.y) / 2];
    }""")
    opened.page.mouse.move(10, 10)
    rect = opened.js(
        "() => { const r = document.getElementById('graph').getBoundingClientRect(); "
        "return [r.left, r.top]; }"
    )
    opened.page.mouse.move(rect[0] + card[1], rect[1] + card[2])
    opened.page.wait_for_selector("#tooltip:not([hidden]) mark")
    assert opened.js("() => document.querySelector('#tooltip mark').textContent") == "<img "
    assert "onerror" in opened.js("() => document.getElementById('tooltip').textContent")
    assert opened.js("() => document.querySelectorAll('#tooltip img').length") == 0


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Bidirectional Encoder Representations", NS + "model/bert"),  # alias
        ("wmt14", NS + "dataset/wmt14"),
        ("transformer", NS + "method/transformer"),
        ("tensor2tensor", NS + "repo/t2t"),  # substring
    ],
)
def test_search_focuses_node(opened, query, expected):
    opened.page.fill("#search", query)
    opened.page.press("#search", "Enter")
    assert opened.js("() => citekg.network.getSelectedNodes()") == [expected]
    assert opened.js("() => document.getElementById('search-status').textContent") == ""


def test_search_without_match_says_so(opened):
    opened.js("() => citekg.network.unselectAll()")
    opened.page.fill("#search", "no such thing at all")
    opened.page.press("#search", "Enter")
    assert "No node matches" in opened.js("() => document.getElementById('search-status').textContent")
    assert opened.js("() => citekg.network.getSelectedNodes()") == []


def test_type_checkbox_hides_nodes_and_their_edges(opened):
    box = "#type-filters input[data-type='dataset']"
    datasets = [NS + "dataset/wmt14", NS + "dataset/glue"]
    hidden = "(ids) => ids.map(id => citekg.network.body.nodes[id].options.hidden === true)"
    edge_hidden = """() => citekg.edges.get().filter(e => e.to.includes('/dataset/')).map(e =>
        citekg.network.body.edges[e.id].options.hidden === true)"""
    assert opened.js(hidden, datasets) == [False, False]
    opened.page.uncheck(box)
    assert opened.js(hidden, datasets) == [True, True]
    assert opened.js(edge_hidden) == [True, True]
    assert opened.js(hidden, [NS + "model/bert"]) == [False]
    opened.page.check(box)
    assert opened.js(hidden, datasets) == [False, False]
    assert opened.js(edge_hidden) == [False, False]


def test_confidence_slider_hides_weak_edges(opened):
    state = """() => citekg.edges.get().map(e =>
        [e.confidence ?? null, citekg.network.body.edges[e.id].options.hidden === true])"""
    opened.page.fill("#confidence", "0.5")
    for confidence, hidden in opened.js(state):
        assert hidden is (confidence is not None and confidence < 0.5)
    assert any(hidden for _, hidden in opened.js(state))
    opened.page.fill("#confidence", "0")
    assert not any(hidden for _, hidden in opened.js(state))


def test_clicking_repository_opens_it_in_new_tab(opened):
    opened.js("() => { window.__opened = []; }")
    opened.page.mouse.click(*opened.node_point(NS + "repo/t2t"))
    assert opened.js("() => window.__opened") == [
        {
            "href": "https://github.com/tensorflow/tensor2tensor",
            "target": "_blank",
            "rel": "noopener noreferrer",
        }
    ]
    # a project page whose URL was javascript: opens nothing, and paper nodes do not open on click
    opened.page.mouse.click(*opened.node_point(NS + "page/evil"))
    opened.page.mouse.click(*opened.node_point(NS + "paper/bert"))
    assert len(opened.js("() => window.__opened")) == 1
    assert opened.js("() => typeof window.__xss") == "undefined"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "//x.org", "x"]
)
def test_page_safe_url_rejects(opened, url):
    assert opened.js("(u) => citekg.safeUrl(u)", url) is None


def test_screenshot(opened):
    opened.page.mouse.move(*opened.node_point(NS + "paper/attention"))
    opened.page.wait_for_selector("#tooltip:not([hidden])")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "viz-small.png"
    opened.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert opened.errors == []


def test_large_graph_loads_edges_in_batches(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(viz_html, "FIRST_EDGES", 100)
    g = nx.DiGraph()
    for i in range(viz_html.PHYSICS_MAX_NODES + 200):
        g.add_node(f"{NS}paper/{i}", type="paper" if i % 3 else "method", label=f"node {i}")
        if i:
            g.add_edge(f"{NS}paper/{i}", f"{NS}paper/{i // 2}", relation="cites")
            g.add_edge(f"{NS}paper/{i}", f"{NS}paper/{(i * 7) % i}", relation="uses", confidence=0.5)
    path = render_html(g, tmp_path / "big.html")
    ARTIFACTS.mkdir(exist_ok=True)
    page = Opened(browser, path)
    try:
        assert page.js("() => citekg.data.physics") is False
        assert page.js("() => [citekg.nodes.length, citekg.edges.length]") == [
            g.number_of_nodes(),
            g.number_of_edges(),
        ]
        assert page.errors == []
        page.page.screenshot(path=str(ARTIFACTS / "viz-large.png"))
    finally:
        page.close()
