from __future__ import annotations

from pathlib import Path

import pytest
from citekg.readers import read_papers
from citekg.readers.openalex import paper_from_record, rebuild_abstract

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "openalex-works.jsonl")


@pytest.fixture(scope="module")
def papers():
    return list(read_papers(PATH))


def test_openalex_ids_prefer_arxiv_then_doi(papers):
    assert [p.id for p in papers] == ["arxiv:1706.03762", "arxiv:1512.03385", "doi:10.1038/nature14539"]
    assert dict(papers[0].ids) == {
        "arxiv": "1706.03762",
        "doi": "10.48550/arxiv.1706.03762",
        "mag": "2963403868",
        "openalex": "W2963403868",
    }
    assert dict(papers[2].ids)["pmid"] == "26017442"


def test_openalex_fields(papers):
    attention = papers[0]
    assert attention.abstract == (
        "The dominant sequence transduction models are based on complex recurrent or convolutional "
        "neural networks."
    )
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert (attention.year, attention.venue) == (2017, "arXiv (Cornell University)")
    assert attention.references == ("openalex:W2194775991", "openalex:W1522301498")
    assert attention.source == f"{PATH}:1"


def test_openalex_missing_abstract_and_arxiv_location(papers):
    resnet = papers[1]
    assert resnet.abstract == ""
    assert resnet.venue == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"


def test_openalex_html_in_title_raw_author_host_venue_dedup_refs(papers):
    paper = papers[2]
    assert paper.title == "Deep learning & representation learning"
    assert paper.authors[-1] == "Geoffrey E. Hinton"
    assert paper.venue == "Nature"
    assert paper.references == ("openalex:W2194775991",)


@pytest.mark.parametrize(
    "index, expected",
    [
        ({"b": [1], "a": [0], "c": [2]}, "a b c"),
        ({"x": [2], "y": [0]}, "y x"),
        ({"x": "oops", "y": [0]}, "y"),
        ({}, ""),
        ([], ""),
    ],
)
def test_openalex_rebuild_abstract(index, expected):
    assert rebuild_abstract(index) == expected


def test_openalex_record_without_title_raises():
    from citekg.readers._source import RecordError

    with pytest.raises(RecordError, match="^record has no title$"):
        paper_from_record({"id": "https://openalex.org/W1", "display_name": None, "title": None}, "x:1")


def test_openalex_results_wrapper(tmp_path):
    path = tmp_path / "works.json"
    lines = Path(PATH).read_text().splitlines()
    path.write_text(
        '{"meta": {"count": 3, "page": 1},\n "results": [\n' + ",\n".join(lines) + '\n], "group_by": []}\n'
    )
    papers = list(read_papers(path))
    assert [p.source for p in papers] == [f"{path}:3", f"{path}:4", f"{path}:5"]
