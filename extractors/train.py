"""Train citekg's statistical NER on the gold corpora's train splits (``citekg train``).

The gold readers of :mod:`citekg.gold` give character spans with citekg types; here they become spaCy
``Doc`` objects tokenised by ``spacy.blank("en")`` — the tokenizer the extraction pipeline runs — with
the spans as ``doc.ents``, saved as ``DocBin`` files, and spaCy's own training loop fits the ``ner``
component described by ``data/ner.cfg``. Gold spans that do not fall on token boundaries are widened
to the tokens they touch when that adds at most a couple of characters, else narrowed; what cannot be
aligned, and spans overlapping a longer one (a flat NER holds one label per token), are dropped and
counted. Only train splits are learned from; dev splits (a held-out tail of TDMSci's train file, which
has no dev split) choose the best checkpoint and give each label's precision, stored in the model's
``meta.json`` as the confidence the ``ner`` extractor reports.

Corpora (``--corpus``): ``scierc`` (Method→method, Material→dataset, Task, Metric), ``tdmsci`` (TASK,
DATASET, METRIC), ``scier`` (train from the LLM layout, whose mention positions are located by string
and so approximate; dev from the exact PLM layout) and ``scirex`` (the title-and-abstract region of each
paper: Method, Task, Metric, Material→dataset); ``heddes`` (Heddes et al.'s dataset-name sentences, only
dataset names and hard negatives annotated, so every other token is left unknown; no dev split) is known
but not in the default mix (it was not better on dev). No rdflib here.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from citekg.errors import CitekgError, InputError, UnknownNameError
from citekg.gold import GoldDoc, GoldSpan, read_gold
from citekg.gold._base import iter_json_lines, join_tokens, make_doc, surface_tokens, token_spans_to_chars

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = [
    "CORPORA",
    "DEFAULT_CORPORA",
    "DEFAULT_WEIGHTS",
    "NER_LABELS",
    "AlignCounts",
    "CorpusFiles",
    "align_span",
    "default_config",
    "gold_to_docs",
    "install_model",
    "label_precision",
    "read_corpus",
    "read_scirex",
    "train",
    "write_docbins",
]

logger = logging.getLogger(__name__)

#: The types the NER learns; ``model`` is not among them (no corpus tells models from methods).
NER_LABELS: tuple[str, ...] = ("method", "dataset", "task", "metric")

#: The label of a gold span that is explicitly not an entity (a corpus's hard negative).
NOT_ENTITY = "not-entity"
_HEDDES_HEAD = re.compile(
    r"(?:\s+(?:data\s*sets?|datasets?|corpus|corpora|benchmarks?|collection))+\s*$", re.I
)
_HEDDES_LIST = re.compile(r"\band\b|,|\bor\b")

#: How many characters a gold span may grow by when widened to whole tokens.
_MAX_EXPAND = 2


@dataclass(frozen=True, slots=True)
class CorpusFiles:
    """Where one corpus's train and dev splits live, as ``FORMAT:PATH`` specs relative to the gold folder.

    ``dev`` is ``None`` when the corpus has no dev split; the last ``holdout`` fraction of the train
    split is then held out as dev.
    """

    train: str
    dev: str | None
    holdout: float = 0.0
    partial: bool = False  # only some labels annotated: tokens outside the given spans stay unknown


#: The corpora ``citekg train`` knows, by name.
CORPORA: dict[str, CorpusFiles] = {
    "scierc": CorpusFiles("scierc:scierc/processed_json/train.json", "scierc:scierc/processed_json/dev.json"),
    "tdmsci": CorpusFiles("tdmsci:tdmsci/train_1500_v2.conll", None, holdout=0.1),
    "scier": CorpusFiles("scier-llm:scier/LLM/train.jsonl", "scier:scier/PLM/dev.jsonl"),
    "scirex": CorpusFiles("scirex:scirex/train.jsonl", "scirex:scirex/dev.jsonl"),
    "heddes": CorpusFiles(
        "heddes:dataset_names_heddes2021/Train_set_sentences.csv", None, holdout=0.0, partial=True
    ),
}

#: The corpora the shipped model was trained on (chosen on dev scores: adding SciREX's 291 train abstracts
#: raised the dev macro-F1 over SciERC, SciER and TDMSci from 41.7 to 46.1).
DEFAULT_CORPORA: tuple[str, ...] = ("scierc", "tdmsci", "scier", "scirex")

#: How many times each corpus's documents are repeated in the train and dev sets (unlisted: once).
#: Up-weighting SciERC and TDMSci (x4) was measured worse on every dev split: it taught the model
#: SciERC's generic phrases and cut precision everywhere, so the shipped model weighs them all once.
DEFAULT_WEIGHTS: dict[str, int] = {"scierc": 1, "tdmsci": 1, "scier": 1, "scirex": 1}


@dataclass(slots=True)
class AlignCounts:
    """What happened to gold spans on the way to token-aligned entities.

    Attributes:
        spans: Gold spans seen.
        exact: On token boundaries as given.
        expanded: Widened to the tokens they touch (by at most two characters).
        contracted: Narrowed to the whole tokens inside them.
        misaligned: Dropped: no token inside them.
        overlapping: Dropped: they overlap a longer (or earlier) kept span.
    """

    spans: int = 0
    exact: int = 0
    expanded: int = 0
    contracted: int = 0
    misaligned: int = 0
    overlapping: int = 0

    @property
    def kept(self) -> int:
        """Spans that became entities."""
        return self.exact + self.expanded + self.contracted - self.overlapping

    def __add__(self, other: AlignCounts) -> AlignCounts:
        return AlignCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def to_dict(self) -> dict[str, int]:
        """Return the counts as a JSON-ready dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"kept": self.kept}


def default_config() -> Path:
    """Return the path of the shipped training config, ``citekg/extractors/data/ner.cfg``."""
    return Path(str(resources.files("citekg.extractors") / "data" / "ner.cfg"))


def align_span(doc: Doc, start: int, end: int, label: str) -> tuple[Span | None, str]:
    """Return the token span for characters ``start:end`` and how it was aligned.

    The outcome is ``exact``, ``expanded`` (widened to the tokens touched, when that adds at most two
    characters), ``contracted`` (narrowed to the whole tokens inside) or ``misaligned`` (no span).

    Examples:
        >>> import spacy
        >>> doc = spacy.blank("en")("We use BERTology and SQuAD.")
        >>> [(s.text if s is not None else None, how) for s, how in
        ...  [align_span(doc, 7, 16, "method"), align_span(doc, 7, 15, "method"),
        ...   align_span(doc, 7, 11, "method"), align_span(doc, 8, 10, "method")]]
        [('BERTology', 'exact'), ('BERTology', 'expanded'), (None, 'misaligned'), (None, 'misaligned')]
    """
    span = doc.char_span(start, end, label=label)
    if span is not None:
        return span, "exact"
    wide = doc.char_span(start, end, label=label, alignment_mode="expand")
    if wide is not None and len(wide.text) - (end - start) <= _MAX_EXPAND:
        return wide, "expanded"
    narrow = doc.char_span(start, end, label=label, alignment_mode="contract")
    if narrow is not None and len(narrow):
        return narrow, "contracted"
    return None, "misaligned"


def gold_to_docs(
    gold_docs: Iterable[GoldDoc],
    make_doc: object,
    *,
    labels: Sequence[str] = NER_LABELS,
    partial: bool = False,
) -> tuple[list[Doc], AlignCounts]:
    """Tokenise each gold document with ``make_doc`` and set its aligned spans as ``doc.ents``.

    Tokens outside every kept span are marked outside (``O``), so the model learns what is not a
    mention too. Spans with a label not in ``labels`` are ignored (not counted). With ``partial``, only
    the tokens of :data:`NOT_ENTITY` spans are outside and the rest are missing (the corpus annotates
    one label only, so the model is told nothing about them).

    Args:
        gold_docs: From a :mod:`citekg.gold` reader.
        make_doc: ``text -> Doc``, normally ``spacy.blank("en").make_doc``.
        labels: The labels to keep.
        partial: Whether unannotated tokens are unknown rather than outside.

    Returns:
        The docs, in input order, and the alignment counts.
    """
    from spacy.util import filter_spans

    wanted = set(labels)
    counts = AlignCounts()
    docs: list[Doc] = []
    for gold in gold_docs:
        doc = make_doc(gold.text)  # type: ignore[operator]
        aligned: list[Span] = []
        outside: list[Span] = []
        for gold_span in gold.spans:
            if gold_span.label == NOT_ENTITY:
                negative = doc.char_span(gold_span.start, gold_span.end, alignment_mode="contract")
                if negative is not None:
                    outside.append(negative)
                continue
            if gold_span.label not in wanted:
                continue
            counts.spans += 1
            span, how = align_span(doc, gold_span.start, gold_span.end, gold_span.label)
            setattr(counts, how, getattr(counts, how) + 1)
            if span is not None:
                aligned.append(span)
        kept = filter_spans(aligned)
        counts.overlapping += len(aligned) - len(kept)
        if partial:
            taken = {t for span in kept for t in range(span.start, span.end)}
            outside = [s for s in filter_spans(outside) if not any(t in taken for t in range(s.start, s.end))]
            doc.set_ents(kept, outside=outside, default="missing")
        else:
            doc.set_ents(kept, default="outside")
        docs.append(doc)
    return docs, counts


def read_scirex(path: str | Path) -> Iterator[GoldDoc]:
    """Yield the title-and-abstract region of each SciREX paper with its mentions.

    The region is the first section, plus the second when that is the abstract (section 0 is then
    the title alone). The leading ``document :`` marker of the conversion is left out. SciREX's
    Material is a dataset; Method, Task and Metric map to citekg's types of the same name.

    Raises:
        InputError: for malformed lines or an unknown label.
    """
    mapping = {"Method": "method", "Material": "dataset", "Task": "task", "Metric": "metric"}
    for number, record in iter_json_lines(path):
        try:
            words: list[str] = record["words"]
            sections: list[list[int]] = record["sections"]
            doc_id = str(record["doc_id"])
            ner = [(int(s), int(e), str(label)) for s, e, label in record["ner"]]
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(str(path), f"not a SciREX record ({error!r})", line=number) from None
        first, last = sections[0]
        if (
            len(sections) > 1
            and " ".join(words[sections[1][0] : sections[1][0] + 3]).lower() == "section : abstract"
        ):
            last = sections[1][1]
        if words[first : first + 2] == ["document", ":"]:
            first += 2
        tokens = words[first:last]
        text, starts = join_tokens(tokens)
        surface = surface_tokens(tokens)
        spans = []
        for start, end, label in ner:
            if start < first or end > last:
                continue
            if label not in mapping:
                raise InputError(str(path), f"unknown SciREX label {label!r}", line=number)
            char_start, char_end = token_spans_to_chars(starts, surface, start - first, end - 1 - first)
            spans.append(GoldSpan(char_start, char_end, mapping[label]))
        yield make_doc(doc_id, text, spans)


def read_heddes(path: str | Path) -> Iterator[GoldDoc]:
    """Yield Heddes et al.'s (2021) dataset-name sentences: dataset spans and hard negatives.

    The CSV's ``labels`` hold ``[start, end, label]`` character spans: ``Dataset`` (also spelt
    ``Datatset``) and ``Geen Dataset`` (Dutch: "no dataset", a generic phrase such as "real-world
    datasets"), which becomes a :data:`NOT_ENTITY` span. A trailing "dataset"/"corpus"/"benchmark" is cut
    off a name ("MegaFace dataset" -> "MegaFace"), the convention of SciER and SciREX; a span listing
    several names ("IndBAN and IndDEV dataset") is left out.

    Raises:
        InputError: for a malformed row.
    """
    import ast
    import csv

    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(str(path), f"cannot open: {error.strerror or error}") from None
    with handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            try:
                text = row["text"]
                labels = ast.literal_eval(row["labels"])
                doc_id = f"heddes-{row['id']}"
            except (KeyError, ValueError, SyntaxError) as error:
                raise InputError(str(path), f"not a Heddes row ({error!r})", line=number) from None
            spans = []
            for start, end, label in labels:
                if label == "Geen Dataset":
                    spans.append(GoldSpan(int(start), int(end), NOT_ENTITY))
                    continue
                name = _HEDDES_HEAD.sub("", text[start:end])
                if name and not _HEDDES_LIST.search(name):
                    spans.append(GoldSpan(int(start), int(start) + len(name), "dataset"))
            yield make_doc(doc_id, text, spans)


def read_corpus(name: str, gold_dir: Path, split: str) -> list[GoldDoc]:
    """Read split ``train`` or ``dev`` of corpus ``name`` (see :data:`CORPORA`) from ``gold_dir``.

    SciER's located-by-string mentions that cannot be found are dropped silently (they are counted in
    the warnings of :func:`citekg.gold.read_scier_llm`, which are muted here). SciREX abstracts that
    quote a text of a dev or test split (:func:`citekg.extractors.vectors.quotes_held_out`; a few quote
    TDMSci test sentences) are left out.

    Raises:
        UnknownNameError: ``name`` is not in :data:`CORPORA`.
        ValueError: ``split`` is neither ``train`` nor ``dev``.
    """
    if name not in CORPORA:
        raise UnknownNameError("training corpus", name, list(CORPORA))
    if split not in ("train", "dev"):
        raise ValueError(f"split must be 'train' or 'dev', not {split!r}")
    files = CORPORA[name]
    spec = files.train if split == "train" or files.dev is None else files.dev
    fmt, _, rel = spec.partition(":")
    path = Path(gold_dir) / rel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "scirex":
            docs = list(read_scirex(path))
        elif fmt == "heddes":
            docs = list(read_heddes(path))
        else:
            docs = read_gold(f"{fmt}:{path}")
    if fmt == "scirex":
        from citekg.extractors.vectors import held_out_keys, quotes_held_out

        keys = held_out_keys(Path(gold_dir))
        kept = [doc for doc in docs if not quotes_held_out(doc.text, keys)]
        logger.info(
            "scirex %s: %d abstracts left out for quoting a dev or test text", split, len(docs) - len(kept)
        )
        docs = kept
    if files.dev is None:
        cut = len(docs) - round(len(docs) * files.holdout)
        docs = docs[:cut] if split == "train" else docs[cut:]
    return docs


@dataclass(frozen=True, slots=True)
class _Prepared:
    train: Path
    dev: Path
    counts: dict[str, dict[str, AlignCounts]] = field(default_factory=dict)


def write_docbins(
    output_dir: Path, gold_dir: Path, corpora: Sequence[str], weights: Mapping[str, int] | None = None
) -> _Prepared:
    """Write ``train.spacy`` and ``dev.spacy`` for ``corpora`` into ``output_dir``.

    Each corpus's documents are added ``weights[name]`` times (default once), in both files, so that
    the dev score that picks the best checkpoint weighs the corpora the same way as training does.

    Returns:
        The two paths and the alignment counts per corpus and split.
    """
    from citekg.extractors.nlp import blank_english
    from spacy.tokens import DocBin

    nlp = blank_english()
    output_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, AlignCounts]] = {}
    paths = {}
    for split in ("train", "dev"):
        bin_ = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
        for name in corpora:
            docs, align = gold_to_docs(
                read_corpus(name, gold_dir, split), nlp.make_doc, partial=CORPORA[name].partial
            )
            for _ in range((weights or {}).get(name, 1)):
                for doc in docs:
                    bin_.add(doc)
            counts.setdefault(name, {})[split] = align
            logger.info("%s %s: %d docs, spans %s", name, split, len(docs), align.to_dict())
        paths[split] = output_dir / f"{split}.spacy"
        bin_.to_disk(paths[split])
    return _Prepared(paths["train"], paths["dev"], counts)


def label_precision(nlp: object, docs: Sequence[Doc]) -> dict[str, float]:
    """Return each label's exact-span precision of ``nlp``'s ``ner`` on reference ``docs``.

    A label never predicted gets 0.5 (no evidence either way).
    """
    hits: dict[str, int] = dict.fromkeys(NER_LABELS, 0)
    made: dict[str, int] = dict.fromkeys(NER_LABELS, 0)
    ner = nlp.get_pipe("ner")  # type: ignore[attr-defined]
    for reference in docs:
        predicted = ner(nlp.make_doc(reference.text))  # type: ignore[attr-defined]
        gold = {(e.start_char, e.end_char, e.label_) for e in reference.ents}
        for ent in predicted.ents:
            made[ent.label_] = made.get(ent.label_, 0) + 1
            hits[ent.label_] = hits.get(ent.label_, 0) + ((ent.start_char, ent.end_char, ent.label_) in gold)
    return {label: round(hits[label] / made[label], 4) if made[label] else 0.5 for label in sorted(made)}


def train(
    output_dir: Path,
    *,
    config: Path | None = None,
    gold_dir: Path,
    corpora: Sequence[str] = DEFAULT_CORPORA,
    seed: int = 0,
    max_steps: int | None = None,
    weights: Mapping[str, int] | None = None,
    overrides: Mapping[str, object] | None = None,
    vectors: Path | None = None,
) -> Path:
    """Train the NER on ``corpora``'s train splits and return the directory of the best model.

    Writes ``output_dir/corpus/{train,dev}.spacy``, then runs spaCy's training loop (CPU) into
    ``output_dir/model-best`` and ``output_dir/model-last``. The best model's ``meta.json`` gets a
    ``citekg`` entry: corpora, seed, alignment counts and each label's dev precision. The same config,
    corpora, gold files and seed give the same model.

    Args:
        output_dir: Where everything is written (created).
        config: A spaCy training config; default the shipped ``data/ner.cfg``.
        gold_dir: The folder holding ``scierc/``, ``tdmsci/``, ``scier/``, ``scirex/``.
        corpora: Names from :data:`CORPORA`.
        seed: Random seed (``system.seed``).
        max_steps: Overrides ``training.max_steps`` when given.
        weights: Times each corpus is repeated (see :func:`write_docbins`); default
            :data:`DEFAULT_WEIGHTS`.
        overrides: More config overrides, dotted keys (``{"training.patience": 500}``).
        vectors: A spaCy vectors folder for a config with static vectors; default: trained here by
            :func:`citekg.extractors.vectors.build_vectors` into ``output_dir/vectors`` (needs
            ``floret``). Ignored when the config has no static vectors.

    Raises:
        UnknownNameError: for an unknown corpus name.
        InputError: for missing or malformed gold files.
        CitekgError: when the config cannot be read.
    """
    import spacy
    from spacy.cli.train import train as spacy_train
    from spacy.tokens import DocBin

    for name in corpora:
        if name not in CORPORA:
            raise UnknownNameError("training corpus", name, list(CORPORA))
    config = Path(config) if config is not None else default_config()
    if not config.is_file():
        raise CitekgError(f"training config {config} not found")
    output_dir = Path(output_dir)
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    prepared = write_docbins(output_dir / "corpus", Path(gold_dir), list(corpora), weights)
    settings: dict[str, object] = {
        "paths.train": str(prepared.train),
        "paths.dev": str(prepared.dev),
        "system.seed": seed,
    }
    if max_steps is not None:
        settings["training.max_steps"] = max_steps
    settings.update(overrides or {})
    if _wants_vectors(config, settings):
        if vectors is None:
            from citekg.extractors.vectors import build_vectors

            vectors = build_vectors(Path(gold_dir), output_dir / "vectors")
        settings["initialize.vectors"] = str(vectors)
    spacy_train(config, output_dir, use_gpu=-1, overrides=settings)
    best = output_dir / "model-best"
    nlp = spacy.load(best)
    dev_docs = list(DocBin().from_disk(prepared.dev).get_docs(nlp.vocab))
    meta_path = best / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["citekg"] = {
        "corpora": list(corpora),
        "seed": seed,
        "weights": {name: weights.get(name, 1) for name in corpora},
        "label_precision": label_precision(nlp, dev_docs),
        "alignment": {name: {s: c.to_dict() for s, c in by.items()} for name, by in prepared.counts.items()},
    }
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return best


def _wants_vectors(config: Path, overrides: Mapping[str, object]) -> bool:
    """Whether the config (with ``overrides``) embeds static vectors in the ``ner`` tok2vec."""
    from spacy.util import load_config

    cfg = load_config(config, overrides=dict(overrides), interpolate=False)
    embed = cfg["components"]["ner"]["model"]["tok2vec"].get("embed", {})
    return bool(embed.get("include_static_vectors", False))


def install_model(model_dir: Path, target: Path | None = None) -> Path:
    """Copy a trained model into the package's ``data/ner`` folder (or ``target``), replacing it.

    The training run's file paths (corpora, vectors) are cleared from the copied ``config.cfg``: they
    point into the machine that trained it and loading never reads them.

    Raises:
        CitekgError: ``model_dir`` holds no spaCy pipeline (no ``config.cfg``).
    """
    model_dir = Path(model_dir)
    if not (model_dir / "config.cfg").is_file():
        raise CitekgError(f"{model_dir} holds no trained pipeline (config.cfg missing)")
    target = (
        Path(target)
        if target is not None
        else Path(str(resources.files("citekg.extractors") / "data" / "ner"))
    )
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model_dir, target)
    from spacy.util import load_config

    config = load_config(target / "config.cfg", interpolate=False)
    for section, key in (
        ("paths", "train"),
        ("paths", "dev"),
        ("paths", "vectors"),
        ("initialize", "vectors"),
    ):
        if key in config.get(section, {}):
            config[section][key] = None
    config.to_disk(target / "config.cfg")
    return target
