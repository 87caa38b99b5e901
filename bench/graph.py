"""Benchmark the graph stage: build time, size, memory and canned-query latency at 1k/10k/100k papers.

The corpora are synthetic but made of real text: abstracts recombine sentences read at run time from
``../shared/corpus/hf-trending-papers.txt`` and the gold corpora's texts (falling back to the bundled
sample corpus), with clauses naming entities spliced in, so every mention has true offsets. Extractions
are built directly (no NLP), so this measures the graph, not extraction. The shape is meant to be
realistic: each paper proposes a new method or model most of the time, uses a few entities drawn with a
heavy-tailed popularity (older entities more popular, so later papers build on earlier ones), links to
code about half the time, and cites earlier papers with preferential attachment plus a few outside ones.

Each size runs in a child process, so "peak RSS" is that size's own. The store is on disk, built by
``--writer bulk`` (default: :class:`citekg.graph.bulk.BulkWriter`, batches of ``--batch`` through
Oxigraph's bulk loader, global passes at the end, the time split by phase) or ``--writer update``
(``GraphStore.update`` per batch, one transaction each), then reopened read-only for the queries
(``--build-only`` skips them). Every canned query runs
with its variables bound to sample values drawn by popularity (what a user clicking on an entity or paper
asks), plus the unbound global forms of the two pair aggregates; p50/p95 over the runs.

Usage::

    python bench/graph.py                       # 1k, 10k, 100k
    python bench/graph.py --sizes 1000,10000 --json results.json
    nice python bench/graph.py --sizes 1000,10000,100000 --build-only --batch 5000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citekg.model import Extraction, Link, Mention, Paper

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CKG = "https://w3id.org/citekg/"

# Queries whose variables are bound, and to what kind of sample value.
BINDINGS = {
    "entity-mentions": ("entity", "entity"),
    "cooccurring-entities": ("entity", "entity"),
    "methods-per-dataset": ("dataset", "dataset"),
    "papers-citing": ("cited", "cited_paper"),
    "paper-proposes": ("paper", "proposing_paper"),
    "papers-building-on": ("basis", "proposing_paper"),
}
# The same queries run unbound too: the graph-wide pair rankings, read from the precomputed views
# (citekg.graph.views), like every other query with nothing to bind (counts, top entities, paged listings).
GLOBAL = ("methods-per-dataset", "cooccurring-entities")
# Canned queries skipped past --global-up-to: none since the views made every canned query a lookup.
WHOLE_GRAPH: tuple[str, ...] = ()


# -- text --------------------------------------------------------------------------------------------


def _sentences() -> tuple[list[str], str]:
    """Real sentences from the shared corpora, else from the bundled sample's abstracts."""
    texts: list[str] = []
    trending = SHARED / "corpus" / "hf-trending-papers.txt"
    if trending.is_file():
        texts += [line for line in trending.read_text(encoding="utf-8").splitlines() if len(line) > 200]
    tdms = SHARED / "gold" / "nlp_tdms" / "pdf_title_abstract.jsonl"
    if tdms.is_file():
        for line in tdms.read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line).get("abstract", ""))
    tdmsci = SHARED / "gold" / "tdmsci" / "test_brat.txt"
    if tdmsci.is_file():
        texts += tdmsci.read_text(encoding="utf-8").splitlines()
    source = "shared corpora"
    if not texts:
        from citekg.pipeline import sample_corpus_path

        source = "bundled sample"
        for line in sample_corpus_path().read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line).get("abstract", ""))
    sentences = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(text.split())):
            if 40 <= len(sentence) <= 300:
                sentences.append(sentence)
    return sorted(set(sentences)), source


def _stems(sentences: list[str]) -> list[str]:
    """Name-like tokens (capitalised, mixed case, digits) from the sentences: material for entity names."""
    stems = set()
    for sentence in sentences:
        stems.update(re.findall(r"\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*\b|\b[A-Z][a-z]{4,}\b", sentence))
    return sorted(stems)


# -- corpus ------------------------------------------------------------------------------------------


class Corpus:
    """A deterministic synthetic corpus of ``size`` extractions, generated lazily."""

    BASE = {"method": 300, "dataset": 400, "model": 150, "task": 300, "metric": 80}

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.sentences, self.source = _sentences()
        self.stems = _stems(self.sentences)
        self.pools: dict[str, list[str]] = {kind: [] for kind in self.BASE}
        self.names: set[str] = set()
        for kind, count in self.BASE.items():
            for _ in range(count):
                self.pools[kind].append(self._new_name(kind))
        self.cited_pool: list[str] = []
        self.proposers: dict[str, str] = {}
        self.generation_seconds = 0.0
        self.generation_cpu_seconds = 0.0

    def _new_name(self, kind: str) -> str:
        rng = self.rng
        while True:
            stem = rng.choice(self.stems)
            shape = rng.random()
            if kind == "model":
                # Sizes in billions too: eight suffixes per stem ran out of names (an endless loop) near
                # 50,000 papers.
                sizes = ["7B", "13B", "base", "large", "XL", "2", "3", "v2", f"{rng.randint(1, 400)}B"]
                size = rng.choice(sizes)
                name = f"{stem}-{size}"
            elif kind == "dataset" and shape < 0.4:
                name = f"{stem}-{rng.randint(10, 2000)}"
            elif shape < 0.3:
                name = f"{stem}{rng.choice(self.stems)}"
            else:
                name = f"{stem}-{rng.randint(2, 99)}" if shape < 0.5 else stem
            if name.casefold() not in self.names:
                self.names.add(name.casefold())
                return name

    def _pick(self, kind: str) -> str:
        pool = self.pools[kind]
        return pool[int(len(pool) * self.rng.random() ** 3)]

    def paper_id(self, i: int) -> str:
        """The id of paper ``i``: arXiv-shaped, its year rising with ``i``."""
        year = 2015 + (i * 10) // max(self.size, 1)
        month = 1 + (i % 12)
        return f"arxiv:{year % 100:02d}{month:02d}.{i:05d}" if i < 100_000 else f"s2:bench{i}"

    def __iter__(self) -> Iterator[Extraction]:
        for i in range(self.size):
            started, cpu = time.perf_counter(), time.process_time()
            extraction = self._paper(i)
            self.generation_seconds += time.perf_counter() - started
            self.generation_cpu_seconds += time.process_time() - cpu
            yield extraction

    def _paper(self, i: int) -> Extraction:
        rng = self.rng
        pid = self.paper_id(i)
        mentions: list[Mention] = []
        parts: list[str] = []
        length = 0

        def add(text: str) -> int:
            nonlocal length
            start = length + (1 if parts else 0)
            parts.append(text)
            length = start + len(text)
            return start

        def clause(template: str, names: list[tuple[str, str, str]]) -> None:
            # template holds {0}, {1}, …; each name is (kind, name, role)
            pieces = re.split(r"(\{\d\})", template)
            text, spans = "", []
            for piece in pieces:
                if m := re.fullmatch(r"\{(\d)\}", piece):
                    kind, name, role = names[int(m.group(1))]
                    spans.append((len(text), kind, name, role))
                    text += name
                else:
                    text += piece
            offset = add(text)
            for rel, kind, name, role in spans:
                start = offset + rel
                conf = round(rng.uniform(0.5, 1.0), 2)
                mentions.append(
                    Mention(pid, kind, name, start, start + len(name), "abstract", name, role, conf, "bench")
                )

        add(rng.choice(self.sentences))
        proposed = None
        if rng.random() < 0.8:
            kind = "method" if rng.random() < 0.75 else "model"
            proposed = (kind, self._new_name(kind), "proposed")
            clause("We propose {0}, a new " + kind + ".", [proposed])
        uses = [("method", self._pick("method"), "used") for _ in range(rng.randint(0, 2))]
        uses += [("model", self._pick("model"), "used") for _ in range(rng.randint(0, 1))]
        datasets = [("dataset", self._pick("dataset"), "used") for _ in range(rng.randint(1, 3))]
        task = ("task", self._pick("task"), "used")
        metric = ("metric", self._pick("metric"), "used")
        if uses:
            clause("It builds on " + " and ".join(f"{{{k}}}" for k in range(len(uses))) + ".", uses)
        add(rng.choice(self.sentences))
        names = [*datasets, task, metric]
        slots = " and ".join(f"{{{k}}}" for k in range(len(datasets)))
        clause(f"Experiments on {slots} for {{{len(datasets)}}} report {{{len(datasets) + 1}}}.", names)
        if rng.random() < 0.3:
            clause("We compare against {0}.", [("method", self._pick("method"), "compared")])
        for _ in range(rng.randint(0, 2)):
            add(rng.choice(self.sentences))
        abstract = " ".join(parts)

        title_words = rng.choice(self.sentences).rstrip(".").split()[:8]
        title = " ".join(title_words)
        if proposed is None:
            # Titles drawn from the sentence pool repeat, and papers with one title are merged as one.
            title = f"{title} (study {i})"
        else:
            title = f"{proposed[1]}: {title}"
            mentions.append(
                Mention(
                    pid,
                    proposed[0],
                    proposed[1],
                    0,
                    len(proposed[1]),
                    "title",
                    proposed[1],
                    "proposed",
                    0.9,
                    "bench",
                )
            )
            self.pools[proposed[0]].append(proposed[1])

        links = []
        repo = re.sub(r"[^a-z0-9]+", "-", title.lower())[:30].strip("-") or "code"
        slug = f"lab{rng.randint(1, max(self.size // 20, 10))}/{repo}"
        if rng.random() < 0.45:
            url = f"https://github.com/{slug}"
            links.append(Link(url, url, "code", "github.com", slug, field="metadata"))
        if rng.random() < 0.1:
            url = f"https://{slug.split('/')[0]}.github.io/{slug.split('/')[1]}"
            links.append(Link(url, url, "project_page", f"{slug.split('/')[0]}.github.io", field="metadata"))

        references = set()
        if i:
            for _ in range(min(i, int(rng.expovariate(1 / 5)))):
                if self.cited_pool and rng.random() < 0.7:
                    references.add(rng.choice(self.cited_pool))
                else:
                    references.add(self.paper_id(rng.randrange(i)))
        for _ in range(rng.randint(0, 2)):
            references.add(f"doi:10.9999/external.{rng.randint(1, self.size)}")
        # sorted: set order changes with PYTHONHASHSEED, and the corpus must be the same in every process
        self.cited_pool.extend(r for r in sorted(references) if r.startswith(("arxiv:", "s2:")))

        paper = Paper(
            id=pid,
            title=title,
            abstract=abstract,
            authors=tuple(f"Author {rng.randint(1, self.size)}" for _ in range(rng.randint(1, 6))),
            year=2015 + (i * 10) // max(self.size, 1),
            url=f"https://arxiv.org/abs/{pid.split(':', 1)[1]}" if pid.startswith("arxiv:") else None,
            references=tuple(sorted(references)),
        )
        return Extraction(paper, mentions=tuple(mentions), links=tuple(links), extractor_version="bench")


# -- measuring ---------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _samples(store: Any, rng: random.Random, count: int) -> dict[str, list[Any]]:
    """Values for bound variables, drawn by popularity (a random mention's entity, a random citation)."""
    import pyoxigraph as ox

    def column(sparql: str) -> list[ox.NamedNode]:
        return [row[0] for row in store.query(sparql)]

    mention_entities = column("SELECT ?e WHERE { ?p ckg:mentions ?e }")
    datasets = column("SELECT ?e WHERE { ?p ckg:mentions ?e . ?e a ckg:Dataset }")
    cited = column("SELECT ?q WHERE { ?p cito:cites ?q . ?q ckg:inCorpus true }")
    proposing = column("SELECT DISTINCT ?p WHERE { ?p ckg:proposes ?e }")
    return {
        "entity": [rng.choice(mention_entities) for _ in range(count)],
        "dataset": [rng.choice(datasets) for _ in range(count)],
        "cited_paper": [rng.choice(cited) for _ in range(count)] if cited else [],
        "proposing_paper": [rng.choice(proposing) for _ in range(count)],
    }


def _time_query(
    store: Any, text: str, values: list[dict[str, Any]], repeat: int, budget: float
) -> dict[str, Any]:
    def once(bindings: dict[str, Any]) -> tuple[float, int]:
        started = time.perf_counter()
        result = store.query(text, bindings or None)
        rows = len(list(result)) if hasattr(result, "variables") else 1
        return time.perf_counter() - started, rows

    warm, warm_rows = once(values[0])
    if warm > budget:  # a global aggregate slower than the whole budget: one run is the answer
        ms = round(warm * 1000, 2)
        return {"runs": 1, "p50_ms": ms, "p95_ms": ms, "rows_median": warm_rows}
    times, rows = [], []
    spent = 0.0
    for k in range(repeat):
        seconds, n = once(values[k % len(values)])
        times.append(seconds)
        rows.append(n)
        spent += seconds
        if spent > budget and len(times) >= 3:
            break
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {
        "runs": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "rows_median": int(statistics.median(rows)),
    }


def _build(store: Any, corpus: Corpus, writer: str, batch: int) -> dict[str, float]:
    """Write the corpus into the (empty, on-disk) store; the bulk writer's phases (wall s, CPU s, RSS MB)."""
    if writer == "update":
        chunk: list[Extraction] = []
        for extraction in corpus:
            chunk.append(extraction)
            if len(chunk) == batch:
                store.update(chunk)
                chunk = []
        if chunk:
            store.update(chunk)
        return {}
    from citekg.graph.bulk import BulkWriter

    with BulkWriter(store, batch_size=batch) as bulk:
        bulk.write(corpus)
        report = bulk.finish()
    return {
        **{f"{name} wall s": value for name, value in report.seconds.items()},
        **{f"{name} CPU s (main thread)": value for name, value in report.cpu_seconds.items()},
        **{f"{name} peak RSS MB": value for name, value in report.peak_rss_mb.items()},
    }


def _time_queries(store: Any, size: int, repeat: int, budget: float, global_up_to: int) -> dict[str, Any]:
    """Latency of every canned query (bound to popular sample values) and of the global aggregates."""
    from citekg.graph.queries import list_queries, load_query

    queries: dict[str, Any] = {}
    samples = _samples(store, random.Random(1), 20)
    for name in list_queries():
        text = load_query(name)
        print(f"  {size:,}: {name}", file=sys.stderr, flush=True)
        if name in WHOLE_GRAPH and size > global_up_to:
            queries[name] = None
            continue
        if name in BINDINGS:
            variable, kind = BINDINGS[name]
            values = [{variable: v} for v in samples[kind]] or [{}]
            label = f"{name} (?{variable} bound)"
        else:
            values, label = [{}], name
        queries[label] = _time_query(store, text, values, repeat, budget)
    from citekg.graph.analysis import _BUILDS_ON

    values = [{"basis": v} for v in samples["proposing_paper"]]
    queries["builds-on inferred at query time (?basis bound)"] = _time_query(
        store, _BUILDS_ON, values, repeat, budget
    )
    for name in GLOBAL:
        label = f"{name} (unbound)"
        if size > global_up_to:
            queries[label] = None
            continue
        queries[label] = _time_query(store, load_query(name), [{}], max(3, repeat // 5), budget)
    return queries


def run_one(
    size: int,
    repeat: int,
    budget: float,
    batch: int,
    global_up_to: int,
    writer: str = "bulk",
    queries_too: bool = True,
) -> dict[str, Any]:
    """Build one corpus of ``size`` papers on disk and time the canned queries; return the numbers."""
    from citekg.graph.store import GraphStore

    corpus = Corpus(size)
    workdir = Path(tempfile.mkdtemp(prefix=f"citekg-bench-{size}-"))
    try:
        store_dir = workdir / "graph"
        started, cpu = time.perf_counter(), time.process_time()
        with GraphStore.open(store_dir) as store:
            phases = _build(store, corpus, writer, batch)
            total = time.perf_counter() - started
            cpu = time.process_time() - cpu
            build_rss = _peak_rss_mb()
            triples = len(store)
        size_mb = _dir_size_mb(store_dir)

        queries: dict[str, Any] = {}
        if queries_too:
            with GraphStore.open(store_dir, read_only=True) as store:
                queries = _time_queries(store, size, repeat, budget, global_up_to)
        return {
            "papers": size,
            "writer": writer,
            "batch": batch,
            "text_source": corpus.source,
            "triples": triples,
            "build_s": round(total - corpus.generation_seconds, 2),
            "phases_s": {name: round(value, 2) for name, value in phases.items()},
            "build_cpu_s": round(cpu - corpus.generation_cpu_seconds, 2),
            "generation_s": round(corpus.generation_seconds, 2),
            "store_mb": round(size_mb, 1),
            "peak_rss_mb_build": round(build_rss, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "queries": queries,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _cell(numbers: dict[str, Any] | None) -> str:
    if numbers is None:
        return "not run"
    return f"{numbers['p50_ms']} / {numbers['p95_ms']} ({numbers['rows_median']} rows)"


def _table(results: list[dict[str, Any]]) -> str:
    from tabulate import tabulate

    sizes = [f"{r['papers']:,}" for r in results]
    head = [
        ["writer (batch)", *[f"{r['writer']} ({r['batch']:,})" for r in results]],
        ["triples", *[f"{r['triples']:,}" for r in results]],
        ["build (s, excl. generation)", *[r["build_s"] for r in results]],
        ["build CPU, all threads (s)", *[r["build_cpu_s"] for r in results]],
        ["generation (s)", *[r["generation_s"] for r in results]],
        ["store on disk (MB)", *[r["store_mb"] for r in results]],
        ["peak RSS after build (MB)", *[r["peak_rss_mb_build"] for r in results]],
        ["peak RSS overall (MB)", *[r["peak_rss_mb"] for r in results]],
    ]
    for phase in dict.fromkeys(name for r in results for name in r["phases_s"]):
        head.append([f"phase: {phase}", *[r["phases_s"].get(phase, "") for r in results]])
    names = list(dict.fromkeys(name for r in results for name in r["queries"]))
    rows = [[name, *[_cell(r["queries"].get(name)) for r in results]] for name in names]
    return (
        tabulate(head, headers=["papers", *sizes], tablefmt="github")
        + "\n\nquery latency, p50 / p95 ms\n\n"
        + tabulate(rows, headers=["query", *sizes], tablefmt="github")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="Comma-separated corpus sizes.")
    parser.add_argument("--repeat", type=int, default=30, help="Runs per query (fewer past --budget).")
    parser.add_argument("--budget", type=float, default=5.0, help="Seconds of runs per query at most.")
    parser.add_argument("--batch", type=int, default=5000, help="Extractions per batch of the writer.")
    parser.add_argument(
        "--writer",
        choices=["bulk", "update"],
        default="bulk",
        help="BulkWriter (bulk loader, global passes at the end) or GraphStore.update per batch.",
    )
    parser.add_argument("--build-only", action="store_true", help="Measure the build; run no queries.")
    parser.add_argument(
        "--global-up-to", type=int, default=10_000, help="Run the unbound global aggregates up to this size."
    )
    parser.add_argument("--json", dest="json_path", help="Also write the numbers as JSON here ('-': stdout).")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON on stdout
    args = parser.parse_args(argv)

    if args.one is not None:
        queries_too = not args.build_only
        numbers = run_one(
            args.one, args.repeat, args.budget, args.batch, args.global_up_to, args.writer, queries_too
        )
        json.dump(numbers, sys.stdout)
        return 0

    results = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        command = [sys.executable, __file__, "--one", str(size), "--repeat", str(args.repeat)]
        command += ["--budget", str(args.budget), "--batch", str(args.batch), "--writer", args.writer]
        command += ["--global-up-to", str(args.global_up_to)] + (["--build-only"] if args.build_only else [])
        started = time.perf_counter()
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if out.returncode != 0:
            return out.returncode
        results.append(json.loads(out.stdout))
        print(f"{size:,} papers done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(_table(results))
    if args.json_path == "-":
        print(json.dumps(results, indent=2))
    elif args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
