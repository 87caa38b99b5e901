"""The resolver: merged spans, type, role and key per text; canonical keys; paper-level unification;
the calibration property on dev data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from citekg.extractors import build_nlp, extract
from citekg.extractors.resolver import Calibration, canonical_key, evidence, load_calibration, unify_paper
from citekg.model import Mention, Paper

REPO = Path(__file__).resolve().parents[2]
GOLD = Path(os.environ.get("CITEKG_SHARED", REPO.parent / "shared")) / "gold"


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(fast=True)


def _resolved(nlp, text: str) -> list[tuple[str, str, str, str]]:
    doc = nlp(text)
    group = doc.spans["citekg.resolved"]
    return [(s.text, s.label_, s.id_, role) for s, role in zip(group, group.attrs["roles"], strict=True)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a pair typed by the long form's head noun, one key (the short form's), role carried to both
        (
            "We propose a Recurrent Convolutional Network (RCN). RCN is fast.",
            [
                ("Recurrent Convolutional Network", "method", "rcn", "proposed"),
                ("RCN", "method", "rcn", "proposed"),
                ("RCN", "method", "rcn", "proposed"),
            ],
        ),
        # a dataset head cue types the short form; the type is carried to the long form
        (
            "We use Next Generation Simulation (NGSIM). Results on the NGSIM benchmark improve.",
            [
                ("Next Generation Simulation", "dataset", "ngsim", "used"),
                ("NGSIM", "dataset", "ngsim", "used"),
                ("NGSIM", "dataset", "ngsim", "used"),
            ],
        ),
        # later occurrences of a proposed name are marked and proposed too
        (
            "We propose LocalMamba. LocalMamba is fast.",
            [
                ("LocalMamba", "method", "localmamba", "proposed"),
                ("LocalMamba", "method", "localmamba", "proposed"),
            ],
        ),
        (
            "It improves click through rate prediction.",
            [("click through rate prediction", "task", "click-through-rate-prediction", "used")],
        ),
        # negatives: pronouns, generic nouns, sentence-initial capitals, generic phrases
        ("However, we show the model and the method use deep learning and a neural network.", []),
        # a dataset's span takes "dataset"/"corpus"/"data" after it, its key and later mentions do not
        (
            "We use the NGSIM dataset. Results on NGSIM are good.",
            [("NGSIM dataset", "dataset", "ngsim", "used"), ("NGSIM", "dataset", "ngsim", "used")],
        ),
        # an author cited as "X et al." and a bare version are not names
        (
            "As CallisonBurch et al. show, LocalMamba v2.0 helps.",
            [("LocalMamba", "method", "localmamba", "used")],
        ),
        # a metric's span takes the noun after it
        ("It raises the BLEU score.", [("BLEU score", "metric", "bleu", "used")]),
        # a name cut at a hyphen never comes out; the lexicon's whole name does
        (
            "Deep Interest Network for Click-Through Rate Prediction",
            [
                ("Deep Interest Network", "model", "din", "used"),
                ("Click-Through Rate Prediction", "task", "click-through-rate-prediction", "used"),
            ],
        ),
    ],
)
def test_resolver_table(nlp, text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert _resolved(nlp, text) == expected


def test_unify_paper_drops_title_only_ner_names() -> None:
    ms = [
        Mention(
            "p", "method", "Fast Model Editing", 6, 24, "title", "fast-model-editing", "used", 0.6, "ner"
        ),
        Mention("p", "method", "Koopman Theory", 28, 42, "title", "koopman-theory", "used", 0.6, "ner"),
        Mention("p", "method", "MEND", 0, 4, "title", "mend", "proposed", 0.7, "patterns"),
        Mention("p", "method", "Koopman theory", 3, 17, "abstract", "koopman-theory", "used", 0.6, "ner"),
    ]
    # the title name that the abstract never mentions goes; a rule's title name stays
    assert [(m.text, m.field) for m in unify_paper(ms)] == [
        ("Koopman Theory", "title"),
        ("MEND", "title"),
        ("Koopman theory", "abstract"),
    ]
    # a paper without abstract mentions keeps its title names
    assert len(unify_paper(ms[:2])) == 2


def test_resolver_languages_are_not_datasets() -> None:
    from citekg.extractors.resolver import _is_language

    assert _is_language("Chinese") and _is_language("Arabic-English") and _is_language("German and French")
    assert not _is_language("Chinese Treebank") and not _is_language("Penn")


def test_resolver_lexicon_key_wins(nlp) -> None:
    got = _resolved(nlp, "We fine-tune BERT on GLUE.")
    assert ("BERT", "model", "bert", "used") in got and ("GLUE", "dataset", "glue", "used") in got


def test_resolver_attrs_align(nlp) -> None:
    doc = nlp("We propose FooNet and evaluate it on CIFAR-10 with BLEU; FooNet (FN) beats BERT.")
    group = doc.spans["citekg.resolved"]
    assert (
        len(group) == len(group.attrs["scores"]) == len(group.attrs["roles"]) == len(group.attrs["sources"])
    )
    assert all(0.0 <= score <= 1.0 for score in group.attrs["scores"])
    assert all(source and source.replace(",", "").isidentifier() for source in group.attrs["sources"])
    positions = [(s.start, s.end) for s in group]
    assert positions == sorted(positions) and all(
        a[1] <= b[0] for a, b in zip(positions, positions[1:], strict=False)
    )


def test_resolver_works_without_other_groups() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("citekg_resolver")
    assert list(nlp("We propose FooNet.").spans["citekg.resolved"]) == []


def test_resolver_uses_ner_scores_when_present(nlp) -> None:
    from spacy.tokens import Span

    resolver = nlp.get_pipe("citekg_resolver")
    doc = nlp.make_doc("The treebank grammar is learned.")
    doc.spans["citekg.ner"] = [Span(doc, 1, 3, label="method")]
    doc.spans["citekg.ner"].attrs["scores"] = [0.97]
    if "citekg.ner" not in resolver._sources():
        pytest.skip("the ner extractor is not registered here")
    doc = resolver(doc)
    (span,) = doc.spans["citekg.resolved"]
    assert (span.text, span.label_, doc.spans["citekg.resolved"].attrs["sources"][0]) == (
        "treebank grammar",
        "method",
        "ner",
    )


@pytest.mark.parametrize(
    "text, key",
    [
        ("Click through rate  prediction", "click-through-rate-prediction"),
        ("click-through rate prediction", "click-through-rate-prediction"),
        ("convolutional neural networks", "convolutional-neural-network"),
        ("CNNs", "cnn"),
        ("GPT-4o", "gpt-4o"),
        ("search strategies", "search-strategy"),
        ("Deep Interest Networks", "deep-interest-networks"),  # proper names keep their number
        ("analysis", "analysis"),
        ("word_error rate", "word-error-rate"),
    ],
)
def test_canonical_key(text: str, key: str) -> None:
    assert canonical_key(text) == key


def test_evidence_and_calibration_backoff() -> None:
    cal = Calibration(table={"lexicon|dataset": 0.9}, backoff={"lexicon": 0.8}, weights={}, default=0.2)
    assert cal.confidence(evidence(["lexicon"], "dataset")) == 0.9
    assert cal.confidence(evidence(["lexicon"], "task")) == 0.8
    assert cal.confidence(evidence(["patterns:shape"], "task")) == 0.2
    assert evidence(["ner", "lexicon"], "model", 0.99) == "lexicon+ner@0.95|model"


def test_bundled_calibration_loads() -> None:
    cal = load_calibration()
    assert cal.table and all(0.0 <= v <= 1.0 for v in cal.table.values())


def test_unify_paper_title_name_is_proposed_everywhere() -> None:
    ms = [
        Mention("p", "method", "MEND", 0, 4, "title", "mend", "proposed", 0.7, "patterns"),
        Mention("p", "model", "MEND", 10, 14, "abstract", "mend", "used", 0.4, "ner"),
        Mention("p", "task", "editing", 20, 27, "abstract", "editing", "used", 0.4, "patterns"),
    ]
    got = [(m.field, m.label, m.role) for m in unify_paper(ms)]
    assert got == [
        ("title", "method", "proposed"),
        ("abstract", "method", "proposed"),
        ("abstract", "task", "used"),
    ]


def test_extract_marks_title_names_in_abstract() -> None:
    paper = Paper(
        id="p", title="MEND: Fast Model Editing at Scale", abstract="We show that MEND edits GPT-J fast."
    )
    (ex,) = extract([paper], nlp=build_nlp(fast=True))
    got = {(m.field, m.text, m.role) for m in ex.mentions if m.key == "mend"}
    assert got == {("title", "MEND", "proposed"), ("abstract", "MEND", "proposed")}


def _dev_docs():
    from citekg.gold import GOLD_FORMATS

    corpora = [("scierc", "scierc/processed_json/dev.json"), ("scier", "scier/PLM/dev.jsonl")]
    found = [(GOLD_FORMATS[name], GOLD / rel) for name, rel in corpora if (GOLD / rel).is_file()]
    if not found:
        pytest.skip(f"no dev data under {GOLD} (set CITEKG_SHARED to the shared folder)")
    return [(fmt, list(fmt.read(path))) for fmt, path in found]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "default"])
def test_calibration_property_on_dev(fast: bool) -> None:
    """Mentions at confidence >= 0.8 are right (exact span, scored type) at least 80% of the time on dev."""
    nlp = build_nlp(fast=fast)
    right = total = 0
    for fmt, docs in _dev_docs():
        gold = {d.doc_id: {(s.start, s.end, s.label) for s in d.spans} for d in docs}
        papers = [Paper(id=d.doc_id, title="", abstract=d.text) for d in docs]
        for ex in extract(papers, nlp=nlp):
            for m in ex.mentions:
                label = fmt.mapping.predicted_label(m.label)
                if m.confidence >= 0.8 and label is not None:
                    total += 1
                    right += (m.start, m.end, label) in gold[ex.paper.id]
    assert total >= 50, "too few confident mentions to check the property"
    assert right / total >= 0.8, f"{right}/{total} confident mentions right"


@pytest.mark.parametrize(
    "text, name, label",
    [
        ("See https://a.github.io/b/ now.", "https://a.github.io/b/", "metric"),  # a URL
        (r"It scales as \sim L^2 here.", r"\sim", "dataset"),  # a LaTeX command
        (r"Both follow an Embedding\&MLP paradigm.", r"Embedding\&MLP", "method"),  # an escaped character
        (r"three modes: \textbf{L}azy learning and more.", r"\textbf{L}azy learning", "method"),  # a group
        ("It costs $O(n)$ time.", "$O(n)$", "metric"),  # math
    ],
)
def test_resolver_drops_markup(nlp, text: str, name: str, label: str) -> None:
    from spacy.tokens import Span

    resolver = nlp.get_pipe("citekg_resolver")
    if "citekg.ner" not in resolver._sources():
        pytest.skip("the ner extractor is not registered here")
    doc = nlp.make_doc(text)
    start = text.index(name)
    span = doc.char_span(start, start + len(name), label=label, alignment_mode="expand")
    assert span is not None and name in span.text
    doc.spans["citekg.ner"] = [span]
    doc.spans["citekg.ner"].attrs["scores"] = [0.9]
    assert list(resolver(doc).spans["citekg.resolved"]) == []
    # the same span without its markup is kept
    clean = nlp.make_doc("It follows an Embedding MLP paradigm.")
    clean.spans["citekg.ner"] = [Span(clean, 3, 5, label="method")]
    clean.spans["citekg.ner"].attrs["scores"] = [0.9]
    assert [s.text for s in resolver(clean).spans["citekg.resolved"]] == ["Embedding MLP"]


@pytest.mark.parametrize(
    "text, name, label, kept, kept_generic",
    [
        # lower-case descriptions with a generic head are not names (issue 3's types), unless asked for
        ("We compare kernel methods here.", "kernel methods", "method", False, True),
        ("Frontier language models fail.", "language models", "method", False, True),
        ("It is a multi-agent framework.", "multi-agent framework", "method", False, True),
        # a lower-case dataset never names one, either way
        ("We use a financial news corpus.", "financial news corpus", "dataset", False, False),
        # names and non-generic heads stay
        ("We use temporal convolutions.", "temporal convolutions", "method", True, True),
        ("We propose Deep Interest Network.", "Deep Interest Network", "method", True, True),
        ("Tests on the NGSIM corpus.", "NGSIM corpus", "dataset", True, True),
        ("It helps trajectory prediction.", "trajectory prediction", "task", True, True),
        # a task led by a verb of purpose describes what a method does
        ("It aims at enhancing deep RL.", "enhancing deep RL", "task", False, False),
        ("We study predicting NP genericity.", "predicting NP genericity", "task", True, True),
        ("We train 3d models.", "3d models", "method", True, True),
    ],
)
def test_resolver_generic_phrases(text: str, name: str, label: str, kept: bool, kept_generic: bool) -> None:
    for keep_generic, expected in ((False, kept), (True, kept_generic)):
        nlp = build_nlp(["resolver"], config={"resolver": {"keep_generic": keep_generic}})
        resolver = nlp.get_pipe("citekg_resolver")
        if "citekg.ner" not in resolver._sources():
            pytest.skip("the ner extractor is not registered here")
        doc = nlp.make_doc(text)
        start = text.index(name)
        doc.spans["citekg.ner"] = [doc.char_span(start, start + len(name), label=label)]
        doc.spans["citekg.ner"].attrs["scores"] = [0.9]
        got = [s.text for s in resolver(doc).spans["citekg.resolved"]]
        assert got == ([name] if expected else []), (keep_generic, got)
