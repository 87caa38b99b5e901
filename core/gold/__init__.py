"""Readers for annotated corpora, used to measure extraction (``citekg eval``, ``bench/extraction.py``).

One module per format; each yields :class:`GoldDoc` records whose spans are character offsets into the
document's text, labelled with citekg types through the corpus's :class:`LabelMapping`. Formats are looked up
by name in :data:`GOLD_FORMATS`, and a spec such as ``scierc:path/to/test.json`` names format and file at
once. Standard library only: scoring lives in :mod:`citekg.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citekg.errors import InputError, UnknownNameError
from citekg.gold._base import GoldDoc, GoldSpan, LabelMapping, join_tokens, ordered_types
from citekg.gold.contract import CONTRACT_MAPPING, read_contract
from citekg.gold.scier import SCIER_MAPPING, read_scier, read_scier_llm
from citekg.gold.scierc import SCIERC_MAPPING, read_scierc
from citekg.gold.tdmsci import TDMSCI_MAPPING, read_tdmsci

__all__ = [
    "GOLD_FORMATS",
    "GoldDoc",
    "GoldFormat",
    "GoldSpan",
    "LabelMapping",
    "get_gold_format",
    "join_tokens",
    "ordered_types",
    "parse_gold_spec",
    "read_contract",
    "read_gold",
    "read_scier",
    "read_scier_llm",
    "read_scierc",
    "read_tdmsci",
]


@dataclass(frozen=True, slots=True)
class GoldFormat:
    """A registered gold format: its reader, its default label mapping and a one-line description."""

    name: str
    read: Callable[..., Iterator[GoldDoc]]
    mapping: LabelMapping
    description: str


GOLD_FORMATS: dict[str, GoldFormat] = {
    f.name: f
    for f in (
        GoldFormat("scierc", read_scierc, SCIERC_MAPPING, "SciERC processed JSON, one abstract per line"),
        GoldFormat("tdmsci", read_tdmsci, TDMSCI_MAPPING, "TDMSci CoNLL (token, offset, BIO tag); sentences"),
        GoldFormat("scier", read_scier, SCIER_MAPPING, "SciER PLM JSONL (token offsets); sentences"),
        GoldFormat("scier-llm", read_scier_llm, SCIER_MAPPING, "SciER LLM JSONL (mention strings located)"),
        GoldFormat("citekg", read_contract, CONTRACT_MAPPING, "citekg extraction JSONL; title + abstract"),
    )
}


def get_gold_format(name: str) -> GoldFormat:
    """Return the registered format called ``name``.

    Raises:
        UnknownNameError: listing the registered formats.

    Examples:
        >>> get_gold_format("scierc").mapping.types
        ('method', 'dataset', 'task', 'metric')
        >>> get_gold_format("brat")
        Traceback (most recent call last):
        ...
        citekg.errors.UnknownNameError: unknown gold format 'brat'; choose one of: citekg, scier, ...
    """
    try:
        return GOLD_FORMATS[name]
    except KeyError:
        raise UnknownNameError("gold format", name, list(GOLD_FORMATS)) from None


def parse_gold_spec(spec: str) -> tuple[str, Path]:
    """Split ``FORMAT:PATH`` into a registered format name and a path.

    Raises:
        UnknownNameError: when the part before the first colon is not a registered format (a spec with
            no colon at all names no format).
        InputError: when nothing follows the colon.

    Examples:
        >>> parse_gold_spec("scierc:/data/scierc/test.json")
        ('scierc', PosixPath('/data/scierc/test.json'))
        >>> parse_gold_spec("test.json")
        Traceback (most recent call last):
        ...
        citekg.errors.UnknownNameError: unknown gold format ''; choose one of: citekg, scier, ...
    """
    name, sep, path = spec.partition(":")
    get_gold_format(name if sep else "")
    if not path:
        raise InputError(spec, "no file after the format; write FORMAT:PATH, e.g. scierc:test.json")
    return name, Path(path)


def read_gold(spec: str, **options: Any) -> list[GoldDoc]:
    """Read every document of a ``FORMAT:PATH`` spec; ``options`` go to the format's reader."""
    name, path = parse_gold_spec(spec)
    return list(GOLD_FORMATS[name].read(path, **options))
