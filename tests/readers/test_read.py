from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import citekg.readers as readers
import pytest
from citekg.errors import InputError
from citekg.model import Paper
from citekg.readers import ReadReport, merge_papers, read_papers
from citekg.readers._text import clean_text, decode_latex, parse_year, split_authors

DATA = Path(__file__).resolve().parents[1] / "data"

MODULES = [
    "__init__",
    "_source",
    "_text",
    "_json",
    "trending",
    "arxiv",
    "s2",
    "openalex",
    "hf",
    "native",
    "bibtex",
    "atom",
    "delimited",
]


@pytest.mark.parametrize("name", MODULES)
def test_readers_doctests_and_docstrings(name):
    module = importlib.import_module("citekg.readers" if name == "__init__" else f"citekg.readers.{name}")
    assert module.__doc__ and len(module.__doc__) > 40
    result = doctest.testmod(module)
    assert result.failed == 0


@pytest.mark.parametrize(
    "raw, latex, expected",
    [
        ("Attention&nbsp;Is  All\tYou\nNeed", False, "Attention Is All You Need"),
        ("Caf&eacute; &lt;3 &amp; <sup>2</sup>", False, "Café <3 & 2"),
        ("para one<p>para two</p>", False, "para one para two"),
        (r"{BERT}: Pre-training of {D}eep", True, "BERT: Pre-training of Deep"),
        (r"Erd\H{o}s, Ko\v{c}, \c{C}elik", True, "Erdős, Koč, Çelik"),
        (
            r"up to 95\% and $O(n^2)$ cost, see https://x.org/~u/a_b",
            True,
            "up to 95% and O(n^2) cost, see https://x.org/~u/a_b",
        ),
        ("中文 😀 Zoë", True, "中文 😀 Zoë"),
        (r"\emph{unbalanced", True, "unbalanced"),
        (None, False, ""),
        (42, False, ""),
    ],
)
def test_clean_text(raw, latex, expected):
    assert clean_text(raw, latex=latex) == expected


def test_decode_latex_leaves_plain_text_alone():
    text = "GPT-4o & Llama-2-7B: 100% open (really)"
    assert decode_latex(text) is text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A; B ;C", ["A", "B", "C"]),
        ("Jacob Devlin and Ming-Wei Chang", ["Jacob Devlin", "Ming-Wei Chang"]),
        ("Kaiming He, Xiangyu Zhang, and Jian Sun", ["Kaiming He", "Xiangyu Zhang", "Jian Sun"]),
        ("He, Kaiming", ["He, Kaiming"]),
        ("DeepSeek-AI", ["DeepSeek-AI"]),
        ("   ", []),
    ],
)
def test_split_authors(text, expected):
    assert split_authors(text) == expected


@pytest.mark.parametrize(
    "value, year",
    [
        (2017, 2017),
        ("2017", 2017),
        ("June 2019", 2019),
        ("2024-01-02", 2024),
        (2017.0, 2017),
        (17, None),
        ("12345", None),
        (True, None),
        ("", None),
        ([2017], None),
    ],
)
def test_parse_year(value, year):
    assert parse_year(value) == year


def test_merge_papers_keeps_first_and_fills_gaps():
    first = Paper(id="arxiv:1", title="First", year=None, ids=(("arxiv", "1"),), source="a:1")
    later = Paper(
        id="arxiv:1",
        title="Later",
        abstract="A",
        year=2020,
        venue="V",
        ids=(("arxiv", "9"), ("doi", "10.1/x")),
        links=("https://github.com/a/b",),
        source="a:9",
    )
    merged = merge_papers(first, later)
    assert (merged.title, merged.abstract, merged.year, merged.venue, merged.source) == (
        "First",
        "A",
        2020,
        "V",
        "a:1",
    )
    assert merged.ids == (("arxiv", "1"), ("doi", "10.1/x"))
    assert merged.links == ("https://github.com/a/b",)
    assert merge_papers(merged, first) is merged


def test_report_accumulates_across_files():
    report = ReadReport()
    list(read_papers(DATA / "papers.csv", report=report))
    list(read_papers(DATA / "papers.tsv", report=report))
    assert (report.records, report.papers, report.duplicates) == (8, 7, 1)


def test_duplicates_beyond_merge_window_are_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MERGE_WINDOW", 2)
    records = [{"id": f"arxiv:{i}", "title": f"T{i}", "ids": {}} for i in range(4)]
    records += [
        {"id": "arxiv:0", "title": "late", "abstract": "too late", "ids": {}},
        {"id": "arxiv:3", "title": "near", "abstract": "filled", "ids": {}},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = ReadReport()
    papers = list(read_papers(path, report=report))
    assert [(p.id, p.abstract) for p in papers] == [
        ("arxiv:0", ""),
        ("arxiv:1", ""),
        ("arxiv:2", ""),
        ("arxiv:3", "filled"),
    ]
    assert (report.records, report.papers, report.duplicates) == (6, 4, 2)


def test_json_lines_are_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MERGE_WINDOW", 1)
    path = tmp_path / "p.jsonl"
    lines = [json.dumps({"id": f"arxiv:{i}", "title": f"T{i}", "ids": {}}) for i in (1, 2)] + ["not json"]
    path.write_text("\n".join(lines) + "\n")
    papers = read_papers(path)
    # Paper 1 comes out before line 3 is read: the file is not loaded whole.
    assert next(papers).id == "arxiv:1"
    with pytest.raises(InputError, match="p.jsonl:3: not valid JSON"):
        list(papers)


def test_source_uses_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)
    (paper, *_) = read_papers("papers.tsv")
    assert paper.source == "papers.tsv:2"
