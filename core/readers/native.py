"""citekg's own JSON Lines: papers as :meth:`Paper.to_dict` writes them, and extraction records.

The paper format is what the bundled sample corpus uses, so it is read strictly: ``id`` must already
be scheme-prefixed and each field must have its documented type. Extraction records (the contract of
``citekg extract``, DESIGN §3) are read with :meth:`Extraction.from_dict`, so ``citekg build`` can skip
the NLP stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citekg.model import Extraction, Paper
from citekg.readers._json import iter_records, read_json_papers
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, parse_year

__all__ = [
    "extraction_from_record",
    "paper_from_record",
    "read",
    "read_extraction_papers",
    "read_extractions",
]

_LIST_FIELDS = ("authors", "references", "links")


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of a citekg paper JSON Lines file."""
    return read_json_papers(src, paper_from_record)


def _check_types(record: dict[str, Any]) -> None:
    for key in _LIST_FIELDS:
        value = record.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise RecordError(f"field {key!r} must be a list of strings")
    ids = record.get("ids")
    if ids is not None and not (isinstance(ids, dict) and all(isinstance(v, str) for v in ids.values())):
        raise RecordError("field 'ids' must be an object of strings")
    for key in ("abstract", "venue", "url"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise RecordError(f"field {key!r} must be a string")


def paper_from_record(record: dict[str, Any], source: str) -> Paper:
    """Convert one :meth:`Paper.to_dict` record, checking its shape.

    Raises:
        RecordError: No scheme-prefixed ``id``, no title, or a field of the wrong type.
    """
    paper_id = record.get("id")
    if not isinstance(paper_id, str) or ":" not in paper_id.strip(":"):
        raise RecordError(f"record has no scheme-prefixed id (such as 'arxiv:1706.03762'): {paper_id!r}")
    title = clean_text(record.get("title"))
    if not title:
        raise RecordError("record has no title")
    _check_types(record)
    year = record.get("year")
    if year is not None and not isinstance(year, int):
        parsed = parse_year(year)
        if parsed is None:
            raise RecordError(f"field 'year' must be an integer, not {year!r}")
        year = parsed
    paper = Paper.from_dict(record)
    return Paper(
        id=paper_id.strip(),
        title=title,
        abstract=clean_text(paper.abstract),
        authors=paper.authors,
        year=year,
        venue=paper.venue or None,
        url=paper.url or None,
        ids=paper.ids,
        references=paper.references,
        links=paper.links,
        source=source,
    )


def _strings(where: str, values: dict[str, Any], optional: tuple[str, ...] = ()) -> None:
    for name, value in values.items():
        if not (isinstance(value, str) or (value is None and name in optional)):
            raise RecordError(f"{where} field {name!r} must be a string, not {value!r}")


def _check_extraction(extraction: Extraction) -> None:
    """Raise RecordError for a value of the wrong type, which would otherwise fail deep in the build."""
    paper = extraction.paper
    _strings(
        "paper",
        {
            "id": paper.id,
            "title": paper.title,
            "abstract": paper.abstract,
            "source": paper.source,
            "venue": paper.venue,
            "url": paper.url,
        },
        optional=("venue", "url"),
    )
    if paper.year is not None and (not isinstance(paper.year, int) or isinstance(paper.year, bool)):
        raise RecordError(f"paper field 'year' must be an integer, not {paper.year!r}")
    for name, values in (
        ("authors", paper.authors),
        ("references", (*paper.references, *extraction.references)),
        ("links", paper.links),
        ("ids", (v for _, v in paper.ids)),
    ):
        if not all(isinstance(v, str) for v in values):
            raise RecordError(f"field {name!r} must hold strings only")
    _strings("record", {"extractor_version": extraction.extractor_version})
    for index, m in enumerate(extraction.mentions, 1):
        _strings(
            f"mention {index}",
            {
                "text": m.text,
                "label": m.label,
                "field": m.field,
                "key": m.key,
                "role": m.role,
                "extractor": m.extractor,
            },
        )
    for index, link in enumerate(extraction.links, 1):
        _strings(
            f"link {index}",
            {
                "url": link.url,
                "normalized": link.normalized,
                "kind": link.kind,
                "host": link.host,
                "field": link.field,
                "repo": link.repo,
            },
            optional=("repo",),
        )


def extraction_from_record(record: dict[str, Any], source: str) -> Extraction:
    """Convert one extraction record; its paper keeps the ``source`` it was extracted from.

    Raises:
        RecordError: A required key is missing or a value has the wrong type.
    """
    if not isinstance(record.get("id"), str) or not record["id"]:
        raise RecordError("extraction record has no 'id'")
    try:
        extraction = Extraction.from_dict(record)
    except KeyError as exc:
        raise RecordError(f"extraction record is missing key {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise RecordError(f"extraction record is malformed: {exc}") from None
    _check_extraction(extraction)
    if not extraction.paper.source:
        paper = Paper.from_dict({**extraction.paper.to_dict(), "source": source})
        extraction = Extraction(
            paper, extraction.mentions, extraction.links, extraction.references, extraction.extractor_version
        )
    return extraction


def read_extractions(src: Source) -> Iterator[Extraction]:
    """Yield the extraction records of an extraction JSON Lines file."""
    for line, record in iter_records(src):
        if not isinstance(record, dict):
            src.invalid("record is not a JSON object", line)
            continue
        try:
            yield extraction_from_record(record, src.where(line))
        except RecordError as exc:
            src.invalid(str(exc), line)


def read_extraction_papers(src: Source) -> Iterator[Paper]:
    """Yield the paper of each extraction record (the ``extractions`` format of :func:`read_papers`)."""
    for extraction in read_extractions(src):
        yield extraction.paper
