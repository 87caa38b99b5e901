"""Scale benchmark: `citekg build` of a synthetic arXiv-snapshot corpus, locally and on Dask, timed.

For each size (default 10k; ``--sizes 10000,100000``) it writes a corpus with ``bench/synth.py`` and
runs ``citekg build`` once per ``--runs`` entry (default: ``--workers 1``, ``--workers 2``, and
``--engine dask`` on a LocalCluster of 2 workers), each in a child process of its own into a new
(empty) graph; with ``--shard`` it also times ``citekg shard --engine dask`` + ``citekg load``.

Per row: the 1-minute load average before and after (the machine is shared: say so when quoting),
wall time, abstracts/s, peak RSS, store size on disk, and the p50 latency of the canned queries
(``citekg.graph.queries``) run afterwards against the store, variables bound to sample values.
"peak RSS" is ``ru_maxrss`` of the biggest process in the command's tree
(``getrusage(RUSAGE_CHILDREN)`` of a wrapper process); "tree RSS" is the peak of the whole tree's
summed RSS sampled every 0.2 s with psutil (blank when psutil is missing), which counts every worker.
With two sizes measured, it extrapolates each path to ``--extrapolate`` abstracts (default 1M) with
the linear formula printed (:func:`extrapolate`).

Usage::

    nice -n 10 python bench/scale.py                              # 10k
    nice -n 10 python bench/scale.py --sizes 10000,100000 --fast --json scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402  (bench/ is not a package)

CITEKG = [str(Path(sys.executable).with_name("citekg"))]

# Canned queries with a variable meant to be bound, and the SPARQL that picks a sample value for it.
_SAMPLES = {
    "entity": "SELECT ?v (COUNT(?m) AS ?n) WHERE { ?m ckg:mentionOf ?v } "
    "GROUP BY ?v ORDER BY DESC(?n) LIMIT 1",
    "dataset": "SELECT ?v (COUNT(?m) AS ?n) WHERE { ?m ckg:mentionOf ?v . ?v a ckg:Dataset } "
    "GROUP BY ?v ORDER BY DESC(?n) LIMIT 1",
    "cited": "SELECT ?v (COUNT(?p) AS ?n) WHERE { ?p cito:cites ?v } GROUP BY ?v ORDER BY DESC(?n) LIMIT 1",
    "paper": "SELECT ?v WHERE { ?v ckg:proposes ?e } ORDER BY ?v LIMIT 1",
    "basis": "SELECT ?v WHERE { ?p ckg:buildsOn ?v } ORDER BY ?v LIMIT 1",
}
_BINDINGS = {
    "entity-mentions": "entity",
    "cooccurring-entities": "entity",
    "methods-per-dataset": "dataset",
    "papers-citing": "cited",
    "paper-proposes": "paper",
    "papers-building-on": "basis",
}

# Runs a command, samples its tree's RSS, and prints {"maxrss_kb": …, "tree_peak_kb": …} last.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
proc = subprocess.Popen(sys.argv[1:])
peak = None
try:
    import psutil
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.2)
except ImportError:
    pass
code = proc.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": code, "maxrss_kb": usage.ru_maxrss, "tree_peak_kb": (peak or 0) // 1024 or None}),
      file=sys.stderr)
sys.exit(code)
"""


def measure(command: list[str], log: Path) -> dict[str, Any]:
    """Run ``command`` in a wrapper process; return wall seconds and memory, or raise on failure."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *command], stdout=out, stderr=subprocess.PIPE, text=True
        )
    seconds = time.perf_counter() - started
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "{}"
    stats = json.loads(last)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({proc.returncode}); see {log}\n{proc.stderr[-2000:]}"
        )
    return {
        "seconds": seconds,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "peak_rss_mb": stats["maxrss_kb"] / 1024,
        "tree_rss_mb": (stats["tree_peak_kb"] / 1024) if stats.get("tree_peak_kb") else None,
    }


def disk_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def query_latency(graph: Path, runs: int = 5) -> dict[str, float]:
    """p50 milliseconds of every canned query against ``graph``."""
    from citekg.graph.queries import list_queries, load_query
    from citekg.graph.store import GraphStore
    from rdflib import URIRef

    result: dict[str, float] = {}
    with GraphStore.open(graph, read_only=True) as store:
        samples = {}
        for kind, sparql in _SAMPLES.items():
            rows = list(store.query(sparql))  # type: ignore[arg-type]
            samples[kind] = URIRef(rows[0]["v"].value) if rows else None
        for name in list_queries():
            text = load_query(name)
            var = _BINDINGS.get(name)
            bindings = {var: samples[var]} if var and samples.get(var) is not None else None
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                answer = store.query(text, bindings)
                for _row in answer:  # type: ignore[union-attr]
                    pass
                times.append((time.perf_counter() - started) * 1000)
            result[name] = statistics.median(times)
    return result


def run_size(size: int, work: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    corpus = work / f"corpus-{size}.jsonl"
    started = time.perf_counter()
    synth.write_corpus(corpus, size, seed=args.seed)
    print(
        f"# {size}: corpus {disk_mb(corpus):.1f} MB in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    rows: list[dict[str, Any]] = []

    def row(path: str, measured: dict[str, Any], graph: Path | None, **extra: Any) -> dict[str, Any]:
        record = {"size": size, "path": path, **measured, **extra}
        record["abstracts_per_s"] = size / measured["seconds"]
        if graph is not None:
            record["store_mb"] = disk_mb(graph)
            latency = query_latency(graph)
            record["query_p50_ms"] = statistics.median(latency.values())
            record["query_max_p50_ms"] = max(latency.values())
            record["queries"] = latency
        rows.append(record)
        print(json.dumps({k: v for k, v in record.items() if k != "queries"}, default=str), file=sys.stderr)
        return record

    fast = ["--fast"] if args.fast else []
    for engine, n in args.runs:
        graph = work / f"built-{size}-{engine}-{n}"
        command = [*CITEKG, "build", str(corpus), "--graph", str(graph), "--quiet", "--json", *fast]
        command += ["--workers", str(n), "--engine", engine, "--batch-size", str(args.batch_size)]
        label = f"build --workers {n}" if engine == "local" else f"build --engine dask ({n} workers)"
        log = work / f"build-{size}-{engine}-{n}.json"
        measured = measure(command, log)
        summary = json.loads(log.read_text(encoding="utf-8"))  # what the build says of itself
        phases = summary["update"].get("seconds", {})
        row(label + (" --fast" if fast else ""), measured, graph, writer=summary["writer"], phases=phases)
        shutil.rmtree(graph)
    if args.shard:
        shards, graph = work / f"shards-{size}", work / f"loaded-{size}"
        shard = measure(
            [
                *CITEKG,
                "shard",
                str(corpus),
                "-o",
                str(shards),
                "--engine",
                "dask",
                "--workers",
                str(args.dask_workers),
                *(["--partitions", str(args.partitions)] if args.partitions else []),
                *fast,
            ],
            work / "shard.log",
        )
        load = measure([*CITEKG, "load", str(shards), "--graph", str(graph)], work / "load.log")
        suffix = f" ({args.dask_workers} workers{', fast' if args.fast else ''})"
        row("dask shard" + suffix, shard, None, shards_mb=disk_mb(shards))
        row("load", load, graph)
        shutil.rmtree(graph)
        shutil.rmtree(shards)
    corpus.unlink()
    return rows


def extrapolate(rows: list[dict[str, Any]], target: int) -> list[str]:
    """Per build path measured at two sizes: the time and memory at ``target`` abstracts, linearly.

    ``t(n) = t0 + n / r`` with ``r`` the marginal rate between the two sizes (startup and the final
    passes land in ``t0``); peak RSS likewise ``m(n) = m0 + n * dm``, as what grows with the corpus is
    the set of paper ids seen and the bulk writer's ledger cache.
    """
    lines = []
    for path in dict.fromkeys(r["path"] for r in rows):
        sized = sorted((r for r in rows if r["path"] == path), key=lambda r: r["size"])
        if len(sized) < 2 or sized[-1]["size"] == sized[0]["size"]:
            continue
        small, big = sized[0], sized[-1]
        rate = (big["size"] - small["size"]) / (big["seconds"] - small["seconds"])
        t0 = big["seconds"] - big["size"] / rate
        slope = (big["peak_rss_mb"] - small["peak_rss_mb"]) / (big["size"] - small["size"])
        memory = big["peak_rss_mb"] + slope * (target - big["size"])
        seconds = t0 + target / rate
        lines.append(
            f"{path}: r = {rate:.1f} abstracts/s marginal, t0 = {t0:.0f} s -> {target:,} abstracts in "
            f"{seconds / 60:.0f} min; peak RSS {big['peak_rss_mb']:.0f} MB + {slope * 1000:.2f} MB per 1k "
            f"-> {memory:.0f} MB"
        )
    return lines


def table(rows: list[dict[str, Any]]) -> str:
    from tabulate import tabulate

    headers = [
        "size",
        "path",
        "load avg",
        "wall s",
        "abstracts/s",
        "peak RSS MB",
        "tree RSS MB",
        "store MB",
        "query p50 ms",
        "slowest query p50 ms",
    ]
    body = [
        [
            r["size"],
            r["path"],
            f"{r['load_before']:.1f}-{r['load_after']:.1f}",
            round(r["seconds"], 1),
            round(r["abstracts_per_s"], 1),
            round(r["peak_rss_mb"]),
            round(r["tree_rss_mb"]) if r.get("tree_rss_mb") else "",
            round(r["store_mb"], 1) if "store_mb" in r else "",
            round(r["query_p50_ms"], 2) if "query_p50_ms" in r else "",
            round(r["query_max_p50_ms"], 1) if "query_max_p50_ms" in r else "",
        ]
        for r in rows
    ]
    return tabulate(body, headers=headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated corpus sizes (default 10000)")
    parser.add_argument(
        "--runs",
        default="local:1,local:2,dask:2",
        help="build runs as ENGINE:WORKERS, comma-separated (default local:1,local:2,dask:2)",
    )
    parser.add_argument("--batch-size", type=int, default=5000, help="build --batch-size")
    parser.add_argument("--shard", action="store_true", help="also time `citekg shard` + `citekg load`")
    parser.add_argument("--dask-workers", type=int, default=2, help="LocalCluster workers of --shard")
    parser.add_argument("--partitions", type=int, help="shard partitions (default: 4 per worker)")
    parser.add_argument("--fast", action="store_true", help="rules only, no statistical NER")
    parser.add_argument("--extrapolate", type=int, default=1_000_000, help="size to extrapolate to")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--work", type=Path, help="scratch directory (default: a temporary one)")
    args = parser.parse_args(argv)
    args.runs = [(run.split(":")[0], int(run.split(":")[1])) for run in args.runs.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="citekg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows += run_size(size, work, args)
    print(table(rows))
    print(f"load average: {os.getloadavg()} on {os.cpu_count()} CPUs")
    for line in extrapolate(rows, args.extrapolate):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
