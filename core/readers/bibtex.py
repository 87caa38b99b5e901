"""BibTeX files, parsed with bibtexparser 1.x; LaTeX in fields decoded with pylatexenc.

Fields used: ``title``, ``author`` (``Last, First and …``), ``year`` (else ``date``), ``journal`` or
``booktitle``, ``abstract``, ``doi``, ``eprint`` (an arXiv id when ``archivePrefix``/``eprinttype`` says
arXiv or it looks like one), ``url`` (an arxiv.org or doi.org URL gives the id), and Google Scholar's
``journal = {arXiv preprint arXiv:1706.03762}``. bibtexparser turns an entry it cannot parse into a
comment without a word and reports no line numbers, so entries are also located in the text
(``@type{key,`` at the start of a line); one located but not parsed is reported as a bad record.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterator
from typing import Any

from citekg.ids import ARXIV_ID_RE, normalize_arxiv_id, normalize_doi
from citekg.model import Paper
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, find_urls, id_from_pairs, id_pairs, parse_year, swap_name

__all__ = ["entry_lines", "paper_from_entry", "read", "split_bibtex_authors"]

_ENTRY_RE = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()]*)", re.MULTILINE)
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)


def entry_lines(text: str) -> list[tuple[int, str, str]]:
    """Return ``(line, type, key)`` for every entry that starts a line, in file order.

    Examples:
        >>> entry_lines("% refs\\n@article{he2016,\\n title={ResNet}}\\n@string{x = {y}}\\n  @Misc(k2,\\n}")
        [(2, 'article', 'he2016'), (5, 'misc', 'k2')]
    """
    found = []
    line, pos = 1, 0
    for match in _ENTRY_RE.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        start_line = line + text.count("\n", match.start(), match.start(1))
        kind = match.group(1).lower()
        if kind not in _NOT_ENTRIES:
            found.append((start_line, kind, match.group(2)))
    return found


def split_bibtex_authors(value: str) -> list[str]:
    """Split a BibTeX ``author`` field on ``and`` outside braces and write names ``First Last``.

    Examples:
        >>> split_bibtex_authors("He, Kaiming and Zhang, Xiangyu and {Microsoft Research and Friends}")
        ['Kaiming He', 'Xiangyu Zhang', '{Microsoft Research and Friends}']
        >>> split_bibtex_authors("Ashish Vaswani AND Noam Shazeer and others")
        ['Ashish Vaswani', 'Noam Shazeer']
    """
    names, depth, start = [], 0, 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and (match := _AND_RE.match(value, i)):
            names.append(value[start:i])
            start = i = match.end()
            continue
        i += 1
    names.append(value[start:])
    return [swap_name(" ".join(n.split())) for n in names if n.strip() and n.strip().lower() != "others"]


def _field(entry: dict[str, Any], *names: str) -> str:
    for name in names:
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _arxiv_id(entry: dict[str, Any]) -> str | None:
    eprint = _field(entry, "eprint", "arxivid", "arxiv")
    prefix = _field(entry, "archiveprefix", "eprinttype").lower()
    if eprint and (prefix in ("", "arxiv")) and (norm := normalize_arxiv_id(eprint)):
        return norm
    for name in ("journal", "url", "note", "howpublished"):
        value = _field(entry, name)
        if "arxiv" in value.lower() and (match := ARXIV_ID_RE.search(value.replace("arXiv:", " "))):
            return match.group("new") or match.group("old")
    return None


def paper_from_entry(entry: dict[str, Any], source: str) -> Paper:
    """Convert one parsed BibTeX entry.

    Raises:
        RecordError: The entry has no title.
    """
    title = clean_text(entry.get("title"), latex=True)
    if not title:
        raise RecordError(f"entry {entry.get('ID', '')!r} has no title")
    url = clean_text(_field(entry, "url"))
    doi = _field(entry, "doi") or (url if normalize_doi(url) and "doi.org" in url else "")
    ids = id_pairs(arxiv=_arxiv_id(entry), doi=doi or None)
    authors = tuple(
        name for raw in split_bibtex_authors(_field(entry, "author")) if (name := clean_text(raw, latex=True))
    )
    code = _field(entry, "code", "github", "software")
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(entry.get("abstract"), latex=True),
        authors=authors,
        year=parse_year(_field(entry, "year")) or parse_year(_field(entry, "date")),
        venue=clean_text(_field(entry, "journal", "booktitle", "journaltitle"), latex=True) or None,
        url=url or None,
        ids=ids,
        links=tuple(find_urls(code)),
        source=source,
    )


def _parse(text: str) -> list[dict[str, Any]]:
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    return list(bibtexparser.loads(text, parser=parser).entries)


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of a BibTeX file, each with the line its entry starts on."""
    text = src.text()
    try:
        entries = _parse(text)
    except Exception as exc:  # pyparsing/bibtexparser raise assorted errors on broken files
        raise src.error(f"not valid BibTeX: {exc}") from None
    parsed: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for entry in entries:
        parsed[(str(entry.get("ENTRYTYPE", "")).lower(), str(entry.get("ID", "")))].append(entry)
    located = entry_lines(text)
    if not located and not entries:
        raise src.error("no BibTeX entries found (expected '@article{key, ...}' and the like)")
    for line, kind, key in located:
        queue = parsed.get((kind, key))
        if not queue:
            what = f"@{kind}{{{key}" if key else f"@{kind}"
            src.invalid(
                f"BibTeX entry {what} could not be parsed (missing key, comma or closing brace?)", line
            )
            continue
        try:
            yield paper_from_entry(queue.popleft(), src.where(line))
        except RecordError as exc:
            src.invalid(str(exc), line)
    # Entries bibtexparser found that do not start a line (rare): read them without a line number.
    for queue in parsed.values():
        for entry in queue:
            try:
                yield paper_from_entry(entry, src.where(None))
            except RecordError as exc:
                src.invalid(str(exc), None)
