from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import spacy
from citekg.errors import CitekgError, UnknownNameError
from citekg.extractors.train import (
    CORPORA,
    AlignCounts,
    _wants_vectors,
    align_span,
    default_config,
    gold_to_docs,
    install_model,
    read_corpus,
    read_heddes,
    read_scirex,
    train,
)
from citekg.extractors.vectors import quotes_held_out, train_vectors, unlabeled_texts
from citekg.gold import GoldDoc, GoldSpan
from spacy.tokens import DocBin

NLP = spacy.blank("en")


@pytest.mark.parametrize(
    "text, start, end, expected_text, how",
    [
        ("We use BERTology and SQuAD.", 7, 16, "BERTology", "exact"),
        ("We use BERTology and SQuAD.", 7, 15, "BERTology", "expanded"),  # one character short
        ("We use BERTology and SQuAD.", 8, 16, "BERTology", "expanded"),
        ("We use BERTology and SQuAD.", 7, 11, None, "misaligned"),  # would grow by five characters
        ("We use BERTology and SQuAD.", 10, 26, "and SQuAD", "contracted"),  # would grow by three
        ("We use BERT and SQuAD.", 16, 21, "SQuAD", "exact"),
    ],
)
def test_align_span(text, start, end, expected_text, how):
    span, outcome = align_span(NLP.make_doc(text), start, end, "dataset")
    assert outcome == how
    assert (span.text if span is not None else None) == expected_text
    if span is not None:
        assert span.label_ == "dataset"


def _gold(text: str, *spans: tuple[str, str]) -> GoldDoc:
    found = []
    for surface, label in spans:
        start = text.index(surface)
        found.append(GoldSpan(start, start + len(surface), label))
    return GoldDoc(doc_id=text[:10], text=text, spans=tuple(sorted(found)))


FIXTURE = [
    _gold(
        "We train BERT on SQuAD and report F1.", ("BERT", "method"), ("SQuAD", "dataset"), ("F1", "metric")
    ),
    _gold("Machine translation on WMT14 En-De.", ("Machine translation", "task"), ("WMT14 En-De", "dataset")),
    # "translation" overlaps the longer task span and is dropped
    _gold(
        "Neural machine translation with attention.",
        ("Neural machine translation", "task"),
        ("translation", "method"),
    ),
    # "LSTM" widens to the token "BiLSTM", then overlaps the longer span
    _gold("A BiLSTM-CRF tagger.", ("BiLSTM-CRF tagger", "method"), ("LSTM", "method")),
    _gold("Results on WikiText103.", ("Text", "dataset")),  # inside one token: cannot be aligned
    _gold("We study parsing.", ("parsing", "model")),  # label not learned: ignored, not counted
]


def test_gold_to_docs_sets_ents_and_counts():
    docs, counts = gold_to_docs(FIXTURE, NLP.make_doc)
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("BERT", "method"), ("SQuAD", "dataset"), ("F1", "metric")],
        [("Machine translation", "task"), ("WMT14 En-De", "dataset")],
        [("Neural machine translation", "task")],
        [("BiLSTM-CRF tagger", "method")],
        [],
        [],
    ]
    assert counts == AlignCounts(spans=10, exact=8, expanded=1, contracted=0, misaligned=1, overlapping=2)
    assert counts.kept == 7
    # every token outside the kept spans is explicitly outside, so the model learns negatives too
    assert all(t.ent_iob_ in ("B", "I", "O") for d in docs for t in d)


def test_read_heddes_partial_annotation(tmp_path):
    text_a = "The MegaFace dataset is large, unlike simulated and real-world datasets."
    text_b = "We use IndBAN and IndDEV dataset and MNIST."
    path = tmp_path / "heddes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "id", "text", "labels", "datasets", "conference"])
        writer.writerow([0, 1, text_a, "[[4, 20, 'Dataset'], [38, 71, 'Geen Dataset']]", "[]", "VISION"])
        writer.writerow([1, 2, text_b, "[[7, 32, 'Dataset'], [37, 42, 'Datatset']]", "[]", "NIPS"])
    gold = list(read_heddes(path))
    # "dataset" is cut off a name; a span listing two names is left out; the typo label counts
    assert [[(g.text[s.start : s.end], s.label) for s in g.spans] for g in gold] == [
        [("MegaFace", "dataset"), ("simulated and real-world datasets", "not-entity")],
        [("MNIST", "dataset")],
    ]
    docs, counts = gold_to_docs(gold, NLP.make_doc, partial=True)
    assert counts.kept == 2
    first = docs[0]
    # the name is an entity, the hard negative outside, every other token unknown
    assert [(t.text, t.ent_iob_) for t in first][:4] == [
        ("The", ""),
        ("MegaFace", "B"),
        ("dataset", ""),
        ("is", ""),
    ]
    assert {t.ent_iob_ for t in first if "simulated" <= t.text <= "world"} <= {"O", ""}
    assert [t.ent_iob_ for t in first if t.text in ("simulated", "datasets")] == ["O", "O"]


def test_docbin_round_trip(tmp_path):
    docs, _ = gold_to_docs(FIXTURE, NLP.make_doc)
    bin_ = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False, docs=docs)
    bin_.to_disk(tmp_path / "x.spacy")
    back = list(DocBin().from_disk(tmp_path / "x.spacy").get_docs(NLP.vocab))
    assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in back] == [
        [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs
    ]
    assert [d.text for d in back] == [g.text for g in FIXTURE]


def test_align_counts_add():
    total = AlignCounts(spans=2, exact=2) + AlignCounts(spans=3, exact=1, misaligned=2)
    assert total.to_dict() == {
        "spans": 5,
        "exact": 3,
        "expanded": 0,
        "contracted": 0,
        "misaligned": 2,
        "overlapping": 0,
        "kept": 3,
    }


def _scierc_line(key: str, sentences: list[list[str]], ner: list[list[list]]) -> str:
    return json.dumps({"doc_key": key, "sentences": sentences, "ner": ner})


def _write_gold(root: Path) -> Path:
    """A tiny SciERC-format gold folder: train and dev files."""
    folder = root / "scierc" / "processed_json"
    folder.mkdir(parents=True)
    lines = []
    for i in range(8):
        tokens = ["We", "train", "BERT", "on", "SQuAD", "for", "question", "answering", "."]
        lines.append(
            _scierc_line(f"d{i}", [tokens], [[[2, 2, "Method"], [4, 4, "Material"], [6, 7, "Task"]]])
        )
    (folder / "train.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "dev.json").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    return root


def test_read_corpus_holdout_and_errors(tmp_path):
    gold = _write_gold(tmp_path)
    assert len(read_corpus("scierc", gold, "train")) == 8
    assert len(read_corpus("scierc", gold, "dev")) == 2
    with pytest.raises(UnknownNameError, match="scierc"):
        read_corpus("conll", gold, "train")
    with pytest.raises(ValueError, match="split"):
        read_corpus("scierc", gold, "test")
    assert CORPORA["tdmsci"].dev is None and 0 < CORPORA["tdmsci"].holdout < 1


def test_read_scirex_abstract_region(tmp_path):
    words = [
        "document",
        ":",
        "FRRN",
        "for",
        "Segmentation",
        "section",
        ":",
        "Abstract",
        "We",
        "use",
        "Cityscapes",
        ".",
        "section",
        ":",
        "Intro",
        "mIoU",
    ]
    record = {
        "doc_id": "p1",
        "words": words,
        "sections": [[0, 5], [5, 12], [12, 16]],
        "ner": [[2, 3, "Method"], [4, 5, "Task"], [10, 11, "Material"], [15, 16, "Metric"]],
    }
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (doc,) = read_scirex(path)
    assert doc.text.startswith("FRRN for Segmentation")
    assert [(doc.text[s.start : s.end], s.label) for s in doc.spans] == [
        ("FRRN", "method"),
        ("Segmentation", "task"),
        ("Cityscapes", "dataset"),
    ]  # mIoU lies outside the title-and-abstract region


def test_train_rejects_unknown_corpus_and_config(tmp_path):
    with pytest.raises(UnknownNameError):
        train(tmp_path / "out", gold_dir=tmp_path, corpora=["nope"])
    with pytest.raises(CitekgError, match="not found"):
        train(tmp_path / "out", gold_dir=tmp_path, corpora=["scierc"], config=tmp_path / "missing.cfg")


def test_install_model_refuses_non_model(tmp_path):
    with pytest.raises(CitekgError, match="config.cfg"):
        install_model(tmp_path, tmp_path / "target")


def test_default_config_is_shipped():
    text = default_config().read_text(encoding="utf-8")
    assert 'pipeline = ["ner"]' in text and "include_static_vectors" in text


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"components.ner.model.tok2vec.embed.include_static_vectors": True}, True),
        ({"components.ner.model.tok2vec.embed.include_static_vectors": False}, False),
    ],
)
def test_wants_vectors(overrides, expected):
    assert _wants_vectors(default_config(), overrides) is expected


@pytest.mark.parametrize(
    "text, quotes",
    [
        ("Intro. We train BERT on SQuAD for question answering today.", True),
        ("we train bert, on squad (for) question-answering today", True),  # case and punctuation ignored
        ("We train BERT on SQuAD.", False),  # shorter than the eight-word key
        ("We train BERT on SQuAD for reading comprehension.", False),
        ("", False),
    ],
)
def test_quotes_held_out(text, quotes):
    keys = {("we", "train", "bert", "on", "squad", "for", "question", "answering")}
    assert quotes_held_out(text, keys) is quotes


def _write_scirex(root: Path, texts: list[str]) -> None:
    folder = root / "scirex"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i, text in enumerate(texts):
        words = text.split()
        lines.append(
            json.dumps(
                {"doc_id": f"x{i}", "words": words, "sections": [[0, len(words)]], "ner": [[0, 1, "Method"]]}
            )
        )
    for split in ("train", "dev"):
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_scirex_abstracts_quoting_held_out_texts_are_dropped(tmp_path):
    gold = _write_gold(
        tmp_path / "gold"
    )  # its dev split holds "We train BERT on SQuAD for question answering ."
    _write_scirex(
        gold, ["BiDAF reads . We train BERT on SQuAD for question answering .", "ELMo is a model ."]
    )
    assert [d.text for d in read_corpus("scirex", gold, "train")] == ["ELMo is a model."]
    texts = list(unlabeled_texts(gold))
    assert texts[0] == "ELMo is a model ." and not any("BiDAF" in t for t in texts)
    assert sum("question answering" in t for t in texts) == 8  # the SciERC train texts themselves


def test_tiny_training_run(tmp_path):
    from citekg.extractors.ner import NerTagger

    gold = _write_gold(tmp_path / "gold")
    overrides = {
        "training.eval_frequency": 5,
        "training.batcher.size.start": 50,
        "training.batcher.size.stop": 50,
        "components.ner.model.tok2vec.embed.include_static_vectors": False,
    }
    best = train(tmp_path / "out", gold_dir=gold, corpora=["scierc"], max_steps=10, overrides=overrides)
    assert (best / "config.cfg").is_file() and (tmp_path / "out" / "corpus" / "train.spacy").is_file()
    meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))["citekg"]
    assert meta["corpora"] == ["scierc"] and meta["seed"] == 0
    assert set(meta["label_precision"]) == {"method", "dataset", "task", "metric"}
    assert meta["alignment"]["scierc"]["train"]["kept"] == 24
    installed = install_model(best, tmp_path / "installed")
    assert str(tmp_path) not in (installed / "config.cfg").read_text(encoding="utf-8")
    doc = NerTagger("citekg.ner", installed)(NLP("We train BERT on SQuAD for question answering."))
    assert set(doc.spans) == {"citekg.ner"} and not doc.ents


def test_tiny_training_run_with_vectors(tmp_path):
    pytest.importorskip("floret", reason="static vectors are trained with the floret package")
    from citekg.extractors.ner import NerTagger

    gold = _write_gold(tmp_path / "gold")
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("We train BERT on SQuAD for question answering .\n" * 50, encoding="utf-8")
    vectors = train_vectors(corpus, tmp_path / "vectors", dim=8, bucket=500, minCount=1, epoch=1)
    overrides = {
        "training.eval_frequency": 5,
        "components.ner.model.tok2vec.embed.include_static_vectors": True,
    }
    best = train(
        tmp_path / "out", gold_dir=gold, corpora=["scierc"], max_steps=5, overrides=overrides, vectors=vectors
    )
    nlp = spacy.load(best)
    assert nlp.vocab.vectors.mode == "floret" and nlp.vocab.vectors.shape == (500, 8)
    assert nlp.vocab.vectors.get_batch(["NeverSeenWord"]).any()  # subword vectors for unseen words
    doc = NerTagger("citekg.ner", best)(NLP("We train BERT on SQuAD."))
    assert set(doc.spans) == {"citekg.ner"}
