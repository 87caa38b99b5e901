"""Turn one :class:`~citekg.model.Extraction` into RDF triples: the pure, deterministic build stage.

What the graph holds for one paper (every node has an IRI from :mod:`citekg.ontology.iri`; no blank nodes):

- the paper: ``ckg:Paper`` with ``ckg:inCorpus true``, ``dcterms:identifier`` (its citekg id),
  ``ckg:arxivId``/``prism:doi``, ``dcterms:title``, ``dcterms:abstract`` (when non-empty),
  ``dcterms:creator`` per author plus ``ckg:authorList`` (the order), ``fabio:hasPublicationYear``
  (``xsd:gYear``), ``prism:publicationName`` (venue) and ``schema:url``;
- per mention, a ``ckg:Mention`` node carrying its provenance, the entity it names (typed by label,
  plus ``ckg:Entity``; ``skos:prefLabel``/``rdfs:label`` from the key, every surface form as
  ``skos:altLabel``) and the paper→entity edge ``ckg:mentions`` plus the role's subproperty
  (``ckg:proposes``, ``ckg:uses``, ``ckg:compares``);
- per link, a web resource node (``ckg:CodeRepository``, ``ckg:ProjectPage`` or only
  ``ckg:WebResource``) and ``ckg:hasLink`` plus ``ckg:hasCode``/``ckg:hasProjectPage``; links to
  arXiv or a DOI are citations instead;
- per reference (metadata ``paper.references`` and in-text ``extraction.references``) a
  ``cito:cites`` edge; a cited paper gets a ``ckg:Paper`` node with its id even when it is not in the
  input (an "external" paper, recognisable by the missing ``ckg:inCorpus``).

The output depends on the extraction alone, never on what else is in the graph, so building is
idempotent and order-independent. A label chosen "first seen" would break that; labels come from keys.

One generator decides WHICH triples a paper has; two term factories decide how terms are written:
rdflib terms (:func:`triples_for`, the transactional write path) and N-Triples text
(:func:`ntriples_for`, the bulk path of :mod:`citekg.graph.bulk`, several times faster because it builds
plain strings). Sharing the generator keeps the two paths from drifting apart.
Imports rdflib and citekg's model, ids and ontology only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from citekg.errors import CitekgWarning
from citekg.graph.citations import quoted_titles
from citekg.ids import normalize_arxiv_id, normalize_doi, normalize_title, title_id
from citekg.model import Extraction, Link, Mention, Paper
from citekg.ontology.iri import (
    citation_iri,
    entity_iri,
    link_iri,
    mention_iri,
    normalize_key,
    paper_iri,
    safe_iri,
)
from citekg.ontology.namespace import (
    CITEKG_NS,
    CITO,
    CKG,
    DCTERMS,
    FABIO,
    PRISM,
    RDF,
    SCHEMA,
    XSD,
)
from rdflib import Literal, URIRef
from rdflib.term import Node

__all__ = ["Triple", "identity_keys", "ntriples_for", "reference_ids", "sentence_span", "triples_for"]

Triple = tuple[Node, Node, Node]

ENTITY_CLASSES: dict[str, URIRef] = {
    "method": CKG.Method,
    "dataset": CKG.Dataset,
    "model": CKG.Model,
    "task": CKG.Task,
    "metric": CKG.Metric,
}
ROLE_PROPERTIES: dict[str, URIRef] = {
    "proposed": CKG.proposes,
    "used": CKG.uses,
    "compared": CKG.compares,
}
LINK_CLASSES: dict[str, tuple[URIRef, URIRef]] = {
    "code": (CKG.CodeRepository, CKG.hasCode),
    "project_page": (CKG.ProjectPage, CKG.hasProjectPage),
}


_TRUE = Literal(True)

# Building rdflib Literals dominates the cost of this stage; the short strings and offsets of mentions
# repeat a lot (fields, roles, extractor names, keys), so they are interned.
_literal = lru_cache(maxsize=1 << 16)(Literal)


@lru_cache(maxsize=1 << 14)
def _int_literal(value: int) -> Literal:
    return Literal(value)


def _double_text(value: float) -> str:
    # Oxigraph stores xsd:double in canonical form ("1", not "1.0"); writing the same lexical form
    # keeps graphs built here isomorphic to what the store gives back.
    text = repr(round(float(value), 4))
    return text[:-2] if text.endswith(".0") else text


def _canonical_double(value: float) -> Literal:
    return _literal(_double_text(value), datatype=XSD.double)


def _year_text(year: int) -> str:
    return f"{int(year):04d}"


class _Terms:
    """How one output writes terms: the vocabulary, IRIs and literals as rdflib terms or N-Triples text.

    Attributes named after vocabulary terms hold that term (``type``, ``Paper``, ``title`` …: one flat
    namespace, as the generator uses no two terms of the same local name).
    """

    def __init__(
        self,
        iri: Callable[[str], Any],
        text: Callable[[str], Any],
        short: Callable[[str], Any],
        integer: Callable[[int], Any],
        double: Callable[[float], Any],
        year: Callable[[int], Any],
        true: Any,
    ) -> None:
        self.iri, self.text, self.short, self.integer = iri, text, short, integer
        self.double, self.year, self.true = double, year, true
        for name in CKG.__annotations__:
            setattr(self, name, iri(str(getattr(CKG, name))))
        vocabulary = [
            (RDF, "type"),
            (DCTERMS, "abstract"),
            (DCTERMS, "creator"),
            (DCTERMS, "identifier"),
            (DCTERMS, "title"),
            (SCHEMA, "url"),
            (PRISM, "doi"),
            (PRISM, "publicationName"),
            (FABIO, "hasPublicationYear"),
            (CITO, "cites"),
        ]
        for namespace, name in vocabulary:
            setattr(self, name, iri(str(getattr(namespace, name))))
        self.entity_classes = {label: iri(str(cls)) for label, cls in ENTITY_CLASSES.items()}
        self.role_properties = {role: iri(str(prop)) for role, prop in ROLE_PROPERTIES.items()}
        self.link_classes = {
            kind: (iri(str(cls)), iri(str(edge))) for kind, (cls, edge) in LINK_CLASSES.items()
        }

    def __getattr__(self, name: str) -> Any:  # for type checkers: vocabulary attributes are dynamic
        raise AttributeError(name)


_RDF_TERMS = _Terms(
    URIRef,
    Literal,
    _literal,
    _int_literal,
    _canonical_double,
    lambda year: Literal(_year_text(year), datatype=XSD.gYear),
    _TRUE,
)

# N-Triples: only these four characters must be escaped in a string literal (STRING_LITERAL_QUOTE).
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_INTEGER = f"^^<{XSD.integer}>"
_XSD_DOUBLE = f"^^<{XSD.double}>"
_XSD_GYEAR = f"^^<{XSD.gYear}>"


def _nt_text(value: str) -> str:
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        value = value.translate(_NT_ESCAPES)
    return f'"{value}"'


_NT_TERMS = _Terms(
    lambda value: f"<{value}>",
    _nt_text,
    lru_cache(maxsize=1 << 16)(_nt_text),
    lru_cache(maxsize=1 << 14)(lambda value: f'"{int(value)}"{_XSD_INTEGER}'),
    lambda value: f'"{_double_text(value)}"{_XSD_DOUBLE}',
    lambda year: f'"{_year_text(year)}"{_XSD_GYEAR}',
    f'"true"^^<{XSD.boolean}>',
)


# Keys, entities and cited papers repeat across papers; their IRIs are memoised.
_normalize_key = lru_cache(maxsize=1 << 16)(normalize_key)
_entity_iri = lru_cache(maxsize=1 << 16)(entity_iri)
_paper_iri = lru_cache(maxsize=1 << 14)(paper_iri)

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_TITLE_HASH_RE = re.compile(r"[0-9a-f]{16}")


def triples_for(
    extraction: Extraction, *, base: str = CITEKG_NS, cited: Mapping[str, str] | None = None
) -> Iterator[Triple]:
    """Yield the triples of one extraction, each once, in a deterministic order.

    Entity labels (``skos:prefLabel``, ``rdfs:label``, ``skos:altLabel``) and inferred edges are not
    here: they depend on every paper that mentions the entity, so the store computes them after each
    write (:mod:`citekg.graph.resolve`). Use :func:`citekg.graph.store.build_graph` for a complete
    graph without a store on disk.

    Args:
        extraction: One paper with its mentions, links and references.
        base: Namespace of instance IRIs (the CLI's ``--base-iri``); vocabulary terms stay in
            :data:`~citekg.ontology.namespace.CITEKG_NS`.
        cited: Cited paper id → id of the paper in the graph it names (by a shared id or title; a
            paper's own ids map to themselves). A citation to a paper in the graph writes no external
            paper node; a title quoted in an abstract is cited only when it is in this mapping.

    Yields:
        ``(subject, predicate, object)`` rdflib terms; never a blank node.

    Examples:
        >>> from citekg.model import Extraction, Mention, Paper
        >>> paper = Paper(id="arxiv:1706.03762", title="Attention Is All You Need", year=2017)
        >>> m = Mention(paper.id, "method", "Transformer", 4, 15, "abstract", "transformer", "proposed")
        >>> triples = list(triples_for(Extraction(paper, mentions=(m,))))
        >>> len(triples) == len(set(triples))
        True
        >>> from citekg.ontology.namespace import CKG
        >>> [str(o) for s, p, o in triples if p == CKG.proposes]
        ['https://w3id.org/citekg/method/transformer']
        >>> sorted(str(o) for s, p, o in triples if p == CKG.surfaceForm)
        ['Transformer']
    """
    seen: set[Triple] = set()
    for triple in _iter_triples(_RDF_TERMS, extraction, base, cited or {}):
        if triple not in seen:
            seen.add(triple)
            yield triple


def ntriples_for(
    extraction: Extraction,
    *,
    base: str = CITEKG_NS,
    cited: Mapping[str, str] | None = None,
    entity_nodes: bool = True,
    unresolved: list[tuple[str, str | None, str, str, bool]] | None = None,
) -> list[str]:
    """Return the N-Triples lines (each ending in a newline) of :func:`triples_for`, in the same order.

    Plain string building, several times faster than rdflib terms: the bulk writer's hot path.

    Args:
        extraction: As for :func:`triples_for`.
        base: As for :func:`triples_for`.
        cited: As for :func:`triples_for`.
        entity_nodes: Also write each mentioned entity's ``rdf:type`` and ``ckg:key`` triples. The bulk
            writer leaves them out and writes every entity node once, after resolution.
        unresolved: If given, receives every reference (as from :func:`reference_ids`) whose cited id
            is not in ``cited``: written as an external paper node if certain, left out otherwise.

    Examples:
        >>> from citekg.model import Extraction, Paper
        >>> lines = ntriples_for(Extraction(Paper(id="arxiv:1706.03762", title='Say "hi"')))
        >>> [line.split(" ", 2)[2] for line in lines if "/title>" in line]
        ['"Say \\\\"hi\\\\"" .\\n']
    """
    triples = _iter_triples(_NT_TERMS, extraction, base, cited or {}, entity_nodes, unresolved)
    return list(dict.fromkeys(f"{s} {p} {o} .\n" for s, p, o in triples))


def identity_keys(paper: Paper) -> list[str]:
    """Return every id that names ``paper``: its own id, its external ids, and its title's ``title:`` id.

    Two records sharing any of these keys are the same paper (:mod:`citekg.graph.merge`). The title id
    is left out for titles of fewer than three words, which are too generic to identify a paper.

    Examples:
        >>> identity_keys(Paper(id="arxiv:1706.03762", title="Attention Is All You Need",
        ...                     ids=(("doi", "10.48550/arxiv.1706.03762"),)))
        ['arxiv:1706.03762', 'doi:10.48550/arxiv.1706.03762', 'title:37f63852cdfb0690']
        >>> identity_keys(Paper(id="s2:abc", title="Introduction"))
        ['s2:abc']
    """
    keys = [paper.id]
    for scheme, value in sorted(paper.ids):
        key = f"{scheme.lower()}:{value}"
        if key not in keys:
            keys.append(key)
    title_key = _title_key(paper.title)
    if title_key is not None and title_key not in keys:
        keys.append(title_key)
    return keys


@lru_cache(maxsize=1 << 14)  # a paper's keys are asked for several times in one write
def _title_key(title: str) -> str | None:
    return title_id(title) if len(normalize_title(title).split()) >= 3 else None


def reference_ids(extraction: Extraction) -> list[tuple[str, str | None, str, str, bool]]:
    """Return the papers ``extraction`` cites as ``(cited id, cited title, source, evidence, certain)``.

    Sources are ``metadata`` (``paper.references``), ``text-id`` (``extraction.references``),
    ``text-link`` (links to arXiv or DOI pages) and ``text-title`` (quoted titles). A title quoted in
    the paper's own title ("Reproducibility Study of "…"") is a citation for certain; one quoted in the
    abstract only when it names a paper in the graph (``certain`` is False: quoted phrases in abstracts
    are often names of ideas). Self-citations and unreadable references (warned about) are left out.

    Examples:
        >>> paper = Paper(id="arxiv:2", title='A Study of "Attention Is All You Need"',
        ...               abstract='We test the "Automatic Behavior Optimization" idea.',
        ...               references=("arXiv:1706.03762", "title:Deep Residual Learning"))
        >>> refs = reference_ids(Extraction(paper))
        >>> [(c, s, certain) for c, _, s, _, certain in refs]  # doctest: +NORMALIZE_WHITESPACE
        [('arxiv:1706.03762', 'metadata', True), ('title:37f63852cdfb0690', 'text-title', True),
         ('title:c0561da8c9321d4e', 'metadata', True), ('title:c71f4d5913b906bb', 'text-title', False)]
    """
    paper = extraction.paper
    found: dict[tuple[str, str, str], tuple[str | None, bool]] = {}
    sources = [(raw, "metadata") for raw in paper.references]
    sources += [(raw, "text-id") for raw in extraction.references]
    for raw, source in sources:
        ref = _reference_id(raw)
        if ref is None:
            warnings.warn(
                f"{paper.id}: reference {raw!r} is neither a scheme-prefixed id nor 'title:<title>'; skipped",
                CitekgWarning,
                stacklevel=4,
            )
        elif ref[0] != paper.id:
            found[(ref[0], source, raw.strip())] = (ref[1], True)
    for link in extraction.links:
        cited_id = _cited_by_link(link)
        if cited_id is not None and cited_id != paper.id:
            found[(cited_id, "text-link", link.url)] = (None, True)
    own = set(identity_keys(paper))  # cheap: the title key is memoised
    for text, certain in ((paper.abstract, False), (paper.title, True)):
        for quoted in quoted_titles(text):
            cited_id = title_id(quoted)
            if cited_id not in own:
                found[(cited_id, "text-title", quoted)] = (quoted, certain)
    return sorted(
        (
            (cited, title, source, evidence, certain)
            for (cited, source, evidence), (title, certain) in found.items()
        ),
        key=lambda r: (r[0], r[2], r[3]),
    )


def _iter_triples(
    t: _Terms,
    extraction: Extraction,
    base: str,
    cited: Mapping[str, str],
    entity_nodes: bool = True,
    unresolved: list[tuple[str, str | None, str, str, bool]] | None = None,
) -> Iterator[tuple[Any, Any, Any]]:
    paper = extraction.paper
    p = t.iri(paper_iri(paper.id, base))
    yield from _paper_id_triples(t, p, paper.id)
    yield p, t.inCorpus, t.true
    if paper.title:
        yield p, t.title, t.text(paper.title)
    if paper.abstract:
        yield p, t.abstract, t.text(paper.abstract)
    for key in identity_keys(paper)[1:]:
        scheme, _, value = key.partition(":")
        if scheme == "title":
            # The title's id: lets a title-only reference, or a quoted title, find this paper.
            yield p, t.identifier, t.short(key)
        else:
            yield from _external_id_triples(t, p, scheme, value)
    for name in paper.authors:
        yield p, t.creator, t.text(name)
    if paper.authors:
        yield p, t.authorList, t.text("; ".join(paper.authors))
    if paper.year is not None:
        yield p, t.hasPublicationYear, t.year(paper.year)
    if paper.venue:
        yield p, t.publicationName, t.text(paper.venue)
    if paper.url and (url := safe_iri(paper.url)):
        yield p, t.url, t.iri(url)
    if extraction.extractor_version and extraction.mentions:
        yield p, t.extractorVersion, t.short(extraction.extractor_version)

    texts = {"title": paper.title, "abstract": paper.abstract}
    for mention in sorted(extraction.mentions, key=_mention_order):
        yield from _mention_triples(
            t, p, paper.id, mention, extraction.extractor_version, base, texts, entity_nodes
        )

    for link in sorted(extraction.links, key=_link_order):
        if _cited_by_link(link) is None:
            yield from _link_triples(t, p, link, base)

    for reference in reference_ids(extraction):
        cited_id, cited_title, source, evidence, certain = reference
        if cited_id not in cited:
            if unresolved is not None:
                unresolved.append(reference)
            if not certain:
                continue
        target = cited.get(cited_id, cited_id)
        if target == paper.id:
            continue
        c = t.iri(_paper_iri(target, base))
        yield p, t.cites, c
        node = t.iri(citation_iri(paper.id, target, source, base))
        yield node, t.type, t.Citation
        yield node, t.sourcePaper, p
        yield node, t.targetPaper, c
        yield node, t.citationSource, t.short(source)
        yield node, t.evidenceText, t.text(evidence)
        if cited_id not in cited:
            yield from _paper_id_triples(t, c, cited_id)
            if cited_title:
                yield c, t.title, t.text(cited_title)


def _paper_id_triples(t: _Terms, p: Any, paper_id: str) -> Iterator[tuple[Any, Any, Any]]:
    # Shared by input and cited papers, so an external node and the later input record agree.
    yield p, t.type, t.Paper
    yield p, t.identifier, t.short(paper_id)
    scheme, _, value = paper_id.partition(":")
    yield from _external_id_triples(t, p, scheme, value)


def _external_id_triples(t: _Terms, p: Any, scheme: str, value: str) -> Iterator[tuple[Any, Any, Any]]:
    scheme = scheme.lower()
    if scheme == "arxiv":
        yield p, t.arxivId, t.short(value)
    elif scheme == "doi":
        yield p, t.doi, t.short(value)
    if scheme != "title":
        yield p, t.identifier, t.short(f"{scheme}:{value}")


def _mention_order(m: Mention) -> tuple[object, ...]:
    return (m.field, m.start, m.end, m.label, m.key, m.text, m.role, m.confidence, m.extractor)


def _link_order(link: Link) -> tuple[object, ...]:
    return (link.field, link.start, link.end, link.normalized, link.kind, link.url)


def _mention_triples(
    t: _Terms,
    p: Any,
    paper_id: str,
    m: Mention,
    extractor_version: str,
    base: str,
    texts: Mapping[str, str],
    entity_nodes: bool,
) -> Iterator[tuple[Any, Any, Any]]:
    key = m.key.strip() or m.text.strip()
    norm = _normalize_key(key)
    if not norm:
        warnings.warn(
            f"{paper_id}: mention {m.text!r} at {m.field}[{m.start}:{m.end}] has no usable key; skipped",
            CitekgWarning,
            stacklevel=4,
        )
        return
    label = m.label.lower()
    e = t.iri(_entity_iri(label, norm, base))
    if entity_nodes:
        yield e, t.type, t.entity_classes.get(label, t.Entity)
        yield e, t.type, t.Entity
        yield e, t.key, t.short(norm)

    mi = t.iri(mention_iri(paper_id, m.field, m.start, m.end, label, base))
    yield mi, t.type, t.Mention
    yield mi, t.mentionOf, e
    yield mi, t.inPaper, p
    yield mi, t.field, t.short(m.field)
    yield mi, t.start, t.integer(int(m.start))
    yield mi, t.end, t.integer(int(m.end))
    yield mi, t.surfaceForm, t.short(m.text)
    yield mi, t.role, t.short(m.role)
    yield mi, t.confidence, t.double(m.confidence)
    if m.extractor:
        yield mi, t.extractor, t.short(m.extractor)
    if extractor_version:
        yield mi, t.extractorVersion, t.short(extractor_version)
    yield mi, t.mentionKey, t.short(norm)
    surface = _normalize_key(m.text)
    if surface and surface != norm:
        yield mi, t.surfaceKey, t.short(surface)
    text = texts.get(m.field, "")
    if 0 <= m.start < m.end <= len(text):
        start, end = sentence_span(text, m.start, m.end)
        yield mi, t.sentence, t.text(text[start:end])

    yield p, t.mentions, e
    if (role_property := t.role_properties.get(m.role)) is not None:
        yield p, role_property, e


def _link_triples(t: _Terms, p: Any, link: Link, base: str) -> Iterator[tuple[Any, Any, Any]]:
    url = link.normalized or link.url
    try:
        node = t.iri(link_iri(url, link.kind, base))
    except ValueError:
        return
    cls, edge = t.link_classes.get(link.kind, (None, None))
    if cls is not None:
        yield node, t.type, cls
    yield node, t.type, t.WebResource
    if (iri := safe_iri(url)) is not None:
        yield node, t.url, t.iri(iri)
    if link.host:
        yield node, t.host, t.text(link.host)
    if link.repo:
        yield node, t.repoSlug, t.text(link.repo)
    yield node, t.linkKind, t.text(link.kind)
    yield p, t.hasLink, node
    if edge is not None:
        yield p, edge, node


def _cited_by_link(link: Link) -> str | None:
    """Return the paper id a ``paper``/``doi`` link points at, or ``None`` for an ordinary link."""
    if link.kind not in ("paper", "doi"):
        return None
    url = link.normalized or link.url
    if doi := normalize_doi(url):
        return f"doi:{doi}"
    if "arxiv.org" in link.host or "arxiv.org" in url.lower():
        if arxiv := normalize_arxiv_id(url):
            return f"arxiv:{arxiv}"
    return None


def _reference_id(raw: str) -> tuple[str, str | None] | None:
    """Return ``(paper id, title or None)`` for one reference string, ``None`` if it holds neither.

    ``title:`` followed by 16 hex digits is already a title id; ``title:`` followed by anything else is
    a raw cited title, hashed with :func:`citekg.ids.title_id`.
    """
    ref = raw.strip()
    scheme, sep, value = ref.partition(":")
    scheme_l, value = scheme.strip().lower(), value.strip()
    if sep and scheme_l == "title":
        if not value:
            return None
        if _TITLE_HASH_RE.fullmatch(value):
            return f"title:{value}", None
        return title_id(value), value
    if sep and scheme_l in ("arxiv", "doi", "http", "https") or not sep:
        if (scheme_l in ("doi", "http", "https") or not sep) and (doi := normalize_doi(ref)):
            return f"doi:{doi}", None
        if arxiv := normalize_arxiv_id(ref):
            return f"arxiv:{arxiv}", None
        return None
    if _SCHEME_RE.fullmatch(scheme_l) and value:
        return f"{scheme_l}:{value}", None
    return None


# A sentence ends at . ! or ? followed by space and a capital, digit, quote or bracket, unless the dot
# closes a common abbreviation.
_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bcf\.)(?<!\bFig\.)(?<!\bEq\.)"
    r"\s+(?=[A-Z0-9\"'(\[“])"
)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the offsets of the sentence of ``text`` that holds ``[start, end)``.

    A span that crosses a sentence boundary gets every sentence it touches.

    Examples:
        >>> text = "We use BERT, e.g. for QA. We test on GLUE. Done."
        >>> s, e = sentence_span(text, 37, 41)
        >>> text[s:e]
        'We test on GLUE.'
        >>> text[slice(*sentence_span(text, 7, 11))]
        'We use BERT, e.g. for QA.'
    """
    sentence_start, sentence_end = 0, len(text)
    for gap_start, gap_end in _sentence_gaps(text):
        if gap_end <= start:
            sentence_start = gap_end
        elif gap_start >= end:
            sentence_end = gap_start
            break
    return sentence_start, sentence_end


@lru_cache(maxsize=16)  # a paper's mentions ask for the sentences of the same two texts
def _sentence_gaps(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(match.span() for match in _SENTENCE_END_RE.finditer(text))
