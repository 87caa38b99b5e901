"""Run an extractor pipeline over papers and turn its span groups into Extraction records.

Titles and abstracts are separate Docs, so every offset is into the field named. Links come from the
``links`` span group and from the paper's metadata; arXiv ids and DOIs written in the text become the
extraction's ``references``. Output depends only on the input and the pipeline, so it is deterministic.
No rdflib here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

from citekg.extractors._registry import ExtractorInfo, info_for_factory
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


def _convert(
    paper: Paper, docs: dict[str, Doc], infos: list[tuple[ExtractorInfo, str]], version: str
) -> Extraction:
    from citekg.extractors.links import classify_url

    mentions: list[Mention] = []
    links: list[Link] = []
    for field in _FIELDS:
        doc = docs[field]
        for info, spans_key in infos:
            for span in doc.spans.get(spans_key, ()):
                if info.output == "links":
                    link = classify_url(span.text)
                    links.append(
                        replace(link, kind=span.label_, start=span.start_char, end=span.end_char, field=field)
                    )
                else:
                    mentions.append(
                        Mention(
                            paper_id=paper.id,
                            label=span.label_,
                            text=span.text,
                            start=span.start_char,
                            end=span.end_char,
                            field=field,
                            key=span.id_,
                            role=info.role,
                            confidence=info.confidence,
                            extractor=info.name,
                        )
                    )
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
    papers: Iterable[Paper], *, nlp: Language | None = None, batch_size: int = 64
) -> Iterator[Extraction]:
    """Yield one :class:`~citekg.model.Extraction` per paper, in input order.

    Args:
        papers: Papers to process; consumed lazily, ``batch_size`` at a time.
        nlp: A pipeline from :func:`~citekg.extractors.build_nlp`; built with the built-in extractors
            when ``None``.
        batch_size: Papers per batch handed to ``nlp.pipe``.

    Raises:
        ValueError: ``batch_size`` is smaller than 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if nlp is None:
        from citekg.extractors.nlp import build_nlp

        nlp = build_nlp()
    infos = _pipeline_infos(nlp)
    version = extractor_version(nlp)
    iterator = iter(papers)
    while batch := list(islice(iterator, batch_size)):
        texts = [getattr(paper, field) or "" for paper in batch for field in _FIELDS]
        docs = list(nlp.pipe(texts, batch_size=len(texts)))
        for index, paper in enumerate(batch):
            pair = dict(zip(_FIELDS, docs[index * 2 : index * 2 + 2], strict=True))
            yield _convert(paper, pair, infos, version)
