"""Synthetic arXiv-snapshot corpora of any size, made of real sentences, for the scale benchmark.

Records have the shape of the Kaggle ``arxiv-metadata-oai-snapshot.json`` JSON Lines (``id`` such as
``2001.00001``, ``title``, ``abstract``, ``authors``, ``authors_parsed``, ``categories``, ``versions``,
``update_date``, ``doi`` on some), so ``citekg build`` reads them with its ``arxiv`` reader. Abstracts
are 4–8 sentences drawn from real abstracts read at run time from ``../shared/corpus/
hf-trending-papers.txt`` and the gold corpora's texts under ``../shared/gold`` (the bundled sample
corpus when those are absent); nothing of them is stored in the repository. Each title puts a new,
unique name before a real title ("LexiFormer-12: Neural Turing Machines"), so no two records merge by
title. About 40% of abstracts end with a code URL (``github.com/<owner>/<repo>`` from a fixed word
list), and about 30% cite one to three earlier records as ``arXiv:YYMM.NNNNN``, more often recent ones.

Output is deterministic for a seed (gzip with a zero timestamp too) and streamed record by record, so
memory stays constant whatever the size.

Usage::

    python bench/synth.py -n 10000 -o corpus.jsonl
    python bench/synth.py -n 1000000 -o corpus.jsonl.gz --seed 7
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

#: Records per arXiv month: ids run 2001.00001 … 2001.20000, 2002.00001 …
PER_MONTH = 20_000
FIRST_MONTH = (2020, 1)

# Word lists for names, owners and authors (made up here; any resemblance is coincidence).
_PARTS = (
    "Lexi Graph Flow Sparse Deep Meta Hyper Quant Neuro Cross Omni Fast Tiny Dense Poly Multi Proto "
    "Auto Swin Mamba Diff Retro Sage Echo Nova Astra Vector Prism Pulse Orbit Tensor Cascade Fusion"
).split()
_SUFFIXES = "Net Former GAN BERT Diffusion Mixer Seg Det LM Rank Flow Graph Coder Vision".split()
_OWNERS = (
    "deepmind-lab nlp-group visionlab ml-research opensci graphml speechteam robotics-ai datasci "
    "cogsys ai-lab neuralworks bigdata-lab kg-team openmodels"
).split()
_FIRST = "Ana Ben Chen Dara Eli Fatima Gao Hana Ivan Jia Kofi Lena Mateo Nia Omar Priya Quinn Rui".split()
_LAST = "Smith Garcia Wang Kim Novak Okafor Rossi Silva Tanaka Muller Haddad Ivanova Jensen Patel".split()
_CATEGORIES = "cs.CL cs.LG cs.CV cs.AI cs.IR stat.ML cs.SD eess.AS cs.RO cs.NE".split()
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Pool:
    """Real sentences and titles to recombine, and where they came from."""

    sentences: tuple[str, ...]
    titles: tuple[str, ...]
    source: str


def _sentences_of(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if 40 <= len(s) <= 300]


def load_pool(shared: Path | None = None) -> Pool:
    """Read the sentences and titles to recombine from ``shared`` (default ``../shared``).

    Falls back to the bundled sample corpus when none of the shared files is there.
    """
    shared = SHARED if shared is None else shared
    texts: list[str] = []
    titles: list[str] = []
    trending = shared / "corpus" / "hf-trending-papers.txt"
    if trending.is_file():
        lines = trending.read_text(encoding="utf-8").splitlines()
        for before, line in zip(["", *lines], lines, strict=False):
            if len(line) > 200:
                texts.append(line)
                if 10 <= len(before) <= 150:
                    titles.append(before.removeprefix("Subscribe"))
    tdms = shared / "gold" / "nlp_tdms" / "pdf_title_abstract.jsonl"
    if tdms.is_file():
        for line in tdms.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append(record.get("abstract") or "")
            titles.append(record.get("title") or "")
    for folder in (shared / "gold" / "scierc" / "raw_brat", shared / "gold" / "tdmsci"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.txt")):
                texts.append(path.read_text(encoding="utf-8"))
    source = "shared corpora"
    if not texts:
        from citekg.pipeline import sample_corpus_path

        source = "bundled sample"
        for line in sample_corpus_path().read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append(record.get("abstract") or "")
            titles.append(record.get("title") or "")
    sentences = sorted({s for text in texts for s in _sentences_of(text)})
    clean_titles = sorted({" ".join(t.split()) for t in titles if 10 <= len(t.strip()) <= 150})
    return Pool(tuple(sentences), tuple(clean_titles), source)


def arxiv_id(index: int) -> str:
    """Return the arXiv id of record ``index`` (0-based).

    Examples:
        >>> arxiv_id(0), arxiv_id(19_999), arxiv_id(20_000), arxiv_id(12 * 20_000)
        ('2001.00001', '2001.20000', '2002.00001', '2101.00001')
    """
    month, number = divmod(index, PER_MONTH)
    year, month0 = divmod(FIRST_MONTH[1] - 1 + month, 12)
    return f"{(FIRST_MONTH[0] + year) % 100:02d}{month0 + 1:02d}.{number + 1:05d}"


def _name(rng: random.Random, index: int) -> str:
    """A new method/model name, unique per record through its number."""
    stem = rng.choice(_PARTS) + rng.choice(_SUFFIXES)
    return f"{stem}-{index + 1}"


def _cited(rng: random.Random, index: int) -> list[int]:
    """Earlier records to cite: one to three, recent ones more often."""
    if index == 0 or rng.random() >= 0.3:
        return []
    count = min(index, rng.choice((1, 1, 2, 3)))
    return sorted({index - 1 - int(index * rng.random() ** 2) for _ in range(count)})


def record(pool: Pool, rng: random.Random, index: int) -> dict[str, Any]:
    """Return record ``index`` of a corpus, drawing from ``rng`` (call in index order for determinism)."""
    rid = arxiv_id(index)
    name = _name(rng, index)
    sentences = rng.sample(pool.sentences, k=min(len(pool.sentences), rng.randint(4, 8)))
    sentences.insert(1, f"We propose {name}, a new approach to this problem.")
    cited = _cited(rng, index)
    if cited:
        refs = ", ".join(f"arXiv:{arxiv_id(c)}" for c in cited)
        sentences.insert(2, f"Our work builds on {refs}.")
    if rng.random() < 0.4:
        owner = rng.choice(_OWNERS)
        url = f"github.com/{owner}/{name.lower()}"
        url = url if rng.random() < 0.3 else f"https://{url}"
        sentences.append(f"Code is available at {url}.")
    people = [(rng.choice(_LAST), rng.choice(_FIRST)) for _ in range(rng.randint(1, 6))]
    month, _ = divmod(index, PER_MONTH)
    year, month0 = divmod(FIRST_MONTH[1] - 1 + month, 12)
    year += FIRST_MONTH[0]
    day = 1 + rng.randrange(28)
    categories = rng.sample(_CATEGORIES, k=rng.randint(1, 3))
    result: dict[str, Any] = {
        "id": rid,
        "submitter": f"{people[0][1]} {people[0][0]}",
        "authors": ", ".join(f"{first} {last}" for last, first in people),
        "title": f"{name}: {rng.choice(pool.titles)}",
        "comments": f"{rng.randint(4, 40)} pages",
        "journal-ref": None,
        "doi": f"10.{rng.randint(1000, 9999)}/synth.{rid}" if rng.random() < 0.2 else None,
        "report-no": None,
        "categories": " ".join(categories),
        "license": None,
        "abstract": "  " + "\n".join(sentences) + "\n",
        "versions": [{"version": "v1", "created": f"Mon, {day} {_MONTHS[month0]} {year} 10:00:00 GMT"}],
        "update_date": f"{year}-{month0 + 1:02d}-{day:02d}",
        "authors_parsed": [[last, first, ""] for last, first in people],
    }
    return result


def generate(size: int, *, seed: int = 0, pool: Pool | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``size`` records, the same ones for the same seed and pool."""
    pool = pool or load_pool()
    if not pool.sentences or not pool.titles:
        raise ValueError(f"no sentences or titles to recombine (source: {pool.source})")
    rng = random.Random(seed)
    for index in range(size):
        yield record(pool, rng, index)


def write_corpus(path: str | Path, size: int, *, seed: int = 0, pool: Pool | None = None) -> int:
    """Write ``size`` records as JSON Lines (gzipped when ``path`` ends in ``.gz``); return the bytes written.

    The file appears under its name only when complete.
    """
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with contextlib.ExitStack() as stack:
            binary: IO[bytes] = stack.enter_context(partial.open("wb"))
            if target.name.endswith(".gz"):  # a zero timestamp keeps the bytes deterministic
                binary = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=binary, mtime=0))
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
            for rec in generate(size, seed=seed, pool=pool):
                text.write(json.dumps(rec, ensure_ascii=False) + "\n")
            text.flush()
            text.detach()  # leave closing the binary streams to the stack
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--size", type=int, default=10_000, help="records (default 10000)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file; .gz compresses")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    pool = load_pool()
    size = write_corpus(args.output, args.size, seed=args.seed, pool=pool)
    print(
        f"wrote {args.size} records ({size / 1e6:.1f} MB) to {args.output} "
        f"from {len(pool.sentences)} sentences of the {pool.source}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
