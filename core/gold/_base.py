"""The records gold readers yield, the label mapping of a corpus, and the token-to-text helper.

Gold corpora come tokenised (SciERC, SciER) or as tagged tokens (TDMSci); extractors read plain text. Every
reader therefore rebuilds a text and turns token spans into character offsets into that text, so scoring
compares character spans only. Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citekg.errors import InputError

__all__ = [
    "GoldDoc",
    "GoldSpan",
    "LabelMapping",
    "iter_json_lines",
    "join_tokens",
    "make_doc",
    "map_label",
    "ordered_types",
    "surface_tokens",
    "token_spans_to_chars",
]


@dataclass(frozen=True, slots=True, order=True)
class GoldSpan:
    """One annotated mention: ``text[start:end]`` has citekg type ``label``."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One evaluation unit (an abstract, or a sentence for sentence-level corpora) and its mentions.

    Attributes:
        doc_id: Unique within its corpus file (sentence units read ``<doc>#<n>``).
        text: The text extractors are run on.
        spans: Gold mentions, sorted, with citekg labels (already mapped; see :class:`LabelMapping`).
    """

    doc_id: str
    text: str
    spans: tuple[GoldSpan, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelMapping:
    """How one corpus's labels meet citekg's types, on both sides of the comparison.

    Attributes:
        gold: Corpus label → citekg type, or ``None`` for labels that are dropped (SciERC's ``Generic``).
            A corpus label missing here is an error, so a new label never slips through unscored.
        predicted: citekg type → the type it is scored as. Types missing here are not scored: the corpus
            does not annotate them, so predicting them is neither right nor wrong.

    Examples:
        >>> m = LabelMapping(gold=(("Method", "method"), ("Generic", None)),
        ...                  predicted=(("method", "method"), ("model", "method")))
        >>> m.types
        ('method',)
        >>> m.gold_label("Generic") is None, m.predicted_label("model"), m.predicted_label("task")
        (True, 'method', None)
        >>> m.describe()
        'gold Method→method, Generic dropped; predicted model→method'
    """

    gold: tuple[tuple[str, str | None], ...]
    predicted: tuple[tuple[str, str], ...]

    @classmethod
    def from_dicts(cls, gold: Mapping[str, str | None], predicted: Mapping[str, str]) -> LabelMapping:
        """Build a mapping from two plain dicts (handy for overriding a corpus default)."""
        return cls(gold=tuple(gold.items()), predicted=tuple(predicted.items()))

    @property
    def types(self) -> tuple[str, ...]:
        """The citekg types scored for this corpus, in a fixed order."""
        return ordered_types({t for _, t in self.gold if t is not None})

    def gold_label(self, label: str) -> str | None:
        """Return the citekg type for a corpus label, ``None`` when dropped.

        Raises:
            KeyError: for a label the mapping does not know (the reader turns it into an InputError).
        """
        return dict(self.gold)[label]

    def predicted_label(self, label: str) -> str | None:
        """Return the scored type of a predicted citekg type, ``None`` when this corpus does not score it."""
        return dict(self.predicted).get(label)

    def describe(self) -> str:
        """One line saying what is mapped to what, for every printed report."""
        kept = [f"{g}→{t}" for g, t in self.gold if t is not None]
        dropped = [g for g, t in self.gold if t is None]
        gold = ", ".join(kept) + (f", {'/'.join(dropped)} dropped" if dropped else "")
        moved = [f"{p}→{t}" for p, t in self.predicted if p != t]
        return f"gold {gold}; predicted " + (", ".join(moved) if moved else "as is")

    def to_dict(self) -> dict[str, dict[str, str | None]]:
        """Return the mapping as JSON-ready dicts."""
        return {"gold": dict(self.gold), "predicted": dict(self.predicted)}


_TYPE_ORDER = ("method", "model", "dataset", "task", "metric")


def ordered_types(types: Iterable[str]) -> tuple[str, ...]:
    """Return citekg types in their usual order (method, model, dataset, task, metric), others after.

    Examples:
        >>> ordered_types({"task", "zeta", "method"})
        ('method', 'task', 'zeta')
    """
    known = set(types)
    return tuple(t for t in _TYPE_ORDER if t in known) + tuple(sorted(known - set(_TYPE_ORDER)))


# Penn Treebank escapes used by SciERC's tokeniser.
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_PTB.update({"``": '"', "''": '"'})
_NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", ")", "]", "}", "%"}
_NO_SPACE_BEFORE.update({"'s", "n't", "'re", "'ve", "'ll", "'d", "'m"})
_NO_SPACE_AFTER = {"(", "[", "{"}


def join_tokens(tokens: Sequence[str], *, detokenize: bool = True) -> tuple[str, tuple[int, ...]]:
    """Rebuild a text from tokens and return it with each token's start offset.

    With ``detokenize`` the text reads like the abstract it came from, since that is what extractors see
    in use: Penn Treebank escapes are undone, no space goes before closing punctuation or after opening
    brackets, quotes hug what they quote, and a lone ``-`` between two word tokens is glued to both
    ("self - attentive" → "self-attentive"). Without it tokens are joined by single spaces, escapes kept.

    Examples:
        >>> join_tokens(["BERT", "-LRB-", "Devlin", "-RRB-", ",", "self", "-", "attentive", "."])
        ('BERT (Devlin), self-attentive.', (0, 5, 6, 12, 13, 15, 19, 20, 29))
        >>> join_tokens(["called", "``", "Amorph", "''", "."])[0]
        'called "Amorph".'
        >>> join_tokens(["a", "-LRB-", "b"], detokenize=False)
        ('a -LRB- b', (0, 2, 8))
    """
    if not detokenize:
        starts, pos = [], 0
        for token in tokens:
            starts.append(pos)
            pos += len(token) + 1
        return " ".join(tokens), tuple(starts)
    words = [_PTB.get(t, t) for t in tokens]
    quotes = _quote_sides(tokens)
    parts: list[str] = []
    starts_list: list[int] = []
    pos = 0
    for i, word in enumerate(words):
        if i and not (_glued(words, i) or quotes.get(i) == "close" or quotes.get(i - 1) == "open"):
            parts.append(" ")
            pos += 1
        starts_list.append(pos)
        parts.append(word)
        pos += len(word)
    return "".join(parts), tuple(starts_list)


def _quote_sides(tokens: Sequence[str]) -> dict[int, str]:
    """Say which quote tokens open and which close: PTB marks them, plain ``"`` alternate."""
    sides: dict[int, str] = {}
    inside = False
    for i, token in enumerate(tokens):
        if token == "``" or (token == '"' and not inside):
            sides[i], inside = "open", True
        elif token == "''" or (token == '"' and inside):
            sides[i], inside = "close", False
    return sides


def _glued(words: Sequence[str], i: int) -> bool:
    """Whether token ``i`` follows token ``i - 1`` with no space between them."""
    prev, word = words[i - 1], words[i]
    if word in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER:
        return True
    if word == "-" and prev[-1:].isalnum() and i + 1 < len(words) and words[i + 1][:1].isalnum():
        return True
    return prev == "-" and i >= 2 and words[i - 2][-1:].isalnum() and word[:1].isalnum()


def token_spans_to_chars(
    starts: Sequence[int], tokens: Sequence[str], start: int, end: int
) -> tuple[int, int]:
    """Turn an inclusive token span into ``(start, end)`` character offsets.

    ``tokens`` are the words as they appear in the text (after unescaping), ``starts`` their offsets.

    Examples:
        >>> text, starts = join_tokens(["the", "Penn", "Treebank", "."])
        >>> s, e = token_spans_to_chars(starts, ["the", "Penn", "Treebank", "."], 1, 2)
        >>> text[s:e]
        'Penn Treebank'
    """
    return starts[start], starts[end] + len(tokens[end])


def surface_tokens(tokens: Sequence[str], *, detokenize: bool = True) -> list[str]:
    """The tokens as they are written into the text by :func:`join_tokens`."""
    return [_PTB.get(t, t) for t in tokens] if detokenize else list(tokens)


def iter_json_lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON-lines file.

    Raises:
        InputError: when the file is missing or a line is not a JSON object.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise InputError(str(path), f"cannot open: {error.strerror or error}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(str(path), f"not valid JSON ({error.msg})", line=number) from None
            if not isinstance(record, dict):
                raise InputError(str(path), "expected one JSON object per line", line=number)
            yield number, record


def map_label(mapping: LabelMapping, label: str, path: str | Path, line: int) -> str | None:
    """Map a corpus label with ``mapping``, turning an unknown label into an InputError naming the line."""
    try:
        return mapping.gold_label(label)
    except KeyError:
        known = ", ".join(g for g, _ in mapping.gold)
        reason = f"unknown label {label!r}; the mapping knows: {known}"
        raise InputError(str(path), reason, line=line) from None


def make_doc(doc_id: str, text: str, spans: Iterable[GoldSpan]) -> GoldDoc:
    """Return a :class:`GoldDoc` with duplicate spans removed and the rest sorted."""
    return GoldDoc(doc_id=doc_id, text=text, spans=tuple(sorted(set(spans))))
