"""Train the NER's static vectors alone: ``citekg.extractors.vectors.build_vectors`` from the command line.

``citekg train`` runs this step itself when its config asks for static vectors; run it alone to look at
the unlabeled corpus or to reuse the vectors (``train(..., vectors=DIR/spacy)``).

    python tools/pretrain.py --gold-dir ../shared/gold -o runs/vectors
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from citekg.extractors.vectors import build_vectors


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and build the vectors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_gold = Path(__file__).resolve().parents[1].parent / "shared" / "gold"
    parser.add_argument("--gold-dir", type=Path, default=default_gold)
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="folder for the corpus and the vectors"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.stdout.write(f"{build_vectors(args.gold_dir, args.output)}\n")


if __name__ == "__main__":
    main()
