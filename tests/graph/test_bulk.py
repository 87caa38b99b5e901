"""BulkWriter builds the graph GraphStore.update builds on an empty store, atomically and resumably."""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from citekg.errors import StoreError
from citekg.graph import GraphStore
from citekg.graph.build import ntriples_for, triples_for
from citekg.graph.bulk import STAGING_DIR, BulkWriter
from citekg.graph.store import to_ntriples
from citekg.ids import title_id
from citekg.model import Extraction, Link, Mention, Paper

REPO = Path(__file__).resolve().parents[2]


def _dump(store: GraphStore) -> list[str]:
    data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return sorted(data.decode("utf-8").splitlines())


def _by_update(extractions: Sequence[Extraction]) -> list[str]:
    with GraphStore.open(None) as store:
        store.update(extractions)
        return _dump(store)


def _by_bulk(extractions: Sequence[Extraction], batch_size: int, path: Path | None = None) -> list[str]:
    with GraphStore.open(path) as store:
        with BulkWriter(store, batch_size=batch_size) as writer:
            writer.write(extractions)
            writer.finish()
        return _dump(store)


def _mention(
    paper: Paper, label: str, text: str, key: str, role: str = "used", field: str = "abstract"
) -> Mention:
    source = paper.abstract if field == "abstract" else paper.title
    start = source.index(text)
    return Mention(paper.id, label, text, start, start + len(text), field, key, role, 0.8, "test")


def _cases() -> list[Extraction]:
    """Papers whose graph needs the global passes: merges, late citations, aliases, builds-on."""
    din_title = "Deep Interest Network for Click-Through Rate Prediction"
    p1 = Paper(
        id="arxiv:2001.00001",
        title=din_title,
        abstract="We propose Deep Interest Network (DIN) for CTR. DIN is tested on Criteo.",
        year=2020,
        authors=("A. One", "B. Two"),
    )
    p2 = Paper(
        id="arxiv:2002.00002",
        title="Attention for clicks",
        abstract=f'We build on Deep Interest Network, as in "{din_title}", and evaluate on Criteo.',
        references=("arxiv:2001.00001",),
    )
    p3 = Paper(
        id="doi:10.1000/merge",
        title="Graph Networks for Everything",
        abstract="Short.",
        references=(f"title:{din_title}",),
    )
    p4 = Paper(
        id="arxiv:2003.00003",
        title="Graph Networks for Everything.",
        abstract="We propose GNX, a graph network. It uses Criteo.",
        ids=(("doi", "10.1000/merge"),),
        references=("doi:10.9999/outside",),
    )
    p5 = Paper(id="s2:abc", title="graph networks for everything", authors=("C. Three",), year=2021)
    p6 = Paper(
        id="arxiv:2004.00004",
        title="GNX at scale",
        abstract="We scale GNX to web graphs with DIN features.",
        references=("doi:10.1000/merge", "title:a paper without ids at all"),
    )
    lone = Paper(id=title_id("A Paper Without Ids At All"), title="A Paper Without Ids At All", abstract="")
    proposers = [
        Paper(
            id=f"arxiv:2005.0000{i}", title=f"Transformer variant {i}", abstract="We propose the Transformer."
        )
        for i in range(4)
    ]
    user = Paper(
        id="arxiv:2006.00001",
        title="Using transformers",
        abstract="We use Transformers and GNX. Code: https://github.com/lab/gnx",
        references=("doi:10.9999/outside", "arxiv:2001.00001"),
    )
    code = Link("https://github.com/lab/gnx", "https://github.com/lab/gnx", "code", "github.com", "lab/gnx")
    arxiv_link = Link(
        "https://arxiv.org/abs/2003.00003", "https://arxiv.org/abs/2003.00003", "paper", "arxiv.org"
    )
    return [
        Extraction(
            p1,
            (
                _mention(p1, "method", "Deep Interest Network", "din", "proposed"),
                _mention(p1, "method", "DIN", "din", "proposed"),
                _mention(p1, "dataset", "Criteo", "criteo"),
            ),
            extractor_version="0.1.0",
        ),
        Extraction(
            p2,
            (
                _mention(p2, "method", "Deep Interest Network", "Deep Interest Network"),
                _mention(p2, "dataset", "Criteo", "criteo"),
            ),
            links=(arxiv_link,),
            extractor_version="0.1.0",
        ),
        Extraction(p3),
        Extraction(
            p4,
            (_mention(p4, "method", "GNX", "gnx", "proposed"), _mention(p4, "dataset", "Criteo", "criteo")),
            links=(code,),
            extractor_version="0.1.0",
        ),
        Extraction(p5),
        Extraction(
            p6,
            (_mention(p6, "method", "GNX", "gnx"), _mention(p6, "method", "DIN", "din")),
            references=("arXiv:2002.00002",),
            extractor_version="0.1.0",
        ),
        Extraction(lone),
        # The same paper again from another source: more metadata, another reference, no mentions.
        Extraction(replace(p1, abstract="", authors=(), venue="KDD", references=("doi:10.9999/outside",))),
        *(
            Extraction(
                p, (_mention(p, "method", "Transformer", "transformer", "proposed"),), extractor_version="1"
            )
            for p in proposers
        ),
        Extraction(
            user,
            (_mention(user, "method", "Transformers", "transformer"), _mention(user, "method", "GNX", "gnx")),
            links=(code,),
            extractor_version="1",
        ),
    ]


def _orders(records: list[Extraction]) -> list[list[Extraction]]:
    shuffled = list(records)
    random.Random(7).shuffle(shuffled)
    return [records, records[::-1], shuffled]


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("order", range(3))
def test_bulk_equals_update_across_batches(order: int, batch_size: int) -> None:
    records = _orders(_cases())[order]
    expected = _by_update(records)
    assert _by_bulk(records, batch_size) == expected
    # The cases do exercise the global passes.
    text = "\n".join(expected)
    assert 'aliasKey> "deep-interest-network"' in text
    assert "buildsOn>" in text and "viaEntity> <https://w3id.org/citekg/method/gnx>" in text
    assert "<https://w3id.org/citekg/paper/doi/10.1000%2Fmerge>" not in text  # folded into the arXiv node


def test_bulk_equals_update_on_disk_and_is_shacl_clean(tmp_path: Path) -> None:
    from citekg.ontology.shapes import validate
    from rdflib import Graph

    records = _orders(_cases())[2]
    lines = _by_bulk(records, 2, tmp_path / "graph")
    assert lines == _by_update(records)
    assert not (tmp_path / "graph" / STAGING_DIR).exists()
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    assert validate(graph) == []


def _bench_corpus(size: int) -> list[Extraction]:
    spec = importlib.util.spec_from_file_location("bench_graph", REPO / "bench" / "graph.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return list(module.Corpus(size))


@pytest.mark.parametrize("reverse", [False, True])
def test_bulk_equals_update_on_synthetic_corpus(tmp_path: Path, reverse: bool) -> None:
    records = _bench_corpus(150)
    if reverse:  # every cited paper arrives after its citers
        records.reverse()
    assert _by_bulk(records, 64, tmp_path / "graph") == _by_update(records)


def _two_sources(size: int) -> list[Extraction]:
    """A synthetic corpus, then a second source of the same papers (other ids, same titles, some DOIs)."""
    first = _bench_corpus(size)
    second = [
        Extraction(
            Paper(
                id=f"s2:{index}",
                title=record.paper.title.upper(),
                year=record.paper.year,
                venue="Venue",
                ids=(("doi", f"10.1000/x{index}"),) if index % 2 else (),
                references=(f"doi:10.1000/x{index + 1}",),
            )
        )
        for index, record in enumerate(first)
    ]
    return [*first, *second]


def test_bulk_equals_update_when_a_second_source_repeats_the_corpus() -> None:
    # Every record of the second source merges with a paper of an earlier batch (by title or DOI).
    records = _two_sources(80)
    assert _by_bulk(records, 30) == _by_update(records)


def test_bulk_equals_update_on_sample_corpus(sample_corpus: Path) -> None:
    from citekg.pipeline import extract_inputs

    records = list(extract_inputs([sample_corpus], fast=True))
    assert len(records) > 30
    assert _by_bulk(records, 16) == _by_update(records)


def test_ntriples_for_writes_what_triples_for_does() -> None:
    paper = Paper(
        id="arxiv:2401.00001",
        title='Quotes " and back\\slashes',
        abstract="Line one.\nLine two with \r return, tab\t, émoji 🙂 and the GNX method.",
        authors=("Zoë Ünïcode",),
        year=99,
        venue="Venue\\",
        url="https://example.org/a b",
    )
    extraction = Extraction(
        paper, (_mention(paper, "method", "GNX", "gnx", "proposed"),), extractor_version="v\n1"
    )
    for record in [extraction, *_cases()]:
        fast, slow = ox.Store(), ox.Store()
        fast.load("".join(ntriples_for(record)), ox.RdfFormat.N_TRIPLES)
        slow.load("".join(map(to_ntriples, triples_for(record))), ox.RdfFormat.N_TRIPLES)
        assert set(fast) == set(slow)


def test_bulk_refuses_a_store_with_a_graph() -> None:
    with GraphStore.open(None) as store:
        store.update(_cases()[:1])
        with pytest.raises(StoreError, match="not empty"):
            BulkWriter(store)


def test_bulk_resumes_a_build_left_unfinished(tmp_path: Path) -> None:
    records = _cases()
    path = tmp_path / "graph"
    with GraphStore.open(path) as store:
        with BulkWriter(store, batch_size=2) as writer:
            assert writer.write(records[:5]) == 5
    with GraphStore.open(path) as store:
        assert len(store) == 0  # the live store is untouched until finish()
        with BulkWriter(store, batch_size=4) as writer:
            assert writer.resumed
            assert writer.loaded(r.paper.id for r in records) == {r.paper.id for r in records[:5]}
            assert writer.write(records) == len(records) - 5  # committed records are skipped
            assert writer.write(records) == 0
            writer.finish()
        assert _dump(store) == _by_update(records)


_KILLED_BUILD = """
import os, signal, sys
from citekg.graph import GraphStore
from citekg.graph.bulk import BulkWriter
sys.path.insert(0, {tests!r})
import test_bulk
records = test_bulk.KILLED_CORPORA[{corpus!r}]()
store = GraphStore.open({path!r})
writer = BulkWriter(store, batch_size=25)
writer.write(records[:{written}])
os.kill(os.getpid(), signal.SIGKILL)
"""


#: Corpora for the kill test; in the second the kill hits batches of re-merges.
KILLED_CORPORA = {"synthetic": lambda: _bench_corpus(120), "two-sources": lambda: _two_sources(50)}


@pytest.mark.parametrize("corpus, written", [("synthetic", 60), ("two-sources", 85)])
def test_bulk_killed_build_leaves_store_empty_and_rerun_completes(
    tmp_path: Path, corpus: str, written: int
) -> None:
    path = tmp_path / "graph"
    script = _KILLED_BUILD.format(
        tests=str(Path(__file__).parent), path=str(path), corpus=corpus, written=written
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=False, env=dict(os.environ))
    assert result.returncode == -signal.SIGKILL
    records = KILLED_CORPORA[corpus]()
    with GraphStore.open(path) as store:
        assert len(store) == 0
        with BulkWriter(store, batch_size=25) as writer:
            assert writer.resumed
            assert 0 < len(writer.loaded(r.paper.id for r in records)) <= written
            writer.write(records)
            writer.finish()
        assert _dump(store) == _by_update(records)


def test_bulk_keeps_a_callers_files_in_staging_until_the_swap(tmp_path: Path) -> None:
    path = tmp_path / "graph"
    checkpoint = path / STAGING_DIR / "build-checkpoint"
    with GraphStore.open(path) as store:
        checkpoint.mkdir(parents=True)  # a caller's checkpoint, made before the writer
        writer = BulkWriter(store)
        assert writer.staging_path == path / STAGING_DIR
        assert not writer.resumed
        writer.write(_cases()[:3])
        assert checkpoint.is_dir()
        writer.finish()
        assert not (path / STAGING_DIR).exists()
        assert len(store) > 0


def test_bulk_leftover_of_a_completed_swap_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "graph"
    with GraphStore.open(path) as store, BulkWriter(store) as writer:
        writer.write(_cases()[:3])
        writer.finish()
    # A crash after the rename but before the clean-up leaves the ledger in state "swapping".
    import sqlite3

    (path / STAGING_DIR).mkdir()
    db = sqlite3.connect(path / STAGING_DIR / "ledger.sqlite")
    db.executescript(
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);INSERT INTO meta VALUES ('state', 'swapping');"
    )
    db.close()
    with GraphStore.open(path) as store:
        with pytest.raises(StoreError, match="not empty"):
            BulkWriter(store)
    assert not (path / STAGING_DIR).exists()


def test_bulk_load_failure_commits_nothing_of_its_batch(tmp_path: Path) -> None:
    records = _cases()

    class FullDisk:
        def bulk_load(self, **_: object) -> None:
            raise OSError("No space left on device")

    with GraphStore.open(tmp_path / "graph") as store:
        with BulkWriter(store, batch_size=100) as writer:
            writer.write(records[:3])
            writer.flush()
            loading, writer._ox = writer._ox, FullDisk()  # type: ignore[assignment]
            writer.write(records[8:11])  # no merge with the papers written: only loading is needed
            with pytest.raises(StoreError, match="No space left"):
                writer.flush()
            writer._ox = loading
            assert writer.loaded(r.paper.id for r in records) == {r.paper.id for r in records[:3]}
