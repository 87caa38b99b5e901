"""Hugging Face papers API records (``/api/daily_papers`` entries and ``/api/papers/<id>`` objects).

A daily-papers entry wraps the paper: ``{"paper": {"id", "title", "summary", "authors": [{"name"}],
"publishedAt", "githubRepo"?, "projectPage"?}, "title", "publishedAt", …}``; ``/api/papers/<id>`` returns
the inner object alone. Both are read. ``githubRepo`` and ``projectPage`` may sit in ``paper`` or beside
it; they become :attr:`Paper.links`. The id is the paper's arXiv id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citekg.model import Paper
from citekg.readers._json import read_json_papers
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, id_from_pairs, id_pairs, parse_year

__all__ = ["LINK_FIELDS", "paper_from_record", "read"]

LINK_FIELDS = ("githubRepo", "projectPage")


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of a Hugging Face papers API dump."""
    return read_json_papers(src, paper_from_record)


def paper_from_record(record: dict[str, Any], source: str) -> Paper:
    """Convert one daily-papers entry (or a bare paper object).

    Raises:
        RecordError: The record has no title.
    """
    inner = record.get("paper")
    paper = inner if isinstance(inner, dict) else record
    title = clean_text(paper.get("title") or record.get("title"))
    if not title:
        raise RecordError("record has no title")
    arxiv = str(paper.get("id") or "").strip() or None
    ids = id_pairs(arxiv=arxiv)
    links: list[str] = []
    for obj in (paper, record):
        for key in LINK_FIELDS:
            value = obj.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in links:
                links.append(value.strip())
    authors = tuple(
        name
        for author in paper.get("authors") or ()
        if isinstance(author, dict) and (name := clean_text(author.get("name")))
    )
    arxiv_id = dict(ids).get("arxiv")
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(paper.get("summary") or record.get("summary")),
        authors=authors,
        year=parse_year(paper.get("publishedAt")) or parse_year(record.get("publishedAt")),
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
        ids=ids,
        links=tuple(links),
        source=source,
    )
