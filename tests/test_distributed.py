"""The Dask engine on a LocalCluster: same shards as the local engine, same graph as `citekg build`."""

from __future__ import annotations

import contextlib
import json
import socket
from pathlib import Path

import pytest
from citekg.cli import cli
from citekg.distributed import shard_inputs
from citekg.errors import InputError, UnknownNameError
from citekg.graph.store import GraphStore
from click.testing import CliRunner, Result

pytest.importorskip("distributed", reason="the dask engine needs dask[distributed]")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def triples(graph: Path) -> set[str]:
    with GraphStore.open(graph, read_only=True) as store:
        return {str(q.triple) for q in store.ox}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, sample_corpus: Path) -> Path:
    """Ten real papers plus one malformed line (line 5)."""
    lines = sample_corpus.read_text(encoding="utf-8").splitlines(True)[:10]
    lines.insert(4, '{"id": "arxiv:9999.99999", "title": 42}\n')
    path = tmp_path_factory.mktemp("tiny") / "papers.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_dask_engine_matches_local_engine_and_build(tmp_path: Path, tiny: Path) -> None:
    # one cluster for the happy path and the error path keeps the test short
    dask_out, local_out = tmp_path / "dask", tmp_path / "local"
    summary = shard_inputs([tiny], dask_out, engine="dask", workers=2, partitions=3, skip_invalid=True)
    assert (summary.engine, summary.partitions, summary.papers) == ("dask", 3, 10)
    assert [(file, line) for file, line, _ in summary.skipped] == [(str(tiny), 5)]

    shard_inputs([tiny], local_out, engine="local", partitions=3, skip_invalid=True)
    names = sorted(p.name for p in local_out.iterdir() if p.name != "manifest.json")
    assert names == sorted(p.name for p in dask_out.iterdir() if p.name != "manifest.json")
    for name in names:  # deterministic: the same bytes whichever engine ran the partition
        assert (dask_out / name).read_bytes() == (local_out / name).read_bytes(), name

    assert run("load", dask_out, "--graph", tmp_path / "loaded").exit_code == 0
    built = run("build", tiny, "--graph", tmp_path / "built", "--skip-invalid", "--quiet")
    assert built.exit_code == 0, built.output
    assert triples(tmp_path / "loaded") == triples(tmp_path / "built")
    stats = [json.loads(run("stats", "--graph", tmp_path / g, "--json").output) for g in ("loaded", "built")]
    assert stats[0] == stats[1]


def test_dask_engine_reports_the_first_bad_record(tmp_path: Path, tiny: Path) -> None:
    # Dask's default dashboard port taken (another cluster, a notebook) must not stop our LocalCluster.
    with contextlib.closing(socket.socket()) as taken:
        with contextlib.suppress(OSError):  # already taken by someone else: the same situation
            taken.bind(("0.0.0.0", 8787))
            taken.listen()
        with pytest.raises(InputError, match=rf"^{tiny}:5: "):
            shard_inputs([tiny], tmp_path / "out", engine="dask", workers=1, partitions=3, fast=True)
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_unknown_engine(tmp_path: Path, tiny: Path) -> None:
    with pytest.raises(UnknownNameError, match="choose one of: dask, local"):
        shard_inputs([tiny], tmp_path / "out", engine="spark")


def test_build_on_dask_equals_the_local_build(tmp_path: Path, tiny: Path) -> None:
    graphs = {}
    for engine in ("dask", "local"):
        graphs[engine] = tmp_path / engine
        result = run(
            "build", tiny, "--graph", graphs[engine], "--engine", engine, "--workers", 2,
            "--fast", "--skip-invalid", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert (summary["engine"], summary["papers"], len(summary["skipped"])) == (engine, 10, 1)
    assert triples(graphs["dask"]) == triples(graphs["local"])
    assert not any((graphs["dask"] / name).exists() for name in ("build-checkpoint", "bulk-staging"))
