"""``citekg extract --workers N`` and ``extract(workers=N)`` on the sample corpus: one process's output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from citekg.cli import cli
from citekg.extractors import build_nlp, extract
from citekg.readers import read_papers
from click.testing import CliRunner


def test_extract_two_workers_equal_one_on_the_sample_corpus(sample_corpus: Path) -> None:
    papers = list(read_papers(sample_corpus))
    nlp = build_nlp()

    def lines(**options: int) -> list[str]:
        return [json.dumps(e.to_dict(), sort_keys=True) for e in extract(papers, nlp=nlp, **options)]

    one = lines()
    assert len(one) == len(papers) > 40
    # chunks of 8 papers: this process takes back those the worker has not started while it boots
    assert lines(batch_size=2, workers=2) == one


def test_cli_extract_workers_writes_the_same_jsonl(tmp_path: Path, sample_corpus: Path) -> None:
    written = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}.jsonl"
        args = ["extract", str(sample_corpus), "--workers", str(workers), "-o", str(out)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        written[workers] = out.read_bytes()
    assert written[2] == written[1]
    ids = [json.loads(line)["paper"]["id"] for line in written[1].splitlines()]
    assert ids == [p.id for p in read_papers(sample_corpus)]


def test_cli_extract_rejects_zero_workers(sample_corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(sample_corpus), "--workers", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--workers': 0 is not in the range x>=1." in result.output


def test_consecutive_paper_files_share_one_extract_call(
    tmp_path: Path, sample_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So their worker processes start once, not once per file; order and first-record-wins hold."""
    import citekg.extractors
    from citekg.pipeline import extract_inputs

    lines = sample_corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:20]), encoding="utf-8")
    second.write_text("".join(lines[15:]), encoding="utf-8")  # five papers again: skipped
    calls: list[int] = []
    original = citekg.extractors.extract

    def counted(papers, **options):  # type: ignore[no-untyped-def]
        calls.append(options["workers"])
        return original(papers, **options)

    monkeypatch.setattr(citekg.extractors, "extract", counted)
    ids = [e.paper.id for e in extract_inputs([first, second], fast=True)]
    assert calls == [1]
    assert ids == [p.id for p in read_papers(sample_corpus)]


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append((int(entry.name), command))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker process through /proc")
def test_cli_extract_exits_with_an_error_when_a_worker_is_killed(tmp_path: Path, sample_corpus: Path) -> None:
    """A worker killed mid-run (as the OOM killer would) is an error, and the command still exits."""
    import os
    import signal
    import subprocess
    import sys
    import time

    base = list(read_papers(sample_corpus))
    corpus = tmp_path / "papers.jsonl"
    with corpus.open("w") as out:
        for i in range(3000):
            paper = base[i % len(base)]
            record = {"id": f"arxiv:2401.{i:05d}", "title": paper.title, "abstract": paper.abstract * 3}
            out.write(json.dumps(record) + "\n")
    command = [str(Path(sys.executable).with_name("citekg")), "extract", str(corpus), "--format", "citekg"]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "-o", str(tmp_path / "out.jsonl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while not workers and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = [pid for pid, line in _children(proc.pid) if "spawn_main" in line]
        assert workers, "no worker process started"
        time.sleep(3)  # the worker is extracting, with chunks queued and some taken back
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert "An extraction worker process stopped before papers" in stderr


def test_cli_extract_fast_writes_the_rules_only_extraction(tmp_path: Path, sample_corpus: Path) -> None:
    papers = list(read_papers(sample_corpus))
    out = tmp_path / "fast.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(sample_corpus), "--fast", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out.read_text().splitlines()
    rules = [
        json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True)
        for e in extract(papers, nlp=build_nlp(fast=True))
    ]
    full = [
        json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) for e in extract(papers, nlp=build_nlp())
    ]
    assert written == rules
    assert written != full  # the NER finds what no rule does
