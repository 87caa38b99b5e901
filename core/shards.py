"""Shards: a corpus's graph written as N-Triples files plus extraction JSON Lines, and bulk-loaded back.

A shard set is a directory that ``citekg shard`` writes, one pair of files per input partition:

- ``part-00000.nt``: the per-paper triples of that partition (:func:`citekg.graph.build.triples_for`),
  which any SPARQL store bulk-loads;
- ``part-00000.extractions.jsonl``: the same papers' extraction records (DESIGN §3), so the graph can be
  rebuilt or finished without running NLP again;
- ``manifest.json``, written last: the shards, their counts and what made them.

Every file is written under a ``.partial`` name and renamed when complete, and the manifest only once
every shard is, so a crashed job never leaves a file that looks finished. Names depend only on the
partition index, and contents only on the input, so the same input gives the same shards.

Some of the graph needs every paper at once: entity labels and alias merges across papers, citations
resolved to a paper named by another id, paper merges and ``ckg:buildsOn`` evidence. The N-Triples
shards do not hold those triples (no partition sees the whole corpus), so they suit a store that only
needs the per-paper facts, or a bulk load into QLever, Virtuoso or Jena. :func:`load_shards` therefore
adds a citekg shard from its extraction records (the graph ``citekg build`` gives), and bulk-loads
only shards without them, or every shard when asked for ``raw``. rdflib and pyoxigraph are imported
lazily.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.errors import InputError, StoreError
from citekg.model import Extraction

if TYPE_CHECKING:
    from citekg.graph.store import GraphStore

__all__ = [
    "EXTRACTIONS_SUFFIX",
    "MANIFEST",
    "LoadSummary",
    "ShardCounts",
    "extraction_shard_for",
    "load_graph",
    "load_shards",
    "read_manifest",
    "shard_files",
    "shard_name",
    "write_manifest",
    "write_shard",
]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
EXTRACTIONS_SUFFIX = ".extractions.jsonl"
PARTIAL_SUFFIX = ".partial"
_MANIFEST_TAG = "citekg-shards"
_MANIFEST_VERSION = 1
#: Bulk-loadable shard formats by file suffix.
_RDF_SUFFIXES = {".nt": "N_TRIPLES", ".nq": "N_QUADS"}


def shard_name(index: int) -> str:
    """Return the file stem of partition ``index``'s shards.

    Examples:
        >>> shard_name(0), shard_name(1234)
        ('part-00000', 'part-01234')
        >>> shard_name(-1)
        Traceback (most recent call last):
        ...
        ValueError: a partition index is >= 0, not -1
    """
    if index < 0:
        raise ValueError(f"a partition index is >= 0, not {index}")
    return f"part-{index:05d}"


def extraction_shard_for(rdf_shard: Path) -> Path:
    """Return the extraction JSONL that belongs beside an N-Triples or N-Quads shard.

    Examples:
        >>> extraction_shard_for(Path("out/part-00003.nt")).as_posix()
        'out/part-00003.extractions.jsonl'
    """
    return rdf_shard.with_name(rdf_shard.name.rsplit(".", 1)[0] + EXTRACTIONS_SUFFIX)


@dataclass
class ShardCounts:
    """What one shard holds."""

    name: str
    papers: int = 0
    triples: int = 0
    bytes: int = 0


def _partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def write_shard(
    extractions: Iterable[Extraction],
    directory: str | Path,
    name: str,
    *,
    base: str | None = None,
    rdf: bool = True,
) -> ShardCounts:
    """Write ``<name>.nt`` and ``<name>.extractions.jsonl`` for the extractions, in their order.

    Triples are those of :func:`~citekg.graph.build.triples_for`, deduplicated within the shard (an
    entity's type is written once per shard, not once per paper). Both files appear under their final
    names only when complete (the JSON Lines first, then the N-Triples); on an error neither does.

    Args:
        extractions: The papers of one partition; consumed lazily, so memory is one paper's triples
            plus the set of entity-level lines already written.
        directory: Where the shard goes (created if missing).
        name: The file stem, e.g. :func:`shard_name` of the partition index.
        base: Namespace of instance IRIs (default :data:`citekg.ontology.namespace.CITEKG_NS`).
        rdf: Write the N-Triples; without, only the extraction records (what ``citekg build
            --engine dask`` reads back), and the counts give no triples.
    """
    from citekg.graph.build import triples_for
    from citekg.graph.store import to_ntriples
    from citekg.ontology.iri import paper_iri
    from citekg.ontology.namespace import CITEKG_NS

    base = base or CITEKG_NS
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    nt_path, jsonl_path = root / f"{name}.nt", root / f"{name}{EXTRACTIONS_SUFFIX}"
    nt_partial, jsonl_partial = _partial(nt_path), _partial(jsonl_path)
    counts = ShardCounts(name=name)
    # Lines not tied to one paper (entity and cited-paper nodes) repeat across papers; write each once.
    shared: set[str] = set()
    try:
        with (
            nt_partial.open("w", encoding="utf-8", newline="\n") as nt,
            jsonl_partial.open("w", encoding="utf-8", newline="\n") as jsonl,
        ):
            for extraction in extractions:
                jsonl.write(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                counts.papers += 1
                if not rdf:
                    continue
                own: set[str] = set()
                paper = f"<{paper_iri(extraction.paper.id, base)}> "
                for triple in triples_for(extraction, base=base):
                    line = to_ntriples(triple)
                    if line in own or line in shared:
                        continue
                    own.add(line)
                    if _is_shared(line, paper, base):
                        shared.add(line)
                    nt.write(line)
                    counts.triples += 1
        jsonl_partial.replace(jsonl_path)
        if rdf:
            nt_partial.replace(nt_path)
    finally:
        nt_partial.unlink(missing_ok=True)
        jsonl_partial.unlink(missing_ok=True)
    counts.bytes = nt_path.stat().st_size if rdf else 0
    return counts


def _is_shared(line: str, paper: str, base: str) -> bool:
    """Whether an N-Triples line may recur for other papers: its subject is not ``paper`` or a part of it.

    Examples:
        >>> base = "https://w3id.org/citekg/"
        >>> own = f"<{base}paper/arxiv/1>"
        >>> _is_shared(f"{own} <p> <o> .", own + " ", base)
        False
        >>> _is_shared(f"<{base}mention/arxiv/1/title/0-4> <p> <o> .", own + " ", base)
        False
        >>> _is_shared(f"<{base}method/bert> <p> <o> .", own + " ", base)
        True
    """
    if line.startswith(paper):
        return False
    return not line.startswith((f"<{base}mention/", f"<{base}citation/"))


def write_manifest(directory: str | Path, shards: Sequence[ShardCounts], **meta: Any) -> Path:
    """Write ``manifest.json`` (atomically) listing the shards in order, plus ``meta``.

    Write it after every shard is complete: loading a directory trusts the manifest alone.
    """
    path = Path(directory) / MANIFEST
    record = {
        "format": _MANIFEST_TAG,
        "version": _MANIFEST_VERSION,
        **meta,
        "papers": sum(s.papers for s in shards),
        "triples": sum(s.triples for s in shards),
        "shards": [asdict(s) for s in shards],
    }
    partial = _partial(path)
    partial.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """Return a shard directory's manifest.

    Raises:
        InputError: The directory has no manifest (the job that wrote it did not finish) or an
            unreadable one.
    """
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise InputError(
            str(directory),
            f"no {MANIFEST}: not a shard set, or the job writing it did not finish; rerun `citekg shard`",
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"unreadable manifest ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != _MANIFEST_TAG:
        raise InputError(str(path), "not a citekg shard manifest")
    return record


def shard_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand the arguments of ``citekg load`` into RDF shard files, in order.

    A directory stands for the shards its manifest lists; a file is taken as given and must end in
    ``.nt`` or ``.nq``.

    Raises:
        InputError: A path is missing, a directory has no manifest, or a file is of another format.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            manifest = read_manifest(path)
            for shard in manifest["shards"]:
                found.append(path / f"{shard['name']}.nt")
            continue
        if not path.is_file():
            raise InputError(str(path), "no such file or directory")
        if path.suffix not in _RDF_SUFFIXES:
            raise InputError(str(path), "not a shard: give .nt or .nq files, or a shard directory")
        found.append(path)
    for path in found:
        if not path.is_file():
            raise InputError(str(path), "listed in the manifest but missing; rerun `citekg shard`")
    return found


@dataclass
class LoadSummary:
    """What one ``citekg load`` did."""

    shards: list[str] = field(default_factory=list)
    bulk_loaded: int = 0
    replayed: int = 0
    papers: int = 0
    triples_before: int = 0
    triples: int = 0
    seconds: float = 0.0
    graph: dict[str, Any] = field(default_factory=dict)

    @property
    def triples_added(self) -> int:
        """Triples this load added."""
        return self.triples - self.triples_before

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        record = asdict(self)
        record["triples_added"] = self.triples_added
        record["seconds"] = round(self.seconds, 3)
        return record


def load_shards(store: GraphStore, paths: Sequence[Path], *, raw: bool = False) -> LoadSummary:
    """Load shards into ``store``, in order: citekg shards from their extraction records, others in bulk.

    A shard with its ``.extractions.jsonl`` beside it (what ``citekg shard`` writes) is added with
    :meth:`~citekg.graph.store.GraphStore.update`, one transaction per shard, the first record of a
    paper id winning across shards. That writes what its N-Triples hold plus what needs the whole
    corpus (entity labels and alias merges, citations resolved across ids, paper merges, builds-on
    evidence), so the graph equals ``citekg build`` of the same input; each shard is all or nothing.

    Any other shard, and every shard with ``raw``, goes through Oxigraph's bulk loader
    (``pyoxigraph.Store.bulk_load``): several times faster and far leaner than a transaction, but not
    transactional (an interrupted load leaves part of the file in the store; loading the same file
    again is harmless, as a graph is a set) and with no whole-corpus pass except the precomputed views
    (:func:`citekg.graph.views.refresh_views`), recomputed once at the end.

    Raises:
        InputError: A shard is not valid N-Triples/N-Quads, or an extraction shard is malformed.
        StoreError: The store cannot be written.
    """
    import pyoxigraph as ox
    from citekg.readers import read_extractions

    summary = LoadSummary(shards=[str(p) for p in paths], triples_before=len(store))
    started = time.perf_counter()
    seen: set[str] = set()
    for path in paths:
        records_path = extraction_shard_for(path)
        if not raw and records_path.is_file():
            log.info("adding %s", records_path)
            records = []
            for extraction in read_extractions(records_path):
                if extraction.paper.id not in seen:
                    seen.add(extraction.paper.id)
                    records.append(extraction)
            if records:
                summary.papers += store.update(records).papers
            summary.replayed += 1
            continue
        format = getattr(ox.RdfFormat, _RDF_SUFFIXES.get(path.suffix, "N_TRIPLES"))
        log.info("bulk-loading %s", path)
        try:
            store.ox.bulk_load(path=str(path), format=format)
        except (SyntaxError, ValueError) as exc:
            raise InputError(str(path), f"not valid {format.name}: {exc}") from None
        except OSError as exc:
            raise StoreError(f"bulk load of {path} failed: {exc}") from exc
        summary.bulk_loaded += 1
    if summary.bulk_loaded:
        from citekg.graph.views import refresh_views

        # Bulk loads bypass GraphStore.update, which keeps the precomputed views current.
        refresh_views(store)
    store.ox.flush()
    summary.seconds = time.perf_counter() - started
    summary.triples = len(store)
    summary.graph = store.stats()
    return summary


def load_graph(
    graph_dir: str | Path,
    paths: Sequence[Path],
    *,
    append: bool = False,
    raw: bool = False,
    base: str | None = None,
) -> LoadSummary:
    """Load shards into the store at ``graph_dir``: a new store, or an existing one with ``append``.

    A new store is built in a sibling ``<graph_dir>.loading`` directory and renamed into place when
    every shard is loaded (see :func:`load_shards` for how), so an interrupted load leaves no store
    behind that looks complete (only the ``.loading`` directory, removed by the next run). With
    ``append`` the shards go straight into the existing store; an interrupted append keeps the shards
    already loaded (and, with bulk loading, part of the one being loaded), and running the same
    command again completes it.

    Raises:
        StoreError: ``graph_dir`` holds a store (or anything else) and ``append`` is not set, or the
            store cannot be opened.
    """
    from citekg.graph.store import GraphStore

    target = Path(graph_dir)
    occupied = target.exists() and (not target.is_dir() or any(target.iterdir()))
    if append:
        with GraphStore.open(target, base=base) as store:
            return load_shards(store, paths, raw=raw)
    if occupied:
        raise StoreError(
            f"{target} is not empty; load into a new directory, or pass --append to add the shards to it"
        )
    staging = target.with_name(target.name + ".loading")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        with GraphStore.open(staging, base=base) as store:
            summary = load_shards(store, paths, raw=raw)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary
