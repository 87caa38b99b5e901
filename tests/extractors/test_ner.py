from __future__ import annotations

import pytest
import spacy
from citekg.errors import CitekgError
from citekg.extractors import get_extractor
from citekg.extractors.ner import NerModelMissingError, NerTagger, has_model, model_info

needs_model = pytest.mark.skipif(not has_model(), reason="no shipped NER model in extractors/data/ner")

TEXTS = [
    "We propose a new method for machine translation and evaluate it on WMT14 English-German with BLEU.",
    "Named entity recognition on CoNLL-2003 is improved by a BiLSTM-CRF tagger, reaching 91.2 F1.",
    "However, we show that the approach works.",
    "",
    "See https://github.com/a/b for code (Smith et al., 2020).",
]


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("citekg_ner")
    return pipeline


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(NerModelMissingError, match="citekg train") as caught:
        NerTagger("citekg.ner", tmp_path)
    assert isinstance(caught.value, CitekgError)
    pipeline = spacy.blank("en")
    with pytest.raises(NerModelMissingError, match=str(tmp_path)):
        pipeline.add_pipe("citekg_ner", config={"model": str(tmp_path)})
    assert not has_model(tmp_path)
    with pytest.raises(NerModelMissingError):
        model_info(tmp_path)


def test_registered_kinds():
    info = get_extractor("ner")
    assert info.factory == "citekg_ner" and info.spans_key == "citekg.ner"
    assert info.kinds == {"method", "dataset", "task", "metric"}


@needs_model
@pytest.mark.parametrize("text", TEXTS)
def test_writes_only_its_group_with_aligned_scores(nlp, text):
    doc = nlp(text)
    assert list(doc.spans) == ["citekg.ner"]
    assert not doc.ents
    group = doc.spans["citekg.ner"]
    assert {s.label_ for s in group} <= get_extractor("ner").kinds
    scores = group.attrs["scores"]
    assert len(scores) == len(group)
    assert all(isinstance(x, float) and 0.0 <= x <= 1.0 for x in scores)
    assert all(s.id_ == "-".join(s.text.lower().split()) for s in group)


@needs_model
def test_finds_typical_names(nlp):
    doc = nlp(TEXTS[0])  # keep the Doc alive while its spans are read
    found = {(s.text, s.label_) for s in doc.spans["citekg.ner"]}
    assert ("machine translation", "task") in found
    assert ("BLEU", "metric") in found


@needs_model
@pytest.mark.parametrize(
    "text, never",
    [
        ("However, we show that the approach works.", {"However", "we", "approach"}),
        ("Recent work uses a model and a method.", {"Recent", "model", "method"}),
        ("Code is at https://example.org/x and results in 2021 were 93.4.", {"https://example.org/x", "2021", "93.4"}),
    ],
)
def test_negative_cases(nlp, text, never):
    doc = nlp(text)
    assert not {s.text for s in doc.spans["citekg.ner"]} & never


@needs_model
def test_deterministic_and_pipe_equals_call(nlp):
    def spans(docs):
        return [[(s.start_char, s.end_char, s.label_, s.id_) for s in d.spans["citekg.ner"]] for d in docs]

    one = spans([nlp(t) for t in TEXTS])
    assert one == spans([nlp(t) for t in TEXTS])
    assert one == spans(nlp.pipe(TEXTS, batch_size=2))


@needs_model
def test_preexisting_ents_untouched(nlp):
    from spacy.tokens import Span

    doc = nlp.make_doc("We evaluate on SQuAD.")
    doc.ents = [Span(doc, 3, 4, label="X")]
    nlp.get_pipe("citekg_ner")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("SQuAD", "X")]


@needs_model
def test_model_info_records_training():
    info = model_info()
    assert info["corpora"] and set(info["label_precision"]) == {"method", "dataset", "task", "metric"}
    assert all(0.0 <= p <= 1.0 for p in info["label_precision"].values())
