"""Time ``citekg.viz.render_html`` and the page it writes, in headless Chromium.

For each size, a synthetic graph with the node types and relations of the viz attribute contract is
written to HTML (the "write" time includes selection, layout and serialisation), then opened as a file://
URL. "first draw" is the page's own ``citekg.readyAt``: from navigation start until vis-network's
``stabilizationIterationsDone``/``stabilized`` (physics on) or its first ``afterDrawing`` (physics off);
from then on the page answers search, hover and clicks. "all edges" is ``citekg.edgesLoadedAt``: a large
graph is drawn with its first edges, and the others are added in batches after the first frame.

Usage::

    python bench/viz.py                     # 500, 2,000 and 10,000 nodes, physics chosen automatically
    python bench/viz.py --sizes 300 500 --physics on
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import networkx as nx
from citekg.viz import html, render_html
from citekg.viz.html import PHYSICS_MAX_NODES
from tabulate import tabulate

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHARES = {
    "paper": 0.45,
    "method": 0.14,
    "dataset": 0.1,
    "model": 0.1,
    "task": 0.05,
    "metric": 0.04,
    "code_repository": 0.08,
    "project_page": 0.02,
    "web_resource": 0.02,
}


def synthetic_graph(n: int, seed: int = 0) -> nx.MultiDiGraph:
    """A graph of ``n`` nodes shaped like a citekg projection: papers citing papers and using entities."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    by_type: dict[str, list[str]] = {}
    for node_type, share in SHARES.items():
        count = max(1, round(n * share))
        by_type[node_type] = []
        for i in range(count):
            iri = f"https://w3id.org/citekg/{node_type}/{i}"
            attrs: dict[str, object] = {"type": node_type, "label": f"{node_type.replace('_', ' ')} {i}"}
            if node_type == "paper":
                attrs.update(
                    title=f"A study of thing {i}", year=2015 + i % 10, abstract="We propose things. " * 8
                )
            if node_type in ("code_repository", "project_page", "web_resource"):
                attrs["url"] = f"https://example.org/{node_type}/{i}"
            g.add_node(iri, **attrs)
            by_type[node_type].append(iri)
    papers = by_type["paper"]
    entities = [e for t in ("method", "dataset", "model", "task", "metric") for e in by_type[t]]

    # Preferential choice: a few entities and papers are popular, most are rare.
    def popular(items: list[str]) -> str:
        return items[
            min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)
            if rng.random() < 0.5
            else rng.randrange(len(items))
        ]

    for i, paper in enumerate(papers):
        for relation in ("proposes", "uses", "uses", "mentions"):
            sentence = "In this work we apply the named entity to a benchmark."
            g.add_edge(
                paper,
                popular(entities),
                relation=relation,
                confidence=round(rng.random(), 2),
                evidence=sentence,
                evidence_start=25,
                evidence_end=37,
            )
        for _ in range(2):
            if i:
                g.add_edge(paper, papers[rng.randrange(i)], relation="cites")
        if rng.random() < 0.35:
            g.add_edge(paper, rng.choice(by_type["code_repository"]), relation="has_code")
        if rng.random() < 0.05:
            g.add_edge(paper, rng.choice(by_type["project_page"]), relation="has_project_page")
        if rng.random() < 0.05:
            g.add_edge(paper, rng.choice(by_type["web_resource"]), relation="has_link")
    return g


def page_ready_ms(path: Path, chromium: str, timeout_s: float = 120.0) -> tuple[float, float]:
    """Open ``path`` in headless Chromium; return ms from navigation start to first draw and to all edges."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(path.as_uri())
        # A function, not an expression string: the page's CSP forbids eval.
        page.wait_for_function("() => window.citekg && window.citekg.edgesLoaded", timeout=timeout_s * 1000)
        ready = float(page.evaluate("() => window.citekg.readyAt"))
        loaded = float(page.evaluate("() => window.citekg.edgesLoadedAt || window.citekg.readyAt"))
        browser.close()
    return ready, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    parser.add_argument("--physics", choices=["auto", "on", "off"], default="auto")
    parser.add_argument(
        "--first-edges",
        type=int,
        default=html.FIRST_EDGES,
        help="edges drawn before the first frame, the rest are added after it (0: all at once)",
    )
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    html.FIRST_EDGES = args.first_edges
    physics = {"auto": None, "on": True, "off": False}[args.physics]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            graph = synthetic_graph(n)
            path = Path(tmp) / f"graph-{n}.html"
            start = time.perf_counter()
            render_html(graph, path, max_nodes=n, physics=physics)
            write_s = time.perf_counter() - start
            on = physics if physics is not None else graph.number_of_nodes() <= PHYSICS_MAX_NODES
            ready_ms, loaded_ms = (
                page_ready_ms(path, args.chromium) if Path(args.chromium).exists() else (None, None)
            )
            rows.append(
                [
                    f"{graph.number_of_nodes():,}",
                    f"{graph.number_of_edges():,}",
                    "browser" if on else "Python",
                    f"{path.stat().st_size / 1e6:.1f}",
                    f"{write_s:.2f}",
                    f"{ready_ms / 1000:.2f}" if ready_ms is not None else "no chromium",
                    f"{loaded_ms / 1000:.2f}" if loaded_ms is not None else "",
                ]
            )
    print(
        tabulate(
            rows,
            headers=["nodes", "edges", "layout", "MB", "write s", "first draw s", "all edges s"],
            tablefmt="github",
            colalign=("right",) * 7,
        )
    )


if __name__ == "__main__":
    main()
