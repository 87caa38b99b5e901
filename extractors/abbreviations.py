"""The ``abbreviations`` extractor: long-form/short-form pairs such as "Next Generation Simulation (NGSIM)".

The algorithm is the one described by A. S. Schwartz and M. A. Hearst, "A simple algorithm for identifying
abbreviation definitions in biomedical text", Pacific Symposium on Biocomputing 8:451-462 (2003), written
here from the paper's description:

1. A candidate pair is ``long form (short form)``, or ``short form (long form)`` when the parenthesised
   text is longer than two words. The short form has 2-10 characters, one or two words, at least one
   letter, and starts with a letter or digit.
2. The long form is searched among the at most ``min(|SF| + 5, 2 * |SF|)`` words before the bracket
   (``|SF|`` in characters), within the clause: the window stops at sentence ends, ``;``, ``:``, commas
   and other brackets.
3. Every letter and digit of the short form must be found in the long form in the same order, searched
   right to left; the short form's first character must begin a word. The shortest such long form wins.

On top of the paper, for scholarly text we also require an upper-case letter in the short form (this
drops enumerations "(i)", "(a)" and words such as "(see ...)"), and reject parentheticals that open with
"e.g.", "i.e.", "cf.", "see", or are citations and numbers ("(2019)", "(p < 0.05)").

The component writes both halves of each pair to ``doc.spans["citekg.abbreviations"]``: the long form with
label ``long_form``, the short form with ``short_form``, and both with the same ``id_``, the short form's
key (:func:`~citekg.extractors.lexicon.entity_key`). We key pairs by the short form because later papers
mostly cite a name by its acronym ("NGSIM", "RCN"), and the long form's wording varies more ("Generative
Adversarial Network(s)"); the resolver replaces the key with a lexicon key when the lexicon knows either
form. The pairs carry no entity type: the resolver carries a type found for one form to the other.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from citekg.extractors._registry import extractor
from citekg.extractors.lexicon import entity_key
from citekg.extractors.nlp import doc_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["AbbreviationFinder", "best_long_form", "find_pairs", "is_short_form", "make_abbreviations"]

LONG_FORM = "long_form"
SHORT_FORM = "short_form"

# What a parenthetical that is an aside, not an abbreviation, starts with.
_ASIDES = ("e.g", "i.e", "cf", "see", "viz", "etc", "resp", "respectively", "fig", "table", "eq", "sec")
_WORD = re.compile(r"\S+")
# The long-form window ends at sentence ends, clause punctuation and brackets.
_BOUNDARY = re.compile(r"[.!?](?=\s|$)|[;:,()\[\]{}]")
_PAREN = re.compile(r"\(([^()]{1,80})\)")
_SEPARATOR = re.compile(r"[;,]")


def is_short_form(text: str) -> bool:
    """Whether ``text`` can be the short form of a pair.

    Examples:
        >>> [is_short_form(t) for t in ("NGSIM", "CNNs", "GPT-4o", "BERT large", "i", "ii", "2019")]
        [True, True, True, True, False, False, False]
        >>> [is_short_form(t) for t in ("e.g.", "p < 0.05", "see Fig", "-X", "ABCDEFGHIJKL")]
        [False, False, False, False, False]
    """
    words = text.split()
    if not 1 <= len(words) <= 2 or not 2 <= len(text) <= 10:
        return False
    if not text[0].isalnum() or not any(c.isupper() for c in text):
        return False
    return words[0].lower().rstrip(".,") not in _ASIDES


def best_long_form(short: str, candidate: str) -> str | None:
    """Return the shortest suffix of ``candidate`` whose letters spell ``short``, or ``None``.

    Characters of ``short`` that are not letters or digits are skipped; the others must appear in
    ``candidate`` in the same order (searched from the right, case-insensitive), and the first one must
    begin a word. The result starts at the start of that word.

    Examples:
        >>> best_long_form("NGSIM", "we use the Next Generation Simulation")
        'Next Generation Simulation'
        >>> best_long_form("RCN", "a novel Recurrent Convolutional Network")
        'Recurrent Convolutional Network'
        >>> best_long_form("HMM", "a hidden Markov model")
        'hidden Markov model'
        >>> best_long_form("CNNs", "convolutional neural networks")
        'convolutional neural networks'
        >>> best_long_form("Fig", "the results") is None
        True
    """
    s = len(short) - 1
    c = len(candidate) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        # the first character must start a word; the others may sit anywhere
        while c >= 0 and (candidate[c].lower() != char or (s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    return candidate[start:]


def _valid_pair(short: str, long: str) -> bool:
    words = long.split()
    if len(long) <= len(short) or short.lower() in (w.lower() for w in words):
        return False
    if len(words) == 1 and sum(c.isupper() for c in long) < 2:
        return False  # a one-word long form is a name only as a compound ("LocalMamba (LM)")
    return len(words) <= min(len(short) + 5, 2 * len(short))


def _window(text: str, end: int, max_words: int) -> tuple[int, str]:
    """Return (offset, text) of the at most ``max_words`` words before ``end``, within the clause.

    Only the last stretch of text before ``end`` is scanned, unless it is too short to hold the window.

    Examples:
        >>> _window("First, a Next Generation Simulation (NGSIM)", 36, 7)
        (7, 'a Next Generation Simulation')
    """
    lo = max(0, end - 40 * max_words)
    cut = None
    for match in _BOUNDARY.finditer(text, lo, end):
        cut = match.end()
    words = list(_WORD.finditer(text, lo if cut is None else cut, end))
    if cut is None and lo > 0 and len(words) <= max_words:
        cut = 0  # the clause may start before the stretch scanned: scan all of it
        for match in _BOUNDARY.finditer(text, 0, end):
            cut = match.end()
        words = list(_WORD.finditer(text, cut, end))
    words = words[-max_words:]
    if not words:
        return end, ""
    return words[0].start(), text[words[0].start() : end].rstrip()


def _word_before(text: str, end: int) -> tuple[int, int] | None:
    """Offsets of the last whitespace-delimited word before ``end``, or ``None``."""
    stop = len(text[:end].rstrip())
    start = stop
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return (start, stop) if stop else None


def find_pairs(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Return ``((long start, long end), (short start, short end))`` character offsets of each pair.

    Examples:
        >>> t = "We use the Next Generation Simulation (NGSIM) data."
        >>> [(t[a:b], t[c:d]) for (a, b), (c, d) in find_pairs(t)]
        [('Next Generation Simulation', 'NGSIM')]
        >>> t = "We train a CNN (convolutional neural network) on it."
        >>> [(t[a:b], t[c:d]) for (a, b), (c, d) in find_pairs(t)]
        [('convolutional neural network', 'CNN')]
        >>> find_pairs("as shown before (see Fig. 3), in 2019 (p < 0.05) by Smith (2019) (i) (e.g., BERT)")
        []
    """
    pairs = []
    for match in _PAREN.finditer(text):
        inner_start = match.start(1)
        inner = match.group(1)
        # "(NGSIM; Smith et al.)": the short form is what precedes the first separator
        head = _SEPARATOR.split(inner, maxsplit=1)[0]
        lead = len(head) - len(head.lstrip())
        head = head.strip()
        if is_short_form(head):
            max_words = min(len(head) + 5, 2 * len(head))
            offset, window = _window(text, match.start(), max_words)
            long = best_long_form(head, window) if window else None
            if long and _valid_pair(head, long):
                start = offset + len(window) - len(long)
                pairs.append(
                    ((start, start + len(long)), (inner_start + lead, inner_start + lead + len(head)))
                )
            continue
        # reverse pattern: "SF (long form)"
        words = inner.split()
        if len(words) < 2 or "," in inner or ";" in inner:
            continue
        word = _word_before(text, match.start())
        if word is None:
            continue
        short = text[word[0] : word[1]]
        if not is_short_form(short):
            continue
        long = best_long_form(short, inner.strip())
        if long is not None and long == inner.strip() and _valid_pair(short, long):
            start = inner_start + len(inner) - len(inner.lstrip())
            pairs.append(((start, start + len(long)), word))
    return pairs


def _has_paren_token(doc: Doc, text: str) -> bool:
    """Whether a token of ``doc`` is "(": a one-character span at a "(" of its text (most texts hold none)."""
    at = text.find("(")
    while at >= 0:
        if doc.char_span(at, at + 1) is not None:
            return True
        at = text.find("(", at + 1)
    return False


class AbbreviationFinder:
    """Component writing each pair's long form and short form, keyed by the short form."""

    def __init__(self, spans_key: str) -> None:
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Set the abbreviations span group of ``doc``."""
        spans: list[Span] = []
        text = doc_text(doc)
        text = text if _has_paren_token(doc, text) else ""
        if "(" in text:
            taken = -1
            for (ls, le), (ss, se) in sorted(find_pairs(text), key=lambda p: min(p[0][0], p[1][0])):
                long = doc.char_span(ls, le, alignment_mode="expand")
                short = doc.char_span(ss, se, alignment_mode="expand")
                if long is None or short is None or min(long.start, short.start) < taken:
                    continue
                if long.end > short.start and short.end > long.start:
                    continue
                key = entity_key(text[ss:se])
                long.label_, long.id_ = LONG_FORM, key
                short.label_, short.id_ = SHORT_FORM, key
                spans.extend((long, short))
                taken = max(long.end, short.end)
        kept = sorted(spans, key=lambda s: (s.start, s.end))
        doc.spans[self.spans_key] = kept
        return doc


@extractor("abbreviations", kinds={LONG_FORM, SHORT_FORM}, version=1, output="pairs")
def make_abbreviations(nlp: Language, name: str, spans_key: str) -> AbbreviationFinder:
    """Long-form/short-form pairs ("Next Generation Simulation (NGSIM)"), after Schwartz & Hearst (2003)."""
    return AbbreviationFinder(spans_key)
