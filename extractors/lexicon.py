"""The ``lexicon`` extractor: well-known datasets, models, methods, tasks and metrics, matched by name.

The curated list lives in ``data/lexicon.jsonl``, one entry a line:
``{"name": canonical name, "label": "dataset|model|method|task|metric", "aliases": [...],
"case_sensitive": bool}``. Names are facts written here from general knowledge (v0: about 160
datasets, 115 models, 65 methods, a few tasks and metrics). Case-sensitive entries match the exact
spelling (spaCy ``ORTH``: "GLUE", not "glue"); the others any casing (``LOWER``: "ImageNet",
"imagenet"). Matching is by whole tokens, and a match hyphenated to a capitalised word is dropped
("ImageNet-R", "Tiny-ImageNet" are other datasets), while "BERT-like" still counts as BERT.

Each match is a span in ``doc.spans["citekg.lexicon"]`` with ``label_`` the entry's label and ``id_``
its key: the canonical name lower-cased with runs of spaces turned into ``-`` (:func:`entity_key`;
"MS COCO" → ``coco``, "Llama 2" → ``llama-2``). The label is not part of the key. Where matches
overlap the longest wins ("MS COCO" over "COCO"), then the earliest.

Known false positives: names that are also ordinary words or people's names when capitalised,
e.g. "Adam" in "Adam Smith", "Claude" in "Claude Shannon", "Gemini" the constellation; "SAM" is
both Segment Anything and sharpness-aware minimisation. Known false negatives: anything not listed,
and variants glued to other text ("ImageNet-R", "GPT-4-Turbo").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from citekg.errors import InputError
from citekg.extractors._registry import extractor
from citekg.model import MentionKind

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["LexiconEntry", "LexiconMatcher", "entity_key", "load_lexicon", "make_lexicon"]

_LABELS = {kind.value for kind in MentionKind}


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One named thing of the lexicon and the surface forms that name it."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False

    @property
    def key(self) -> str:
        """The canonical key shared by all its surface forms."""
        return entity_key(self.name)

    @property
    def surfaces(self) -> tuple[str, ...]:
        """The name followed by its aliases, without repeats."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))


def entity_key(name: str) -> str:
    """Return the canonical key of an entity name: lower case, whitespace runs as ``-``.

    Examples:
        >>> entity_key("Llama 2")
        'llama-2'
        >>> entity_key("  Waymo  Open ")
        'waymo-open'
        >>> entity_key("GPT-4o")
        'gpt-4o'
    """
    return re.sub(r"\s+", "-", name.strip()).lower()


def load_lexicon(path: str | Path | None = None) -> tuple[LexiconEntry, ...]:
    """Read a lexicon JSONL file; the bundled ``data/lexicon.jsonl`` when ``path`` is ``None``.

    Raises:
        InputError: A line is not JSON, lacks ``name`` or ``label``, or has an unknown label.
    """
    if path is None:
        source = resources.files("citekg.extractors").joinpath("data", "lexicon.jsonl")
        where, text = "citekg/extractors/data/lexicon.jsonl", source.read_text(encoding="utf-8")
    else:
        where, text = str(path), Path(path).read_text(encoding="utf-8")
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(where, f"not valid JSON ({error.msg})", line=number) from error
        if not isinstance(data, dict) or not data.get("name") or not data.get("label"):
            raise InputError(where, 'an entry needs "name" and "label"', line=number)
        if data["label"] not in _LABELS:
            raise InputError(
                where,
                f"unknown label {data['label']!r}; choose one of: {', '.join(sorted(_LABELS))}",
                line=number,
            )
        entries.append(
            LexiconEntry(
                name=data["name"],
                label=data["label"],
                aliases=tuple(data.get("aliases") or ()),
                case_sensitive=bool(data.get("case_sensitive", False)),
            )
        )
    return tuple(entries)


class LexiconMatcher:
    """Component matching lexicon entries with two PhraseMatchers (exact case and lower case)."""

    def __init__(self, nlp: Language, spans_key: str, entries: Iterable[LexiconEntry]) -> None:
        from spacy.matcher import PhraseMatcher

        self.spans_key = spans_key
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._targets: dict[str, tuple[str, str]] = {}
        for entry in entries:
            match_id = f"{entry.label}\t{entry.key}"
            self._targets[match_id] = (entry.label, entry.key)
            matcher = self._exact if entry.case_sensitive else self._folded
            matcher.add(match_id, [nlp.make_doc(surface) for surface in entry.surfaces])

    def __call__(self, doc: Doc) -> Doc:
        """Set the lexicon span group of ``doc``."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        strings = doc.vocab.strings
        spans = []
        for matcher in (self._exact, self._folded):
            for match_id, start, end in matcher(doc):
                if _glued_to_name(doc, start, end):
                    continue
                label, key = self._targets[strings[match_id]]
                spans.append(Span(doc, start, end, label=label, span_id=key))
        # filter_spans keeps the longest span (the earliest on ties) and returns them sorted; sorting
        # first makes the choice independent of which matcher found what.
        spans.sort(key=lambda s: (s.start, -len(s), s.label_, s.id_))
        doc.spans[self.spans_key] = filter_spans(spans)
        return doc


def _glued_to_name(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens ``start:end`` are hyphenated to a capitalised word ("ImageNet-R", "Tiny-ImageNet").

    Those name a different thing (a variant) than the entry; "BERT-like" or "Transformer-based" still
    name the entry and are kept.
    """
    if (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
    ):
        if doc[end + 1].text[:1].isupper():
            return True
    if (
        start >= 2
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
    ):
        if doc[start - 2].text[:1].isupper():
            return True
    return False


@extractor(
    "lexicon",
    kinds={kind.value for kind in MentionKind},
    version=1,
    role="used",
    confidence=0.9,
    default_config={"path": None},
)
def make_lexicon(nlp: Language, name: str, spans_key: str, path: str | None) -> LexiconMatcher:
    """Well-known datasets, models, methods, tasks and metrics from a curated list with aliases."""
    return LexiconMatcher(nlp, spans_key, load_lexicon(path))
