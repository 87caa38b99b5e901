"""Greedy decoding of spaCy's transition-based NER in numpy, all Docs of a batch in step.

spaCy decodes state by state in compiled code that, in the versions we use, takes and drops the Python
GIL around each BLAS call; for our narrow model that bookkeeping costs more than the arithmetic (about
60% of the NER's time). In the BILUO system every action consumes exactly one token, so all the Docs
of a batch advance together: step ``t`` scores token ``t`` of every Doc longer than ``t``, which is the
very set of states, in the same order, that spaCy's loop scores at its ``t``-th iteration. Each step
repeats spaCy's arithmetic operation for operation (the three precomputed feature rows summed onto
zeros in order, the bias, the maxout choosing the first piece on ties, blis's ``sgemm`` with the same
arguments, the output bias) and its validity rules, so the entities are the ones spaCy finds.

Only the configuration our NER is trained with is decoded here: greedy search, three state features,
an upper layer, every class seen, Docs without preset entities or sentence starts. :func:`decoder_for`
returns ``None`` for anything else, and the caller falls back to spaCy. No rdflib here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["GreedyNer", "decoder_for"]

_MOVES = {"B": 0, "I": 1, "L": 2, "U": 3, "O": 4}


class GreedyNer:
    """Decodes batches of Docs with a spaCy ``ner`` pipe; see the module docstring for why and how."""

    def __init__(self, ner: Any) -> None:
        self._ner = ner
        tok2vec, lower, upper = ner.model.layers
        self._tok2vec, self._lower = tok2vec, lower
        self._n_pieces = lower.get_dim("nP")
        self._feat_bias = lower.get_param("b").reshape(-1)
        self._upper_w = numpy.ascontiguousarray(upper.get_param("W"), dtype="float32")
        self._upper_b = upper.get_param("b")
        kinds, labels = [], []
        for index in range(ner.moves.n_moves):
            move, _, label = ner.moves.get_class_name(index).partition("-")
            kinds.append(_MOVES[move])
            labels.append(label)
        self.labels = sorted({label for label in labels if label})
        code = {label: number for number, label in enumerate(self.labels, start=1)}
        self._kind = numpy.asarray(kinds)
        self._label = numpy.asarray([code.get(label, 0) for label in labels])
        self._valid = _validity(self._kind, self._label, len(self.labels))

    def __call__(self, docs: Sequence[Doc]) -> list[list[tuple[int, int, str]]]:
        """Return each Doc's entities as ``(start, end, label)`` token offsets, in order."""
        from blis.py import gemm
        from spacy.attrs import IS_SPACE

        found: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        lengths = numpy.asarray([len(doc) for doc in docs])
        if not lengths.sum():
            return found
        offsets = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
        # row 0 is the padding row, read for a missing feature (-1); token i of the batch is row i + 1
        cached = self._lower.predict(self._tok2vec.predict(list(docs)))
        cached = cached.reshape((cached.shape[0], cached.shape[1], -1))
        space = numpy.concatenate([doc.to_array(IS_SPACE).reshape(-1) for doc in docs if len(doc)]) > 0
        start = numpy.full(len(docs), -1)  # first token of the open entity, or -1
        label = numpy.zeros(len(docs), dtype=int)  # its label code, 0 when no entity is open
        kind, label_of = self._kind, self._label
        for t in range(int(lengths.max())):
            live = numpy.flatnonzero(lengths > t)
            token = offsets[live] + t
            opened = start[live] >= 0
            first = numpy.where(opened, offsets[live] + start[live], -1)
            before = numpy.where(opened, token - 1, -1)
            summed = numpy.zeros((len(live), cached.shape[2]), dtype="float32")
            summed += cached[token + 1, 0]
            summed += cached[first + 1, 1]
            summed += cached[before + 1, 2]
            summed += self._feat_bias
            hidden = self._maxout(summed.reshape((len(live), -1, self._n_pieces)))
            scores = gemm(hidden, self._upper_w, trans2=True, beta=0.0)
            scores += self._upper_b
            state = (label[live] * 2 + (lengths[live] - t < 2)) * 2 + space[token]
            best = numpy.where(self._valid[state], scores, -numpy.inf).argmax(axis=1)
            moves, codes = kind[best], label_of[best]
            for row in numpy.flatnonzero(moves != 4).tolist():
                doc, move, code = int(live[row]), int(moves[row]), int(codes[row])
                if move == 0:
                    start[doc], label[doc] = t, code
                elif move == 2:
                    found[doc].append((int(start[doc]), t + 1, self.labels[label[doc] - 1]))
                    start[doc], label[doc] = -1, 0
                elif move == 3:
                    found[doc].append((t, t + 1, self.labels[code - 1]))
        return found

    def _maxout(self, pieces: Any) -> Any:
        """The piece spaCy's ``arg_max`` picks, exactly (ties between signed zeros included).

        Of two pieces, the second unless the first is greater; of more, the first holding the maximum.
        """
        if self._n_pieces == 2:
            return numpy.where(pieces[..., 0] > pieces[..., 1], pieces[..., 0], pieces[..., 1])
        best = pieces[..., 0]
        for piece in range(1, self._n_pieces):
            best = numpy.where(pieces[..., piece] > best, pieces[..., piece], best)
        return numpy.ascontiguousarray(best)


def _validity(kinds: Any, labels: Any, n_labels: int) -> Any:
    """Which moves spaCy's BILUO rules allow, by state ``(open label * 2 + last token) * 2 + on space``.

    The open label is 0 when no entity is open; "last token" means no token follows; "on space" means
    the token is whitespace. With no preset entities or sentence starts, nothing else matters:
    B opens an entity on a non-space token that is not the last, I continues the open entity's label
    before the last token, L closes it, U is a one-token entity on a non-space token, O is outside.
    """
    table = numpy.zeros(((n_labels + 1) * 4, len(kinds)), dtype=bool)
    for open_label in range(n_labels + 1):
        for last in (0, 1):
            for space in (0, 1):
                closed = open_label == 0
                same = (labels == open_label) & (labels > 0)
                table[(open_label * 2 + last) * 2 + space] = (
                    ((kinds == 0) & closed & (not last) & (not space) & (labels > 0))
                    | ((kinds == 1) & same & (not last))
                    | ((kinds == 2) & same)
                    | ((kinds == 3) & closed & (not space) & (labels > 0))
                    | ((kinds == 4) & closed)
                )
    return table


def decoder_for(ner: Any) -> GreedyNer | None:
    """A :class:`GreedyNer` for spaCy ``ner`` pipe ``ner``, or ``None`` when it is configured otherwise."""
    try:
        layers = ner.model.layers
        if (
            ner.cfg.get("beam_width", 1) != 1
            or not ner.model.attrs.get("has_upper")
            or ner.model.attrs.get("unseen_classes")
            or len(layers) != 3
            or layers[1].get_dim("nF") != 3
            or ner.moves.n_moves < 1
        ):
            return None
        return GreedyNer(ner)
    except (AttributeError, KeyError, ValueError):
        return None
