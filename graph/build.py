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
Imports rdflib and citekg's model, ids and ontology only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import lru_cache
from types import SimpleNamespace

from citekg.errors import CitekgWarning
from citekg.ids import normalize_arxiv_id, normalize_doi, title_id
from citekg.model import Extraction, Link, Mention
from citekg.ontology.iri import entity_iri, link_iri, mention_iri, normalize_key, paper_iri, safe_iri
from citekg.ontology.namespace import (
    CITEKG_NS,
    CITO,
    CKG,
    DCTERMS,
    FABIO,
    PRISM,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from rdflib import Literal, URIRef
from rdflib.term import Node

__all__ = ["Triple", "triples_for"]

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


def _resolve(namespace: object, *names: str) -> SimpleNamespace:
    """Resolve namespace terms once: rdflib builds a new URIRef on every attribute access."""
    return SimpleNamespace(**{name: URIRef(getattr(namespace, name)) for name in names})


_ckg = _resolve(CKG, *CKG.__annotations__)
_dc = _resolve(DCTERMS, "abstract", "creator", "identifier", "title")
_rdf = _resolve(RDF, "type")
_rdfs = _resolve(RDFS, "label")
_skos = _resolve(SKOS, "altLabel", "prefLabel")
_schema = _resolve(SCHEMA, "url")
_prism = _resolve(PRISM, "doi", "publicationName")
_fabio = _resolve(FABIO, "hasPublicationYear")
_cito = _resolve(CITO, "cites")

_TRUE = Literal(True)

# Building rdflib Literals dominates the cost of this stage; the short strings and offsets of mentions
# repeat a lot (fields, roles, extractor names, keys), so they are interned.
_literal = lru_cache(maxsize=1 << 16)(Literal)


@lru_cache(maxsize=1 << 14)
def _int_literal(value: int) -> Literal:
    return Literal(value)


_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_TITLE_HASH_RE = re.compile(r"[0-9a-f]{16}")


def triples_for(extraction: Extraction, *, base: str = CITEKG_NS) -> Iterator[Triple]:
    """Yield the triples of one extraction, each once, in a deterministic order.

    Args:
        extraction: One paper with its mentions, links and references.
        base: Namespace of instance IRIs (the CLI's ``--base-iri``); vocabulary terms stay in
            :data:`~citekg.ontology.namespace.CITEKG_NS`.

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
    for triple in _iter_triples(extraction, base):
        if triple not in seen:
            seen.add(triple)
            yield triple


def _iter_triples(extraction: Extraction, base: str) -> Iterator[Triple]:
    paper = extraction.paper
    p = URIRef(paper_iri(paper.id, base))
    yield from _paper_id_triples(p, paper.id)
    yield p, _ckg.inCorpus, _TRUE
    if paper.title:
        yield p, _dc.title, Literal(paper.title)
    if paper.abstract:
        yield p, _dc.abstract, Literal(paper.abstract)
    for scheme, value in sorted(paper.ids):
        yield from _external_id_triples(p, scheme, value)
    for name in paper.authors:
        yield p, _dc.creator, Literal(name)
    if paper.authors:
        yield p, _ckg.authorList, Literal("; ".join(paper.authors))
    if paper.year is not None:
        yield p, _fabio.hasPublicationYear, Literal(f"{int(paper.year):04d}", datatype=XSD.gYear)
    if paper.venue:
        yield p, _prism.publicationName, Literal(paper.venue)
    if paper.url and (url := safe_iri(paper.url)):
        yield p, _schema.url, URIRef(url)

    for mention in sorted(extraction.mentions, key=_mention_order):
        yield from _mention_triples(p, paper.id, mention, extraction.extractor_version, base)

    for link in sorted(extraction.links, key=_link_order):
        cited = _cited_by_link(link)
        if cited is not None:
            if cited != paper.id:
                yield from _citation_triples(p, cited, None, base)
            continue
        yield from _link_triples(p, link, base)

    references: set[tuple[str, str | None]] = set()
    for raw in (*paper.references, *extraction.references):
        ref = _reference_id(raw)
        if ref is None:
            warnings.warn(
                f"{paper.id}: reference {raw!r} is neither a scheme-prefixed id nor 'title:<title>'; skipped",
                CitekgWarning,
                stacklevel=3,
            )
        elif ref[0] != paper.id:
            references.add(ref)
    for cited_id, cited_title in sorted(references, key=lambda r: (r[0], r[1] or "")):
        yield from _citation_triples(p, cited_id, cited_title, base)


def _paper_id_triples(p: URIRef, paper_id: str) -> Iterator[Triple]:
    # Shared by input and cited papers, so an external node and the later input record agree.
    yield p, _rdf.type, _ckg.Paper
    yield p, _dc.identifier, _literal(paper_id)
    scheme, _, value = paper_id.partition(":")
    yield from _external_id_triples(p, scheme, value)


def _external_id_triples(p: URIRef, scheme: str, value: str) -> Iterator[Triple]:
    scheme = scheme.lower()
    if scheme == "arxiv":
        yield p, _ckg.arxivId, _literal(value)
    elif scheme == "doi":
        yield p, _prism.doi, _literal(value)
    if scheme != "title":
        yield p, _dc.identifier, _literal(f"{scheme}:{value}")


def _mention_order(m: Mention) -> tuple[object, ...]:
    return (m.field, m.start, m.end, m.label, m.key, m.text, m.role, m.confidence, m.extractor)


def _link_order(link: Link) -> tuple[object, ...]:
    return (link.field, link.start, link.end, link.normalized, link.kind, link.url)


def _canonical_double(value: float) -> Literal:
    # Oxigraph stores xsd:double in canonical form ("1", not "1.0"); writing the same lexical form
    # keeps graphs built here isomorphic to what the store gives back.
    text = repr(round(float(value), 4))
    if text.endswith(".0"):
        text = text[:-2]
    return _literal(text, datatype=XSD.double)


def _mention_triples(
    p: URIRef, paper_id: str, m: Mention, extractor_version: str, base: str
) -> Iterator[Triple]:
    key = m.key.strip() or m.text.strip()
    norm = normalize_key(key)
    if not norm:
        warnings.warn(
            f"{paper_id}: mention {m.text!r} at {m.field}[{m.start}:{m.end}] has no usable key; skipped",
            CitekgWarning,
            stacklevel=4,
        )
        return
    label = m.label.lower()
    e = URIRef(entity_iri(label, key, base))
    yield e, _rdf.type, ENTITY_CLASSES.get(label, _ckg.Entity)
    yield e, _rdf.type, _ckg.Entity
    yield e, _ckg.key, _literal(norm)
    yield e, _skos.prefLabel, _literal(key)
    yield e, _rdfs.label, _literal(key)
    if m.text:
        yield e, _skos.altLabel, _literal(m.text)

    mi = URIRef(mention_iri(paper_id, m.field, m.start, m.end, label, base))
    yield mi, _rdf.type, _ckg.Mention
    yield mi, _ckg.mentionOf, e
    yield mi, _ckg.inPaper, p
    yield mi, _ckg.field, _literal(m.field)
    yield mi, _ckg.start, _int_literal(int(m.start))
    yield mi, _ckg.end, _int_literal(int(m.end))
    yield mi, _ckg.surfaceForm, _literal(m.text)
    yield mi, _ckg.role, _literal(m.role)
    yield mi, _ckg.confidence, _canonical_double(m.confidence)
    if m.extractor:
        yield mi, _ckg.extractor, _literal(m.extractor)
    if extractor_version:
        yield mi, _ckg.extractorVersion, _literal(extractor_version)

    yield p, _ckg.mentions, e
    if (role_property := ROLE_PROPERTIES.get(m.role)) is not None:
        yield p, role_property, e


def _link_triples(p: URIRef, link: Link, base: str) -> Iterator[Triple]:
    url = link.normalized or link.url
    try:
        node = URIRef(link_iri(url, link.kind, base))
    except ValueError:
        return
    cls, edge = LINK_CLASSES.get(link.kind, (None, None))
    if cls is not None:
        yield node, _rdf.type, cls
    yield node, _rdf.type, _ckg.WebResource
    if (iri := safe_iri(url)) is not None:
        yield node, _schema.url, URIRef(iri)
    if link.host:
        yield node, _ckg.host, Literal(link.host)
    if link.repo:
        yield node, _ckg.repoSlug, Literal(link.repo)
    yield node, _ckg.linkKind, Literal(link.kind)
    yield p, _ckg.hasLink, node
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


def _citation_triples(p: URIRef, cited_id: str, cited_title: str | None, base: str) -> Iterator[Triple]:
    c = URIRef(paper_iri(cited_id, base))
    yield p, _cito.cites, c
    yield from _paper_id_triples(c, cited_id)
    if cited_title:
        yield c, _dc.title, Literal(cited_title)
