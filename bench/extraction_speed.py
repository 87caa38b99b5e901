"""Extraction speed: abstracts per second (wall and CPU) for each stage, startup time, and workers.

Rows per corpus: the blank tokenizer alone, the fast pipeline (``build_nlp(fast=True)``, rules only),
the full pipeline (``build_nlp()``), and each component alone (its own time, on Docs the components
before it have already processed). Then :func:`citekg.extractors.extract` with ``workers=1`` and
``workers=2``, fast and full, on the last corpus (trending) repeated to at least ``--min-papers``
papers. Corpora: SciERC dev abstracts and SciER dev sentences from the gold folder, and the
trending-papers dump (title + abstract per paper), under ``../shared`` (or ``$CITEKG_SHARED``);
absent ones are skipped. Pipeline rows run through ``extract()``, so they include turning Docs into
Extraction records and the (empty) title Doc of the gold corpora. Startup is a fresh interpreter
importing citekg, building the pipeline and extracting one paper. The header gives the machine and
its load average before and after.

Each number is the best of ``--repeat`` runs: other jobs share the machine, so CPU time
(``time.process_time``; for workers, parent and children) is printed beside wall time.

    python bench/extraction_speed.py [--repeat 3] [--min-papers 4000] [--no-workers] [--no-components]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citekg.model import Paper
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared"))


def corpora() -> list[tuple[str, list[Paper]]]:
    """The benchmark corpora that exist here, as papers."""
    from citekg.gold import GOLD_FORMATS

    found = []
    for label, name, rel in (
        ("SciERC dev", "scierc", "gold/scierc/processed_json/dev.json"),
        ("SciER dev", "scier", "gold/scier/PLM/dev.jsonl"),
    ):
        path = SHARED / rel
        if not path.is_file():
            print(f"skipped {label}: {path} is absent", file=sys.stderr)
            continue
        docs = GOLD_FORMATS[name].read(path)
        found.append((label, [Paper(id=d.doc_id, title="", abstract=d.text) for d in docs]))
    trending = SHARED / "corpus" / "hf-trending-papers.txt"
    if trending.is_file():
        from citekg.readers import read_papers

        found.append(("trending", list(read_papers(trending))))
    else:
        print(f"skipped trending: {trending} is absent", file=sys.stderr)
    return found


def _cpu(children: bool) -> float:
    cpu = time.process_time()
    if children:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def best_rate(
    run: Callable[[], Any], count: int, repeat: int, *, children: bool = False
) -> tuple[float, float]:
    """Best wall and CPU items/s over ``repeat`` runs of ``run()``, which handles ``count`` items."""
    best_wall = best_cpu = 0.0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu(children)
        run()
        wall, cpu = time.perf_counter() - wall, _cpu(children) - cpu
        best_wall = max(best_wall, count / wall if wall else 0.0)
        best_cpu = max(best_cpu, count / cpu if cpu else 0.0)
    return best_wall, best_cpu


def component_rates(nlp: Any, texts: list[str], repeat: int) -> list[tuple[str, float, float]]:
    """Each component's own rate: Docs are made and run through the components before it, untimed."""
    rows = []
    for index, (name, component) in enumerate(nlp.pipeline):
        best_wall = best_cpu = 0.0
        for _ in range(repeat):
            docs = [nlp.make_doc(text) for text in texts]
            for _, before in nlp.pipeline[:index]:
                docs = list(before.pipe(docs)) if hasattr(before, "pipe") else [before(doc) for doc in docs]
            wall, cpu = time.perf_counter(), time.process_time()
            if hasattr(component, "pipe"):
                list(component.pipe(docs, batch_size=128))
            else:
                for doc in docs:
                    component(doc)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best_wall, best_cpu = max(best_wall, len(texts) / wall), max(best_cpu, len(texts) / cpu)
        rows.append((name, best_wall, best_cpu))
    return rows


def startup(fast: bool, repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds for a fresh interpreter to import, build and extract one paper."""
    code = (
        "import time; w = time.perf_counter()\n"
        "from citekg.extractors import build_nlp, extract\n"
        "from citekg.model import Paper\n"
        f"nlp = build_nlp(fast={fast})\n"
        "list(extract([Paper(id='x', title='BERT', abstract='We evaluate BERT on ImageNet.')], nlp=nlp))\n"
        "print(time.perf_counter() - w, time.process_time())\n"
    )
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        wall, cpu = (float(x) for x in out.stdout.split())
        best = (min(best[0], wall), min(best[1], cpu))
    return best


def machine() -> str:
    """The CPU model and count, for the table's header."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per number; the best is kept")
    parser.add_argument("--min-papers", type=int, default=4000, help="papers for the workers rows")
    parser.add_argument("--no-workers", action="store_true", help="skip the workers rows")
    parser.add_argument("--no-components", action="store_true", help="skip the per-component rows")
    args = parser.parse_args(argv)

    from citekg.extractors import build_nlp, extract

    found = corpora()
    if not found:
        print(f"no corpus under {SHARED}; set CITEKG_SHARED", file=sys.stderr)
        return 1
    load_before = os.getloadavg()
    fast, full = build_nlp(fast=True), build_nlp()
    warm = [Paper(id="warm-up", title="BERT", abstract="We evaluate BERT on ImageNet.")]
    list(extract(warm, nlp=fast)), list(extract(warm, nlp=full))
    rows: list[list[Any]] = []

    def add(label: str, stage: str, n: int, rates: tuple[float, float]) -> None:
        rows.append([label, stage, n, f"{rates[0]:,.0f}", f"{rates[1]:,.0f}"])

    for label, papers in found:
        texts = [text for p in papers for text in (p.title, p.abstract) if text]
        n = len(papers)
        tokenize = best_rate(lambda t=texts: [full.make_doc(x) for x in t], n, args.repeat)
        add(label, "tokenizer only", n, tokenize)
        add(label, "fast (rules)", n, best_rate(lambda p=papers: list(extract(p, nlp=fast)), n, args.repeat))
        add(label, "full", n, best_rate(lambda p=papers: list(extract(p, nlp=full)), n, args.repeat))
        if not args.no_components:
            for name, wall, cpu in component_rates(full, texts, args.repeat):
                add(label, f"  {name} alone", n, (wall * n / len(texts), cpu * n / len(texts)))
    if not args.no_workers:
        # workers on the largest-abstract corpus, repeated: "large inputs" (a worker's start is amortised)
        label, papers = found[-1]
        many = papers * -(-args.min_papers // len(papers))
        for pipeline, name in ((fast, "fast"), (full, "full")):
            for workers in (1, 2):
                rates = best_rate(
                    lambda w=workers, m=many, p=pipeline: list(extract(m, nlp=p, workers=w)),
                    len(many),
                    1,
                    children=True,
                )
                add(label, f"{name}, workers={workers}", len(many), rates)
    for fast_flag, name in ((True, "fast"), (False, "full")):
        wall, cpu = startup(fast_flag, args.repeat)
        rows.append(["startup", f"{name}: import + build + 1 paper", 1, f"{wall:.2f} s", f"{cpu:.2f} s"])
    load_after = os.getloadavg()
    print(f"citekg extraction speed on {machine()}; best of {args.repeat}")
    print(
        "load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    shown = [[row[0] if i == 0 or rows[i - 1][0] != row[0] else "", *row[1:]] for i, row in enumerate(rows)]
    print(
        tabulate(
            shown,
            headers=["corpus", "stage", "papers", "papers/s wall", "papers/s CPU"],
            colalign=("left", "left", "right", "right", "right"),
        )
    )
    print("units: SciERC and trending one abstract (trending: + title); SciER one sentence.")
    print("component rows: that component's own time; per paper (title and abstract Docs together).")
    print("workers rows: CPU is this process and its workers together, a worker's start included;")
    print("other jobs on the machine slow the wall time, less so the CPU time.")
    print("startup rows: seconds, not papers/s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
