"""Benchmark the precomputed views: build stores once, time refresh_views and every canned query.

The stores are bench/graph.py's synthetic corpora, kept on disk under ``--root`` and reused by later
runs (a 100k store takes minutes to build). Stores up to ``--add-up-to`` papers are built with
``GraphStore.add`` in batches of 1,000 (the incremental path; it slows down as the store grows),
larger ones with Oxigraph's bulk loader plus the label and builds-on passes the incremental path
would have made (labels there come from the most frequent surface form; here from the least one,
which is as good for timing). Then: a full :func:`refresh_views`, an incremental ``store.update`` of
10 new papers (its view refresh included, reported apart), and bench/graph.py's query timing with
its BINDINGS/GLOBAL/WHOLE_GRAPH constants. Prints one table (p50 / p95 ms).

Usage::

    nice -n 10 python bench/views.py --sizes 1000,10000,100000 --root /tmp/views
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graph as bench_graph  # noqa: E402  (bench/graph.py: generator, samples, query timing)

_LABELS = """INSERT { ?e skos:prefLabel ?label ; rdfs:label ?label } WHERE {
  SELECT ?e (MIN(?form) AS ?label) WHERE { ?m ckg:mentionOf ?e ; ckg:surfaceForm ?form } GROUP BY ?e }"""


class _Corpus(bench_graph.Corpus):
    """bench/graph.py's corpus, with a bounded search for new names.

    Its name search retries until a name is unused, which crawls once 100k papers have used up most
    combinations of the stems; after 50 tries this one adds a number that makes the name new.
    """

    def _new_name(self, kind: str) -> str:
        rng = self.rng
        for _ in range(50):
            stem = rng.choice(self.stems)
            name = (
                f"{stem}-{rng.choice(['7B', '13B', 'base', 'large', 'XL', '2', '3', 'v2'])}"
                if kind == "model"
                else stem
            )
            if rng.random() < 0.3:
                name = f"{stem}{rng.choice(self.stems)}"
            if name.casefold() not in self.names:
                break
        else:
            name = f"{name}-{len(self.names)}"
        self.names.add(name.casefold())
        return name


def build(size: int, path: Path, add_up_to: int) -> float:
    """Build the ``size``-paper store at ``path`` unless it exists; return its seconds (0: reused)."""
    from citekg.graph.store import GraphStore

    if (path / "citekg.json").is_file():
        return 0.0
    corpus = _Corpus(size)
    started = time.perf_counter()
    with GraphStore.open(path) as store:
        if size <= add_up_to:
            papers = iter(corpus)
            while batch := list(itertools.islice(papers, 1000)):
                store.update(batch)
        else:
            _bulk(store, corpus, path)
    return time.perf_counter() - started


def _bulk(store: Any, corpus: Any, path: Path) -> None:
    import pyoxigraph as ox
    from citekg.graph.build import triples_for
    from citekg.graph.citations import builds_on
    from citekg.graph.store import to_ntriples
    from citekg.ontology.iri import builds_on_iri, paper_id_from_iri
    from citekg.ontology.namespace import CKG, RDF, XSD
    from rdflib import Literal, URIRef

    dump = path.parent / f"{path.name}.nt"
    with dump.open("w", encoding="utf-8") as handle:
        for extraction in corpus:
            handle.writelines(map(to_ntriples, triples_for(extraction, base=store.base)))
    store.ox.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES)
    dump.unlink()
    store.ox.update(_LABELS, prefixes=bench_graph_prefixes())
    rows = store.query(
        "SELECT ?p ?e ?r ?c WHERE { ?m ckg:inPaper ?p ; ckg:mentionOf ?e ; ckg:role ?r ; ckg:confidence ?c }"
    )
    mentions = [(r[0].value, r[1].value, r[2].value, float(r[3].value)) for r in rows]
    lines = []
    for item in builds_on(mentions):
        a, b = paper_id_from_iri(item.paper, store.base), paper_id_from_iri(item.basis, store.base)
        node = URIRef(builds_on_iri(a, b, item.entity, store.base))
        paper, basis = URIRef(item.paper), URIRef(item.basis)
        triples = [
            (node, RDF.type, CKG.BuildsOnEvidence),
            (node, CKG.sourcePaper, paper),
            (node, CKG.targetPaper, basis),
            (node, CKG.viaEntity, URIRef(item.entity)),
            (node, CKG.confidence, Literal(item.confidence, datatype=XSD.double)),
            (paper, CKG.buildsOn, basis),
        ]
        lines += map(to_ntriples, triples)
    store.ox.bulk_load("".join(lines), format=ox.RdfFormat.N_TRIPLES)
    store.ox.optimize()


def bench_graph_prefixes() -> dict[str, str]:
    from citekg.ontology.namespace import PREFIXES

    return PREFIXES


def _timed_update(store: Any, extractions: list[Any]) -> tuple[float, float]:
    """Seconds of ``store.update`` and, within it, of the view refresh."""
    from citekg.graph import views

    spent = [0.0]
    original = views.refresh_after_write

    def timed(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        original(*args, **kwargs)
        spent[0] += time.perf_counter() - started

    views.refresh_after_write = timed  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        store.update(extractions)
        return time.perf_counter() - started, spent[0]
    finally:
        views.refresh_after_write = original  # type: ignore[assignment]


def measure(
    size: int, root: Path, add_up_to: int, repeat: int, budget: float, refresh: bool
) -> dict[str, Any]:
    """Build or reuse the store, refresh its views, add 10 papers, time every canned query."""
    from citekg.graph.queries import list_queries, load_query
    from citekg.graph.store import GraphStore
    from citekg.graph.views import refresh_views, views_stale

    path = root / f"views-{size}"
    numbers: dict[str, Any] = {"papers": size, "build_s": round(build(size, path, add_up_to), 1)}
    with GraphStore.open(path) as store:
        numbers["triples"] = len(store)
        if refresh or views_stale(store):
            started = time.perf_counter()
            refresh_views(store)
            numbers["refresh_full_s"] = round(time.perf_counter() - started, 2)
        # 10 new papers (new ids each run, so the add is never a no-op)
        extra = list(itertools.islice(_Corpus(size + 10, seed=int(time.time())), size, size + 10))
        stamp = int(time.time()) % 1_000_000
        extra = [_renamed(e, f"s2:views{stamp}x{i}") for i, e in enumerate(extra)]
        total, refresh_s = _timed_update(store, extra)
        numbers["add10_s"], numbers["add10_refresh_s"] = round(total, 2), round(refresh_s, 2)
    queries: dict[str, Any] = {}
    with GraphStore.open(path, read_only=True) as store:
        samples = bench_graph._samples(store, random.Random(1), 20)
        for name in list_queries():
            text = load_query(name)
            runs = [(name, [{}])]
            if name in bench_graph.BINDINGS:
                variable, kind = bench_graph.BINDINGS[name]
                bound = [{variable: v} for v in samples[kind]] or [{}]
                runs = [(f"{name} (?{variable} bound)", bound)]
                if name in bench_graph.GLOBAL:
                    runs.append((f"{name} (unbound)", [{}]))
            for label, values in runs:
                print(f"  {size:,}: {label}", file=sys.stderr, flush=True)
                queries[label] = bench_graph._time_query(store, text, values, repeat, budget)
    numbers["queries"] = queries
    return numbers


def _renamed(extraction: Any, pid: str) -> Any:
    from dataclasses import replace

    paper = replace(extraction.paper, id=pid, title=f"{extraction.paper.title} ({pid})", url=None)
    mentions = tuple(replace(m, paper_id=pid) for m in extraction.mentions)
    return replace(extraction, paper=paper, mentions=mentions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--root", type=Path, default=Path("/tmp"), help="Stores live in ROOT/views-SIZE.")
    parser.add_argument("--add-up-to", type=int, default=10_000, help="Build with GraphStore.add up to here.")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument(
        "--refresh", action="store_true", help="Time a full refresh even if views are current."
    )
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    results = [
        measure(int(size), args.root, args.add_up_to, args.repeat, args.budget, args.refresh)
        for size in args.sizes.split(",")
    ]
    from tabulate import tabulate

    load = os.getloadavg()
    head = ["build_s", "triples", "refresh_full_s", "add10_s", "add10_refresh_s"]
    print(
        tabulate(
            [[k, *[r.get(k, "") for r in results]] for k in head],
            headers=["", *[r["papers"] for r in results]],
        )
    )
    names = list(dict.fromkeys(n for r in results for n in r["queries"]))
    rows = [[n, *[bench_graph._cell(r["queries"].get(n)) for r in results]] for n in names]
    print(
        tabulate(
            rows, headers=["query (p50 / p95 ms)", *[f"{r['papers']:,}" for r in results]], tablefmt="github"
        )
    )
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
