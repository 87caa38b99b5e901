"""One write to the store, planned in full and committed in one transaction.

:meth:`GraphStore.add <citekg.graph.store.GraphStore.add>` calls :func:`plan_update`, which reads what
it needs from the store, works out every triple to delete and to insert, and hands back an
:class:`UpdatePlan`; the store then commits it as ONE SPARQL update (``DELETE DATA`` then ``INSERT
DATA``), which Oxigraph applies atomically. An interrupted run (Ctrl-C, kill -9) therefore leaves the
store exactly as it was, and the next run redoes the whole plan.

What a plan does, in order:

1. merges records of one paper within the run (:mod:`citekg.graph.merge`) and with papers already in
   the store (looked up by ``dcterms:identifier``: every id and the ``title:`` id of the title). A record
   of a paper already in the corpus adds its ids, references and links to that node; the stored text
   and mentions stay. An external paper node (known only as cited) that turns out to be an input paper
   is folded into it and every citation of it redirected;
2. resolves each cited id to the in-graph paper it names, so citations land on one node;
3. replaces a paper's mentions (their nodes, its paper→entity edges, and the title and abstract the
   offsets point into; nothing else) when it is re-added with a newer ``extractor_version``; an older
   version leaves the stored mentions alone;
4. re-resolves the touched entities (:mod:`citekg.graph.resolve`): alias keys across papers, the
   ``skos:prefLabel``/``rdfs:label``/``skos:altLabel`` from all their mentions, and deletion of
   entities no mention names any more;
5. recomputes ``ckg:buildsOn`` and its evidence for the touched entities (:mod:`citekg.graph.citations`).

Every step reads only what the run touches (with ``VALUES`` lookups), so adding a few papers to a
big store stays cheap. Imports rdflib, pyoxigraph and citekg's graph modules; never spaCy.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from citekg.errors import CitekgWarning
from citekg.graph.build import (
    ENTITY_CLASSES,
    ROLE_PROPERTIES,
    Triple,
    _canonical_double,
    identity_keys,
    reference_ids,
    triples_for,
)
from citekg.graph.citations import builds_on
from citekg.graph.merge import Merge, merge_extractions, preferred_id, rekey
from citekg.graph.resolve import alias_map, preferred_label
from citekg.model import Extraction
from citekg.ontology.iri import builds_on_iri, citation_iri, entity_iri, normalize_key, paper_iri
from citekg.ontology.namespace import CITO, CKG, RDF, RDFS, SKOS
from rdflib import Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:
    import pyoxigraph as ox
    from citekg.graph.store import GraphStore

__all__ = ["UpdatePlan", "UpdateReport", "compare_versions", "plan_update"]

log = logging.getLogger(__name__)

_CHUNK = 500
_EDGE_PROPERTIES = (CKG.mentions, *ROLE_PROPERTIES.values())
_LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SKOS.altLabel, CKG.aliasKey)
_KIND_OF_CLASS = {str(cls): kind for kind, cls in ENTITY_CLASSES.items()}


@dataclass
class UpdateReport:
    """What one write did, beyond the triple counts."""

    papers: int = 0
    merges: list[Merge] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)
    redirected: list[tuple[str, str]] = field(default_factory=list)
    entities_touched: int = 0
    builds_on: int = 0
    triples_added: int = 0
    triples_removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "papers": self.papers,
            "merges": [m.to_dict() for m in self.merges],
            "replaced_mentions_of": self.replaced,
            "kept_newer_mentions_of": self.kept_newer,
            "external_papers_resolved": [{"from": a, "into": b} for a, b in self.redirected],
            "entities_touched": self.entities_touched,
            "builds_on_evidence": self.builds_on,
            "triples_added": self.triples_added,
            "triples_removed": self.triples_removed,
        }


@dataclass
class UpdatePlan:
    """The triples one write deletes and inserts (deletions first), and its report."""

    delete: set[Triple] = field(default_factory=set)
    insert: set[Triple] = field(default_factory=set)
    report: UpdateReport = field(default_factory=UpdateReport)


_VERSION_PART_RE = re.compile(r"(\d+)")


def _version_parts(version: str) -> dict[str, tuple[int, ...]]:
    parts: dict[str, tuple[int, ...]] = {}
    for index, chunk in enumerate(version.split(";")):
        name, sep, value = chunk.partition("=")
        if not sep:
            name, value = ("", chunk) if index == 0 else (chunk, "")
        parts[name.strip()] = tuple(int(n) for n in _VERSION_PART_RE.findall(value))
    return parts


def compare_versions(new: str, old: str) -> int:
    """Compare two ``extractor_version`` strings: 1 if ``new`` is newer, -1 if older, 0 if equal.

    A version is ``citekg-X.Y.Z`` optionally followed by ``;component=N`` parts. ``new`` is older only
    when no part is newer and some part is older; versions that differ otherwise count as newer, so
    the latest run wins.

    Examples:
        >>> compare_versions("citekg-0.2.0;lexicon=2", "citekg-0.1.0;lexicon=2")
        1
        >>> compare_versions("citekg-0.1.0;lexicon=1", "citekg-0.1.0;lexicon=2")
        -1
        >>> compare_versions("0.1.0", "0.1.0"), compare_versions("0.1.0;ner=1", "0.1.0;links=2")
        (0, 1)
    """
    if new == old:
        return 0
    a, b = _version_parts(new), _version_parts(old)
    newer = older = False
    for name in set(a) | set(b):
        x, y = a.get(name, ()), b.get(name, ())
        newer |= x > y
        older |= x < y
    return -1 if older and not newer else 1


def _nt(term: Node) -> str:
    from citekg.graph.store import _nt_term

    return _nt_term(term)


def _select(store: GraphStore, sparql: str, var: str, terms: Iterable[Node]) -> Iterator[dict[str, Any]]:
    """Run ``sparql`` (with a ``#VALUES#`` slot) over chunks of ``terms`` bound to ``?var``."""
    items = sorted({_nt(term) for term in terms})
    for start in range(0, len(items), _CHUNK):
        values = f"VALUES ?{var} {{ {' '.join(items[start : start + _CHUNK])} }}"
        result = cast("ox.QuerySolutions", store.query(sparql.replace("#VALUES#", values)))
        names = [v.value for v in result.variables]
        for solution in result:
            yield {name: solution[name] for name in names}


def _term(value: Any) -> Node:
    """Convert a pyoxigraph term to rdflib."""
    kind = type(value).__name__
    if kind == "NamedNode":
        return URIRef(value.value)
    if value.language:
        return Literal(value.value, lang=value.language)
    datatype = value.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value.value)
    return Literal(value.value, datatype=URIRef(datatype))


@dataclass(frozen=True, slots=True)
class _MentionRow:
    iri: str
    paper: str
    kind: str
    key: str
    surface_key: str | None
    form: str
    role: str
    confidence: float
    entity: str


def plan_update(store: GraphStore, extractions: Iterable[Extraction]) -> UpdatePlan:
    """Work out every triple that adding ``extractions`` to ``store`` deletes and inserts.

    Reads the store, never writes it. See the module notes for the steps.
    """
    base = store.base
    plan = UpdatePlan()
    records, merges = merge_extractions(extractions)
    plan.report.merges = merges
    plan.report.papers = len(records)
    empty = not bool(store.query("ASK { ?s ?p ?o }"))
    # Title keys are costly (normalisation and a hash); each paper's are worked out once per plan.
    keys_of_paper: dict[int, tuple[Any, list[str]]] = {}

    def keys_of(paper: Any) -> list[str]:
        cached = keys_of_paper.get(id(paper))
        if cached is None or cached[0] is not paper:
            cached = keys_of_paper[id(paper)] = (paper, identity_keys(paper))
        return cached[1]

    # 1. papers already in the store, by identity key
    stored: dict[str, dict[str, Any]] = {}
    by_key: dict[str, list[str]] = defaultdict(list)
    if not empty:
        keys = {key for r in records for key in keys_of(r.paper)}
        keys |= {cited for r in records for cited, *_ in reference_ids(r)}
        sparql = """SELECT ?p ?id ?in ?ver ?has WHERE { #VALUES#
          ?p dcterms:identifier ?id .
          OPTIONAL { ?p ckg:inCorpus ?in } OPTIONAL { ?p ckg:extractorVersion ?ver }
          OPTIONAL { ?p ?has ?any FILTER(?has IN (dcterms:title, dcterms:abstract, ckg:authorList,
            fabio:hasPublicationYear, prism:publicationName, schema:url)) }
        }"""
        for row in _select(store, sparql, "id", (Literal(k) for k in keys)):
            node = row["p"].value
            entry = stored.setdefault(node, {"in": row["in"] is not None, "version": None, "has": set()})
            if row["ver"] is not None:
                entry["version"] = row["ver"].value
            if row["has"] is not None:
                entry["has"].add(row["has"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
            if node not in by_key[row["id"].value]:
                by_key[row["id"].value].append(node)

    def paper_id_of(node: str) -> str:
        from citekg.ontology.iri import paper_id_from_iri

        return paper_id_from_iri(node, base) or node

    redirects: dict[str, str] = {}  # external paper IRI -> in-corpus paper IRI
    final: list[Extraction] = []
    for record in records:
        if not by_key:
            final.append(record)
            continue
        matches = {node for key in keys_of(record.paper) for node in by_key.get(key, ())}
        own = paper_iri(record.paper.id, base)
        in_corpus = sorted(n for n in matches if stored[n]["in"])
        if in_corpus and own not in in_corpus:
            target_id = preferred_id(paper_id_of(n) for n in in_corpus)
            shared = next(k for k in keys_of(record.paper) if paper_iri(target_id, base) in by_key.get(k, ()))
            plan.report.merges.append(
                Merge(target_id, (record.paper.id,), "title" if shared.startswith("title:") else shared)
            )
            record = rekey(record, target_id)
            # The stored record keeps its text: titles and mention offsets must stay consistent.
            record = replace(record, paper=replace(record.paper, title="", abstract=""), mentions=())
            own = paper_iri(target_id, base)
        for node in matches - set(in_corpus):
            if node != own:
                redirects[node] = own
        final.append(record)

    # 2. cited ids -> the in-graph paper they name (in this run or already stored in the corpus)
    owner: dict[str, str] = {}
    for record in final:
        for key in keys_of(record.paper):
            owner.setdefault(key, record.paper.id)
    for key, nodes in by_key.items():
        corpus_nodes = [n for n in nodes if stored[n]["in"]]
        if corpus_nodes and key not in owner:
            owner[key] = preferred_id(paper_id_of(n) for n in corpus_nodes)
    cited_map = dict(owner)

    # 3. papers already in the corpus: newer mentions replace the stored ones (with the text they
    # point into); otherwise the stored text and mentions stay. Single-valued metadata the node
    # already has is never written twice.
    replaced: list[str] = []
    for index, record in enumerate(final):
        node = paper_iri(record.paper.id, base)
        info = stored.get(node)
        if info is None or not info["in"]:
            continue
        old = info["version"]
        keep_text = False
        if record.mentions and record.extractor_version:
            if old is None or compare_versions(record.extractor_version, old) > 0:
                keep_text = True
                replaced.append(node)
                if old is not None:
                    plan.report.replaced.append(record.paper.id)
            elif compare_versions(record.extractor_version, old) < 0:
                warnings.warn(
                    f"{record.paper.id}: stored mentions come from the newer extractor {old!r}; "
                    f"kept them and ignored those from {record.extractor_version!r}",
                    CitekgWarning,
                    stacklevel=3,
                )
                plan.report.kept_newer.append(record.paper.id)
        final[index] = _without_stored_metadata(record, info["has"], keep_text=keep_text)

    insert = plan.insert
    for record in final:
        insert.update(triples_for(record, base=base, cited=cited_map))

    delete = plan.delete
    gone_mentions: set[str] = set()
    touched: set[str] = set()
    if replaced:
        sparql = """SELECT ?m ?p ?o WHERE { #VALUES# ?m ckg:inPaper ?paper . ?m ?p ?o }"""
        for row in _select(store, sparql, "paper", map(URIRef, replaced)):
            s, p, o = URIRef(row["m"].value), _term(row["p"]), _term(row["o"])
            delete.add((s, p, o))
            gone_mentions.add(str(s))
            if p == CKG.mentionOf:
                touched.add(str(o))
        sparql = """SELECT ?paper ?rel ?e WHERE { #VALUES# ?paper ?rel ?e .
          FILTER(?rel IN (ckg:mentions, ckg:proposes, ckg:uses, ckg:compares, ckg:extractorVersion,
                          dcterms:title, dcterms:abstract)) }"""
        for row in _select(store, sparql, "paper", map(URIRef, replaced)):
            delete.add((URIRef(row["paper"].value), _term(row["rel"]), _term(row["e"])))

    if redirects:
        _plan_redirects(store, plan, redirects, base)

    _plan_resolution(store, plan, final, touched, gone_mentions, base, empty)
    return plan


def _without_stored_metadata(record: Extraction, has: set[str], *, keep_text: bool) -> Extraction:
    """Drop what a stored paper node already has, so single-valued fields stay single."""
    paper = record.paper
    changes: dict[str, Any] = {}
    if "authorList" in has:
        changes["authors"] = ()
    if "hasPublicationYear" in has:
        changes["year"] = None
    if "publicationName" in has:
        changes["venue"] = None
    if "url" in has:
        changes["url"] = None
    if not keep_text:
        changes["title"] = "" if "title" in has else paper.title
        changes["abstract"] = ""
        record = replace(record, mentions=())
    return replace(record, paper=replace(paper, **changes))


def _plan_redirects(store: GraphStore, plan: UpdatePlan, redirects: dict[str, str], base: str) -> None:
    """Fold external paper nodes into the input paper they turned out to be; redirect their citations."""
    from citekg.ontology.iri import paper_id_from_iri

    sparql = """SELECT ?x ?s ?p ?o WHERE { #VALUES#
      { ?x ?p ?o BIND(?x AS ?s) } UNION { ?s ?p ?x BIND(?x AS ?o) } }"""
    citations: dict[str, dict[str, Any]] = {}
    for row in _select(store, sparql, "x", map(URIRef, redirects)):
        s, p, o = URIRef(row["s"].value), _term(row["p"]), _term(row["o"])
        plan.delete.add((s, p, o))
        target = URIRef(redirects[row["x"].value])
        if str(s) == row["x"].value:
            continue  # the external node's own description: the input paper has its own
        if p == CITO.cites and s != target:
            plan.insert.add((s, p, target))
        elif p == CKG.targetPaper:
            citations[str(s)] = {"target": target}
    if citations:
        sparql = "SELECT ?c ?p ?o WHERE { #VALUES# ?c ?p ?o }"
        rows = list(_select(store, sparql, "c", map(URIRef, citations)))
        for row in rows:
            c, p, o = row["c"].value, _term(row["p"]), _term(row["o"])
            plan.delete.add((URIRef(c), p, o))
            citations[c].setdefault("triples", []).append((p, o))
            if p == CKG.sourcePaper:
                citations[c]["source_paper"] = o
            elif p == CKG.citationSource:
                citations[c]["source"] = str(o)
        for info in citations.values():
            citing, target = info.get("source_paper"), info["target"]
            if citing is None or "source" not in info or citing == target:
                continue
            citing_id = paper_id_from_iri(str(citing), base)
            target_id = paper_id_from_iri(str(target), base)
            if citing_id is None or target_id is None:
                continue
            node = URIRef(citation_iri(citing_id, target_id, info["source"], base))
            for p, o in info["triples"]:
                plan.insert.add((node, p, target if p == CKG.targetPaper else o))
    plan.report.redirected = sorted(
        (paper_id_from_iri(a, base) or a, paper_id_from_iri(b, base) or b) for a, b in redirects.items()
    )


def _batch_mentions(final: Sequence[Extraction], base: str, *, iris: bool = True) -> list[_MentionRow]:
    """The run's mentions as rows; ``iris=False`` leaves their IRIs empty (only stored rows need them)."""
    from citekg.ontology.iri import mention_iri

    rows = []
    normalized: dict[str, str] = {}
    entities: dict[tuple[str, str], str] = {}

    def norm(text: str) -> str:
        value = normalized.get(text)
        if value is None:
            value = normalized[text] = normalize_key(text)
        return value

    for record in final:
        paper = paper_iri(record.paper.id, base)
        for m in record.mentions:
            key = norm(m.key.strip() or m.text.strip())
            if not key:
                continue
            kind = m.label.lower()
            surface = norm(m.text)
            entity = entities.get((kind, key))
            if entity is None:
                entity = entities[(kind, key)] = entity_iri(kind, key, base)
            rows.append(
                _MentionRow(
                    mention_iri(record.paper.id, m.field, m.start, m.end, kind, base) if iris else "",
                    paper,
                    kind,
                    key,
                    surface if surface and surface != key else None,
                    m.text,
                    m.role,
                    float(_canonical_double(m.confidence)),
                    entity,
                )
            )
    return rows


def _kind_of(entity: str, base: str) -> str:
    return entity.removeprefix(base).partition("/")[0]


def _plan_resolution(
    store: GraphStore,
    plan: UpdatePlan,
    final: Sequence[Extraction],
    touched: set[str],
    gone_mentions: set[str],
    base: str,
    empty: bool,
) -> None:
    """Alias merges, labels, orphan entities and builds-on evidence for every entity the write touches."""
    # A mention IRI only tells the run's mentions apart from stored ones; an empty store has none.
    batch = _batch_mentions(final, base, iris=not empty)
    batch_iris = {row.iri for row in batch} if not empty else set()

    # Alias evidence over the whole graph (rare: only mentions whose surface key differs from their key).
    evidence = [(row.kind, row.surface_key, row.key) for row in batch if row.surface_key]
    current_alias: dict[tuple[str, str], str] = {}
    if not empty:
        mention_keys = (
            "SELECT ?m ?e ?sk ?k WHERE { ?m ckg:surfaceKey ?sk ; ckg:mentionKey ?k ; ckg:mentionOf ?e }"
        )
        for row in cast("ox.QuerySolutions", store.query(mention_keys)):
            if row["m"].value not in gone_mentions and row["m"].value not in batch_iris:
                evidence.append((_kind_of(row["e"].value, base), row["sk"].value, row["k"].value))
        alias_keys = "SELECT ?e ?k ?ak WHERE { ?e ckg:aliasKey ?ak ; ckg:key ?k }"
        for row in cast("ox.QuerySolutions", store.query(alias_keys)):
            current_alias[(_kind_of(row["e"].value, base), row["ak"].value)] = row["k"].value
    aliases = alias_map(evidence)

    canonical_iris: dict[tuple[str, str], str] = {}

    def canonical(kind: str, key: str) -> str:
        iri = canonical_iris.get((kind, key))
        if iri is None:
            iri = canonical_iris[(kind, key)] = entity_iri(kind, aliases.get((kind, key), key), base)
        return iri

    # Every entity whose mentions, keys or merges may change.
    for row in batch:
        touched.add(row.entity)
        touched.add(canonical(row.kind, row.key))
    for (kind, key), target in {**current_alias, **aliases}.items():
        touched.add(entity_iri(kind, key, base))
        touched.add(entity_iri(kind, target, base))
        touched.add(canonical(kind, key))

    stored_rows: list[_MentionRow] = []
    if not empty and touched:
        sparql = """SELECT ?m ?e ?paper ?k ?sk ?form ?role ?conf WHERE { #VALUES#
          ?m ckg:mentionOf ?e ; ckg:inPaper ?paper ; ckg:surfaceForm ?form ; ckg:role ?role ;
             ckg:confidence ?conf .
          OPTIONAL { ?m ckg:mentionKey ?k } OPTIONAL { ?m ckg:surfaceKey ?sk } }"""
        for row in _select(store, sparql, "e", map(URIRef, touched)):
            iri = row["m"].value
            if iri in gone_mentions or iri in batch_iris:
                continue
            entity = row["e"].value
            key = row["k"].value if row["k"] is not None else unquote(entity.rsplit("/", 1)[1])
            stored_rows.append(
                _MentionRow(
                    iri,
                    row["paper"].value,
                    _kind_of(entity, base),
                    key,
                    row["sk"].value if row["sk"] is not None else None,
                    row["form"].value,
                    row["role"].value,
                    float(row["conf"].value),
                    entity,
                )
            )

    # Re-point mentions whose canonical entity changed, and recompute their papers' edges.
    remap: dict[str, str] = {}
    for row in batch:
        target = canonical(row.kind, row.key)
        if target != row.entity:
            remap[row.entity] = target
    if remap:
        _remap_batch(plan, remap)
    moved_papers: set[str] = set()
    final_rows: list[_MentionRow] = []
    for row in stored_rows:
        target = canonical(row.kind, row.key)
        if target != row.entity:
            plan.delete.add((URIRef(row.iri), CKG.mentionOf, URIRef(row.entity)))
            plan.insert.add((URIRef(row.iri), CKG.mentionOf, URIRef(target)))
            moved_papers.add(row.paper)
            row = replace(row, entity=target)
        final_rows.append(row)
    final_rows += [replace(row, entity=canonical(row.kind, row.key)) for row in batch]

    if moved_papers:
        sparql = """SELECT ?paper ?rel ?e WHERE { #VALUES# ?paper ?rel ?e .
          FILTER(?rel IN (ckg:mentions, ckg:proposes, ckg:uses, ckg:compares)) }"""
        for row in _select(store, sparql, "paper", map(URIRef, moved_papers)):
            if row["e"].value in touched:
                plan.delete.add((URIRef(row["paper"].value), _term(row["rel"]), URIRef(row["e"].value)))
        for mention in final_rows:
            if mention.paper in moved_papers:
                plan.insert.update(_edges(mention))

    # Entity nodes: types, key, alias keys and labels from all their mentions; orphans go.
    by_entity: dict[str, list[_MentionRow]] = defaultdict(list)
    for mention in final_rows:
        by_entity[mention.entity].append(mention)
    if not empty and touched:
        sparql = """SELECT ?e ?p ?o WHERE { #VALUES# ?e ?p ?o .
          FILTER(?p IN (rdf:type, ckg:key, skos:prefLabel, rdfs:label, skos:altLabel, ckg:aliasKey)) }"""
        for row in _select(store, sparql, "e", map(URIRef, touched)):
            entity = row["e"].value
            p = _term(row["p"])
            if entity not in by_entity or p in _LABEL_PROPERTIES or p == CKG.key:
                plan.delete.add((URIRef(entity), p, _term(row["o"])))
    for entity, mentions in by_entity.items():
        e = URIRef(entity)
        kind = mentions[0].kind
        key = unquote(entity.rsplit("/", 1)[1])
        plan.insert.add((e, RDF.type, ENTITY_CLASSES.get(kind, CKG.Entity)))
        plan.insert.add((e, RDF.type, CKG.Entity))
        plan.insert.add((e, CKG.key, Literal(key)))
        forms = Counter(m.form for m in mentions if m.form)
        if forms:
            label = preferred_label(forms)
            plan.insert.add((e, SKOS.prefLabel, Literal(label)))
            plan.insert.add((e, RDFS.label, Literal(label)))
            for form in forms:
                if form != label:
                    plan.insert.add((e, SKOS.altLabel, Literal(form)))
        for alias in sorted({m.key for m in mentions} - {key}):
            plan.insert.add((e, CKG.aliasKey, Literal(alias)))
    plan.report.entities_touched = len(by_entity)

    _plan_builds_on(store, plan, touched | set(by_entity), final_rows, base, empty)


def _edges(mention: _MentionRow) -> Iterator[Triple]:
    paper, entity = URIRef(mention.paper), URIRef(mention.entity)
    yield paper, CKG.mentions, entity
    if (prop := ROLE_PROPERTIES.get(mention.role)) is not None:
        yield paper, prop, entity


def _remap_batch(plan: UpdatePlan, remap: dict[str, str]) -> None:
    """Point the run's own triples at canonical entities; an alias entity's own key triple goes."""
    rewritten: set[Triple] = set()
    for s, p, o in plan.insert:
        if str(s) in remap and p in (CKG.key, RDF.type):
            continue
        if isinstance(o, URIRef) and str(o) in remap:
            o = URIRef(remap[str(o)])
        rewritten.add((s, p, o))
    plan.insert.clear()
    plan.insert.update(rewritten)


def _plan_builds_on(
    store: GraphStore,
    plan: UpdatePlan,
    entities: set[str],
    rows: Sequence[_MentionRow],
    base: str,
    empty: bool,
) -> None:
    from citekg.ontology.iri import paper_id_from_iri

    evidence = builds_on((m.paper, m.entity, m.role, m.confidence) for m in rows if m.entity in entities)
    pairs: set[tuple[str, str]] = set()
    if not empty and entities:
        sparql = """SELECT ?ev ?p ?o ?src ?tgt WHERE { #VALUES# ?ev ckg:viaEntity ?e ;
          ckg:sourcePaper ?src ; ckg:targetPaper ?tgt ; ?p ?o }"""
        for row in _select(store, sparql, "e", map(URIRef, entities)):
            plan.delete.add((URIRef(row["ev"].value), _term(row["p"]), _term(row["o"])))
            pairs.add((row["src"].value, row["tgt"].value))
    for item in evidence:
        paper_id, basis_id = paper_id_from_iri(item.paper, base), paper_id_from_iri(item.basis, base)
        if paper_id is None or basis_id is None:
            continue
        node = URIRef(builds_on_iri(paper_id, basis_id, item.entity, base))
        plan.insert.add((node, RDF.type, CKG.BuildsOnEvidence))
        plan.insert.add((node, CKG.sourcePaper, URIRef(item.paper)))
        plan.insert.add((node, CKG.targetPaper, URIRef(item.basis)))
        plan.insert.add((node, CKG.viaEntity, URIRef(item.entity)))
        plan.insert.add((node, CKG.confidence, _canonical_double(item.confidence)))
        plan.insert.add((URIRef(item.paper), CKG.buildsOn, URIRef(item.basis)))
        pairs.discard((item.paper, item.basis))
    plan.report.builds_on = len(evidence)
    if not pairs:
        return
    # Pairs that lost evidence here keep their edge only if evidence through another entity remains.
    remaining: set[tuple[str, str]] = set()
    sparql = """SELECT ?src ?tgt ?e WHERE { #VALUES# ?src ckg:buildsOn ?tgt .
      ?ev ckg:sourcePaper ?src ; ckg:targetPaper ?tgt ; ckg:viaEntity ?e }"""
    for row in _select(store, sparql, "src", (URIRef(src) for src, _ in pairs)):
        pair = (row["src"].value, row["tgt"].value)
        if pair in pairs and row["e"].value not in entities:
            remaining.add(pair)
    for src, tgt in pairs - remaining:
        plan.delete.add((URIRef(src), CKG.buildsOn, URIRef(tgt)))
