"""Schwartz-Hearst pairs: text -> (long form, short form) tables, negatives, and the component's spans."""

from __future__ import annotations

import pytest
import spacy
from citekg.extractors.abbreviations import best_long_form, find_pairs, is_short_form


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], text[c:d]) for (a, b), (c, d) in find_pairs(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We use the Next Generation Simulation (NGSIM) data.", [("Next Generation Simulation", "NGSIM")]),
        (
            "a novel Recurrent Convolutional Network (RCN) for video",
            [("Recurrent Convolutional Network", "RCN")],
        ),
        ("Deep Interest Network (DIN) models user interest.", [("Deep Interest Network", "DIN")]),
        (
            "three dimensional convolutional neural networks (CNNs) have",
            [("convolutional neural networks", "CNNs")],
        ),
        ("a hidden Markov model (HMM; Rabiner 1989) is", [("hidden Markov model", "HMM")]),
        ("We train a CNN (convolutional neural network) here.", [("convolutional neural network", "CNN")]),
        (
            "statistical machine translation (SMT) and word error rate (WER)",
            [("statistical machine translation", "SMT"), ("word error rate", "WER")],
        ),
        (
            "the Model Editor Networks with Gradient Decomposition (MEND) approach",
            [("Model Editor Networks with Gradient Decomposition", "MEND")],
        ),
    ],
)
def test_find_pairs(text: str, expected: list[tuple[str, str]]) -> None:
    assert _pairs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "as shown before (see Fig. 3), it works",
        "many models (e.g., BERT and GPT) exist",
        "as Smith et al. (2019) showed",
        "significant gains (p < 0.05) over",
        "two steps: (i) encode and (ii) decode",
        "results (Table 2) improve",
        "a model (ours) wins",
        "we (the authors) note",
        "the network (NET) layer",  # a one-word long form must be a compound name ("LocalMamba (LM)")
        "a dataset (CIFAR-10) of images",  # no letters of the long form spell it
        "see https://example.org (EXAMPLE) for",
    ],
)
def test_find_pairs_negatives(text: str) -> None:
    assert _pairs(text) == []


@pytest.mark.parametrize(
    "short, candidate, expected",
    [
        ("NGSIM", "we use the Next Generation Simulation", "Next Generation Simulation"),
        ("HMM", "a hidden Markov model", "hidden Markov model"),
        ("RL", "deep reinforcement learning", "reinforcement learning"),
        ("Fig", "the results", None),
        ("XYZ", "abc", None),
    ],
)
def test_best_long_form(short: str, candidate: str, expected: str | None) -> None:
    assert best_long_form(short, candidate) == expected


@pytest.mark.parametrize(
    "text, ok",
    [
        ("NGSIM", True),
        ("CNNs", True),
        ("GPT-4o", True),
        ("i", False),
        ("ii", False),
        ("2019", False),
        ("e.g.", False),
        ("see Fig", False),
        ("a b c", False),
        ("ABCDEFGHIJK", False),
        ("we", False),
    ],
)
def test_is_short_form(text: str, ok: bool) -> None:
    assert is_short_form(text) is ok


def test_component_writes_both_forms_with_one_key() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("citekg_abbreviations")
    doc = nlp(
        "We propose a Deep Interest Network (DIN). It uses the Next Generation Simulation (NGSIM) data."
    )
    got = [(s.text, s.label_, s.id_) for s in doc.spans["citekg.abbreviations"]]
    assert got == [
        ("Deep Interest Network", "long_form", "din"),
        ("DIN", "short_form", "din"),
        ("Next Generation Simulation", "long_form", "ngsim"),
        ("NGSIM", "short_form", "ngsim"),
    ]


def test_component_no_parenthesis() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("citekg_abbreviations")
    assert list(nlp("We propose a network without brackets.").spans["citekg.abbreviations"]) == []


def _window_full_scan(text: str, end: int, max_words: int) -> tuple[int, str]:
    """The window as first written: every boundary from the start of the text is scanned."""
    import re

    left = text[:end]
    cut = 0
    for match in re.finditer(r"[.!?](?=\s|$)|[;:,()\[\]{}]", left):
        cut = match.end()
    words = list(re.finditer(r"\S+", left[cut:]))[-max_words:]
    if not words:
        return end, ""
    return cut + words[0].start(), left[cut + words[0].start() :].rstrip()


@pytest.mark.parametrize(
    "text",
    [
        "A " + "very " * 200 + "Next Generation Simulation (NGSIM)",  # no boundary in the scanned stretch
        "x" * 500 + " Next Generation Simulation (NGSIM)",  # a long word before a short clause
        "First. " + "y" * 300 + " Recurrent Convolutional Network (RCN)",
        "Short, Recurrent Convolutional Network (RCN)",
        "(NGSIM)",
        "end of sentence. (RCN)",
    ],
)
def test_window_scans_locally_as_the_full_scan(text: str) -> None:
    from citekg.extractors.abbreviations import _window

    end = text.rindex("(")
    for max_words in (1, 3, 7, 15):
        assert _window(text, end, max_words) == _window_full_scan(text, end, max_words)


def test_find_pairs_in_a_long_text_finds_every_pair() -> None:
    text = " ".join(
        f"the Next Generation Simulation (NGSIM) number {i} and a Recurrent Convolutional Network (RCN)."
        for i in range(200)
    )
    pairs = find_pairs(text)
    assert len(pairs) == 400
    assert {text[a:b] for (a, b), _ in pairs} == {
        "Next Generation Simulation",
        "Recurrent Convolutional Network",
    }


@pytest.mark.parametrize(
    "text",
    [
        "f(x) = y",
        "a (b) c",
        "(",
        "",
        "no bracket",
        "x (( y",
        "((NGSIM))",
        "see [1](2)",
        "Smith(2019)",
        "a(b (c",
    ],
)
def test_paren_token_check_agrees_with_the_tokens(text: str) -> None:
    from citekg.extractors.abbreviations import _has_paren_token
    from citekg.extractors.nlp import blank_english

    doc = blank_english()(text)
    assert _has_paren_token(doc, text) is any(token.text == "(" for token in doc)
