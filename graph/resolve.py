"""Entity resolution: one entity per real thing, with a readable label and an explanation of every merge.

Three layers decide which mentions name one entity, and each is explainable:

1. The extractors' key (their resolver already folds lexicon aliases and in-paper abbreviation pairs:
   "Vision Transformer (ViT)" gives both spans the key ``vit``).
2. Key normalisation (:func:`citekg.ontology.iri.normalize_key`): case, hyphens and spacing, and a
   plural last word. Entity IRIs are minted from type + normalised key, so this layer costs nothing.
3. Alias keys across papers (:func:`alias_map`): when a paper writes a surface form whose own key
   differs from the key extraction gave it ("Deep Interest Network" keyed ``din``), every paper's
   entity of that type and key (``deep-interest-network``) is merged into one. A surface key that
   some papers give one key and others another ("MAE" keyed ``mean-absolute-error`` and
   ``masked-autoencoder`` for two methods) is ambiguous and merges nothing; and the type always keeps
   apart the metric MAE from the method MAE.

Labels are computed from every mention of the entity (:func:`preferred_label`), so they do not depend
on the order papers arrive in. Pure functions; the store applies them in :mod:`citekg.graph.update`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from citekg.ontology.iri import normalize_key
from rdflib import URIRef

__all__ = [
    "alias_map",
    "explain_entity",
    "find_entities",
    "is_abbreviation",
    "merge_rule",
    "preferred_label",
]

_SEPARATORS_RE = re.compile(r"[\s\-_/\u2010-\u2015\u2212]+")


def preferred_label(forms: Mapping[str, int]) -> str:
    """Return the display label of an entity from its surface forms and their mention counts.

    The most frequent form wins; ties go to the smallest form in code-point order, which puts
    capitalised forms ("Transformer") before lower-case ones ("transformer"). Deterministic and
    independent of the order mentions were added in.

    Examples:
        >>> preferred_label({"transformer": 2, "Transformer": 2, "Transformers": 1})
        'Transformer'
        >>> preferred_label({"ViT": 3, "Vision Transformer": 2})
        'ViT'
    """
    if not forms:
        raise ValueError("an entity needs at least one surface form")
    return min(forms, key=lambda form: (-forms[form], form))


def alias_map(evidence: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """Map ``(type, key)`` pairs to the canonical key they merge into, from cross-paper alias evidence.

    Args:
        evidence: ``(type, surface key, mention key)`` triples: some mention of that type was written
            in a form normalising to ``surface key`` while extraction keyed it ``mention key``.

    Returns:
        Only the keys that change: ``(type, key) → canonical key``. Keys linked by evidence form one
        group; its canonical key is the smallest key that extraction chose for a mention (not a
        surface key), so the extractors' choice names the entity. A surface key given two different
        keys (of one type) is ambiguous and links nothing.

    Examples:
        >>> alias_map([("model", "deep-interest-network", "din"), ("model", "vision-transformer", "vit")])
        {('model', 'deep-interest-network'): 'din', ('model', 'vision-transformer'): 'vit'}
        >>> alias_map([("metric", "mae", "mean-absolute-error"), ("metric", "mae", "mean-average-error")])
        {}
        >>> alias_map([("method", "mae", "masked-autoencoder"), ("metric", "mae", "mean-absolute-error")])
        {('method', 'mae'): 'masked-autoencoder', ('metric', 'mae'): 'mean-absolute-error'}
    """
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kind, surface, key in evidence:
        if surface and key and surface != key:
            targets[(kind, surface)].add(key)
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    chosen: set[tuple[str, str]] = set()
    for (kind, surface), keys in targets.items():
        if len(keys) != 1:
            continue
        (key,) = keys
        chosen.add((kind, key))
        a, b = sorted((find((kind, surface)), find((kind, key))))
        parent[b] = a
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)
    result: dict[tuple[str, str], str] = {}
    for members in groups.values():
        named = sorted(key for kind, key in members if (kind, key) in chosen)
        canonical = named[0] if named else min(key for _, key in members)
        for kind, key in members:
            if key != canonical:
                result[(kind, key)] = canonical
    return dict(sorted(result.items()))


def is_abbreviation(short: str, long: str) -> bool:
    """Return whether ``short`` abbreviates ``long``: its letters are initials or in-order letters of it.

    Examples:
        >>> is_abbreviation("ViT", "Vision Transformer"), is_abbreviation("DIN", "Deep Interest Network")
        (True, True)
        >>> is_abbreviation("BERT", "Transformer")
        False
    """
    letters = [c.lower() for c in short if c.isalnum()]
    words = [w.lower() for w in _SEPARATORS_RE.split(long) if w]
    if not letters or len(letters) >= len(long.replace(" ", "")) or not words:
        return False
    if letters[0] != words[0][0]:
        return False
    text = " ".join(words)
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def _fold_case(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def merge_rule(form: str, mention_key: str, entity_key: str, label: str) -> str:
    """Say why a surface form belongs to an entity, for ``citekg explain``.

    Args:
        form: The surface form as written.
        mention_key: The normalised key extraction gave that mention.
        entity_key: The entity's canonical key.
        label: The entity's preferred label.

    Examples:
        >>> merge_rule("Transformer", "transformer", "transformer", "Transformer")
        'preferred label'
        >>> merge_rule("transformer", "transformer", "transformer", "Transformer")
        'case'
        >>> merge_rule("Vision-Transformer", "vision-transformer", "vision-transformer", "Vision Transformer")
        'hyphenation'
        >>> merge_rule("ViTs", "vit", "vit", "ViT")
        'plural'
        >>> merge_rule("Deep Interest Network", "din", "din", "DIN")
        'abbreviation pair (extraction)'
        >>> merge_rule("Deep Interest Network", "deep-interest-network", "din", "DIN")
        'alias key deep-interest-network'
    """
    if mention_key != entity_key:
        return f"alias key {mention_key}"
    if form == label:
        return "preferred label"
    if normalize_key(form) != entity_key:
        pair = is_abbreviation(form, label) or is_abbreviation(label, form)
        return "abbreviation pair (extraction)" if pair else "extractor alias"
    if _fold_case(form) == _fold_case(label):
        return "case"
    if _SEPARATORS_RE.sub("-", _fold_case(form)) == _SEPARATORS_RE.sub("-", _fold_case(label)):
        return "hyphenation"
    return "plural"


def label_counts(forms: Iterable[str]) -> Counter[str]:
    """Count surface forms (a thin helper so callers need not import Counter)."""
    return Counter(forms)


def find_entities(store: Any, name: str) -> list[str]:
    """Return the IRIs of the entities ``name`` names: an IRI, a label, an alias or a key (sorted).

    Several entities can match ("MAE" the metric and "MAE" the method); all are returned.
    """
    if name.startswith(("http://", "https://")):
        rows = store.query("SELECT ?e WHERE { ?e a ckg:Entity }", {"e": URIRef(name)})
        return [row["e"].value for row in rows]
    key = normalize_key(name)
    folded = _fold_case(name)
    found = set()
    for row in (
        store.query(
            "SELECT DISTINCT ?e ?k WHERE { { ?e ckg:key ?k } UNION { ?e ckg:aliasKey ?k } }", {"k": key}
        )
        if key
        else ()
    ):
        found.add(row["e"].value)
    for row in store.query(
        "SELECT DISTINCT ?e ?name WHERE { ?e a ckg:Entity ; skos:prefLabel|skos:altLabel ?l . "
        "FILTER(LCASE(STR(?l)) = ?name) }",
        {"name": folded},
    ):
        found.add(row["e"].value)
    return sorted(found)


def explain_entity(store: Any, entity: str) -> dict[str, Any]:
    """Explain one entity: its type, labels, every surface form with counts and the rule that merged it.

    Returns a JSON-ready dict with ``iri``, ``type``, ``label``, ``key``, ``alias_keys``, ``forms``
    (``form``, ``mentions``, ``rule``, ``papers``) and ``papers`` (``id``, ``title``, ``roles``).
    """
    from citekg.ontology.iri import paper_id_from_iri

    base = store.base
    head = list(
        store.query(
            "SELECT ?e ?type ?label ?key WHERE { ?e a ?type ; skos:prefLabel ?label ; ckg:key ?key . "
            "FILTER(?type != ckg:Entity) }",
            {"e": URIRef(entity)},
        )
    )
    if not head:
        raise ValueError(f"{entity} is not an entity of this graph")
    label, key = head[0]["label"].value, head[0]["key"].value
    kind = head[0]["type"].value.rsplit("/", 1)[-1]
    aliases = sorted(
        row["a"].value
        for row in store.query("SELECT ?e ?a WHERE { ?e ckg:aliasKey ?a }", {"e": URIRef(entity)})
    )
    forms: dict[tuple[str, str], dict[str, Any]] = {}
    papers: dict[str, dict[str, Any]] = {}
    rows = store.query(
        "SELECT ?e ?m ?paper ?form ?k ?role ?title WHERE { ?m ckg:mentionOf ?e ; ckg:inPaper ?paper ; "
        "ckg:surfaceForm ?form ; ckg:role ?role . OPTIONAL { ?m ckg:mentionKey ?k } "
        "OPTIONAL { ?paper dcterms:title ?title } }",
        {"e": URIRef(entity)},
    )
    for row in rows:
        paper_id = paper_id_from_iri(row["paper"].value, base) or row["paper"].value
        mention_key = row["k"].value if row["k"] is not None else key
        entry = forms.setdefault(
            (row["form"].value, mention_key), {"form": row["form"].value, "mentions": 0, "papers": set()}
        )
        entry["mentions"] += 1
        entry["papers"].add(paper_id)
        paper = papers.setdefault(
            paper_id, {"id": paper_id, "title": row["title"].value if row["title"] else "", "roles": set()}
        )
        paper["roles"].add(row["role"].value)
    # Which paper tied each alias key to this entity, and whether as an abbreviation pair.
    evidence: dict[str, list[str]] = defaultdict(list)
    for alias in aliases:
        for row in store.query(
            "SELECT DISTINCT ?e ?sk ?paper ?form WHERE { ?m ckg:surfaceKey ?sk ; ckg:inPaper ?paper ; "
            "ckg:surfaceForm ?form ; ckg:mentionOf ?e }",
            {"sk": alias, "e": URIRef(entity)},
        ):
            paper_id = paper_id_from_iri(row["paper"].value, base) or row["paper"].value
            pair = is_abbreviation(row["form"].value, label) or is_abbreviation(label, row["form"].value)
            evidence[alias].append(f"{'abbreviation pair' if pair else 'alias'} in paper {paper_id}")
    listed = []
    for (form, mention_key), entry in sorted(forms.items(), key=lambda kv: (-kv[1]["mentions"], kv[0])):
        rule = merge_rule(form, mention_key, key, label)
        if mention_key != key and evidence.get(mention_key):
            rule += " (" + "; ".join(sorted(set(evidence[mention_key]))) + ")"
        listed.append({**entry, "papers": sorted(entry["papers"]), "rule": rule})
    return {
        "iri": entity,
        "type": kind,
        "label": label,
        "key": key,
        "alias_keys": aliases,
        "forms": listed,
        "papers": [{**paper, "roles": sorted(paper["roles"])} for _, paper in sorted(papers.items())],
    }
