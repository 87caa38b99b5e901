from __future__ import annotations

import json
from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.model import Paper
from citekg.readers import ReadReport, read_extractions, read_papers

DATA = Path(__file__).resolve().parents[1] / "data"
PAPERS = str(DATA / "citekg-papers.jsonl")
EXTRACTIONS = str(DATA / "extractions.jsonl")


def test_citekg_papers_round_trip(tmp_path):
    papers = list(read_papers(PAPERS))
    path = tmp_path / "again.jsonl"
    path.write_text(
        "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in papers), encoding="utf-8"
    )
    again = list(read_papers(path))
    assert [(p.id, p.title, p.abstract, p.authors, p.ids, p.references, p.links) for p in again] == [
        (p.id, p.title, p.abstract, p.authors, p.ids, p.references, p.links) for p in papers
    ]


def test_citekg_papers_fields_duplicate_and_unicode():
    report = ReadReport()
    papers = list(read_papers(PAPERS, report=report))
    assert report.duplicates == 1 and len(papers) == 3
    first = papers[0]
    assert first.references == ("arxiv:1512.03385", "title:Long Short-Term Memory")
    assert dict(first.ids) == {"arxiv": "1706.03762", "doi": "10.48550/arxiv.1706.03762"}
    assert first.source == f"{PAPERS}:1"  # the file read, not the source written in the record
    assert papers[2].title == "Cross-lingual Retrieval for 中文 and 日本語 😀"
    assert papers[2].year == 2023  # "2023" as a string is accepted


@pytest.mark.parametrize(
    "record, reason",
    [
        (
            {"id": "1706.03762", "title": "T"},
            "record has no scheme-prefixed id (such as 'arxiv:1706.03762'): '1706.03762'",
        ),
        ({"id": "arxiv:1", "title": ""}, "record has no title"),
        (
            {"id": "arxiv:1", "title": "T", "authors": "A. Author"},
            "field 'authors' must be a list of strings",
        ),
        ({"id": "arxiv:1", "title": "T", "ids": ["arxiv"]}, "field 'ids' must be an object of strings"),
        ({"id": "arxiv:1", "title": "T", "year": "soon"}, "field 'year' must be an integer, not 'soon'"),
        ({"id": "arxiv:1", "title": "T", "venue": 3}, "field 'venue' must be a string"),
    ],
)
def test_citekg_bad_records(tmp_path, record, reason):
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"id": "arxiv:0", "title": "ok", "ids": {}}) + "\n" + json.dumps(record) + "\n"
    )
    with pytest.raises(InputError) as exc:
        list(read_papers(path, format="citekg"))
    assert str(exc.value) == f"{path}:2: {reason}"


def test_read_extractions():
    report = ReadReport()
    extractions = list(read_extractions(EXTRACTIONS, report=report))
    assert [e.paper.id for e in extractions] == ["arxiv:1706.03762", "arxiv:1810.04805"]
    first = extractions[0]
    assert [(m.label, m.key, m.role) for m in first.mentions] == [("method", "transformer", "proposed")]
    assert first.links[0].repo == "tensorflow/tensor2tensor"
    assert first.paper.source == "papers.jsonl:1"  # provenance of the extracted paper is kept
    assert extractions[1].paper.source == f"{EXTRACTIONS}:2"
    assert (report.records, report.papers) == (2, 2)


def test_read_papers_from_extractions():
    papers = list(read_papers(EXTRACTIONS))
    assert all(isinstance(p, Paper) for p in papers)
    assert papers[0].abstract.startswith("We propose the Transformer")


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"title": "x", "mentions": [], "links": []}, "extraction record has no 'id'"),
        (
            {"id": "arxiv:1", "mentions": [{"text": "BERT"}], "links": []},
            "extraction record is missing key 'label'",
        ),
        (
            {
                "id": "arxiv:1",
                "mentions": [
                    {"text": "x", "label": "model", "start": "a", "end": 1, "field": "title", "key": "x"}
                ],
                "links": [],
            },
            "extraction record is malformed: invalid literal for int() with base 10: 'a'",
        ),
        ({"id": "arxiv:1", "title": 42}, "paper field 'title' must be a string, not 42"),
        (
            {"id": "arxiv:1", "paper": {"id": "arxiv:1", "title": "t", "year": "soon"}},
            "paper field 'year' must be an integer, not 'soon'",
        ),
        ({"id": "arxiv:1", "references": ["arxiv:2", 3]}, "field 'references' must hold strings only"),
        (
            {
                "id": "arxiv:1",
                "mentions": [
                    {"text": 7, "label": "model", "start": 0, "end": 1, "field": "title", "key": "x"}
                ],
            },
            "mention 1 field 'text' must be a string, not 7",
        ),
        (
            {"id": "arxiv:1", "links": [{"url": "u", "normalized": None, "kind": "code", "host": "h"}]},
            "link 1 field 'normalized' must be a string, not None",
        ),
    ],
)
def test_read_extractions_bad_records(tmp_path, record, reason):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(InputError) as exc:
        list(read_extractions(path))
    assert str(exc.value) == f"{path}:1: {reason}"
    report = ReadReport()
    assert list(read_extractions(path, skip_invalid=True, report=report)) == []
    assert report.skipped == [(str(path), 1, reason)]
