"""Extraction quality and speed on every gold split in ../shared/gold, printed as one table.

Runs citekg's pipeline (one process, built once) over each corpus's test split — SciERC test, TDMSci test,
SciER test and test_ood — or their dev splits with ``--split dev``, scores per type (exact span and
overlap, see :mod:`citekg.evaluate`) and prints corpus × type rows, the label mapping of each corpus and
the speed. On the test split it also runs a document-level check on NLP-TDMS: for each annotated paper's
title + abstract, which of its leaderboard datasets and tasks appear among the extracted mentions.

    python bench/extraction.py                 # test splits
    python bench/extraction.py --split dev     # dev splits (TDMSci has none)
    python bench/extraction.py --json out.json # also write every number
    python bench/extraction.py --keep-generic  # keep "kernel methods", "language models" (SciERC style)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from citekg.evaluate import EvalReport, evaluate
from citekg.gold import GOLD_FORMATS
from citekg.model import Paper
from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared")) / "gold"

# corpus label → (gold format, file under the gold folder) per split
SPLITS: dict[str, list[tuple[str, str, str]]] = {
    "test": [
        ("SciERC test", "scierc", "scierc/processed_json/test.json"),
        ("TDMSci test", "tdmsci", "tdmsci/test_500_v2.conll"),
        ("SciER test", "scier", "scier/PLM/test.jsonl"),
        ("SciER test_ood", "scier", "scier/PLM/test_ood.jsonl"),
    ],
    "dev": [
        ("SciERC dev", "scierc", "scierc/processed_json/dev.json"),
        ("SciER dev", "scier", "scier/PLM/dev.jsonl"),
    ],
}


def build_pipeline(fast: bool, names: list[str] | None, keep_generic: bool = False) -> tuple[Any, float]:
    from citekg.evaluate import _build_nlp  # the pipeline citekg eval runs, built the same way
    from citekg.extractors import extract

    start = time.perf_counter()
    nlp = _build_nlp(fast, names or None, keep_generic)
    list(extract([Paper(id="warm-up", title="", abstract="We evaluate BERT on ImageNet.")], nlp=nlp))
    return nlp, time.perf_counter() - start


def run_corpora(split: str, gold_dir: Path, nlp: Any) -> list[EvalReport]:
    reports = []
    for label, name, rel in SPLITS[split]:
        path = gold_dir / rel
        if not path.is_file():
            print(f"skipped {label}: {path} is absent", file=sys.stderr)
            continue
        gold_format = GOLD_FORMATS[name]
        docs = list(gold_format.read(path))
        reports.append(evaluate(docs, mapping=gold_format.mapping, corpus=label, nlp=nlp))
    return reports


def quality_table(reports: list[EvalReport]) -> str:
    rows = []
    for report in reports:
        s = report.scores
        entries = [(t, s.exact[t], s.overlap[t]) for t in s.types] + [
            ("micro", s.micro_exact, s.micro_overlap)
        ]
        for index, (name, ex, ov) in enumerate(entries):
            rows.append(
                [
                    report.corpus if index == 0 else "",
                    name,
                    ex.gold,
                    ex.predicted,
                    100 * ex.precision,
                    100 * ex.recall,
                    100 * ex.f1,
                    100 * ov.precision,
                    100 * ov.recall,
                    100 * ov.f1,
                    f"{report.docs_per_second:,.0f}" if index == 0 else "",
                ]
            )
    headers = ["corpus", "type", "gold", "pred", "exact P", "R", "F1", "overlap P", "R", "F1", "docs/s"]
    return tabulate(rows, headers=headers, floatfmt=".1f", colalign=("left", "left"))


# -- NLP-TDMS document-level check ------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower().replace("_", " ")).strip()


def _hit(gold: str, found: set[str]) -> bool:
    """A gold name is found when a mention's normalised text equals it, or one contains the other as words."""
    g = f" {gold} "
    return any(gold == m or (m and (f" {m} " in g or g in f" {m} ")) for m in found)


def doc_level_nlp_tdms(gold_dir: Path, nlp: Any) -> dict[str, Any] | None:
    from citekg.extractors import extract

    folder = gold_dir / "nlp_tdms"
    texts = folder / "pdf_title_abstract.jsonl"
    if not texts.is_file():
        return None
    gold: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"dataset": set(), "task": set()})
    for kind, name in (("task", "taskAnnotation.tsv"), ("dataset", "datasetAnnotation.tsv")):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if len(row) >= 2:
                    gold[row[0]][kind].update(_norm(v) for v in row[1].split("#") if _norm(v))
    papers = []
    for line in texts.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["pdf"] in gold:
            papers.append(
                Paper(
                    id=record["pdf"], title=record.get("title") or "", abstract=record.get("abstract") or ""
                )
            )
    counts = {k: {"gold": 0, "in_text": 0, "found": 0} for k in ("dataset", "task")}
    predicted = {k: 0 for k in ("dataset", "task")}
    for extraction in extract(papers, nlp=nlp):
        paper = extraction.paper
        text = f" {_norm(paper.title + ' ' + paper.abstract)} "
        for kind in ("dataset", "task"):
            found = {_norm(m.text) for m in extraction.mentions if m.label == kind}
            predicted[kind] += len(found)
            for name in gold[paper.id][kind]:
                counts[kind]["gold"] += 1
                counts[kind]["in_text"] += f" {name} " in text
                counts[kind]["found"] += _hit(name, found)
    return {"papers": len(papers), "counts": counts, "distinct_predicted": predicted}


def doc_level_table(result: dict[str, Any]) -> str:
    rows = []
    for kind, c in result["counts"].items():
        rows.append(
            [
                kind,
                c["gold"],
                c["in_text"],
                c["found"],
                result["distinct_predicted"][kind],
                100 * c["found"] / c["gold"] if c["gold"] else 0.0,
                100 * c["found"] / c["in_text"] if c["in_text"] else 0.0,
            ]
        )
    headers = ["type", "gold names", "in text", "found", "distinct predicted", "recall", "recall | in text"]
    return tabulate(rows, headers=headers, floatfmt=".1f")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="test", help="which splits to score")
    parser.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD, help=f"default {DEFAULT_GOLD}")
    parser.add_argument("--fast", action="store_true", help="rules only, when the pipeline offers it")
    parser.add_argument("--extractors", nargs="*", help="extractor names for build_nlp (default: built-ins)")
    parser.add_argument(
        "--keep-generic",
        action="store_true",
        help="keep lower-case method descriptions ('kernel methods'), as SciERC annotates them",
    )
    parser.add_argument("--no-doc-level", action="store_true", help="skip the NLP-TDMS document-level check")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write all numbers as JSON here")
    args = parser.parse_args(argv)
    if not args.gold_dir.is_dir():
        print(f"no gold data at {args.gold_dir}; pass --gold-dir or set CITEKG_SHARED", file=sys.stderr)
        return 1

    nlp, load_seconds = build_pipeline(args.fast, args.extractors, args.keep_generic)
    reports = run_corpora(args.split, args.gold_dir, nlp)
    print(
        f"citekg extraction, {args.split} splits; pipeline: {', '.join(nlp.pipe_names)}"
        f" (built and warmed up in {load_seconds:.2f} s)"
    )
    if reports and reports[0].extractor_version:
        print(f"extractor version: {reports[0].extractor_version}")
    print()
    print(quality_table(reports))
    print()
    print("label mappings (gold ← corpus label; predictions folded as shown):")
    for report in reports:
        print(f"  {report.corpus}: {report.mapping.describe()}")
    print("units: SciERC one abstract; TDMSci and SciER one sentence. docs/s: extraction only, one process.")
    doc_level = None
    if args.split == "test" and not args.no_doc_level:
        doc_level = doc_level_nlp_tdms(args.gold_dir, nlp)
        if doc_level is not None:
            print()
            print(
                f"NLP-TDMS document level ({doc_level['papers']} annotated title+abstracts): "
                "is each leaderboard name among the mentions of its type?"
            )
            print(doc_level_table(doc_level))
    if args.json:
        payload = {
            "split": args.split,
            "pipeline": list(nlp.pipe_names),
            "load_seconds": round(load_seconds, 3),
            "corpora": [r.to_dict() for r in reports],
            "nlp_tdms_doc_level": doc_level,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
