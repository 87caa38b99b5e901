"""Fixtures for the endpoint tests: in-memory stores and uvicorn servers on 127.0.0.1, always stopped."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import uvicorn
from citekg.graph.endpoint import create_app

DATA = Path(__file__).with_name("data.ttl")
CKG = "https://w3id.org/citekg/"


def fixture_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(DATA), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(name="fixture_store")
def _fixture_store() -> Callable[[], ox.Store]:
    """A factory of fresh in-memory stores filled from data.ttl."""
    return fixture_store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.url = self.base + "/sparql"


@contextmanager
def running(app: Any, *, max_query_bytes: int = 1_000_000) -> Iterator[Server]:
    """Run ``app`` with uvicorn in a background thread; stop it (and its workers) on exit."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        h11_max_incomplete_event_size=3 * max_query_bytes + 65536,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield Server(app, port)
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """One read-only endpoint over the fixture graph, shared by a test module."""
    with running(create_app(fixture_store(), timeout=20, max_concurrent=4)) as srv:
        yield srv


def _server_factory() -> Iterator[Callable[..., Server]]:
    stack: list[Any] = []

    def start(store: ox.Store | None = None, **options: Any) -> Server:
        cm = running(
            create_app(store if store is not None else fixture_store(), **options),
            max_query_bytes=options.get("max_query_bytes", 1_000_000),
        )
        srv = cm.__enter__()
        stack.append(cm)
        return srv

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


@pytest.fixture()
def make_server() -> Iterator[Callable[..., Server]]:
    """Start extra servers with custom options inside one test; all are stopped afterwards."""
    yield from _server_factory()


@pytest.fixture(scope="module")
def make_module_server() -> Iterator[Callable[..., Server]]:
    """Like ``make_server``, but the servers live for the whole test module."""
    yield from _server_factory()


@pytest.fixture(scope="session")
def http() -> Iterator[Any]:
    """One httpx client for the session (creating one per test costs an SSL context each time)."""
    import httpx

    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(name="free_port")
def _free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    return free_port()
