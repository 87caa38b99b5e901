"""Reader for citekg's own extraction JSONL contract (DESIGN §3), as gold or as predictions.

The same file shape serves both sides: hand-annotated abstracts written as extraction records are gold, and
the output of ``citekg extract`` run on those abstracts are predictions. A record gives ``id``, ``title``,
``mentions`` (``start``/``end``/``label``/``field``, offsets into the field named) and the abstract, either
as ``paper.abstract`` (what ``citekg extract`` writes) or a top-level ``abstract`` (handier by hand).

The unit is title plus abstract: the text is ``title + "\\n\\n" + abstract`` (just the abstract when the
title is empty), and abstract offsets are shifted by the title's length plus two, because names often sit
in the title ("MEND: …"). Pass ``fields=("abstract",)`` to score the abstract alone. Labels are citekg
types and are scored as they are, ``model`` apart from ``method``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from citekg.errors import InputError
from citekg.gold._base import GoldDoc, GoldSpan, LabelMapping, iter_json_lines, make_doc, map_label

__all__ = ["CONTRACT_MAPPING", "FIELD_SEPARATOR", "compose_text", "read_contract"]

_TYPES = ("method", "model", "dataset", "task", "metric")
CONTRACT_MAPPING = LabelMapping(gold=tuple((t, t) for t in _TYPES), predicted=tuple((t, t) for t in _TYPES))
FIELD_SEPARATOR = "\n\n"


def compose_text(
    title: str, abstract: str, fields: Sequence[str] = ("title", "abstract")
) -> tuple[str, dict[str, int]]:
    """Return the evaluation text of a paper and the offset at which each included field starts.

    Examples:
        >>> compose_text("MEND: fast edits", "We propose MEND.")
        ('MEND: fast edits\\n\\nWe propose MEND.', {'title': 0, 'abstract': 18})
        >>> compose_text("", "We propose MEND.")
        ('We propose MEND.', {'title': 0, 'abstract': 0})
        >>> compose_text("MEND", "We propose MEND.", fields=("abstract",))
        ('We propose MEND.', {'abstract': 0})
    """
    unknown = set(fields) - {"title", "abstract"}
    if unknown or not fields:
        raise ValueError(f"fields must be drawn from 'title' and 'abstract', not {tuple(fields)!r}")
    text, shifts = "", {}
    for name, value in (("title", title), ("abstract", abstract)):
        if name not in fields:
            continue
        if text and value:
            text += FIELD_SEPARATOR
        shifts[name] = len(text)
        text += value
    return text, shifts


def read_contract(
    path: str | Path,
    *,
    mapping: LabelMapping = CONTRACT_MAPPING,
    fields: Sequence[str] = ("title", "abstract"),
) -> Iterator[GoldDoc]:
    """Yield one document per record of an extraction JSONL file.

    Args:
        path: A JSON-lines file in the extraction contract.
        mapping: Label → citekg type; defaults to the identity on citekg's five types.
        fields: Which fields make up the text; mentions in other fields are left out.

    Raises:
        InputError: for malformed records, unknown labels, offsets outside their field, or a mention whose
            ``text`` differs from the characters at its offsets.
    """
    for number, record in iter_json_lines(path):
        try:
            doc_id = str(record["id"])
            title = str(record.get("title") or "")
            paper = record.get("paper") or {}
            abstract = str(paper.get("abstract") or record.get("abstract") or "")
            mentions = list(record.get("mentions") or ())
        except (KeyError, TypeError, AttributeError) as error:
            raise InputError(str(path), f"not an extraction record ({error!r})", line=number) from None
        values = {"title": title, "abstract": abstract}
        text, shifts = compose_text(title, abstract, fields)
        spans = []
        for mention in mentions:
            try:
                field = str(mention.get("field") or "abstract")
                start, end, raw = int(mention["start"]), int(mention["end"]), str(mention["label"])
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise InputError(str(path), f"{doc_id}: malformed mention ({error!r})", line=number) from None
            if field not in values:
                raise InputError(str(path), f"{doc_id}: unknown field {field!r}", line=number)
            label = map_label(mapping, raw, path, number)
            if label is None or field not in shifts:
                continue
            source = values[field]
            if not 0 <= start < end <= len(source):
                reason = f"{doc_id}: span [{start}, {end}) outside the {field}"
                raise InputError(str(path), reason, line=number)
            written = mention.get("text")
            if written is not None and source[start:end] != written:
                raise InputError(
                    str(path),
                    f"{doc_id}: mention text {written!r} differs from the {field} at [{start}, {end}): "
                    f"{source[start:end]!r}",
                    line=number,
                )
            shift = shifts[field]
            spans.append(GoldSpan(start + shift, end + shift, label))
        yield make_doc(doc_id, text, spans)
