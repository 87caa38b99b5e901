"""The ``resolver`` extractor: one mention per place, with its type, role, key and a calibrated confidence.

It runs last and reads every span group written by a registered extractor whose ``output`` is
``mentions`` (lexicon, patterns, ner, and plugins), plus the abbreviation pairs. Links are not mentions and
are left alone. For each document it

1. clusters overlapping spans and keeps one span per cluster: the span of the most precise source
   (:data:`BOUNDARY_PRIORITY`, ordered by how often each source's span is exactly the gold span when it
   overlaps one on SciERC/SciER dev: "called X" and evaluation lists 100%, NER 87%, dataset heads 82%,
   task and shape rules 77%, lexicon 75%, proposal cues 71%), the longest on ties; a lexicon name that
   holds that span wins over it (the curated full name); a span cut at a hyphen or without a letter is
   never chosen, nor one holding markup (a URL, LaTeX), and a cluster with no other span is dropped;
2. picks the type by a vote over the cluster weighted by each source's reliability for that type, measured
   on dev data and stored in ``data/calibration.json``, except that an unambiguous lexicon name keeps the
   lexicon's type ("CoLA" is a dataset whatever the NER says); a language alone ("Chinese") gets no dataset
   vote;
   a multiword name not from the lexicon takes the type of its head noun ("... system" is a method,
   "... translation" a task); a metric's span takes a following "score"/"metric"/"measure", a dataset's a
   following "dataset"/"corpus"/"data" (the convention of TDMSci, SciERC, SciREX and Heddes et al.; SciER
   leaves it out), which its key does not hold; a span no lexicon entry names that describes instead
   of naming (a lower-case dataset phrase, "kernel methods" unless ``keep_generic``, "enhancing X" as a
   task) is dropped;
3. marks the role ``proposed`` when any source in the cluster says so;
4. assigns the canonical key (:func:`canonical_key`); a lexicon span keeps the lexicon's key, so aliases
   share one key;
5. merges abbreviation pairs: the long and short form get one key (the lexicon's when it knows either
   form, else the short form's), and a type found for one form is carried to the other; a pair that no
   source typed is typed by its long form's head noun ("... Network" is a method);
6. marks the later occurrences of every name found in the document ("RCN" after "... Network (RCN)");
7. sets the confidence from the calibration table: the precision measured on dev data for mentions with
   the same evidence (sources, pattern cue, type, NER score bin), or for evidence never seen on dev
   data the sources' own score under 0.8; see ``bench/calibrate.py``.

It writes ``doc.spans["citekg.resolved"]`` with ``attrs["scores"]``, ``attrs["roles"]`` and
``attrs["sources"]`` (comma-joined extractor names). The paper-level step (one key, type and role per
entity across title and abstract) is :func:`unify_paper`, called by :func:`~citekg.extractors.extract`.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.extractors._registry import extractor, list_extractors
from citekg.extractors.nlp import doc_text
from citekg.extractors.patterns import head_type

if TYPE_CHECKING:
    from citekg.model import Mention
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "BOUNDARY_PRIORITY",
    "Calibration",
    "Resolver",
    "canonical_key",
    "evidence",
    "load_calibration",
    "make_resolver",
    "unify_paper",
]

RESOLVED_KEY = "citekg.resolved"
#: Whose span boundaries win inside a cluster (lower first); keys are sources or ``patterns:<cue>``.
BOUNDARY_PRIORITY: dict[str, int] = {
    "patterns:called": 0,
    "patterns:eval_list": 0,
    "ner": 1,
    "patterns:task_bare": 2,
    "patterns:dataset_head": 2,
    "patterns:outperforms": 2,
    "lexicon": 3,
    "abbreviations": 3,
    "patterns:propose": 3,
    "patterns:title": 3,
    "patterns:task": 3,
    "patterns:shape": 3,
    "patterns": 4,
}
_NER_BINS = (0.5, 0.8, 0.95)
#: The highest confidence a mention gets from evidence that the dev data never showed.
UNEARNED_MAX = 0.79
#: The lexicon's score for a name that is neither ambiguous nor claimed by two entries.
_SURE_LEXICON = 0.9
#: Nouns that a metric's span takes when they follow its name ("F1 score", "PARSEVAL measure").
_METRIC_NOUNS = frozenset({"score", "scores", "metric", "measure", "measures"})
#: Nouns that a dataset's span takes when they follow its name ("the NTCIR-9 data", "the TED corpus"), as
#: TDMSci, SciERC, SciREX and Heddes et al. annotate (SciER leaves them out); the key leaves them out.
_DATASET_NOUNS = frozenset({"dataset", "datasets", "corpus", "corpora", "data"})
_PROPAGATED = "resolver"


@functools.lru_cache(maxsize=1 << 16)
def canonical_key(text: str) -> str:
    """Return the canonical key of a surface form (cached: the same names recur across papers).

    Case-folded; runs of spaces, hyphens and underscores become one ``-``; the plural of a multiword
    common-noun head ("networks") and of an acronym ("CNNs") is stripped. Lexicon keys
    (:func:`~citekg.extractors.lexicon.entity_key`) are kept as the lexicon gives them.

    Examples:
        >>> canonical_key("Click through rate  prediction"), canonical_key("click-through rate prediction")
        ('click-through-rate-prediction', 'click-through-rate-prediction')
        >>> canonical_key("convolutional neural networks"), canonical_key("CNNs"), canonical_key("GPT-4o")
        ('convolutional-neural-network', 'cnn', 'gpt-4o')
        >>> canonical_key("Deep Interest Networks"), canonical_key("strategies of search")
        ('deep-interest-networks', 'strategies-of-search')
        >>> canonical_key("class")
        'class'
        >>> canonical_key("search strategies"), canonical_key("word analogies"), canonical_key("tasks")
        ('search-strategy', 'word-analogy', 'tasks')
        >>> canonical_key("NTCIR-9 data"), canonical_key("TED corpus"), canonical_key("missing data")
        ('ntcir-9', 'ted', 'missing-data')
    """
    words = text.split()
    last = words[-1] if words else ""
    if (
        len(words) >= 2
        and last.lower() in _DATASET_NOUNS
        and any(c.isupper() or c.isdigit() for c in words[-2])
    ):
        return canonical_key(" ".join(words[:-1]))  # "NTCIR-9 data" is NTCIR-9
    if len(words) >= 2 and last.islower() and len(last) > 3:
        text = text[: len(text) - len(last)] + _singular(last)
    elif re.fullmatch(r"[A-Z][A-Z0-9]+s", text):
        text = text[:-1]
    return re.sub(r"[\s\-_]+", "-", text.casefold()).strip("-")


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def evidence(sources: Iterable[str], label: str, ner_score: float | None = None) -> str:
    """Return the calibration signature of a mention: its sources (patterns with their cue), type, NER bin.

    Examples:
        >>> evidence(["patterns:shape", "lexicon"], "model")
        'lexicon+patterns:shape|model'
        >>> evidence(["ner"], "task", 0.9)
        'ner@0.8|task'
    """
    sig = "+".join(sorted(set(sources)))
    if ner_score is not None:
        low = max((b for b in _NER_BINS if ner_score >= b), default=0.0)
        sig = sig.replace("ner", f"ner@{low:g}", 1)
    return f"{sig}|{label}"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Fitted confidences: precision per evidence signature with back-offs, and per-source type weights.

    Attributes:
        table: ``evidence(...)`` signature → confidence.
        backoff: sources part of a signature (no type) → confidence, for unseen signatures.
        weights: source (``lexicon``, ``patterns:<cue>``, ``ner``) → type → reliability, for the type vote.
        default: confidence of a mention whose evidence was never seen and whose sources gave no score.
    """

    table: dict[str, float]
    backoff: dict[str, float]
    weights: dict[str, dict[str, float]]
    default: float = 0.3

    def confidence(self, signature: str, prior: float | None = None) -> float:
        """Return the calibrated confidence of a mention with this evidence signature.

        Evidence the dev data never showed (a title's "MEND: …" cue: the dev corpora have no titles) falls
        back to ``prior``, the sources' own score, kept under :data:`UNEARNED_MAX`: a confidence of 0.8
        or more must have been earned on dev data.

        Examples:
            >>> c = Calibration(table={"lexicon|model": 0.95}, backoff={"ner@0.5": 0.6}, weights={})
            >>> c.confidence("lexicon|model", 0.9), c.confidence("ner@0.5|task", 0.7)
            (0.95, 0.6)
            >>> c.confidence("patterns:title|method", 0.7), c.confidence("lexicon|task", 0.9)
            (0.7, 0.79)
            >>> c.confidence("patterns:title|method")
            0.3
        """
        if signature in self.table:
            return self.table[signature]
        sources = signature.split("|", 1)[0]
        if sources in self.backoff:
            return self.backoff[sources]
        return self.default if prior is None else min(prior, UNEARNED_MAX)

    def weight(self, source: str, label: str) -> float:
        """Return how reliable ``source`` is when it says ``label`` (0.5 when unmeasured)."""
        by_label = self.weights.get(source) or self.weights.get(source.split(":", 1)[0]) or {}
        return by_label.get(label, 0.5)


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read a calibration table; the bundled ``data/calibration.json`` when ``path`` is ``None``.

    A missing bundled file gives an uncalibrated table (every mention gets the default 0.3 unless a
    source's own score is used), so the pipeline still runs before ``bench/calibrate.py`` has been run.
    """
    if path is None:
        source = resources.files("citekg.extractors").joinpath("data", "calibration.json")
        if not source.is_file():
            return Calibration(table={}, backoff={}, weights={})
        data = json.loads(source.read_text(encoding="utf-8"))
    else:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Calibration(
        table={k: float(v) for k, v in data.get("table", {}).items()},
        backoff={k: float(v) for k, v in data.get("backoff", {}).items()},
        weights={k: {lk: float(lv) for lk, lv in v.items()} for k, v in data.get("weights", {}).items()},
        default=float(data.get("default", 0.3)),
    )


@dataclass(slots=True)
class _Item:
    start: int  # token offsets
    end: int
    label: str
    key: str
    score: float
    role: str
    source: str  # extractor name, ``patterns:<cue>`` for patterns
    ner_score: float | None = None


@dataclass(slots=True)
class _Resolved:
    start: int
    end: int
    label: str
    key: str
    role: str
    sources: set[str]
    ner_score: float | None = None
    lexicon: bool = False
    prior: float | None = None  # the sources' own best score, for evidence the dev data never showed


class Resolver:
    """Component merging every mention group into ``citekg.resolved``."""

    def __init__(
        self,
        nlp: Language,
        spans_key: str,
        calibration: Calibration,
        *,
        propagate: bool = True,
        use_pairs: bool = True,
        keep_generic: bool = False,
    ) -> None:
        self.spans_key = spans_key
        self.calibration = calibration
        self.propagate = propagate
        self.use_pairs = use_pairs
        self.keep_generic = keep_generic
        self._groups: dict[str, str] | None = None  # spans key -> extractor name, mention groups only
        self._pairs_keys: tuple[str, ...] = ()

    def _sources(self) -> dict[str, str]:
        if self._groups is None:
            infos = list_extractors()
            self._groups = {
                i.spans_key: i.name for i in infos if i.output == "mentions" and i.spans_key != self.spans_key
            }
            self._pairs_keys = tuple(sorted(i.spans_key for i in infos if i.output == "pairs"))
        return self._groups

    def __call__(self, doc: Doc) -> Doc:
        """Set the resolved span group of ``doc``."""
        from spacy.tokens import Span

        groups = self._sources()
        items: list[_Item] = []
        for spans_key in sorted(doc.spans):
            name = groups.get(spans_key)
            if name is None:
                continue
            group = doc.spans[spans_key]
            scores = group.attrs.get("scores")
            roles = group.attrs.get("roles")
            cues = group.attrs.get("cues")
            for index, span in enumerate(group):
                source = f"{name}:{cues[index]}" if cues else name
                score = float(scores[index]) if scores else 1.0
                items.append(
                    _Item(
                        span.start,
                        span.end,
                        span.label_,
                        span.id_,
                        score,
                        roles[index] if roles else "used",
                        source,
                        score if name == "ner" else None,
                    )
                )
        view = _View(doc) if items else None  # a third of the Docs (most titles) have no mention
        resolved = self._cluster(doc, items, view) if view else []
        if self.use_pairs:
            self._merge_pairs(doc, resolved)
        if self.propagate and resolved:
            self._repeat(doc, resolved, view or _View(doc))
        resolved.sort(key=lambda r: (r.start, r.end))
        proposed = {r.key for r in resolved if r.role == "proposed"}
        for r in resolved:
            if r.key in proposed:
                r.role = "proposed"
        spans, scores, roles, sources = [], [], [], []
        for r in resolved:
            spans.append(Span(doc, r.start, r.end, label=r.label, span_id=r.key))
            names = sorted({s.split(":", 1)[0] for s in r.sources})
            scores.append(self.calibration.confidence(evidence(r.sources, r.label, r.ner_score), r.prior))
            roles.append(r.role)
            sources.append(",".join(names))
        doc.spans[self.spans_key] = spans
        group = doc.spans[self.spans_key]
        group.attrs["scores"] = scores
        group.attrs["roles"] = roles
        group.attrs["sources"] = sources
        return doc

    def _cluster(self, doc: Doc, items: list[_Item], view: _View) -> list[_Resolved]:
        items.sort(key=lambda i: (i.start, -i.end, i.source, i.label))
        clusters: list[list[_Item]] = []
        end = -1
        for item in items:
            if clusters and item.start < end:
                clusters[-1].append(item)
                end = max(end, item.end)
            else:
                clusters.append([item])
                end = item.end
        covered = {t for i in items for t in range(i.start, i.end)}
        resolved = []
        for cluster in clusters:
            if len(cluster) == 1:
                best = cluster[0]
            else:
                best = min(
                    cluster,
                    key=lambda i: (
                        view.broken(i.start, i.end),
                        _priority(i.source),
                        -(i.end - i.start),
                        i.start,
                        i.source,
                    ),
                )
            if view.broken(best.start, best.end):
                continue
            wider = [
                i
                for i in cluster
                if i.source == "lexicon"
                and i.start <= best.start
                and best.end <= i.end
                and i.end - i.start > best.end - best.start
                and not view.broken(i.start, i.end)
            ]
            if wider:
                best = max(wider, key=lambda i: (i.end - i.start, -i.start))
            inside = [i for i in cluster if i.start < best.end and best.start < i.end]
            text = view.text(best.start, best.end)
            votes: dict[str, float] = defaultdict(float)
            for i in inside:
                if i.label == "dataset" and _is_language(text):
                    continue
                # a bare shape only guesses its type ("FSS-1000" looks like a method): half a vote
                votes[i.label] += self.calibration.weight(i.source, i.label) * (
                    0.5 if i.source == "patterns:shape" else 1.0
                )
            if not votes:
                continue
            label = max(sorted(votes), key=lambda lab: votes[lab])
            lexicon = next(
                (i for i in inside if i.source == "lexicon" and (i.start, i.end) == (best.start, best.end)),
                None,
            )
            if lexicon is None:
                label = _head_label(text, label)
                if _unnamed(text, label, self.keep_generic):
                    continue
            elif lexicon.score >= _SURE_LEXICON:
                label = lexicon.label  # a curated, unambiguous name: its type is a fact, not a vote
            end = best.end
            free = end < max(i.end for i in cluster) or end not in covered  # not another cluster's token
            if label == "metric" and end < len(doc) and view.word(end) in _METRIC_NOUNS and free:
                end += 1  # "BLEU score": SciERC, SciREX and most TDMSci metric spans hold the noun
            if label == "dataset" and end < len(doc) and view.word(end) in _DATASET_NOUNS and free:
                end += 1  # the key stays the name's (canonical_key drops the noun after a name)
            ner = [i.ner_score for i in inside if i.ner_score is not None]
            resolved.append(
                _Resolved(
                    best.start,
                    end,
                    label,
                    lexicon.key if lexicon else canonical_key(text),
                    "proposed" if any(i.role == "proposed" for i in cluster) else "used",
                    {i.source for i in inside},
                    max(ner) if ner else None,
                    lexicon is not None,
                    max(i.score for i in inside),
                )
            )
        return resolved

    def _merge_pairs(self, doc: Doc, resolved: list[_Resolved]) -> None:
        for key in self._pairs_keys:
            group = doc.spans.get(key)
            if not group:
                continue
            spans = list(group)
            for first, second in zip(spans, spans[1:], strict=False):
                if first.id_ != second.id_ or first.label_ == second.label_:
                    continue
                long, short = (first, second) if first.label_ == "long_form" else (second, first)
                self._merge_pair(doc, resolved, long, short)

    def _merge_pair(self, doc: Doc, resolved: list[_Resolved], long: Any, short: Any) -> None:
        at_long = next((r for r in resolved if r.start < long.end and long.start < r.end), None)
        at_short = next((r for r in resolved if r.start < short.end and short.start < r.end), None)
        typed = [r for r, span in ((at_long, long), (at_short, short)) if r is not None and _same(r, span)]
        lexical = next((r for r in typed if r.lexicon), None)
        label = lexical.label if lexical else typed[0].label if typed else head_type(long.text)
        if label is None:
            return
        key = lexical.key if lexical else canonical_key(short.text)
        role = "proposed" if any(r.role == "proposed" for r in typed) else "used"
        for span, hit in ((long, at_long), (short, at_short)):
            if hit is None:
                resolved.append(_Resolved(span.start, span.end, label, key, role, {"abbreviations"}))
            elif _same(hit, span):
                hit.key, hit.role = key, role
                hit.sources.add("abbreviations")
                if not hit.lexicon:
                    hit.label = label

    def _repeat(self, doc: Doc, resolved: list[_Resolved], view: _View) -> None:
        """Add later and earlier occurrences of names already resolved in this document."""
        by_seq: dict[tuple[int, ...], _Resolved] = {}
        for r in resolved:
            end = r.end  # a dataset's name without the noun it took ("NGSIM" of "NGSIM dataset")
            if r.label == "dataset" and end - r.start > 1 and view.word(end - 1) in _DATASET_NOUNS:
                end -= 1
            if (
                _repeatable(view.text(r.start, end))
                and (seq := tuple(view.orths[r.start : end])) not in by_seq
            ):
                by_seq[seq] = r
        if not by_seq:
            return
        orths = view.orths
        taken = sorted((r.start, r.end) for r in resolved)
        for start, end in _occurrences(doc, by_seq, orths):
            if any(s < end and start < e for s, e in taken):
                continue
            r = by_seq[tuple(orths[start:end])]
            resolved.append(_Resolved(start, end, r.label, r.key, r.role, {_PROPAGATED}))
            taken.append((start, end))


def _span_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text``, sliced from the Doc's text instead of joined from new Token objects."""
    span = doc[start:end]
    return doc_text(doc)[span.start_char : span.end_char]


def _head_label(text: str, label: str) -> str:
    """The type a multiword name's head noun says, over the vote ("information extraction system": method).

    A model keeps its type under a method head ("Pythia language models").

    Examples:
        >>> _head_label("question answering system", "task")
        'method'
        >>> _head_label("Chinese-English translation", "dataset")
        'task'
        >>> _head_label("Pythia language models", "model"), _head_label("translation", "method")
        ('model', 'method')
    """
    if " " not in text:
        return label
    head = head_type(text)
    if head is None or head == label or (head == "method" and label == "model"):
        return label
    return head


#: Head nouns that make a lower-case phrase a description, not a name: "deep learning methods", "language
#: models", "a multi-agent framework". SciER, which marks named things, never marked one as a method on
#: its dev split (0 of 36 the NER found); issue 3's types exclude them ("generic phrases are not entities").
_GENERIC_HEADS = frozenset(
    """
    model models architecture architectures framework frameworks approach approaches method methods
    technique techniques system systems
    """.split()
)


#: Verbs that lead a description of what a method achieves, never a task's name in the gold train splits
#: (2 of 5,510 task spans; "predicting ..." is a task name there, 25 times).
_GOAL_VERBS = frozenset(
    """
    enhancing improving facilitating allowing maintaining preserving preserves achieving enabling
    supporting boosting accelerating reducing increasing addressing solving tackling performing
    """.split()
)


@functools.lru_cache(maxsize=1 << 16)
def _unnamed(text: str, label: str, keep_generic: bool = False) -> bool:
    """Whether a span no lexicon knows describes instead of naming something.

    Lower case without a digit, and either a dataset ("financial news corpus": 94% of SciER's and 96%
    of TDMSci's dataset names hold a capital or a digit) or, unless ``keep_generic``, a multiword method
    with a generic head ("kernel methods"). An abbreviation pair ("... (LLMs)") names it again later.
    A task that starts with a verb of purpose ("enhancing reinforcement learning", "maintaining temporal
    resolution") says what a method does, not which problem it is.

    Examples:
        >>> _unnamed("deep learning methods", "method"), _unnamed("financial corpus", "dataset")
        (True, True)
        >>> _unnamed("Deep Interest Network", "method"), _unnamed("temporal convolutions", "method")
        (False, False)
        >>> _unnamed("NGSIM dataset", "dataset"), _unnamed("trajectory prediction", "task")
        (False, False)
        >>> _unnamed("deep learning methods", "method", keep_generic=True)
        False
        >>> _unnamed("enhancing reinforcement learning", "task"), _unnamed("predicting NP genericity", "task")
        (True, False)
    """
    if label == "task":
        return text.split(None, 1)[0].lower() in _GOAL_VERBS
    if label not in ("method", "dataset") or text != text.lower() or any(c.isdigit() for c in text):
        return False
    if label == "dataset":
        return True
    return not keep_generic and " " in text and text.rsplit(None, 1)[-1] in _GENERIC_HEADS


class _View:
    """Token texts and spans of one Doc, sliced from its text (no Span objects).

    The resolver reads a handful of tokens of a Doc (eight on average), so their character bounds are
    looked up one token at a time, once each; the ORTH ids of every token only when a name may recur.
    """

    __slots__ = ("_bounds", "_broken", "_doc", "_orths", "_text")

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._text = doc_text(doc)
        self._bounds: dict[int, tuple[int, int]] = {}
        self._broken: dict[tuple[int, int], bool] = {}  # clustering asks again for the chosen span
        self._orths: list[int] | None = None

    @property
    def orths(self) -> list[int]:
        """The ORTH id of every token, read once when a name may recur."""
        if self._orths is None:
            from spacy.attrs import ORTH

            self._orths = self._doc.to_array(ORTH).tolist()
        return self._orths

    def _bound(self, i: int) -> tuple[int, int]:
        """Token ``i``'s start and end character."""
        bound = self._bounds.get(i)
        if bound is None:
            token = self._doc[i]
            bound = self._bounds[i] = (token.idx, token.idx + len(token))
        return bound

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end``."""
        return self._text[self._bound(start)[0] : self._bound(end - 1)[1]]

    def word(self, i: int) -> str:
        """Token ``i`` in lower case."""
        start, end = self._bound(i)
        return self._text[start:end].lower()

    def broken(self, start: int, end: int) -> bool:
        """Whether tokens ``start:end`` cannot be a name.

        No letter in them or a bare version ("v2.0"), cut at a hyphen ("Click-" of "Click-Through") or a
        bracket ("Agent-to-Sim ("), ending in a function word ("Interpolation of Linear and"), an author
        cited as "Smith et al.", or markup: a URL, or LaTeX left in an arXiv abstract ("\\sim",
        "Embedding\\&MLP").
        """
        known = self._broken.get((start, end))
        if known is None:
            known = self._broken[start, end] = self._is_broken(start, end)
        return known

    def _is_broken(self, start: int, end: int) -> bool:
        if self.word(start) in _BAD_FIRST or self.word(end - 1) in _BAD_LAST:
            return True
        text = self.text(start, end)
        if text.count("(") != text.count(")") or _VERSION.fullmatch(text) or _MARKUP.search(text):
            return True
        return not any(c.isalpha() for c in text) or self._text.startswith(" et al", self._bound(end - 1)[1])


_VERSION = re.compile(r"[vV]?\d+(?:\.\d+)*")
#: What no name holds: LaTeX commands, groups and math shifts, URLs ("@" is a metric's: "Hits@10").
_MARKUP = re.compile(r"[\\{}$]|://|\bwww\.")
_BAD_FIRST = frozenset("- ) ] / , and or of".split())
_BAD_LAST = frozenset("- ( [ / , and or of for with to in on by the a an".split())


#: Natural languages: a language alone ("Chinese", "Arabic-English") is not a dataset, whatever SciERC's
#: Material spans taught the NER; "the Chinese Treebank" still is.
_LANGUAGES = frozenset(
    """
    english chinese mandarin cantonese japanese korean arabic hindi urdu bengali persian farsi turkish
    german french spanish portuguese italian dutch swedish danish norwegian finnish estonian hungarian
    czech slovak polish russian ukrainian bulgarian serbian croatian slovene slovenian romanian greek
    hebrew vietnamese thai indonesian malay tagalog swahili amharic yoruba hausa zulu tamil telugu
    kannada malayalam marathi gujarati punjabi nepali sinhala basque catalan galician welsh irish
    icelandic latvian lithuanian albanian armenian georgian kazakh uzbek mongolian tibetan burmese khmer
    lao latin sanskrit
    """.split()
)


def _is_language(text: str) -> bool:
    """Whether ``text`` names languages only: "Chinese", "Arabic-English", "German and French".

    Examples:
        >>> _is_language("Chinese"), _is_language("Arabic-English"), _is_language("Chinese Treebank")
        (True, True, False)
    """
    words = [w for w in re.split(r"[\s/-]+|\band\b|\bto\b", text.lower()) if w]
    return bool(words) and all(w in _LANGUAGES for w in words)


def _same(r: _Resolved, span: Any) -> bool:
    return (r.start, r.end) == (span.start, span.end)


def _priority(source: str) -> int:
    return BOUNDARY_PRIORITY.get(source, BOUNDARY_PRIORITY.get(source.split(":", 1)[0], 5))


@functools.lru_cache(maxsize=1 << 16)
def _repeatable(text: str) -> bool:
    """Names worth looking for again: with a capital or a digit (not plain words) and 2+ characters."""
    return (
        len(text) >= 2
        and any(c.isupper() or c.isdigit() for c in text)
        and not text.istitle()
        or (len(text.split()) >= 2 and any(c.isupper() for c in text))
    )


def _occurrences(
    doc: Doc, names: Iterable[tuple[int, ...]], orths: list[int] | None = None
) -> list[tuple[int, int]]:
    """Token offsets where a name (a sequence of ORTH ids) occurs in ``doc``, longest names first.

    An occurrence glued to a hyphen ("Tiny-ImageNet") names something else and is skipped.
    """
    if orths is None:
        from spacy.attrs import ORTH

        orths = doc.to_array(ORTH).tolist()
    by_first: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for seq in sorted(set(names), key=lambda q: (-len(q), q)):
        if seq:
            by_first[seq[0]].append(seq)
    hyphen = doc.vocab.strings["-"]
    found = []
    # the positions of first tokens, picked without a Python-level loop over every token
    for i in compress(range(len(orths)), map(by_first.__contains__, orths)):
        for seq in by_first[orths[i]]:
            end = i + len(seq)
            if tuple(orths[i:end]) != seq:
                continue
            if i and orths[i - 1] == hyphen and not doc[i - 1].whitespace_:
                break
            if end < len(orths) and orths[end] == hyphen and not doc[end - 1].whitespace_:
                break
            found.append((i, end))
            break
    return found


def find_in_doc(doc: Doc, names: Sequence[str], vocab_doc: Doc | None = None) -> list[tuple[int, int, str]]:
    """Character offsets of whole-token occurrences of ``names`` in ``doc``: ``(start, end, name)``.

    Names are tokenised as single tokens split on spaces unless ``vocab_doc`` is given; callers with
    the Doc a name came from should pass its token sequence through :func:`_occurrences` instead.
    """
    if not names or not len(doc):
        return []
    strings = doc.vocab.strings
    seqs = {tuple(strings.add(part) for part in name.split()): name for name in names}
    out = []
    for start, end in _occurrences(doc, seqs):
        span = doc[start:end]
        out.append((span.start_char, span.end_char, span.text))
    return out


def unify_paper(mentions: Sequence[Mention]) -> list[Mention]:
    """Give each entity of one paper one key, one type and one role across its title and abstract.

    Surface forms that an abbreviation pair or the lexicon mapped to a key take that key everywhere in
    the paper; the type is the confidence-weighted majority over the key's mentions (ties: the first
    type in sorted order); the role is ``proposed`` wherever any mention of the key is proposed. A title
    mention that only the NER found is dropped unless its key also occurs in the abstract: every word of
    a title is capitalised, and the NER, trained on abstracts, reads such runs as names ("Fast Model
    Editing at Scale").

    Examples:
        >>> from citekg.model import Mention
        >>> men = "Model Editor Networks"
        >>> ms = [Mention("p", "method", "MEND", 0, 4, "title", "mend", "proposed", 0.7, "patterns"),
        ...       Mention("p", "model", "MEND", 10, 14, "abstract", "mend", "used", 0.4, "ner"),
        ...       Mention("p", "method", men, 30, 51, "abstract", "mend", "used", 0.5, "abbreviations"),
        ...       Mention("p", "method", men, 0, 21, "title", "model-editor-networks", "used", 0.5, "ner")]
        >>> [(m.text, m.field, m.label, m.key, m.role)
        ...  for m in unify_paper(ms)]  # doctest: +NORMALIZE_WHITESPACE
        [('MEND', 'title', 'method', 'mend', 'proposed'), ('MEND', 'abstract', 'method', 'mend', 'proposed'),
         ('Model Editor Networks', 'abstract', 'method', 'mend', 'proposed'),
         ('Model Editor Networks', 'title', 'method', 'mend', 'proposed')]
    """
    remap: dict[str, str] = {}
    for m in mentions:
        own = canonical_key(m.text)
        if m.key != own:
            remap.setdefault(own, m.key)
    keyed = [replace(m, key=remap[m.key]) if m.key in remap else m for m in mentions]
    in_abstract = {m.key for m in keyed if m.field != "title"}
    if in_abstract:  # a title-cased title misleads the NER: its names alone must recur in the abstract
        keyed = [m for m in keyed if m.field != "title" or m.extractor != "ner" or m.key in in_abstract]
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    proposed: set[str] = set()
    for m in keyed:
        votes[m.key][m.label] += m.confidence
        if m.role == "proposed":
            proposed.add(m.key)
    labels = {key: max(sorted(v), key=lambda lab: v[lab]) for key, v in votes.items()}
    out = []
    for m in keyed:
        label, role = labels[m.key], "proposed" if m.key in proposed else m.role
        out.append(m if (m.label, m.role) == (label, role) else replace(m, label=label, role=role))
    return out


@extractor(
    "resolver",
    kinds={"method", "dataset", "model", "task", "metric"},
    version=1,
    role="used",
    confidence=0.5,
    spans_key=RESOLVED_KEY,
    default_config={"calibration": None, "propagate": True, "use_pairs": True, "keep_generic": False},
)
def make_resolver(
    nlp: Language,
    name: str,
    spans_key: str,
    calibration: str | None,
    propagate: bool,
    use_pairs: bool,
    keep_generic: bool,
) -> Resolver:
    """Merges every mention group: span, type, role, canonical key and a calibrated confidence.

    ``keep_generic`` keeps lower-case method descriptions ("kernel methods", "language models"), which
    SciERC annotates and issue 3's types exclude.
    """
    return Resolver(
        nlp,
        spans_key,
        load_calibration(calibration),
        propagate=propagate,
        use_pairs=use_pairs,
        keep_generic=keep_generic,
    )
