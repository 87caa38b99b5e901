"""The SPARQL 1.1 Protocol endpoint behind ``citekg serve``: Starlette on uvicorn over pyoxigraph.

Standard clients (SPARQLWrapper, YASGUI, Jena ``rsparql``, curl) talk to ``/sparql``; ``/`` is a small offline
query page. Read-only by default; every query runs in a killable worker process with a timeout and a row
cap (see :mod:`citekg.graph._endpoint_exec`), and admission is bounded so an overloaded server answers 503
instead of queueing forever. ``docs/endpoint.md`` is the user guide.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from citekg.errors import StoreError
from citekg.graph._endpoint_exec import (
    Job,
    Outcome,
    WorkerPool,
    WorkerTimeoutError,
    check_nesting,
    check_text,
    dump_store,
    execute,
)
from citekg.graph._endpoint_formats import GRAPH_FORMATS, choose_format, format_from_param, names_for
from citekg.ontology.namespace import PREFIXES
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The prefixes `citekg query` predeclares, so queries from the docs run unchanged here too.
_PREFIXES = tuple(sorted(PREFIXES.items()))

__all__ = ["create_app", "serve", "DEFAULT_EXAMPLES", "TRUNCATED_HEADER"]

logger = logging.getLogger("citekg.graph.endpoint")

STATIC_DIR = Path(__file__).parent / "static"
QUERIES_DIR = Path(__file__).parent / "queries"
TRUNCATED_HEADER = "X-Citekg-Truncated"
_ALLOW = "GET, POST, OPTIONS"
_FORM = "application/x-www-form-urlencoded"
_DIRECT_QUERY = "application/sparql-query"
_DIRECT_UPDATE = "application/sparql-update"
_CONFIG_ENV = "CITEKG_ENDPOINT_CONFIG"

DEFAULT_EXAMPLES: dict[str, str] = {
    "Count resources by type": (
        "SELECT ?type (COUNT(?s) AS ?n)\nWHERE { ?s a ?type }\nGROUP BY ?type\nORDER BY DESC(?n)\n"
    ),
    "Papers and their titles": (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX schema: <http://schema.org/>\n\n"
        "SELECT ?paper ?title\nWHERE {\n  ?paper a schema:ScholarlyArticle .\n"
        "  OPTIONAL { ?paper dcterms:title ?title }\n}\nLIMIT 100\n"
    ),
    "Code repositories": (
        "PREFIX schema: <http://schema.org/>\n\nSELECT ?paper ?repo\n"
        "WHERE { ?paper schema:codeRepository ?repo }\nLIMIT 100\n"
    ),
    "Neighbourhood of the papers (as a graph)": (
        "CONSTRUCT { ?s ?p ?o }\nWHERE {\n  ?s a <http://schema.org/ScholarlyArticle> ; ?p ?o .\n}\n"
        "LIMIT 500\n"
    ),
}

_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SD_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


class _RefusedError(Exception):
    """A request refused before any query runs; carries the HTTP status and a plain-text reason."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def _text(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=dict(headers or {}))


# ------------------------------------------------------------------------------------------------------------
# Admission and dispatch


class _Engine:
    """Bounded admission (``max_concurrent`` running, ``max_queued`` waiting) before the query runners."""

    def __init__(
        self,
        store: ox.Store,
        *,
        isolation: str,
        store_path: Path | None,
        timeout: float,
        max_concurrent: int,
        max_queued: int,
    ) -> None:
        self.store = store
        self.isolation = isolation
        self.store_path = store_path
        self.timeout = timeout
        self.max_concurrent = max_concurrent
        self.max_queued = max_queued
        self.pool: WorkerPool | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._admitted = 0
        self._tmpdir: str | None = None
        self._stats_task: asyncio.Task[dict[str, Any] | None] | None = None
        self._starting: asyncio.Lock | None = None

    async def start(self) -> None:
        """Create the thread pool and (in process isolation) the worker pool; idempotent."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._executor is not None:
                return
            self._semaphore = asyncio.Semaphore(self.max_concurrent)
            executor = ThreadPoolExecutor(
                max_workers=self.max_concurrent + 2, thread_name_prefix="citekg-sparql"
            )
            if self.isolation == "process":
                loop = asyncio.get_running_loop()
                if self.store_path is not None:
                    source = ("path", str(self.store_path))
                else:
                    self._tmpdir = tempfile.mkdtemp(prefix="citekg-endpoint-")
                    dumped = await loop.run_in_executor(executor, dump_store, self.store, Path(self._tmpdir))
                    source = ("nquads", str(dumped))
                self.pool = WorkerPool(source, self.max_concurrent)
                await loop.run_in_executor(executor, self.pool.warm, 1)
            self._executor = executor
            self._stats_task = asyncio.get_running_loop().create_task(self._compute_stats())

    async def close(self) -> None:
        """Stop the workers and remove the temporary dump."""
        if self._stats_task is not None:
            self._stats_task.cancel()
        if self.pool is not None:
            self.pool.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _blocking(self, job: Job, timeout: float) -> Outcome:
        if self.pool is not None:
            return self.pool.run(job, timeout)
        return execute(self.store, job)

    async def run(self, job: Job) -> Outcome:
        """Run ``job`` under the admission limits and the timeout.

        Raises:
            _RefusedError: 503 when too many requests are running or waiting, or when the job timed out.
        """
        await self.start()
        if self._semaphore is None or self._executor is None:  # pragma: no cover - start() sets both
            raise _RefusedError(503, "the endpoint is shutting down")
        if self._admitted >= self.max_concurrent + self.max_queued:
            raise _RefusedError(
                503,
                f"too many queries in flight (limit {self.max_concurrent}); retry shortly",
                {"Retry-After": "1"},
            )
        self._admitted += 1
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.timeout)
        except TimeoutError:
            self._admitted -= 1
            raise _RefusedError(503, "the endpoint is busy; retry shortly", {"Retry-After": "2"}) from None
        except BaseException:
            self._admitted -= 1
            raise
        semaphore = self._semaphore

        def release(_: object) -> None:
            # Called when the work really ended: a killed worker, or a finished thread (never earlier).
            semaphore.release()
            self._admitted -= 1

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._blocking, job, self.timeout)
        future.add_done_callback(release)
        try:
            # A worker enforces the timeout itself (and is killed); a thread cannot be: stop waiting for it.
            grace = 5.0 if self.pool is not None else 0.0
            return await asyncio.wait_for(asyncio.shield(future), self.timeout + grace)
        except (WorkerTimeoutError, TimeoutError):
            raise _RefusedError(503, f"query timed out after {self.timeout:g} s and was stopped") from None

    async def stats(self) -> dict[str, Any] | None:
        """The VoID statistics computed once at start-up (``None`` if that failed or timed out)."""
        await self.start()
        if self._stats_task is None:  # pragma: no cover
            return None
        try:
            return await asyncio.shield(self._stats_task)
        except asyncio.CancelledError:
            return None

    async def _compute_stats(self) -> dict[str, Any] | None:
        try:
            outcome = await self.run(Job("stats"))
        except _RefusedError as exc:
            logger.warning("VoID statistics not computed: %s", exc)
            return None
        if outcome.status != 200:
            logger.warning("VoID statistics not computed: %s", outcome.body.decode("utf-8", "replace"))
            return None
        stats: dict[str, Any] = json.loads(outcome.body)
        return stats


# ------------------------------------------------------------------------------------------------------------
# Request parsing


def _parse_pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` bytes strictly as UTF-8 (400 on anything else)."""
    try:
        return urllib.parse.parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
        )
    except UnicodeDecodeError as exc:
        raise _RefusedError(
            400, f"the {what} is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None


def _media_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    parts = [p.strip() for p in header.split(";")]
    params = {}
    for p in parts[1:]:
        name, _, value = p.partition("=")
        params[name.strip().lower()] = value.strip().strip('"').lower()
    return parts[0].lower(), params


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise _RefusedError(413, f"request body is {int(length)} bytes; the limit is {limit}")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _RefusedError(413, f"request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _RefusedError(
            400, f"the {what} is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None


def _check_charset(params: Mapping[str, str]) -> None:
    charset = params.get("charset")
    if charset and charset.replace("-", "").replace("_", "") != "utf8":
        raise _RefusedError(415, f"charset {charset} is not supported; send UTF-8")


def _all(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


class _Parsed:
    """The protocol operation a request asks for."""

    def __init__(self) -> None:
        self.params: list[tuple[str, str]] = []
        self.query: str | None = None
        self.update: str | None = None


async def _parse_request(request: Request, *, max_bytes: int, allow_update: bool) -> _Parsed:
    parsed = _Parsed()
    raw_qs = request.scope.get("query_string", b"")
    if len(raw_qs) > 3 * max_bytes:
        raise _RefusedError(413, f"query string is {len(raw_qs)} bytes; the limit is {max_bytes} (use POST)")
    url_pairs = _parse_pairs(raw_qs, "query string")
    parsed.params = list(url_pairs)
    direct: tuple[str, str] | None = None
    if request.method == "POST":
        media, mparams = _media_type(request.headers.get("content-type"))
        if media == _DIRECT_UPDATE and not allow_update:
            raise _RefusedError(
                403, "this endpoint is read-only: SPARQL Update is disabled (start it with --allow-update)"
            )
        if media not in (_FORM, _DIRECT_QUERY, _DIRECT_UPDATE):
            expected = f"{_FORM} or {_DIRECT_QUERY}" + (f" or {_DIRECT_UPDATE}" if allow_update else "")
            got = f"Content-Type {media}" if media else "no Content-Type"
            raise _RefusedError(415, f"POST with {got}; send {expected}")
        _check_charset(mparams)
        body = await _read_body(request, max_bytes)
        if media == _FORM:
            parsed.params += _parse_pairs(body, "request body")
        else:
            direct = ("query" if media == _DIRECT_QUERY else "update", _decode(body, "request body"))
            if _all(url_pairs, "query") or _all(url_pairs, "update"):
                raise _RefusedError(
                    400,
                    "a direct POST carries the operation in its body; do not also send query= "
                    "or update= in the URL",
                )
    queries = _all(parsed.params, "query")
    updates = _all(parsed.params, "update")
    if direct is not None:
        (queries if direct[0] == "query" else updates).append(direct[1])
    if updates and not allow_update:
        raise _RefusedError(
            403, "this endpoint is read-only: SPARQL Update is disabled (start it with --allow-update)"
        )
    if queries and updates:
        raise _RefusedError(400, "send either query or update, not both")
    if len(queries) > 1 or len(updates) > 1:
        raise _RefusedError(400, f"send exactly one {'query' if queries else 'update'} parameter")
    parsed.query = queries[0] if queries else None
    parsed.update = updates[0] if updates else None
    text = parsed.query if parsed.query is not None else parsed.update
    if text is not None and len(text.encode("utf-8")) > max_bytes:
        raise _RefusedError(
            413, f"the {'query' if parsed.query is not None else 'update'} is over {max_bytes} bytes"
        )
    if parsed.update is not None and request.method != "POST":
        raise _RefusedError(400, "SPARQL Update must be sent with POST")
    return parsed


def _graph_iris(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...] | None:
    values = _all(pairs, name)
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise _RefusedError(400, f"{name} {value!r} is not an absolute IRI: {exc}") from None
    return tuple(values) if values else None


def _format_params(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(_all(pairs, "format") or _all(pairs, "output") or _all(pairs, "results"))


# ------------------------------------------------------------------------------------------------------------
# Service description


def _service_description(
    endpoint: str, stats: Mapping[str, Any] | None, allow_update: bool
) -> list[ox.Triple]:
    sd = lambda name: ox.NamedNode(_SD + name)  # noqa: E731
    void = lambda name: ox.NamedNode(_VOID + name)  # noqa: E731
    service = ox.NamedNode(endpoint)
    dataset, graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, _RDF_TYPE, sd("Graph")),
        ox.Triple(graph, _RDF_TYPE, void("Dataset")),
        ox.Triple(graph, void("sparqlEndpoint"), service),
    ]
    if allow_update:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS_NS + f)) for f in _SD_RESULT_FORMATS
    ]
    if stats:
        integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        triples.append(ox.Triple(graph, void("triples"), ox.Literal(str(stats["triples"]), datatype=integer)))
        triples.append(
            ox.Triple(graph, void("classes"), ox.Literal(str(len(stats["classes"])), datatype=integer))
        )
        for i, (cls, count) in enumerate(stats["classes"]):
            part = ox.BlankNode(f"class{i}")
            triples += [
                ox.Triple(graph, void("classPartition"), part),
                ox.Triple(part, void("class"), ox.NamedNode(cls)),
                ox.Triple(part, void("entities"), ox.Literal(str(count), datatype=integer)),
            ]
    first_seen: dict[Any, int] = {}
    for triple in triples:
        first_seen.setdefault(triple.subject, len(first_seen))
    return sorted(triples, key=lambda t: first_seen[t.subject])  # one Turtle block per subject


# ------------------------------------------------------------------------------------------------------------
# The application


class _AccessLog:
    """One log line per request: method, path, status, rows, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        note: dict[str, Any] = {"status": 500, "rows": None}
        scope["citekg.log"] = note

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                note["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            rows = "-" if note["rows"] is None else note["rows"]
            logger.info(
                "%s %s %d rows=%s %.1fms",
                scope["method"],
                scope["path"],
                note["status"],
                rows,
                (time.perf_counter() - started) * 1000,
            )


def create_app(
    store: ox.Store,
    *,
    timeout: float = 30.0,
    max_rows: int = 10_000,
    allow_update: bool = False,
    cors: bool = True,
    examples: Mapping[str, str] | None = None,
    max_query_bytes: int = 1_000_000,
    max_concurrent: int = 8,
    max_queued: int = 64,
    isolation: str = "process",
    store_path: str | os.PathLike[str] | None = None,
) -> Starlette:
    """Build the endpoint application over ``store``.

    Args:
        store: The graph. Read-only use unless ``allow_update``.
        timeout: Seconds a query may run; past it the worker running it is killed and the client gets 503.
        max_rows: Most result rows (or triples) returned; a capped response has ``X-Citekg-Truncated: true``.
        allow_update: Accept SPARQL Update (``LOAD`` stays refused). Forces ``isolation="thread"``.
        cors: Send ``Access-Control-Allow-Origin: *`` and answer CORS preflights.
        examples: Name → SPARQL text shown on the query page; :data:`DEFAULT_EXAMPLES` when ``None``.
        max_query_bytes: Largest query, update or request body accepted (413 above).
        max_concurrent: Queries running at once (one worker process each).
        max_queued: Queries allowed to wait for a free worker; beyond that the endpoint answers 503.
        isolation: ``"process"`` (killable worker processes; the default) or ``"thread"`` (in-process; a
            timed-out query gets its 503 but keeps its CPU until it finishes).
        store_path: Directory of ``store`` on disk, so workers open it read-only; without it an in-memory
            store is dumped once to a temporary N-Quads file that each worker loads.

    Returns:
        The Starlette application; run it with uvicorn (see :func:`serve`).

    Raises:
        ValueError: On an unknown ``isolation`` or non-positive limits.
    """
    if isolation not in ("process", "thread"):
        raise ValueError(f"isolation must be 'process' or 'thread', not {isolation!r}")
    if timeout <= 0 or max_rows < 0 or max_concurrent < 1 or max_queued < 0 or max_query_bytes < 1:
        raise ValueError(
            "timeout, max_concurrent and max_query_bytes must be positive; max_rows, max_queued >= 0"
        )
    if allow_update:
        isolation = "thread"  # workers hold read-only copies; writes must go to the one store
    engine = _Engine(
        store,
        isolation=isolation,
        store_path=Path(store_path) if store_path else None,
        timeout=timeout,
        max_concurrent=max_concurrent,
        max_queued=max_queued,
    )
    example_list = [
        {"name": k, "query": v} for k, v in (DEFAULT_EXAMPLES if examples is None else examples).items()
    ]

    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": _ALLOW})
        if request.method not in ("GET", "POST"):
            return _text(
                405, f"method {request.method} is not allowed on /sparql; use GET or POST", {"Allow": _ALLOW}
            )
        note = request.scope.get("citekg.log", {})
        try:
            parsed = await _parse_request(request, max_bytes=max_query_bytes, allow_update=allow_update)
            endpoint = str(request.url.replace(query="", fragment=""))
            if parsed.query is None and parsed.update is None:
                if request.method == "POST":
                    raise _RefusedError(
                        400, "missing query (send query=... or a application/sparql-query body)"
                    )
                return await _describe(request, parsed, endpoint)
            text = parsed.query if parsed.query is not None else (parsed.update or "")
            problem = check_text(text)
            if problem:
                raise _RefusedError(403, problem)
            problem = check_nesting(text)
            if problem:
                raise _RefusedError(400, problem)
            if parsed.update is not None:
                if _all(parsed.params, "using-graph-uri") or _all(parsed.params, "using-named-graph-uri"):
                    raise _RefusedError(400, "using-graph-uri and using-named-graph-uri are not supported")
                job = Job("update", text, base_iri=endpoint)
            else:
                job = Job(
                    "query",
                    text,
                    base_iri=endpoint,
                    default_graphs=_graph_iris(parsed.params, "default-graph-uri"),
                    named_graphs=_graph_iris(parsed.params, "named-graph-uri"),
                    accept=request.headers.get("accept"),
                    formats=_format_params(parsed.params),
                    max_rows=max_rows,
                    prefixes=_PREFIXES,
                )
            outcome = await engine.run(job)
        except _RefusedError as exc:
            return _text(exc.status, str(exc), exc.headers)
        note["rows"] = outcome.rows
        headers = {"Vary": "Accept"}
        if outcome.truncated:
            headers[TRUNCATED_HEADER] = "true"
        if outcome.status == 204:
            return Response(status_code=204)
        return Response(
            outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=headers
        )

    async def _describe(request: Request, parsed: _Parsed, endpoint: str) -> Response:
        formats = _format_params(parsed.params)
        accept = request.headers.get("accept")
        if formats:
            fmt = format_from_param(formats, "graph")
        else:
            if accept and "text/html" in accept.lower():
                return RedirectResponse("/", status_code=303)
            fmt = choose_format(accept, "graph")
        if fmt is None:
            return _text(
                406,
                f"the service description is available as: {', '.join(names_for('graph'))} "
                f"({', '.join(f.accepts[0] for f in GRAPH_FORMATS)})",
            )
        triples = _service_description(endpoint, await engine.stats(), allow_update)
        body = ox.serialize(
            triples, format=_RDF_FORMATS[fmt.key], prefixes={"sd": _SD, "void": _VOID, "formats": _FORMATS_NS}
        )
        return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def api_examples(request: Request) -> Response:
        return JSONResponse({"examples": example_list, "max_rows": max_rows, "timeout": timeout})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await engine.start()
        try:
            yield
        finally:
            await engine.close()

    middleware = [Middleware(_AccessLog)]
    if cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=[TRUNCATED_HEADER],
                max_age=86400,
            )
        )
    methods = ["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "HEAD"]
    routes = [
        Route("/sparql", sparql, methods=methods),
        Route("/sparql/", sparql, methods=methods),
        Route("/", index, methods=["GET"]),
        Route("/api/examples", api_examples, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.engine = engine
    return app


# ------------------------------------------------------------------------------------------------------------
# Running it


def resolve_store_dir(graph_dir: str | os.PathLike[str]) -> Path:
    """The Oxigraph directory of ``graph_dir``: ``<graph_dir>/oxigraph`` if present, else ``graph_dir``.

    Raises:
        StoreError: If neither exists.
    """
    path = Path(graph_dir)
    if (path / "oxigraph").is_dir():
        return path / "oxigraph"
    if path.is_dir():
        return path
    raise StoreError(f"{path}: no graph store here; build one with `citekg build` or pass --graph DIR")


def canned_examples() -> dict[str, str]:
    """The canned queries ``graph/queries/*.rq`` as page examples, or :data:`DEFAULT_EXAMPLES` if none."""
    files = sorted(QUERIES_DIR.glob("*.rq")) if QUERIES_DIR.is_dir() else []
    return {f.stem.replace("_", " "): f.read_text(encoding="utf-8") for f in files} or dict(DEFAULT_EXAMPLES)


def _open_store(path: Path, allow_update: bool) -> ox.Store:
    try:
        return ox.Store(str(path)) if allow_update else ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc


def app_from_env() -> Starlette:
    """Application factory for ``uvicorn --factory`` workers; reads its JSON config from the environment."""
    config = json.loads(os.environ[_CONFIG_ENV])
    path = Path(config.pop("store_path"))
    store = _open_store(path, config["allow_update"])
    return create_app(
        store, store_path=None if config["allow_update"] else path, examples=canned_examples(), **config
    )


def serve(
    graph_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 30.0,
    max_rows: int = 10_000,
    allow_update: bool = False,
    workers: int = 1,
    log_level: str = "info",
) -> None:
    """Serve the graph in ``graph_dir`` over HTTP until interrupted (``citekg serve``).

    Args:
        graph_dir: A graph directory (with ``oxigraph/`` inside) or the Oxigraph directory itself.
        host: Interface to bind; keep 127.0.0.1 unless the endpoint must be reachable from other machines.
        port: TCP port.
        timeout: Per-query timeout in seconds.
        max_rows: Result-row cap.
        allow_update: Accept SPARQL Update (opens the store read-write; needs ``workers=1``).
        workers: uvicorn worker processes (each with its own query workers).
        log_level: Logging level name for the request log and uvicorn.

    Raises:
        StoreError: If the store cannot be found or opened, or updates are asked for with several workers.
    """
    import uvicorn

    path = resolve_store_dir(graph_dir)
    if allow_update and workers != 1:
        raise StoreError("--allow-update needs a single worker (--workers 1): only one process may write")
    level = log_level.upper()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logger.setLevel(level)
    max_query_bytes = 1_000_000
    uv: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level.lower(),
        "access_log": False,
        "h11_max_incomplete_event_size": 3 * max_query_bytes + 65536,
    }
    if workers == 1:
        store = _open_store(path, allow_update)
        app = create_app(
            store,
            timeout=timeout,
            max_rows=max_rows,
            allow_update=allow_update,
            examples=canned_examples(),
            max_query_bytes=max_query_bytes,
            store_path=None if allow_update else path,
        )
        logger.info("serving %s on http://%s:%d/sparql", path, host, port)
        uvicorn.run(app, **uv)
        return
    os.environ[_CONFIG_ENV] = json.dumps(
        {
            "store_path": str(path),
            "timeout": timeout,
            "max_rows": max_rows,
            "allow_update": allow_update,
            "max_query_bytes": max_query_bytes,
        }
    )
    logger.info("serving %s on http://%s:%d/sparql with %d workers", path, host, port, workers)
    uvicorn.run("citekg.graph.endpoint:app_from_env", factory=True, workers=workers, **uv)
