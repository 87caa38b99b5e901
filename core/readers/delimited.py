"""CSV and TSV files with a header row (spreadsheet exports, Papers with Code dumps, reading lists).

Columns are matched by name, case-insensitively, spaces and hyphens read as underscores; see
:data:`COLUMNS` for the names each field accepts. Only a title column is required. Quoted fields may
span lines in CSV; a record's line is the line it starts on. TSV is read as the IANA definition has
it, without quoting (titles such as ``"Why Should I Trust You?": …`` start with a quote), except that a
cell wholly wrapped in double quotes, as spreadsheet tools write them, is unwrapped.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator

from citekg.model import Paper
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, find_urls, id_from_pairs, id_pairs, parse_year, split_authors

__all__ = ["COLUMNS", "match_columns", "read_csv", "read_tsv"]

# Field → accepted header names (normalised: lower case, "_" for spaces and hyphens), best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title"),
    "abstract": ("abstract", "summary", "paper_abstract"),
    "authors": ("authors", "author", "author_names"),
    "year": ("year", "publication_year", "pub_year", "published", "publication_date", "date"),
    "doi": ("doi",),
    "arxiv": ("arxiv_id", "arxiv", "eprint", "arxivid"),
    "url": ("url", "paper_url", "link", "abs_url"),
    "venue": ("venue", "journal", "booktitle", "conference", "proceeding"),
    "links": ("code", "code_url", "github", "github_repo", "repo_url", "project_page", "project_url"),
}


def _norm(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def match_columns(header: list[str]) -> dict[str, list[int]]:
    """Map each field of :data:`COLUMNS` to the header positions that hold it.

    Examples:
        >>> match_columns(["Title", "Abstract", "Publication Year", "Code URL", "GitHub"])
        {'title': [0], 'abstract': [1], 'year': [2], 'links': [3, 4]}
        >>> match_columns(["name", "text"])
        {}
    """
    names = [_norm(h) for h in header]
    found: dict[str, list[int]] = {}
    for fld, aliases in COLUMNS.items():
        positions = [names.index(alias) for alias in aliases if alias in names]
        if positions:
            found[fld] = positions if fld == "links" else positions[:1]
    return found


def read_csv(src: Source) -> Iterator[Paper]:
    """Yield the papers of a comma-separated file."""
    return _read(src, ",")


def read_tsv(src: Source) -> Iterator[Paper]:
    """Yield the papers of a tab-separated file."""
    return _read(src, "\t")


def _read(src: Source, delimiter: str) -> Iterator[Paper]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    physical = (text + "\n" for _, text in src.lines())
    tsv = delimiter == "\t"
    if tsv:
        reader = csv.reader(physical, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(physical, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    columns: dict[str, list[int]] = {}
    last_line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # A broken quote swallows the rest of the file, so the reader cannot go on.
            raise src.error(f"not valid CSV: {exc}", last_line + 1) from None
        line, last_line = last_line + 1, reader.line_num
        if tsv:
            row = [_unquote(cell) for cell in row]
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = row
            columns = match_columns(row)
            if "title" not in columns:
                saw = ", ".join(h.strip() for h in row if h.strip()) or "(none)"
                raise src.error(
                    f"no title column in the header (saw: {saw}); expected one of: "
                    + ", ".join(COLUMNS["title"]),
                    line,
                )
            continue
        if len(row) > len(header):
            src.invalid(f"row has {len(row)} fields but the header has {len(header)}", line)
            continue
        try:
            yield _paper(row, columns, src.where(line))
        except RecordError as exc:
            src.invalid(str(exc), line)


def _unquote(cell: str) -> str:
    """Unwrap a TSV cell that a spreadsheet tool quoted.

    Examples:
        >>> _unquote('"Attention ""Is"" All You Need"')
        'Attention "Is" All You Need'
        >>> _unquote('"Why Should I Trust You?": Explaining')
        '"Why Should I Trust You?": Explaining'
    """
    if len(cell) >= 2 and cell[0] == cell[-1] == '"' and '"' not in cell[1:-1].replace('""', ""):
        return cell[1:-1].replace('""', '"')
    return cell


def _cell(row: list[str], columns: dict[str, list[int]], fld: str) -> str:
    for pos in columns.get(fld, ()):
        if pos < len(row) and row[pos].strip():
            return row[pos].strip()
    return ""


def _paper(row: list[str], columns: dict[str, list[int]], source: str) -> Paper:
    title = clean_text(_cell(row, columns, "title"))
    if not title:
        raise RecordError("record has no title")
    ids = id_pairs(arxiv=_cell(row, columns, "arxiv") or None, doi=_cell(row, columns, "doi") or None)
    links = [url for pos in columns.get("links", ()) if pos < len(row) for url in find_urls(row[pos])]
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(_cell(row, columns, "abstract")),
        authors=tuple(split_authors(_cell(row, columns, "authors"))),
        year=parse_year(_cell(row, columns, "year")),
        venue=clean_text(_cell(row, columns, "venue")) or None,
        url=_cell(row, columns, "url") or None,
        ids=ids,
        links=tuple(dict.fromkeys(links)),
        source=source,
    )
