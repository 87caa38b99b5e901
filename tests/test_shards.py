"""Shards: partitions of the input, shard files written atomically, and `citekg load`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from citekg.cli import cli
from citekg.distributed import Partition, plan_partitions, run_partition, shard_inputs
from citekg.errors import InputError, StoreError
from citekg.graph.store import GraphStore
from citekg.model import Extraction, Mention, Paper
from citekg.readers import read_papers
from citekg.shards import (
    MANIFEST,
    extraction_shard_for,
    load_graph,
    read_manifest,
    shard_files,
    shard_name,
    write_shard,
)
from click.testing import CliRunner, Result


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def paper_record(i: int) -> dict:
    return {
        "id": f"arxiv:2401.{i:05d}",
        "title": f"Paper number {i}",
        "abstract": f"We study problem {i}.",
        "ids": {"arxiv": f"2401.{i:05d}"},
        "references": [f"arxiv:2401.{i - 1:05d}"] if i > 1 else [],
    }


def extraction(i: int, *, entity: str = "BERT") -> Extraction:
    paper = Paper(id=f"arxiv:2401.{i:05d}", title=f"{entity} for task {i}", abstract="")
    mention = Mention(
        paper.id, "model", entity, 0, len(entity), "title", entity.casefold(), "used", 0.9, "lexicon"
    )
    return Extraction(paper=paper, mentions=(mention,), extractor_version="citekg-test")


def write_jsonl(path: Path, records: list, *, bad_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(r) for r in records]
    for number, text in sorted((bad_lines or {}).items()):
        lines.insert(number - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def extractions_file(tmp_path: Path) -> Path:
    """Extraction JSONL (built without NLP): 30 papers, two entities shared across them."""
    records = [extraction(i, entity="BERT" if i % 2 else "ResNet").to_dict() for i in range(1, 31)]
    return write_jsonl(tmp_path / "extractions.jsonl", records)


# -- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "name"), [(0, "part-00000"), (7, "part-00007"), (123456, "part-123456")])
def test_shard_name(index: int, name: str) -> None:
    assert shard_name(index) == name


def test_shard_name_refuses_negative_index() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        shard_name(-1)


@pytest.mark.parametrize(
    ("shard", "records"),
    [("d/part-00001.nt", "d/part-00001.extractions.jsonl"), ("x.nq", "x.extractions.jsonl")],
)
def test_extraction_shard_for(shard: str, records: str) -> None:
    assert extraction_shard_for(Path(shard)) == Path(records)


# -- partitions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("wanted", [1, 2, 3, 7, 40])
def test_partitions_cover_a_json_lines_file_exactly(tmp_path: Path, wanted: int) -> None:
    path = write_jsonl(tmp_path / "papers.jsonl", [paper_record(i) for i in range(1, 31)])
    parts = plan_partitions([path], partitions=wanted)
    assert 1 <= len(parts) <= min(wanted, 30)
    assert [p.index for p in parts] == list(range(len(parts)))
    assert parts[0].start == 0 and parts[-1].end is None
    data = path.read_bytes()
    for before, after in zip(parts, parts[1:], strict=False):
        assert before.end == after.start
        assert data[after.start - 1 : after.start] == b"\n"  # cut at a line start
        assert after.first_line == data[: after.start].count(b"\n") + 1
    # reading every slice gives the whole file's papers, in order
    from citekg.distributed import _SliceSource
    from citekg.readers import get_reader

    ids = []
    for part in parts:
        src = _SliceSource(path, str(path), False, start=part.start, end=part.end, first_line=part.first_line)
        ids += [p.id for p in get_reader("citekg")(src)]
    assert ids == [p.id for p in read_papers(path)]


def test_partition_cut_skips_a_line_that_is_not_a_record(tmp_path: Path) -> None:
    records = [paper_record(i) for i in range(1, 11)]
    path = write_jsonl(tmp_path / "papers.jsonl", records, bad_lines={6: "{not json"})
    for part in plan_partitions([path], partitions=10):
        line = path.read_bytes()[part.start :].split(b"\n", 1)[0]
        assert json.loads(line)  # every slice starts with a record line


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("papers.jsonl.gz", None),  # gzipped: cannot seek into it
        ("papers.json", "array"),  # a JSON document, not JSON Lines
        ("papers.bib", "@article{a, title={One}}\n@article{b, title={Two}}\n"),
    ],
)
def test_files_that_cannot_be_cut_are_one_partition(tmp_path: Path, name: str, content: str | None) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes(
            gzip.compress(b"".join(json.dumps(paper_record(i)).encode() + b"\n" for i in range(1, 30)))
        )
    elif content == "array":
        path.write_text(json.dumps([paper_record(i) for i in range(1, 30)], indent=1), encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    assert plan_partitions([path], partitions=8) == [
        Partition(0, str(path), plan_partitions([path])[0].format)
    ]


def test_partitions_are_numbered_across_files(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [paper_record(i) for i in range(1, 21)])
    b = write_jsonl(tmp_path / "b.jsonl", [paper_record(i) for i in range(21, 23)])
    parts = plan_partitions([a, b], partitions=4)
    assert [p.path for p in parts] == [str(a)] * (len(parts) - 1) + [str(b)]
    assert [p.index for p in parts] == list(range(len(parts)))


@pytest.mark.parametrize(("paths", "message"), [(["missing.jsonl"], "no such file")])
def test_partitions_of_missing_input(tmp_path: Path, paths: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan_partitions([tmp_path / p for p in paths])


def test_partitions_must_be_positive(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [paper_record(1)])
    with pytest.raises(ValueError, match="at least 1"):
        plan_partitions([path], partitions=0)


# -- writing shards --------------------------------------------------------------------------------------


def test_write_shard_writes_both_files_and_counts(tmp_path: Path) -> None:
    counts = write_shard([extraction(1), extraction(2)], tmp_path, "part-00000")
    nt, records = tmp_path / "part-00000.nt", tmp_path / "part-00000.extractions.jsonl"
    assert (counts.name, counts.papers) == ("part-00000", 2)
    lines = nt.read_text(encoding="utf-8").splitlines()
    assert counts.triples == len(lines) == len(set(lines))  # shared entity lines written once
    assert counts.bytes == nt.stat().st_size
    assert [json.loads(line)["id"] for line in records.read_text().splitlines()] == [
        "arxiv:2401.00001",
        "arxiv:2401.00002",
    ]
    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == counts.triples
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-00000.extractions.jsonl", "part-00000.nt"]


def test_write_shard_is_deterministic(tmp_path: Path) -> None:
    write_shard([extraction(i) for i in range(5)], tmp_path / "a", "part-00003")
    write_shard([extraction(i) for i in range(5)], tmp_path / "b", "part-00003")
    for name in ("part-00003.nt", "part-00003.extractions.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_failing_shard_leaves_no_file(tmp_path: Path) -> None:
    def crashing():
        yield extraction(1)
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError, match="worker died"):
        write_shard(crashing(), tmp_path, "part-00000")
    assert list(tmp_path.iterdir()) == []


# -- the local engine -------------------------------------------------------------------------------------


def test_shard_inputs_local_writes_a_manifest_last(tmp_path: Path, extractions_file: Path) -> None:
    summary = shard_inputs([extractions_file], tmp_path / "out", partitions=3)
    manifest = read_manifest(tmp_path / "out")
    assert summary.papers == manifest["papers"] == 30
    assert summary.partitions == len(manifest["shards"]) == 3
    assert sum(s["papers"] for s in manifest["shards"]) == 30
    assert shard_files([tmp_path / "out"]) == [tmp_path / "out" / f"part-0000{i}.nt" for i in range(3)]


def test_shard_output_must_be_new_unless_overwrite(tmp_path: Path, extractions_file: Path) -> None:
    out = tmp_path / "out"
    shard_inputs([extractions_file], out, partitions=3)
    with pytest.raises(StoreError, match="not empty"):
        shard_inputs([extractions_file], out)
    summary = shard_inputs([extractions_file], out, partitions=1, overwrite=True)
    assert summary.partitions == 1
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST,
        "part-00000.extractions.jsonl",
        "part-00000.nt",
    ]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="notes.txt"):
        shard_inputs([extractions_file], out, overwrite=True)


def test_bad_record_in_a_later_slice_reports_its_file_line(tmp_path: Path) -> None:
    records = [extraction(i).to_dict() for i in range(1, 21)]
    path = write_jsonl(
        tmp_path / "x.jsonl", records, bad_lines={17: '{"id": 5, "mentions": [], "links": []}'}
    )
    with pytest.raises(InputError, match=rf"^{path}:17: "):
        shard_inputs([path], tmp_path / "out", partitions=4)
    assert not (tmp_path / "out" / MANIFEST).exists()  # no shard set that looks complete


def test_skip_invalid_counts_across_slices(tmp_path: Path) -> None:
    records = [extraction(i).to_dict() for i in range(1, 21)]
    bad = {3: "{broken", 17: '{"id": 5, "mentions": [], "links": []}'}
    path = write_jsonl(tmp_path / "x.jsonl", records, bad_lines=bad)
    summary = shard_inputs([path], tmp_path / "out", partitions=4, skip_invalid=True)
    assert summary.papers == 20
    assert sorted(line for _, line, _ in summary.skipped) == [3, 17]


def test_run_partition_returns_errors_as_data(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": 5, "mentions": [], "links": []}])
    result = run_partition(Partition(0, str(path), "extractions"), str(tmp_path / "out"))
    assert result["error"]["type"] == "InputError" and result["error"]["line"] == 1


# -- loading -----------------------------------------------------------------------------------------------


def triples(graph: Path) -> set[str]:
    """The data triples (the default graph; the precomputed views are derived from them)."""
    with GraphStore.open(graph, read_only=True) as store:
        return {str(q.triple) for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def test_load_gives_the_graph_build_gives(tmp_path: Path, extractions_file: Path) -> None:
    shard_inputs([extractions_file], tmp_path / "shards", partitions=4)
    assert run("load", tmp_path / "shards", "--graph", tmp_path / "loaded").exit_code == 0
    assert run("build", extractions_file, "--graph", tmp_path / "built", "--quiet").exit_code == 0
    assert triples(tmp_path / "loaded") == triples(tmp_path / "built")
    loaded = run("stats", "--graph", tmp_path / "loaded", "--json").output
    assert loaded == run("stats", "--graph", tmp_path / "built", "--json").output


def test_load_raw_bulk_loads_only_the_per_paper_triples(tmp_path: Path, extractions_file: Path) -> None:
    shard_inputs([extractions_file], tmp_path / "shards", partitions=2)
    summary = load_graph(tmp_path / "raw", shard_files([tmp_path / "shards"]), raw=True)
    assert (summary.bulk_loaded, summary.replayed) == (2, 0)
    shard_lines = set()
    for nt in sorted((tmp_path / "shards").glob("*.nt")):
        shard_lines |= set(nt.read_text(encoding="utf-8").splitlines())
    assert summary.triples == len(shard_lines)
    load_graph(tmp_path / "full", shard_files([tmp_path / "shards"]))
    assert triples(tmp_path / "raw") < triples(tmp_path / "full")  # labels need the whole corpus
    # The precomputed views are refreshed, so view-backed canned queries answer after a raw load too.
    counts = {
        graph: run("query", "@count-papers.rq", "--graph", tmp_path / graph, "--format", "json").output
        for graph in ("raw", "full")
    }
    assert json.loads(counts["raw"])[0]["inCorpusPapers"] == 30
    assert counts["raw"] == counts["full"]


def test_load_refuses_a_non_empty_graph_without_append(tmp_path: Path, extractions_file: Path) -> None:
    shard_inputs([extractions_file], tmp_path / "shards", partitions=2)
    first, second = shard_files([tmp_path / "shards"])
    assert run("load", first, "--graph", tmp_path / "g").exit_code == 0
    result = run("load", second, "--graph", tmp_path / "g")
    assert result.exit_code == 1 and "pass --append" in result.output
    assert run("load", second, "--graph", tmp_path / "g", "--append").exit_code == 0
    load_graph(tmp_path / "whole", [first, second])
    assert triples(tmp_path / "g") == triples(tmp_path / "whole")


def test_interrupted_load_leaves_no_graph(tmp_path: Path, extractions_file: Path) -> None:
    shard_inputs([extractions_file], tmp_path / "shards", partitions=2)
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://x/a> <http://x/p> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.nt"):
        load_graph(tmp_path / "g", [*shard_files([tmp_path / "shards"]), broken])
    assert not (tmp_path / "g").exists() and not (tmp_path / "g.loading").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d.mkdir(), "no manifest.json"),
        (lambda d: d.with_suffix(".ttl").write_text("x"), "not a shard"),
        (lambda d: None, "no such file"),
    ],
)
def test_shard_files_refuses(tmp_path: Path, make, message: str) -> None:
    target = tmp_path / "shards"
    make(target)
    arg = target.with_suffix(".ttl") if message == "not a shard" else target
    with pytest.raises(InputError, match=message):
        shard_files([arg])


def test_missing_listed_shard_is_reported(tmp_path: Path, extractions_file: Path) -> None:
    shard_inputs([extractions_file], tmp_path / "shards", partitions=2)
    (tmp_path / "shards" / "part-00001.nt").unlink()
    result = run("load", tmp_path / "shards", "--graph", tmp_path / "g")
    assert result.exit_code == 1
    assert "part-00001.nt: listed in the manifest but missing" in result.output


def test_shard_command_with_real_papers(tmp_path: Path, sample_corpus: Path) -> None:
    head = tmp_path / "head.jsonl"
    head.write_text("".join(sample_corpus.read_text(encoding="utf-8").splitlines(True)[:6]), encoding="utf-8")
    result = run("shard", head, "-o", tmp_path / "s", "--partitions", "2", "--fast", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert (summary["engine"], summary["papers"], summary["partitions"]) == ("local", 6, 2)
