"""Semantic Scholar Graph API paper records (``/graph/v1/paper/...`` and the bulk datasets' shape).

Fields used: ``paperId``, ``externalIds`` (``ArXiv``, ``DOI``, ``CorpusId``, ``PubMed``, ``MAG``, …),
``title``, ``abstract``, ``year`` (else ``publicationDate``), ``venue`` (else ``journal.name``),
``authors[].name``, ``url`` and ``references``. A reference becomes ``arxiv:``/``doi:``/``s2:`` id when
it has one, else ``title:`` plus its title as written (the graph layer matches titles). ``citations``
lists papers citing this one; :class:`~citekg.model.Paper` has no place for them, so they are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citekg.model import Paper
from citekg.readers._json import read_json_papers
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, id_from_pairs, id_pairs, parse_year

__all__ = ["EXTERNAL_ID_SCHEMES", "paper_from_record", "read", "reference_id"]

# Semantic Scholar's externalIds keys → citekg id schemes.
EXTERNAL_ID_SCHEMES = {
    "CorpusId": "s2corpus",
    "PubMed": "pmid",
    "PubMedCentral": "pmcid",
    "MAG": "mag",
    "DBLP": "dblp",
    "ACL": "acl",
}


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of a Semantic Scholar JSON / JSON Lines file."""
    return read_json_papers(src, paper_from_record)


def _external(record: dict[str, Any]) -> dict[str, Any]:
    ext = record.get("externalIds")
    return ext if isinstance(ext, dict) else {}


def reference_id(ref: Any) -> str | None:
    """Return the id of one entry of a ``references`` list, or ``None`` if it names nothing.

    Examples:
        >>> reference_id({"paperId": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        ...               "externalIds": {"ArXiv": "1706.03762"}})
        'arxiv:1706.03762'
        >>> reference_id({"paperId": "df2b0e26d0599ce3e70df8a9da02e51594e0e992"})
        's2:df2b0e26d0599ce3e70df8a9da02e51594e0e992'
        >>> reference_id({"paperId": None, "title": "Long  Short-Term Memory"})
        'title:Long Short-Term Memory'
        >>> reference_id({"paperId": None}) is None
        True
    """
    if not isinstance(ref, dict):
        return None
    if isinstance(ref.get("citedPaper"), dict):  # the /references endpoint wraps each entry
        ref = ref["citedPaper"]
    ext = _external(ref)
    paper = ref.get("paperId")
    title = clean_text(ref.get("title"))
    ids = id_pairs(
        arxiv=str(ext.get("ArXiv") or "") or None,
        doi=str(ext.get("DOI") or "") or None,
        extra=[("s2", paper)],
    )
    if ids:
        return id_from_pairs(title, ids)
    return f"title:{title}" if title else None


def paper_from_record(record: dict[str, Any], source: str) -> Paper:
    """Convert one Semantic Scholar paper object.

    Raises:
        RecordError: The record has no title.
    """
    title = clean_text(record.get("title"))
    if not title:
        raise RecordError("record has no title")
    ext = _external(record)
    s2 = str(record.get("paperId") or "").strip() or None
    arxiv = str(ext.get("ArXiv") or "") or None
    doi = str(ext.get("DOI") or "") or None
    extra = [(scheme, ext.get(key)) for key, scheme in EXTERNAL_ID_SCHEMES.items()]
    if s2:
        extra.append(("s2", s2))
    authors = tuple(
        name
        for author in record.get("authors") or ()
        if isinstance(author, dict) and (name := clean_text(author.get("name")))
    )
    journal = record.get("journal")
    venue = clean_text(record.get("venue")) or (
        clean_text(journal.get("name")) if isinstance(journal, dict) else ""
    )
    references: list[str] = []
    for ref in record.get("references") or ():
        if (ref_id := reference_id(ref)) and ref_id not in references:
            references.append(ref_id)
    ids = id_pairs(arxiv=arxiv, doi=doi, extra=extra)
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(record.get("abstract")),
        authors=authors,
        year=parse_year(record.get("year")) or parse_year(record.get("publicationDate")),
        venue=venue or None,
        url=str(record.get("url") or "") or None,
        ids=ids,
        references=tuple(references),
        source=source,
    )
