"""arXiv API responses: an Atom ``<feed>`` of ``<entry>`` elements.

Fields used: ``id`` (``http://arxiv.org/abs/2401.01234v2``), ``title``, ``summary``, ``author/name``,
``published`` (the year), ``arxiv:doi``, ``arxiv:journal_ref`` (the venue), ``arxiv:comment`` (URLs in
it become links) and the ``alternate`` link (the URL). Parsed with expat directly so that each entry
knows its line and the file streams: only one entry is held in memory at a time. DTD entity
declarations are refused outright (entity-expansion attacks); arXiv never sends them.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from citekg.ids import normalize_arxiv_id
from citekg.model import Paper
from citekg.readers._source import RecordError, Source
from citekg.readers._text import clean_text, find_urls, id_from_pairs, id_pairs, parse_year

__all__ = ["ARXIV_NS", "ATOM_NS", "paper_from_entry", "read"]

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
_A = f"{{{ATOM_NS}}}"
_X = f"{{{ARXIV_NS}}}"


class _EntityDeclaredError(Exception):
    pass


def _text(entry: Element, tag: str) -> str:
    child = entry.find(tag)
    return "".join(child.itertext()) if child is not None else ""


def paper_from_entry(entry: Element, source: str) -> Paper:
    """Convert one ``<entry>`` element (tags in ElementTree's ``{namespace}name`` form).

    Raises:
        RecordError: The entry has no title, or is the API's error entry.
    """
    raw_id = _text(entry, f"{_A}id").strip()
    title = clean_text(_text(entry, f"{_A}title"), latex=True)
    if "/api/errors" in raw_id:
        raise RecordError(f"the arXiv API returned an error: {clean_text(_text(entry, f'{_A}summary'))}")
    if not title:
        raise RecordError("entry has no title")
    arxiv = normalize_arxiv_id(raw_id) if raw_id else None
    ids = id_pairs(arxiv=arxiv, doi=_text(entry, f"{_X}doi").strip() or None)
    url = None
    for link in entry.findall(f"{_A}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            url = link.get("href")
            break
    authors = tuple(
        name
        for author in entry.findall(f"{_A}author")
        if (name := clean_text(_text(author, f"{_A}name"), latex=True))
    )
    return Paper(
        id=id_from_pairs(title, ids),
        title=title,
        abstract=clean_text(_text(entry, f"{_A}summary"), latex=True),
        authors=authors,
        year=parse_year(_text(entry, f"{_A}published")) or parse_year(_text(entry, f"{_A}updated")),
        venue=clean_text(_text(entry, f"{_X}journal_ref"), latex=True) or "arXiv",
        url=url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        ids=ids,
        links=tuple(find_urls(_text(entry, f"{_X}comment"))),
        source=source,
    )


class _EntryCollector:
    """expat handlers that build one ``<entry>`` element at a time and note its line."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.root: str | None = None
        self.builder: TreeBuilder | None = None
        self.line = 0
        self.done: list[tuple[int, Element]] = []
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.EntityDeclHandler = self.refuse_entity
        parser.buffer_text = True

    @staticmethod
    def _tag(name: str) -> str:
        return "{" + name if "}" in name else name

    def start(self, name: str, attrs: dict[str, str]) -> None:
        full = self._tag(name)
        if self.depth == 0:
            self.root = full
            if full != f"{_A}feed":
                raise RecordError(f"not an Atom feed: the root element is <{full}>")
        if self.builder is None and self.depth == 1 and full == f"{_A}entry":
            self.builder = TreeBuilder()
            self.line = self.parser.CurrentLineNumber
        if self.builder is not None:
            self.builder.start(full, {self._tag(k): v for k, v in attrs.items()})
        self.depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.builder is not None:
            element = self.builder.end(self._tag(name))
            if self.depth == 1:
                self.done.append((self.line, element))
                self.builder = None

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def refuse_entity(self, *_: object) -> None:
        raise _EntityDeclaredError


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of an Atom feed, each with the line its ``<entry>`` starts on."""
    parser = expat.ParserCreate(namespace_separator="}")
    collector = _EntryCollector(parser)

    def feed(chunk: str, final: bool) -> None:
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code) if exc.code else str(exc)
            raise src.error(f"not valid XML: {reason} (column {exc.offset + 1})", exc.lineno) from None
        except _EntityDeclaredError:
            raise src.error("XML entity declarations are not allowed", parser.CurrentLineNumber) from None
        except RecordError as exc:
            raise src.error(str(exc), parser.CurrentLineNumber) from None

    for _, text in src.lines():
        feed(text + "\n", False)
        yield from _convert(src, collector.done)
    feed("", True)
    yield from _convert(src, collector.done)
    if collector.root is None:
        raise src.error("not an Atom feed: no XML elements")


def _convert(src: Source, done: list[tuple[int, Element]]) -> Iterator[Paper]:
    while done:
        line, element = done.pop(0)
        try:
            yield paper_from_entry(element, src.where(line))
        except RecordError as exc:
            src.invalid(str(exc), line)
