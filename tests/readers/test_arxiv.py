from __future__ import annotations

import json
from pathlib import Path

import pytest
from citekg.readers import ReadReport, read_papers
from citekg.readers._source import RecordError
from citekg.readers.arxiv import paper_from_record, year_from_arxiv_id

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "arxiv-snapshot.jsonl")


@pytest.fixture(scope="module")
def papers():
    report = ReadReport()
    return {p.id: p for p in read_papers(PATH, report=report)}, report


def test_arxiv_reads_fixture_and_merges_duplicate(papers):
    by_id, report = papers
    assert list(by_id) == ["arxiv:1706.03762", "arxiv:1602.02311", "arxiv:1605.09522", "arxiv:hep-th/9711200"]
    assert (report.records, report.papers, report.duplicates, report.skipped) == (5, 4, 1, [])


def test_arxiv_duplicate_first_wins_and_fills_gaps(papers):
    paper = papers[0]["arxiv:1706.03762"]
    assert paper.title == "Attention Is All You Need"
    assert paper.abstract.startswith(
        "The dominant sequence transduction models are based on complex recurrent or convolutional"
    )
    assert dict(paper.ids) == {"arxiv": "1706.03762", "doi": "10.48550/arxiv.1706.03762"}
    assert paper.source == f"{PATH}:1"


def test_arxiv_fields(papers):
    paper = papers[0]["arxiv:1706.03762"]
    assert paper.authors[:2] == ("Ashish Vaswani", "Noam Shazeer") and len(paper.authors) == 8
    assert (paper.year, paper.venue, paper.url) == (2017, "arXiv", "https://arxiv.org/abs/1706.03762")
    assert "\n" not in paper.abstract and "  " not in paper.abstract


def test_arxiv_latex_decoded(papers):
    paper = papers[0]["arxiv:1602.02311"]
    assert paper.title == "Rényi Divergence Variational Inference"
    assert "Rényi's α-divergences" in paper.abstract
    assert paper.links == ("https://github.com/YingzhenLi/VRbound",)


def test_arxiv_missing_abstract_journal_ref_doi_and_accented_author(papers):
    paper = papers[0]["arxiv:1605.09522"]
    assert paper.abstract == ""
    assert paper.authors[-1] == "Bernhard Schölkopf"
    assert paper.venue == "Foundations and Trends in Machine Learning: Vol. 10: No. 1-2, pp 1-141 (2017)"
    assert dict(paper.ids)["doi"] == "10.1561/2200000060"


def test_arxiv_old_style_id_year_from_id(papers):
    paper = papers[0]["arxiv:hep-th/9711200"]
    assert paper.year == 1997
    assert "large N limit" in paper.abstract


@pytest.mark.parametrize(
    "record, expected_authors",
    [
        ({"authors": "Kaiming He, Xiangyu Zhang and Jian Sun"}, ("Kaiming He", "Xiangyu Zhang", "Jian Sun")),
        ({"authors": 'G\\"unter Klambauer', "authors_parsed": []}, ("Günter Klambauer",)),
        ({"authors_parsed": [["Smith", "John", "Jr"]]}, ("John Smith Jr",)),
    ],
)
def test_arxiv_authors(record, expected_authors):
    paper = paper_from_record({"id": "2401.01234", "title": "T", **record}, "x:1")
    assert paper.authors == expected_authors


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"id": "2401.01234", "title": "  "}, "record has no title"),
        ({"id": "not-an-id", "title": "T"}, "record has no valid arXiv id (id: 'not-an-id')"),
        ({"title": "T"}, "record has no valid arXiv id (id: None)"),
    ],
)
def test_arxiv_bad_records(record, reason):
    with pytest.raises(RecordError, match=None) as exc:
        paper_from_record(record, "x:1")
    assert str(exc.value) == reason


def test_arxiv_year_prefers_v1_created():
    record = {
        "id": "2401.01234",
        "title": "T",
        "versions": [
            {"version": "v2", "created": "Tue, 2 Jan 2025"},
            {"version": "v1", "created": "Mon, 1 Jan 2024"},
        ],
    }
    assert paper_from_record(record, "x:1").year == 2024


@pytest.mark.parametrize(
    "arxiv_id, year", [("0704.0001", 2007), ("2401.01234", 2024), ("math/9101001", 1991), ("x", None)]
)
def test_arxiv_year_from_id(arxiv_id, year):
    assert year_from_arxiv_id(arxiv_id) == year


def test_arxiv_json_array_reads_the_same(tmp_path):
    records = [json.loads(line) for line in Path(PATH).read_text().splitlines() if line.strip()]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(records, indent=2))
    assert [p.id for p in read_papers(path)] == [p.id for p in read_papers(PATH)]
