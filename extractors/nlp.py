"""Build the spaCy pipeline that runs citekg's extractors.

The pipeline is ``spacy.blank("en")`` plus one component per extractor, so it needs no trained model.
spaCy's English tokenizer already keeps a URL in one token and splits trailing punctuation off it; the
``links`` component splits a token itself in the rare case where it does not. No rdflib here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from citekg.extractors._registry import BUILTIN_EXTRACTORS, get_extractor

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["build_nlp"]


def build_nlp(names: Sequence[str] | None = None) -> Language:
    """Return a blank English pipeline with the named extractors, in the order given.

    Args:
        names: Extractor names; ``None`` means :data:`~citekg.extractors.BUILTIN_EXTRACTORS` (installed
            plugins are added only when named, so a default run does not depend on what is installed).

    Raises:
        UnknownNameError: A name is not a registered extractor.
    """
    import spacy

    chosen = list(BUILTIN_EXTRACTORS if names is None else names)
    infos = [get_extractor(name) for name in chosen]  # fail before building anything
    nlp = spacy.blank("en")
    for info in infos:
        nlp.add_pipe(info.factory, name=info.factory)
    return nlp
