"""The extractor registry: one decorator registers a spaCy factory and records what it emits.

An extractor is a spaCy component that writes ``doc.spans["citekg.<name>"]`` (STYLE §4.4). Built-ins
(:data:`BUILTIN_EXTRACTORS`) and third-party extractors (entry-point group ``citekg_extractors``) go
through the same registry; both are imported by :func:`load_extractors`, on first use and never at
import time. spaCy is imported only when an extractor module is registered. No rdflib here.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Literal, TypeVar

from citekg.errors import CitekgError, UnknownNameError

__all__ = [
    "BUILTIN_EXTRACTORS",
    "ENTRY_POINT_GROUP",
    "DuplicateExtractorError",
    "ExtractorInfo",
    "STATISTICAL_EXTRACTORS",
    "extractor",
    "get_extractor",
    "list_extractors",
    "load_extractors",
]

logger = logging.getLogger(__name__)

#: Built-in extractors, in pipeline order; each is the module ``citekg.extractors.<name>``.
BUILTIN_EXTRACTORS: tuple[str, ...] = ("links", "lexicon", "abbreviations", "patterns", "ner", "resolver")
#: Built-ins that need more than rules (a trained model); left out of ``build_nlp(fast=True)``.
STATISTICAL_EXTRACTORS: frozenset[str] = frozenset({"ner"})
#: Entry-point group through which other packages register extractor modules.
ENTRY_POINT_GROUP = "citekg_extractors"

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, ExtractorInfo] = {}
_FUNCS: dict[str, Callable[..., Any]] = {}
_loaded = False


class DuplicateExtractorError(CitekgError, ValueError):
    """Two different functions were registered under one extractor name."""


@dataclass(frozen=True, slots=True)
class ExtractorInfo:
    """What the registry knows about one extractor.

    Attributes:
        name: Registry name (``links``).
        factory: spaCy factory name, ``citekg_<name>`` (spaCy forbids ``.`` in factory names).
        kinds: Labels its spans may carry.
        version: Bumped whenever its output changes; recorded in ``Extraction.extractor_version``.
        summary: First line of the factory's docstring, shown by ``citekg extractors``.
        spans_key: The span group it writes, ``citekg.<name>``.
        output: ``mentions`` (entity spans), ``links`` (URL, arXiv id and DOI spans) or ``pairs``
            (abbreviation long/short forms sharing an ``id_``, read by the resolver, never Mentions).
        role: Role given to the mentions it finds (``used`` unless the extractor knows better).
        confidence: Confidence given to each of its mentions.
    """

    name: str
    factory: str
    kinds: frozenset[str]
    version: int
    summary: str
    spans_key: str
    output: Literal["mentions", "links", "pairs"] = "mentions"
    role: str = "used"
    confidence: float = 1.0


def extractor(
    name: str,
    *,
    kinds: Iterable[str],
    version: int = 1,
    output: Literal["mentions", "links", "pairs"] = "mentions",
    role: str = "used",
    confidence: float = 1.0,
    spans_key: str | None = None,
    default_config: dict[str, Any] | None = None,
) -> Callable[[F], F]:
    """Register a component factory as spaCy factory ``citekg_<name>`` and record its info.

    The decorated function must accept ``nlp``, ``name`` and ``spans_key`` (plus any keys of
    ``default_config``) and return a ``Doc -> Doc`` callable. The span group is ``citekg.<name>`` unless
    ``spans_key`` names another (the resolver writes ``citekg.resolved``).

    Raises:
        DuplicateExtractorError: ``name`` is already registered to a different function.
    """
    from spacy.language import Language  # deferred: registering is the first moment spaCy is needed
    from spacy.util import is_same_func

    def decorate(func: F) -> F:
        previous = _FUNCS.get(name)
        if previous is not None and not is_same_func(previous, func):
            raise DuplicateExtractorError(
                f"extractor {name!r} is already registered by {previous.__module__}.{previous.__qualname__}; "
                "choose another name"
            )
        factory = f"citekg_{name}"
        group = spans_key or f"citekg.{name}"
        Language.factory(
            factory,
            assigns=["doc.spans"],
            default_config={"spans_key": group, **(default_config or {})},
            func=func,
        )
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        _FUNCS[name] = func
        _REGISTRY[name] = ExtractorInfo(
            name=name,
            factory=factory,
            kinds=frozenset(str(kind) for kind in kinds),
            version=version,
            summary=summary,
            spans_key=group,
            output=output,
            role=role,
            confidence=confidence,
        )
        return func

    return decorate


def load_extractors() -> None:
    """Import the built-in extractors and the entry points of group ``citekg_extractors``, once.

    Entry points are skipped when the environment variable ``CITEKG_NO_PLUGINS`` is ``1``, so that
    installed plugins cannot change a test run. A plugin that fails to import is logged and skipped.
    """
    global _loaded
    if _loaded:
        return
    for builtin in BUILTIN_EXTRACTORS:
        module = f"citekg.extractors.{builtin}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module or builtin not in STATISTICAL_EXTRACTORS:
                raise
            logger.info("built-in extractor %r is not installed; skipped", builtin)
    if os.environ.get("CITEKG_NO_PLUGINS") != "1":
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            try:
                point.load()
            except Exception:  # a broken plugin must not break citekg itself
                logger.exception("could not load extractor plugin %r (%s)", point.name, point.value)
    _loaded = True


def list_extractors() -> list[ExtractorInfo]:
    """Return every registered extractor: built-ins first in pipeline order, then the rest by name."""
    load_extractors()
    builtins = [_REGISTRY[name] for name in BUILTIN_EXTRACTORS if name in _REGISTRY]
    others = [info for name, info in sorted(_REGISTRY.items()) if name not in BUILTIN_EXTRACTORS]
    return builtins + others


def get_extractor(name: str) -> ExtractorInfo:
    """Return the info of extractor ``name``.

    Raises:
        UnknownNameError: No extractor has that name; the message lists those that exist.
    """
    load_extractors()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError("extractor", name, sorted(_REGISTRY)) from None


def info_for_factory(factory: str) -> ExtractorInfo | None:
    """Return the info of the extractor whose spaCy factory is ``factory``, if any."""
    load_extractors()
    for info in _REGISTRY.values():
        if info.factory == factory:
            return info
    return None
