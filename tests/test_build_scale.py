"""Streaming, batched and resumable `citekg build`: bounded memory, resume after a kill, workers."""

from __future__ import annotations

import gc
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
import pytest
from citekg import pipeline
from citekg.checkpoint import CHECKPOINT_DIR, Checkpoint
from citekg.cli import cli
from citekg.errors import InputError
from citekg.graph.store import GraphStore
from citekg.model import Extraction, Mention, Paper
from citekg.readers import read_papers
from click.testing import CliRunner, Result

CITEKG = str(Path(sys.executable).with_name("citekg"))


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def quads(graph_dir: Path) -> list[str]:
    with GraphStore.open(graph_dir, read_only=True) as store:
        data = store.ox.dump(format=ox.RdfFormat.N_QUADS)
    return sorted(data.decode("utf-8").splitlines())


def extraction(i: int) -> Extraction:
    pid = f"arxiv:2403.{i:05d}"
    text = f"We propose Net{i} and evaluate it on Data{i % 7}."
    mentions = (
        Mention(
            pid, "method", f"Net{i}", 11, 11 + len(f"Net{i}"), "abstract", f"net{i}", "proposed", 0.9, "p"
        ),
        Mention(
            pid, "dataset", f"Data{i % 7}", text.index("Data"), len(text) - 1, "abstract", f"data{i % 7}"
        ),
    )
    paper = Paper(id=pid, title=f"Paper {i}", abstract=text, references=(f"arxiv:2403.{(i * 3) % 50:05d}",))
    return Extraction(paper, mentions=mentions, extractor_version="v1")


def extraction_file(path: Path, count: int, *, bad_line: int | None = None) -> Path:
    lines = [json.dumps(extraction(i).to_dict()) + "\n" for i in range(count)]
    if bad_line is not None:
        lines[bad_line - 1] = '{"id": "arxiv:2403.99999", "title": \n'
    path.write_text("".join(lines), encoding="utf-8")
    return path


# -- streaming ---------------------------------------------------------------------------------------


def test_gzipped_json_lines_are_read_lazily(tmp_path: Path) -> None:
    # 20,000 records, then a cut-off gzip stream: a reader that decompressed the whole file first
    # would fail before yielding anything; a lazy one yields the head and fails only at the end.
    path = tmp_path / "snapshot.jsonl.gz"
    record = {"id": "", "title": "A title", "abstract": "An abstract about things. " * 20}
    blob = b"".join(json.dumps({**record, "id": f"2001.{i:05d}"}).encode() + b"\n" for i in range(1, 20_001))
    data = gzip.compress(blob)
    path.write_bytes(data[: len(data) * 3 // 4])
    papers = read_papers(path, format="arxiv")
    assert [p.id for p in islice(papers, 3)] == ["arxiv:2001.00001", "arxiv:2001.00002", "arxiv:2001.00003"]
    with pytest.raises(InputError, match="not a valid gzip file"):
        for _ in papers:
            pass


def test_build_holds_one_batch_of_extractions_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = extraction_file(tmp_path / "x.jsonl", 120)
    live: list[int] = []
    write = pipeline._UpdateWriter.write

    def extractions_alive() -> int:
        return sum(isinstance(o, Extraction) for o in gc.get_objects())

    def counting(self: pipeline._UpdateWriter, batch: list[Extraction]) -> int:
        live.append(extractions_alive() - baseline)
        return write(self, batch)

    monkeypatch.setattr(pipeline._UpdateWriter, "write", counting)
    monkeypatch.setattr(pipeline, "_bulk_writer", lambda store, size: None)
    gc.collect()
    baseline = extractions_alive()  # what other tests' fixtures hold
    with GraphStore.open(None) as store:
        summary = pipeline.build([inputs], store, batch_size=10)
    assert (summary.papers, summary.batches, len(live)) == (120, 12, 12)
    assert max(live) <= 10  # the batch being written, never the corpus


def test_batched_build_equals_one_batch(tmp_path: Path) -> None:
    inputs = extraction_file(tmp_path / "x.jsonl", 60)
    for name, size in (("one", 1000), ("many", 7)):
        with GraphStore.open(tmp_path / name) as store:
            pipeline.build([inputs], store, batch_size=size)
    assert quads(tmp_path / "one") == quads(tmp_path / "many")
    assert not (tmp_path / "many" / CHECKPOINT_DIR).exists()  # removed once complete


def test_bad_record_beyond_the_first_batch_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    graph = tmp_path / "g"
    assert run("build", extraction_file(tmp_path / "base.jsonl", 5), "--graph", graph, "-q").exit_code == 0
    before = quads(graph)
    bad = extraction_file(tmp_path / "bad.jsonl", 80, bad_line=75)
    result = run("build", bad, "--graph", graph, "--batch-size", "10", "-q")
    assert result.exit_code == 1
    assert f"{bad}:75:" in result.output
    assert quads(graph) == before
    result = run("build", bad, "--graph", graph, "--batch-size", "10", "--skip-invalid", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["papers"], len(summary["skipped"]), summary["batches"]) == (79, 1, 8)


def test_summary_reports_throughput_and_peak_memory(tmp_path: Path) -> None:
    result = run("build", extraction_file(tmp_path / "x.jsonl", 5), "--graph", tmp_path / "g", "--json")
    summary = json.loads(result.output)
    assert summary["papers_per_s"] > 0
    assert summary["peak_rss_mb"] > 10
    table = run("build", extraction_file(tmp_path / "y.jsonl", 5), "--graph", tmp_path / "g2").output
    assert "papers/s" in table and "peak RSS MB" in table


# -- the checkpoint ------------------------------------------------------------------------------------


def test_checkpoint_drops_a_line_cut_short_and_starts_over_for_another_run(tmp_path: Path) -> None:
    ckpt = Checkpoint.open(tmp_path, {"run": 1})
    ckpt.commit(["a", "b"])
    with (tmp_path / CHECKPOINT_DIR / "done.txt").open("a") as handle:
        handle.write("c")  # killed mid-write
    again = Checkpoint.open(tmp_path, {"run": 1})
    assert again.done == {"a", "b"}
    again.commit(["d"])
    assert Checkpoint.open(tmp_path, {"run": 1}).done == {"a", "b", "d"}
    assert Checkpoint.open(tmp_path, {"run": 2}).done == set()


@pytest.mark.parametrize("writer", ["bulk", "update"])
def test_interrupted_build_resumes_where_it_stopped(tmp_path: Path, writer: str) -> None:
    # into an empty store the bulk writer stages the graph; into a non-empty one each batch is a transaction
    base = extraction_file(tmp_path / "base.jsonl", 1)
    inputs = extraction_file(tmp_path / "x.jsonl", 100)
    graphs = {}
    for name in ("reference", "graph"):
        graphs[name] = tmp_path / name
        if writer == "update":
            assert run("build", base, "--graph", graphs[name], "-q").exit_code == 0
    assert run("build", inputs, "--graph", graphs["reference"], "-q").exit_code == 0

    graph = graphs["graph"]
    root = graph / "bulk-staging" if writer == "bulk" else graph
    done = root / CHECKPOINT_DIR / "done.txt"
    command = [CITEKG, "build", str(inputs), "--graph", str(graph), "--batch-size", "5", "-q"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        deadline = time.monotonic() + 60
        while not (done.is_file() and done.read_text().count("\n") >= 10) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the build finished before it could be interrupted"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    written = done.read_text().count("\n")
    assert 10 <= written < 100
    if writer == "bulk":
        assert quads(graph) == []  # staged only: the store is as it was

    result = run("build", inputs, "--graph", graph, "--batch-size", "5", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["writer"], summary["resumed"] >= written) == (writer, True)
    assert summary["resumed"] + summary["papers"] <= 100  # what was durable is not extracted again
    assert quads(graph) == quads(graphs["reference"])
    assert not done.exists()


# -- parallel extraction ---------------------------------------------------------------------------------


def test_two_workers_build_the_same_graph_as_one(tmp_path: Path, sample_corpus: Path) -> None:
    for workers in (1, 2):
        graph = tmp_path / f"w{workers}"
        result = run("build", sample_corpus, "--graph", graph, "--fast", "--workers", workers, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["workers"] == workers
    assert quads(tmp_path / "w1") == quads(tmp_path / "w2")


def test_progress_total_counts_json_lines_and_skips_other_formats(tmp_path: Path) -> None:
    plain = extraction_file(tmp_path / "x.jsonl", 12)
    packed = tmp_path / "x.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes().rstrip(b"\n")))  # no final line break
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, title={A}}\n", encoding="utf-8")
    assert pipeline.count_records([plain, packed]) == 24
    assert pipeline.count_records([plain, bib]) is None
    started: list[tuple[int | None, int]] = []
    with GraphStore.open(None) as store:
        pipeline.build([plain], store, on_start=lambda total, resumed: started.append((total, resumed)))
    assert started == [(12, 0)]
