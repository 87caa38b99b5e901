"""Running SPARQL for the endpoint: the guards, the execution of one job, and the worker processes.

A pyoxigraph query cannot be cancelled from Python once it is inside one Rust call (an ORDER BY or an
aggregate computes everything in the first ``next()``), so a timeout that really frees the CPU needs a process
that can be killed. :class:`WorkerPool` keeps up to ``size`` worker processes, each holding its own read-only
view of the store; a job that runs past its timeout has its worker killed and replaced. :func:`execute` is the
same code in the worker and, for ``isolation="thread"``, in a thread of the web process.

pyoxigraph 0.5 ships an HTTP client and really fetches ``SERVICE <http://…>`` (checked: it opens a
connection); :func:`check_text` refuses SERVICE and LOAD before anything runs.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from citekg.graph._endpoint_formats import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Format,
    choose_format,
    format_from_param,
    names_for,
)

__all__ = [
    "WorkerTimeoutError",
    "worker_entry",
    "Job",
    "Outcome",
    "WorkerPool",
    "check_nesting",
    "check_text",
    "execute",
    "query_form",
]

logger = logging.getLogger("citekg.graph.endpoint")

# One SPARQL token at a time: strings, IRIs, comments, variables, prefixed names, then words.
# Only bare words can be keywords, so SERVICE inside a string, an IRI, a comment or ``ex:service`` is not one.
_OPAQUE = (  # strings, IRIs and comments: neither keywords nor brackets inside them count
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"',
    r"'(?:[^'\\\n\r]|\\.)*'",
    r"<[^<>\"{}|^`\\\x00-\x20]*>",
    r"#[^\n\r]*",
)
_TOKEN = re.compile(
    "|".join(_OPAQUE) + r"|[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+"
    r"|(?:[A-Za-z_][\w.\-]*)?:[\w.\-:%\\]*"
    r"|[A-Za-z_]\w*",
    re.UNICODE,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRIPPED = re.compile("|".join(_OPAQUE))
_BRACKETS = re.compile(r"[{}()\[\]]")
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_RESULT_FORMAT = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _keywords(text: str) -> list[str]:
    """Upper-cased bare words of a SPARQL text, skipping strings, IRIs, comments, variables, prefixed names.

    Examples:
        >>> _keywords('SELECT ?service { ?s ex:service "SERVICE" } # SERVICE')
        ['SELECT']
    """
    return [t.upper() for t in _TOKEN.findall(text) if (t[0].isalpha() or t[0] == "_") and ":" not in t]


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else ""


def query_form(text: str) -> str | None:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of a query text, or ``None`` if none is found.

    Examples:
        >>> query_form("PREFIX s: <http://schema.org/> # CONSTRUCT\\nselect * { ?x s:name ?n }")
        'SELECT'
        >>> query_form("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }")
        'CONSTRUCT'
        >>> query_form("INSERT DATA { <a> <b> <c> }") is None
        True
    """
    return next((k for k in _keywords(text) if k in _FORMS), None)


def check_text(text: str) -> str | None:
    """Why a query or update text must not run (it reaches the network), or ``None`` when it may.

    Examples:
        >>> check_text("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        'SERVICE (federated query) is disabled on this endpoint'
        >>> check_text("load <http://example.org/data.ttl>")
        'LOAD is disabled on this endpoint'
        >>> check_text('SELECT ?service { ?s <http://x/SERVICE> "LOAD" }') is None
        True
    """
    words = set(_keywords(text))
    if "\\u" in text or "\\U" in text:  # SPARQL 1.0 allowed \u escapes anywhere: check the unescaped text too
        words |= set(_keywords(_UNICODE_ESCAPE.sub(_unescape, text)))
    if "SERVICE" in words:
        return "SERVICE (federated query) is disabled on this endpoint"
    if "LOAD" in words:
        return "LOAD is disabled on this endpoint"
    return None


MAX_NESTING = 500  # deeper brackets can overflow the parser's stack and abort the process


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` in a SPARQL text, outside strings, IRIs and comments.

    Examples:
        >>> nesting_depth('SELECT * { { ?s ?p "{{{" } FILTER((1)) }')
        3
        >>> nesting_depth("")
        0
    """
    depth = deepest = 0
    for char in _BRACKETS.findall(_STRIPPED.sub(" ", text)):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def check_nesting(text: str) -> str | None:
    """Why a text is refused for being nested too deeply, or ``None``.

    Examples:
        >>> check_nesting("ASK " + "{" * 600 + "}" * 600)
        'the query nests brackets 600 levels deep; the limit is 500'
    """
    depth = nesting_depth(text)
    return (
        f"the query nests brackets {depth} levels deep; the limit is {MAX_NESTING}"
        if depth > MAX_NESTING
        else None
    )


@dataclass(frozen=True)
class Job:
    """One unit of work for :func:`execute`; plain data so it pickles cheaply to a worker."""

    op: str  # "query", "update" or "stats"
    text: str = ""
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    formats: tuple[str, ...] = ()
    max_rows: int = 10_000
    prefixes: tuple[tuple[str, str], ...] = ()  # predeclared; sent along so workers need not import rdflib


@dataclass
class Outcome:
    """What a job produced: an HTTP status, a body and what the log line and headers need."""

    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    rows: int | None = None
    truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _ok(body: bytes | None, fmt: Format, rows: int | None = None, truncated: bool = False) -> Outcome:
    return Outcome(200, body or b"", fmt.media_type, rows, truncated)


def _error(status: int, message: str) -> Outcome:
    return Outcome(status, (message.rstrip() + "\n").encode("utf-8"))


def _pick(job: Job, kind: str) -> Format | Outcome:
    """The format for a result of ``kind`` (``format=`` wins over ``Accept``), or a 406 :class:`Outcome`."""
    if job.formats:
        fmt = format_from_param(job.formats, kind)
        if fmt is None:
            return _error(
                406,
                f"format {job.formats[0]!r} is not available for this query; "
                f"choose one of: {', '.join(names_for(kind))}",
            )
        return fmt
    fmt = choose_format(job.accept, kind)
    if fmt is None:
        offered = ", ".join(f.accepts[0] for f in (RESULT_FORMATS if kind == "results" else GRAPH_FORMATS))
        return _error(406, f"no acceptable format for Accept: {job.accept}; this query can return: {offered}")
    return fmt


def _dataset_kwargs(job: Job) -> dict[str, Any]:
    """The protocol dataset as pyoxigraph arguments: either list replaces the whole dataset (and FROM)."""
    if job.default_graphs is None and job.named_graphs is None:
        return {}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
    }


def _cut_tsv(tsv: bytes, max_rows: int) -> tuple[bytes, int, bool]:
    """Cap a TSV result (one line per row: oxigraph escapes newlines in terms) at ``max_rows`` rows."""
    rows = tsv.count(b"\n") - 1
    if rows <= max_rows:
        return tsv, rows, False
    end = -1
    for _ in range(max_rows + 1):
        end = tsv.index(b"\n", end + 1)
    return tsv[: end + 1], max_rows, True


def _select_tsv(store: ox.Store, job: Job, kwargs: dict[str, Any]) -> bytes:
    """Run a SELECT and return at most ``max_rows + 1`` rows as TSV.

    Fast path: append ``LIMIT max_rows+1`` and let oxigraph serialise. That only parses when the query has no
    top-level LIMIT or trailing VALUES of its own; then iterate lazily from Python instead.
    """
    try:
        limited = store.query(f"{job.text}\nLIMIT {job.max_rows + 1}", base_iri=job.base_iri, **kwargs)
    except SyntaxError:
        pass
    else:
        if isinstance(limited, ox.QuerySolutions):
            return limited.serialize(format=ox.QueryResultsFormat.TSV) or b""
    solutions = store.query(job.text, base_iri=job.base_iri, **kwargs)
    if not isinstance(solutions, ox.QuerySolutions):  # pragma: no cover - the form was detected as SELECT
        raise TypeError("expected a SELECT result")
    lines = ["\t".join("?" + v.value for v in solutions.variables)]
    for solution in itertools.islice(solutions, job.max_rows + 1):
        lines.append("\t".join("" if term is None else str(term) for term in solution))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _run_query(store: ox.Store, job: Job) -> Outcome:
    problem = check_text(job.text)
    if problem:
        return _error(403, problem)
    problem = check_nesting(job.text)
    if problem:
        return _error(400, problem)
    kwargs = {"prefixes": dict(job.prefixes), **_dataset_kwargs(job)}
    if query_form(job.text) == "SELECT":
        fmt = _pick(job, "results")
        if isinstance(fmt, Outcome):
            return fmt
        tsv, rows, truncated = _cut_tsv(_select_tsv(store, job, kwargs), job.max_rows)
        body = (
            tsv
            if fmt.key == "tsv"
            else (
                ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(
                    format=_RESULT_FORMAT[fmt.key]
                )
            )
        )
        return _ok(body, fmt, rows, truncated)
    result = store.query(job.text, base_iri=job.base_iri, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        fmt = _pick(job, "results")
        if isinstance(fmt, Outcome):
            return fmt
        return _ok(result.serialize(format=_RESULT_FORMAT[fmt.key]), fmt, 1)
    if isinstance(result, ox.QuerySolutions):  # a SELECT the lexer did not see (should not happen)
        fmt = _pick(job, "results")
        if isinstance(fmt, Outcome):
            return fmt
        return _ok(result.serialize(format=_RESULT_FORMAT[fmt.key]), fmt)
    fmt = _pick(job, "graph")
    if isinstance(fmt, Outcome):
        return fmt
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    del triples[job.max_rows :]
    return _ok(ox.serialize(triples, format=_RDF_FORMAT[fmt.key]), fmt, len(triples), truncated)


def _run_update(store: ox.Store, job: Job) -> Outcome:
    problem = check_text(job.text)
    if problem:
        return _error(403, problem)
    store.update(job.text, base_iri=job.base_iri)
    return Outcome(204, b"")


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    if not isinstance(solutions, ox.QuerySolutions):  # pragma: no cover - our own SELECT
        raise TypeError("expected a SELECT result")
    return solutions


def _run_stats(store: ox.Store, job: Job) -> Outcome:
    """VoID statistics of the default graph: triples, and entities per class."""
    triples = next(iter(_select(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))["n"]
    query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    classes = [
        (row["c"].value, int(row["n"].value))
        for row in _select(store, query)
        if isinstance(row["c"], ox.NamedNode)
    ]
    stats = {"triples": int(triples.value), "classes": classes}
    return Outcome(200, json.dumps(stats).encode("utf-8"), "application/json")


def execute(store: ox.Store, job: Job) -> Outcome:
    """Run one job against ``store`` and serialise its result; never raises for bad input.

    Examples:
        >>> store = ox.Store()
        >>> execute(store, Job("query", "ASK {}")).body
        b'{"head":{},"boolean":true}'
        >>> out = execute(store, Job("query", "SELEC nothing"))
        >>> out.status, out.body.decode().startswith("error at 1:1")
        (400, True)
    """
    try:
        if job.op == "query":
            return _run_query(store, job)
        if job.op == "update":
            return _run_update(store, job)
        if job.op == "stats":
            return _run_stats(store, job)
        return _error(500, f"unknown job {job.op!r}")
    except SyntaxError as exc:
        return _error(400, str(exc.msg if hasattr(exc, "msg") and exc.msg else exc))
    except ValueError as exc:  # invalid IRIs in default-graph-uri, unsupported things
        return _error(400, str(exc))
    except OSError as exc:
        return _error(500, f"query failed: {exc}")


# ------------------------------------------------------------------------------------------------------------
# Worker processes


def _open_source(source: tuple[str, str]) -> ox.Store:
    kind, location = source
    if kind == "path":
        return ox.Store.read_only(location)
    store = ox.Store()
    store.bulk_load(path=location, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(conn: Any, source: tuple[str, str]) -> None:
    """Body of a worker process: open the store, then answer jobs until the pipe closes."""
    try:
        store = _open_source(source)
    except Exception as exc:  # reported to the parent, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, job))


def worker_entry() -> None:
    """Entry point of ``python -c`` worker processes: ``argv`` is ``fd kind location``."""
    from multiprocessing.connection import Connection

    fd, kind, location = sys.argv[1], sys.argv[2], sys.argv[3]
    _worker_main(Connection(int(fd)), (kind, location))


class WorkerTimeoutError(Exception):
    """A job ran past its timeout; its worker was killed."""


class _Worker:
    """One worker: a plain ``python -c`` subprocess talking over a socketpair.

    Not multiprocessing, whose start methods re-import the caller's ``__main__`` (breaking scripts without a
    ``__main__`` guard); the socket is wrapped in a multiprocessing ``Connection`` for framing and ``poll``.
    """

    def __init__(self, source: tuple[str, str], start_timeout: float) -> None:
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        code = "from citekg.graph._endpoint_exec import worker_entry; worker_entry()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno()), source[0], source[1]],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.pid = self.process.pid
        if not self.conn.poll(start_timeout):
            self.kill()
            raise RuntimeError(f"query worker did not start within {start_timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except EOFError:
            self.kill()
            raise RuntimeError("query worker exited while opening the store") from None
        if status != "ready":
            self.kill()
            raise RuntimeError(f"query worker could not open the store: {detail}")

    def run(self, job: Job, timeout: float) -> Outcome:
        self.conn.send(job)
        if not self.conn.poll(timeout):
            raise WorkerTimeoutError()
        outcome: Outcome = self.conn.recv()
        return outcome

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.conn.close()


class WorkerPool:
    """Up to ``size`` worker processes reading the same store; blocking calls, meant to run in threads.

    Args:
        source: ``("path", dir)`` to open an on-disk store read-only in each worker, or
            ``("nquads", file)`` to load a dump into memory in each worker.
        size: Most workers alive at once; callers must not run more than ``size`` jobs at a time.
        start_timeout: Seconds a new worker may take to open the store.
    """

    def __init__(self, source: tuple[str, str], size: int, *, start_timeout: float = 120.0) -> None:
        self.source = source
        self.size = size
        self.start_timeout = start_timeout
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._starting = 0  # spares being spawned in the background
        self._lock = threading.Lock()
        self.killed = 0
        self.closed = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        with self._lock:
            return sorted(w.pid for w in self._all)

    def warm(self, count: int = 1) -> None:
        """Start workers ahead of the first queries."""
        workers = []
        for _ in range(min(count, self.size)):
            workers.append(self._spawn())
        with self._lock:
            self._idle.extend(workers)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.source, self.start_timeout)
        with self._lock:
            self._all.add(worker)
        return worker

    def _keep_spare(self) -> None:
        """Start one more worker in the background when none is idle and the pool has room.

        A worker takes a second or more to start (a new interpreter opening the store); spawning it only
        when the next query arrives would make that query wait behind a slow one's worker. Called with
        the lock held.
        """
        if self.closed or self._idle or self._starting or len(self._all) + self._starting >= self.size:
            return
        self._starting += 1

        def spawn() -> None:
            try:
                worker = self._spawn()
            except RuntimeError as exc:
                logger.warning("could not start a spare query worker: %s", exc)
                return
            finally:
                with self._lock:
                    self._starting -= 1
            with self._lock:
                if self.closed:
                    self._all.discard(worker)
                    worker.kill()
                else:
                    self._idle.append(worker)

        threading.Thread(target=spawn, name="citekg-spare-worker", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run ``job`` on an idle (or new) worker; kill the worker if it takes longer than ``timeout``."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the query pool is closed")
            worker = self._idle.pop() if self._idle else None
            if worker is not None:
                self._keep_spare()
        if worker is None:
            worker = self._spawn()
        started = time.monotonic()
        try:
            outcome = worker.run(job, timeout)
        except WorkerTimeoutError:
            self._discard(worker)
            self.killed += 1
            logger.warning("query ran past %.1f s; killed worker %d", time.monotonic() - started, worker.pid)
            raise
        except (EOFError, OSError):
            self._discard(worker)
            logger.error("query worker %d died while running a query", worker.pid)
            return Outcome(500, b"the query crashed its worker process; the endpoint is still up\n")
        with self._lock:
            if self.closed:
                worker.kill()
            else:
                self._idle.append(worker)
        return outcome

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def close(self) -> None:
        """Kill every worker (idle or busy)."""
        with self._lock:
            self.closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.kill()


def dump_store(store: ox.Store, directory: Path) -> Path:
    """Write ``store`` as N-Quads under ``directory``, for workers to load an in-memory store from."""
    path = directory / "store.nq"
    store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
    return path
