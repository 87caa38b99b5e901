from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from citekg.errors import CitekgError
from citekg.extractors import build_nlp, extract
from citekg.extractors.extract import reference_id
from citekg.extractors.links import classify_url
from citekg.model import Extraction, Paper

PAPERS = [
    Paper(
        id="arxiv:2401.01234",
        title="FooNet: BERT for GLUE",
        abstract=(
            "We improve BERT on GLUE and MS COCO, building on arXiv:1706.03762 and doi:10.18653/v1/N19-1423. "
            "Our own preprint is arXiv:2401.01234v2. Code: https://github.com/a/FooNet.git. "
            "Project page: https://foo.github.io/foonet/."
        ),
        ids=(("arxiv", "2401.01234"), ("doi", "10.48550/arXiv.2401.01234")),
        links=("https://github.com/a/FooNet", "https://huggingface.co/a/foonet"),
    ),
    Paper(id="title:0123456789abcdef", title="No abstract here"),
    Paper(
        id="doi:10.1/x",
        title="Ünïcödé — “quotes” ImageNet",
        abstract="Données on ImageNet… see https://x.org/é.",
    ),
]


def _fast_version() -> str:
    from citekg.extractors import get_extractor

    names = ("links", "lexicon", "abbreviations", "patterns", "resolver")
    return ";".join(["citekg-0.1.0"] + [f"{n}={get_extractor(n).version}" for n in names])


FAST_VERSION = _fast_version()


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(fast=True)


@pytest.fixture(scope="module")
def extractions(nlp) -> list[Extraction]:
    return list(extract(PAPERS, nlp=nlp, batch_size=2))


def test_extract_one_per_paper_in_order(extractions: list[Extraction]) -> None:
    assert [e.paper.id for e in extractions] == [p.id for p in PAPERS]
    assert all(e.extractor_version == FAST_VERSION for e in extractions)


def test_extract_offsets_are_exact(extractions: list[Extraction]) -> None:
    for extraction in extractions:
        for mention in extraction.mentions:
            assert getattr(extraction.paper, mention.field)[mention.start : mention.end] == mention.text
        for link in extraction.links:
            if link.field == "metadata":
                assert (link.start, link.end) == (-1, -1)
            else:
                assert getattr(extraction.paper, link.field)[link.start : link.end] == link.url


def test_extract_mentions(extractions: list[Extraction]) -> None:
    got = {(m.field, m.label, m.key, m.text, m.role) for m in extractions[0].mentions}
    assert got == {
        ("title", "method", "foonet", "FooNet", "proposed"),
        ("title", "model", "bert", "BERT", "used"),
        ("title", "dataset", "glue", "GLUE", "used"),
        ("abstract", "model", "bert", "BERT", "used"),
        ("abstract", "dataset", "glue", "GLUE", "used"),
        ("abstract", "dataset", "coco", "MS COCO", "used"),
    }
    assert all(0.0 <= m.confidence <= 1.0 for m in extractions[0].mentions)
    assert {m.extractor for m in extractions[0].mentions} <= {
        "lexicon",
        "patterns",
        "lexicon,patterns",
        "resolver",
    }
    assert {(m.field, m.text) for m in extractions[2].mentions} == {
        ("title", "ImageNet"),
        ("abstract", "ImageNet"),
    }


def test_extract_without_resolver_reads_each_group() -> None:
    (only,) = extract(PAPERS[:1], nlp=build_nlp(["lexicon"]))
    assert {(m.text, m.extractor, m.confidence) for m in only.mentions if m.field == "title"} == {
        ("BERT", "lexicon", 0.9),
        ("GLUE", "lexicon", 0.9),
    }


def test_extract_pairs_are_never_mentions() -> None:
    paper = Paper(id="p", title="", abstract="We use Next Generation Simulation (NGSIM) data.")
    (only,) = extract([paper], nlp=build_nlp(["abbreviations"]))
    assert only.mentions == ()


def test_extract_links(extractions: list[Extraction]) -> None:
    got = {(lk.field, lk.kind, lk.normalized) for lk in extractions[0].links}
    assert got == {
        ("abstract", "paper", "https://arxiv.org/abs/1706.03762"),
        ("abstract", "doi", "https://doi.org/10.18653/v1/n19-1423"),
        ("abstract", "paper", "https://arxiv.org/abs/2401.01234"),
        ("abstract", "code", "https://github.com/a/foonet"),
        ("abstract", "project_page", "https://foo.github.io/foonet"),
        ("metadata", "code", "https://github.com/a/foonet"),
        ("metadata", "model_hub", "https://huggingface.co/a/foonet"),
    }
    assert [lk.url for lk in extractions[2].links] == ["https://x.org/é"]
    assert extractions[1].links == () and extractions[1].mentions == ()


def test_extract_references_exclude_own_id(extractions: list[Extraction]) -> None:
    assert extractions[0].references == ("arxiv:1706.03762", "doi:10.18653/v1/n19-1423")
    assert extractions[1].references == () and extractions[2].references == ()


@pytest.mark.parametrize(
    "url, ref",
    [
        ("arXiv:1706.03762v7", "arxiv:1706.03762"),
        ("https://huggingface.co/papers/2401.01234", "arxiv:2401.01234"),
        ("https://doi.org/10.48550/arXiv.2401.01234", "arxiv:2401.01234"),
        ("10.18653/v1/N19-1423", "doi:10.18653/v1/n19-1423"),
        ("https://doi.org/10.5281/zenodo.42", None),  # a dataset, not a paper
        ("https://openreview.net/forum?id=abc", None),
        ("https://github.com/a/b", None),
    ],
)
def test_reference_id(url: str, ref: str | None) -> None:
    assert reference_id(classify_url(url)) == ref


def test_extract_json_roundtrip(extractions: list[Extraction]) -> None:
    for extraction in extractions:
        line = json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True)
        assert Extraction.from_dict(json.loads(line)).to_dict() == extraction.to_dict()


def test_extract_is_deterministic(nlp, extractions: list[Extraction]) -> None:
    again = list(extract(PAPERS, nlp=build_nlp(fast=True), batch_size=64))
    assert [e.to_dict() for e in again] == [e.to_dict() for e in extractions]


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "default"])
def test_extract_is_byte_identical(fast: bool) -> None:
    papers = PAPERS * 3

    def run(batch_size: int) -> str:
        nlp = build_nlp(fast=fast)
        return "\n".join(
            json.dumps(e.to_dict(), sort_keys=True) for e in extract(papers, nlp=nlp, batch_size=batch_size)
        )

    assert run(1) == run(64)


def test_extract_default_pipeline_and_empty_input() -> None:
    assert list(extract([])) == []
    (only,) = extract(PAPERS[:1])
    assert only.extractor_version.startswith("citekg-0.1.0;links=1;lexicon=")
    assert only.extractor_version.endswith(";resolver=1")


def test_extract_with_subset_pipeline() -> None:
    (only,) = extract(PAPERS[:1], nlp=build_nlp(["links"]))
    assert only.mentions == () and only.links
    assert only.extractor_version == "citekg-0.1.0;links=1"


def test_extract_rejects_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        list(extract(PAPERS, batch_size=0))


def test_extract_trending_corpus(nlp, trending_path: Path) -> None:
    lines = trending_path.read_text(encoding="utf-8").splitlines()[2:]
    lines[0] = lines[0].removeprefix("Subscribe")
    papers = [Paper(id=f"t:{i}", title=lines[i], abstract=lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
    extractions = list(extract(papers, nlp=nlp))
    links = [lk for e in extractions for lk in e.links]
    assert len(links) == 29
    assert sum(lk.kind == "code" for lk in links) == 18
    assert sum(lk.kind == "project_page" for lk in links) == 11
    for extraction in extractions:
        for lk in extraction.links:
            assert getattr(extraction.paper, lk.field)[lk.start : lk.end] == lk.url
        for m in extraction.mentions:
            assert getattr(extraction.paper, m.field)[m.start : m.end] == m.text


@pytest.mark.parametrize("workers", [0, -1])
def test_extract_rejects_bad_workers(workers: int) -> None:
    with pytest.raises(ValueError, match="workers must be at least 1"):
        list(extract(PAPERS, workers=workers))


def test_extract_workers_equal_one_process(nlp) -> None:
    """Two worker processes rebuild the pipeline from its config; output and order are unchanged."""
    papers = [
        Paper(id=f"{p.id}#{i}", title=p.title, abstract=p.abstract, ids=p.ids, links=p.links)
        for i in range(7)
        for p in PAPERS
    ]

    def lines(**options: object) -> list[str]:
        return [json.dumps(e.to_dict(), sort_keys=True) for e in extract(papers, nlp=nlp, **options)]

    one = lines(batch_size=64)
    assert lines(batch_size=2, workers=2) == one
    # chunks of 4 papers, all queued: this process takes back those no worker has started
    assert lines(batch_size=1, workers=3, ahead=40) == one
    assert [json.loads(line)["paper"]["id"] for line in one] == [p.id for p in papers]


def test_extract_error_in_a_worker_is_raised_as_with_one_process(nlp) -> None:
    bad = Paper(id="bad", title=123)  # type: ignore[arg-type]
    papers = [*PAPERS, bad]  # one chunk with batch_size=1: the worker's, never taken back
    with pytest.raises(TypeError) as here:
        list(extract(papers, nlp=nlp))
    with pytest.raises(TypeError) as there:
        list(extract(papers, nlp=nlp, batch_size=1, workers=2))
    assert str(there.value) == str(here.value)
    assert there.value.__notes__ == [
        "(raised in an extraction worker process, on papers 'arxiv:2401.01234' to 'bad')"
    ]


class _EndsItsProcess:
    """Unpickled in a worker, it ends that process: a worker killed mid-chunk."""

    id = "killer"

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (3,)


def test_extract_dead_worker_is_a_clear_error(nlp) -> None:
    papers = [_EndsItsProcess(), *PAPERS]
    with pytest.raises(
        CitekgError,
        match=r"^An extraction worker process stopped before papers 'killer' to 'doi:10\.1/x' were "
        r"extracted: it was killed, or ran out of memory \(fewer workers use less\)\.$",
    ):
        list(extract(papers, nlp=nlp, batch_size=1, workers=2))  # type: ignore[list-item]


def test_chunks_queued_after_a_worker_died_carry_that_error() -> None:
    """Submitting to a broken pool raises at once; the chunk gets the error to raise in its turn."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from citekg.extractors.extract import _submit

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 3).result()
        assert isinstance(_submit(pool, list(PAPERS), 1).exception(), BrokenProcessPool)
    finally:
        pool.shutdown()


def test_extract_empty_fields_skip_the_pipeline(nlp) -> None:
    """A paper without title or abstract comes out as if its empty field had been run through."""
    for paper in (
        Paper(id="a", title="", abstract="We fine-tune BERT on GLUE."),
        Paper(id="b", title="BERT on GLUE"),
    ):
        (got,) = extract([paper], nlp=nlp)
        field = "abstract" if paper.abstract else "title"
        assert got.mentions and {m.field for m in got.mentions} == {field}
        assert {m.text for m in got.mentions} >= {"BERT", "GLUE"}
    (empty,) = extract([Paper(id="c", title="")], nlp=nlp)
    assert empty.mentions == () and empty.links == ()


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "default"])
def test_component_by_component_equals_nlp_pipe(fast: bool) -> None:
    """extract() runs each component over the whole batch in turn; the span groups are nlp.pipe's."""
    from citekg.extractors.extract import _process
    from citekg.extractors.nlp import FIELD_KEY

    nlp = build_nlp(fast=fast)
    texts = [
        (text, field) for p in PAPERS for field in ("title", "abstract") if (text := getattr(p, field))
    ] * 3

    def marked(text: str, field: str):
        doc = nlp.make_doc(text)
        doc.user_data[FIELD_KEY] = field
        return doc

    def groups(docs: list) -> list:
        return [
            {key: [(s.start, s.end, s.label_, s.id_) for s in group] for key, group in doc.spans.items()}
            for doc in docs
        ]

    ours = groups(_process(nlp, texts))
    assert ours == groups(list(nlp.pipe((marked(*pair) for pair in texts), batch_size=4)))
    assert any(any(doc.values()) for doc in ours)
