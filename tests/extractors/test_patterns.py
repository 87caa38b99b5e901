"""Cue and shape rules: text -> expected (text, type, role) tables, and what must not come out."""

from __future__ import annotations

import re

import pytest
import spacy
from citekg.extractors import patterns
from citekg.extractors.patterns import find_candidates, head_type, is_name_shaped, shape_type
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("citekg_patterns")
    return nlp


def _found(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    group = doc.spans["citekg.patterns"]
    return {(s.text, s.label_, role) for s, role in zip(group, group.attrs["roles"], strict=True)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We propose LocalMamba, a visual state space model.", {("LocalMamba", "method", "proposed")}),
        ("In this paper we introduce MEND to edit models.", {("MEND", "method", "proposed")}),
        (
            "We present a novel Deep Interest Network (DIN) here.",
            {("Deep Interest Network", "method", "proposed")},
        ),
        ("Our method, called LoFT, is simple.", {("LoFT", "method", "proposed")}),
        ("Others use a model called LoFT.", {("LoFT", "method", "used")}),
        ("MEND: Fast Model Editing at Scale", {("MEND", "method", "proposed")}),
        (
            "DiffAR: Denoising Diffusion Autoregressive Model for Raw Speech",
            {("DiffAR", "method", "proposed")},
        ),
        (
            "RobustBench: a standardized adversarial robustness benchmark",
            {("RobustBench", "dataset", "proposed")},
        ),
        ("Results on the Waymo Open dataset are strong.", {("Waymo Open", "dataset", "used")}),
        (
            "We evaluate on CIFAR-10, SVHN and STL-10.",
            {("CIFAR-10", "dataset", "used"), ("SVHN", "dataset", "used"), ("STL-10", "dataset", "used")},
        ),
        (
            "We fine-tune Llama-2-7B and GPT-4o.",
            {("Llama-2-7B", "model", "used"), ("GPT-4o", "model", "used")},
        ),
        (
            "BERT-large and T5-XXL are baselines.",
            {("BERT-large", "model", "used"), ("T5-XXL", "model", "used")},
        ),
        ("ResNet-50 features are used.", {("ResNet-50", "method", "used")}),
        ("We pre-train wav2vec 2.0 models.", {("wav2vec 2.0", "method", "used")}),
        ("The FooBar dataset is new.", {("FooBar", "dataset", "used")}),
        ("It improves click-through rate prediction.", {("click-through rate prediction", "task", "used")}),
        ("We address the task of named entity recognition.", {("named entity recognition", "task", "used")}),
        (
            "It helps object detection and question answering.",
            {("object detection", "task", "used"), ("question answering", "task", "used")},
        ),
        (
            "Gains in terms of BLEU and a higher F1 score.",
            {("BLEU", "metric", "used"), ("F1 score", "metric", "used")},
        ),
        ("It reaches 80% top-1 accuracy.", {("top-1 accuracy", "metric", "used")}),
        # a verb or an adverb before a task's modifiers ends its name
        (
            "The set supports instance-level segmentation and typically dense pixelwise segmentation.",
            {
                ("instance-level segmentation", "task", "used"),
                ("dense pixelwise segmentation", "task", "used"),
            },
        ),
        (
            "Gains in terms of test accuracy and of word error rate.",
            {("test accuracy", "metric", "used"), ("word error rate", "metric", "used")},
        ),
        ("LocalMamba outperforms Vim by 3 points.", {("LocalMamba", "method", "used")}),
    ],
)
def test_patterns_find(nlp, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _found(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We show that the model and the method beat the approach.",
        "However, Recent work studies deep learning and adversarial training.",
        "A neural network is trained with Adam Smith and John McCallum.",
        "See https://github.com/OpenAI/GPT-Repo and www.example.com/FooBar for details.",
        "We ran 3D scans on 2019 data with 10x speed on an A100 GPU in 5 minutes.",
        "Results: it works. Background: none.",
        "We use PyTorch and GitHub, as OpenAI does.",
        # a lone qualifier before "task" is not a task name
        "It is an essential task for downstream tasks, a central task and a long-horizon task.",
        # "task-agnostic" is not the noun "task"
        "It allows facilitating task-agnostic behavior and enabling task-specific heads.",
    ],
)
def test_patterns_negatives(nlp, text: str) -> None:
    assert _found(nlp, text) == set()


@pytest.mark.parametrize(
    "word, shaped, kind",
    [
        ("LocalMamba", True, "method"),
        ("GPT-4o", True, "model"),
        ("Llama-2-7B", True, "model"),
        ("ResNet-50", True, "method"),
        ("BERT-large", True, "model"),
        ("T5-XXL", True, "model"),
        ("wav2vec", True, "method"),
        ("However", False, None),
        ("NGSIM", False, None),
        ("BERT-based", False, None),
        ("McCallum", False, None),
        ("H100", False, None),
        ("3D", False, None),
        ("v1", False, None),
    ],
)
def test_shapes(word: str, shaped: bool, kind: str | None) -> None:
    assert is_name_shaped(word) is shaped
    if kind:
        assert shape_type(word) == kind


@pytest.mark.parametrize(
    "phrase, kind",
    [
        ("Deep Interest Network", "method"),
        ("Penn Treebank", "dataset"),
        ("trajectory prediction", "task"),
        ("word error rate", "metric"),
        ("Next Generation Simulation", None),
        ("", None),
    ],
)
def test_head_type(phrase: str, kind: str | None) -> None:
    assert head_type(phrase) == kind


def test_title_rule_only_for_short_texts() -> None:
    text = "MEND: fast editing. " + "More words follow in this long abstract sentence. " * 5
    assert not [c for c in find_candidates(text) if c.cue == "title"]


def test_title_rule_follows_the_field_extract_names() -> None:
    from citekg.extractors import build_nlp, extract
    from citekg.model import Paper

    nlp = build_nlp(fast=True)
    short = "DeepFoo: it wins."  # a short abstract sentence, read as a title when no field is known
    assert "title" in [c.cue for c in find_candidates(short)]
    paper = Paper(id="p", title="MEND: Fast Model Editing at Scale", abstract=short)
    (record,) = extract([paper], nlp=nlp)
    # the title's "MEND" is proposed; the abstract's "DeepFoo" is only used
    assert {(m.field, m.text, m.role) for m in record.mentions} == {
        ("title", "MEND", "proposed"),
        ("abstract", "DeepFoo", "used"),
    }


def test_component_attrs_align(nlp) -> None:
    doc = nlp("We propose FooNet and evaluate on CIFAR-10 with BLEU.")
    group = doc.spans["citekg.patterns"]
    assert (
        len(group.attrs["scores"]) == len(group.attrs["roles"]) == len(group.attrs["cues"]) == len(group) == 3
    )
    assert all(0 < s <= 1 for s in group.attrs["scores"])


# -- _scan: the cue-word scan must find exactly what finditer finds ------------------------------------------

SCANNED = patterns._SCANNED
PIECES = sorted({cue for _, cues in SCANNED.values() for cue in cues}) + [
    "We",
    "we",
    "our",
    "the",
    "a",
    "of",
    "on",
    "and",
    "X",
    "Net",
    "GPT-4",
    "ImageNet",
    "top-1",
    "Top-5",
    "s",
    "ed",
    "es",
    "ly",
    "score",
    "scores",
    "task",
    "tasks",
    "Bleu-4",
    "F1-score",
    "mAP@50",
    "Hits@10",
    "@",
    "-",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "  ", ", ", ". ", "-", "(", ")"])),
        max_size=30,
    )
)
def test_scan_equals_finditer(parts: list[tuple[str, str]]) -> None:
    text = "".join(piece + sep for piece, sep in parts)
    starts = patterns._cue_starts(text)
    for rule, (pattern, cues) in SCANNED.items():
        expected = [(m.start(), m.end(), m.groupdict()) for m in pattern.finditer(text)]
        assert [
            (m.start(), m.end(), m.groupdict()) for m in patterns._scan(pattern, text, starts.get(rule, []))
        ] == expected, pattern.pattern[:40]
        every = sorted({at for cue in cues for at in range(len(text)) if text.startswith(cue, at)})
        assert starts.get(rule, []) == every, rule


@pytest.mark.parametrize(
    "text, metrics",
    [
        ("We report top-1 accuracy and BLEU scores.", ["top-1 accuracy", "BLEU scores"]),
        ("Top-5 Accuracy improves; xTop-1 accuracy does not.", ["Top-5 Accuracy"]),
        ("word error rate and character error rate", ["word error rate", "character error rate"]),
        ("precision-recall curves and F1-based tuning", []),
    ],
)
def test_metric_spans(text: str, metrics: list[str]) -> None:
    found = [text[c.start : c.end] for c in find_candidates(text) if c.cue == "metric"]
    assert found == metrics


# -- the shape trigger regex must keep every run that _shape_trigger accepts -------------------------------

_RUN = re.compile(r"[A-Z0-9]+")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("aAzZ09bB-  ._,(\n") + ["é", "²", "É", "Ⓐ", "We", "The", "GPT-4", "model", "3D", "xLSTM"]
        ),
        max_size=30,
    )
)
def test_shape_trigger_regex_keeps_every_accepted_run(parts: list[str]) -> None:
    text = "".join(parts)
    runs = {(m.start(), m.end()) for m in _RUN.finditer(text)}
    kept = {(m.start(), m.end()) for m in patterns._SHAPE_TRIGGER.finditer(text)}
    accepted = {(start, end) for start, end in runs if patterns._shape_trigger(text, start, end)}
    assert accepted <= kept <= runs


def _words_before_by_regex(text: str, pos: int, n: int) -> list[tuple[int, int, str]]:
    """The plain statement of _words_before: every word of the window, then the last ones."""
    offset = max(0, pos - 24 * n)
    words = [(m.start(), m.end(), m.group()) for m in re.compile(r"\S+").finditer(text, offset, pos)]
    if offset and words and words[0][0] == offset:
        words = words[1:]
    if not words or words[-1][1] == pos:
        return []
    kept: list[tuple[int, int, str]] = []
    for item in reversed(words):
        word = item[2]
        if len(kept) == n or word[-1] in ",.;:)]" or word[0] in "([" or not word[0].isalnum():
            break
        kept.append(item)
    return kept[::-1]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "Net", "(x", "y)", "b,", "é", "  ", " ", "\n", "\u00a0", "-", "Transformer" * 3]
        ),
        max_size=60,
    ),
    st.integers(0, 200),
    st.integers(1, 4),
)
def test_words_before_equals_the_regex_statement(parts: list[str], pos: int, n: int) -> None:
    text = "".join(parts)
    pos = min(pos, len(text))
    _check_words_before(text, pos, n)


@pytest.mark.parametrize(
    "text, pos, n",
    [
        ("x" * 30 + " long " + "y" * 20 + " z ", 60, 2),  # a word cut by the window's start
        ("a" * 40 + " " + "b" * 6 + " ", 48, 2),  # the window starts at a word: it is dropped too
        ("the Waymo Open dataset", 15, 4),
        ("on (CIFAR-10 and SVHN) data", 22, 3),
        ("", 0, 1),
        ("   ", 3, 1),
    ],
)
def test_words_before_cases(text: str, pos: int, n: int) -> None:
    _check_words_before(text, pos, n)


def _check_words_before(text: str, pos: int, n: int) -> None:
    assert patterns._words_before(text, pos, n) == _words_before_by_regex(text, pos, n)
