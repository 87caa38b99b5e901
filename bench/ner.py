"""Speed and size of the statistical NER: abstracts per second (wall and CPU), startup, model size.

Runs on SciERC abstracts (dev by default) from the gold folder. Three rows: the blank tokenizer alone,
the ``ner`` extractor alone (tokenizer + NER), and the full pipeline of ``build_nlp()``. CPU time
(``time.process_time``) is printed beside wall time because other jobs may share the machine.

    python bench/ner.py [--gold-dir ../shared/gold] [--split dev] [--repeat 3] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]


def _gold_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    shared = os.environ.get("CITEKG_SHARED")
    return Path(shared) / "gold" if shared else ROOT.parent / "shared" / "gold"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _startup(model: str | None) -> float:
    """Seconds for a fresh interpreter to import citekg, build a pipeline with ``ner`` and tag one text."""
    config = f", config={{'model': {model!r}}}" if model else ""
    code = (
        "import time; t = time.perf_counter(); import spacy, citekg.extractors.ner; "
        f"nlp = spacy.blank('en'); nlp.add_pipe('citekg_ner'{config}); nlp('We use BERT on SQuAD.'); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _time(run, texts: list[str], repeat: int) -> tuple[float, float]:
    """Best wall and CPU abstracts/s over ``repeat`` runs of ``run(texts)``."""
    best_wall = best_cpu = 0.0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run(texts)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best_wall, best_cpu = max(best_wall, len(texts) / wall), max(best_cpu, len(texts) / cpu)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold-dir")
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", help="a trained model folder (default: the shipped one)")
    args = parser.parse_args()

    import spacy
    from citekg.extractors import build_nlp
    from citekg.extractors.ner import default_model_path, has_model
    from citekg.gold import read_scierc

    model = Path(args.model) if args.model else default_model_path()
    if not has_model(model):
        sys.exit(f"no trained NER model in {model}; run `citekg train` first")
    texts = [
        d.text
        for d in read_scierc(_gold_dir(args.gold_dir) / "scierc" / "processed_json" / f"{args.split}.json")
    ]
    blank = spacy.blank("en")
    ner_nlp = spacy.blank("en")
    ner_nlp.add_pipe("citekg_ner", config={"model": str(model) if args.model else None})
    full = build_nlp()
    for nlp in (ner_nlp, full):
        nlp("Warm up: we use BERT on SQuAD.")
    rows = []
    for name, nlp in (
        ("tokenizer only", blank),
        ("ner extractor", ner_nlp),
        (f"build_nlp(): {', '.join(full.pipe_names)}", full),
    ):
        wall, cpu = _time(lambda ts, nlp=nlp: list(nlp.pipe(ts)), texts, args.repeat)
        rows.append([name, f"{wall:,.0f}", f"{cpu:,.0f}"])
    print(
        f"SciERC {args.split}: {len(texts)} abstracts, "
        f"{sum(map(len, texts)) / len(texts):,.0f} chars on average"
    )
    print(tabulate(rows, headers=["pipeline", "abstracts/s (wall)", "abstracts/s (CPU)"]))
    print(f"startup (fresh interpreter: import + load + first doc): {_startup(args.model):.2f} s")
    print(f"model size on disk: {_size(model) / 1e6:.2f} MB ({model})")


if __name__ == "__main__":
    main()
