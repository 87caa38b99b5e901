"""bench/synth.py: deterministic arXiv-snapshot corpora that citekg's arxiv reader reads."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from citekg.readers import detect_format, read_papers

BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_synth():
    spec = importlib.util.spec_from_file_location("bench_synth", BENCH / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


synth = load_synth()


@pytest.fixture(scope="module")
def bundled_pool():
    """The pool from the bundled sample corpus: what a clone without ../shared gets."""
    return synth.load_pool(Path("/nonexistent-shared"))


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "2001.00001"),
        (19_999, "2001.20000"),
        (20_000, "2002.00001"),
        (11 * 20_000, "2012.00001"),
        (12 * 20_000, "2101.00001"),
        (49 * 20_000 + 5, "2402.00006"),
    ],
)
def test_arxiv_id(index: int, expected: str) -> None:
    assert synth.arxiv_id(index) == expected


def test_pool_falls_back_to_the_bundled_sample(bundled_pool) -> None:
    assert bundled_pool.source == "bundled sample"
    assert len(bundled_pool.sentences) > 50 and len(bundled_pool.titles) > 10


def test_pool_reads_the_shared_corpora(shared_dir: Path) -> None:
    pool = synth.load_pool(shared_dir)
    assert pool.source == "shared corpora"
    assert len(pool.sentences) > 1000


def test_same_seed_same_corpus_other_seed_other_corpus(tmp_path: Path, bundled_pool) -> None:
    paths = [tmp_path / name for name in ("a.jsonl", "b.jsonl", "c.jsonl")]
    for path, seed in zip(paths, (3, 3, 4), strict=True):
        synth.write_corpus(path, 200, seed=seed, pool=bundled_pool)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_gzip_output_is_deterministic_and_the_same_records(tmp_path: Path, bundled_pool) -> None:
    synth.write_corpus(tmp_path / "a.jsonl.gz", 100, pool=bundled_pool)
    synth.write_corpus(tmp_path / "b.jsonl.gz", 100, pool=bundled_pool)
    synth.write_corpus(tmp_path / "c.jsonl", 100, pool=bundled_pool)
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.jsonl.gz").read_bytes()) == (tmp_path / "c.jsonl").read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_records_have_the_snapshot_shape(bundled_pool) -> None:
    records = list(synth.generate(500, pool=bundled_pool))
    assert [r["id"] for r in records[:2]] == ["2001.00001", "2001.00002"]
    assert len({r["title"] for r in records}) == 500  # no two records merge by title
    for r in records:
        assert set(r) >= {"id", "title", "abstract", "authors", "authors_parsed", "categories", "versions"}
        sentences = [s for s in r["abstract"].strip().split("\n") if s]
        assert 5 <= len(sentences) <= 11  # 4–8 real ones plus the proposal, citation and code lines
    with_code = [r for r in records if "Code is available at " in r["abstract"]]
    citing = [r for r in records if "Our work builds on arXiv:" in r["abstract"]]
    with_doi = [r for r in records if r["doi"]]
    assert 0.3 < len(with_code) / 500 < 0.5
    assert 0.2 < len(citing) / 500 < 0.4
    assert 0.1 < len(with_doi) / 500 < 0.3
    for r in citing:  # citations point back in time, to records of the corpus
        line = r["abstract"].split("Our work builds on ")[1].split(".\n")[0]
        for cited in re.findall(r"arXiv:(\d{4}\.\d{5})", line):
            assert cited < r["id"]


def test_citekg_reads_the_corpus_as_arxiv(tmp_path: Path, bundled_pool) -> None:
    path = tmp_path / "corpus.jsonl.gz"
    synth.write_corpus(path, 50, pool=bundled_pool)
    assert detect_format(path) == "arxiv"
    papers = list(read_papers(path))
    assert [p.id for p in papers[:2]] == ["arxiv:2001.00001", "arxiv:2001.00002"]
    assert all(p.year == 2020 and p.abstract and p.authors for p in papers)


def test_generator_needs_material() -> None:
    with pytest.raises(ValueError, match="no sentences"):
        next(synth.generate(1, pool=synth.Pool((), (), "nothing")))


def test_cli_writes_a_file(tmp_path: Path, capsys) -> None:
    assert synth.main(["-n", "20", "-o", str(tmp_path / "x.jsonl")]) == 0
    lines = (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20 and json.loads(lines[-1])["id"] == "2001.00020"
    assert "wrote 20 records" in capsys.readouterr().err
