from __future__ import annotations

import pytest
import spacy
from citekg.extractors._ner_decode import decoder_for
from citekg.extractors.ner import has_model, load_model
from citekg.extractors.nlp import blank_english

TEXTS = [
    "We propose MEND, a method for model editing, and evaluate it on zsRE and WikiText-103 with accuracy.",
    "Named entity recognition on CoNLL-2003 is improved by a BiLSTM-CRF tagger, reaching 91.2 F1.",
    "Trajectory prediction on NGSIM with Transformers.",
    "BERT",
    "",
    "However,  we show that the approach works \n on ImageNet and COCO for object detection .",
    "Results on SQuAD 2.0 , GLUE and SuperGLUE : the Deep Interest Network beats LoRA on click-through "
    "rate prediction.",
]


def _spacy_entities(ner, docs):
    ner.set_annotations(docs, ner.predict(docs))
    found = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]
    for doc in docs:
        doc.set_ents([], default="missing")
    return found


@pytest.mark.skipif(not has_model(), reason="no shipped NER model in extractors/data/ner")
@pytest.mark.parametrize("batch_size", [1, 3, len(TEXTS)])
def test_greedy_decoding_finds_what_spacy_finds(batch_size: int) -> None:
    model = load_model()
    ner = model.get_pipe("ner")
    decode = decoder_for(ner)
    assert decode is not None
    texts = TEXTS * 3
    entities = 0
    for start in range(0, len(texts), batch_size):
        docs = [model.make_doc(text) for text in texts[start : start + batch_size]]
        found = decode(docs)
        assert found == _spacy_entities(ner, docs)
        entities += sum(map(len, found))
    assert entities > 10  # the comparison is not between empty lists


def test_a_tiny_trained_model_decodes_alike() -> None:
    """Another width and label set than the shipped model's: the decoder reads them from the model."""
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(0)
    nlp = blank_english()
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 16,
                "maxout_pieces": 3,
                "use_upper": True,
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "width": 24,
                    "depth": 1,
                    "embed_size": 300,
                    "window_size": 1,
                    "maxout_pieces": 2,
                    "subword_features": True,
                    "pretrained_vectors": None,
                },
            }
        },
    )
    train = [
        ("We use BERT on SQuAD .", [(7, 11, "M"), (15, 20, "D")]),
        ("ImageNet helps ResNet .", [(0, 8, "D"), (15, 21, "M")]),
    ]
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in train]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(60):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    ner = nlp.get_pipe("ner")
    decode = decoder_for(ner)
    assert decode is not None and decode.labels == ["D", "M"]
    docs = [nlp.make_doc(text) for text in [*TEXTS, "We use BERT on SQuAD ."]]
    found = decode(docs)
    assert found == _spacy_entities(ner, docs) and any(found)


def test_other_configurations_are_left_to_spacy() -> None:
    nlp = spacy.blank("en")
    ner = nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": True,
                "hidden_width": 8,
                "maxout_pieces": 2,
                "use_upper": True,
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "width": 8,
                    "depth": 1,
                    "embed_size": 50,
                    "window_size": 1,
                    "maxout_pieces": 2,
                    "subword_features": False,
                    "pretrained_vectors": None,
                },
            }
        },
    )
    ner.add_label("X")
    nlp.initialize()
    assert decoder_for(ner) is None  # six state features, not three
