"""Paper merging: records of one paper from several sources become one node.

An arXiv record, a Semantic Scholar record and a BibTeX entry of the same paper carry different ids.
Two records are the same paper when they share any identity key (:func:`~citekg.graph.build.identity_keys`:
the id, any external id, or the ``title:`` id of a title of three words or more), transitively. The
merged record takes the node id of the best scheme (:data:`ID_PRIORITY`), the text and mentions of the
record with the longest abstract (offsets must match the text they point into), and the union of ids,
references and links. Merges within one run happen here; merges with papers already in a store happen
in :mod:`citekg.graph.update`, which looks existing papers up by the same keys.
Pure functions; imports citekg's model and the graph builder only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from citekg.graph.build import identity_keys
from citekg.model import Extraction, Paper

__all__ = ["ID_PRIORITY", "Merge", "merge_extractions", "preferred_id", "rekey"]

#: Schemes in the order their ids are preferred as a merged paper's node id; others come after, by name,
#: and ``title:`` ids last.
ID_PRIORITY = ("arxiv", "doi", "openalex", "s2", "pmid")


@dataclass(frozen=True, slots=True)
class Merge:
    """One merge: the records with ids ``merged`` became the paper ``into``, because of ``by``."""

    into: str
    merged: tuple[str, ...]
    by: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {"into": self.into, "merged": list(self.merged), "by": self.by}


def _rank(paper_id: str) -> tuple[int, str, str]:
    scheme, _, value = paper_id.partition(":")
    if scheme in ID_PRIORITY:
        return ID_PRIORITY.index(scheme), "", value
    if scheme == "title":
        return len(ID_PRIORITY) + 1, scheme, value
    return len(ID_PRIORITY), scheme, value


def preferred_id(ids: Iterable[str]) -> str:
    """Return the id a merged paper is named by: the best scheme, then the smallest value.

    Examples:
        >>> preferred_id(["doi:10.1/x", "s2:abc", "arxiv:1706.03762", "title:37f63852cdfb0690"])
        'arxiv:1706.03762'
        >>> preferred_id(["title:37f63852cdfb0690", "dblp:conf/x"])
        'dblp:conf/x'
    """
    return min(ids, key=_rank)


def rekey(extraction: Extraction, paper_id: str) -> Extraction:
    """Return ``extraction`` with its paper and mentions under ``paper_id``, the old id kept in ``ids``.

    Examples:
        >>> from citekg.model import Paper
        >>> e = rekey(Extraction(Paper(id="doi:10.1/x", title="T")), "arxiv:2401.00001")
        >>> e.paper.id, e.paper.ids
        ('arxiv:2401.00001', (('doi', '10.1/x'),))
    """
    old = extraction.paper
    if old.id == paper_id:
        return extraction
    ids = set(old.ids)
    scheme, _, value = old.id.partition(":")
    if scheme != "title":
        ids.add((scheme, value))
    ids.discard(tuple(paper_id.split(":", 1)))
    paper = replace(old, id=paper_id, ids=tuple(sorted(ids)))
    mentions = tuple(replace(m, paper_id=paper_id) for m in extraction.mentions)
    return replace(extraction, paper=paper, mentions=mentions)


def _fingerprint(extraction: Extraction) -> str:
    # The last tie-break, so the merged record never depends on the order records arrived in.
    record = extraction.to_dict()
    record["paper"].pop("source", None)
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def _content_rank(extraction: Extraction) -> tuple[int, int, tuple[int, str, str], int, str]:
    paper = extraction.paper
    return (
        -len(paper.abstract),
        -len(extraction.mentions),
        _rank(paper.id),
        -len(paper.authors),
        _fingerprint(extraction),
    )


def _merge_group(group: Sequence[Extraction]) -> Extraction:
    """Merge the records of one paper (already known to be the same paper) into one extraction."""
    keys = {key for e in group for key in identity_keys(e.paper)}
    real_ids = {e.paper.id for e in group} | {f"{s.lower()}:{v}" for e in group for s, v in e.paper.ids}
    node_id = preferred_id(real_ids or keys)
    ordered = sorted(group, key=_content_rank)
    content = rekey(ordered[0], node_id)
    by_rank = sorted(group, key=lambda e: (_rank(e.paper.id), _fingerprint(e)))

    def first(attr: str) -> object:
        for e in [ordered[0], *by_rank]:
            value = getattr(e.paper, attr)
            if value:
                return value
        return getattr(content.paper, attr)

    ids = {
        (scheme, value)
        for key in real_ids
        if key != node_id
        for scheme, _, value in [key.partition(":")]
        if scheme != "title"
    }
    references = tuple(dict.fromkeys(ref for e in by_rank for ref in e.paper.references))
    paper: Paper = replace(
        content.paper,
        title=str(first("title")),
        authors=first("authors"),  # type: ignore[arg-type]
        year=first("year"),  # type: ignore[arg-type]
        venue=first("venue"),  # type: ignore[arg-type]
        url=first("url"),  # type: ignore[arg-type]
        ids=tuple(sorted(ids)),
        references=references,
        links=tuple(dict.fromkeys(link for e in by_rank for link in e.paper.links)),
        source="; ".join(dict.fromkeys(e.paper.source for e in by_rank if e.paper.source)),
    )
    links = tuple(dict.fromkeys(link for e in [content, *by_rank] for link in e.links))
    text_refs = tuple(dict.fromkeys(ref for e in by_rank for ref in e.references))
    return replace(content, paper=paper, links=links, references=text_refs)


def merge_extractions(extractions: Iterable[Extraction]) -> tuple[list[Extraction], list[Merge]]:
    """Merge the records that describe the same paper; return the merged records and the merges made.

    Records are grouped by shared identity keys (transitively); each group of two or more becomes one
    record (see the module notes), listed in the first record's position. A record whose id repeats
    an earlier record's is a merge too.

    Examples:
        >>> from citekg.model import Paper
        >>> arxiv = Extraction(Paper(id="arxiv:1706.03762", title="Attention Is All You Need",
        ...                          abstract="The Transformer ..."))
        >>> bib = Extraction(Paper(id="doi:10.5555/3295222", title="Attention is all you need.",
        ...                        year=2017, references=("arxiv:1409.0473",)))
        >>> merged, merges = merge_extractions([bib, arxiv])
        >>> [(e.paper.id, e.paper.year, e.paper.ids, e.paper.references) for e in merged]
        [('arxiv:1706.03762', 2017, (('doi', '10.5555/3295222'),), ('arxiv:1409.0473',))]
        >>> merges[0].to_dict()
        {'into': 'arxiv:1706.03762', 'merged': ['doi:10.5555/3295222'], 'by': 'title'}
    """
    records = list(extractions)
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    shared: dict[int, str] = {}
    for index, extraction in enumerate(records):
        for key in identity_keys(extraction.paper):
            other = owner.setdefault(key, index)
            if other != index and find(other) != find(index):
                a, b = sorted((find(other), find(index)))
                parent[b] = a
                shared.setdefault(a, key)
    groups: dict[int, list[Extraction]] = {}
    for index, extraction in enumerate(records):
        groups.setdefault(find(index), []).append(extraction)

    merged: list[Extraction] = []
    merges: list[Merge] = []
    for root, group in groups.items():
        if len(group) == 1:
            merged.append(group[0])
            continue
        result = _merge_group(group)
        merged.append(result)
        others = tuple(sorted({e.paper.id for e in group} - {result.paper.id}))
        by = shared.get(root, "id")
        merges.append(
            Merge(result.paper.id, others or (result.paper.id,), "title" if by.startswith("title:") else by)
        )
    return merged, merges
