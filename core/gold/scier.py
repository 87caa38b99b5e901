"""Readers for SciER (Zhang et al., EMNLP 2024): Dataset, Method and Task mentions in ML papers.

SciER ships two layouts. ``PLM/*.jsonl`` has one paper per line with ``sentences`` (token lists) and
``ner`` (per sentence, ``[start, end, label]``, document-level inclusive token indices): exact offsets, read
by :func:`read_scier`. ``LLM/*.jsonl`` has one sentence per line with mentions as bare strings and no
offsets; it is the only layout holding the train split, so :func:`read_scier_llm` locates each string
among the sentence's tokens (first unused occurrence, in the order listed) — close to, but not exactly,
the annotation.

The papers' body text is sentence-split, and their first sentence is not the abstract, so the default
unit is one sentence (``<doc_id>#<n>``, ``n`` counting from 0 within the paper) rather than a whole paper.
SciER's ``Method`` covers citekg's ``method`` and ``model``; ``model`` predictions are scored as
``method``. No metric is annotated, so metric predictions are not scored.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from citekg.errors import CitekgWarning, InputError
from citekg.gold._base import (
    GoldDoc,
    GoldSpan,
    LabelMapping,
    iter_json_lines,
    join_tokens,
    make_doc,
    map_label,
    surface_tokens,
    token_spans_to_chars,
)

__all__ = ["SCIER_MAPPING", "read_scier", "read_scier_llm"]

SCIER_MAPPING = LabelMapping(
    gold=(("Method", "method"), ("Dataset", "dataset"), ("Task", "task")),
    predicted=(("method", "method"), ("model", "method"), ("dataset", "dataset"), ("task", "task")),
)


def read_scier(
    path: str | Path,
    *,
    mapping: LabelMapping = SCIER_MAPPING,
    unit: Literal["sentence", "document"] = "sentence",
    detokenize: bool = True,
) -> Iterator[GoldDoc]:
    """Yield gold units from a SciER ``PLM/{dev,test,test_ood}.jsonl`` file.

    Args:
        path: A PLM-layout JSON-lines file.
        mapping: Corpus label → citekg type; defaults to :data:`SCIER_MAPPING`.
        unit: ``"sentence"`` (one document per sentence) or ``"document"`` (a whole paper's sentences
            joined by spaces).
        detokenize: Rebuild natural spacing (see :func:`~citekg.gold.join_tokens`).

    Raises:
        InputError: for malformed lines, unknown labels, or a mention that crosses a sentence boundary.
    """
    if unit not in ("sentence", "document"):
        raise ValueError(f"unit must be 'sentence' or 'document', not {unit!r}")
    for number, record in iter_json_lines(path):
        try:
            doc_id = str(record["doc_id"])
            sentences: list[list[str]] = record["sentences"]
            ner: list[list[list[Any]]] = record["ner"]
        except (KeyError, TypeError) as error:
            raise InputError(str(path), f"not a SciER PLM record ({error!r})", line=number) from None
        if unit == "document":
            tokens = [t for s in sentences for t in s]
            mentions = [m for s in ner for m in s]
            yield _doc(doc_id, tokens, mentions, 0, mapping, detokenize, path, number)
            continue
        offset = 0
        for index, sentence in enumerate(sentences):
            mentions = ner[index] if index < len(ner) else []
            yield _doc(f"{doc_id}#{index}", sentence, mentions, offset, mapping, detokenize, path, number)
            offset += len(sentence)


def _doc(
    doc_id: str,
    tokens: Sequence[str],
    mentions: Sequence[Sequence[Any]],
    offset: int,
    mapping: LabelMapping,
    detokenize: bool,
    path: str | Path,
    line: int,
) -> GoldDoc:
    text, starts = join_tokens(tokens, detokenize=detokenize)
    words = surface_tokens(tokens, detokenize=detokenize)
    spans = []
    for start, end, raw in mentions:
        label = map_label(mapping, str(raw), path, line)
        if label is None:
            continue
        first, last = int(start) - offset, int(end) - offset
        if not 0 <= first <= last < len(tokens):
            raise InputError(str(path), f"{doc_id}: span [{start}, {end}] outside its unit", line=line)
        spans.append(GoldSpan(*token_spans_to_chars(starts, words, first, last), label))
    return make_doc(doc_id, text, spans)


def read_scier_llm(
    path: str | Path, *, mapping: LabelMapping = SCIER_MAPPING, detokenize: bool = True
) -> Iterator[GoldDoc]:
    """Yield one gold sentence per line of a SciER ``LLM/*.jsonl`` file, locating the mention strings.

    A mention string is matched to whole tokens of the (space-tokenised) sentence, at the first
    occurrence not already taken by an earlier mention of the same string; a string that cannot be found
    is skipped with a :class:`~citekg.errors.CitekgWarning`.

    Raises:
        InputError: for malformed lines or unknown labels.
    """
    counters: dict[str, int] = defaultdict(int)
    for number, record in iter_json_lines(path):
        try:
            doc_id = str(record["doc_id"])
            tokens = str(record["sentence"]).split()
            ner = [(str(surface), str(raw)) for surface, raw in record.get("ner", ())]
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(str(path), f"not a SciER LLM record ({error!r})", line=number) from None
        unit_id = f"{doc_id}#{counters[doc_id]}"
        counters[doc_id] += 1
        text, starts = join_tokens(tokens, detokenize=detokenize)
        words = surface_tokens(tokens, detokenize=detokenize)
        taken: set[tuple[int, int, str]] = set()
        spans = []
        for surface, raw in ner:
            label = map_label(mapping, raw, path, number)
            if label is None:
                continue
            found = _locate(tokens, surface.split(), label, taken)
            if found is None:
                message = f"{path}:{number}: mention {surface!r} not found in its sentence"
                warnings.warn(message, CitekgWarning, stacklevel=2)
                continue
            taken.add((*found, label))
            spans.append(GoldSpan(*token_spans_to_chars(starts, words, *found), label))
        yield make_doc(unit_id, text, spans)


def _locate(
    tokens: Sequence[str], needle: Sequence[str], label: str, taken: set[tuple[int, int, str]]
) -> tuple[int, int] | None:
    """Return the inclusive token span of the first untaken occurrence of ``needle``."""
    size = len(needle)
    if not size:
        return None
    first: tuple[int, int] | None = None
    for i in range(len(tokens) - size + 1):
        if list(tokens[i : i + size]) == list(needle):
            span = (i, i + size - 1)
            if (*span, label) not in taken:
                return span
            first = first or span
    return first
