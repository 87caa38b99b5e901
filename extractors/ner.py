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
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import spacy
from citekg.errors import CitekgError
from citekg.extractors._ner_decode import GreedyNer, decoder_for
from citekg.extractors._registry import extractor
from spacy.attrs import ORTH, SENT_START
from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.vocab import Vocab

__all__ = ["NerModelMissingError", "NerTagger", "default_model_path", "has_model", "load_model", "make_ner"]

_KINDS = ("method", "dataset", "task", "metric")
_lock = threading.Lock()
_cache: dict[tuple[str, bool], Language] = {}
_NO_TOKENIZER = "citekg.no_tokenizer.v1"


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


def load_model(path: str | Path | None = None, *, tokenizer: bool = True) -> Language:
    """Load the NER pipeline at ``path`` (default: the shipped one), once per process and path.

    Args:
        path: The model folder.
        tokenizer: Whether to load the model's own tokenizer. The extraction pipeline tags its own Docs
            and never uses it; leaving it out makes loading about 4 times faster. Without it, calling the
            returned pipeline on a string raises :class:`~citekg.errors.CitekgError`; its ``ner`` pipe
            works on Docs.

    Raises:
        NerModelMissingError: no trained model there; the message says how to train one.
    """
    folder = Path(path) if path is not None else default_model_path()
    _check(folder)
    key = (str(folder.resolve()), tokenizer)
    with _lock:
        if key not in _cache:
            if tokenizer:
                _cache[key] = spacy.load(folder)
            else:
                overrides = {"nlp": {"tokenizer": {"@tokenizers": _NO_TOKENIZER}}}
                _cache[key] = spacy.load(folder, exclude=["tokenizer"], config=overrides)
        return _cache[key]


class _NoTokenizer:
    """Stands in for the model's tokenizer when only its ``ner`` pipe is needed."""

    def __call__(self, text: str) -> Doc:
        raise CitekgError(
            "this NER model was loaded without its tokenizer (load_model(tokenizer=False)); tag Docs"
        )


@spacy.registry.tokenizers(_NO_TOKENIZER)
def _no_tokenizer() -> Any:
    return lambda nlp: _NoTokenizer()


def _key(text: str) -> str:
    """Canonical key of a name: lower case, whitespace runs as ``-``.

    Examples:
        >>> _key("Penn  Treebank")
        'penn-treebank'
    """
    return re.sub(r"\s+", "-", text.strip()).lower()


def _openblas_thread_setter() -> Callable[[int], int] | None:
    """Numpy's bundled OpenBLAS ``openblas_set_num_threads_local`` (the calling thread only), if present.

    The NER's matrix products are 2-3 times faster in numpy's OpenBLAS on one thread than in blis, which
    thinc uses by default; with OpenBLAS's own threads they are slower (small matrices). So the tagger
    uses numpy's products only when it can pin the calling thread to one BLAS thread, and restores the
    setting afterwards. Anything else (another BLAS, an older OpenBLAS, no library found) keeps blis.
    """
    import ctypes
    import glob
    import os

    try:
        import numpy

        if numpy.__config__.CONFIG["Build Dependencies"]["blas"]["name"] != "scipy-openblas":
            return None
        base = os.path.dirname(numpy.__file__)
        for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*"):
            for candidate in sorted(glob.glob(os.path.join(base, pattern))):
                setter = getattr(ctypes.CDLL(candidate), "openblas_set_num_threads_local", None)
                if setter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], ctypes.c_int
                    return setter
    except (AttributeError, KeyError, OSError, TypeError):
        return None
    return None


class _OneBlasThread:
    """Context manager pinning the calling thread to one OpenBLAS thread, when ``setter`` is given."""

    def __init__(self, setter: Callable[[int], int] | None) -> None:
        self._setter = setter
        self._previous = 0

    def __enter__(self) -> None:
        if self._setter is not None:
            self._previous = self._setter(1)

    def __exit__(self, *exc: object) -> None:
        if self._setter is not None and self._previous > 0:
            self._setter(self._previous)


#: Leaf layers of a tok2vec embedding that reads each token alone (spaCy's MultiHashEmbed).
_TOKEN_WISE = frozenset(
    {"extract_features", "list2ragged", "ints-getitem", "hashembed", "static_vectors", "maxout", "layernorm"}
    | {"dropout", "ragged2list"}
)


class _Rows:
    """Stands in for a Doc of given feature rows: what an embedding layer reads of a Doc."""

    def __init__(self, vocab: Vocab, attrs: list[Any], rows: Any) -> None:
        self.vocab = vocab
        self._rows = rows
        self._column = {attr: index for index, attr in enumerate(attrs)}

    def __len__(self) -> int:
        return len(self._rows)

    def to_array(self, attrs: Any) -> Any:
        import numpy

        if isinstance(attrs, (list, tuple)):
            return numpy.ascontiguousarray(self._rows[:, [self._column[attr] for attr in attrs]])
        return numpy.ascontiguousarray(self._rows[:, self._column[attrs]])


class _EmbeddingCache:
    """The NER's token embeddings, computed once per distinct token instead of once per occurrence.

    The first layers of the model's tok2vec (hashed NORM, PREFIX, SUFFIX and SHAPE plus floret vectors,
    mixed by a maxout and a layer norm) read one token at a time, so a token's embedding is a function
    of those feature values alone. Abstracts repeat their words: a batch of Docs holds about 6 times
    fewer distinct feature rows than tokens, and later batches find most rows already here. Floret
    vectors are the costly part: they hash every character n-gram of a word in Python. Missing rows
    are embedded together, at least ``_MIN_ROWS`` at a time, because numpy's OpenBLAS multiplies
    matrices of a few rows along another path whose roundings differ; so every value is bit for bit
    what the plain model gives a batch of Docs. Memory is bounded: the cache empties when a batch
    would take it past ``limit`` rows.
    """

    _MIN_ROWS = 64

    def __init__(self, embed: Any, limit: int = 1 << 16) -> None:
        self.embed = embed
        self.limit = limit
        self._columns = list(_feature_columns(embed))
        self._index: dict[bytes, int] = {}
        self._table: Any = None
        self._size = 0
        self._lock = threading.Lock()  # one pipeline may tag in several threads (a Dask worker's)

    def forward(self, model: Any, docs: list[Doc], is_train: bool) -> tuple[list[Any], Callable[..., Any]]:
        """Thinc forward pass: cached rows at inference, the wrapped layer itself in training."""
        if is_train:
            return self.embed(docs, is_train)
        with self._lock:
            return self._embed(docs), _no_backprop

    def _embed(self, docs: list[Doc]) -> list[Any]:
        import numpy

        if not docs:
            return []
        vocab = docs[0].vocab
        attrs = [*self._columns, getattr(vocab.vectors, "attr", ORTH)]
        rows = numpy.concatenate([doc.to_array(attrs).reshape((len(doc), len(attrs))) for doc in docs])
        lengths = numpy.asarray([len(doc) for doc in docs], dtype="int32")
        # One unstructured void scalar per token: tolist() gives bytes (numpy types it bytes | tuple).
        keys = cast(
            "list[bytes]",
            rows.view(numpy.dtype((numpy.void, rows.dtype.itemsize * len(attrs)))).ravel().tolist(),
        )
        positions = self._positions(keys)
        missing = [i for i, position in enumerate(positions) if position < 0]
        if missing:
            if self._size + len(missing) > self.limit:
                self._index.clear()
                self._size = 0
                positions = self._positions(keys)
                missing = list(range(len(keys)))
            firsts = list({keys[i]: i for i in reversed(missing)}.values())[::-1]
            self._add(vocab, attrs, rows[firsts], [keys[i] for i in firsts])
            index = self._index
            positions = [
                index[key] if position < 0 else position
                for key, position in zip(keys, positions, strict=True)
            ]
        data = self._table[numpy.asarray(positions, dtype="int64")]
        return self.embed.ops.unflatten(data, lengths)

    def _positions(self, keys: list[bytes]) -> list[int]:
        get = self._index.get
        return [get(key, -1) for key in keys]

    def _add(self, vocab: Vocab, attrs: list[Any], rows: Any, keys: list[bytes]) -> None:
        import numpy

        count = len(rows)
        padded = rows if count >= self._MIN_ROWS else rows[numpy.arange(self._MIN_ROWS) % count]
        vectors = self.embed.predict([_Rows(vocab, attrs, padded)])[0][:count]
        if self._table is None or self._size + count > len(self._table):
            grown = numpy.empty((max(2 * (self._size + count), 1024), vectors.shape[1]), dtype=vectors.dtype)
            if self._table is not None:
                grown[: self._size] = self._table[: self._size]
            self._table = grown
        self._table[self._size : self._size + count] = vectors
        for offset, key in enumerate(keys):
            self._index[key] = self._size + offset
        self._size += count


def _no_backprop(d_output: Any) -> list[Any]:
    return []


def _feature_columns(embed: Any) -> list[Any]:
    for node in embed.walk():
        if node.name == "extract_features":
            return list(node.attrs["columns"])
    raise ValueError("no extract_features layer")


def _is_token_wise(layer: Any) -> bool:
    """Whether ``layer`` embeds each token from its own features alone (spaCy's MultiHashEmbed)."""
    leaves = {node.name for node in layer.walk() if not node.layers}
    return layer.name.endswith(">>ragged2list") and "extract_features" in leaves and leaves <= _TOKEN_WISE


def _cache_embeddings(model: Any) -> bool:
    """Wrap the token-wise embedding layer of ``model`` in an :class:`_EmbeddingCache`; once."""
    from thinc.api import Model

    for node in model.walk():
        if node.layers and node.name != "cached_embed" and _is_token_wise(node.layers[0]):
            embed = node.layers[0]
            cache = _EmbeddingCache(embed)
            node.layers[0] = Model(
                "cached_embed", cache.forward, layers=[embed], dims={"nO": embed.maybe_get_dim("nO")}
            )
            return True
    return any(node.name == "cached_embed" for node in model.walk())


class NerTagger:
    """Component tagging Docs with the trained NER, in batches, and writing ``doc.spans[spans_key]``.

    The model reads the pipeline's own Docs: its features (NORM, PREFIX, SUFFIX, SHAPE) are string
    hashes, equal in any English vocabulary, so no copy is needed. A model with static vectors reads
    them from the Doc's vocabulary, so a copy of its vectors table is put into a pipeline vocabulary
    that has none. The entities are moved from ``doc.ents`` to the span group, leaving ``doc.ents``
    empty. A Doc that already has entities (another NER ran before), or whose vocabulary holds other
    vectors, is tagged through a copy in the model's own vocabulary instead.
    """

    def __init__(self, spans_key: str, model: str | Path | None = None, batch_size: int = 64) -> None:
        self.spans_key = spans_key
        self.batch_size = batch_size
        self._path = Path(model) if model is not None else default_model_path()
        _check(self._path)  # fail when the pipeline is built, not on the first document
        self._nlp: Language | None = None
        self._scores: dict[str, float] = {}
        self._labels: set[str] = set()
        self._in_place: dict[int, tuple[Vocab, bool]] = {}  # id(vocab) -> (vocab, Docs tagged in place)
        self._blas = _OneBlasThread(None)
        self._decoder: GreedyNer | None = None

    def _model(self) -> Language:
        if self._nlp is None:
            nlp = load_model(self._path, tokenizer=False)
            precision = nlp.meta.get("citekg", {}).get("label_precision", {})
            self._scores = {label: float(precision.get(label, 0.5)) for label in _KINDS}
            # spaCy types pipes as plain callables; the NER is a Cython EntityRecognizer without stubs.
            ner: Any = nlp.get_pipe("ner")
            self._labels = {str(label) for label in ner.labels}
            setter = _openblas_thread_setter()
            if setter is not None:
                from thinc.api import NumpyOps

                ops = NumpyOps(use_blis=False)
                for node in ner.model.walk():
                    node.ops = ops
                self._blas = _OneBlasThread(setter)
            _cache_embeddings(ner.model)
            self._decoder = decoder_for(ner)
            self._nlp = nlp
        return self._nlp

    def _can_tag_in_place(self, vocab: Vocab) -> bool:
        """Whether Docs of ``vocab`` can be tagged as they are; prepares the vocabulary once."""
        known = self._in_place.get(id(vocab))
        if known is not None:
            return known[1]
        model = self._model().vocab
        ok = True
        if vocab is not model:
            for label in self._labels:
                vocab.strings.add(label)  # entity labels are hashes: the Doc's vocab must know them
            if _has_vectors(model.vectors):
                if _has_vectors(vocab.vectors):
                    ok = False  # other vectors: tag a copy in the model's vocabulary
                else:
                    from spacy.vectors import Vectors

                    vocab.vectors = Vectors(strings=vocab.strings).from_bytes(model.vectors.to_bytes())
        self._in_place[id(vocab)] = (vocab, ok)
        return ok

    def _tag(self, docs: list[Doc]) -> None:
        """Tag ``docs`` in one batch and write their span groups."""
        nlp = self._model()
        ner = nlp.get_pipe("ner")
        # entities set by someone else, or another vocabulary's vectors: tag a copy
        copied = [doc.has_annotation("ENT_IOB") or not self._can_tag_in_place(doc.vocab) for doc in docs]
        own = [doc for doc, copy in zip(docs, copied, strict=True) if not copy]
        found_own = iter(self._decode(ner, own) if own else [])
        for doc, copy in zip(docs, copied, strict=True):
            if copy:
                twin = Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
                with self._blas:
                    found = [(e.start, e.end, e.label_) for e in ner(twin).ents]
            else:
                found = next(found_own)
            self._write(doc, found)

    def _decode(self, ner: Any, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """Entities of ``docs`` (no preset entities), by :mod:`._ner_decode` when it applies, else spaCy."""
        if self._decoder is not None and not any(_has_sentence_starts(doc) for doc in docs):
            with self._blas:
                return self._decoder(docs)
        with self._blas:
            states = ner.predict(docs)
        ner.set_annotations(docs, states)
        found = []
        for doc in docs:
            found.append([(e.start, e.end, e.label_) for e in doc.ents])
            doc.set_ents([], default="missing")
        return found

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


def _has_sentence_starts(doc: Doc) -> bool:
    """Whether a token after the first is marked as a sentence start (the NER keeps entities within)."""
    return bool(len(doc) > 1 and (doc.to_array(SENT_START)[1:] == 1).any())


def _has_vectors(vectors: Any) -> bool:
    shape = getattr(vectors, "shape", (0, 0))
    return bool(shape[0] and shape[1])


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
