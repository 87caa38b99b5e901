"""The data model survives the JSONL contract both ways."""

from __future__ import annotations

import json

from citekg.model import Extraction, Link, Mention, Paper
from hypothesis import given
from hypothesis import strategies as st

text = st.text(min_size=0, max_size=40)
paper_ids = st.from_regex(
    r"arxiv:\d{4}\.\d{5}|doi:10\.\d{4}/[a-z0-9.]{1,12}|title:[0-9a-f]{16}", fullmatch=True
)

papers = st.builds(
    Paper,
    id=paper_ids,
    title=text,
    abstract=text,
    authors=st.tuples(text, text),
    year=st.none() | st.integers(1900, 2030),
    venue=st.none() | text,
    url=st.none() | st.just("https://arxiv.org/abs/1706.03762"),
    ids=st.lists(st.tuples(st.sampled_from(["arxiv", "doi", "s2"]), text), unique_by=lambda kv: kv[0]).map(
        lambda pairs: tuple(sorted(pairs))
    ),
    references=st.lists(paper_ids, max_size=3).map(tuple),
    links=st.lists(st.just("https://github.com/a/b"), max_size=2).map(tuple),
    source=text,
)


@st.composite
def extractions(draw: st.DrawFn) -> Extraction:
    paper = draw(papers)
    mentions = tuple(
        Mention(
            paper.id,
            label,
            surface,
            start,
            start + len(surface),
            "abstract",
            surface.lower(),
            "used",
            draw(st.floats(0, 1).map(lambda x: round(x, 4))),
            "lexicon",
        )
        for label, surface, start in draw(
            st.lists(st.tuples(st.sampled_from(["method", "dataset"]), text, st.integers(0, 500)), max_size=4)
        )
    )
    links = tuple(
        Link("github.com/a/b.", "https://github.com/a/b", "code", "github.com", "a/b", s, s + 14, "abstract")
        for s in draw(st.lists(st.integers(0, 100), max_size=2, unique=True))
    )
    refs = tuple(draw(st.lists(paper_ids, max_size=3, unique=True)))
    return Extraction(paper, mentions, links, refs, "test")


@given(papers)
def test_model_paper_round_trip(paper: Paper) -> None:
    assert Paper.from_dict(json.loads(json.dumps(paper.to_dict()))) == paper


@given(extractions())
def test_model_extraction_round_trip(extraction: Extraction) -> None:
    line = json.dumps(extraction.to_dict(), sort_keys=True)
    again = Extraction.from_dict(json.loads(line))
    assert again.to_dict() == extraction.to_dict()
    assert set(again.mentions) == set(extraction.mentions)


def test_model_extraction_contract_keys() -> None:
    paper = Paper("arxiv:1706.03762", "Attention Is All You Need", abstract="We use WMT 2014.")
    record = Extraction(paper).to_dict()
    assert {"id", "title", "mentions", "links", "references"} <= set(record)
    assert record["id"] == "arxiv:1706.03762"


def test_model_extraction_from_minimal_record() -> None:
    extraction = Extraction.from_dict(
        {"id": "arxiv:1", "title": "T", "mentions": [], "links": [], "references": []}
    )
    assert extraction.paper == Paper("arxiv:1", "T")
