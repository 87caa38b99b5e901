"""Run an extractor pipeline over papers and turn its span groups into Extraction records.

Titles and abstracts are separate Docs, so every offset is into the field named. Mentions come from the
resolver's group (``citekg.resolved``) when the pipeline has one, else from every mention group as it is;
with the resolver, each paper then gets one key, type and role per entity across its two fields
(:func:`~citekg.extractors.resolver.unify_paper`), and a name found in one field is marked in the other.
Abbreviation pairs are never mentions themselves. Links come from the ``links`` span group and from the
paper's metadata; arXiv ids and DOIs written in the text become the
extraction's ``references``. Output depends only on the input and the pipeline, so it is deterministic.
No rdflib here.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING, Any

from citekg.errors import CitekgError
from citekg.extractors._registry import ExtractorInfo, info_for_factory
from citekg.extractors.nlp import FIELD_KEY, doc_text
from citekg.ids import normalize_arxiv_id, normalize_doi
from citekg.model import Extraction, Link, LinkKind, Mention, Paper

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["extract", "extractor_version", "reference_id"]

_FIELDS = ("title", "abstract")


def _pipeline_infos(nlp: Language) -> list[tuple[ExtractorInfo, str]]:
    """Return (info, spans key) for each citekg extractor in ``nlp``, in pipeline order."""
    found = []
    for name in nlp.pipe_names:
        info = info_for_factory(nlp.get_pipe_meta(name).factory)
        if info is not None:
            spans_key = getattr(nlp.get_pipe(name), "spans_key", info.spans_key)
            found.append((info, spans_key))
    return found


def extractor_version(nlp: Language) -> str:
    """Return ``citekg-<version>;<name>=<version>;…`` for the extractors in ``nlp``, in pipeline order."""
    from citekg import __version__

    parts = [f"citekg-{__version__}"] + [f"{info.name}={info.version}" for info, _ in _pipeline_infos(nlp)]
    return ";".join(parts)


def reference_id(link: Link) -> str | None:
    """Return the paper id a ``paper`` or ``doi`` link refers to, or ``None``.

    arXiv DOIs (``10.48550/arXiv.<id>``) map to ``arxiv:<id>``, the id citekg gives such papers.

    Examples:
        >>> from citekg.extractors.links import classify_url
        >>> reference_id(classify_url("arXiv:1706.03762v7"))
        'arxiv:1706.03762'
        >>> reference_id(classify_url("https://doi.org/10.48550/arXiv.2401.01234"))
        'arxiv:2401.01234'
        >>> reference_id(classify_url("doi:10.1145/3292500.3330701"))
        'doi:10.1145/3292500.3330701'
        >>> reference_id(classify_url("https://github.com/a/b")) is None
        True
    """
    if link.kind == LinkKind.PAPER.value:
        arxiv = normalize_arxiv_id(link.normalized.rsplit("/", 1)[-1]) if "arxiv" in link.normalized else None
        if arxiv is None and "/papers/" in link.normalized:
            arxiv = normalize_arxiv_id(link.normalized.rsplit("/", 1)[-1])
        return f"arxiv:{arxiv}" if arxiv else None
    if link.kind == LinkKind.DOI.value and (doi := normalize_doi(link.normalized)):
        if doi.startswith("10.48550/arxiv.") and (arxiv := normalize_arxiv_id(doi.split("arxiv.", 1)[1])):
            return f"arxiv:{arxiv}"
        return f"doi:{doi}"
    return None


def _own_ids(paper: Paper) -> set[str]:
    own = {paper.id}
    for scheme, value in paper.ids:
        if scheme == "arxiv" and (arxiv := normalize_arxiv_id(value)):
            own.add(f"arxiv:{arxiv}")
        elif scheme == "doi" and (doi := normalize_doi(value)):
            own.add(f"doi:{doi}")
            if doi.startswith("10.48550/arxiv.") and (arxiv := normalize_arxiv_id(doi.split("arxiv.", 1)[1])):
                own.add(f"arxiv:{arxiv}")
    return own


#: Token offsets of the spans behind mentions: ``(field, start char, end char) -> (start, end)``.
_TokenOffsets = dict[tuple[str, int, int], tuple[int, int]]


def _mentions_of(
    paper: Paper, field: str, doc: Doc, infos: list[tuple[ExtractorInfo, str]], tokens: _TokenOffsets
) -> list[Mention]:
    """Mentions of one field: the resolved group when the pipeline has a resolver, else all mention groups.

    Records each span's token offsets in ``tokens``.
    """
    resolved = [(info, key) for info, key in infos if info.name == "resolver"]
    groups = resolved or [(info, key) for info, key in infos if info.output == "mentions"]
    mentions = []
    text = ""
    for info, spans_key in groups:
        group = doc.spans.get(spans_key)
        if group is None:
            continue
        text = text or doc_text(doc)
        scores = group.attrs.get("scores")
        roles = group.attrs.get("roles")
        sources = group.attrs.get("sources")
        for index, span in enumerate(group):
            tokens[field, span.start_char, span.end_char] = (span.start, span.end)
            mentions.append(
                Mention(
                    paper_id=paper.id,
                    label=span.label_,
                    text=text[span.start_char : span.end_char],  # = span.text, without making Tokens
                    start=span.start_char,
                    end=span.end_char,
                    field=field,
                    key=span.id_,
                    role=roles[index] if roles else info.role,
                    confidence=round(float(scores[index]), 4) if scores else info.confidence,
                    extractor=sources[index] if sources else info.name,
                )
            )
    return mentions


def _cross_field(
    paper: Paper, docs: dict[str, Doc], mentions: list[Mention], tokens: _TokenOffsets, calibration: Any
) -> list[Mention]:
    """Mark, in each field, the names the other field found (a title's "MEND" in its abstract).

    ``tokens`` holds the token offsets of the mentions (from :func:`_mentions_of`).
    """
    from citekg.extractors.resolver import _occurrences, _repeatable, evidence
    from spacy.attrs import ORTH

    added = []
    orths_of: dict[str, list[int]] = {}

    def orths(field: str) -> list[int]:
        if field not in orths_of:
            orths_of[field] = docs[field].to_array(ORTH).tolist()
        return orths_of[field]

    repeatable: dict[str, bool] = {}
    for field in _FIELDS:
        names: dict[tuple[int, ...], Mention] = {}
        for m in mentions:
            if m.field == field:
                continue
            if (worth := repeatable.get(m.text)) is None:
                worth = repeatable[m.text] = _repeatable(m.text)
            if worth and (span := tokens.get((m.field, m.start, m.end))):
                names.setdefault(tuple(orths(m.field)[span[0] : span[1]]), m)
        if not names:
            continue
        doc = docs[field]
        here_orths = orths(field)
        here = [(m.start, m.end) for m in mentions if m.field == field]
        for start_token, end_token in _occurrences(doc, names, here_orths):
            found = doc[start_token:end_token]
            start, end = found.start_char, found.end_char
            if any(s < end and start < e for s, e in here):
                continue
            source = names[tuple(here_orths[start_token:end_token])]
            confidence = calibration.confidence(evidence(["resolver"], source.label)) if calibration else 0.5
            added.append(
                replace(
                    source,
                    start=start,
                    end=end,
                    field=field,
                    confidence=round(confidence, 4),
                    extractor="resolver",
                )
            )
            here.append((start, end))
    return mentions + added


def _convert(
    paper: Paper,
    docs: dict[str, Doc],
    infos: list[tuple[ExtractorInfo, str]],
    version: str,
    calibration: Any = None,
) -> Extraction:
    from citekg.extractors.links import classify_url

    mentions: list[Mention] = []
    links: list[Link] = []
    tokens: _TokenOffsets = {}
    for field in _FIELDS:
        doc = docs[field]
        mentions.extend(_mentions_of(paper, field, doc, infos, tokens))
        for info, spans_key in infos:
            if info.output != "links":
                continue
            for span in doc.spans.get(spans_key, ()):
                link = classify_url(span.text)
                links.append(
                    replace(link, kind=span.label_, start=span.start_char, end=span.end_char, field=field)
                )
    if any(info.name == "resolver" for info, _ in infos):
        from citekg.extractors.resolver import unify_paper

        mentions = unify_paper(_cross_field(paper, docs, mentions, tokens, calibration))
    order = {field: index for index, field in enumerate(_FIELDS)}
    mentions.sort(key=lambda m: (order[m.field], m.start, m.end, m.label, m.key, m.extractor))
    own = _own_ids(paper)
    references = sorted({ref for link in links if (ref := reference_id(link)) and ref not in own})
    links.extend(classify_url(url) for url in paper.links)
    return Extraction(
        paper=paper,
        mentions=tuple(mentions),
        links=tuple(links),
        references=tuple(references),
        extractor_version=version,
    )


def extract(
    papers: Iterable[Paper],
    *,
    nlp: Language | None = None,
    batch_size: int = 64,
    workers: int = 1,
    ahead: int = 0,
) -> Iterator[Extraction]:
    """Yield one :class:`~citekg.model.Extraction` per paper, in input order.

    Args:
        papers: Papers to process; consumed lazily, ``batch_size`` at a time.
        nlp: A pipeline from :func:`~citekg.extractors.build_nlp`; built with the built-in extractors
            when ``None``.
        batch_size: Papers per batch handed to ``nlp.pipe``.
        workers: Processes to extract in, this one included. With more than one, chunks of
            ``4 * batch_size`` papers are queued for ``workers - 1`` spawned processes, and this one
            takes back and extracts those no worker has started whenever the next result is not ready,
            so the work splits by speed. Each worker builds the pipeline once from ``nlp``'s
            components and their settings, on citekg's tokenizer (so every component must be a
            registered factory), and sends back only Extraction records. The output is the same as with
            one process, in the same order, and so are the errors (raised in their turn, with a note
            naming the worker's papers); a worker that dies is a :class:`~citekg.errors.CitekgError`.
            Starting a worker costs about a CPU second (a fresh interpreter imports spaCy and builds
            the pipeline), so it pays from a few thousand papers on.
        ahead: With workers, queue up to this many papers for them (at least 4 chunks per process),
            so they keep busy while the caller spends time elsewhere, such as writing a batch of that
            size to a store.

    Raises:
        ValueError: ``batch_size`` or ``workers`` is smaller than 1.
        CitekgError: A worker process died.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers > 1:
        yield from _extract_in_workers(papers, nlp, batch_size, workers, ahead)
        return
    if nlp is None:
        from citekg.extractors.nlp import build_nlp

        nlp = build_nlp()
    infos = _pipeline_infos(nlp)
    version = extractor_version(nlp)
    calibration = next(
        (
            getattr(nlp.get_pipe(name), "calibration", None)
            for name in nlp.pipe_names
            if name == "citekg_resolver"
        ),
        None,
    )
    iterator = iter(papers)
    while batch := list(islice(iterator, batch_size)):
        texts = [getattr(paper, field) or "" for paper in batch for field in _FIELDS]
        # an empty field (most gold corpora have no titles) has nothing to find: skip the pipeline
        filled = [(text, _FIELDS[index % 2]) for index, text in enumerate(texts) if text]
        processed = iter(_process(nlp, filled))
        docs = [next(processed) if text else nlp.make_doc("") for text in texts]
        for index, paper in enumerate(batch):
            pair = dict(zip(_FIELDS, docs[index * 2 : index * 2 + 2], strict=True))
            yield _convert(paper, pair, infos, version, calibration)


def _process(nlp: Language, texts: list[tuple[str, str]]) -> list[Doc]:
    """Run ``nlp`` over ``(text, field)`` pairs component by component, the whole batch at each.

    ``nlp.pipe`` takes each Doc through every component before the next Doc, so each component's code
    and tables fall out of the CPU caches between two Docs; one component at a time over the batch is
    about 15% faster here, and the Docs are the same. Each Doc's ``user_data[FIELD_KEY]`` says which
    field it is, so rules meant for titles ("MEND: Fast Model Editing") never fire in an abstract.
    """
    docs = []
    for text, field in texts:
        doc = nlp.make_doc(text)
        doc.user_data[FIELD_KEY] = field
        docs.append(doc)
    for _, component in nlp.pipeline:
        pipe = getattr(component, "pipe", None)
        docs = [component(doc) for doc in docs] if pipe is None else list(pipe(docs, batch_size=len(docs)))
    return docs


# -- parallel extraction ----------------------------------------------------------------------------------

#: A pipeline as worker processes rebuild it: ``(name, factory, config)`` per component.
_Spec = tuple[tuple[str, str, dict[str, Any]], ...]
_worker_spec: _Spec = ()
_worker_nlp: Language | None = None


def _pipeline_spec(nlp: Language) -> _Spec:
    spec = []
    for name in nlp.pipe_names:
        config = dict(nlp.get_pipe_config(name))
        factory = config.pop("factory")
        spec.append((name, factory, config))
    return tuple(spec)


def _build_from_spec(spec: _Spec) -> Language:
    from citekg.extractors._registry import load_extractors
    from citekg.extractors.nlp import blank_english

    load_extractors()  # registers the citekg factories (and plugins) in this process
    nlp = blank_english()
    for name, factory, config in spec:
        nlp.add_pipe(factory, name=name, config=config)
    return nlp


def _start_worker(spec: _Spec) -> None:
    global _worker_spec
    _worker_spec = spec


def _extract_chunk(papers: list[Paper], batch_size: int) -> list[Extraction]:
    """Extract in a worker process, building its pipeline on the first chunk.

    So failing to build it is that chunk's error, raised in the caller; an initializer's would only
    break the pool.
    """
    global _worker_nlp
    if _worker_nlp is None:
        _worker_nlp = _build_from_spec(_worker_spec)
    return list(extract(papers, nlp=_worker_nlp, batch_size=batch_size))


class _Chunk:
    """Consecutive papers and the Future of their extractions, in a worker or (once taken back) here."""

    __slots__ = ("future", "in_worker", "papers")

    def __init__(self, papers: list[Paper], future: Future[list[Extraction]]) -> None:
        self.papers = papers
        self.future = future
        self.in_worker = True

    def take_back(self, nlp: Language, batch_size: int) -> bool:
        """Extract here if no worker has started on these papers yet; say whether that happened.

        An error is kept in the Future, so it is raised in its turn, as with one process.
        """
        if not self.future.cancel():
            return False
        self.future, self.in_worker = Future(), False
        try:
            self.future.set_result(list(extract(self.papers, nlp=nlp, batch_size=batch_size)))
        except Exception as error:
            self.future.set_exception(error)
        return True

    def result(self) -> list[Extraction]:
        """The extractions; a dead worker or an error raised in one is reported with the papers."""
        try:
            return self.future.result()
        except BrokenProcessPool as error:
            raise CitekgError(
                f"An extraction worker process stopped before papers {self._span()} were extracted: it "
                "was killed, or ran out of memory (fewer workers use less)."
            ) from error
        except Exception as error:
            if self.in_worker:
                error.add_note(f"(raised in an extraction worker process, on papers {self._span()})")
            raise

    def _span(self) -> str:
        ids = [getattr(paper, "id", "?") for paper in (self.papers[0], self.papers[-1])]
        return f"{ids[0]!r} to {ids[1]!r}"


def _submit(pool: ProcessPoolExecutor, papers: list[Paper], batch_size: int) -> Future[list[Extraction]]:
    """Queue papers for the pool; once a worker has died, a Future holding that error (raised in turn)."""
    try:
        return pool.submit(_extract_chunk, papers, batch_size)
    except BrokenProcessPool as error:
        broken: Future[list[Extraction]] = Future()
        broken.set_exception(error)
        return broken


def _let_exit(pool: ProcessPoolExecutor) -> None:
    """After a worker died, make sure this process can still exit.

    Python 3.11's pool marks every pending chunk failed when a worker dies; a chunk this process took
    back is cancelled, so that step raises ``InvalidStateError`` in the pool's manager thread and the
    cleanup after it never runs. The feeder thread of the pool's call queue is then left blocked on a
    pipe no worker reads, and the interpreter would wait for it forever at exit. Giving up the unsent
    chunks is what that cleanup does.
    """
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()


def _extract_in_workers(
    papers: Iterable[Paper], nlp: Language | None, batch_size: int, workers: int, ahead: int
) -> Iterator[Extraction]:
    """Extract chunks of papers in ``workers - 1`` other processes and in this one, yielding them in order.

    Every chunk goes to the pool as it is read, up to ``max(4 * workers, ahead / chunk)`` chunks held.
    While the chunk due next is still in a worker, this process takes back the last chunk that no
    worker has started and extracts it ahead of its turn instead of waiting: so it keeps busy while a
    worker starts (a second or so), the work splits by speed, not by count, and a caller that spends
    time elsewhere between two papers (writing a store batch) leaves the workers a full queue.
    """
    if nlp is None:
        from citekg.extractors.nlp import build_nlp

        nlp = build_nlp()
    # "spawn": a fresh interpreter per worker, safe whatever threads this process runs (fork is not)
    pool = ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(_pipeline_spec(nlp),),
    )
    size = 4 * batch_size
    held = max(4 * workers, -(-ahead // size))
    pending: deque[_Chunk] = deque()
    iterator = iter(papers)
    try:
        while True:
            while len(pending) < held and (chunk := list(islice(iterator, size))):
                pending.append(_Chunk(chunk, _submit(pool, chunk, batch_size)))
            if not pending:
                break
            if not pending[0].future.done() and any(
                pending[index].take_back(nlp, batch_size) for index in range(len(pending) - 1, 0, -1)
            ):
                continue
            yield from pending.popleft().result()
    finally:
        if getattr(pool, "_broken", False):
            _let_exit(pool)  # before shutdown, which drops the pool's reference to its queue
        pool.shutdown(wait=True, cancel_futures=True)
