"""The shared pipeline pieces: citekg's tokenizer and the Doc text the components share."""

from __future__ import annotations

import gc

import pytest
from citekg.extractors.nlp import _texts, blank_english, doc_text


@pytest.fixture(scope="module")
def nlp():
    return blank_english()


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("We report mIoU.", ["We", "report", "mIoU", "."]),
        ("on ROUGE-L.", ["on", "ROUGE", "-", "L", "."]),
        ("in the U.S. and J. Smith", ["in", "the", "U.S.", "and", "J.", "Smith"]),  # abbreviations stay whole
        ("Llama-2-7B.", ["Llama-2", "-", "7B", "."]),
    ],
)
def test_tokenizer_splits_name_final_dot_only(nlp, text: str, tokens: list[str]) -> None:
    assert [t.text for t in nlp(text)] == tokens


def test_tokenizer_is_built_once_per_call_and_equal() -> None:
    first, second = blank_english(), blank_english()
    assert first is not second and type(first) is type(second)
    text = "We evaluate GPT-4o. On ImageNet-1K. (NGSIM) data"
    assert [t.text for t in first(text)] == [t.text for t in second(text)]


@pytest.mark.parametrize("text", ["", "We use BERT.", "  spaced  out\n\ttext ", "Ünïcödé “quotes” — ok"])
def test_doc_text_equals_doc_text_attribute(nlp, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc_text(doc) == doc.text == text


def test_doc_text_of_foreign_docs_and_after_split(nlp) -> None:
    import spacy

    foreign = spacy.blank("en")("plain spaCy Doc")
    assert doc_text(foreign) == "plain spaCy Doc"
    doc = nlp.make_doc("gluedword here")
    with doc.retokenize() as retokenizer:
        retokenizer.split(doc[0], ["glued", "word"], heads=[(doc[0], 1), (doc[0], 1)])
    assert [t.text for t in doc] == ["glued", "word", "here"]
    assert doc_text(doc) == doc.text == "gluedword here"


def test_doc_text_cache_does_not_keep_docs_alive(nlp) -> None:
    before = len(_texts)
    docs = [nlp.make_doc(f"text number {i}") for i in range(5)]
    assert len(_texts) >= before + 5
    del docs
    gc.collect()
    assert len(_texts) <= before


def test_build_nlp_passes_settings_to_the_named_extractor() -> None:
    from citekg.errors import UnknownNameError
    from citekg.extractors.nlp import build_nlp

    assert build_nlp(fast=True).get_pipe("citekg_resolver").keep_generic is False
    nlp = build_nlp(fast=True, config={"resolver": {"keep_generic": True}})
    assert nlp.get_pipe("citekg_resolver").keep_generic is True
    with pytest.raises(UnknownNameError, match="nope"):
        build_nlp(config={"nope": {}})
