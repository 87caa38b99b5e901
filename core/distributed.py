"""Extraction over input partitions, in this process or on a Dask cluster, written as shards.

``citekg shard`` splits the inputs into partitions (:func:`plan_partitions`): one per file, and big
JSON Lines files into byte ranges cut at line starts, so that each worker reads its own slice from a
filesystem it shares with the client and no paper travels over the network. Each partition is read,
extracted and written as one shard (:mod:`citekg.shards`) by :func:`run_partition`, which returns only
counts. The ``local`` engine runs the partitions one after the other in this process; the ``dask``
engine submits them to a Dask scheduler, or to a ``LocalCluster`` of worker processes when no address
is given (DESIGN §8: processes that return compact records, not spaCy Docs).

Bad records behave as in ``citekg build``: the first one stops the job with ``<file>:<line>: <reason>``
(line numbers count from the start of the file, whatever the slice), or with ``skip_invalid`` is
counted. Duplicates are merged within a partition only; a paper whose records fall into two
partitions is written to both shards, and :func:`citekg.shards.load_shards` keeps the first record
when it finishes the graph. The same inputs and partition count give the same shards on either engine.
Dask is imported only by the ``dask`` engine (``pip install "dask[distributed]"``).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.errors import CitekgError, InputError, StoreError
from citekg.readers._source import ReadReport, Source
from citekg.shards import (
    EXTRACTIONS_SUFFIX,
    MANIFEST,
    PARTIAL_SUFFIX,
    ShardCounts,
    shard_name,
    write_manifest,
)

if TYPE_CHECKING:
    from citekg.model import Extraction
    from spacy.language import Language

__all__ = [
    "ENGINES",
    "Partition",
    "ShardSummary",
    "plan_partitions",
    "run_partition",
    "shard_inputs",
    "stream_extractions",
]

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
#: Formats whose JSON Lines files can be cut at any line start.
_LINE_FORMATS = ("arxiv", "s2", "openalex", "hf", "citekg", "extractions")
_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 20
_UTF8_BOM = "\ufeff"

# One pipeline per worker process and mode, built on its first partition.
_NLP: dict[bool, Language] = {}

#: Called with each finished partition's result.
PartitionCallback = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Partition:
    """A slice of one input file: bytes ``[start, end)`` beginning at line ``first_line``.

    ``end`` is ``None`` for "to the end of the file" (a whole file, gzipped ones included).
    """

    index: int
    path: str
    format: str
    start: int = 0
    end: int | None = None
    first_line: int = 1


def _is_json_lines(path: Path, format: str) -> bool:
    """Whether ``path`` is plain (not gzipped) JSON Lines of a format whose records are one line each."""
    if format not in _LINE_FORMATS:
        return False
    with path.open("rb") as handle:
        if handle.read(2) == _GZIP_MAGIC:
            return False
        handle.seek(0)
        for raw in handle:
            if raw.strip():
                return _is_record_line(raw)
    return False


def _is_record_line(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw.decode("utf-8").lstrip(_UTF8_BOM)), dict)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


def _cuts(path: Path, pieces: int) -> list[tuple[int, int]]:
    """Return ``(byte offset, line number)`` of each piece's start, cut at lines that hold a JSON object.

    A cut lands on a line that parses on its own, so a reader starting there knows it is in JSON
    Lines; the whole file is read once to number the lines.
    """
    size = path.stat().st_size
    targets = [size * i // pieces for i in range(1, pieces)]
    cuts = [(0, 1)]
    offset, line = 0, 1
    with path.open("rb") as handle:
        for target in targets:
            if target <= offset:
                continue
            # count the lines up to the target, then move to the next line start
            while offset < target:
                block = handle.read(min(_BLOCK, target - offset))
                if not block:
                    break
                line += block.count(b"\n")
                offset += len(block)
            rest = handle.readline()
            if rest and not rest.endswith(b"\n"):
                break  # the target was inside the last line
            offset += len(rest)
            line += 1 if rest else 0
            while True:
                raw = handle.readline()
                if not raw:
                    return cuts
                if _is_record_line(raw):
                    cuts.append((offset, line))
                    offset += len(raw)
                    line += 1
                    break
                offset += len(raw)
                line += 1
    return cuts


def plan_partitions(
    paths: Sequence[str | Path], *, partitions: int | None = None, format: str | None = None
) -> list[Partition]:
    """Split the inputs into about ``partitions`` slices of similar size (at least one per file).

    Plain JSON Lines files bigger than an even share are cut into byte ranges; other files (gzipped,
    BibTeX, a JSON array, …) are one partition each. Partitions are numbered in input order.

    Raises:
        InputError: An input is missing, unreadable or of a format that cannot be told.
        ValueError: ``partitions`` is smaller than 1.
    """
    from citekg.readers import detect_format, get_reader

    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions must be at least 1, not {partitions}")
    files = []
    for raw in paths:
        src = Source.open(raw)  # checks existence and that it is a file
        name = format or detect_format(src.path)
        get_reader(name)
        files.append((str(raw), src.path, name, src.path.stat().st_size))
    wanted = partitions or len(files)
    share = max(1, math.ceil(sum(size for *_, size in files) / wanted))
    planned: list[Partition] = []
    for raw, path, name, size in files:
        pieces = math.ceil(size / share) if size > share and _is_json_lines(path, name) else 1
        cuts = _cuts(path, pieces) if pieces > 1 else [(0, 1)]
        for i, (start, line) in enumerate(cuts):
            end = cuts[i + 1][0] if i + 1 < len(cuts) else None
            planned.append(Partition(len(planned), raw, name, start, end, line))
    return planned


@dataclass
class _SliceSource(Source):
    """A :class:`Source` that reads only bytes ``[start, end)`` of its file, numbering lines as the file."""

    start: int = 0
    end: int | None = None
    first_line: int = 1

    def lines(self) -> Generator[tuple[int, str], None, None]:
        """Yield ``(line number, text)`` for the lines of the slice, checked as :meth:`Source.lines`."""
        offset, number = self.start, self.first_line - 1
        with self._open_binary() as stream:
            stream.seek(self.start)
            while self.end is None or offset < self.end:
                raw = stream.readline()
                if not raw:
                    break
                number += 1
                text = self._decode(raw, offset, number)
                if number == 1 and text.startswith(_UTF8_BOM):
                    text = text[1:]
                offset += len(raw)
                yield number, text.rstrip("\r\n")


def _nlp(fast: bool) -> Language:
    if fast not in _NLP:
        from citekg.extractors import build_nlp

        _NLP[fast] = build_nlp(fast=fast)
    return _NLP[fast]


def _extractions(
    part: Partition, *, fast: bool, skip_invalid: bool, report: ReadReport
) -> Iterator[Extraction]:
    from citekg.readers import _counted, get_reader
    from citekg.readers.native import read_extractions

    src = _SliceSource(
        Path(part.path), part.path, skip_invalid, report, part.start, part.end, part.first_line
    )
    if part.format == "extractions":
        seen: set[str] = set()
        for extraction in read_extractions(src):
            report.records += 1
            if extraction.paper.id in seen:
                report.duplicates += 1
                continue
            seen.add(extraction.paper.id)
            report.papers += 1
            yield extraction
        return
    from citekg.extractors import extract

    papers = _counted(get_reader(part.format)(src), src)
    yield from extract(papers, nlp=_nlp(fast))


def run_partition(
    part: Partition,
    output: str,
    *,
    fast: bool = False,
    skip_invalid: bool = False,
    base: str | None = None,
    rdf: bool = True,
) -> dict[str, Any]:
    """Read, extract and write one partition as shard ``part-<index>``; return its counts.

    This is the task each worker runs. It returns a small JSON-ready dict, never papers; a citekg
    error comes back as ``{"error": {...}}`` (custom exceptions do not survive pickling intact), and
    the caller raises it.
    """
    from citekg.shards import write_shard

    started = time.perf_counter()
    report = ReadReport()
    name = shard_name(part.index)
    result: dict[str, Any] = {"index": part.index, "name": name, "path": part.path}
    try:
        counts = write_shard(
            _extractions(part, fast=fast, skip_invalid=skip_invalid, report=report),
            output,
            name,
            base=base,
            rdf=rdf,
        )
    except InputError as exc:
        result["error"] = {"type": "InputError", "path": exc.path, "reason": exc.reason, "line": exc.line}
        return result
    except CitekgError as exc:
        result["error"] = {"type": type(exc).__name__, "message": str(exc)}
        return result
    result.update(asdict(counts))
    result.update(
        records=report.records,
        duplicates=report.duplicates,
        skipped=[list(s) for s in report.skipped],
        seconds=round(time.perf_counter() - started, 3),
    )
    return result


def _raise(error: dict[str, Any]) -> None:
    if error["type"] == "InputError":
        raise InputError(error["path"], error["reason"], line=error["line"])
    raise CitekgError(error["message"])


@dataclass
class ShardSummary:
    """What one ``citekg shard`` run read and wrote."""

    output: str
    engine: str
    partitions: int = 0
    records: int = 0
    papers: int = 0
    duplicates: int = 0
    triples: int = 0
    bytes: int = 0
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        record = asdict(self)
        record["skipped"] = [{"file": f, "line": line, "reason": r} for f, line, r in self.skipped]
        record["seconds"] = round(self.seconds, 3)
        return record


def _prepare_output(output: Path, overwrite: bool) -> None:
    if output.exists() and not output.is_dir():
        raise StoreError(f"{output} is a file; give a directory for the shards")
    if not output.exists() or not any(output.iterdir()):
        output.mkdir(parents=True, exist_ok=True)
        return
    if not overwrite:
        raise StoreError(
            f"{output} is not empty; give a new directory, or pass --overwrite to replace its shards"
        )
    for child in output.iterdir():
        ours = child.name == MANIFEST or (
            child.name.startswith("part-")
            and child.name.endswith((".nt", EXTRACTIONS_SUFFIX, PARTIAL_SUFFIX))
        )
        if not ours:
            raise StoreError(f"{output} holds {child.name}, which is not a shard; give a new directory")
    for child in output.iterdir():
        child.unlink() if child.is_file() else shutil.rmtree(child)


def shard_inputs(
    paths: Sequence[str | Path],
    output: str | Path,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 2,
    partitions: int | None = None,
    format: str | None = None,
    fast: bool = False,
    skip_invalid: bool = False,
    overwrite: bool = False,
    base: str | None = None,
    rdf: bool = True,
    progress: PartitionCallback | None = None,
) -> ShardSummary:
    """Extract the inputs partition by partition and write a shard set to ``output``.

    Args:
        paths: Input files, in any format ``citekg build`` reads; a worker must see them at the same
            path (a shared filesystem when the cluster spans machines).
        output: The shard directory; it must be new or empty unless ``overwrite``.
        engine: ``local`` (this process) or ``dask``.
        scheduler: A Dask scheduler address (``tcp://host:8786``); ``None`` starts a ``LocalCluster``
            of ``workers`` single-threaded processes for the run.
        workers: Worker processes of the ``LocalCluster``.
        partitions: Slices to cut the inputs into; default one per file with the local engine and
            four per worker with Dask. Shard contents depend on it.
        format: Force an input format instead of detecting it per file.
        fast: Rules only, no statistical NER.
        skip_invalid: Count malformed records instead of stopping at the first.
        overwrite: Replace the shards of an earlier run in ``output``.
        base: Namespace of instance IRIs.
        rdf: Write the N-Triples shards (without: only the extraction records).
        progress: Called with each partition's result as it finishes.

    Raises:
        InputError: An input cannot be read, or a record is malformed and ``skip_invalid`` is off (the
            first bad partition in input order is reported; no manifest is written).
        StoreError: ``output`` is not usable.
        UnknownNameError: ``engine`` is neither ``local`` nor ``dask``.
    """
    from citekg.errors import UnknownNameError

    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    started = time.perf_counter()
    if partitions is None and engine == "dask":
        partitions = max(len(paths), 4 * workers)
    planned = plan_partitions(paths, partitions=partitions, format=format)
    out = Path(output)
    _prepare_output(out, overwrite)
    options: dict[str, Any] = {"fast": fast, "skip_invalid": skip_invalid, "base": base, "rdf": rdf}
    if engine == "local":
        results = []
        for part in planned:
            result = run_partition(part, str(out), **options)
            if "error" in result:
                _raise(result["error"])
            if progress is not None:
                progress(result)
            results.append(result)
    else:
        results = _run_dask(
            planned, str(out), options, scheduler=scheduler, workers=workers, progress=progress
        )
    results.sort(key=lambda r: r["index"])
    shards = [ShardCounts(r["name"], r["papers"], r["triples"], r["bytes"]) for r in results]
    summary = ShardSummary(output=str(out), engine=engine, partitions=len(planned))
    for r in results:
        summary.records += r["records"]
        summary.papers += r["papers"]
        summary.duplicates += r["duplicates"]
        summary.triples += r["triples"]
        summary.bytes += r["bytes"]
        summary.skipped += [(f, line, reason) for f, line, reason in r["skipped"]]
    summary.seconds = time.perf_counter() - started
    write_manifest(
        out,
        shards,
        inputs=[str(p) for p in paths],
        partitions=[asdict(p) for p in planned],
        fast=fast,
        base=base,
        records=summary.records,
        skipped=len(summary.skipped),
    )
    return summary


def _run_dask(
    planned: Sequence[Partition],
    output: str,
    options: dict[str, Any],
    *,
    scheduler: str | None,
    workers: int,
    progress: PartitionCallback | None,
) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise CitekgError(
            'the dask engine needs Dask: pip install "citekg[dask]" (or "dask[distributed]")'
        ) from None

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: with None, Dask still binds 8787 for its HTTP routes
            silence_logs=logging.WARNING,
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            run = uuid.uuid4().hex[:12]  # keys unique per run: a shared scheduler may hold older ones
            futures = [
                client.submit(
                    run_partition, part, output, key=f"citekg-{run}-{shard_name(part.index)}", **options
                )
                for part in planned
            ]
            results: list[dict[str, Any]] = []
            errors: list[dict[str, Any]] = []
            for future in as_completed(futures):
                result = future.result()
                if "error" in result:
                    errors.append(result)
                    continue
                if progress is not None:
                    progress(result)
                results.append(result)
            if errors:
                _raise(min(errors, key=lambda r: r["index"])["error"])
            return results
    finally:
        if cluster is not None:
            cluster.close()


def stream_extractions(
    paths: Sequence[str | Path],
    directory: Path | None,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    partitions: int | None = None,
    format: str | None = None,
    fast: bool = False,
    skip_invalid: bool = False,
    report: ReadReport | None = None,
    done: Iterable[str] = (),
    progress: Callable[[int], object] | None = None,
) -> Iterator[Extraction]:
    """Extract the inputs on Dask and yield the records partition by partition, in input order.

    This is ``citekg build --engine dask``: :func:`shard_inputs` runs in a thread and writes extraction
    shards (no N-Triples) to ``directory`` (a temporary one when ``None``); each shard is read back as
    soon as it and every partition before it are complete, and deleted once read, so the store can be
    written while the cluster extracts. The first record of a paper id wins across partitions; ids in
    ``done`` are left out; ``report`` gets the read counts of every partition yielded.

    Raises:
        InputError: The first bad record in input order, after the other partitions finished, unless
            ``skip_invalid``.
    """
    import queue
    import tempfile
    import threading

    from citekg.readers import read_extractions

    temporary = directory is None
    out = Path(tempfile.mkdtemp(prefix="citekg-shards-")) if directory is None else directory
    finished: queue.Queue[dict[str, Any] | ShardSummary | BaseException] = queue.Queue()

    def run() -> None:
        try:
            finished.put(
                shard_inputs(
                    paths,
                    out,
                    engine="dask",
                    scheduler=scheduler,
                    workers=workers,
                    partitions=partitions,
                    format=format,
                    fast=fast,
                    skip_invalid=skip_invalid,
                    overwrite=True,
                    rdf=False,
                    progress=finished.put,
                )
            )
        except BaseException as exc:  # handed to the consumer, which raises it
            finished.put(exc)

    thread = threading.Thread(target=run, name="citekg-dask", daemon=True)
    thread.start()
    seen, already = set(done), frozenset(done)
    ready: dict[int, dict[str, Any]] = {}
    following = 0
    try:
        while True:
            item = finished.get()
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, ShardSummary):
                break
            ready[item["index"]] = item
            while following in ready:
                result = ready.pop(following)
                if report is not None:
                    report.records += result["records"]
                    report.duplicates += result["duplicates"]
                    report.skipped += [(f, line, reason) for f, line, reason in result["skipped"]]
                records = out / f"{result['name']}{EXTRACTIONS_SUFFIX}"
                for extraction in read_extractions(records):
                    if extraction.paper.id in seen:
                        if report is not None and extraction.paper.id not in already:
                            report.duplicates += 1
                        continue
                    seen.add(extraction.paper.id)
                    if progress is not None:
                        progress(1)
                    yield extraction
                records.unlink()
                following += 1
        thread.join()
    finally:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
