"""Python mirror of the citekg vocabulary and the other namespaces citekg writes.

``CKG`` follows rdflib's own vocabulary modules (``rdflib.namespace._DCTERMS``): one annotated attribute
per term of ``ontology/citekg.ttl``, with ``_fail = True`` so a misspelt term is an ``AttributeError``
instead of a silently wrong IRI. ``tests/ontology/test_namespace_sync.py`` keeps it equal to the TTL.
Imports rdflib only.
"""

# RDF properties are lowerCamel by convention (STYLE §4.11), so their mirrors are too.
# ruff: noqa: N815

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

__all__ = [
    "CITEKG_NS",
    "CITO",
    "CKG",
    "DCTERMS",
    "FABIO",
    "PREFIXES",
    "PRISM",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "XSD",
]

#: The citekg vocabulary namespace; also the default base of instance IRIs (see :mod:`citekg.ontology.iri`).
CITEKG_NS = "https://w3id.org/citekg/"

#: CiTO, the Citation Typing Ontology (``cito:cites``).
CITO = Namespace("http://purl.org/spar/cito/")
#: FaBiO, the FRBR-aligned Bibliographic Ontology (``fabio:hasPublicationYear``).
FABIO = Namespace("http://purl.org/spar/fabio/")
#: PRISM basic metadata (``prism:doi``, ``prism:publicationName``), as used alongside FaBiO.
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
#: schema.org, in its https form (rdflib's ``SDO``).
SCHEMA = SDO


class CKG(DefinedNamespace):
    """The citekg vocabulary, mirrored from ``ontology/citekg.ttl``.

    Examples:
        >>> str(CKG.Paper)
        'https://w3id.org/citekg/Paper'
        >>> CKG.Papr
        Traceback (most recent call last):
        ...
        AttributeError: term 'Papr' not in namespace 'https://w3id.org/citekg/'
    """

    _NS = Namespace(CITEKG_NS)
    _fail = True

    # Classes
    Paper: URIRef  # A research paper, read from the input or only cited by one that was.
    Entity: URIRef  # Something papers name and reuse: a method, dataset, model, task or metric.
    Method: URIRef  # A technique, algorithm or architecture.
    Dataset: URIRef  # A dataset, corpus or benchmark.
    Model: URIRef  # A specific trained or released model.
    Task: URIRef  # A problem that papers address.
    Metric: URIRef  # An evaluation measure.
    WebResource: URIRef  # A web resource a paper links to (other links carry only this class).
    CodeRepository: URIRef  # A source code repository on a code host.
    ProjectPage: URIRef  # A web page presenting one paper's project.
    Mention: URIRef  # One span of a title or abstract naming an entity: the evidence of an edge.
    Citation: URIRef  # The evidence of one cito:cites edge from one source.
    BuildsOnEvidence: URIRef  # Why one ckg:buildsOn edge was inferred: paper pair, entity, confidence.

    # Paper to paper edges and their evidence (cito:cites is reused for asserted citations)
    buildsOn: URIRef  # Inferred: the subject uses an entity the object proposes. Never cito:cites.
    sourcePaper: URIRef  # The citing (or building) paper of a Citation or BuildsOnEvidence.
    targetPaper: URIRef  # The cited (or proposing) paper of a Citation or BuildsOnEvidence.
    citationSource: URIRef  # metadata, text-id, text-link or text-title.
    evidenceText: URIRef  # The reference as written: id, URL or quoted title.
    viaEntity: URIRef  # The entity one paper proposes and the other uses.

    # Paper to entity edges (ckg:mentions is written next to each role-specific edge)
    mentions: URIRef  # The paper names the entity, in any role.
    proposes: URIRef  # The paper introduces the entity.
    uses: URIRef  # The paper uses the entity.
    compares: URIRef  # The paper compares against the entity.

    # Paper to web resource edges (ckg:hasLink is written next to hasCode and hasProjectPage)
    hasLink: URIRef  # The paper links to the web resource.
    hasCode: URIRef  # The paper links to a code repository.
    hasProjectPage: URIRef  # The paper links to its project page.

    # Mention provenance
    mentionOf: URIRef  # The entity the mention names.
    inPaper: URIRef  # The paper whose text holds the mention.
    field: URIRef  # The field the offsets point into: title or abstract.
    start: URIRef  # Character offset where the mention starts.
    end: URIRef  # Character offset just past the mention's end.
    surfaceForm: URIRef  # The mention's text as written.
    role: URIRef  # proposed, used, compared or mentioned.
    confidence: URIRef  # The extractor's confidence, between 0 and 1.
    extractor: URIRef  # Name of the extractor component that found the mention.
    extractorVersion: URIRef  # Version of the extraction pipeline (on mentions and papers).
    sentence: URIRef  # The sentence holding the mention.
    mentionKey: URIRef  # The normalised key extraction gave the mention.
    surfaceKey: URIRef  # The normalised surface form, when it differs from the mention key.

    # Paper metadata without a standard term
    arxivId: URIRef  # arXiv identifier without version.
    inCorpus: URIRef  # True for papers read from the input.
    authorList: URIRef  # Author names in source order, joined by '; '.

    # Entity and web resource details
    key: URIRef  # The normalised canonical key the entity IRI is minted from.
    aliasKey: URIRef  # Another key resolution merged into this entity.
    repoSlug: URIRef  # owner/name of a repository or Hugging Face item.
    host: URIRef  # Lower-case host name, without www.
    linkKind: URIRef  # code, project_page, dataset, model_hub, paper, doi or other.

    # Precomputed views (the named graph <https://w3id.org/citekg/graph/views>; citekg.graph.views)
    ViewSummary: URIRef  # The node with the graph-wide counts.
    Ranking: URIRef  # A precomputed ranking of entities or entity pairs.
    RankedItem: URIRef  # One row of a ranking.
    PaperPage: URIRef  # A page of up to 100 input papers.
    paperCount: URIRef  # Papers mentioning an entity; on the summary, all papers.
    proposingPaperCount: URIRef  # Papers proposing an entity.
    usingPaperCount: URIRef  # Papers using an entity.
    comparingPaperCount: URIRef  # Papers comparing against an entity.
    corpusPaperCount: URIRef  # Papers read from the input.
    citationCount: URIRef  # cito:cites edges.
    corpusCitationCount: URIRef  # cito:cites edges between input papers.
    codePaperCount: URIRef  # Papers linking to code.
    entityCount: URIRef  # Entities (of a ranking's type).
    pageCount: URIRef  # Paper pages.
    rankingThreshold: URIRef  # Papers from which an entity has stored pair rankings.
    countedAtRequest: URIRef  # True on entities without stored pair rankings.
    viewsStale: URIRef  # True while the views may lag behind the data.
    topEntitiesOf: URIRef  # The class a ranking ranks (ckg:Entity: all).
    cooccurrenceOf: URIRef  # The entity whose co-mentioned entities a ranking ranks.
    methodsOf: URIRef  # The dataset whose methods a ranking ranks.
    inRanking: URIRef  # The ranking of a row.
    rank: URIRef  # A row's position, from 1.
    countedPapers: URIRef  # The papers a row is ranked by.
    rankedEntity: URIRef  # The entity a row ranks.
    otherEntity: URIRef  # The co-mentioned entity of a ranked pair.
    pageNumber: URIRef  # A page's number, from 1.
    pageItem: URIRef  # A paper on the page.


#: Prefixes available in every query and used in Turtle exports.
PREFIXES: dict[str, str] = {
    "ckg": CITEKG_NS,
    "cito": str(CITO),
    "dcterms": str(DCTERMS),
    "fabio": str(FABIO),
    "owl": str(OWL),
    "prism": str(PRISM),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "xsd": str(XSD),
}
