"""Big builds: stream extractions into an EMPTY store with Oxigraph's bulk loader, then resolve globally.

:meth:`GraphStore.update <citekg.graph.store.GraphStore.update>` plans a whole write with rdflib terms and
commits one transaction: right for ``citekg add`` of a few papers, too slow and too big in memory for a
corpus. :class:`BulkWriter` writes the same graph another way:

1. :meth:`~BulkWriter.write` takes extractions in batches; each batch is merged (records of one paper,
   also with papers of earlier batches), turned into N-Triples text by
   :func:`~citekg.graph.build.ntriples_for` (the generator :func:`~citekg.graph.build.triples_for`
   shares, without entity nodes) and handed to
   ``Store.bulk_load`` on a background thread, so Python builds batch k+1 while Rust loads batch k. What the
   final passes need (surface forms per entity key, alias evidence, who proposes and uses what, references
   not yet resolvable, identity keys of papers) goes to a SQLite ledger (:mod:`citekg.graph.bulk_ledger`),
   so Python memory is bounded by the batch.
2. :meth:`~BulkWriter.finish` does what the update path does for an empty store, from the ledger: cited
   papers that arrived after their citers are folded in, alias keys are resolved across papers and their
   mentions re-pointed, every entity node is written once with its labels, builds-on evidence is inferred
   (:mod:`citekg.graph.citations`), and the precomputed views (:mod:`citekg.graph.views`) are refreshed.

Atomicity: an on-disk store is built in a staging directory inside the graph directory
(``bulk-staging/``) and renamed into place only when :meth:`~BulkWriter.finish` succeeds, so a killed
build leaves the store empty (as it was). A new writer on the same store resumes the staging directory:
records already committed are skipped (same id and content), so re-sending a batch is harmless.
The result equals ``GraphStore.update`` of the same extractions on an empty store (tests compare them).
Imports pyoxigraph, rdflib and citekg's graph modules; never spaCy.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from citekg.errors import StoreError
from citekg.graph.build import (
    _NT_TERMS,
    ENTITY_CLASSES,
    _entity_iri,
    _normalize_key,
    identity_keys,
    ntriples_for,
)
from citekg.graph.bulk_ledger import Ledger, digest, pack
from citekg.graph.citations import builds_on
from citekg.graph.merge import Merge, merge_extractions
from citekg.graph.resolve import alias_map, preferred_label
from citekg.graph.store import GraphStore, _ntriples_lines
from citekg.graph.views import refresh_views
from citekg.model import Extraction
from citekg.ontology.iri import builds_on_iri, citation_iri, paper_id_from_iri, paper_iri
from citekg.ontology.namespace import CKG, RDFS, SKOS

__all__ = ["STAGING_DIR", "BulkReport", "BulkWriter"]

#: Name of the staging directory inside the graph directory.
STAGING_DIR = "bulk-staging"
#: N-Triples lines per ``bulk_load`` call. The loader's memory grows with its input (a 275 MB file of
#: 2 M lines took 1.3 GB of RSS and twice the time of ten 200 k-line calls, measured here), so a batch
#: is loaded in pieces of this size.
LOAD_LINES = 200_000
_ROLES = ("proposed", "used")
_EDGES = "ckg:mentions, ckg:proposes, ckg:uses, ckg:compares"
_PREF, _LABEL, _ALT = f"<{SKOS.prefLabel}>", f"<{RDFS.label}>", f"<{SKOS.altLabel}>"
_ALIAS_KEY = f"<{CKG.aliasKey}>"


@dataclass
class BulkReport:
    """What a bulk build wrote, and where the time and memory went.

    ``seconds`` is wall time by phase (``load`` runs on the background thread, overlapping ``generate``),
    ``cpu_seconds`` the CPU time of the calling thread by phase (the loader's own threads are not in
    it), ``peak_rss_mb`` the process's peak RSS at the end of each phase.
    """

    records: int = 0
    papers: int = 0
    batches: int = 0
    merges: list[Merge] = field(default_factory=list)
    redirected: list[tuple[str, str]] = field(default_factory=list)
    entities: int = 0
    aliases: int = 0
    builds_on: int = 0
    lines_loaded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "records": self.records,
            "papers": self.papers,
            "batches": self.batches,
            "merges": [m.to_dict() for m in self.merges],
            "external_papers_resolved": [{"from": a, "into": b} for a, b in self.redirected],
            "entities": self.entities,
            "alias_keys": self.aliases,
            "builds_on_evidence": self.builds_on,
            "ntriples_lines_loaded": self.lines_loaded,
            "seconds": {name: round(value, 3) for name, value in self.seconds.items()},
            "cpu_seconds": {name: round(value, 3) for name, value in self.cpu_seconds.items()},
            "peak_rss_mb": {name: round(value, 1) for name, value in self.peak_rss_mb.items()},
        }


class _Cited(Mapping[str, str]):
    """Cited id → paper node id: this batch's papers first, then the ledger (looked up once per id)."""

    def __init__(self, local: dict[str, str], ledger: Ledger) -> None:
        self._local = local
        self._ledger = ledger
        self._cache: dict[str, str | None] = {}

    def _find(self, key: str) -> str | None:
        if key in self._local:
            return self._local[key]
        if key not in self._cache:
            self._cache[key] = self._ledger.nodes_of_keys([key]).get(key)
        return self._cache[key]

    def __getitem__(self, key: str) -> str:
        value = self._find(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._local)

    def __len__(self) -> int:
        return len(self._local)


class BulkWriter:
    """Write a big corpus into an EMPTY store in batches with the bulk loader; see the module notes.

    Examples:
        >>> from citekg.model import Extraction, Mention, Paper
        >>> a = Paper(id="arxiv:2101.00001", title="ViT: Vision Transformer")
        >>> b = Paper(id="arxiv:2101.00002", title="Using ViT", references=("arxiv:2101.00001",))
        >>> with GraphStore.open(None) as store:
        ...     with BulkWriter(store, batch_size=1) as writer:
        ...         writer.write([Extraction(b, (Mention(b.id, "model", "ViT", 6, 9, "title", "vit"),)),
        ...                       Extraction(a, (Mention(a.id, "model", "ViT", 0, 3, "title", "vit",
        ...                                              "proposed"),))])
        ...         report = writer.finish()
        ...     rows = store.query("SELECT ?l WHERE { ?e skos:prefLabel ?l }")
        ...     (report.papers, [row["l"].value for row in rows])
        2
        (2, ['ViT'])
    """

    def __init__(self, store: GraphStore, *, batch_size: int = 5000) -> None:
        if store.read_only:
            raise StoreError(f"{store!r} is read-only; open it without read_only to build")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.store = store
        self.base = store.base
        self.batch_size = batch_size
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if store.path is None:
            _require_empty(store.ox, store)
            self._tmp = tempfile.TemporaryDirectory(prefix="citekg-bulk-")
            folder = Path(self._tmp.name)
            self.staging_path: Path | None = None
            self._ox: ox.Store | None = store.ox
        else:
            folder = store.path / STAGING_DIR
            self.staging_path = folder
            if _swapped(folder):
                shutil.rmtree(folder)  # left over by a swap that completed
            _require_empty(store.ox, store)
            folder.mkdir(parents=True, exist_ok=True)
            self._ox = ox.Store(str(folder / "oxigraph"))
        self.resumed = (folder / "ledger.sqlite").exists()
        self.ledger = Ledger(folder)
        stored_base = self.ledger.get("base")
        if stored_base is not None and stored_base != self.base:
            raise StoreError(f"{folder} was started with base IRI {stored_base!r}, not {self.base!r}")
        self.ledger.set("base", self.base)
        self.ledger.commit()
        # Queries over the staging data go through a GraphStore (prefixes, bindings); never closed by us.
        self._reader: GraphStore | None = GraphStore(self._ox, path=None, base=self.base, read_only=False)
        self._folder = folder
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citekg-bulk-load")
        self._inflight: Future[None] | None = None
        self._turn = 0
        self.report = BulkReport()
        self._seconds: defaultdict[str, float] = defaultdict(float)
        self._cpu: defaultdict[str, float] = defaultdict(float)

    # -- context manager and closing ------------------------------------------------------------------

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop without finishing: wait for the load in flight, keep the staging dir for a later resume."""
        if self._pool is None:
            return
        try:
            self._drain()
        finally:
            self._pool.shutdown(wait=True)
            self._pool = None  # type: ignore[assignment]
            self.ledger.close()
            self._release()
            if self._tmp is not None:
                self._tmp.cleanup()

    def _release(self) -> None:
        """Drop every reference to the staging store (RocksDB keeps a per-path lock while one lives)."""
        if self._reader is not None:
            self._reader._ox = None
            self._reader = None
        self._ox = None
        gc.collect()

    # -- what a caller resuming a build asks ----------------------------------------------------------

    def loaded(self, ids: Iterable[str]) -> set[str]:
        """Return which of these input record ids are committed (loaded and recorded in the ledger)."""
        self._drain()
        return self.ledger.loaded(ids)

    def flush(self) -> None:
        """Wait for the batch being loaded and commit it: every record written so far is then durable."""
        self._drain()

    # -- writing ----------------------------------------------------------------------------------------

    def write(self, extractions: Iterable[Extraction]) -> int:
        """Write extractions in batches of ``batch_size``; return how many records were new.

        A record already committed (same id and same content) is skipped; another record with the id of
        a written paper, or sharing an identity key with one, is merged with it as ``update`` would.
        """
        if self._pool is None:
            raise StoreError("this BulkWriter is closed")
        written = 0
        batch: list[Extraction] = []
        for extraction in extractions:
            batch.append(extraction)
            if len(batch) >= self.batch_size:
                written += self._write_batch(batch)
                batch = []
        if batch:
            written += self._write_batch(batch)
        return written

    def _write_batch(self, raw: list[Extraction]) -> int:
        started, cpu = time.perf_counter(), time.thread_time()
        ledger = self.ledger
        packed = [pack(e) for e in raw]
        digests = [digest(data) for data in packed]
        known = ledger.known_records(zip((e.paper.id for e in raw), digests, strict=True))
        keep = [i for i, e in enumerate(raw) if (e.paper.id, digests[i]) not in known]
        if not keep:
            return 0
        raw = [raw[i] for i in keep]
        packed = [packed[i] for i in keep]
        digests = [digests[i] for i in keep]

        # Group the batch's records with each other and with papers already written, by identity key.
        keys = [identity_keys(e.paper) for e in raw]
        hits = ledger.nodes_of_keys(k for ks in keys for k in ks)
        parent: dict[Any, Any] = {}

        def find(item: Any) -> Any:
            parent.setdefault(item, item)
            while parent[item] != item:
                parent[item] = parent[parent[item]]
                item = parent[item]
            return item

        owner: dict[str, int] = {}
        for index, record_keys in enumerate(keys):
            find(index)
            for key in record_keys:
                other = owner.setdefault(key, index)
                if other != index:
                    parent[find(index)] = find(other)
                if key in hits:
                    parent[find(("node", hits[key]))] = find(index)
        groups: dict[Any, tuple[list[int], set[str]]] = {}
        for item in list(parent):
            members, nodes = groups.setdefault(find(item), ([], set()))
            if isinstance(item, int):
                members.append(item)
            else:
                nodes.add(item[1])

        ordered = sorted(groups.values(), key=lambda g: min(g[0]))
        for members, _ in ordered:
            members.sort()
        remerged = self._remerge([(nodes, [raw[i] for i in members]) for members, nodes in ordered if nodes])
        final: list[tuple[Extraction, list[int]]] = []
        for members, nodes in ordered:
            if nodes:
                record = remerged[min(nodes)]
            elif len(members) == 1:
                record = raw[members[0]]
            else:
                (record,), (merge,) = merge_extractions(raw[i] for i in members)
                ledger.set_merge(record.paper.id, merge.merged, merge.by)
            final.append((record, members))

        # N-Triples, written to a file the background loader reads, and the ledger's facts.
        local: dict[str, str] = {}
        for record, _ in final:
            for key in identity_keys(record.paper):
                local.setdefault(key, record.paper.id)
        cited = _Cited(local, ledger)
        forms: Counter[tuple[str, str, str]] = Counter()
        aliases: Counter[tuple[str, str, str]] = Counter()
        roles: dict[tuple[str, str, str], float] = {}
        pending: list[tuple[str, str, str | None, str, str, bool]] = []
        with _ChunkFiles(self._folder, f"batch-{self._turn}") as chunks:
            for record, _ in final:
                unresolved: list[tuple[str, str | None, str, str, bool]] = []
                chunks.write(
                    ntriples_for(
                        record, base=self.base, cited=cited, entity_nodes=False, unresolved=unresolved
                    )
                )
                pending.extend(
                    (c, record.paper.id, title, s, ev, certain) for c, title, s, ev, certain in unresolved
                )
                _facts(record, self.base, forms, aliases, roles)
        self._turn ^= 1
        self._seconds["generate"] += time.perf_counter() - started
        self._cpu["generate"] += time.thread_time() - cpu

        self._drain()
        ledger.add_records(
            (raw[i].paper.id, digests[i], record.paper.id, packed[i])
            for record, members in final
            for i in members
        )
        ledger.set_keys((key, node) for key, node in local.items())
        ledger.add_forms((kind, key, form, n) for (kind, key, form), n in forms.items())
        ledger.add_aliases((kind, surface, key, n) for (kind, surface, key), n in aliases.items())
        ledger.add_roles((entity, paper, role, conf) for (entity, paper, role), conf in roles.items())
        ledger.add_pending(pending)
        self._submit(chunks.paths)
        self.report.batches += 1
        self.report.lines_loaded += chunks.lines
        self._seconds["write"] += time.perf_counter() - started
        self._cpu["write"] += time.thread_time() - cpu
        self.report.peak_rss_mb["write"] = _peak_rss_mb()
        return len(raw)

    def _remerge(self, groups: list[tuple[set[str], list[Extraction]]]) -> dict[str, Extraction]:
        """Merge new records with papers already written: the old papers' triples and facts go.

        Each group is ``(written paper nodes, new records)``; returns the merged record by the group's
        smallest node id. Every group of a batch is done at once (a few queries and one update), since a
        second source of the same corpus makes nearly every record such a merge.
        """
        if not groups:
            return {}
        self._drain()  # the store must hold the earlier batches before their papers are rewritten
        ledger, base = self.ledger, self.base
        originals = ledger.originals_of({node for nodes, _ in groups for node in nodes})
        forms: Counter[tuple[str, str, str]] = Counter()
        aliases: Counter[tuple[str, str, str]] = Counter()
        moves: dict[str, str] = {}
        merged_by_group: dict[str, Extraction] = {}
        merges: list[Merge] = []
        for nodes, records in groups:
            (merged,), (merge,) = merge_extractions(
                [*(e for n in sorted(nodes) for e in originals[n]), *records]
            )
            target = merged.paper.id
            for node in nodes:
                (old,), _ = merge_extractions(originals[node])
                _facts(old, base, forms, aliases, {})
                moves[node] = target
            merged_by_group[min(nodes)] = merged
            merges.append(merge)
        self._delete_papers(moves)
        ledger.add_forms((kind, key, form, -n) for (kind, key, form), n in forms.items())
        ledger.add_aliases((kind, surface, key, -n) for (kind, surface, key), n in aliases.items())
        for node, target in moves.items():
            ledger.drop_roles(paper_iri(node, base))
            ledger.move_node(node, target)
        for merge in merges:
            ledger.set_merge(merge.into, merge.merged, merge.by)
        for merged in merged_by_group.values():
            # Keys of the merged paper that others cited as external nodes are folded in by finish().
            ledger.add_pending(
                (key, merged.paper.id, None, "", "", True) for key in identity_keys(merged.paper)
            )
        return merged_by_group

    def _delete_papers(self, moves: dict[str, str]) -> None:
        """Delete written papers' own triples (mentions, outgoing citations); re-point citations of them."""
        from citekg.graph.update import _select, _term
        from rdflib import URIRef

        base = self.base
        nodes = [URIRef(paper_iri(node, base)) for node in moves]
        delete: set[Any] = set()
        for sparql in (
            "SELECT ?s ?p ?o WHERE { #VALUES# ?s ckg:inPaper ?n ; ?p ?o }",
            "SELECT ?s ?p ?o WHERE { #VALUES# ?s ckg:sourcePaper ?n ; a ckg:Citation ; ?p ?o }",
            "SELECT ?s ?p ?o WHERE { #VALUES# ?n ?p ?o BIND(?n AS ?s) }",
        ):
            for row in _select(self._reader_store(), sparql, "n", nodes):
                delete.add((_term(row["s"]), _term(row["p"]), _term(row["o"])))
        self._apply(delete, set())
        self._redirect(
            {
                paper_iri(node, base): paper_iri(target, base)
                for node, target in moves.items()
                if node != target
            }
        )

    # -- loading ----------------------------------------------------------------------------------------

    def _submit(self, paths: list[Path]) -> None:
        """Load the files on the background thread, one bulk_load each, deleting each when loaded."""
        store = self._ox
        assert store is not None and self._pool is not None

        def load() -> None:
            started = time.perf_counter()
            for path in paths:
                store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
                path.unlink()
            self._seconds["load"] += time.perf_counter() - started

        self._inflight = self._pool.submit(load)

    def _drain(self) -> None:
        """Wait for the load in flight, then commit the ledger rows written with it.

        With nothing in flight nothing is committed: the ledger changes of a batch (its re-merges
        included, which happen before its load is submitted) become durable only with its triples.
        """
        if self._inflight is None:
            return
        started = time.perf_counter()
        future, self._inflight = self._inflight, None
        try:
            future.result()
        except (OSError, SyntaxError, ValueError) as exc:
            self.ledger.rollback()  # the batch is not committed: a resumed build writes it again
            raise StoreError(f"bulk load into {self._folder} failed: {exc}") from exc
        finally:
            self._seconds["wait_for_load"] += time.perf_counter() - started
        self.ledger.commit()

    def _load_lines(self, lines: Iterable[str]) -> int:
        """Bulk-load N-Triples lines (streamed through files) and wait for it."""
        with _ChunkFiles(self._folder, "finish") as chunks:
            for line in lines:
                chunks.write((line,))
        self._submit(chunks.paths)
        self._drain()
        self.report.lines_loaded += chunks.lines
        return chunks.lines

    def _apply(self, delete: Iterable[Any], insert: Iterable[Any]) -> None:
        """Delete then insert rdflib triples in the staging store (one update; rare, small changes)."""
        removed, added = _ntriples_lines(delete), _ntriples_lines(insert)
        if not removed and not added:
            return
        assert self._ox is not None
        self._ox.update("DELETE DATA {\n" + "".join(removed) + "} ;\nINSERT DATA {\n" + "".join(added) + "}")

    def _reader_store(self) -> GraphStore:
        assert self._reader is not None
        return self._reader

    def _query(self, sparql: str) -> list[dict[str, Any]]:
        result = self._reader_store().query(sparql)
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [{name: row[name] for name in names} for row in result]  # type: ignore[union-attr]

    # -- finishing --------------------------------------------------------------------------------------

    def finish(self) -> BulkReport:
        """Run the global passes, refresh the views and swap the staging store in; return the report.

        Safe to call again after a crash (each pass re-derives its work from the ledger and the store).
        """
        if self._pool is None:
            raise StoreError("this BulkWriter is closed")
        self._drain()
        timer, cpu = time.perf_counter(), time.thread_time()

        def lap(name: str) -> None:
            nonlocal timer, cpu
            now, now_cpu = time.perf_counter(), time.thread_time()
            self._seconds[name] += now - timer
            self._cpu[name] += now_cpu - cpu
            self.report.peak_rss_mb[name] = _peak_rss_mb()
            timer, cpu = now, now_cpu

        self._resolve_citations()
        lap("finish_citations")
        canonical = self._resolve_entities()
        lap("finish_entities")
        self._infer_builds_on(canonical)
        lap("finish_builds_on")
        refresh_views(self._reader_store())
        lap("finish_views")
        report = self.report
        report.records = self.ledger.record_count()
        report.papers = self.ledger.node_count()
        report.merges = [Merge(node, tuple(merged), by) for node, merged, by in self.ledger.merges()]
        self.ledger.set("state", "swapping")
        self.ledger.commit()
        self._swap()
        lap("finish_swap")
        report.seconds = dict(self._seconds)
        report.cpu_seconds = dict(self._cpu)
        return report

    def _swap(self) -> None:
        """Put the staging store in place of the (empty) live one and close this writer."""
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        self._pool = None  # type: ignore[assignment]
        self.ledger.close()
        if self.staging_path is None:
            self._release()
            if self._tmp is not None:
                self._tmp.cleanup()
            return
        if self._ox is not None:
            self._ox.flush()
        self._release()
        self.store._swap_in(self.staging_path / "oxigraph")
        shutil.rmtree(self.staging_path, ignore_errors=True)

    def _resolve_citations(self) -> None:
        """Fold external paper nodes whose id turned out to be an input paper's; add late quoted titles.

        Streams the ledger's resolved references (ordered by cited id) and folds 1,000 nodes at a time.
        """
        base = self.base
        redirects: dict[str, str] = {}
        retitle: set[str] = set()
        t = _NT_TERMS
        with _ChunkFiles(self._folder, "citations") as chunks:
            for cited, owner, citing, _title, source, evidence, certain in self.ledger.resolved_pending():
                x, o = paper_iri(cited, base), paper_iri(owner, base)
                if certain or not source:
                    if x != o:
                        redirects[x] = o
                        if len(redirects) >= 1000:
                            self._redirect(redirects)
                            redirects = {}
                    elif cited.startswith("title:"):
                        retitle.add(owner)
                elif owner != citing:
                    s, target = t.iri(paper_iri(citing, base)), t.iri(o)
                    node = t.iri(citation_iri(citing, owner, source, base))
                    chunks.write(
                        (
                            f"{s} {t.cites} {target} .\n",
                            f"{node} {t.type} {t.Citation} .\n",
                            f"{node} {t.sourcePaper} {s} .\n",
                            f"{node} {t.targetPaper} {target} .\n",
                            f"{node} {t.citationSource} {t.text(source)} .\n",
                            f"{node} {t.evidenceText} {t.text(evidence)} .\n",
                        )
                    )
        self._redirect(redirects)
        for owner in sorted(retitle):
            # A title-id paper cited by a title written differently: only its own title stays.
            (record,), _ = merge_extractions(self.ledger.originals(owner))
            p = f"<{paper_iri(owner, base)}>"
            for row in self._query(f"SELECT ?t WHERE {{ {p} dcterms:title ?t }}"):
                if row["t"].value != record.paper.title:
                    stale = f"{p} {t.title} {t.text(row['t'].value)} ."
                    self._ox.update(f"DELETE DATA {{ {stale} }}")  # type: ignore[union-attr]
        self._submit(chunks.paths)
        self._drain()
        self.report.lines_loaded += chunks.lines

    def _redirect(self, redirects: dict[str, str]) -> None:
        """Fold external paper nodes into input papers, as ``update`` does (citations re-pointed)."""
        from citekg.graph.update import UpdatePlan, _plan_redirects

        if redirects:
            plan = UpdatePlan()
            _plan_redirects(self._reader_store(), plan, redirects, self.base)
            self._apply(plan.delete, plan.insert)
            self.report.redirected += plan.report.redirected

    def _resolve_entities(self) -> dict[str, str]:
        """Merge alias keys across papers, re-point their mentions and write every entity node once.

        Returns the raw entity IRI → canonical IRI map of the entities that moved.
        """
        from citekg.graph.update import _select

        base = self.base
        aliases = alias_map(self.ledger.alias_evidence())
        moved = {
            _entity_iri(kind, key, base): _entity_iri(kind, target, base)
            for (kind, key), target in aliases.items()
        }
        self.report.aliases = len(moved)
        if moved:
            from rdflib import URIRef

            delete: set[Any] = set()
            insert: set[Any] = set()
            sparql = (
                "SELECT ?s ?p ?e WHERE { #VALUES# ?s ?p ?e FILTER(?p IN (ckg:mentionOf, " + _EDGES + ")) }"
            )
            for row in _select(self._reader_store(), sparql, "e", map(URIRef, moved)):
                s, p, e = URIRef(row["s"].value), URIRef(row["p"].value), row["e"].value
                delete.add((s, p, URIRef(e)))
                insert.add((s, p, URIRef(moved[e])))
            self._apply(delete, insert)

        entities: dict[str, tuple[Counter[str], set[str]]] = {}
        for kind, key, form, count in self.ledger.forms():
            iri = _entity_iri(kind, aliases.get((kind, key), key), base)
            forms, keys = entities.setdefault(iri, (Counter(), set()))
            if form:
                forms[form] += count
            keys.add(key)
        self.report.entities = len(entities)
        self._load_lines(_entity_lines(entities, base))
        return moved

    def _infer_builds_on(self, moved: dict[str, str]) -> None:
        """Builds-on evidence: for entities proposed by 1 to MAX_PROPOSERS papers, every paper using them."""
        from citekg.graph.citations import MAX_PROPOSERS

        proposers: dict[str, set[str]] = defaultdict(set)
        for entity, paper in self.ledger.proposers():
            proposers[moved.get(entity, entity)].add(paper)
        candidates = sorted(entity for entity, papers in proposers.items() if len(papers) <= MAX_PROPOSERS)
        del proposers
        members: dict[str, list[str]] = defaultdict(list)
        for raw, target in moved.items():
            members[target].append(raw)

        def lines() -> Iterator[str]:
            t = _NT_TERMS
            for start in range(0, len(candidates), 2000):
                # One chunk holds every raw (alias) entity of its canonical entities.
                chunk = candidates[start : start + 2000]
                raws = [raw for entity in chunk for raw in [entity, *members.get(entity, ())]]
                rows = self.ledger.roles_of(raws)
                evidence = builds_on((paper, moved.get(e, e), role, conf) for e, paper, role, conf in rows)
                for item in evidence:
                    paper_id = paper_id_from_iri(item.paper, self.base)
                    basis_id = paper_id_from_iri(item.basis, self.base)
                    if paper_id is None or basis_id is None:
                        continue
                    self.report.builds_on += 1
                    node = t.iri(builds_on_iri(paper_id, basis_id, item.entity, self.base))
                    src, dst = t.iri(item.paper), t.iri(item.basis)
                    yield f"{node} {t.type} {t.BuildsOnEvidence} .\n"
                    yield f"{node} {t.sourcePaper} {src} .\n"
                    yield f"{node} {t.targetPaper} {dst} .\n"
                    yield f"{node} {t.viaEntity} {t.iri(item.entity)} .\n"
                    yield f"{node} {t.confidence} {t.double(item.confidence)} .\n"
                    yield f"{src} {t.buildsOn} {dst} .\n"

        self._load_lines(lines())


class _ChunkFiles:
    """N-Triples lines written to numbered files of at most :data:`LOAD_LINES` lines each."""

    def __init__(self, folder: Path, stem: str) -> None:
        self.folder, self.stem = folder, stem
        self.paths: list[Path] = []
        self.lines = 0
        self._in_file = LOAD_LINES
        self._handle: Any = None

    def __enter__(self) -> _ChunkFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def write(self, lines: list[str] | tuple[str, ...]) -> None:
        """Append the lines of one paper (never split across files)."""
        if self._in_file >= LOAD_LINES:
            if self._handle is not None:
                self._handle.close()
            path = self.folder / f"{self.stem}-{len(self.paths)}.nt"
            self.paths.append(path)
            self._handle = path.open("w", encoding="utf-8")
            self._in_file = 0
        self._handle.writelines(lines)
        self._in_file += len(lines)
        self.lines += len(lines)


def _facts(
    record: Extraction,
    base: str,
    forms: Counter[tuple[str, str, str]],
    aliases: Counter[tuple[str, str, str]],
    roles: dict[tuple[str, str, str], float],
) -> None:
    """Count what the final passes need from one paper's mentions (as ``update`` reads its rows)."""
    paper = paper_iri(record.paper.id, base)
    for m in record.mentions:
        norm = _normalize_key(m.key.strip() or m.text.strip())
        if not norm:
            continue
        kind = m.label.lower()
        forms[(kind, norm, m.text)] += 1
        surface = _normalize_key(m.text)
        if surface and surface != norm:
            aliases[(kind, surface, norm)] += 1
        if m.role in _ROLES:
            slot = (_entity_iri(kind, norm, base), paper, m.role)
            confidence = round(float(m.confidence), 4)
            if roles.get(slot, -1.0) < confidence:
                roles[slot] = confidence


def _entity_lines(entities: dict[str, tuple[Counter[str], set[str]]], base: str) -> Iterator[str]:
    """The N-Triples of every entity node: types, key, labels from form counts, alias keys."""
    t = _NT_TERMS
    classes = {kind: t.iri(str(cls)) for kind, cls in ENTITY_CLASSES.items()}
    for iri, (forms, keys) in entities.items():
        e = t.iri(iri)
        kind, _, segment = iri.removeprefix(base).partition("/")
        key = unquote(segment)
        yield f"{e} {t.type} {classes.get(kind, t.Entity)} .\n"
        yield f"{e} {t.type} {t.Entity} .\n"
        yield f"{e} {t.key} {t.short(key)} .\n"
        if forms:
            label = preferred_label(forms)
            text = t.text(label)
            yield f"{e} {_PREF} {text} .\n"
            yield f"{e} {_LABEL} {text} .\n"
            for form in forms:
                if form != label:
                    yield f"{e} {_ALT} {t.text(form)} .\n"
        for alias in sorted(keys - {key}):
            yield f"{e} {_ALIAS_KEY} {t.short(alias)} .\n"


def _peak_rss_mb() -> float:
    """Peak RSS of this process so far, in MB (``ru_maxrss`` is in KB on Linux, bytes on macOS)."""
    import resource
    import sys

    unit = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / (1 << 20)


def _swapped(folder: Path) -> bool:
    """Whether ``folder`` is what a completed swap left: a ledger in state ``swapping``, no store."""
    ledger = folder / "ledger.sqlite"
    if (folder / "oxigraph").exists() or not ledger.exists():
        return False
    import sqlite3

    db = sqlite3.connect(ledger)
    try:
        row = db.execute("SELECT value FROM meta WHERE name = 'state'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        db.close()
    return row is not None and row[0] == "swapping"


def _require_empty(store: ox.Store, where: GraphStore) -> None:
    if next(iter(store), None) is not None:
        raise StoreError(
            f"{where!r} is not empty: BulkWriter builds only into an empty store; "
            "add to it with GraphStore.update"
        )
