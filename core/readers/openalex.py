"""OpenAlex work records (``/works`` API results and the snapshot's JSON Lines).

Fields used: ``id`` (``https://openalex.org/W…``), ``doi`` (a URL), ``display_name``/``title``,
``abstract_inverted_index`` (OpenAlex ships abstracts only as word → positions; rebuilt here),
``publication_year``, ``authorships[].author.display_name``, ``primary_location.source.display_name``
(else ``host_venue``), ``ids`` (``mag``, ``pmid``, ``pmcid``), arXiv landing pages among ``locations``
(so arXiv preprints get their arXiv id), and ``referenced_works`` → ``openalex:W…``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citekg.ids import normalize_arxiv_id
from citekg.model import Paper
from citekg.readers._json import read_json_papers
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, id_from_pairs, id_pairs, parse_year

__all__ = ["openalex_key", "paper_from_record", "read", "rebuild_abstract"]

_OPENALEX_PREFIX = "https://openalex.org/"


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of an OpenAlex works file."""
    return read_json_papers(src, paper_from_record)


def rebuild_abstract(index: Any) -> str:
    """Rebuild an abstract from OpenAlex's ``abstract_inverted_index`` (word → positions).

    Examples:
        >>> rebuild_abstract({"is": [1], "Attention": [0], "need": [4], "all": [2], "you": [3]})
        'Attention is all you need'
        >>> rebuild_abstract({"a": [0, 2], "rose": [1, 3]})
        'a rose a rose'
        >>> rebuild_abstract(None)
        ''
    """
    if not isinstance(index, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            continue
        for pos in positions:
            if isinstance(pos, int) and not isinstance(pos, bool):
                placed.setdefault(pos, word)
    return " ".join(placed[pos] for pos in sorted(placed))


def openalex_key(value: Any) -> str | None:
    """Return the bare OpenAlex key (``W2963403868``) of an OpenAlex URL or key.

    Examples:
        >>> openalex_key("https://openalex.org/W2963403868")
        'W2963403868'
        >>> openalex_key("W42"), openalex_key(""), openalex_key(None)
        ('W42', None, None)
    """
    if not isinstance(value, str):
        return None
    key = value.strip().rstrip("/").rsplit("/", 1)[-1]
    return key or None


def _last_segment(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip("/")
    return text.rsplit("/", 1)[-1] or None


def _arxiv_from_locations(record: dict[str, Any]) -> str | None:
    for location in record.get("locations") or ():
        if isinstance(location, dict):
            url = location.get("landing_page_url") or location.get("pdf_url")
            if isinstance(url, str) and "arxiv.org/" in url and (norm := normalize_arxiv_id(url)):
                return norm
    return None


def _source_name(location: Any) -> str:
    if isinstance(location, dict) and isinstance(location.get("source"), dict):
        return clean_text(location["source"].get("display_name"))
    return ""


def paper_from_record(record: dict[str, Any], source: str) -> Paper:
    """Convert one OpenAlex work.

    Raises:
        RecordError: The record has no title.
    """
    title = clean_text(record.get("display_name") or record.get("title"))
    if not title:
        raise RecordError("record has no title")
    raw_ids = record.get("ids")
    extra_ids: dict[str, Any] = raw_ids if isinstance(raw_ids, dict) else {}
    key = openalex_key(record.get("id")) or openalex_key(extra_ids.get("openalex"))
    doi = record.get("doi") or extra_ids.get("doi")
    ids = id_pairs(
        arxiv=_arxiv_from_locations(record),
        doi=str(doi) if doi else None,
        extra=[
            ("openalex", key),
            ("mag", extra_ids.get("mag")),
            ("pmid", _last_segment(extra_ids.get("pmid"))),
            ("pmcid", _last_segment(extra_ids.get("pmcid"))),
        ],
    )
    authors = []
    for authorship in record.get("authorships") or ():
        if not isinstance(authorship, dict):
            continue
        author = authorship.get("author")
        name = clean_text(author.get("display_name")) if isinstance(author, dict) else ""
        if name := name or clean_text(authorship.get("raw_author_name")):
            authors.append(name)
    host = record.get("host_venue")
    venue = _source_name(record.get("primary_location")) or (
        clean_text(host.get("display_name")) if isinstance(host, dict) else ""
    )
    primary = record.get("primary_location")
    url = (primary.get("landing_page_url") if isinstance(primary, dict) else None) or doi or record.get("id")
    references = tuple(
        f"openalex:{ref_key}"
        for ref in record.get("referenced_works") or ()
        if (ref_key := openalex_key(ref))
    )
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(rebuild_abstract(record.get("abstract_inverted_index"))),
        authors=tuple(authors),
        year=parse_year(record.get("publication_year")) or parse_year(record.get("publication_date")),
        venue=venue or None,
        url=str(url) if url else None,
        ids=ids,
        references=tuple(dict.fromkeys(references)),
        source=source,
    )
