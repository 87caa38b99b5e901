"""Shape checks for the bundled sample corpus ``examples/papers.jsonl``.

The corpus is read with the stdlib ``json`` module on purpose: it must stay loadable without citekg's readers,
so these tests do not depend on any stage being finished.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from citekg.model import Paper

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
README = CORPUS.with_name("README.md")

ID_RE = re.compile(r"^arxiv:\d{4}\.\d{4,5}$")
KEYS = ["id", "title", "abstract", "authors", "year", "venue", "url", "ids", "references", "links", "source"]
# A sentence ends at . ! or ? followed by whitespace and a capital, digit or opening bracket/quote, or at the
# end of the text. Dots inside URLs, numbers ("2.0", "84.3%") and ids are not followed by whitespace.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'\[<])")


def count_sentences(text: str) -> int:
    text = text.strip()
    return len(_SENTENCE_END_RE.split(text)) if text else 0


def load() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


RECORDS = load()
BY_ID = {record["id"]: record for record in RECORDS}


# --- the helpers the checks rely on ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("One sentence.", 1),
        ("One. Two. Three.", 3),
        ("It reaches 84.3% top-1 on ImageNet. Code: github.com/a/b.", 2),
        ("wav2vec 2.0 learns speech. It uses LibriSpeech.", 2),
        ("Tokens like <s> and </s> mark boundaries. Done.", 2),
        ("Is it fast? Yes! 40 papers. (Mostly.)", 4),
        ("no capital after dot. so one", 1),
    ],
)
def test_count_sentences(text: str, expected: int) -> None:
    assert count_sentences(text) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("arxiv:1706.03762", True),
        ("arxiv:2304.02643", True),
        ("arxiv:0704.0001", True),
        ("arxiv:1706.03762v5", False),
        ("arXiv:1706.03762", False),
        ("1706.03762", False),
        ("arxiv:hep-th/9901001", False),
        ("arxiv:1706.037", False),
        ("doi:10.18653/v1/n19-1423", False),
    ],
)
def test_id_pattern(value: str, ok: bool) -> None:
    assert bool(ID_RE.match(value)) is ok


# --- the corpus as a whole ------------------------------------------------------------------------------


def test_size_and_unique_ids() -> None:
    ids = [record["id"] for record in RECORDS]
    assert len(RECORDS) >= 28
    assert len(ids) == len(set(ids))


def test_enough_citation_edges() -> None:
    assert sum(len(record["references"]) for record in RECORDS) >= 60


def test_every_line_is_one_json_object() -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() for line in lines), "no blank lines"
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_quirks_are_present() -> None:
    text = CORPUS.read_text(encoding="utf-8")
    assert "</s>" in text, "an HTML-ish snippet exercises escaping downstream"
    assert any(ord(char) > 127 for char in text), "non-ASCII names and symbols"
    abstracts = " ".join(record["abstract"] for record in RECORDS)
    assert "https://github.com/" in abstracts, "code URLs with a scheme in running text"
    assert re.search(r"(?<![/\w.])github\.com/", abstracts), "code URLs without a scheme in running text"


def test_packaged_copy_is_reachable() -> None:
    packaged = resources.files("citekg.examples").joinpath("papers.jsonl")
    assert packaged.read_text(encoding="utf-8") == CORPUS.read_text(encoding="utf-8")


def test_readme_names_every_field() -> None:
    text = README.read_text(encoding="utf-8")
    for key in KEYS:
        assert f"`{key}`" in text, key


# --- each record ----------------------------------------------------------------------------------------


@pytest.fixture(params=RECORDS, ids=[record["id"] for record in RECORDS])
def record(request: pytest.FixtureRequest) -> dict:
    return request.param


def test_record_shape(record: dict) -> None:
    assert list(record) == KEYS
    assert ID_RE.match(record["id"])
    arxiv = record["id"].removeprefix("arxiv:")
    assert record["ids"]["arxiv"] == arxiv
    assert set(record["ids"]) <= {"arxiv", "doi"}
    if "doi" in record["ids"]:
        doi = record["ids"]["doi"]
        assert doi == doi.lower() and doi.startswith("10.")
    assert record["url"] == f"https://arxiv.org/abs/{arxiv}"
    assert record["source"] == ""
    assert record["title"].strip() == record["title"] != ""
    assert record["authors"] and all(isinstance(a, str) and a.strip() == a != "" for a in record["authors"])
    assert isinstance(record["venue"], str) and record["venue"]


def test_year_is_the_arxiv_year(record: dict) -> None:
    # Years are those of the first arXiv version, so they follow from the id's YYMM prefix.
    assert record["year"] == 2000 + int(record["id"][len("arxiv:") : len("arxiv:") + 2])


def test_abstract_has_three_to_six_sentences(record: dict) -> None:
    assert 3 <= count_sentences(record["abstract"]) <= 6, record["abstract"]


def test_references_are_internal_and_plausible(record: dict) -> None:
    refs = record["references"]
    assert len(refs) == len(set(refs)), "duplicate reference"
    assert record["id"] not in refs, "self-citation"
    for ref in refs:
        assert ref in BY_ID, f"{ref} is not in the corpus"
        # A paper cannot cite one first published after it; this also rules out impossible 2-cycles.
        assert BY_ID[ref]["year"] <= record["year"], f"{record['id']} cites later {ref}"


def test_links_are_https_urls(record: dict) -> None:
    for link in record["links"]:
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?", link), link
        assert not link.endswith((".", ",", ")")), link


def test_round_trips_through_the_model(record: dict) -> None:
    assert Paper.from_dict(record).to_dict() == record
