"""Reader for TDMSci's CoNLL files (Hou et al., EACL 2021): TASK, DATASET and METRIC in NLP sentences.

Lines read ``token <TAB> char_offset <TAB> BIO-tag``; a blank line ends a sentence, and each sentence is one
:class:`~citekg.gold.GoldDoc` (``<file stem>#<n>``, ``n`` from 0). The offsets come from the original text,
so the sentence is rebuilt with the spacing it had (a gap of any width becomes one space; the two
offsets in the train file that run backwards become one space too). Tags map one to one; TDMSci has no
method or model annotation, so those predictions are not scored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from citekg.errors import InputError
from citekg.gold._base import GoldDoc, GoldSpan, LabelMapping, make_doc, map_label

__all__ = ["TDMSCI_MAPPING", "bio_spans", "read_tdmsci"]

TDMSCI_MAPPING = LabelMapping(
    gold=(("DATASET", "dataset"), ("TASK", "task"), ("METRIC", "metric")),
    predicted=(("dataset", "dataset"), ("task", "task"), ("metric", "metric")),
)


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Return ``(first, last, label)`` inclusive token spans from BIO tags.

    An ``I-`` tag that does not continue a span of the same label starts a new one (the conlleval rule).

    Examples:
        >>> bio_spans(["B-TASK", "I-TASK", "O", "B-DATASET", "I-METRIC", "I-METRIC"])
        [(0, 1, 'TASK'), (3, 3, 'DATASET'), (4, 5, 'METRIC')]
        >>> bio_spans(["O", "O"])
        []
    """
    spans: list[tuple[int, int, str]] = []
    current: list[int | str] | None = None
    for index, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label and current[1] == index - 1:
            current[1] = index
            continue
        if current is not None:
            spans.append((int(current[0]), int(current[1]), str(current[2])))
            current = None
        if prefix in ("B", "I") and label:
            current = [index, index, label]
    if current is not None:
        spans.append((int(current[0]), int(current[1]), str(current[2])))
    return spans


def read_tdmsci(path: str | Path, *, mapping: LabelMapping = TDMSCI_MAPPING) -> Iterator[GoldDoc]:
    """Yield one gold document per sentence of a TDMSci ``.conll`` file.

    Raises:
        InputError: when the file is missing, a line lacks its three columns, or a tag is unknown.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise InputError(str(path), f"cannot open: {error.strerror or error}") from None
    rows: list[tuple[str, int, str, int]] = []
    count = 0
    with handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if rows:
                    yield _sentence(f"{path.stem}#{count}", rows, mapping, path)
                    count += 1
                    rows = []
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[1].strip().lstrip("-").isdigit():
                raise InputError(str(path), "expected 'token<TAB>offset<TAB>tag'", line=number)
            rows.append((parts[0], int(parts[1]), parts[2].strip(), number))
    if rows:
        yield _sentence(f"{path.stem}#{count}", rows, mapping, path)


def _sentence(
    doc_id: str, rows: Sequence[tuple[str, int, str, int]], mapping: LabelMapping, path: Path
) -> GoldDoc:
    pieces: list[str] = []
    starts: list[int] = []
    pos = 0
    previous_end: int | None = None
    for token, offset, _, _ in rows:
        if previous_end is not None and offset != previous_end:
            pieces.append(" ")  # any gap, or an offset that runs backwards, is one space
            pos += 1
        starts.append(pos)
        pieces.append(token)
        pos += len(token)
        previous_end = offset + len(token)
    text = "".join(pieces)
    spans = []
    for first, last, raw in bio_spans([tag for _, _, tag, _ in rows]):
        label = map_label(mapping, raw, path, rows[first][3])
        if label is not None:
            spans.append(GoldSpan(starts[first], starts[last] + len(rows[last][0]), label))
    return make_doc(doc_id, text, spans)
