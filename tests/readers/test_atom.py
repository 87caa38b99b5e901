from __future__ import annotations

from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.readers import ReadReport, read_papers

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "arxiv-atom.xml")

FEED = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n{body}</feed>\n'


@pytest.fixture(scope="module")
def papers():
    return list(read_papers(PATH))


def test_atom_entries_with_lines(papers):
    assert [(p.id, p.source) for p in papers] == [
        ("arxiv:1706.03762", f"{PATH}:8"),
        ("arxiv:1602.02311", f"{PATH}:28"),
        ("arxiv:1605.09522", f"{PATH}:46"),
    ]


def test_atom_fields(papers):
    attention, renyi, kme = papers
    assert attention.abstract == (
        "The dominant sequence transduction models are based on complex recurrent or convolutional "
        "neural networks in an encoder-decoder configuration."
    )
    assert (attention.authors, attention.year, attention.venue) == (
        ("Ashish Vaswani", "Noam Shazeer"),
        2017,
        "arXiv",
    )
    assert attention.url == "http://arxiv.org/abs/1706.03762v7"
    assert renyi.title == "Rényi Divergence Variational Inference"
    assert "α-divergences" in renyi.abstract
    assert renyi.links == ("https://github.com/YingzhenLi/VRbound",)
    assert kme.title == "Kernel Mean Embedding of Distributions: A Review and Beyond"
    assert kme.abstract == "" and kme.authors[-1] == "Bernhard Schölkopf"
    assert dict(kme.ids) == {"arxiv": "1605.09522", "doi": "10.1561/2200000060"}
    assert kme.venue.startswith("Foundations and Trends in Machine Learning")


def test_atom_api_error_entry(tmp_path):
    path = tmp_path / "err.xml"
    path.write_text(
        FEED.format(
            body="<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>"
            "<title>Error</title><summary>incorrect id format for 1234</summary></entry>\n"
        )
    )
    with pytest.raises(InputError) as exc:
        list(read_papers(path))
    assert str(exc.value) == f"{path}:3: the arXiv API returned an error: incorrect id format for 1234"


def test_atom_entry_without_title_is_skippable(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        FEED.format(
            body="<entry><id>http://arxiv.org/abs/1706.03762v1</id><title> </title></entry>\n"
            "<entry><id>http://arxiv.org/abs/1810.04805v2</id><title>BERT</title></entry>\n"
        )
    )
    report = ReadReport()
    assert [p.id for p in read_papers(path, skip_invalid=True, report=report)] == ["arxiv:1810.04805"]
    assert report.skipped == [(str(path), 3, "entry has no title")]


@pytest.mark.parametrize(
    "text, reason, line",
    [
        ('<?xml version="1.0"?>\n<rss><channel/></rss>\n', "not an Atom feed: the root element is <rss>", 2),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY lol "lol">]>\n<feed/>\n',
            "XML entity declarations are not allowed",
            2,
        ),
        (
            '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n</feed>\n',
            "not valid XML: mismatched tag (column 3)",
            4,
        ),
    ],
)
def test_atom_bad_documents(tmp_path, text, reason, line):
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        list(read_papers(path, format="atom", skip_invalid=True))
    assert str(exc.value) == f"{path}:{line}: {reason}"
