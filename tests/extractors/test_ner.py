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
        (
            "Code is at https://example.org/x and results in 2021 were 93.4.",
            {"https://example.org/x", "2021", "93.4"},
        ),
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


@needs_model
def test_in_place_tagging_equals_the_models_own_pipeline() -> None:
    """Tagging the pipeline's Docs in place finds what the model finds on its own tokenisation."""
    from citekg.extractors.ner import load_model
    from citekg.extractors.nlp import blank_english

    pipeline = blank_english()
    pipeline.add_pipe("citekg_ner")
    own = load_model()  # with its tokenizer
    texts = [t for t in TEXTS if t] * 2
    docs = list(pipeline.pipe(texts, batch_size=3))
    for text, doc in zip(texts, docs, strict=True):
        expected = [
            (e.start_char, e.end_char, e.label_)
            for e in own(text).ents
            if e.label_ in get_extractor("ner").kinds
        ]
        assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["citekg.ner"]] == expected
        assert not doc.ents and not doc.has_annotation("ENT_IOB")


@needs_model
def test_model_without_tokenizer_refuses_text() -> None:
    from citekg.extractors.ner import load_model

    lean = load_model(tokenizer=False)
    assert lean is load_model(tokenizer=False) and lean is not load_model()
    with pytest.raises(CitekgError, match="without its tokenizer"):
        lean("We use BERT.")


TRAIN = [
    ("We evaluate BERT on SQuAD .", [(12, 16, "method"), (20, 25, "dataset")]),
    (
        "Results on ImageNet with ResNet improve accuracy .",
        [(11, 19, "dataset"), (25, 31, "method"), (40, 48, "metric")],
    ),
    ("We study machine translation on WMT14 .", [(9, 28, "task"), (32, 37, "dataset")]),
    ("LSTM models reach high BLEU on WMT16 .", [(0, 4, "method"), (23, 27, "metric"), (31, 36, "dataset")]),
]


@pytest.fixture(scope="module")
def vectors_model(tmp_path_factory) -> str:
    """A tiny NER with floret static vectors, trained to overfit four sentences."""
    import numpy
    from citekg.extractors.nlp import blank_english
    from spacy.training import Example
    from spacy.vectors import Vectors

    nlp = blank_english()
    rng = numpy.random.default_rng(0)
    nlp.vocab.vectors = Vectors(
        data=rng.random((97, 8), dtype="float32"), mode="floret", hash_count=1, minn=3, maxn=4
    )
    tok2vec = {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "width": 32,
        "depth": 1,
        "embed_size": 500,
        "window_size": 1,
        "maxout_pieces": 2,
        "subword_features": True,
        "pretrained_vectors": True,
    }
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 32,
        "maxout_pieces": 2,
        "use_upper": True,
        "tok2vec": tok2vec,
    }
    nlp.add_pipe("ner", config={"model": model})
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.meta["citekg"] = {"label_precision": {"method": 0.5, "dataset": 0.5, "task": 0.5, "metric": 0.5}}
    path = tmp_path_factory.mktemp("ner-vectors")
    nlp.to_disk(path)
    return str(path)


def test_static_vectors_reach_the_pipeline(vectors_model: str) -> None:
    """A model reading static vectors tags the pipeline's Docs as its own pipeline does."""
    import numpy
    from citekg.extractors.ner import load_model
    from citekg.extractors.nlp import blank_english
    from spacy.vectors import Vectors

    own = load_model(vectors_model)
    texts = [text for text, _ in TRAIN] + ["We evaluate ResNet on WMT14 ."]
    expected = [[(e.start_char, e.end_char, e.label_) for e in own(text).ents] for text in texts]
    assert any(expected), "the tiny model should have learnt something"

    def tagged(pipeline) -> list[list[tuple[int, int, str]]]:
        docs = list(pipeline.pipe(texts))
        return [[(s.start_char, s.end_char, s.label_) for s in doc.spans["citekg.ner"]] for doc in docs]

    plain = blank_english()
    plain.add_pipe("citekg_ner", config={"model": vectors_model})
    assert tagged(plain) == expected
    assert plain.vocab.vectors.mode == "floret" and plain.vocab.vectors.shape == own.vocab.vectors.shape

    other = blank_english()  # a vocabulary with other vectors: Docs are tagged through copies
    other.vocab.vectors = Vectors(
        data=numpy.ones((5, 3), dtype="float32"), keys=[other.vocab.strings.add(w) for w in "abcde"]
    )
    other.add_pipe("citekg_ner", config={"model": vectors_model})
    assert tagged(other) == expected
    assert other.vocab.vectors.shape == (5, 3)


@needs_model
def test_embedding_cache_gives_the_plain_embeddings_bit_for_bit() -> None:
    """Cached token embeddings equal the model's own, on hits, misses and after the cache empties."""
    import numpy
    from citekg.extractors.ner import _EmbeddingCache, load_model

    own = load_model()  # the plain model: its embedding layer is not wrapped
    embed = own.get_pipe("ner").model.get_ref("tok2vec").layers[0].layers[0]
    assert embed.name.startswith("extract_features") and embed.name.endswith("ragged2list")
    docs = [own.make_doc(text) for text in [t for t in TEXTS if t] * 8]  # many tokens: big products
    expected = embed.predict(docs)
    cache = _EmbeddingCache(embed, limit=40)  # smaller than the distinct rows: empties on the way
    for batch in (docs[:3], docs, docs[5:], docs):
        start = docs.index(batch[0])
        got = cache.forward(embed, batch, is_train=False)[0]
        assert all(
            numpy.array_equal(g, e) for g, e in zip(got, expected[start : start + len(batch)], strict=True)
        )
    assert 0 < cache._size == len(cache._index) < sum(len(doc) for doc in docs)


@needs_model
def test_sentence_starts_are_respected() -> None:
    """Docs with sentence starts go through spaCy's own decoding, which keeps entities within sentences."""
    from citekg.extractors.ner import load_model
    from citekg.extractors.nlp import blank_english

    text = "We evaluate the Deep Interest Network on click-through rate prediction ."
    pipeline = blank_english()
    pipeline.add_pipe("citekg_ner")
    own = load_model()
    for boundary in range(1, 12):
        doc, twin = pipeline.make_doc(text), own.make_doc(text)
        doc[boundary].is_sent_start = twin[boundary].is_sent_start = True
        expected = [(e.start, e.end, e.label_) for e in own.get_pipe("ner")(twin).ents]
        found = pipeline.get_pipe("citekg_ner")(doc).spans["citekg.ner"]
        assert [(s.start, s.end, s.label_) for s in found] == expected
        assert all(not (s.start < boundary < s.end) for s in found)


@needs_model
def test_tagging_from_several_threads_equals_one() -> None:
    """The embedding cache is shared by all callers of one pipeline; threads get the same entities."""
    from concurrent.futures import ThreadPoolExecutor

    from citekg.extractors.nlp import blank_english

    pipeline = blank_english()
    pipeline.add_pipe("citekg_ner")
    texts = [t for t in TEXTS if t] * 6

    def entities(batch: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(s.start, s.end, s.label_) for s in d.spans["citekg.ner"]] for d in pipeline.pipe(batch)]

    expected = entities(texts)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(entities, [texts[i:] + texts[:i] for i in range(8)]))
    assert got == [expected[i:] + expected[:i] for i in range(8)]
