"""Measure extraction against gold annotations: precision, recall and F1 per type, and speed.

Two match criteria, both per type (a mention only matches a gold span of the same scored type):

- **exact**: same start and end;
- **overlap**: the spans share at least one character; each gold span matches at most one prediction and
  vice versa, pairs taken greedily, largest overlap first. Corpora annotate different extents (SciERC takes
  the longest span, "the Penn Treebank corpus"), so overlap says whether the thing was found at all.

Spans are sets: a duplicate span on either side counts once. Precision, recall and F1 of an empty count are
0, never NaN. The scoring functions are pure; :func:`evaluate` runs the extractors (spaCy loads then, not
on import) and :func:`run_eval` is the entry point behind ``citekg eval``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.errors import InputError
from citekg.gold import GOLD_FORMATS, GoldDoc, LabelMapping, ordered_types, parse_gold_spec, read_contract
from citekg.model import Extraction, Paper

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "Counts",
    "EvalReport",
    "Scores",
    "Span",
    "evaluate",
    "format_report",
    "match_overlap",
    "predictions_from_extractions",
    "run_eval",
    "score",
]

Span = tuple[int, int, str]
ExtractFn = Callable[[Sequence[Paper]], Iterable[Extraction]]


@dataclass(frozen=True, slots=True)
class Counts:
    """Gold spans, predicted spans and matched pairs for one type (or summed over types).

    Examples:
        >>> c = Counts(gold=4, predicted=2, matched=1)
        >>> c.precision, c.recall, round(c.f1, 4)
        (0.5, 0.25, 0.3333)
        >>> Counts().f1
        0.0
        >>> c + Counts(gold=1, predicted=1, matched=1)
        Counts(gold=5, predicted=3, matched=2)
    """

    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        """Matched / predicted; 0 when nothing was predicted."""
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Matched / gold; 0 when there is no gold span."""
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.gold + other.gold, self.predicted + other.predicted, self.matched + other.matched)

    def to_dict(self) -> dict[str, float | int]:
        """Counts and the three rates, rounded to four places."""
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-type counts under both criteria; micro averages sum the counts over :attr:`types`."""

    types: tuple[str, ...]
    exact: Mapping[str, Counts]
    overlap: Mapping[str, Counts]

    @property
    def micro_exact(self) -> Counts:
        """Exact-span counts summed over the scored types."""
        return sum((self.exact[t] for t in self.types), Counts())

    @property
    def micro_overlap(self) -> Counts:
        """Overlap counts summed over the scored types."""
        return sum((self.overlap[t] for t in self.types), Counts())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dicts: ``{"exact": {type: counts, "micro": …}, "overlap": {…}}``."""
        return {
            "types": list(self.types),
            "exact": {
                **{t: self.exact[t].to_dict() for t in self.types},
                "micro": self.micro_exact.to_dict(),
            },
            "overlap": {
                **{t: self.overlap[t].to_dict() for t in self.types},
                "micro": self.micro_overlap.to_dict(),
            },
        }


def match_overlap(gold: Iterable[Span], predicted: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pair gold and predicted spans of the same label that share characters, one to one.

    Pairs are taken greedily by the number of shared characters (ties: earlier gold span, then earlier
    prediction), so a prediction covering two gold spans counts for the one it overlaps most.

    Examples:
        >>> match_overlap([(0, 10, "task")], [(0, 4, "task"), (2, 10, "task"), (0, 10, "method")])
        [((0, 10, 'task'), (2, 10, 'task'))]
        >>> match_overlap([(0, 4, "task"), (5, 9, "task")], [(0, 9, "task")])
        [((0, 4, 'task'), (0, 9, 'task'))]
        >>> match_overlap([(0, 4, "task")], [(4, 8, "task")])
        []
    """
    candidates = []
    for g in set(gold):
        for p in set(predicted):
            shared = min(g[1], p[1]) - max(g[0], p[0])
            if shared > 0 and g[2] == p[2]:
                candidates.append((-shared, g, p))
    candidates.sort()
    used_gold: set[Span] = set()
    used_pred: set[Span] = set()
    pairs = []
    for _, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return sorted(pairs)


def score(
    gold_docs: Iterable[GoldDoc],
    predicted: Mapping[str, Sequence[Span]],
    *,
    types: Sequence[str] | None = None,
) -> Scores:
    """Score predictions against gold documents, per type, exact-span and overlap.

    Args:
        gold_docs: The gold documents; every one is scored, a document absent from ``predicted`` as having
            no prediction. Predictions for ids not among them are ignored.
        predicted: Document id → ``(start, end, label)`` spans, labels already mapped to scored types.
        types: The types to score; spans of other labels are ignored on both sides. Default: the labels
            found in the gold documents.

    Examples:
        >>> from citekg.gold import GoldDoc, GoldSpan
        >>> spans = (GoldSpan(0, 4, "method"), GoldSpan(8, 13, "dataset"), GoldSpan(18, 20, "task"))
        >>> gold = [GoldDoc("d1", "BERT on SQuAD for QA", spans)]
        >>> s = score(gold, {"d1": [(0, 4, "method"), (8, 12, "dataset"), (14, 17, "dataset")]})
        >>> s.types
        ('method', 'dataset', 'task')
        >>> s.exact["method"], s.exact["dataset"].precision, s.overlap["dataset"].precision
        (Counts(gold=1, predicted=1, matched=1), 0.0, 0.5)
        >>> s.micro_exact, round(s.micro_exact.f1, 4), round(s.micro_overlap.f1, 4)
        (Counts(gold=3, predicted=3, matched=1), 0.3333, 0.6667)
        >>> score([], {}).micro_exact.f1
        0.0
    """
    docs = list(gold_docs)
    if types is None:
        types = ordered_types({s.label for d in docs for s in d.spans})
    scored = tuple(types)
    wanted = set(scored)
    exact = {t: Counts() for t in scored}
    overlap = {t: Counts() for t in scored}
    for doc in docs:
        gold = {(s.start, s.end, s.label) for s in doc.spans if s.label in wanted}
        pred = {(int(s), int(e), str(lab)) for s, e, lab in predicted.get(doc.doc_id, ()) if lab in wanted}
        hits = gold & pred
        pairs = match_overlap(gold, pred)
        for t in scored:
            n_gold = sum(1 for s in gold if s[2] == t)
            n_pred = sum(1 for s in pred if s[2] == t)
            exact[t] += Counts(n_gold, n_pred, sum(1 for s in hits if s[2] == t))
            overlap[t] += Counts(n_gold, n_pred, sum(1 for g, _ in pairs if g[2] == t))
    return Scores(types=scored, exact=exact, overlap=overlap)


def predictions_from_extractions(
    extractions: Iterable[Extraction], mapping: LabelMapping | None = None, *, field: str = "abstract"
) -> dict[str, list[Span]]:
    """Collect each paper's mentions in ``field`` as scored spans, labels mapped by ``mapping``.

    Mentions whose type the mapping does not score are left out; without a mapping labels are kept.

    Examples:
        >>> from citekg.model import Mention
        >>> from citekg.gold.scierc import SCIERC_MAPPING
        >>> mention = Mention("p1", "model", "BERT", 0, 4, "abstract", "bert")
        >>> ex = Extraction(Paper("p1", ""), mentions=(mention,))
        >>> predictions_from_extractions([ex], SCIERC_MAPPING)
        {'p1': [(0, 4, 'method')]}
    """
    out: dict[str, list[Span]] = {}
    for extraction in extractions:
        spans = out.setdefault(extraction.paper.id, [])
        for m in extraction.mentions:
            if m.field != field:
                continue
            label = m.label if mapping is None else mapping.predicted_label(m.label)
            if label is not None:
                spans.append((m.start, m.end, label))
    return out


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The outcome of one evaluation run: scores, what was compared, and how fast extraction ran.

    Attributes:
        corpus: A name for the gold set (a spec such as ``scierc:test.json``, or a bench label).
        mapping: The label mapping used; stated in every printed report.
        scores: Per-type counts.
        docs: Number of gold units scored.
        chars: Characters of text extracted from.
        seconds: Wall time of extraction alone (0 when predictions were read from a file).
        load_seconds: Wall time to build the pipeline.
        pipeline: Component names of the pipeline, or ``("predictions file",)``.
        extractor_version: As recorded in the extractions.
    """

    corpus: str
    mapping: LabelMapping
    scores: Scores
    docs: int
    chars: int
    seconds: float = 0.0
    load_seconds: float = 0.0
    pipeline: tuple[str, ...] = ()
    extractor_version: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def docs_per_second(self) -> float:
        """Units extracted per second; 0 when not timed."""
        return self.docs / self.seconds if self.seconds > 0 else 0.0

    @property
    def chars_per_second(self) -> float:
        """Characters extracted per second; 0 when not timed."""
        return self.chars / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary, scores included."""
        return {
            "corpus": self.corpus,
            "mapping": self.mapping.to_dict(),
            "mapping_text": self.mapping.describe(),
            "docs": self.docs,
            "chars": self.chars,
            "seconds": round(self.seconds, 4),
            "load_seconds": round(self.load_seconds, 4),
            "docs_per_second": round(self.docs_per_second, 1),
            "chars_per_second": round(self.chars_per_second, 1),
            "pipeline": list(self.pipeline),
            "extractor_version": self.extractor_version,
            "notes": list(self.notes),
            "scores": self.scores.to_dict(),
        }


def _identity_mapping(docs: Sequence[GoldDoc]) -> LabelMapping:
    types = ordered_types({s.label for d in docs for s in d.spans})
    return LabelMapping(gold=tuple((t, t) for t in types), predicted=tuple((t, t) for t in types))


def evaluate(
    gold_docs: Iterable[GoldDoc],
    extract_fn: ExtractFn | None = None,
    *,
    mapping: LabelMapping | None = None,
    corpus: str = "",
    nlp: Language | None = None,
) -> EvalReport:
    """Run extraction on every gold document's text and score the mentions found.

    Each document becomes a :class:`~citekg.model.Paper` whose abstract is the document's text and whose
    title is empty, so offsets of ``abstract`` mentions compare directly with the gold spans.

    Args:
        gold_docs: Documents from a :mod:`citekg.gold` reader.
        extract_fn: Papers → extractions; default :func:`citekg.extractors.extract` with ``nlp``.
        mapping: How predicted types are scored, and which types count; default: labels as they are, the
            types found in the gold.
        corpus: A name for the report.
        nlp: Pipeline for the default ``extract_fn``; :func:`citekg.extractors.build_nlp` when ``None``.

    Returns:
        The scores with speed (extraction time only; pipeline load timed apart).
    """
    docs = list(gold_docs)
    mapping = mapping or _identity_mapping(docs)
    load_seconds = 0.0
    pipeline: tuple[str, ...] = ()
    if extract_fn is None:
        from citekg.extractors import build_nlp, extract

        start = time.perf_counter()
        pipe = nlp if nlp is not None else build_nlp()
        # Components may load their data on first use; warm up so the timing below is steady-state.
        list(extract([Paper(id="warm-up", title="", abstract="We evaluate BERT on ImageNet.")], nlp=pipe))
        load_seconds = time.perf_counter() - start
        pipeline = tuple(pipe.pipe_names)

        def extract_fn(papers: Sequence[Paper]) -> Iterable[Extraction]:
            return extract(papers, nlp=pipe)

    papers = [Paper(id=d.doc_id, title="", abstract=d.text) for d in docs]
    start = time.perf_counter()
    extractions = list(extract_fn(papers))
    seconds = time.perf_counter() - start
    versions = sorted({e.extractor_version for e in extractions if e.extractor_version})
    return EvalReport(
        corpus=corpus,
        mapping=mapping,
        scores=score(docs, predictions_from_extractions(extractions, mapping), types=mapping.types),
        docs=len(docs),
        chars=sum(len(d.text) for d in docs),
        seconds=seconds,
        load_seconds=load_seconds,
        pipeline=pipeline,
        extractor_version=", ".join(versions),
    )


def _pct(value: float) -> float:
    return round(100 * value, 1)


def format_report(report: EvalReport) -> str:
    """Render a report as a plain-text table (percentages) with the mapping and speed beneath.

    Examples:
        >>> from citekg.gold import GoldDoc, GoldSpan
        >>> from citekg.gold.tdmsci import TDMSCI_MAPPING
        >>> docs = [GoldDoc("s", "ImageNet", (GoldSpan(0, 8, "dataset"),))]
        >>> scores = score(docs, {"s": [(0, 8, "dataset")]}, types=TDMSCI_MAPPING.types)
        >>> r = EvalReport("toy", TDMSCI_MAPPING, scores, docs=1, chars=8)
        >>> print(format_report(r))  # doctest: +NORMALIZE_WHITESPACE
        toy: 1 docs, 8 chars
        type       gold    pred    exact P    R      F1    overlap P    R      F1
        -------  ------  ------  ---------  -----  -----  -----------  -----  -----
        dataset       1       1      100.0  100.0  100.0        100.0  100.0  100.0
        task          0       0        0.0    0.0    0.0          0.0    0.0    0.0
        metric        0       0        0.0    0.0    0.0          0.0    0.0    0.0
        micro         1       1      100.0  100.0  100.0        100.0  100.0  100.0
        label mapping: gold DATASET→dataset, TASK→task, METRIC→metric; predicted as is
    """
    from tabulate import tabulate

    s = report.scores
    rows = []
    table = [(t, s.exact[t], s.overlap[t]) for t in s.types] + [("micro", s.micro_exact, s.micro_overlap)]
    for name, ex, ov in table:
        rows.append(
            [
                name,
                ex.gold,
                ex.predicted,
                _pct(ex.precision),
                _pct(ex.recall),
                _pct(ex.f1),
                _pct(ov.precision),
                _pct(ov.recall),
                _pct(ov.f1),
            ]
        )
    headers = ["type", "gold", "pred", "exact P", "R", "F1", "overlap P", "R", "F1"]
    lines = [f"{report.corpus}: {report.docs:,} docs, {report.chars:,} chars"]
    lines.append(tabulate(rows, headers=headers, floatfmt=".1f"))
    lines.append(f"label mapping: {report.mapping.describe()}")
    if report.seconds > 0:
        lines.append(
            f"speed: {report.docs_per_second:,.0f} docs/s, {report.chars_per_second:,.0f} chars/s "
            f"(extraction only, one process; pipeline load {report.load_seconds:.2f} s)"
        )
    if report.pipeline:
        lines.append(
            f"pipeline: {', '.join(report.pipeline)}"
            + (f" (version {report.extractor_version})" if report.extractor_version else "")
        )
    lines.extend(report.notes)
    return "\n".join(lines)


def run_eval(
    spec: str,
    *,
    fast: bool = False,
    predictions: str | Path | None = None,
    extractors: Sequence[str] | None = None,
    as_json: bool = False,
    keep_generic: bool = False,
) -> str:
    """Evaluate against a ``FORMAT:PATH`` gold spec and return the printed report (``citekg eval``).

    Args:
        spec: Gold format and file, e.g. ``scierc:../shared/gold/scierc/processed_json/test.json``.
        fast: Rules only, when the pipeline offers a fast mode (the report names the components run).
        predictions: Score this extraction-contract JSONL file instead of running the extractors; its
            records must carry the same ids and the same text as the gold documents.
        extractors: Extractor names for :func:`citekg.extractors.build_nlp` (default: the built-ins).
        as_json: Return the report as JSON instead of a table.
        keep_generic: Keep lower-case method descriptions ("kernel methods"), as SciERC annotates them;
            by default the resolver drops them (issue 3's types name things only).

    Raises:
        UnknownNameError: for an unknown gold format or extractor name.
        InputError: for unreadable gold or predictions, or predictions made on different text.
    """
    name, path = parse_gold_spec(spec)
    gold_format = GOLD_FORMATS[name]
    docs = list(gold_format.read(path))
    mapping = gold_format.mapping
    if predictions is not None:
        report = _score_file(docs, Path(predictions), mapping, spec)
    else:
        nlp = _build_nlp(fast, extractors, keep_generic)
        report = evaluate(docs, mapping=mapping, corpus=spec, nlp=nlp)
    return json.dumps(report.to_dict(), indent=2) if as_json else format_report(report)


def _build_nlp(fast: bool, extractors: Sequence[str] | None, keep_generic: bool = False) -> Language:
    from citekg.extractors import build_nlp

    names = list(extractors) if extractors is not None else None
    config = {"resolver": {"keep_generic": True}} if keep_generic else None
    return build_nlp(names, fast=fast, config=config)


def _score_file(docs: Sequence[GoldDoc], path: Path, mapping: LabelMapping, spec: str) -> EvalReport:
    texts = {d.doc_id: d.text for d in docs}
    predicted: dict[str, list[Span]] = {}
    for doc in read_contract(path):
        if doc.doc_id in texts and doc.text != texts[doc.doc_id]:
            reason = f"{doc.doc_id}: predictions were made on another text than the gold's"
            raise InputError(str(path), reason)
        spans = predicted.setdefault(doc.doc_id, [])
        for s in doc.spans:
            label = mapping.predicted_label(s.label)
            if label is not None:
                spans.append((s.start, s.end, label))
    return EvalReport(
        corpus=spec,
        mapping=mapping,
        scores=score(docs, predicted, types=mapping.types),
        docs=len(docs),
        chars=sum(len(d.text) for d in docs),
        pipeline=("predictions file",),
        notes=(f"predictions: {path}",),
    )
