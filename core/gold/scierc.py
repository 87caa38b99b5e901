"""Reader for SciERC's processed JSON (Luan et al., EMNLP 2018): one abstract per line.

Each line holds ``sentences`` (token lists, Penn Treebank escapes) and ``ner`` (per sentence,
``[start, end, label]`` with document-level, inclusive token indices). The whole abstract is one
:class:`~citekg.gold.GoldDoc`; its text is rebuilt with :func:`~citekg.gold.join_tokens`. SciERC's
``OtherScientificTerm`` and ``Generic`` have no citekg type and are dropped; its ``Method`` covers both
citekg's ``method`` and ``model``, so ``model`` predictions are scored as ``method``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from citekg.errors import InputError
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

__all__ = ["SCIERC_MAPPING", "read_scierc"]

SCIERC_MAPPING = LabelMapping(
    gold=(
        ("Method", "method"),
        ("Material", "dataset"),
        ("Task", "task"),
        ("Metric", "metric"),
        ("OtherScientificTerm", None),
        ("Generic", None),
    ),
    predicted=(
        ("method", "method"),
        ("model", "method"),
        ("dataset", "dataset"),
        ("task", "task"),
        ("metric", "metric"),
    ),
)


def read_scierc(
    path: str | Path, *, mapping: LabelMapping = SCIERC_MAPPING, detokenize: bool = True
) -> Iterator[GoldDoc]:
    """Yield one gold document per abstract of a SciERC ``{train,dev,test}.json`` file.

    Args:
        path: A processed-JSON file (one JSON object per line).
        mapping: Corpus label → citekg type; defaults to :data:`SCIERC_MAPPING`.
        detokenize: Rebuild natural spacing (see :func:`~citekg.gold.join_tokens`).

    Raises:
        InputError: for malformed lines, unknown labels or token indices outside the document.
    """
    for number, record in iter_json_lines(path):
        try:
            tokens = [t for sentence in record["sentences"] for t in sentence]
            doc_id = str(record["doc_key"])
            ner = [tuple(item) for sentence in record.get("ner", ()) for item in sentence]
        except (KeyError, TypeError) as error:
            raise InputError(str(path), f"not a SciERC record ({error!r})", line=number) from None
        text, starts = join_tokens(tokens, detokenize=detokenize)
        words = surface_tokens(tokens, detokenize=detokenize)
        spans: list[GoldSpan] = []
        for start, end, raw in ner:
            label = map_label(mapping, raw, path, number)
            if label is None:
                continue
            if not 0 <= start <= end < len(tokens):
                reason = f"span [{start}, {end}] outside {len(tokens)} tokens"
                raise InputError(str(path), reason, line=number)
            char_start, char_end = token_spans_to_chars(starts, words, start, end)
            spans.append(GoldSpan(char_start, char_end, label))
        yield make_doc(doc_id, text, spans)
