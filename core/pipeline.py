"""The read → extract → build flow behind ``citekg build`` and ``citekg extract``.

Each stage is a function of its own (readers yield Papers, extractors yield Extractions, the store adds
triples), so this module only wires them and keeps the counts a user wants to see afterwards. spaCy and
the store are imported inside the functions that need them, so ``import citekg.pipeline`` stays cheap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.model import Extraction

if TYPE_CHECKING:
    from citekg.graph.store import GraphStore
    from citekg.readers import ReadReport

__all__ = ["BuildSummary", "build", "extract_inputs", "sample_corpus_path"]

log = logging.getLogger(__name__)

#: Called once per paper extracted, so the CLI can drive a progress bar.
ProgressCallback = Callable[[int], None]


def sample_corpus_path() -> Path:
    """Return the path of the bundled sample corpus (``citekg.examples/papers.jsonl``)."""
    return Path(str(resources.files("citekg.examples") / "papers.jsonl"))


@dataclass
class BuildSummary:
    """What one ``build`` run read, skipped and stored."""

    inputs: list[str] = field(default_factory=list)
    records: int = 0
    papers: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)
    triples_before: int = 0
    triples_after: int = 0
    seconds: float = 0.0
    graph: dict[str, Any] = field(default_factory=dict)
    #: What the store write did: paper merges, replaced mentions, resolved external papers, …
    #: (:meth:`citekg.graph.update.UpdateReport.to_dict`).
    update: dict[str, Any] = field(default_factory=dict)

    @property
    def merged(self) -> int:
        """Paper records merged into another paper's node (same ids or title)."""
        return sum(len(m["merged"]) for m in self.update.get("merges", ()))

    @property
    def triples_added(self) -> int:
        """Triples this run added (0 when it rebuilt what was already there)."""
        return self.triples_after - self.triples_before

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the summary."""
        return {
            "inputs": self.inputs,
            "records": self.records,
            "papers": self.papers,
            "duplicates": self.duplicates,
            "skipped": [{"file": f, "line": line, "reason": r} for f, line, r in self.skipped],
            "triples_added": self.triples_added,
            "triples": self.triples_after,
            "seconds": round(self.seconds, 3),
            "papers_merged": self.merged,
            "merges": self.update.get("merges", []),
            "update": self.update,
            "graph": self.graph,
        }


def _is_extraction_file(path: Path, format: str | None) -> bool:
    from citekg.readers import detect_format

    return (format or detect_format(path)) == "extractions"


def extract_inputs(
    paths: Sequence[Path],
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    report: ReadReport | None = None,
    progress: ProgressCallback | None = None,
) -> Iterator[Extraction]:
    """Yield one Extraction per paper id across all inputs (the first record of an id wins).

    Papers are read from extraction JSONL as is, or extracted with spaCy.

    Extraction files (the output of ``citekg extract``) are passed through without running NLP again,
    which is what keeps ``build`` cheap to re-run.
    """
    from citekg.extractors import build_nlp, extract
    from citekg.readers import read_extractions, read_papers

    seen: set[str] = set()

    def first_time(paper_id: str) -> bool:
        if paper_id in seen:
            if report is not None:
                report.duplicates += 1
            return False
        seen.add(paper_id)
        return True

    nlp = None
    for path in paths:
        if _is_extraction_file(path, format):
            records = read_extractions(path, skip_invalid=skip_invalid, report=report)
            stream: Iterable[Extraction] = (e for e in records if first_time(e.paper.id))
        else:
            nlp = nlp or build_nlp()
            papers = read_papers(path, format=format, skip_invalid=skip_invalid, report=report)
            stream = extract((p for p in papers if first_time(p.id)), nlp=nlp)
        for extraction in stream:
            if progress is not None:
                progress(1)
            yield extraction


def build(
    paths: Sequence[Path],
    store: GraphStore,
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildSummary:
    """Read, extract and add every input to ``store``, all or nothing.

    Every record is read and extracted before the store is touched, and the whole run is written as
    ONE transaction (:meth:`citekg.graph.store.GraphStore.update`): a malformed record, an error or a
    killed process leaves the store exactly as it was, and rerunning completes it. Building the same
    inputs again changes nothing; records of one paper from several sources are merged and reported.

    Raises:
        InputError: on the first malformed record, unless ``skip_invalid``.
    """
    from citekg.readers import ReadReport

    started = time.perf_counter()
    report = ReadReport()
    summary = BuildSummary(inputs=[str(p) for p in paths], triples_before=len(store))
    extractions = list(
        extract_inputs(paths, format=format, skip_invalid=skip_invalid, report=report, progress=progress)
    )
    summary.update = store.update(extractions).to_dict()
    summary.records = report.records
    summary.papers = len(extractions)
    summary.duplicates = report.duplicates
    summary.skipped = list(report.skipped)
    summary.triples_after = len(store)
    summary.graph = store.stats()
    summary.seconds = time.perf_counter() - started
    log.info("built %d papers in %.2fs", summary.papers, summary.seconds)
    return summary
