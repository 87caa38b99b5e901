"""The data model that flows between citekg's stages: Paper → Extraction → graph.

Frozen dataclasses holding only strings, numbers and tuples, so records pickle cheaply between worker
processes and serialise to the extraction JSONL contract (DESIGN §3). Standard library only: this module
must not import spaCy, rdflib or anything else heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "Extraction",
    "Link",
    "LinkKind",
    "Mention",
    "MentionKind",
    "Paper",
    "Role",
]


class MentionKind(StrEnum):
    """The entity types citekg extracts from titles and abstracts."""

    METHOD = "method"
    DATASET = "dataset"
    MODEL = "model"
    TASK = "task"
    METRIC = "metric"


class Role(StrEnum):
    """What a paper does with an entity it mentions."""

    PROPOSED = "proposed"
    USED = "used"
    COMPARED = "compared"
    MENTIONED = "mentioned"


class LinkKind(StrEnum):
    """What a URL in a paper points at."""

    CODE = "code"
    PROJECT_PAGE = "project_page"
    DATASET = "dataset"
    MODEL_HUB = "model_hub"
    PAPER = "paper"
    DOI = "doi"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from an input file.

    Attributes:
        id: Stable scheme-prefixed id: ``arxiv:2401.01234``, ``doi:10.1234/x``, ``s2:<sha>``,
            ``openalex:W123``, else ``title:<hash>`` (see :mod:`citekg.ids`).
        title: Plain-text title (HTML entities and LaTeX already decoded by the reader).
        abstract: Plain-text abstract, empty when the source has none.
        authors: Author names in source order.
        year: Publication year when known.
        venue: Journal, conference or archive name when known.
        url: Landing page of the paper when known.
        ids: Every external id the source gives, by scheme (``arxiv``, ``doi``, ``s2``, ``openalex``,
            ``pmid``, …), values normalised as in :mod:`citekg.ids`.
        references: Papers this one cites according to the metadata: scheme-prefixed ids where the
            source gives them, else ``title:`` followed by the cited title as written.
        links: URLs the metadata itself carries (a ``githubRepo`` or ``projectPage`` field), as written.
        source: Where the record came from, as ``<file>:<line>``.
    """

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    ids: tuple[tuple[str, str], ...] = ()
    references: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys (``ids`` as an object)."""
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "authors": list(self.authors),
            "year": self.year,
            "venue": self.venue,
            "url": self.url,
            "ids": dict(self.ids),
            "references": list(self.references),
            "links": list(self.links),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        return cls(
            id=data["id"],
            title=data.get("title") or "",
            abstract=data.get("abstract") or "",
            authors=tuple(data.get("authors") or ()),
            year=data.get("year"),
            venue=data.get("venue"),
            url=data.get("url"),
            ids=tuple(sorted((data.get("ids") or {}).items())),
            references=tuple(data.get("references") or ()),
            links=tuple(data.get("links") or ()),
            source=data.get("source") or "",
        )


@dataclass(frozen=True, slots=True)
class Mention:
    """One span of a paper's title or abstract that names an entity.

    ``start``/``end`` are character offsets into the field named by ``field``; ``key`` is the canonical
    entity key that mentions of the same thing share.
    """

    paper_id: str
    label: str
    text: str
    start: int
    end: int
    field: str
    key: str
    role: str = Role.USED.value
    confidence: float = 1.0
    extractor: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's mention object (``paper_id`` is implied by the enclosing record)."""
        return {
            "text": self.text,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "field": self.field,
            "key": self.key,
            "role": self.role,
            "confidence": round(self.confidence, 4),
            "extractor": self.extractor,
        }

    @classmethod
    def from_dict(cls, paper_id: str, data: dict[str, Any]) -> Mention:
        """Inverse of :meth:`to_dict`."""
        return cls(
            paper_id=paper_id,
            label=data["label"],
            text=data["text"],
            start=int(data["start"]),
            end=int(data["end"]),
            field=data["field"],
            key=data["key"],
            role=data.get("role", Role.USED.value),
            confidence=float(data.get("confidence", 1.0)),
            extractor=data.get("extractor", ""),
        )


@dataclass(frozen=True, slots=True)
class Link:
    """One URL found in a paper (in its text or its metadata).

    Attributes:
        url: The URL as written, trailing punctuation removed.
        normalized: Canonical form: ``https://``, lower-case host, no ``www.``, no trailing slash or
            ``.git``; for code hosts the repository root (``https://github.com/owner/name``).
        kind: A :class:`LinkKind` value.
        host: Lower-case host name without ``www.``.
        repo: ``owner/name`` for code hosts (GitHub, GitLab, Bitbucket), ``owner/name`` for Hugging
            Face models, datasets and spaces; else ``None``.
        start: Offset in ``field``; ``-1`` for links that come from metadata.
        end: End offset in ``field``; ``-1`` for metadata links.
        field: ``title``, ``abstract`` or ``metadata``.
    """

    url: str
    normalized: str
    kind: str
    host: str
    repo: str | None = None
    start: int = -1
    end: int = -1
    field: str = "abstract"

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's link object."""
        return {
            "url": self.url,
            "normalized": self.normalized,
            "kind": self.kind,
            "host": self.host,
            "repo": self.repo,
            "start": self.start,
            "end": self.end,
            "field": self.field,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Link:
        """Inverse of :meth:`to_dict`."""
        return cls(
            url=data["url"],
            normalized=data["normalized"],
            kind=data["kind"],
            host=data.get("host", ""),
            repo=data.get("repo"),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            field=data.get("field", "abstract"),
        )


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one paper: the unit between ``citekg extract`` and ``citekg build``.

    ``references`` are the scheme-prefixed ids of other papers named in the text itself (arXiv ids,
    DOIs), kept apart from ``paper.references``, which come from metadata.
    """

    paper: Paper
    mentions: tuple[Mention, ...] = ()
    links: tuple[Link, ...] = ()
    references: tuple[str, ...] = ()
    extractor_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return one JSONL record of the extraction contract, lists in a stable order.

        The contract's keys are ``id``, ``title``, ``mentions``, ``links`` and ``references``; ``paper``
        (the full record) and ``extractor_version`` are additive, so ``citekg build`` can read an
        extraction file without the original input.
        """
        return {
            "id": self.paper.id,
            "title": self.paper.title,
            "mentions": [
                m.to_dict()
                for m in sorted(self.mentions, key=lambda m: (m.field, m.start, m.end, m.label, m.key))
            ],
            "links": [
                link.to_dict()
                for link in sorted(self.links, key=lambda lk: (lk.field, lk.start, lk.normalized))
            ],
            "references": sorted(set(self.references)),
            "paper": self.paper.to_dict(),
            "extractor_version": self.extractor_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        """Inverse of :meth:`to_dict`; a record without ``paper`` gets one from ``id`` and ``title``."""
        paper = Paper.from_dict(data.get("paper") or {"id": data["id"], "title": data.get("title", "")})
        return cls(
            paper=paper,
            mentions=tuple(Mention.from_dict(paper.id, m) for m in data.get("mentions", ())),
            links=tuple(Link.from_dict(lk) for lk in data.get("links", ())),
            references=tuple(data.get("references", ())),
            extractor_version=data.get("extractor_version", ""),
        )
