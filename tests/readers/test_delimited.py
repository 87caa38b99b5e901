from __future__ import annotations

from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.ids import title_id
from citekg.readers import ReadReport, read_papers
from citekg.readers.delimited import match_columns

DATA = Path(__file__).resolve().parents[1] / "data"
CSV = str(DATA / "papers.csv")
TSV = str(DATA / "papers.tsv")


@pytest.fixture(scope="module")
def csv_papers():
    report = ReadReport()
    return list(read_papers(CSV, report=report)), report


def test_csv_rows_lines_and_duplicate(csv_papers):
    papers, report = csv_papers
    title_only = title_id("Q&A over Knowledge Graphs: Don't Forget the Schema")
    assert [(p.id, p.source) for p in papers] == [
        ("arxiv:1512.03385", f"{CSV}:2"),  # its quoted abstract spans lines 2-3
        ("arxiv:1406.2661", f"{CSV}:4"),
        (title_only, f"{CSV}:6"),
        ("arxiv:2403.04652", f"{CSV}:8"),
    ]
    assert (report.records, report.papers, report.duplicates) == (5, 4, 1)


def test_csv_fields(csv_papers):
    resnet, gan, qa, yi = csv_papers[0]
    assert resnet.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert resnet.abstract.endswith("substantially deeper than those used previously.")
    assert "\n" not in resnet.abstract
    assert dict(resnet.ids) == {"arxiv": "1512.03385", "doi": "10.1109/cvpr.2016.90"}
    assert (resnet.year, resnet.venue) == (2016, "CVPR")
    assert resnet.links == ("https://github.com/KaimingHe/deep-residual-networks",)
    assert gan.authors == ("Ian Goodfellow", "Jean Pouget-Abadie", "Mehdi Mirza") and gan.abstract == ""
    assert qa.title == "Q&A over Knowledge Graphs: Don't Forget the Schema"
    assert qa.abstract == "Spaces and line breaks collapse."
    assert qa.authors == ("Ana Marasović", "Zoë Müller")
    assert yi.authors == ("Alex Young", "陈蓓") and yi.abstract == "多模态 models 🚀 with CJK and emoji kept"


def test_tsv_quotes_are_literal_unless_wrapping():
    papers = list(read_papers(TSV))
    assert [p.title for p in papers] == [
        '"Why Should I Trust You?": Explaining the Predictions of Any Classifier',
        "Adam: A Method for Stochastic Optimization",
        "U-Net: Convolutional Networks for Biomedical Image Segmentation",
    ]
    assert papers[1].id == "arxiv:1412.6980" and papers[1].abstract == ""
    assert papers[2].authors == ("Olaf Ronneberger", "Philipp Fischer", "Thomas Brox")
    assert [p.year for p in papers] == [2016, 2014, 2015]


@pytest.mark.parametrize(
    "header, expected",
    [
        (["TITLE", "Summary", "author"], {"title": [0], "abstract": [1], "authors": [2]}),
        (["paper title", "arXiv-ID", "publication_date"], {"title": [0], "arxiv": [1], "year": [2]}),
        (["title", "abstract", "summary"], {"title": [0], "abstract": [1]}),
        (["name", "text"], {}),
    ],
)
def test_match_columns(header, expected):
    assert match_columns(header) == expected


def test_csv_header_without_title(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name,Abstract,Year\nAttention,The dominant,2017\n")
    with pytest.raises(InputError) as exc:
        list(read_papers(path))
    assert str(exc.value) == (
        f"{path}:1: no title column in the header (saw: Name, Abstract, Year); "
        "expected one of: title, paper_title"
    )


def test_csv_short_rows_are_padded(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("title,abstract,year\nAttention Is All You Need\n")
    (paper,) = read_papers(path)
    assert (paper.title, paper.abstract, paper.year) == ("Attention Is All You Need", "", None)
