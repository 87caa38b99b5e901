from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from citekg.errors import InputError, UnknownNameError
from citekg.readers import FORMATS, detect_format, detect_record_format, get_reader, read_papers

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("trending.txt", "trending"),
        ("arxiv-snapshot.jsonl", "arxiv"),
        ("s2-papers.json", "s2"),
        ("openalex-works.jsonl", "openalex"),
        ("hf-daily-papers.json", "hf"),
        ("citekg-papers.jsonl", "citekg"),
        ("extractions.jsonl", "extractions"),
        ("papers.bib", "bibtex"),
        ("arxiv-atom.xml", "atom"),
        ("papers.csv", "csv"),
        ("papers.tsv", "tsv"),
    ],
)
def test_detect_fixture_formats(name, fmt):
    assert detect_format(DATA / name) == fmt


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("papers.bib", "bibtex"),
        ("arxiv-atom.xml", "atom"),
        ("papers.tsv", "tsv"),
        ("papers.csv", "csv"),
        ("s2-papers.json", "s2"),
        ("trending.txt", "trending"),
    ],
)
def test_detect_by_content_without_extension(tmp_path, name, fmt):
    path = tmp_path / "input"
    path.write_bytes((DATA / name).read_bytes())
    assert detect_format(path) == fmt


@pytest.mark.parametrize("name, fmt", [("openalex-works.jsonl", "openalex"), ("papers.bib", "bibtex")])
def test_detect_and_read_gzip(tmp_path, name, fmt):
    path = tmp_path / (name + ".gz")
    path.write_bytes(gzip.compress((DATA / name).read_bytes()))
    assert detect_format(path) == fmt
    assert [p.id for p in read_papers(path)] == [p.id for p in read_papers(DATA / name)]


def test_detect_tsv_in_txt(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("title\tyear\nAttention Is All You Need\t2017\n")
    assert detect_format(path) == "tsv"


@pytest.mark.parametrize(
    "record, fmt",
    [
        ({"paperId": None, "title": "x"}, "s2"),
        ({"id": "W1", "abstract_inverted_index": None}, "openalex"),
        ({"paper": {"id": "2401.01234"}, "title": "x"}, "hf"),
        (
            {"id": "arxiv:1", "title": "x", "mentions": [], "links": [], "paper": {"id": "arxiv:1"}},
            "extractions",
        ),
        ({"id": "doi:10.1/x", "title": "x", "links": []}, "citekg"),
        ({"id": "2401.01234", "abstract": "x", "categories": "cs.CL"}, "arxiv"),
        ({"id": "2401.01234", "abstract": "x"}, None),
        ({"title": "x"}, None),
        ([1, 2], None),
    ],
)
def test_detect_record_format(record, fmt):
    assert detect_record_format(record) == fmt


def test_detect_unknown_json_record(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"name": "Attention", "year": 2017}) + "\n")
    with pytest.raises(InputError) as exc:
        detect_format(path)
    assert str(exc.value) == (
        f"{path}: cannot tell the format (the first record's keys (name, year) match no known record shape); "
        "use --format with one of: " + ", ".join(FORMATS)
    )


def test_detect_unknown_extension(tmp_path):
    path = tmp_path / "notes.dat"
    path.write_text("Some notes about papers I liked,\nnothing structured here\n")
    with pytest.raises(InputError) as exc:
        detect_format(path)
    assert str(exc.value) == (
        f"{path}: cannot tell the format (extension '.dat', and the content matches no known layout); "
        "use --format with one of: trending, arxiv, s2, openalex, hf, citekg, bibtex, atom, csv, tsv, "
        "extractions"
    )


def test_detect_empty_json_array(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[]\n")
    with pytest.raises(InputError, match="the JSON holds no records"):
        detect_format(path)
    assert list(read_papers(path, format="s2")) == []


def test_formats_and_registry():
    assert FORMATS == (
        "trending",
        "arxiv",
        "s2",
        "openalex",
        "hf",
        "citekg",
        "bibtex",
        "atom",
        "csv",
        "tsv",
        "extractions",
    )
    for name in FORMATS:
        assert callable(get_reader(name))


def test_unknown_format_name_lists_formats():
    with pytest.raises(UnknownNameError) as exc:
        read_papers(DATA / "papers.csv", format="bibtx")
    assert str(exc.value) == (
        "unknown format 'bibtx'; choose one of: arxiv, atom, bibtex, citekg, csv, extractions, hf, openalex, "
        "s2, trending, tsv"
    )


def test_explicit_format_overrides_extension(tmp_path):
    path = tmp_path / "papers.txt"
    path.write_bytes((DATA / "papers.bib").read_bytes())
    assert len(list(read_papers(path, format="bibtex"))) == 5
