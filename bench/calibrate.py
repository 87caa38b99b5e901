"""Fit the resolver's calibration table on dev data and write ``extractors/data/calibration.json``.

The resolver's confidence for a mention is the precision, measured on dev data, of mentions with the same
evidence: which extractors found it (patterns with their cue), its type, and the NER score bin
(:func:`citekg.extractors.resolver.evidence`). Per evidence signature::

    shrunk = (hits + m * prior) / (n + m)
    confidence = min(raw precision, shrunk) if shrunk >= 0.8 else shrunk

with ``prior`` the precision of the same sources over all types and ``m`` = 5, so rare signatures lean on
their sources (one wrong mention does not make a confidence of 0) and no signature reaches 0.8 unless it
earned it on dev data: mentions at confidence >= 0.8 are right at least 80% of the time there. "Right"
means the exact span with the scored type (corpus label mapping as in ``citekg eval``); mentions of a type
the corpus does not annotate are left out. Evidence never seen on dev data (a title's cue: the dev texts
are abstracts and sentences, read as abstracts) gets the sources' own score, under 0.8.

The type vote uses per-source reliabilities, measured on the same data by overlap (a source's span that
overlaps a gold span of the same scored type counts as right).

Dev data only: SciERC dev and SciER dev. TDMSci has no dev split, and its train split fed the lexicon,
so it is not used here. Run it after the lexicon, the patterns or the NER model change::

    python bench/calibrate.py                 # fast and full pipelines, writes the table
    python bench/calibrate.py --check         # print the reliability table, write nothing
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from tabulate import tabulate

REPO = Path(__file__).resolve().parents[1]
GOLD = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared")) / "gold"
OUT = REPO / "extractors" / "data" / "calibration.json"
DEV = [
    ("SciERC dev", "scierc", "scierc/processed_json/dev.json"),
    ("SciER dev", "scier", "scier/PLM/dev.jsonl"),
]
SHRINK = 5.0
HIGH = 0.8  # the confidence that must be earned outright


def collect(
    gold_dir: Path, fast_only: bool
) -> tuple[list[tuple[str, bool]], dict[str, list[int]], list[Any]]:
    """Run the pipelines over the dev corpora; return (signature, right) pairs and per-source votes."""
    from citekg.extractors import build_nlp
    from citekg.extractors.resolver import RESOLVED_KEY, evidence
    from citekg.gold import GOLD_FORMATS

    pipelines = [build_nlp(fast=True)]
    if not fast_only:
        full = build_nlp()
        if full.pipe_names != pipelines[0].pipe_names:
            pipelines.append(full)
    outcomes: list[tuple[str, bool]] = []
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # "source|label" -> [right, all]
    boundary: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # source -> [exact, overlapping]
    for nlp in pipelines:
        resolver = nlp.get_pipe("citekg_resolver")
        groups = resolver._sources()
        for _, name, rel in DEV:
            path = gold_dir / rel
            if not path.is_file():
                print(f"skipped {rel}: absent", file=sys.stderr)
                continue
            fmt = GOLD_FORMATS[name]
            docs = list(fmt.read(path))
            for gold_doc, doc in zip(docs, nlp.pipe(_as_abstract(nlp, d.text) for d in docs), strict=True):
                gold = {(s.start, s.end, s.label) for s in gold_doc.spans}
                group = doc.spans[RESOLVED_KEY]
                for span, _sources in zip(group, group.attrs["sources"], strict=True):
                    label = fmt.mapping.predicted_label(span.label_)
                    if label is None:
                        continue
                    signature = _signature(doc, span, resolver, evidence)
                    outcomes.append((signature, (span.start_char, span.end_char, label) in gold))
                for spans_key, source in groups.items():
                    group = doc.spans.get(spans_key)
                    if group is None:
                        continue
                    cues = group.attrs.get("cues")
                    for index, span in enumerate(group):
                        label = fmt.mapping.predicted_label(span.label_)
                        if label is None:
                            continue
                        name_ = f"{source}:{cues[index]}" if cues else source
                        hit = [
                            g
                            for g in gold
                            if g[0] < span.end_char and span.start_char < g[1] and g[2] == label
                        ]
                        for key in (f"{name_}|{span.label_}", f"{source}|{span.label_}"):
                            votes[key][0] += bool(hit)
                            votes[key][1] += 1
                        if hit:
                            boundary[name_][0] += any(
                                (g[0], g[1]) == (span.start_char, span.end_char) for g in hit
                            )
                            boundary[name_][1] += 1
    return outcomes, votes, sorted(boundary.items())


def _as_abstract(nlp: Any, text: str) -> Any:
    """A Doc marked as an abstract, as ``extract()`` and ``citekg eval`` see a gold text."""
    from citekg.extractors.nlp import FIELD_KEY

    doc = nlp.make_doc(text)
    doc.user_data[FIELD_KEY] = "abstract"
    return doc


def _signature(doc: Any, span: Any, resolver: Any, evidence: Any) -> str:
    """Rebuild the evidence signature of a resolved span from the groups it came from."""
    sources: set[str] = set()
    ner_score = None
    for spans_key, source in resolver._sources().items():
        group = doc.spans.get(spans_key)
        if group is None:
            continue
        cues = group.attrs.get("cues")
        scores = group.attrs.get("scores")
        for index, other in enumerate(group):
            if other.start < span.end and span.start < other.end:
                sources.add(f"{source}:{cues[index]}" if cues else source)
                if source == "ner" and scores:
                    ner_score = max(ner_score or 0.0, float(scores[index]))
    for key in resolver._pairs_keys:
        if any((s.start, s.end) == (span.start, span.end) for s in doc.spans.get(key, ())):
            sources.add("abbreviations")
    return evidence(sources or {"resolver"}, span.label_, ner_score)


def fit(outcomes: list[tuple[str, bool]], votes: dict[str, list[int]]) -> dict[str, Any]:
    """Turn (signature, right) outcomes into the calibration JSON."""
    by_sig: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_src: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for signature, right in outcomes:
        for table, key in ((by_sig, signature), (by_src, signature.split("|", 1)[0])):
            table[key][0] += right
            table[key][1] += 1
    hits = sum(r for r, _ in by_src.values())
    total = sum(n for _, n in by_src.values())
    default = round(hits / total, 3) if total else 0.3
    backoff = {k: round((r + SHRINK * default) / (n + SHRINK), 3) for k, (r, n) in sorted(by_src.items())}
    table = {}
    for key, (r, n) in sorted(by_sig.items()):
        prior = backoff.get(key.split("|", 1)[0], default)
        shrunk = (r + SHRINK * prior) / (n + SHRINK)
        table[key] = round(min(r / n, shrunk) if shrunk >= HIGH else shrunk, 3)
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    for key, (r, n) in sorted(votes.items()):
        source, label = key.split("|", 1)
        weights[source][label] = round((r + 1) / (n + 2), 3)
    return {
        "version": 1,
        "about": "resolver confidences fitted on SciERC dev + SciER dev by bench/calibrate.py; see its doc",
        "default": min(default, 0.3),
        "table": table,
        "backoff": backoff,
        "weights": dict(weights),
        "counts": {k: v for k, v in sorted(by_sig.items())},
    }


def reliability(outcomes: list[tuple[str, bool]], calibration: dict[str, Any]) -> list[list[Any]]:
    """Precision of the dev mentions per confidence band under ``calibration``."""
    from citekg.extractors.resolver import Calibration

    cal = Calibration(
        calibration["table"], calibration["backoff"], calibration["weights"], calibration["default"]
    )
    bands = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]
    rows = []
    for low, high in bands:
        inside = [right for sig, right in outcomes if low <= cal.confidence(sig) < high]
        rows.append(
            [
                f"[{low:.1f}, {min(high, 1.0):.1f}]",
                len(inside),
                100 * sum(inside) / len(inside) if inside else 0.0,
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold-dir", type=Path, default=GOLD)
    parser.add_argument("--fast-only", action="store_true", help="calibrate the rules pipeline only")
    parser.add_argument("--check", action="store_true", help="print, do not write")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    outcomes, votes, boundary = collect(args.gold_dir, args.fast_only)
    if not outcomes:
        print("no dev data found", file=sys.stderr)
        return 1
    calibration = fit(outcomes, votes)
    print(
        tabulate(
            reliability(outcomes, calibration), headers=["confidence", "mentions", "right %"], floatfmt=".1f"
        )
    )
    print()
    rows = [[k, n, 100 * e / n] for k, (e, n) in boundary]
    print(tabulate(rows, headers=["source", "overlapping gold", "exact %"], floatfmt=".1f"))
    if not args.check:
        args.out.write_text(json.dumps(calibration, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
