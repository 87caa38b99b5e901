"""arXiv metadata snapshot records (the Kaggle ``arxiv-metadata-oai-snapshot.json`` JSON Lines).

Fields used: ``id``, ``title``, ``abstract``, ``authors_parsed`` (else the ``authors`` string), ``doi``,
``journal-ref``, ``comments`` (URLs in it become links), ``versions`` (the year is that of the v1
``created`` date) and ``update_date`` as a last resort. Titles and abstracts carry hard line breaks and
LaTeX; both are decoded to plain unicode text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citekg.ids import normalize_arxiv_id, paper_id
from citekg.model import Paper
from citekg.readers._json import read_json_papers
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, find_urls, id_pairs, parse_year, split_authors

__all__ = ["paper_from_record", "read", "year_from_arxiv_id"]

_NEW_ID_RE = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_ID_RE = re.compile(r"/(\d{2})(\d{2})\d{3}$")


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of an arXiv snapshot file."""
    return read_json_papers(src, paper_from_record)


def year_from_arxiv_id(arxiv_id: str) -> int | None:
    """Return the submission year an arXiv id encodes (its ``YYMM`` part).

    Examples:
        >>> year_from_arxiv_id("1706.03762"), year_from_arxiv_id("hep-th/9901001")
        (2017, 1999)
        >>> year_from_arxiv_id("nonsense") is None
        True
    """
    match = _NEW_ID_RE.match(arxiv_id) or _OLD_ID_RE.search(arxiv_id)
    if not match:
        return None
    yy = int(match.group(1))
    return 1900 + yy if yy >= 91 else 2000 + yy


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for entry in parsed:
            if not isinstance(entry, list):
                continue
            last, first, *rest = [*entry, "", ""]
            name = " ".join(p for p in (first, last, *rest) if isinstance(p, str) and p.strip())
            if name := clean_text(name, latex=True):
                names.append(name)
        if names:
            return tuple(names)
    text = clean_text(record.get("authors"), latex=True)
    return tuple(split_authors(text))


def _year(record: dict[str, Any], arxiv_id: str | None) -> int | None:
    versions = record.get("versions")
    if isinstance(versions, list):
        for version in versions:
            if isinstance(version, dict) and version.get("version") in ("v1", None):
                if year := parse_year(version.get("created")):
                    return year
    return (arxiv_id and year_from_arxiv_id(arxiv_id)) or parse_year(record.get("update_date"))


def paper_from_record(record: dict[str, Any], source: str) -> Paper:
    """Convert one snapshot record.

    Raises:
        RecordError: The record has no title or no usable arXiv id.
    """
    raw_id = record.get("id")
    arxiv_id = normalize_arxiv_id(str(raw_id)) if raw_id is not None else None
    if not arxiv_id:
        raise RecordError(f"record has no valid arXiv id (id: {raw_id!r})")
    title = clean_text(record.get("title"), latex=True)
    if not title:
        raise RecordError("record has no title")
    doi = str(record.get("doi") or "").split()
    ids = id_pairs(arxiv=arxiv_id, doi=doi[0] if doi else None)
    comments = record.get("comments")
    return Paper(
        id=paper_id(title=title, arxiv=arxiv_id),
        title=title,
        abstract=clean_text(record.get("abstract"), latex=True),
        authors=_authors(record),
        year=_year(record, arxiv_id),
        venue=clean_text(record.get("journal-ref"), latex=True) or "arXiv",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        ids=ids,
        links=tuple(find_urls(comments if isinstance(comments, str) else "")),
        source=source,
    )
