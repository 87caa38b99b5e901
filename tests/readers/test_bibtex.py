from __future__ import annotations

from pathlib import Path

import pytest
from citekg.ids import title_id
from citekg.readers import read_papers
from citekg.readers.bibtex import entry_lines, paper_from_entry, split_bibtex_authors

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "papers.bib")


@pytest.fixture(scope="module")
def papers():
    return {p.id: p for p in read_papers(PATH)}


def test_bibtex_ids_and_lines(papers):
    learning_with_kernels = title_id(
        "Learning with Kernels: Support Vector Machines, Regularization, Optimization, and Beyond"
    )
    assert {pid: p.source for pid, p in papers.items()} == {
        "arxiv:1706.03762": f"{PATH}:4",  # journal = {arXiv preprint arXiv:1706.03762}
        "doi:10.18653/v1/n19-1423": f"{PATH}:11",
        "arxiv:1512.03385": f"{PATH}:27",  # eprint + archivePrefix
        learning_with_kernels: f"{PATH}:36",  # no id at all: title hash
        "arxiv:2005.14165": f"{PATH}:43",  # arxiv.org/abs URL
    }


def test_bibtex_latex_and_braces(papers):
    bert = papers["doi:10.18653/v1/n19-1423"]
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert bert.venue.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    assert bert.year == 2019 and bert.url == "https://aclanthology.org/N19-1423"
    kernels = next(p for p in papers.values() if p.title.startswith("Learning with Kernels"))
    assert kernels.authors == ("Bernhard Schölkopf", "Alexander J. Smola")
    assert papers["arxiv:1706.03762"].authors[-2] == "Łukasz Kaiser"


def test_bibtex_abstract_string_macro_and_others(papers):
    gpt3 = papers["arxiv:2005.14165"]
    assert gpt3.venue == "Advances in Neural Information Processing Systems"
    assert gpt3.authors == ("Tom Brown", "Benjamin Mann", "Nick Ryder")
    assert gpt3.abstract.endswith("(e.g. up to 175B parameters, 10× more).")
    assert papers["arxiv:1512.03385"].abstract == ""


@pytest.mark.parametrize(
    "entry, expected_id",
    [
        ({"title": "T", "eprint": "1810.04805", "archiveprefix": "arXiv"}, "arxiv:1810.04805"),
        ({"title": "T", "eprint": "1810.04805", "eprinttype": "arxiv"}, "arxiv:1810.04805"),
        ({"title": "T", "eprint": "12345", "archiveprefix": "HAL"}, title_id("T")),
        ({"title": "T", "url": "https://doi.org/10.1145/3292500.3330701"}, "doi:10.1145/3292500.3330701"),
        (
            {"title": "T", "doi": "10.1038/nature14539", "url": "https://arxiv.org/abs/1706.03762"},
            "arxiv:1706.03762",
        ),
    ],
)
def test_bibtex_id_sources(entry, expected_id):
    assert paper_from_entry({"ENTRYTYPE": "misc", "ID": "k", **entry}, "x:1").id == expected_id


@pytest.mark.parametrize(
    "value, names",
    [
        ("He, Kaiming and Zhang, Xiangyu", ["Kaiming He", "Xiangyu Zhang"]),
        ("{Google Research and DeepMind}", ["{Google Research and DeepMind}"]),
        ("Ashish Vaswani and others", ["Ashish Vaswani"]),
        ("", []),
    ],
)
def test_bibtex_split_authors(value, names):
    assert split_bibtex_authors(value) == names


def test_bibtex_entry_lines_multiline_header():
    text = "@comment{x}\n@article{\n  key1,\n title={A}}\n@preamble{p}\n"
    assert entry_lines(text) == [(2, "article", "key1")]
