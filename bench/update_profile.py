"""Time (and optionally profile) the graph write path: a first build and an incremental add.

Reads an extraction JSONL (``citekg extract -o``) or generates ``--synthetic N`` papers with the
corpus generator of ``bench/graph.py``, builds an in-memory store with ``GraphStore.update`` from the
first ``len - add`` papers, then adds the last ``--add`` papers in a second write. Prints CPU and wall
seconds of each write; ``--dump`` writes the final graph as sorted N-Triples, so two versions of the
write path can be checked for identical output with ``cmp``.

``--writer bulk`` builds with :class:`citekg.graph.bulk.BulkWriter` instead (on disk: ``--store`` or a
temporary directory; no incremental add) and prints its seconds by phase. Loading runs on a background
thread, so a profile of the main thread shows Python's share and the time spent waiting for the loader.

Usage::

    python bench/update_profile.py /tmp/t.jsonl --add 0
    python bench/update_profile.py --synthetic 5000 --add 100 --dump /tmp/g.nt
    python bench/update_profile.py --synthetic 2000 --profile /tmp/p.out
    python bench/update_profile.py --synthetic 5000 --writer bulk --dump /tmp/b.nt   # cmp with the above
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from citekg.graph.store import GraphStore
from citekg.model import Extraction


def _synthetic(size: int) -> list[Extraction]:
    spec = importlib.util.spec_from_file_location("bench_graph", Path(__file__).with_name("graph.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return list(module.Corpus(size))


def _timed(label: str, store: GraphStore, batch: list[Extraction], profiler: cProfile.Profile | None) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    report = store.update(batch)
    if profiler is not None:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{label}: {len(batch)} papers, +{report.triples_added} -{report.triples_removed} triples, "
        f"cpu {cpu:.2f} s, wall {wall:.2f} s ({len(batch) / max(wall, 1e-9):.0f} papers/s)"
    )


def _bulk(path: Path, papers: list[Extraction], profiler: cProfile.Profile | None) -> GraphStore:
    from citekg.graph.bulk import BulkWriter

    cpu, wall = time.process_time(), time.perf_counter()
    store = GraphStore.open(path)
    if profiler is not None:
        profiler.enable()
    with BulkWriter(store) as writer:
        writer.write(papers)
        report = writer.finish()
    if profiler is not None:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"bulk build: {len(papers)} papers, cpu {cpu:.2f} s (all threads), wall {wall:.2f} s "
        f"({len(papers) / max(wall, 1e-9):.0f} papers/s), {report.lines_loaded} lines loaded"
    )
    for phase, seconds in report.seconds.items():
        print(f"  {phase}: {seconds:.2f} s")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", nargs="?", help="extraction JSONL")
    parser.add_argument("--synthetic", type=int, default=0, help="generate this many papers instead")
    parser.add_argument("--add", type=int, default=0, help="papers held back for an incremental add")
    parser.add_argument("--profile", help="write cProfile stats of the writes here")
    parser.add_argument("--store", help="build on disk in this (new) directory instead of in memory")
    parser.add_argument("--profile-phase", choices=("build", "add", "both"), default="both")
    parser.add_argument("--dump", help="write the final graph as sorted N-Triples here")
    parser.add_argument("--writer", choices=("update", "bulk"), default="update", help="which write path")
    args = parser.parse_args()
    if args.synthetic:
        papers = _synthetic(args.synthetic)
    else:
        lines = Path(args.jsonl).read_text(encoding="utf-8").splitlines()
        papers = [Extraction.from_dict(json.loads(line)) for line in lines if line.strip()]
    profiler = cProfile.Profile() if args.profile else None
    if args.writer == "bulk":
        with tempfile.TemporaryDirectory() as scratch:
            with _bulk(Path(args.store or Path(scratch) / "graph"), papers, profiler) as store:
                print(f"store: {len(store)} triples")
                if args.dump:
                    _dump(store, args.dump)
        if profiler is not None:
            profiler.dump_stats(args.profile)
        return
    split = len(papers) - args.add
    with GraphStore.open(args.store) as store:
        phase = args.profile_phase
        _timed("build", store, papers[:split], profiler if phase in ("build", "both") else None)
        if args.add:
            _timed("add", store, papers[split:], profiler if phase in ("add", "both") else None)
        print(f"store: {len(store)} triples")
        if args.dump:
            _dump(store, args.dump)
    if profiler is not None:
        profiler.dump_stats(args.profile)


def _dump(store: GraphStore, path: str) -> None:
    data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    Path(path).write_text("".join(sorted(text.splitlines(keepends=True))), encoding="utf-8")


if __name__ == "__main__":
    main()
