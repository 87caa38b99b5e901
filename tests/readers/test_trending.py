from __future__ import annotations

from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.ids import title_id
from citekg.readers import ReadReport, detect_format, read_papers
from citekg.readers.trending import looks_like_trending, strip_banner

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "hf-trending-papers.txt"

TITLES = [
    "LocalMamba: Visual State Space Model with Windowed Selective Scan",
    "Q&A with LLMs: Don't Trust Every Answer",
    "Qwen2.5-Omni Technical Report: 多模态 🚀",
]


@pytest.fixture(scope="module")
def corpus() -> list:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return list(read_papers(CORPUS))


def test_trending_corpus_has_119_papers(corpus):
    assert len(corpus) == 119
    assert len({p.id for p in corpus}) == 119


def test_trending_corpus_first_title_without_subscribe(corpus):
    assert (
        corpus[0].title
        == "DiffAR: Denoising Diffusion Autoregressive Model for Raw Speech Waveform Generation"
    )
    assert corpus[0].abstract.startswith("Diffusion models have recently been shown to be relevant")
    assert corpus[0].source == f"{CORPUS}:3"
    assert corpus[0].id == title_id(corpus[0].title)


@pytest.mark.parametrize(
    "index, title, abstract_start",
    [
        (
            1,
            "Beyond the Protocol: Unveiling Attack Vectors in the Model Context Protocol Ecosystem",
            "The Model Context Protocol (MCP) is an emerging standard",
        ),
        (118, "A Hitchhiker's Guide to Scaling Law Estimation", None),
    ],
)
def test_trending_corpus_pairs_titles_with_abstracts(corpus, index, title, abstract_start):
    assert corpus[index].title == title
    if abstract_start:
        assert corpus[index].abstract.startswith(abstract_start)


def test_trending_corpus_pairing_is_consistent(corpus):
    raw = CORPUS.read_text(encoding="utf-8").splitlines()
    for paper in corpus:
        line = int(paper.source.rsplit(":", 1)[1])
        # The abstract is the line right after the title line.
        assert " ".join(raw[line].split()) == paper.abstract
        assert len(paper.title) < 200 < len(paper.abstract)
        assert not paper.title.startswith(("Subscribe", "Get trending"))


def test_trending_fixture_with_bom_crlf_blank_lines_and_no_final_newline():
    raw = (DATA / "trending.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and not raw.endswith(b"\n")
    path = str(DATA / "trending.txt")
    papers = list(read_papers(path))
    assert [p.title for p in papers] == TITLES
    assert [p.source for p in papers] == [f"{path}:3", f"{path}:6", f"{path}:10"]
    assert papers[1].abstract.startswith(
        "We study question answering with large language models (LLMs) and find that answers"
    )
    assert all(p.abstract for p in papers) and all(p.id.startswith("title:") for p in papers)


@pytest.mark.parametrize("bom", ["", "\ufeff"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_trending_layout_variants_read_the_same(tmp_path, bom, newline, final):
    lines = (DATA / "trending.txt").read_text(encoding="utf-8-sig").splitlines()
    text = bom + newline.join(lines) + (newline if final else "")
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    assert [p.title for p in read_papers(path)] == TITLES


def test_trending_without_banner_is_detected_and_read(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text("Attention Is All You Need\n" + "The dominant sequence transduction models. " * 10 + "\n")
    assert detect_format(path) == "trending"
    (paper,) = read_papers(path)
    assert paper.title == "Attention Is All You Need"


def test_trending_last_title_without_abstract_gets_empty_abstract(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Title One\n" + "abstract " * 80 + "\nTitle Two\n")
    papers = list(read_papers(path, format="trending"))
    assert [(p.title, bool(p.abstract)) for p in papers] == [("Title One", True), ("Title Two", False)]


def test_trending_long_line_where_a_title_is_due(tmp_path):
    path = tmp_path / "t.txt"
    long = "word " * 200
    path.write_text(f"{long}\nTitle One\n{long}\n")
    with pytest.raises(InputError) as exc:
        list(read_papers(path, format="trending"))
    assert str(exc.value) == (
        f"{path}:1: line of 999 characters where a title was expected "
        "(a title line is missing, or this is not a trending-papers dump)"
    )
    report = ReadReport()
    papers = list(read_papers(path, format="trending", skip_invalid=True, report=report))
    assert [p.title for p in papers] == ["Title One"]
    assert [(line, reason[:8]) for _, line, reason in report.skipped] == [(1, "line of ")]


def test_trending_strip_banner_keeps_later_subscribe():
    lines = [(1, "Get trending papers in your email inbox!"), (2, "SubscribeX: Y"), (3, "Subscribe now")]
    assert list(strip_banner(lines)) == [(2, "X: Y"), (3, "Subscribe now")]


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["Get trending papers in your email inbox!"], True),
        (["A Title", "x" * 300, "B Title", "y" * 300], True),
        (["title,abstract", "a,b"], False),
        (["x" * 500, "y" * 20], False),
        ([], False),
    ],
)
def test_trending_looks_like_trending(lines, expected):
    assert looks_like_trending(lines) is expected
