"""citekg's extractors: spaCy components that find entity mentions and links in titles and abstracts.

Each extractor is one module registered with :func:`extractor`; it writes ``doc.spans["citekg.<name>"]``
and nothing else. :func:`extract` runs a pipeline over papers and returns :class:`~citekg.model.Extraction`
records. This package may import spaCy and :mod:`citekg.model`, never rdflib; importing it loads the
extractor modules (and spaCy) only when they are first used.
"""

from __future__ import annotations

from citekg.extractors._registry import (
    BUILTIN_EXTRACTORS,
    DuplicateExtractorError,
    ExtractorInfo,
    extractor,
    get_extractor,
    list_extractors,
    load_extractors,
)
from citekg.extractors.extract import extract, extractor_version
from citekg.extractors.nlp import build_nlp

__all__ = [
    "BUILTIN_EXTRACTORS",
    "DuplicateExtractorError",
    "ExtractorInfo",
    "build_nlp",
    "extract",
    "extractor",
    "extractor_version",
    "get_extractor",
    "list_extractors",
    "load_extractors",
]
