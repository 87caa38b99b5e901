"""Benchmark the SPARQL endpoint: requests/s and p50/p99 latency for a cheap and a heavy query.

Builds an on-disk Oxigraph store from a synthetic citation graph (or uses ``--graph DIR`` from
``citekg build``), starts ``citekg.graph.endpoint.serve`` in a subprocess, and drives it with 1, 8 and 32
concurrent connections, each cell bounded by ``--requests`` and ``--seconds``. Then it measures the cheap
query's latency while a heavy query runs in a loop. The client is a minimal asyncio HTTP/1.1 client:
httpx costs more CPU per request than the servers measured, which on a 2-core machine distorts the figures.
With ``--oxigraph`` (the ``oxigraph`` PyPI package's ``serve-read-only``) the same cells run against
Oxigraph's own server for comparison.

    python bench/endpoint.py --papers 100000 --oxigraph
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
from tabulate import tabulate

CKG = "https://w3id.org/citekg/"
PREFIXES = (
    "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX schema: <http://schema.org/>\n"
    "PREFIX cito: <http://purl.org/spar/cito/>\n"
)
CHEAP = PREFIXES + f"SELECT ?title WHERE {{ <{CKG}paper/p42> dcterms:title ?title }}"
HEAVY = PREFIXES + (
    "SELECT ?dataset (COUNT(?paper) AS ?n) WHERE { ?paper cito:usesDataSetIn ?dataset } "
    "GROUP BY ?dataset ORDER BY DESC(?n) LIMIT 20"
)
WORDS = (
    "deep learning graph neural network transformer attention retrieval benchmark dataset robust efficient "
    "scalable contrastive diffusion language model vision reinforcement sparse federated"
).split()


def synthetic_ntriples(papers: int, seed: int = 0):
    """Yield N-Triples lines: papers with titles and years, datasets, code repositories and citations."""
    rng = random.Random(seed)
    datasets = max(papers // 50, 5)
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    for d in range(datasets):
        yield f"<{CKG}dataset/d{d}> {rdf_type} <http://schema.org/Dataset> ."
        yield f'<{CKG}dataset/d{d}> <http://schema.org/name> "Dataset {d}" .'
    for p in range(papers):
        paper = f"<{CKG}paper/p{p}>"
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()
        yield f"{paper} {rdf_type} <http://schema.org/ScholarlyArticle> ."
        yield f'{paper} <http://purl.org/dc/terms/title> "{title} {p}" .'
        year = f'"{2015 + p % 10}"^^<http://www.w3.org/2001/XMLSchema#gYear>'
        yield f"{paper} <http://schema.org/datePublished> {year} ."
        for d in rng.sample(range(datasets), rng.randint(1, 3)):
            yield f"{paper} <http://purl.org/spar/cito/usesDataSetIn> <{CKG}dataset/d{d}> ."
        if p % 2 == 0:
            repo = f"<https://github.com/org{p % 997}/repo{p}>"
            yield f"{paper} <http://schema.org/codeRepository> {repo} ."
            yield f"{repo} {rdf_type} <http://schema.org/SoftwareSourceCode> ."
        for _ in range(min(p, rng.randint(0, 5))):
            yield f"{paper} <http://purl.org/spar/cito/cites> <{CKG}paper/p{rng.randrange(p)}> ."


def build_store(papers: int, directory: Path) -> Path:
    source = directory / "synthetic.nt"
    with source.open("w", encoding="utf-8") as out:
        for line in synthetic_ntriples(papers):
            out.write(line + "\n")
    store_dir = directory / "oxigraph"
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    store.optimize()
    store.flush()
    del store
    source.unlink()
    return store_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str, store_dir: Path, port: int, timeout: float) -> subprocess.Popen[bytes]:
    if kind == "citekg":
        code = (
            "import sys; from pathlib import Path; from citekg.graph.endpoint import serve; "
            f"serve(Path(sys.argv[1]), port={port}, timeout={timeout}, log_level='warning')"
        )
        cmd = [sys.executable, "-c", code, str(store_dir)]
    else:
        exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        cmd = [exe, "serve-read-only", "--location", str(store_dir), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if (
                    client.get(
                        f"http://127.0.0.1:{port}/query"
                        if kind == "oxigraph"
                        else f"http://127.0.0.1:{port}/sparql",
                        params={"query": "ASK {}"},
                    ).status_code
                    == 200
                ):
                    return proc
            except httpx.TransportError:
                time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


class _Connection:
    """A minimal HTTP/1.1 keep-alive client (GET only), far cheaper per request than httpx.

    On a 2-core machine the client then steals less CPU from the server it measures.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, accept: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n\r\n".encode(
                "ascii"
            )
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and value == b"chunked":
                chunked = True
            elif name == b"connection" and value == b"close":
                close = True
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def drive(url: str, query: str, clients: int, max_requests: int, seconds: float) -> dict[str, float]:
    """``clients`` connections sending ``query`` until ``max_requests`` in total or ``seconds`` elapse."""
    parsed = httpx.URL(url)
    target = str(parsed.copy_with(params={"query": query}).raw_path, "ascii")
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal sent, errors
        connection = _Connection(parsed.host, parsed.port or 80)
        try:
            while sent < max_requests and time.monotonic() < deadline:
                sent += 1
                started = time.perf_counter()
                status = await connection.get(target, "application/sparql-results+json")
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return summarise(latencies, time.perf_counter() - started, errors)


def summarise(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    ordered = sorted(latencies) or [float("nan")]
    return {
        "n": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


async def cheap_during_heavy(
    url: str, cheap_clients: int, max_requests: int, seconds: float
) -> dict[str, float]:
    """Cheap-query latency while one client runs the heavy query back to back."""
    stop = False

    async def heavy_loop() -> int:
        done = 0
        parsed = httpx.URL(url)
        connection = _Connection(parsed.host, parsed.port or 80)
        target = str(parsed.copy_with(params={"query": HEAVY}).raw_path, "ascii")
        while not stop:
            await connection.get(target, "application/sparql-results+json")
            done += 1
        connection.close()
        return done

    heavy = asyncio.create_task(heavy_loop())
    await asyncio.sleep(0.3)
    result = await drive(url, CHEAP, cheap_clients, max_requests, seconds)
    stop = True
    result["heavy_done"] = await heavy
    return result


def run_server_cells(kind: str, store_dir: Path, args: argparse.Namespace) -> list[list[object]]:
    port = free_port()
    proc = start(kind, store_dir, port, args.timeout)
    url = f"http://127.0.0.1:{port}/query" if kind == "oxigraph" else f"http://127.0.0.1:{port}/sparql"
    rows: list[list[object]] = []
    try:
        for name, query, budget in (("cheap", CHEAP, args.requests), ("heavy", HEAVY, args.heavy_requests)):
            asyncio.run(drive(url, query, 8, 64, 10))  # warm-up: start the workers, fill caches
            for clients in (1, 8, 32):
                r = asyncio.run(drive(url, query, clients, budget, args.seconds))
                rows.append(
                    [
                        kind,
                        name,
                        clients,
                        r["n"],
                        r["errors"],
                        f"{r['rps']:.0f}",
                        f"{r['p50']:.1f}",
                        f"{r['p99']:.1f}",
                    ]
                )
        for clients in (1, 8):
            r = asyncio.run(cheap_during_heavy(url, clients, args.requests, args.seconds))
            rows.append(
                [
                    kind,
                    f"cheap during heavy ({r['heavy_done']:.0f} heavy done)",
                    clients,
                    r["n"],
                    r["errors"],
                    f"{r['rps']:.0f}",
                    f"{r['p50']:.1f}",
                    f"{r['p99']:.1f}",
                ]
            )
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20_000, help="synthetic graph size (papers)")
    parser.add_argument("--graph", type=Path, help="use an existing graph dir (citekg build) instead")
    parser.add_argument("--requests", type=int, default=3000, help="cheap requests per cell (upper bound)")
    parser.add_argument(
        "--heavy-requests", type=int, default=200, help="heavy requests per cell (upper bound)"
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="time bound per cell")
    parser.add_argument("--timeout", type=float, default=30.0, help="endpoint query timeout")
    parser.add_argument("--oxigraph", action="store_true", help="also run Oxigraph's own serve-read-only")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="citekg-bench-"))
    try:
        if args.graph:
            from citekg.graph.endpoint import resolve_store_dir

            store_dir, label = resolve_store_dir(args.graph), str(args.graph)
        else:
            started = time.perf_counter()
            store_dir = build_store(args.papers, tmp)
            label = f"synthetic, {args.papers} papers (built in {time.perf_counter() - started:.1f} s)"
        triples = len(ox.Store.read_only(str(store_dir)))
        rows = run_server_cells("citekg", store_dir, args)
        if args.oxigraph:
            rows += run_server_cells("oxigraph", store_dir, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"graph: {label}; {triples} triples; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}"
    )
    print(
        tabulate(
            rows,
            headers=["server", "query", "clients", "ok", "errors", "req/s", "p50 ms", "p99 ms"],
            tablefmt="github",
        )
    )


if __name__ == "__main__":
    main()
