"""The ``lexicon`` extractor: well-known datasets, models, methods, tasks and metrics, matched by name.

The curated lists live in ``data/lexicon-*.jsonl`` (one file per label; :func:`load_lexicon` reads every
``lexicon*.jsonl`` there), one entry a line::

    {"name": "Segment Anything", "label": "model", "aliases": ["Segment Anything Model"],
     "case_sensitive": true, "ambiguous": false, "ambiguous_aliases": ["SAM"], "source": "general"}

``ambiguous`` marks a name that is also a common word or a person's name ("Adam", "Whisper", "Atlas");
``ambiguous_aliases`` are short forms that name this entry only sometimes ("SAM" is also
sharpness-aware minimisation, "MAE" also mean absolute error); ``source`` says where the name was
taken from (``general`` knowledge, or a gold corpus's *train* split such as ``scirex-train``; see
``tools/harvest_lexicon.py``). Names are facts.

How surfaces match (whole tokens, two PhraseMatchers):

- Case. A short all-capital acronym ("GLUE", "NER", "MAE") matches only as written. In an entry with
  ``case_sensitive`` the other surfaces match as written too ("BERT", "Whisper"), except lower-case
  phrases ("generative adversarial network"), which match in any case. Entries without it match in
  any case ("ImageNet", "imagenet").
- Variants, for methods and models: the plural of a name ("Transformers", "GANs"); a multi-word name
  in lower case and with hyphens ("vision transformers", "Vision-Transformer"); for tasks, hyphens for
  spaces. Ambiguous names get no variants.
- Versions. A model or method name followed by a size or release suffix ("Llama-2-7B", "GPT-3.5-turbo",
  "BERT-large", "ViT-B/16", "Whisper large") is one mention of the family: the span covers the suffix and
  the key is the family's. A variant that is its own entry ("ResNet-50", "GPT-4o", "Llama 2") wins, as
  the longest match. So the key is the most specific *entry*, never a size: a paper using Llama-2-7B
  and one using Llama-2-13B both link to ``llama-2``.

False positives it avoids: a match hyphenated to a capitalised word names another thing ("ImageNet-R",
"Tiny-ImageNet"; "BERT-like" still counts); a single capitalised word next to another capitalised word
is part of a longer name ("Adam Smith", "Claude Shannon"; not "Google Gemini", "Whisper Large"); an
ambiguous capitalised word at the start of a sentence is the common word ("Atlas of ..."). Title-cased
texts (paper titles) skip the neighbour checks. Where two entries claim one surface, the entry whose
other words occur in the text wins ("mean absolute error ... MAE"), else a metric when a number is
near, else the first listed.

Each match is a span in ``doc.spans["citekg.lexicon"]`` with ``label_`` the entry's label and ``id_``
its key (:func:`entity_key`). ``attrs["scores"]`` gives each span's confidence: 0.9, 0.5 for ambiguous
names, 0.4 where two entries claimed the surface. Overlaps: the longest wins, then the earliest.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekg.errors import InputError
from citekg.extractors._registry import extractor
from citekg.model import MentionKind

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = [
    "LexiconEntry",
    "LexiconMatcher",
    "entity_key",
    "load_lexicon",
    "make_lexicon",
    "surface_forms",
    "token_cache",
]

_LABELS = {kind.value for kind in MentionKind}

SCORE = 0.9
SCORE_AMBIGUOUS = 0.5
SCORE_CONTESTED = 0.4

_ACRONYM = re.compile(r"[A-Z]{2,6}s?")
_TITLE_WORD = re.compile(r"[A-Z][a-z]+")
_VERSION = re.compile(
    r"(?:\d+(?:\.\d+)?[BMKT]|\d+x\d+B|[SBLHg]/\d+|v\d+(?:\.\d+)*|V\d+"
    r"|base|large|small|tiny|mini|medium|huge|giant|xl|xxl|XL|XXL|Base|Large|Small|Tiny|Mini|Huge|Giant"
    r"|Instruct|instruct|Chat|chat|Turbo|turbo|Pro|Ultra|Flash|Nano|Lite|preview|it|hf|HF|uncased|cased)"
)
_SPACED_VERSION = re.compile(r"(?:\d+(?:\.\d+)?[BMK]|base|large|small|Base|Large|Small|XL|XXL)")
# capitalised words that may follow a name without making it part of a longer one
_HEADS = frozenset(
    "Dataset Datasets Benchmark Benchmarks Corpus Corpora Challenge Model Models Network Networks "
    "Architecture Framework Suite Environment Environments Library Toolkit Leaderboard Score Scores "
    "Metric Loss Task Tasks Track Test Set Split Data Database Collection Family Variant Variants "
    "Encoder Decoder Backbone Features Embeddings Agent Agents Policy Optimizer Algorithm Method".split()
)
# capitalised words that may precede a name: makers and languages ("Google Gemini", "English Wikipedia")
_PRECEDERS = frozenset(
    "OpenAI Google Meta Microsoft DeepMind Anthropic Facebook Amazon Apple NVIDIA Nvidia Baidu Alibaba "
    "Tencent Stanford Berkeley Mistral English Chinese German French Spanish Japanese Korean Russian "
    "Arabic Hindi Multilingual Original Standard Vanilla Using Unlike With Like For On In From "
    "And Both".split()
)
_METRIC_CUES = frozenset("error errors score scores lower higher metric metrics measured reduction".split())
_SENTENCE_END = frozenset({".", "!", "?", ":", ";"})


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One named thing of the lexicon and the surface forms that name it."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    ambiguous: bool = False
    ambiguous_aliases: tuple[str, ...] = ()
    source: str = "general"

    @property
    def key(self) -> str:
        """The canonical key shared by all its surface forms."""
        return entity_key(self.name)

    @property
    def surfaces(self) -> tuple[str, ...]:
        """The name followed by its aliases, without repeats (ambiguous aliases not included)."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))


_SPACES = re.compile(r"\s+")


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
    return _SPACES.sub("-", name.strip()).lower()


def _bundled_files() -> list[tuple[str, str]]:
    folder = resources.files("citekg.extractors").joinpath("data")
    found = sorted(
        (item.name, item)
        for item in folder.iterdir()
        if item.name.startswith("lexicon") and item.name.endswith(".jsonl")
    )
    return [(f"citekg/extractors/data/{name}", item.read_text(encoding="utf-8")) for name, item in found]


def load_lexicon(path: str | Path | None = None) -> tuple[LexiconEntry, ...]:
    """Read a lexicon JSONL file, or every bundled ``data/lexicon*.jsonl`` when ``path`` is ``None``.

    Raises:
        InputError: A line is not JSON, lacks ``name`` or ``label``, or has an unknown label.
    """
    if path is None:
        sources = _bundled_files()
    else:
        sources = [(str(path), Path(path).read_text(encoding="utf-8"))]
    entries: list[LexiconEntry] = []
    for where, text in sources:
        entries.extend(_parse(where, text))
    return tuple(entries)


def _parse(where: str, text: str) -> Iterator[LexiconEntry]:
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
        yield LexiconEntry(
            name=data["name"],
            label=data["label"],
            aliases=tuple(data.get("aliases") or ()),
            case_sensitive=bool(data.get("case_sensitive", False)),
            ambiguous=bool(data.get("ambiguous", False)),
            ambiguous_aliases=tuple(data.get("ambiguous_aliases") or ()),
            source=str(data.get("source") or "general"),
        )


def _exact(surface: str, case_sensitive: bool) -> bool:
    if _ACRONYM.fullmatch(surface):
        return True
    if not case_sensitive:
        return False
    return not (surface == surface.lower() and re.search(r"[\s-]", surface))


def surface_forms(entry: LexiconEntry) -> list[tuple[str, bool, bool]]:
    """Return ``(text, exact, ambiguous)`` for every form the matcher looks for, variants included.

    A form that matches in any case keeps its spelling here (the tokenizer splits "ROUGE-L" and
    "rouge-l" differently); the matcher compares it in lower case.

    Examples:
        >>> forms = surface_forms(LexiconEntry("Vision Transformer", "model", ("ViT",), True))
        >>> sorted(text for text, exact, _ in forms if exact)
        ['ViT', 'ViTs', 'Vision Transformer', 'Vision Transformers']
        >>> sorted(text for text, exact, _ in forms if not exact)
        ['vision transformer', 'vision transformers', 'vision-transformer', 'vision-transformers']
    """
    forms: dict[tuple[str, bool], tuple[str, bool]] = {}

    def put(text: str, exact: bool, ambiguous: bool) -> None:
        key = (text if exact else text.lower(), exact)
        first, was_ambiguous = forms.get(key, (text, True))
        forms[key] = (first, was_ambiguous and ambiguous)

    for surface in entry.surfaces:
        exact = _exact(surface, entry.case_sensitive)
        put(surface, exact, entry.ambiguous)
        if entry.ambiguous or entry.label not in ("method", "model", "task"):
            continue
        words = surface.split()
        variants = []
        if (
            len(words) > 1
            and all(w.isalpha() for w in words)
            and not any(_ACRONYM.fullmatch(w) for w in words)
        ):
            variants.append((surface.lower(), False))
            variants.append(("-".join(words).lower(), False))
        elif re.fullmatch(r"[a-z]+(?:-[a-z]+)+", surface):
            variants.append((surface.replace("-", " "), False))
        for text, folded_exact in [(surface, exact), *variants]:
            put(text, folded_exact, False)
            last = re.split(r"[\s-]", text)[-1]
            if entry.label != "task" and last.isalpha() and len(last) >= 3 and not text.endswith("s"):
                put(text + "s", folded_exact, False)
    for surface in entry.ambiguous_aliases:
        put(surface, _exact(surface, entry.case_sensitive), True)
    return [(text, exact, ambiguous) for (_, exact), (text, ambiguous) in forms.items()]


class LexiconMatcher:
    """Component matching lexicon entries with two PhraseMatchers (exact case and lower case)."""

    def __init__(self, nlp: Language, spans_key: str, entries: Iterable[LexiconEntry]) -> None:
        from spacy.matcher import PhraseMatcher

        self.spans_key = spans_key
        # Patterns go into the matchers as token hashes, not Docs: building a Doc per pattern creates
        # a lexeme per new word, which took most of the load time. One match key per matcher; the
        # matched tokens' hashes then say which entries were found.
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._targets: dict[tuple[bool, tuple[int, ...]], list[tuple[str, str, bool]]] = {}
        self._evidence: dict[str, frozenset[str]] = {}
        forms: list[tuple[str, bool, tuple[str, str, bool]]] = []
        for entry in entries:
            forms.extend(
                (text, exact, (entry.label, entry.key, ambiguous))
                for text, exact, ambiguous in surface_forms(entry)
            )
            if entry.ambiguous_aliases:
                words = " ".join(entry.surfaces).lower().replace("-", " ").split()
                self._evidence[entry.key] = frozenset(w for w in words if len(w) >= 4)
        strings = nlp.vocab.strings
        for (_text, exact, target), words in zip(
            forms, _pattern_words(nlp, [f[0] for f in forms]), strict=True
        ):
            hashes = tuple(strings.add(word if exact else word.lower()) for word in words)
            targets = self._targets.setdefault((exact, hashes), [])
            if target not in targets:
                targets.append(target)
        for exact, matcher in ((True, self._exact), (False, self._folded)):
            patterns = [list(h) for e, h in self._targets if e == exact]
            # PhraseMatcher.add takes a pattern as its token hashes too (phrasematcher.pyx: `keyword = doc`
            # for a non-Doc); its stub admits only Docs.
            matcher.add("citekg_lexicon", patterns)  # type: ignore[arg-type]

    def __call__(self, doc: Doc) -> Doc:
        """Set the lexicon span group of ``doc`` and its ``scores``."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        found: dict[tuple[int, int], list[tuple[str, str, bool]]] = {}
        for exact, matcher in ((True, self._exact), (False, self._folded)):
            for _, start, end in matcher(doc):
                tokens = [doc[i] for i in range(start, end)]  # no Span: a match is a token or two
                hashes = tuple(t.orth if exact else t.lower for t in tokens)
                claims = found.setdefault((start, end), [])
                claims.extend(t for t in self._targets[(exact, hashes)] if t not in claims)
        if not found:  # most titles and many abstracts
            doc.spans[self.spans_key] = []
            doc.spans[self.spans_key].attrs["scores"] = []
            return doc
        titled = _title_like(doc)
        candidates: list[tuple[Span, float, bool]] = []
        for (start, end), claims in found.items():
            label, key, ambiguous = self._choose(doc, start, end, claims)
            matched_end = end
            if label in ("model", "method"):
                end = _extend_version(doc, end)
            if _glued_to_name(doc, start, end):
                continue
            if not titled and _inside_longer_name(doc, start, end, ambiguous):
                continue
            score = SCORE_CONTESTED if len(claims) > 1 else SCORE_AMBIGUOUS if ambiguous else SCORE
            span = Span(doc, start, end, label=label, span_id=key)
            candidates.append((span, score, end != matched_end))
        # filter_spans keeps the longest span (the earliest on ties); on equal spans an entry matched as
        # a whole beats a family extended by a suffix ("GPT-4-Turbo"). Sorting first makes the choice
        # independent of which matcher found what.
        candidates.sort(key=lambda c: (c[0].start, -len(c[0]), c[2], -c[1], c[0].label_, c[0].id_))
        score_of = {(s.start, s.end, s.label_, s.id_): score for s, score, _ in reversed(candidates)}
        spans = filter_spans([span for span, _, _ in candidates])
        doc.spans[self.spans_key] = spans
        doc.spans[self.spans_key].attrs["scores"] = [
            score_of[(s.start, s.end, s.label_, s.id_)] for s in spans
        ]
        return doc

    def _choose(
        self, doc: Doc, start: int, end: int, claims: list[tuple[str, str, bool]]
    ) -> tuple[str, str, bool]:
        """Pick one of several entries claiming the same tokens, from the words around them."""
        if len(claims) == 1:
            return claims[0]
        # the claim whose other words occur nearest ("Segment Anything (SAM)", "mean absolute error (MAE)")
        best, best_distance = None, len(doc)
        for index, token in enumerate(doc):
            if start <= index < end or len(token) < 4:
                continue
            for claim in claims:
                distance = abs(index - start)
                if distance < best_distance and token.lower_ in self._evidence.get(claim[1], ()):
                    best, best_distance = claim, distance
        if best is not None:
            return best
        window = doc[max(0, start - 3) : min(len(doc), end + 3)]
        if any(t.like_num or t.lower_ in _METRIC_CUES or t.text == "%" for t in window):
            for claim in claims:
                if claim[0] == "metric":
                    return claim
        others = [claim for claim in claims if claim[0] != "metric"]
        return (others or claims)[0]


_PLAIN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")


TOKEN_CACHE = "lexicon-tokens.json"


def _pattern_words(nlp: Language, texts: list[str]) -> list[list[str]]:
    """Tokenise pattern texts as the pipeline's tokenizer does.

    Plain words are split on spaces; the rest come from the bundled cache (``data/lexicon-tokens.json``,
    written by ``tools/harvest_lexicon.py --write-token-cache`` for this spaCy version) or, when missing
    there, from the tokenizer. The tokenizer creates a lexeme per new word, which made loading slow.
    """
    import spacy

    tokenizer: Any = nlp.tokenizer  # a Cython Tokenizer without stubs; Language types it as a callable
    rules = tokenizer.rules or {}
    cache = _token_cache() if nlp.lang == "en" and _token_cache().get("spacy") == spacy.__version__ else {}
    known = cache.get("tokens", {})
    hard = [
        text
        for text in dict.fromkeys(texts)
        if text not in known and not (_PLAIN.fullmatch(text) and not any(w in rules for w in text.split()))
    ]
    tokenized = dict(zip(hard, ([t.text for t in doc] for doc in tokenizer.pipe(hard)), strict=True))
    return [tokenized.get(text) or known.get(text) or text.split() for text in texts]


@functools.cache
def _token_cache() -> dict[str, Any]:
    path = resources.files("citekg.extractors").joinpath("data", TOKEN_CACHE)
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def token_cache(nlp: Language, entries: Iterable[LexiconEntry]) -> dict[str, Any]:
    """Return the tokenizer cache for ``entries``: every pattern text that is not plain words, tokenised.

    ``tools/harvest_lexicon.py --write-token-cache`` writes it to ``data/lexicon-tokens.json``.
    """
    import spacy

    texts = sorted(
        {text for entry in entries for text, _, _ in surface_forms(entry) if not _PLAIN.fullmatch(text)}
    )
    tokenizer: Any = nlp.tokenizer  # a Cython Tokenizer without stubs; Language types it as a callable
    return {
        "spacy": spacy.__version__,
        "tokens": {t: [w.text for w in d] for t, d in zip(texts, tokenizer.pipe(texts), strict=True)},
    }


def _title_like(doc: Doc) -> bool:
    """Whether ``doc`` is written in title case (a paper title): most longer words are capitalised."""
    if len(doc) > 40:  # checked first: abstracts are long, and iterating tokens is the costly part
        return False
    texts = [t.text for t in doc]  # one pass of Token objects; IS_ALPHA is str.isalpha of the text
    words = [w for w in texts if len(w) > 3 and w.isalpha()]
    if len(words) < 4 or any(w in ".!?" for w in texts):
        return False
    return sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _sentence_start(doc: Doc, start: int) -> bool:
    return start == 0 or doc[start - 1].text in _SENTENCE_END or doc[start - 1].is_space


def _extend_version(doc: Doc, end: int) -> int:
    """Return the end of a size or release suffix after tokens ``:end`` ("-7B", "-Instruct", " large")."""
    while end < len(doc):
        token = doc[end - 1]
        if (
            end + 1 < len(doc)
            and doc[end].text == "-"
            and not token.whitespace_
            and not doc[end].whitespace_
            and _VERSION.fullmatch(doc[end + 1].text)
        ):
            end += 2
        elif token.whitespace_ == " " and _SPACED_VERSION.fullmatch(doc[end].text):
            end += 1
        else:
            break
    return end


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


def _inside_longer_name(doc: Doc, start: int, end: int, ambiguous: bool) -> bool:
    """Whether a one-word capitalised match is part of a longer name or a capitalised common word.

    "Adam Smith", "Claude Shannon" and "Atlas" opening a sentence are not the entries; a word from
    :data:`_HEADS` after the name, or from :data:`_PRECEDERS` before it, does not count.
    """
    if end - start != 1 or not _TITLE_WORD.fullmatch(doc[start].text):
        return False
    if end < len(doc) and doc[start].whitespace_:
        after = doc[end].text
        if _TITLE_WORD.fullmatch(after) and after not in _HEADS:
            return True
    if start > 0 and doc[start - 1].whitespace_:
        before = doc[start - 1].text
        if _TITLE_WORD.fullmatch(before) and before not in _PRECEDERS and not _sentence_start(doc, start - 1):
            return True
    return ambiguous and _sentence_start(doc, start)


@extractor(
    "lexicon",
    kinds={kind.value for kind in MentionKind},
    version=2,
    role="used",
    confidence=0.9,
    default_config={"path": None},
)
def make_lexicon(nlp: Language, name: str, spans_key: str, path: str | None) -> LexiconMatcher:
    """Well-known datasets, models, methods, tasks and metrics from curated lists with aliases."""
    return LexiconMatcher(nlp, spans_key, load_lexicon(path))
