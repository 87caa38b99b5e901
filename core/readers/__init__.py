"""Readers: every input format citekg accepts, each yielding :class:`~citekg.model.Paper` records.

One module per format (``trending``, ``arxiv``, ``s2``, ``openalex``, ``hf``, ``native`` for citekg's own
JSON Lines and extraction records, ``bibtex``, ``atom``, ``delimited`` for CSV/TSV) and a registry here
mapping format names to reader functions. :func:`read_papers` is the one entry point: it checks the
file, picks the format (or sniffs it), streams records, merges duplicates and reports bad records as
``<file>:<line>: <what is wrong>``. Standard library plus bibtexparser and pylatexenc, imported lazily.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

from citekg.errors import InputError, UnknownNameError
from citekg.model import Extraction, Paper
from citekg.readers import arxiv, atom, bibtex, delimited, hf, native, openalex, s2, trending
from citekg.readers._json import first_record
from citekg.readers._source import ReadReport, Source

__all__ = [
    "FORMATS",
    "ReadReport",
    "detect_format",
    "detect_record_format",
    "get_reader",
    "merge_papers",
    "read_extractions",
    "read_papers",
]

logger = logging.getLogger(__name__)

Reader = Callable[[Source], Iterator[Paper]]

_READERS: dict[str, Reader] = {
    "trending": trending.read,
    "arxiv": arxiv.read,
    "s2": s2.read,
    "openalex": openalex.read,
    "hf": hf.read,
    "citekg": native.read,
    "bibtex": bibtex.read,
    "atom": atom.read,
    "csv": delimited.read_csv,
    "tsv": delimited.read_tsv,
    "extractions": native.read_extraction_papers,
}

FORMATS: tuple[str, ...] = tuple(_READERS)

_JSON_FORMATS = ("arxiv", "s2", "openalex", "hf", "citekg", "extractions")
_BY_EXTENSION = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".xml": "atom",
    ".atom": "atom",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
}
_JSON_EXTENSIONS = (".json", ".jsonl", ".ndjson")
_BIBTEX_START_RE = re.compile(r"\s*@\s*[A-Za-z]+\s*[{(]")
# Records held back to merge later duplicates into (about 20 MB of abstracts); a duplicate further
# away than this is still dropped and counted, but can no longer fill the first record's gaps.
MERGE_WINDOW = 10_000


def get_reader(name: str) -> Reader:
    """Return the reader function registered for format ``name``.

    Raises:
        UnknownNameError: No such format; the message lists them.

    Examples:
        >>> get_reader("bibtex").__module__
        'citekg.readers.bibtex'
        >>> get_reader("bibtx")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        citekg.errors.UnknownNameError: unknown format 'bibtx'; choose one of: arxiv, atom, bibtex, ...
    """
    try:
        return _READERS[name]
    except KeyError:
        raise UnknownNameError("format", name, FORMATS) from None


def detect_record_format(record: Any) -> str | None:
    """Tell a JSON record's format by its keys, or ``None`` if no format fits.

    Examples:
        >>> detect_record_format({"paperId": "204e30", "title": "Attention Is All You Need"})
        's2'
        >>> detect_record_format({"id": "https://openalex.org/W2963403868", "display_name": "x"})
        'openalex'
        >>> detect_record_format({"paper": {"id": "2401.01234", "summary": "..."}, "title": "x"})
        'hf'
        >>> detect_record_format({"id": "arxiv:1706.03762", "title": "x", "mentions": [], "links": []})
        'extractions'
        >>> detect_record_format({"id": "arxiv:1706.03762", "title": "x", "ids": {}})
        'citekg'
        >>> detect_record_format({"id": "1706.03762", "abstract": "x", "versions": []})
        'arxiv'
        >>> detect_record_format({"name": "x"}) is None
        True
    """
    if not isinstance(record, dict):
        return None
    rid = record.get("id")
    rid = rid if isinstance(rid, str) else ""
    paper = record.get("paper")
    if "paperId" in record:
        return "s2"
    if "abstract_inverted_index" in record or rid.startswith("https://openalex.org/"):
        return "openalex"
    if isinstance(paper, dict) and ("summary" in paper or "id" in paper) and "mentions" not in record:
        return "hf"
    if "mentions" in record and "links" in record:
        return "extractions"
    if ":" in rid and any(k in record for k in ("ids", "references", "links")):
        return "citekg"
    if (
        rid
        and "abstract" in record
        and any(k in record for k in ("versions", "categories", "authors_parsed"))
    ):
        return "arxiv"
    if rid and "summary" in record and any(k in record for k in ("publishedAt", "upvotes")):
        return "hf"
    return None


def _suffixes(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def _cannot_tell(src: Source, why: str) -> InputError:
    return src.error(f"cannot tell the format ({why}); use --format with one of: {', '.join(FORMATS)}")


def _head(src: Source, limit: int = 20) -> list[str]:
    head: list[str] = []
    with closing(src.lines()) as lines:
        for _, text in lines:
            if text.strip():
                head.append(text)
                if len(head) >= limit:
                    break
    return head


def detect_format(path: str | Path) -> str:
    """Tell an input file's format from its extension and its first lines or first record.

    ``.gz`` files are looked into. JSON and JSON Lines files are told apart by the shape of their first
    record (see :func:`detect_record_format`).

    Raises:
        InputError: The file is missing, empty or unreadable, or its format cannot be told.
    """
    src = Source.open(path)
    ext = _suffixes(src.path)
    head = _head(src)
    first = head[0].lstrip() if head else ""
    if ext in _JSON_EXTENSIONS or first.startswith(("{", "[")):
        return _detect_json(src)
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if any(_BIBTEX_START_RE.match(line) for line in head):
        return "bibtex"
    if first.startswith("<"):
        return "atom"
    if "title" in delimited.match_columns(first.split("\t")):
        return "tsv"
    if "title" in delimited.match_columns(first.split(",")):
        return "csv"
    if trending.looks_like_trending(head):
        return "trending"
    what = f"extension {ext!r}" if ext else "no extension"
    raise _cannot_tell(src, f"{what}, and the content matches no known layout")


def _detect_json(src: Source) -> str:
    found = first_record(src)
    if found is None:
        raise _cannot_tell(src, "the JSON holds no records")
    _, record = found
    name = detect_record_format(record)
    if name is None:
        keys = ", ".join(sorted(record)[:12]) if isinstance(record, dict) else type(record).__name__
        raise _cannot_tell(src, f"the first record's keys ({keys}) match no known record shape")
    return name


def merge_papers(first: Paper, later: Paper) -> Paper:
    """Merge a duplicate record into the first one: the first wins, later values fill its gaps.

    ``ids`` are united (the first record's value wins per scheme).

    Examples:
        >>> a = Paper(id="arxiv:1706.03762", title="Attention Is All You Need",
        ...           ids=(("arxiv", "1706.03762"),))
        >>> b = Paper(id="arxiv:1706.03762", title="Attention is all you need", abstract="The dominant...",
        ...           year=2017, ids=(("doi", "10.5555/3295222"),))
        >>> m = merge_papers(a, b)
        >>> m.title, m.abstract, m.year
        ('Attention Is All You Need', 'The dominant...', 2017)
        >>> m.ids
        (('arxiv', '1706.03762'), ('doi', '10.5555/3295222'))
    """
    changes: dict[str, Any] = {}
    for name in ("abstract", "authors", "year", "venue", "url", "references", "links"):
        if not getattr(first, name) and getattr(later, name):
            changes[name] = getattr(later, name)
    ids = dict(later.ids) | dict(first.ids)
    if len(ids) != len(first.ids):
        changes["ids"] = tuple(sorted(ids.items()))
    return replace(first, **changes) if changes else first


def _dedupe(papers: Iterator[Paper], src: Source) -> Iterator[Paper]:
    report = src.report
    pending: OrderedDict[str, Paper] = OrderedDict()
    released: set[str] = set()
    for paper in papers:
        report.records += 1
        if paper.id in pending:
            report.duplicates += 1
            pending[paper.id] = merge_papers(pending[paper.id], paper)
            logger.debug("%s: duplicate of %s merged", paper.source, pending[paper.id].source)
            continue
        if paper.id in released:
            report.duplicates += 1
            logger.debug("%s: duplicate of an earlier record dropped (beyond the merge window)", paper.source)
            continue
        pending[paper.id] = paper
        if len(pending) > MERGE_WINDOW:
            key, oldest = pending.popitem(last=False)
            released.add(key)
            report.papers += 1
            yield oldest
    for paper in pending.values():
        report.papers += 1
        yield paper


def _counted(papers: Iterator[Paper], src: Source) -> Iterator[Paper]:
    skipped_before = len(src.report.skipped)
    yield from _dedupe(papers, src)
    src.report.records += len(src.report.skipped) - skipped_before


def read_papers(
    path: str | Path,
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    report: ReadReport | None = None,
) -> Iterator[Paper]:
    """Read the papers of one input file.

    The file and the format are checked at once; records are then streamed (JSON Lines line by line,
    ``.gz`` transparently). Records with the same id are merged (see :func:`merge_papers`) and counted
    in ``report.duplicates``.

    Args:
        path: The input file.
        format: One of :data:`FORMATS`; sniffed with :func:`detect_format` when ``None``.
        skip_invalid: Leave out malformed records, noting ``(file, line, reason)`` in
            ``report.skipped``, instead of raising.
        report: Counts to fill in while reading (shared across files if you like).

    Returns:
        An iterator of papers, in file order of their first record.

    Raises:
        InputError: The file is missing, empty, binary or not UTF-8; its format cannot be told; or a
            record is malformed (message ``<file>:<line>: <reason>``) and ``skip_invalid`` is off.
        UnknownNameError: ``format`` is not one of :data:`FORMATS`.

    Examples:
        >>> read_papers("missing.jsonl")
        Traceback (most recent call last):
        ...
        citekg.errors.InputError: missing.jsonl: no such file
    """
    reader = get_reader(format) if format is not None else None
    src = Source.open(path, skip_invalid=skip_invalid, report=report)
    if reader is None:
        reader = get_reader(detect_format(path))
    return _counted(reader(src), src)


def read_extractions(
    path: str | Path, *, skip_invalid: bool = False, report: ReadReport | None = None
) -> Iterator[Extraction]:
    """Read an extraction JSONL file (the contract ``citekg extract`` writes; DESIGN §3).

    Each record's paper keeps the ``source`` it was extracted from; records without one get
    ``<file>:<line>``.

    Raises:
        InputError: The file is missing, empty, binary or not UTF-8, or a record is malformed and
            ``skip_invalid`` is off.
    """
    src = Source.open(path, skip_invalid=skip_invalid, report=report)

    def counted() -> Iterator[Extraction]:
        skipped_before = len(src.report.skipped)
        for extraction in native.read_extractions(src):
            src.report.records += 1
            src.report.papers += 1
            yield extraction
        src.report.records += len(src.report.skipped) - skipped_before

    return counted()
