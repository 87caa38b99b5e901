from __future__ import annotations

import json
from pathlib import Path

import pytest
from citekg.readers import ReadReport, read_papers
from citekg.readers.s2 import reference_id

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "s2-papers.json")


@pytest.fixture(scope="module")
def papers():
    report = ReadReport()
    return list(read_papers(PATH, report=report)), report


def test_s2_wrapper_object_and_duplicates(papers):
    items, report = papers
    assert [p.id for p in items] == [
        "arxiv:1810.04805",
        "arxiv:1706.03762",
        "s2:e816f788767eec6a8ef0ea9eddd0e902435d4271",
    ]
    assert (report.records, report.papers, report.duplicates) == (4, 3, 1)
    assert [p.source for p in items] == [f"{PATH}:6", f"{PATH}:31", f"{PATH}:42"]


def test_s2_fields_and_ids(papers):
    bert = papers[0][0]
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert bert.abstract.startswith(
        "We introduce a new language representation model called BERT, which stands for Bidirectional"
    )
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert (bert.year, bert.venue) == (
        2019,
        "North American Chapter of the Association for Computational Linguistics",
    )
    assert dict(bert.ids) == {
        "acl": "N19-1423",
        "arxiv": "1810.04805",
        "dblp": "conf/naacl/DevlinCLT19",
        "doi": "10.18653/v1/n19-1423",
        "mag": "2963341956",
        "s2": "df2b0e26d0599ce3e70df8a9da02e51594e0e992",
        "s2corpus": "52967399",
    }
    assert bert.ids == tuple(sorted(bert.ids))


def test_s2_references_become_ids_or_titles(papers):
    assert papers[0][0].references == (
        "arxiv:1706.03762",
        "s2:3febb2bed8865945e7fddc99efd791887bb7e14f",
        "title:Improving Language Understanding by Generative Pre-Training",
        "doi:10.3115/v1/d14-1162",
    )


def test_s2_null_abstract_html_entities_and_fallbacks(papers):
    attention, dont_stop = papers[0][1], papers[0][2]
    assert attention.abstract == ""
    assert dont_stop.title == "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks"
    assert "today's NLP" in dont_stop.abstract
    assert dont_stop.authors[1] == "Ana Marasović"
    assert (dont_stop.year, dont_stop.venue) == (
        2020,
        "Annual Meeting of the Association for Computational Linguistics",
    )
    assert dont_stop.references == ("arxiv:1810.04805",)


@pytest.mark.parametrize(
    "ref, expected",
    [
        ({"paperId": "abc", "externalIds": {"DOI": "10.48550/arXiv.1512.03385"}}, "arxiv:1512.03385"),
        ({"citedPaper": {"paperId": "abc"}}, "s2:abc"),
        ({"paperId": None, "title": " Long Short-Term Memory "}, "title:Long Short-Term Memory"),
        ({"paperId": None, "title": ""}, None),
        ("not a dict", None),
    ],
)
def test_s2_reference_id(ref, expected):
    assert reference_id(ref) == expected


def test_s2_jsonl_of_single_line_api_pages(tmp_path):
    data = json.loads(Path(PATH).read_text())
    page1 = {"offset": 0, "data": data["data"][:2]}
    page2 = {"offset": 2, "data": data["data"][2:]}
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(page1) + "\n" + json.dumps(page2) + "\n")
    papers = list(read_papers(path))
    assert [p.source for p in papers] == [f"{path}:1", f"{path}:1", f"{path}:2"]


def test_s2_single_paper_object(tmp_path):
    path = tmp_path / "paper.json"
    path.write_text(json.dumps({"paperId": "abc", "title": "GloVe", "externalIds": None}, indent=2))
    (paper,) = read_papers(path)
    assert (paper.id, paper.source) == ("s2:abc", f"{path}:1")
