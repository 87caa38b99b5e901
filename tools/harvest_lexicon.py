"""List candidate lexicon names, with counts, from the annotated splits of the gold corpora.

The lexicon (``extractors/data/lexicon-*.jsonl``) is curated by hand; this script makes the part of it
that comes from gold data reproducible. It reads the gold folder (``../shared/gold`` beside the
repository, or ``--gold-dir``/``CITEKG_SHARED``) and counts every annotated mention, mapped to citekg's
labels, per split:

- SciERC ``processed_json/{train,dev,test}.json``: Method, Material (→ dataset), Task, Metric;
- TDMSci ``{train_1500_v2,test_500_v2}.conll``: TASK, DATASET, METRIC;
- SciER ``LLM/{train,dev,test,test_ood}.jsonl``: Method, Dataset, Task;
- SciREX ``{train,dev}.jsonl``: Method, Material (→ dataset), Task, Metric (no test split is stored);
- Heddes et al. 2021 ``{Train_set,Test_set}_sentences.csv``: Dataset.

NLP-TDMS is not read: it has no split, and ``bench/extraction.py`` uses it as an evaluation set, so its
KB files count as test data here.

    python tools/harvest_lexicon.py                       # train candidates, most frequent first
    python tools/harvest_lexicon.py --label dataset --min-count 2
    python tools/harvest_lexicon.py --test-only           # names in dev/test gold but in no train split
    python tools/harvest_lexicon.py --check-lexicon       # lexicon names found only in test gold
    python tools/harvest_lexicon.py --write-token-cache   # after editing the lexicon files

Output is tab-separated: label, surface, count, the corpora it came from. Only names go into the
lexicon, never the sentences; the curator drops generic phrases ("model", "neural network").
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared")) / "gold"

LABELS = {
    "method": "method",
    "material": "dataset",
    "dataset": "dataset",
    "datatset": "dataset",  # a typo in Heddes et al.'s labels, same meaning
    "task": "task",
    "metric": "metric",
}

# split name -> [(corpus, reader, relative path)]
SPLITS: dict[str, list[tuple[str, str, str]]] = {
    "train": [
        ("scierc-train", "scierc", "scierc/processed_json/train.json"),
        ("tdmsci-train", "tdmsci", "tdmsci/train_1500_v2.conll"),
        ("scier-train", "scier", "scier/LLM/train.jsonl"),
        ("scirex-train", "scirex", "scirex/train.jsonl"),
        ("heddes-train", "heddes", "dataset_names_heddes2021/Train_set_sentences.csv"),
    ],
    "dev": [
        ("scierc-dev", "scierc", "scierc/processed_json/dev.json"),
        ("scier-dev", "scier", "scier/LLM/dev.jsonl"),
        ("scirex-dev", "scirex", "scirex/dev.jsonl"),
    ],
    "test": [
        ("scierc-test", "scierc", "scierc/processed_json/test.json"),
        ("tdmsci-test", "tdmsci", "tdmsci/test_500_v2.conll"),
        ("scier-test", "scier", "scier/LLM/test.jsonl"),
        ("scier-test_ood", "scier", "scier/LLM/test_ood.jsonl"),
        ("heddes-test", "heddes", "dataset_names_heddes2021/Test_set_sentences.csv"),
        ("heddes-zero-shot", "heddes", "dataset_names_heddes2021/Zero-shot_sentences.csv"),
        ("nlp-tdms-kb", "tdms_kb", "nlp_tdms"),
    ],
}

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def join_tokens(tokens: list[str]) -> str:
    """Join tokenised words into a surface string, gluing hyphens and undoing PTB escapes.

    Examples:
        >>> join_tokens(["Penn", "Tree", "-", "bank", "-LRB-", "PTB", "-RRB-"])
        'Penn Tree-bank (PTB)'
    """
    text = " ".join(_PTB.get(token, token) for token in tokens)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"(?<=\b\d) (?=\d\b)", "", text)  # SciREX splits numbers into digits
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    return re.sub(r"\s+([)\]},.;:])", r"\1", text).strip()


def _scierc(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        words = [word for sentence in doc["sentences"] for word in sentence]
        for sentence in doc["ner"]:
            for start, end, label in sentence:
                yield label, join_tokens(words[start : end + 1])


def _tdmsci(path: Path) -> Iterator[tuple[str, str]]:
    tokens: list[str] = []
    label = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split("\t")
        tag = parts[2] if len(parts) >= 3 else "O"
        if tokens and not tag.startswith("I-"):
            yield label, join_tokens(tokens)
            tokens = []
        if tag.startswith("B-") or (tag.startswith("I-") and not tokens):
            tokens, label = [parts[0]], tag[2:]
        elif tag.startswith("I-"):
            tokens.append(parts[0])


def _scier(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        for surface, label in json.loads(line)["ner"]:
            yield label, join_tokens(surface.split())


def _scirex(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        words = doc["words"]
        for start, end, label in doc["ner"]:
            yield label, join_tokens(words[start:end])


def _heddes(path: Path) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for start, end, label in ast.literal_eval(row["labels"]):
                if label.lower() in LABELS:
                    yield label, row["text"][start:end].strip()


def _tdms_kb(folder: Path) -> Iterator[tuple[str, str]]:
    for name, label in (("datasetKB.tsv", "dataset"), ("taskKB.tsv", "task"), ("evaMatrixKB.tsv", "metric")):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield label, line.split("\t")[0].strip()


_READERS = {
    "scierc": _scierc,
    "tdmsci": _tdmsci,
    "scier": _scier,
    "scirex": _scirex,
    "heddes": _heddes,
    "tdms_kb": _tdms_kb,
}


def harvest(gold_dir: Path, split: str) -> dict[tuple[str, str], Counter[str]]:
    """Return ``{(label, surface): Counter(corpus → count)}`` over the corpora of one split.

    Corpora whose files are absent are skipped. Labels are citekg's; other gold labels are dropped.
    """
    found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for corpus, reader, relative in SPLITS[split]:
        path = gold_dir / relative
        if not path.exists():
            continue
        for label, surface in _READERS[reader](path):
            ours = LABELS.get(label.lower())
            if ours and surface:
                found[(ours, surface)][corpus] += 1
    return dict(found)


def fold(surface: str) -> str:
    """The form two spellings of one name share: lower case, hyphens and spaces alike, no plural ``s``.

    Examples:
        >>> fold("Vision-Transformers") == fold("vision transformer")
        True
    """
    text = re.sub(r"[\s\-_]+", " ", surface.lower()).strip()
    return re.sub(r"(?<=[a-z]{3})s$", "", text)


def test_only_names(gold_dir: Path) -> dict[str, set[str]]:
    """Folded surfaces seen in dev or test gold and in no train split, with the labels they had."""
    train = {fold(surface) for _, surface in harvest(gold_dir, "train")}
    held_out: dict[str, set[str]] = defaultdict(set)
    for split in ("dev", "test"):
        for label, surface in harvest(gold_dir, split):
            if fold(surface) not in train:
                held_out[fold(surface)].add(label)
    return dict(held_out)


def _lexicon_surfaces() -> list[tuple[str, str, str]]:
    from citekg.extractors.lexicon import load_lexicon

    return [
        (entry.name, surface, entry.source)
        for entry in load_lexicon()
        for surface in (*entry.surfaces, *entry.ambiguous_aliases)
    ]


def main(argv: list[str] | None = None) -> int:
    """Print candidate names from the train splits, or check or rewrite the lexicon files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD, help=f"default {DEFAULT_GOLD}")
    parser.add_argument("--split", choices=sorted(SPLITS), default="train")
    parser.add_argument("--label", choices=sorted(set(LABELS.values())))
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument(
        "--test-only", action="store_true", help="names in dev/test gold and in no train split"
    )
    parser.add_argument(
        "--check-lexicon",
        action="store_true",
        help="lexicon surfaces seen only in dev/test gold whose entry is not marked source=general",
    )
    parser.add_argument(
        "--write-token-cache",
        action="store_true",
        help="rewrite extractors/data/lexicon-tokens.json (pattern tokenisations) and exit",
    )
    args = parser.parse_args(argv)
    if args.write_token_cache:
        from citekg.extractors.lexicon import TOKEN_CACHE, load_lexicon, token_cache
        from citekg.extractors.nlp import blank_english

        cache = token_cache(blank_english(), load_lexicon())
        target = REPO / "extractors" / "data" / TOKEN_CACHE
        target.write_text(json.dumps(cache, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(cache['tokens'])} tokenisations to {target}", file=sys.stderr)
        return 0
    if not args.gold_dir.is_dir():
        print(f"no gold data at {args.gold_dir}; pass --gold-dir or set CITEKG_SHARED", file=sys.stderr)
        return 1
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    if args.test_only or args.check_lexicon:
        held_out = test_only_names(args.gold_dir)
        if args.test_only:
            for name in sorted(held_out):
                out.writerow([",".join(sorted(held_out[name])), name])
            return 0
        bad = [
            (name, surface)
            for name, surface, source in _lexicon_surfaces()
            if fold(surface) in held_out and source != "general"
        ]
        for name, surface in bad:
            out.writerow([name, surface])
        return 1 if bad else 0
    found = harvest(args.gold_dir, args.split)
    rows = sorted(found.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    for (label, surface), corpora in rows:
        total = sum(corpora.values())
        if total >= args.min_count and (args.label is None or args.label == label):
            out.writerow([label, surface, total, ",".join(sorted(corpora))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
