"""Hostile input, SERVICE/LOAD, timeouts that really stop the work, overload, and concurrency."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

# 200^4 rows to count: minutes of CPU, computed inside one Rust call (cannot be interrupted from Python).
_VALUES = " ".join(str(i) for i in range(200))
SLOW = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"VALUES ?{v} {{ {_VALUES} }}" for v in "abcd") + " }"
CHEAP = "ASK { ?s a <http://schema.org/Dataset> }"


def _raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client-side URL normalisation) and return (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    "path",
    [
        b"/../../etc/passwd",
        b"/static/../../../../etc/passwd",
        b"/static/..%2f..%2fsetup.py",
        b"/static/..%2f..%2f..%2fpyproject.toml",
        b"/static/%2e%2e/%2e%2e/endpoint.py",
        b"/static/..\\..\\endpoint.py",
        b"/static//etc/passwd",
    ],
)
def test_path_traversal(server, path):
    status, body = _raw_request(
        server.port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status in (400, 404)
    assert b"root:" not in body and b"[project]" not in body and b"import" not in body


def test_static_assets_are_served(server, http):
    assert http.get(server.base + "/static/app.js").status_code == 200
    assert http.get(server.base + "/static/nothing.js").status_code == 404


@pytest.mark.parametrize(
    ("request_bytes", "statuses"),
    [
        # invalid UTF-8 percent-encoded in the query string, raw in the query string, and in bodies
        (b"GET /sparql?query=ASK%20%7B%7D%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {400}),
        # raw non-ASCII bytes in the request line: rejected by the HTTP layer (h11) before the app
        (b"GET /sparql?query=ASK\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {400}),
        (
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 8\r\n"
            b"Connection: close\r\n\r\nASK {}\xc3\x28",
            {400},
        ),
        (
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 13\r\nConnection: close\r\n\r\nquery=ASK%ff1",
            {400},
        ),
    ],
)
def test_invalid_utf8(server, request_bytes, statuses):
    status, body = _raw_request(server.port, request_bytes)
    assert status in statuses
    assert b"UTF-8" in body or b"Invalid HTTP request" in body


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("SELECT * WHERE " + "{ " * 5000 + "}" * 5000, 400),  # unbalanced and deep
        ("SELECT * WHERE " + "{ " * 2000 + " ?s ?p ?o " + "} " * 2000, 400),  # valid but deeper than 500
        ("SELECT * WHERE " + "{ " * 400 + " ?s ?p ?o " + "} " * 400, 200),
        ("SELECT (" + "(" * 100_000 + "1" + ")" * 100_000 + " AS ?x) {}", 400),
        ("ASK {} " + "#" * 900_000, 200),  # huge but under the 1 MB limit
        ("ASK {}" + " " * 1_100_000, 413),
    ],
)
def test_huge_and_nested(server, http, query, status):
    response = http.post(
        server.url, content=query.encode(), headers={"content-type": "application/sparql-query"}
    )
    if status is not None:
        assert response.status_code == status
    else:
        assert response.status_code in (200, 400)
    assert http.get(server.url, params={"query": CHEAP}).json()["boolean"] is True  # still alive


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        "DROP ALL",
        "CLEAR DEFAULT",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
@pytest.mark.parametrize("how", ["form", "direct", "query-param"])
def test_update_verbs_are_refused(server, http, text, how):
    if how == "form":
        response = http.post(server.url, data={"update": text})
    elif how == "direct":
        response = http.post(
            server.url, content=text.encode(), headers={"content-type": "application/sparql-update"}
        )
    else:  # smuggled as a query: a syntax error, never executed as an update
        response = http.get(server.url, params={"query": text})
    assert response.status_code in (400, 403)
    assert (
        http.get(server.url, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()["results"][
            "bindings"
        ][0]["n"]["value"]
        == "24"
    )


def test_load_refused_even_with_updates_allowed(make_server, http):
    srv = make_server(allow_update=True)
    response = http.post(srv.url, data={"update": "LOAD <http://127.0.0.1:9/data.ttl>"})
    assert response.status_code == 403
    assert "LOAD" in response.text


@pytest.mark.parametrize("silent", ["", "SILENT "])
def test_service_makes_no_connection(server, http, silent):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        for target in (f"http://127.0.0.1:{port}/sparql", "http://127.0.0.1:9/sparql"):
            started = time.monotonic()
            response = http.get(
                server.url, params={"query": f"SELECT * {{ SERVICE {silent}<{target}> {{ ?s ?p ?o }} }}"}
            )
            assert response.status_code == 403
            assert "SERVICE" in response.text
            assert time.monotonic() - started < 5
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called
    finally:
        listener.close()


def test_timeout_kills_the_worker(make_server, http):
    srv = make_server(timeout=1.0, max_concurrent=2)
    engine = srv.app.state.engine
    http.get(srv.url, params={"query": CHEAP})  # make sure a worker is up
    before = set(engine.pool.pids)
    started = time.monotonic()
    response = http.get(srv.url, params={"query": SLOW})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "timed out" in response.text
    assert elapsed < 10
    assert engine.pool.killed == 1
    killed = before - set(engine.pool.pids)
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)  # gone (and reaped), not still burning CPU
    assert http.get(srv.url, params={"query": CHEAP}).json()["boolean"] is True  # a fresh worker answers


def test_a_spare_worker_is_started_while_the_first_one_is_busy(make_server, http):
    srv = make_server(timeout=8, max_concurrent=2)
    pool = srv.app.state.engine.pool
    assert len(pool.pids) == 1  # warmed at start-up
    http.get(srv.url, params={"query": CHEAP})
    deadline = time.monotonic() + 30
    while len(pool.pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(pool.pids) == 2  # the next query need not wait for an interpreter to start
    http.get(srv.url, params={"query": CHEAP})
    time.sleep(0.5)
    assert len(pool.pids) == 2  # never more than max_concurrent


def test_thread_isolation_times_out_without_killing(make_server, http):
    srv = make_server(timeout=0.1, isolation="thread", max_concurrent=2)
    response = http.get(
        srv.url,
        params={
            "query": "SELECT (COUNT(*) AS ?n) { "
            + " ".join(f"VALUES ?{v} {{ {_VALUES} }}" for v in "abc")
            + " }"
        },
    )  # one Rust call: ~0.5 s on an idle machine, ~2 s on a loaded one
    assert response.status_code == 503


def _background(http, url, query, box):
    def run():
        started = time.monotonic()
        try:
            box["status"] = http.get(url, params={"query": query}, timeout=60).status_code
        except Exception as exc:  # the server may stop first
            box["status"] = repr(exc)
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_cheap_queries_answered_while_a_slow_one_runs(make_server):
    import httpx

    srv = make_server(timeout=8, max_concurrent=4)
    slow_box: dict = {}
    with httpx.Client(timeout=30) as slow_client, httpx.Client(timeout=30) as client:
        thread = _background(slow_client, srv.url, SLOW, slow_box)
        time.sleep(0.5)
        latencies = []
        for _ in range(10):
            started = time.monotonic()
            assert client.get(srv.url, params={"query": CHEAP}).json()["boolean"] is True
            latencies.append(time.monotonic() - started)
        assert "status" not in slow_box  # the slow query was still running all along
        assert max(latencies) < 3.0
        thread.join(20)
    assert slow_box["status"] == 503  # and it was stopped by the timeout


def test_overload_answers_503_with_retry_after(make_server):
    import httpx

    srv = make_server(timeout=5, max_concurrent=1, max_queued=0)
    box: dict = {}
    with httpx.Client(timeout=30) as slow_client, httpx.Client(timeout=30) as client:
        thread = _background(slow_client, srv.url, SLOW, box)
        engine = srv.app.state.engine
        deadline = time.monotonic() + 5
        while engine._admitted < 1 and time.monotonic() < deadline:  # the slow query holds the only slot
            time.sleep(0.01)
        response = None
        while time.monotonic() < deadline:  # wait until the slow query holds the only slot
            response = client.get(srv.url, params={"query": CHEAP})
            if response.status_code == 503:
                break
            time.sleep(0.05)
        assert response is not None and response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert "too many queries" in response.text
        thread.join(20)
    assert box["status"] == 503
