from __future__ import annotations

import json
from pathlib import Path

import pytest
from citekg.readers import detect_format, read_papers

DATA = Path(__file__).resolve().parents[1] / "data"
PATH = str(DATA / "hf-daily-papers.json")


@pytest.fixture(scope="module")
def papers():
    return list(read_papers(PATH))


def test_hf_daily_papers(papers):
    assert [p.id for p in papers] == ["arxiv:2401.02954", "arxiv:2403.04652", "arxiv:2401.02385"]
    assert [p.source for p in papers] == [f"{PATH}:2", f"{PATH}:20", f"{PATH}:33"]
    first = papers[0]
    assert first.title == "DeepSeek LLM: Scaling Open-Source Language Models with Longtermism"
    assert first.authors == ("DeepSeek-AI", "Xiao Bi")
    assert (first.year, first.url) == (2024, "https://arxiv.org/abs/2401.02954")


@pytest.mark.parametrize(
    "index, links",
    [
        (0, ("https://github.com/deepseek-ai/DeepSeek-LLM",)),  # githubRepo inside "paper"
        (1, ("https://github.com/01-ai/Yi", "https://01.ai")),  # both beside "paper"
        (2, ()),
    ],
)
def test_hf_links_from_either_level(papers, index, links):
    assert papers[index].links == links


def test_hf_unicode_kept_whitespace_collapsed_and_missing_abstract(papers):
    assert "(零一万物, 01.AI) 🚀 that demonstrate" in papers[1].abstract
    assert papers[2].abstract == ""


def test_hf_bare_paper_objects(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text(
        json.dumps({"id": "2401.02385", "title": "TinyLlama", "summary": "s", "upvotes": 3}) + "\n"
    )
    assert detect_format(path) == "hf"
    (paper,) = read_papers(path)
    assert (paper.id, paper.abstract) == ("arxiv:2401.02385", "s")
