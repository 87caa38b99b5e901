"""Extraction in a pool of worker processes, for ``citekg build --workers N``.

The building process reads the inputs and writes the store; ``N`` spawned processes do all the NLP.
Each worker builds its own pipeline once (:func:`citekg.extractors.build_nlp`) and gets chunks of
papers, and sends back only compact :class:`~citekg.model.Extraction` records, never spaCy Docs (DESIGN
§8: ``nlp.pipe(n_process=…)`` pickles whole Docs and was slower than one process). Results come back in
input order with at most a few chunks per worker in flight, so memory stays bounded whatever the corpus.
The writer's work in the parent (N-Triples, bulk loading) then overlaps the workers' extraction instead
of taking turns with it.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from citekg.model import Extraction, Paper

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["extract_in_processes"]

#: Papers per task sent to a worker: big enough to amortise the round trip, small enough to balance.
CHUNK = 256
#: Tasks queued per worker, so workers keep busy while the parent writes a batch to the store.
AHEAD = 4
_nlp: dict[bool, Language] = {}


def _extract_chunk(papers: list[Paper], fast: bool) -> list[Extraction]:
    from citekg.extractors import build_nlp, extract

    if fast not in _nlp:
        _nlp[fast] = build_nlp(fast=fast)
    return list(extract(papers, nlp=_nlp[fast]))


def extract_in_processes(
    papers: Iterable[Paper],
    *,
    workers: int,
    fast: bool = False,
    chunk: int = CHUNK,
    ahead: int = 0,
) -> Iterator[Extraction]:
    """Yield one Extraction per paper, in input order, extracted in ``workers`` spawned processes.

    The output equals :func:`citekg.extractors.extract` with ``build_nlp(fast=fast)`` in this process.
    Papers are consumed lazily; the pool is shut down when the iterator is exhausted or closed. Up to
    ``ahead`` papers (at least a few chunks per worker) are queued, so the workers keep extracting
    while the caller spends time elsewhere, such as writing a batch of that size to the store.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    # "spawn": a fresh interpreter per worker, safe whatever threads this process runs (fork is not)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[list[Extraction]]] = deque()
    queued = max(AHEAD * workers, -(-ahead // chunk))
    iterator = iter(papers)
    try:
        while True:
            while len(pending) < queued and (batch := list(islice(iterator, chunk))):
                pending.append(pool.submit(_extract_chunk, batch, fast))
            if not pending:
                break
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
