"""Every registered extractor keeps the component contract of STYLE §4.14."""

from __future__ import annotations

import pytest
import spacy
from citekg.extractors import ExtractorInfo, list_extractors
from spacy.tokens import DocBin

TEXT = (
    "We fine-tune BERT and Llama-2-7B on GLUE, MS COCO and ImageNet with Adam and LoRA. "
    "Code: https://github.com/a/b.git, page (foo.github.io/bar), data huggingface.co/datasets/x/y; "
    "see arXiv:1706.03762 and doi:10.18653/v1/N19-1423. BLEU and FID improve; mail a@b.com. "
    "We propose LocalMamba, trained on Next Generation Simulation (NGSIM) data for trajectory prediction."
)
#: Extractors that read other groups: the conformance pipeline runs the rules before them.
DEPENDENT = {"resolver"}


def _nlp(info: ExtractorInfo) -> spacy.language.Language:
    nlp = spacy.blank("en")
    if info.name in DEPENDENT:
        for upstream in ("links", "lexicon", "abbreviations", "patterns"):
            nlp.add_pipe(f"citekg_{upstream}")
    nlp.add_pipe(info.factory)
    return nlp


def _upstream(info: ExtractorInfo) -> set[str]:
    return (
        {"citekg.links", "citekg.lexicon", "citekg.abbreviations", "citekg.patterns"}
        if info.name in DEPENDENT
        else set()
    )


@pytest.fixture(params=list_extractors(), ids=lambda info: info.name)
def info(request) -> ExtractorInfo:
    return request.param


def test_conformance_names(info: ExtractorInfo) -> None:
    assert info.factory == f"citekg_{info.name}"
    assert info.spans_key == ("citekg.resolved" if info.name == "resolver" else f"citekg.{info.name}")
    assert info.summary and info.version >= 1 and info.kinds
    assert info.output in {"mentions", "links", "pairs"}


def test_conformance_empty_doc(info: ExtractorInfo) -> None:
    doc = _nlp(info)("")
    assert list(doc.spans[info.spans_key]) == []


def test_conformance_spans(info: ExtractorInfo) -> None:
    doc = _nlp(info)(TEXT)
    spans = list(doc.spans[info.spans_key])
    assert spans, "the sample text holds something for every built-in extractor"
    assert {s.label_ for s in spans} <= info.kinds
    assert all(s.id_ for s in spans)
    positions = [(s.start, s.end) for s in spans]
    assert positions == sorted(positions)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(positions, positions[1:], strict=False))
    assert set(doc.spans) == {info.spans_key} | _upstream(info)  # writes its own group and nothing else
    for name in ("scores", "roles", "sources", "cues"):
        values = doc.spans[info.spans_key].attrs.get(name)
        assert values is None or len(values) == len(spans)


def test_conformance_deterministic(info: ExtractorInfo) -> None:
    def run() -> list[tuple[int, int, str, str]]:
        doc = _nlp(info)(TEXT)
        return [(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans[info.spans_key]]

    assert run() == run()


def test_conformance_docbin_roundtrip(info: ExtractorInfo) -> None:
    nlp = _nlp(info)
    doc = nlp(TEXT)
    restored = next(DocBin(docs=[doc], store_user_data=False).get_docs(nlp.vocab))
    before = [(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans[info.spans_key]]
    after = [(s.start_char, s.end_char, s.label_, s.id_) for s in restored.spans[info.spans_key]]
    assert after == before
    assert dict(restored.spans[info.spans_key].attrs) == dict(doc.spans[info.spans_key].attrs)
