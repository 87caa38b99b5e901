"""The read → extract → build flow behind ``citekg build`` and ``citekg extract``, streamed.

Each stage is a function of its own (readers yield Papers, extractors yield Extractions, the store adds
triples), so this module only wires them and keeps the counts a user wants to see afterwards. Nothing
holds the corpus: records stream from the readers through extraction (in this process, in
``workers`` processes, or on Dask) into the store one batch at a time, so memory is bounded by the
batch (plus the set of paper ids seen, which is what makes "the first record of an id wins" hold).
A checkpoint of the ids written (:mod:`citekg.checkpoint`) lets an interrupted build resume. spaCy and
the store are imported inside the functions that need them, so ``import citekg.pipeline`` stays cheap.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import chain, groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from citekg.model import Extraction

if TYPE_CHECKING:
    from citekg.checkpoint import Checkpoint
    from citekg.graph.bulk import BulkWriter
    from citekg.graph.store import GraphStore
    from citekg.readers import ReadReport

__all__ = [
    "DEFAULT_BATCH",
    "BuildSummary",
    "build",
    "count_records",
    "extract_inputs",
    "sample_corpus_path",
]

log = logging.getLogger(__name__)

#: Papers written per store write: the memory of a build is about this many papers' triples.
DEFAULT_BATCH = 5000
#: Called once per paper extracted, so the CLI can drive a progress bar (what it returns is ignored).
ProgressCallback = Callable[[int], object]
#: Called once before extraction with the estimated records (``None``: unknown) and those resumed.
StartCallback = Callable[[int | None, int], None]
# Formats with one record per line, whose line count is the record count.
_LINE_FORMATS = ("arxiv", "s2", "openalex", "hf", "citekg", "extractions")
# Gzipped inputs bigger than this are not decompressed just to count their lines.
_COUNT_GZIP_UP_TO = 64 << 20
_BLOCK = 1 << 20


def sample_corpus_path() -> Path:
    """Return the path of the bundled sample corpus (``citekg.examples/papers.jsonl``)."""
    return Path(str(resources.files("citekg.examples") / "papers.jsonl"))


@dataclass
class BuildSummary:
    """What one ``build`` run read, skipped and stored, and how fast."""

    inputs: list[str] = field(default_factory=list)
    records: int = 0
    papers: int = 0
    duplicates: int = 0
    #: Papers a previous, interrupted run of the same build had written (skipped this time).
    resumed: int = 0
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)
    triples_before: int = 0
    triples_after: int = 0
    seconds: float = 0.0
    engine: str = "local"
    workers: int = 1
    #: How the papers reached the store: ``update`` (transactional batches) or ``bulk``.
    writer: str = "update"
    batches: int = 0
    #: Peak resident memory of this process, and of the biggest worker process, in MB.
    peak_rss_mb: float = 0.0
    workers_peak_rss_mb: float = 0.0
    graph: dict[str, Any] = field(default_factory=dict)
    #: What the store writes did: paper merges, replaced mentions, resolved external papers, …
    #: (:meth:`citekg.graph.update.UpdateReport.to_dict`, summed over the batches).
    update: dict[str, Any] = field(default_factory=dict)

    @property
    def merged(self) -> int:
        """Paper records merged into another paper's node (same ids or title)."""
        return sum(len(m["merged"]) for m in self.update.get("merges", ()))

    @property
    def triples_added(self) -> int:
        """Triples this run added (0 when it rebuilt what was already there)."""
        return self.triples_after - self.triples_before

    @property
    def papers_per_second(self) -> float:
        """Throughput of this run: papers extracted and written per wall-clock second."""
        return self.papers / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the summary."""
        return {
            "inputs": self.inputs,
            "records": self.records,
            "papers": self.papers,
            "duplicates": self.duplicates,
            "resumed": self.resumed,
            "skipped": [{"file": f, "line": line, "reason": r} for f, line, r in self.skipped],
            "triples_added": self.triples_added,
            "triples": self.triples_after,
            "seconds": round(self.seconds, 3),
            "papers_per_s": round(self.papers_per_second, 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "workers_peak_rss_mb": round(self.workers_peak_rss_mb, 1),
            "engine": self.engine,
            "workers": self.workers,
            "writer": self.writer,
            "batches": self.batches,
            "papers_merged": self.merged,
            "merges": self.update.get("merges", []),
            "update": self.update,
            "graph": self.graph,
        }


def _detect(path: Path, format: str | None) -> str:
    from citekg.readers import detect_format

    return format or detect_format(path)


def _count_lines(path: Path) -> int | None:
    import gzip

    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped and path.stat().st_size > _COUNT_GZIP_UP_TO:
        return None
    lines, last = 0, b"\n"
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                lines += block.count(b"\n")
                last = block
    except (OSError, EOFError, zlib.error):
        return None
    return lines + (not last.endswith(b"\n"))  # a last line without a line break counts too


def count_records(paths: Sequence[Path], *, format: str | None = None) -> int | None:
    """Estimate the records in the inputs cheaply, for a progress bar's total and ETA; ``None``: unknown.

    JSON Lines formats count their lines (gzipped files only up to 64 MB compressed); other formats
    (BibTeX, text lists, JSON documents) are not estimated.
    """
    total = 0
    for path in paths:
        try:
            if _detect(path, format) not in _LINE_FORMATS:
                return None
        except Exception:  # an unreadable input is reported by the build itself
            return None
        lines = _count_lines(path)
        if lines is None:
            return None
        total += lines
    return total


def extract_inputs(
    paths: Sequence[Path],
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    report: ReadReport | None = None,
    progress: ProgressCallback | None = None,
    fast: bool = False,
    workers: int = 1,
    done: Iterable[str] = (),
    ahead: int = 0,
) -> Iterator[Extraction]:
    """Yield one Extraction per paper id across all inputs (the first record of an id wins), lazily.

    Papers are read from extraction JSONL as is (no NLP rerun: that is what keeps ``build`` cheap to
    re-run), or extracted with spaCy: here, or with ``workers`` > 1 in this and ``workers - 1``
    spawned processes (:func:`citekg.extractors.extract`; only compact records travel between
    processes). Papers whose id is in ``done`` (written by an earlier, interrupted run) are skipped
    before extraction; with workers, up to ``ahead`` papers are queued for them (a store batch, so they
    never wait for a write).
    """
    from citekg.extractors import build_nlp, extract
    from citekg.readers import read_extractions, read_papers

    seen: set[str] = set(done)
    already = frozenset(seen)

    def first_time(paper_id: str) -> bool:
        if paper_id in seen:
            if report is not None and paper_id not in already:
                report.duplicates += 1
            return False
        seen.add(paper_id)
        return True

    nlp = None
    # consecutive paper files go through one extract() call: its worker processes start once
    for extractions, group in groupby(paths, key=lambda path: _detect(path, format) == "extractions"):
        if extractions:
            records = chain.from_iterable(
                read_extractions(path, skip_invalid=skip_invalid, report=report) for path in group
            )
            stream: Iterable[Extraction] = (e for e in records if first_time(e.paper.id))
        else:
            papers = chain.from_iterable(
                read_papers(path, format=format, skip_invalid=skip_invalid, report=report) for path in group
            )
            fresh = (p for p in papers if first_time(p.id))
            nlp = nlp or build_nlp(fast=fast)
            stream = extract(fresh, nlp=nlp, workers=workers, ahead=ahead)
        for extraction in stream:
            if progress is not None:
                progress(1)
            yield extraction


def _validate(paths: Sequence[Path], format: str | None) -> None:
    """Read every record once, so a bad one stops the build before the store is touched."""
    from citekg.readers import read_extractions, read_papers

    for path in paths:
        if _detect(path, format) == "extractions":
            records: Iterable[Any] = read_extractions(path)
        else:
            records = read_papers(path, format=format)
        for _ in records:
            pass


class _Writer(Protocol):
    def write(self, extractions: Iterable[Extraction]) -> int: ...

    def finish(self) -> Any: ...

    def close(self) -> None: ...


class _UpdateWriter:
    """Each batch as one transaction through :meth:`GraphStore.update`, the reports summed."""

    def __init__(self, store: GraphStore, summary: BuildSummary) -> None:
        self.store = store
        self.summary = summary

    def write(self, extractions: Iterable[Extraction]) -> int:
        report = self.store.update(extractions).to_dict()
        total = self.summary.update
        for key, value in report.items():
            if isinstance(value, list):
                total.setdefault(key, []).extend(value)
            else:
                total[key] = total.get(key, 0) + value
        return int(report["papers"])

    def finish(self) -> None:
        return None

    def close(self) -> None:
        return None


def _bulk_writer(store: GraphStore, batch_size: int) -> BulkWriter:
    """The bulk loader, for a store that is empty when the build starts."""
    from citekg.graph.bulk import BulkWriter

    return BulkWriter(store, batch_size=batch_size)


def _open_writer(
    store: GraphStore, summary: BuildSummary, batch_size: int, key: dict[str, Any] | None
) -> tuple[_Writer, Checkpoint | None]:
    """Choose the writer and open the checkpoint that goes with what it has made durable.

    The bulk writer's checkpoint lives in its staging directory, so it goes with the staged graph (and
    away with it at the swap); a staging directory left by another run, or with ``key=None``, is
    dropped. The update writer's checkpoint lives in the graph directory.
    """
    import shutil

    from citekg.checkpoint import Checkpoint

    bulk = _bulk_writer(store, batch_size) if summary.triples_before == 0 else None
    staging = bulk.staging_path if bulk is not None else None
    checkpoint: Checkpoint | None
    if bulk is not None and staging is not None:
        checkpoint = Checkpoint.open(staging, key)
        if bulk.resumed and not checkpoint.resumed:
            bulk.close()  # staged by another run: start over
            shutil.rmtree(staging)
            bulk = _bulk_writer(store, batch_size)
            checkpoint = Checkpoint.open(staging, key)
    else:
        checkpoint = Checkpoint.open(store.path, key) if store.path is not None else None
    if bulk is not None:
        summary.writer = "bulk"
        return bulk, checkpoint
    return _UpdateWriter(store, summary), checkpoint


def _batches(extractions: Iterable[Extraction], size: int) -> Iterator[list[Extraction]]:
    iterator = iter(extractions)
    while batch := list(islice(iterator, size)):
        yield batch


def _peak_rss_mb(who: int) -> float:
    """``ru_maxrss`` in MB: of this process (``RUSAGE_SELF``) or its biggest finished child."""
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KB elsewhere
    return resource.getrusage(who).ru_maxrss * unit / (1 << 20)


def build(
    paths: Sequence[Path],
    store: GraphStore,
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
    on_start: StartCallback | None = None,
    fast: bool = False,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    partitions: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    resume: bool = True,
) -> BuildSummary:
    """Read, extract and add every input to ``store``, streaming, in batches, resumably.

    Papers reach the store ``batch_size`` at a time: into a store that is empty when the build starts
    through the bulk writer (:class:`citekg.graph.bulk.BulkWriter`, which stages the graph and swaps
    it in at the end) when this citekg has one, otherwise (and into a store with a graph already) as
    one transaction per batch (:meth:`~citekg.graph.store.GraphStore.update`). An input that fits in
    one batch is therefore all or nothing, as before; a bigger one is written batch by batch, and a
    checkpoint of the ids written (``<graph>/build-checkpoint``) lets the next run of the same build
    go on where an interrupted one stopped, with no duplicates and the same final graph (writes are
    idempotent and independent of their order). A malformed record still stops the build before the
    store is touched: unless ``skip_invalid``, inputs bigger than one batch are read through once
    first (the bulk writer's staging needs no such pass).

    Args:
        paths: Input files (papers in any supported format, or extraction JSONL).
        store: Where the graph goes; an in-memory store keeps no checkpoint.
        format: Force an input format instead of detecting it per file.
        skip_invalid: Count malformed records instead of stopping at the first.
        progress: Called with 1 per paper extracted.
        on_start: Called before extraction with the estimated number of records and of those resumed.
        fast: Rules only, no statistical NER.
        workers: Extraction processes (``local`` engine) or LocalCluster workers (``dask``).
        engine: ``local`` or ``dask`` (:mod:`citekg.distributed`; extraction shards in the checkpoint
            directory, then written in partition order).
        scheduler: A Dask scheduler address; ``None`` starts a LocalCluster.
        partitions: Input slices for the ``dask`` engine (default four per worker).
        batch_size: Papers per store write.
        resume: Continue an interrupted run of this build from its checkpoint (else start over).

    Raises:
        InputError: On the first malformed record, unless ``skip_invalid``.
        UnknownNameError: ``engine`` is neither ``local`` nor ``dask``.
        ValueError: ``batch_size`` or ``workers`` is smaller than 1.
    """
    from citekg.checkpoint import run_key
    from citekg.distributed import ENGINES
    from citekg.errors import UnknownNameError
    from citekg.readers import ReadReport
    from citekg.readers._source import Source

    for path in paths:
        Source.open(path)  # a missing input is reported before anything else happens
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be at least 1, not {batch_size} and {workers}")
    started = time.perf_counter()
    report = ReadReport()
    summary = BuildSummary(inputs=[str(p) for p in paths], engine=engine, workers=workers)
    empty = next(iter(store.ox), None) is None
    summary.triples_before = 0 if empty else len(store)
    options = {"format": format, "fast": fast, "base": store.base}
    key = run_key(paths, **options) if resume else None
    writer, checkpoint = _open_writer(store, summary, batch_size, key)
    try:
        done = checkpoint.done if checkpoint is not None else set()
        summary.resumed = len(done)
        estimate = count_records(paths, format=format)
        if on_start is not None:
            on_start(estimate, len(done))
        if not skip_invalid and summary.writer == "update" and (estimate is None or estimate > batch_size):
            _validate(paths, format)
        if engine == "dask":
            from citekg.distributed import stream_extractions

            stream: Iterable[Extraction] = stream_extractions(
                paths,
                checkpoint.directory / "shards" if checkpoint is not None else None,
                scheduler=scheduler,
                workers=workers,
                partitions=partitions,
                format=format,
                fast=fast,
                skip_invalid=skip_invalid,
                report=report,
                done=done,
                progress=progress,
            )
        else:
            stream = extract_inputs(
                paths,
                format=format,
                skip_invalid=skip_invalid,
                report=report,
                progress=progress,
                fast=fast,
                workers=workers,
                done=done,
                ahead=batch_size,
            )
        # The bulk writer loads a batch in the background: it is durable once the next write returns.
        unsure: list[str] = []
        for batch in _batches(stream, batch_size):
            summary.papers += writer.write(batch)
            summary.batches += 1
            if checkpoint is not None:
                checkpoint.commit(unsure if summary.writer == "bulk" else (e.paper.id for e in batch))
                unsure = [e.paper.id for e in batch] if summary.writer == "bulk" else []
        finished = writer.finish()
    except BaseException:
        writer.close()  # keeps what is durable, and the bulk writer's staging, for the next run
        raise
    if finished is not None:
        summary.update = finished.to_dict()
    if checkpoint is not None:
        checkpoint.remove()
    summary.records = report.records
    summary.duplicates = report.duplicates
    summary.skipped = list(report.skipped)
    summary.triples_after = len(store)
    summary.graph = store.stats()
    summary.seconds = time.perf_counter() - started
    summary.peak_rss_mb = _peak_rss_mb(resource.RUSAGE_SELF)
    summary.workers_peak_rss_mb = _peak_rss_mb(resource.RUSAGE_CHILDREN)
    log.info("built %d papers in %.2fs", summary.papers, summary.seconds)
    return summary
