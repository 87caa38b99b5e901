"""The ``ner`` extractor: a small statistical NER, trained by us on the gold corpora, for names no rule sees.

The model is a spaCy pipeline with one ``ner`` component and a narrow CNN (``data/ner.cfg``), trained by
``citekg train`` (:func:`citekg.extractors.train.train`) and shipped in ``data/ner/``. It is loaded once per
process, on first use. It tags the pipeline's own Docs in batches (no copy, no re-tokenising) and moves
the entities it finds from ``doc.ents`` to spans of ``doc.spans["citekg.ner"]`` with ``id_`` the
lower-cased, hyphen-joined name, leaving ``doc.ents`` empty. The NER's transition
system gives no per-span probability, so each span's score (``attrs["scores"]``) is the exact-span
precision its label had on the dev splits, stored in the model's ``meta.json`` at training time.

It labels ``method``, ``dataset``, ``task`` and ``metric`` only: no corpus tells models from methods, so
``model`` is left to the lexicon. Known weaknesses: SciERC-style generic phrases ("statistical approach")
come out as methods, and boundaries of long task phrases are often off by a word. No rdflib here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.errors import CitekgError
from citekg.extractors._registry import extractor

from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["NerModelMissingError", "NerTagger", "default_model_path", "has_model", "load_model", "make_ner"]

_KINDS = ("method", "dataset", "task", "metric")
_lock = threading.Lock()
_cache: dict[str, Language] = {}


class NerModelMissingError(CitekgError):
    """The trained NER model is not where it should be."""


def default_model_path() -> Path:
    """Return the folder of the shipped model, ``citekg/extractors/data/ner``."""
    return Path(str(resources.files("citekg.extractors") / "data" / "ner"))


def has_model(path: str | Path | None = None) -> bool:
    """Whether a trained model is at ``path`` (default: the shipped one); cheap, loads nothing."""
    folder = Path(path) if path is not None else default_model_path()
    return (folder / "config.cfg").is_file() and (folder / "ner" / "model").is_file()


def _check(path: Path) -> None:
    if not has_model(path):
        raise NerModelMissingError(
            f"no trained NER model in {path}; train one with `citekg train` "
            "(citekg.extractors.train.train, then install_model), or leave `ner` out of the pipeline"
        )


def load_model(path: str | Path | None = None) -> Language:
    """Load the NER pipeline at ``path`` (default: the shipped one), once per process and path.

    Raises:
        NerModelMissingError: no trained model there; the message says how to train one.
    """
    folder = Path(path) if path is not None else default_model_path()
    _check(folder)
    key = str(folder.resolve())
    with _lock:
        if key not in _cache:
            import spacy

            _cache[key] = spacy.load(folder)
        return _cache[key]


def _key(text: str) -> str:
    """Canonical key of a name: lower case, whitespace runs as ``-``.

    Examples:
        >>> _key("Penn  Treebank")
        'penn-treebank'
    """
    return re.sub(r"\s+", "-", text.strip()).lower()


class NerTagger:
    """Component tagging Docs with the trained NER, in batches, and writing ``doc.spans[spans_key]``.

    The model reads the pipeline's own Docs: its features (NORM, PREFIX, SUFFIX, SHAPE) are string
    hashes, equal in any English vocabulary, so no copy is needed. Its ``doc.ents`` are read into the
    span group and then cleared. A Doc that already has entities (another NER ran before) is tagged
    through a copy, so they stay as they were.
    """

    def __init__(self, spans_key: str, model: str | Path | None = None, batch_size: int = 64) -> None:
        self.spans_key = spans_key
        self.batch_size = batch_size
        self._path = Path(model) if model is not None else default_model_path()
        _check(self._path)  # fail when the pipeline is built, not on the first document
        self._nlp: Language | None = None
        self._scores: dict[str, float] = {}
        self._labels: set[str] = set()

    def _model(self) -> Language:
        if self._nlp is None:
            nlp = load_model(self._path)
            precision = nlp.meta.get("citekg", {}).get("label_precision", {})
            self._scores = {label: float(precision.get(label, 0.5)) for label in _KINDS}
            self._labels = {str(label) for label in nlp.get_pipe("ner").labels}
            self._nlp = nlp
        return self._nlp

    def _tag(self, docs: list[Doc]) -> None:
        """Tag ``docs`` in one batch and write their span groups."""
        nlp = self._model()
        ner = nlp.get_pipe("ner")
        keep = [doc.has_annotation("ENT_IOB") for doc in docs]  # entities set by someone else
        own = [doc for doc, kept in zip(docs, keep, strict=True) if not kept]
        for vocab in {id(doc.vocab): doc.vocab for doc in own}.values():
            for label in self._labels:
                vocab.strings.add(label)  # entity labels are hashes: the Doc's vocab must know them
        if own:
            ner.set_annotations(own, ner.predict(own))
        for doc, kept in zip(docs, keep, strict=True):
            if kept:
                copy = Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
                found = [(e.start, e.end, e.label_) for e in ner(copy).ents]
            else:
                found = [(e.start, e.end, e.label_) for e in doc.ents]
                doc.set_ents([], default="missing")
            self._write(doc, found)

    def _write(self, doc: Doc, found: list[tuple[int, int, str]]) -> None:
        spans = [
            Span(doc, start, end, label=label, span_id=_key(doc[start:end].text))
            for start, end, label in found
            if label in self._scores
        ]
        doc.spans[self.spans_key] = spans
        doc.spans[self.spans_key].attrs["scores"] = [self._scores[s.label_] for s in spans]

    def __call__(self, doc: Doc) -> Doc:
        """Set the NER span group of ``doc``."""
        self._tag([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        """Tag ``docs`` in batches of ``batch_size`` (the model is much faster on batches), in order."""
        size = max(1, batch_size or self.batch_size)
        stream = iter(docs)
        while batch := list(islice(stream, size)):
            self._tag(batch)
            yield from batch


@extractor("ner", kinds=_KINDS, version=1, default_config={"model": None})
def make_ner(nlp: Language, name: str, spans_key: str, model: str | None) -> NerTagger:
    """Statistical NER trained on SciERC, TDMSci and SciER: methods, datasets, tasks and metrics."""
    return NerTagger(spans_key, model)


def model_info(path: str | Path | None = None) -> dict[str, Any]:
    """Return the ``citekg`` entry of the model's ``meta.json`` (corpora, seed, dev precision, alignment)."""
    folder = Path(path) if path is not None else default_model_path()
    _check(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return dict(meta.get("citekg", {}))
