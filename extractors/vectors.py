"""The NER's static word vectors: floret subword vectors learnt by us from unlabeled train-split text.

The shipped NER (``extractors/data/ner.cfg``) reads small hashed subword vectors beside its own
hash embeddings. They are learnt here, unsupervised, from text that is never scored:

- the full SciREX papers of its train split (``scirex/train.jsonl``, about 1.7M words),
- the train texts of SciERC, TDMSci (minus the held-out tail used as dev) and SciER (LLM layout),
- the train sentences of Heddes et al. (``dataset_names_heddes2021/Train_set_sentences.csv``).

No dev or test text is read, and SciREX sections that quote a text of any dev or test split (SciREX
papers hold a few TDMSci test and SciER dev sentences) are left out: a section is dropped when it holds
the first eight words of a held-out text. The text is tokenised by citekg's shared tokenizer (so the
vectors' words are the pipeline's tokens), written one document per line, and given to ``floret`` (one
thread and floret's fixed default seed, so the vectors are reproducible) in floret mode: every
word's vector is the sum of ``hash_count`` rows of a ``bucket`` x ``dim`` table indexed by hashes of the
word and its 4-5 character n-grams, so unseen words get vectors too and the table stays small
(20,000 x 100 floats = 8 MB). ``spacy init vectors --mode floret`` turns it into a spaCy vectors
folder, which ``citekg train`` picks up as ``[initialize] vectors`` and stores inside the model.

:func:`citekg.extractors.train.train` calls :func:`build_vectors` itself when its config asks for static
vectors and none are given; ``python tools/pretrain.py -o DIR`` runs this step alone. Needs the PyPI
package ``floret`` (training only; the trained model needs nothing beyond spaCy). No rdflib here.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator, Set
from functools import lru_cache
from pathlib import Path

from citekg.errors import CitekgError

__all__ = [
    "HELD_OUT",
    "SETTINGS",
    "build_vectors",
    "held_out_keys",
    "quotes_held_out",
    "train_vectors",
    "unlabeled_texts",
    "write_corpus",
]

logger = logging.getLogger(__name__)

#: floret settings of the shipped vectors.
SETTINGS = {
    "model": "skipgram",
    "mode": "floret",
    "dim": 100,
    "bucket": 20000,
    "hashCount": 2,
    "minn": 4,
    "maxn": 5,
    "minCount": 3,
    "epoch": 5,
    "ws": 5,
    "neg": 5,
    "lr": 0.05,
    "thread": 1,
}


#: Dev and test splits whose texts must not reach the unlabeled text (``FORMAT:PATH`` under the gold folder).
HELD_OUT = (
    "scierc:scierc/processed_json/dev.json",
    "scierc:scierc/processed_json/test.json",
    "tdmsci:tdmsci/test_500_v2.conll",
    "scier:scier/PLM/dev.jsonl",
    "scier:scier/PLM/test.jsonl",
    "scier:scier/PLM/test_ood.jsonl",
)

_KEY_WORDS = 8


def _words(text: str) -> list[str]:
    """Lower-cased alphanumeric words of ``text``, punctuation and spacing ignored.

    Examples:
        >>> _words("We use BERT-large (Devlin et al., 2019).")
        ['we', 'use', 'bert', 'large', 'devlin', 'et', 'al', '2019']
    """
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


def held_out_keys(gold_dir: Path) -> frozenset[tuple[str, ...]]:
    """Return the first eight words of every text of the dev and test splits in :data:`HELD_OUT`.

    Also TDMSci's held-out train tail (its dev). Files missing from ``gold_dir`` are skipped.
    """
    return _held_out_keys(str(Path(gold_dir).resolve()))


@lru_cache(maxsize=4)
def _held_out_keys(gold_dir: str) -> frozenset[tuple[str, ...]]:
    import warnings

    from citekg.extractors.train import CORPORA, read_corpus
    from citekg.gold import read_gold

    root = Path(gold_dir)
    keys = set()
    texts: list[str] = []
    if (root / CORPORA["tdmsci"].train.partition(":")[2]).is_file():
        texts += [doc.text for doc in read_corpus("tdmsci", root, "dev")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for spec in HELD_OUT:
            fmt, _, rel = spec.partition(":")
            if (root / rel).is_file():
                texts += [doc.text for doc in read_gold(f"{fmt}:{root / rel}")]
    for text in texts:
        words = _words(text)
        if len(words) >= _KEY_WORDS:
            keys.add(tuple(words[:_KEY_WORDS]))
    return frozenset(keys)


def quotes_held_out(text: str, keys: Set[tuple[str, ...]]) -> bool:
    """Whether ``text`` contains the first eight words of a held-out text (see :func:`held_out_keys`).

    Examples:
        >>> keys = {tuple("we evaluate on the penn treebank and report".split())}
        >>> quotes_held_out("Intro. We evaluate on the Penn Treebank, and report F1.", keys)
        True
        >>> quotes_held_out("We evaluate on the Penn Treebank.", keys)
        False
    """
    words = _words(text)
    return any(tuple(words[i : i + _KEY_WORDS]) in keys for i in range(len(words) - _KEY_WORDS + 1))


def unlabeled_texts(gold_dir: Path) -> Iterator[str]:
    """Yield the raw texts of the train splits (see the module docstring), in a fixed order.

    A source missing from ``gold_dir`` is skipped with a warning in the log.
    """
    from citekg.extractors.train import CORPORA, read_corpus

    gold_dir = Path(gold_dir)
    keys = held_out_keys(gold_dir)
    scirex = gold_dir / "scirex" / "train.jsonl"
    dropped = 0
    if scirex.is_file():
        with scirex.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                words: list[str] = record["words"]
                for start, end in record["sections"]:
                    text = " ".join(words[start:end])
                    if quotes_held_out(text, keys):
                        dropped += 1
                    else:
                        yield text
        logger.info("SciREX sections left out for quoting a dev or test text: %d", dropped)
    else:
        logger.warning("no %s: unlabeled text without SciREX", scirex)
    for name in ("scierc", "tdmsci", "scier"):
        if (gold_dir / CORPORA[name].train.partition(":")[2]).is_file():
            for doc in read_corpus(name, gold_dir, "train"):
                yield doc.text
        else:
            logger.warning("no %s train split in %s: left out of the unlabeled text", name, gold_dir)
    heddes = gold_dir / "dataset_names_heddes2021" / "Train_set_sentences.csv"
    if heddes.is_file():
        with heddes.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield row["text"]


def write_corpus(gold_dir: Path, path: Path) -> int:
    """Write the tokenised train texts to ``path``, one per line; return the number of tokens."""
    from citekg.extractors.nlp import blank_english

    tokenizer = blank_english().tokenizer
    total = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for text in unlabeled_texts(gold_dir):
            tokens = [t.text for t in tokenizer(text) if not t.is_space]
            if tokens:
                out.write(" ".join(tokens) + "\n")
                total += len(tokens)
    return total


def train_vectors(corpus: Path, output_dir: Path, **settings: object) -> Path:
    """Train floret vectors on ``corpus`` and convert them to a spaCy vectors folder; return its path.

    ``settings`` override :data:`SETTINGS`. Writes ``vectors.floret``, ``settings.json`` and ``spacy/``
    (a blank spaCy pipeline holding the vectors) into ``output_dir``.

    Raises:
        CitekgError: the floret package is not installed.
    """
    try:
        import floret
    except ImportError:
        raise CitekgError("training static vectors needs the floret package: pip install floret") from None
    from spacy.training.initialize import convert_vectors

    options = {**SETTINGS, **settings}
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    model = floret.train_unsupervised(str(corpus), **options)
    text_path = output_dir / "vectors.floret"
    model.save_floret_vectors(str(text_path))
    import spacy

    nlp = spacy.blank("en")
    convert_vectors(nlp, text_path, truncate=0, prune=-1, name="citekg_floret", mode="floret")
    target = output_dir / "spacy"
    nlp.to_disk(target)
    (output_dir / "settings.json").write_text(
        json.dumps(options, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return target


def build_vectors(gold_dir: Path, output_dir: Path) -> Path:
    """Write the unlabeled corpus of ``gold_dir``, train vectors on it and return the spaCy vectors folder.

    Raises:
        CitekgError: the floret package is not installed.
        InputError: for missing or malformed gold files.
    """
    output_dir = Path(output_dir)
    corpus = output_dir / "corpus.txt"
    tokens = write_corpus(Path(gold_dir), corpus)
    logger.info("unlabeled corpus: %d tokens in %s", tokens, corpus)
    return train_vectors(corpus, output_dir)
