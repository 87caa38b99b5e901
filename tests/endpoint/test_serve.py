"""``serve()`` as ``citekg serve`` runs it: on-disk store, uvicorn in its own process, read-only workers."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from citekg.errors import StoreError
from citekg.graph.endpoint import resolve_store_dir

DATA = Path(__file__).with_name("data.ttl")


def _disk_store(directory: Path) -> Path:
    path = directory / "graph" / "oxigraph"
    path.parent.mkdir(parents=True)
    store = ox.Store(str(path))
    store.bulk_load(path=str(DATA), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    return path


@pytest.mark.parametrize("layout", ["graph-dir", "oxigraph-dir", "missing"])
def test_resolve_store_dir(tmp_path, layout):
    (tmp_path / "g" / "oxigraph").mkdir(parents=True)
    if layout == "graph-dir":
        assert resolve_store_dir(tmp_path / "g") == tmp_path / "g" / "oxigraph"
    elif layout == "oxigraph-dir":
        assert resolve_store_dir(tmp_path / "g" / "oxigraph") == tmp_path / "g" / "oxigraph"
    else:
        with pytest.raises(StoreError, match="citekg build"):
            resolve_store_dir(tmp_path / "nope")


def test_serve_subprocess(tmp_path, free_port):
    _disk_store(tmp_path)
    code = (
        "import sys; from pathlib import Path; from citekg.graph.endpoint import serve; "
        f"serve(Path(sys.argv[1]), port={free_port}, timeout=5, log_level='info')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "graph")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{free_port}/sparql"
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=10) as client:
            while True:
                try:
                    response = client.get(url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.1)
            assert response.json()["results"]["bindings"][0]["n"]["value"] == "24"
            assert client.post(url, data={"update": "CLEAR ALL"}).status_code == 403
            assert "void:triples 24" in client.get(url).text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    log = out.decode()
    assert "GET /sparql 200 rows=1" in log  # the request log line
    assert "POST /sparql 403" in log
