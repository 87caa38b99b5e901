"""Build the spaCy pipeline that runs citekg's extractors.

The pipeline is ``spacy.blank("en")`` plus one component per extractor, in the order of
:data:`~citekg.extractors.BUILTIN_EXTRACTORS`: links, lexicon, abbreviations, patterns, ner, resolver. The
fast pipeline leaves out the statistical ``ner``; the default one includes it when its trained model is
shipped, and otherwise falls back to rules with a logged warning. spaCy's English tokenizer already keeps
a URL in one token; the ``links`` component splits a token itself in the rare case where it does not.
No rdflib here.
"""

from __future__ import annotations

import functools
import logging
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from citekg.extractors._registry import (
    BUILTIN_EXTRACTORS,
    STATISTICAL_EXTRACTORS,
    get_extractor,
    list_extractors,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["FIELD_KEY", "blank_english", "build_nlp", "default_names", "doc_text"]

logger = logging.getLogger(__name__)

_texts: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()
#: ``doc.user_data`` key naming the paper field a Doc holds ("title", "abstract"), set by ``extract()``;
#: absent on a Doc made from a bare string.
FIELD_KEY = "citekg.field"


def doc_text(doc: Doc) -> str:
    """Return ``doc.text``, built once per Doc however many components read it.

    ``doc.text`` joins every token anew (about half as long as tokenising the text). Docs made by a
    :func:`blank_english` pipeline have their text recorded when they are made; splitting or merging
    tokens keeps the text, so the string stays right while the Doc lives.

    Examples:
        >>> doc = blank_english()("We use BERT.")
        >>> doc_text(doc) == doc.text and doc_text(doc) is doc_text(doc)
        True
    """
    text = _texts.get(doc)
    if text is None:
        text = _texts[doc] = doc.text
    return text


# spaCy keeps a final "." on a token that ends in a capital ("mIoU.", "ImageNet-1K."), to protect
# abbreviations such as "U.S."; names of metrics and models end that way at the end of a sentence.
_NAME_FINAL_DOT = r"(?<=[a-z0-9\-][A-Z])\."


def blank_english() -> Language:
    """Return ``spacy.blank("en")`` with the one tokenizer change every citekg stage shares.

    A sentence-final dot is split from a name ending in a capital, so "mIoU." gives "mIoU" and "." as
    the same name does mid-sentence; initials ("J.") and abbreviations ("U.S.") stay whole. Training
    and extraction must tokenise alike, so everything that makes Docs for the extractors uses this.

    Examples:
        >>> [t.text for t in blank_english()("We report mIoU. By J. Smith in the U.S. on ROUGE-L.")]
        ['We', 'report', 'mIoU', '.', 'By', 'J.', 'Smith', 'in', 'the', 'U.S.', 'on', 'ROUGE', '-', 'L', '.']
    """
    return _english_class()()


@functools.cache
def _english_class() -> type[Language]:
    """English with the name-final dot among its suffixes, so the tokenizer is built once, not twice."""
    from spacy.lang.en import English, EnglishDefaults  # English.Defaults is EnglishDefaults

    class CitekgDefaults(EnglishDefaults):
        suffixes = [*(EnglishDefaults.suffixes or ()), _NAME_FINAL_DOT]

    class CitekgEnglish(English):
        lang = "en"
        Defaults = CitekgDefaults

        def make_doc(self, text: str) -> Doc:
            doc = super().make_doc(text)
            _texts[doc] = text  # the tokenizer is lossless: the components read this, not doc.text
            return doc

    return CitekgEnglish


def default_names(*, fast: bool = False) -> list[str]:
    """Return the built-in extractors a default pipeline runs, in order.

    ``fast`` leaves out the statistical extractors; otherwise they are left out only when they cannot
    load (not installed, or no shipped model), with a warning in the log.
    """
    registered = {info.name for info in list_extractors()}
    names = []
    for name in BUILTIN_EXTRACTORS:
        if name in STATISTICAL_EXTRACTORS:
            if fast:
                continue
            if name not in registered or not _model_available(name):
                logger.warning("extractor %r has no shipped model here; running rules only", name)
                continue
        names.append(name)
    return names


def _model_available(name: str) -> bool:
    import importlib

    module = importlib.import_module(f"citekg.extractors.{name}")
    check = getattr(module, "has_model", None) or getattr(module, "model_available", None)
    try:
        return bool(check()) if callable(check) else True
    except Exception:  # a broken model must not stop the rules
        logger.exception("could not check the model of extractor %r", name)
        return False


def build_nlp(
    names: Sequence[str] | None = None,
    *,
    fast: bool = False,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Language:
    """Return a blank English pipeline with the named extractors, in the order given.

    Args:
        names: Extractor names; ``None`` means the built-ins (:func:`default_names`). Installed plugins
            are added only when named, so a default run does not depend on what is installed.
        fast: With ``names=None``, rules only (no statistical NER). Ignored when ``names`` is given.
        config: Extractor name → settings for its factory, e.g. ``{"resolver": {"keep_generic": True}}``.

    Raises:
        UnknownNameError: A name is not a registered extractor.
    """
    chosen = default_names(fast=fast) if names is None else list(names)
    infos = [get_extractor(name) for name in chosen]  # fail before building anything
    settings = {name: dict(values) for name, values in (config or {}).items()}
    for name in settings:
        get_extractor(name)
    nlp = blank_english()
    for info in infos:
        if names is None and info.name in STATISTICAL_EXTRACTORS:
            try:
                nlp.add_pipe(info.factory, name=info.factory, config=settings.get(info.name, {}))
            except Exception as error:  # its model is missing or broken: the rules still run
                logger.warning("extractor %r could not load (%s); running rules only", info.name, error)
                if info.factory in nlp.pipe_names:
                    nlp.remove_pipe(info.factory)
            continue
        nlp.add_pipe(info.factory, name=info.factory, config=settings.get(info.name, {}))
    return nlp
