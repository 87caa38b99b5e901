"""The ``patterns`` extractor: names no lexicon knows, found by cue phrases and word shapes.

The pipeline has no tagger or parser (``spacy.blank("en")``), so every rule reads surface text: regular
expressions over the Doc's text, aligned to tokens with ``Doc.char_span``. Each rule is a *cue* with a
role and a type:

========================  ==========================================================  ===========
cue                       example                                                      role
========================  ==========================================================  ===========
``propose``               "we propose **Deep Interest Network**", "we introduce **MEND**"  proposed
``called``                "a model called **LoFT**" (proposed when "we"/"our" precede)     either
``title``                 "**MEND**: Fast Model Editing at Scale" (a short title Doc)     proposed
``dataset_head``          "the **Waymo Open** dataset", "**NGSIM** benchmark"              used
``eval_list``             "experiments on **CIFAR-10**, **SVHN** and **STL-10**"           used
``outperforms``           "**LocalMamba** outperforms ..."                                 used
``shape``                 mixed-case and versioned names: LocalMamba, GPT-4o, Llama-2-7B   used
``task``                  "the task of **X**", "**X** task", "for **object detection**"    used
``metric``                "in terms of **BLEU**", "**F1** score", "top-1 accuracy"         used
========================  ==========================================================  ===========

Types come from cue words around the name: a following "model/network/architecture/framework/
algorithm" makes a method, "dataset/benchmark/corpus/suite/environment/simulator" a dataset, "task" a task,
"score/metric" a metric; a size or version suffix ("-7B", "-large", "-XXL", "4o") makes a model. A shape
with no cue and no telling suffix is a method.

What must not come out: pronouns and generic nouns ("we", "model", "method"), capitalised words that
only start a sentence ("However", "Recent"), people's names ("McCallum"), organisations and tools
("OpenAI", "GitHub", "PyTorch"), URLs, numbers, and generic phrases ("deep learning", "neural network").

Spans go to ``doc.spans["citekg.patterns"]`` with ``attrs["scores"]`` (a prior per cue, recalibrated by the
resolver), ``attrs["roles"]`` and ``attrs["cues"]`` aligned with the spans.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick
from citekg.extractors._registry import extractor
from citekg.extractors.lexicon import entity_key
from citekg.extractors.nlp import FIELD_KEY, doc_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = [
    "CUES",
    "Candidate",
    "PatternFinder",
    "find_candidates",
    "head_type",
    "is_name_shaped",
    "make_patterns",
    "shape_type",
]


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A name found by one cue: ``text[start:end]`` with its type, role and cue."""

    start: int
    end: int
    label: str
    role: str
    cue: str


#: Each cue's prior confidence (the resolver replaces it with the calibrated one) and its precedence when
#: two candidates overlap (lower wins).
CUES: dict[str, tuple[float, int]] = {
    "propose": (0.7, 0),
    "called": (0.7, 0),
    "title": (0.7, 0),
    "dataset_head": (0.6, 1),
    "eval_list": (0.55, 2),
    "outperforms": (0.6, 2),
    "metric": (0.6, 3),
    "shape": (0.5, 4),
    "task": (0.45, 5),
    "task_bare": (0.3, 6),
}

_METHOD_HEADS = (
    "model models network networks net nets architecture architectures framework frameworks algorithm "
    "algorithms method methods approach approaches technique techniques system systems module modules "
    "layer layers encoder encoders decoder decoders transformer transformers classifier classifiers "
    "optimizer optimizers agent agents policy loss mechanism pipeline toolkit library"
).split()
_DATASET_HEADS = (
    "dataset datasets data set sets benchmark benchmarks corpus corpora suite environment environments "
    "simulator treebank challenge collection database"
).split()
_TASK_HEADS = (
    "prediction recognition detection segmentation translation generation classification retrieval "
    "parsing summarization answering tagging labeling labelling extraction estimation tracking captioning "
    "synthesis reconstruction localization localisation completion disambiguation resolution "
    "recommendation forecasting alignment analysis understanding reasoning editing inpainting matching "
    "modeling modelling transcription verification identification normalization"
).split()
_METRIC_HEADS = "score scores metric metrics measure rate accuracy error".split()
_HEAD_TYPE = {
    **{w: "method" for w in _METHOD_HEADS},
    **{w: "dataset" for w in _DATASET_HEADS},
    **{w: "task" for w in _TASK_HEADS},
    **{w: "metric" for w in _METRIC_HEADS},
}
_HEAD_TYPE["set"] = "dataset"
# heads after which the dataset's own name stops (the head word is not part of the span)
_DATASET_CUE = (
    "dataset|datasets|benchmark|benchmarks|corpus|corpora|suite|environment|environments|simulator|treebank"
)

# Mixed-case words that are not entities: organisations, tools, people's name prefixes.
_NOT_NAMES = frozenset(
    """
    OpenAI DeepMind GitHub GitLab YouTube iPhone iOS macOS PyTorch TensorFlow LaTeX arXiv JavaScript PhD
    MSc BSc McDonald WeChat LinkedIn PowerPoint HuggingFace TikTok PubMed NeurIPS ICLR ICML CVPR ECCV ICCV
    ACL EMNLP NAACL AAAI IJCAI KDD SIGIR AI ML NLP CV RL IR LLM LLMs VLM VLMs GPU GPUs CPU CPUs TPU TPUs API
    APIs SOTA URL HTTP PDF USA UK EU US COVID IoT IT AR VR DNA RNA MRI CT PC FLOPs FLOP RAM IoU TL;DR
    SQL JSON XML HTML CSS ID IDs OK Ph.D
    """.split()
)
_STOP = frozenset(
    """
    a an the our their its this that these those such both either each every some any all many several
    and or nor but for of on in to with by via from as at into onto over under between among within without
    is are was were be been being has have had do does did can could may might will would should must
    we us you they it he she i which who whom whose what where when while how why than then thus
    also only not no more most less least very well further however here there other another new novel
    first second third two three simple general unified efficient effective accurate robust better best
    improved existing previous prior recent standard popular several various different same whole
    improve improves improving enable enables achieve achieves perform performs use uses using used
    apply applies applied study studies address addresses tackle tackles consider considers propose
    proposes present presents introduce introduces develop develops make makes allow allows
    help helps solve solves show shows demonstrate demonstrates focus focuses aim aims task tasks
    problem problems challenging important key large small good strong based end
    """.split()
)
_NOT_NAMES_DIGIT = frozenset("L0 L1 L2 F1 F2 Q1 Q2 Q3 Q4 H0 H1 H2 P1 P2 R2 COVID".split())
_SIZE = re.compile(
    r"(?:[-_ ](?:\d+(?:\.\d+)?[BMK]|base|large|small|tiny|mini|medium|xl|xxl|XL|XXL|"
    r"Base|Large|Small|Tiny|Mini|"
    r"Instruct|instruct|Chat|chat|turbo|Turbo|mini|Pro|pro|Ultra|Flash|Sonnet|Opus|Haiku|v\d[\w.]*)\b"
    r"|\d+(?:\.\d+)?o\b|-\d+o\b|-[4-9]\b)"
)


@functools.lru_cache(maxsize=1 << 16)
def is_name_shaped(word: str) -> bool:
    """Whether ``word`` looks like a name on its own: inner capitals, or letters with digits (cached).

    All-capital words count only with a digit or a lower-case part ("GPT-4", "BiLSTM"); bare acronyms
    ("NGSIM", "BERT") are left to the lexicon and the abbreviation pairs.

    Examples:
        >>> [is_name_shaped(w) for w in ("LocalMamba", "GPT-4o", "Llama-2-7B", "ResNet-50", "wav2vec", "T5")]
        [True, True, True, True, True, True]
        >>> [is_name_shaped(w) for w in ("However", "NGSIM", "model", "2019", "3D", "McCallum", "OpenAI")]
        [False, False, False, False, False, False, False]
    """
    if not word or not word[0].isalpha() or word in _NOT_NAMES or len(word) < 2:
        return False
    if word.startswith(("Mc", "Mac")) and len(word) > 3 and word[2 if word[1] == "c" else 3].isupper():
        return False
    core = word.split("-")[0]
    if core in _NOT_NAMES:
        return False
    if any(c.isdigit() for c in word):
        if not core[0].isalpha() or core in _NOT_NAMES_DIGIT:
            return False
        return not re.fullmatch(r"[a-z]\d+|[A-Z]\d{3,}|[A-Za-z]+-?\d+(?:st|nd|rd|th|s)", word)
    if "-" in word and core.isupper() and len(core) >= 2:
        return _SIZE.search(word) is not None  # "BERT-large", not "BERT-based"
    return any(c.isupper() for c in core[1:]) and any(c.islower() for c in core)


def shape_type(word: str) -> str:
    """Return the type a name's shape implies: ``model`` for sized or versioned names, else ``method``.

    Examples:
        >>> words = ("Llama-2-7B", "GPT-4o", "BERT-large", "T5-XXL", "ResNet-50", "LocalMamba")
        >>> [shape_type(w) for w in words]
        ['model', 'model', 'model', 'model', 'method', 'method']
    """
    return "model" if _SIZE.search(word) else "method"


def head_type(phrase: str) -> str | None:
    """Return the type a phrase's last word implies, if it is a telling head noun.

    Examples:
        >>> head_type("Deep Interest Network"), head_type("Next Generation Simulation Dataset")
        ('method', 'dataset')
        >>> head_type("click-through rate prediction"), head_type("word error rate"), head_type("Foo")
        ('task', 'metric', None)
    """
    words = phrase.lower().split()
    return _HEAD_TYPE.get(words[-1]) if words else None


# -- the rules ------------------------------------------------------------------------------------------

_NAME = r"[A-Za-z][\w.+]*(?:-[\w.+]+)*"  # one word of a name, hyphen parts included
_TITLE_SEQ = (
    r"(?:[A-Z][\w'+]*(?:-[\w+]+)*)(?:\s+(?:of|for|with|and|to|via|in|on)?\s*[A-Z][\w'+]*(?:-[\w+]+)*){0,5}"
)
_ADJ = (
    r"(?:(?:a|an|the|our|two|three|new|novel|simple|general|unified|first|large-scale|lightweight|efficient|"
    r"effective|scalable|powerful|principled|generic|flexible|fast|robust)\s+)*"
)
_PROPOSE = re.compile(
    r"(?:propose|introduce|present|develop|design|devise|build|construct|release|create|contribute|curate|"
    r"collect|name|call|term|dub)[sd]?\s+" + _ADJ + r"(?P<name>" + _TITLE_SEQ + r"|" + _NAME + r")"
)
_SUBJECT = re.compile(r"(?:\b[Ww]e|[Tt]his (?:paper|work|study|article)|[Hh]ere,?(?: we)?)\s+(?:\w+ly\s+)?$")
_CALLED = re.compile(
    r"\b(?:called|named|dubbed|termed|coined|denoted as|referred to as)\s+(?P<name>"
    + _TITLE_SEQ
    + r"|"
    + _NAME
    + r")"
)
_OURS = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Tt]his (?:paper|work))\b")
_DATASET_HEAD = re.compile(r"(?:" + _DATASET_CUE + r")\b")
_EVAL = re.compile(
    r"(?:evaluat\w*|experiment\w*|test\w*|benchmark\w*|results?|outperform\w*|achiev\w*|state-of-the-art|"
    r"performance|accuracy|trained|train|fine-tun\w*|pre-train\w*|report\w*|perform\w*|validat\w*|"
    r"demonstrat\w*|SOTA|scores?)\b[^.;:]{0,60}?\b(?:on|across|over|using)\s+(?:the\s+)?"
    r"(?P<list>[^.;:()\[\]]{1,160})"
)
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|as well as)\s+")
_LIST_STOP = re.compile(
    r"\s+(?:with|using|by|for|in|to|via|on|at|from|under|when|where|which|that|than|as)\s+"
)
_LIST_HEAD = re.compile(r"(?:\s+(?:" + _DATASET_CUE + r"|data|test sets?|splits?))+$")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_DATASET_WORD = re.compile(r"\b(?:dataset|benchmark|corpus|suite)\b")
_LIST_DETERMINER = re.compile(r"^(?:the|both|all)\s+")
_LOWER_WORD = re.compile(r"[a-z]+")
_OUTPERFORMS = re.compile(r"(?:outperform|surpass|beat)(?:s|es|ed)?\b")
# A run of capitals and digits (the whole run) that may make its word worth a shape check: the runs that
# :func:`_shape_trigger` accepts and a few more, but not the capital that only starts a plain word ("We",
# "The"), most runs. Each alternative follows one of its cases; the first character is matched outside
# them so that the regex engine skips straight to the capitals and digits.
_SHAPE_TRIGGER = re.compile(
    r"[A-Z0-9](?<![A-Z0-9]{2})"  # the run's first character
    r"(?:(?<=[^\W\d_][A-Z0-9])[A-Z0-9]*+"  # after a letter (a superset of str.isalpha)
    r"|(?:(?<=[0-9])|(?=[A-Z]*[0-9]))[A-Z0-9]++"  # two or more, with a digit
    r"|(?<=[0-9])(?![A-Z0-9])"  # one digit
    r"|[A-Z0-9]*+(?=-|[a-z]{0,11}[^ a-z]))"  # before "-" or a non-[a-z] in the next word's 12 characters
)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
_VERSION_TAIL = re.compile(r"\s+\d+(?:\.\d+)+")
_WORDS_BACK = re.compile(r"(?:[A-Za-z0-9][\w.+'-]*\s+)+$")
_TASK_OF = re.compile(r"(?:task|problem)s? of\s+(?P<name>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,4})")
# no look-behind in front (it would make the engine try every position): a head glued to a word or
# hyphen on its left is skipped in the loop instead
_TASK_HEAD = re.compile(r"(?:" + "|".join(_TASK_HEADS) + r")\b(?P<after>\s+tasks?\b)?")
_X_TASK = re.compile(r"tasks?\b(?!-\w)")  # not "task-agnostic", "task-specific"
# Every alternative starts with a literal character, so the regex engine skips ahead to the characters
# that can start one (a leading optional group or character class would make it try every position).
_METRICS = (
    r"(?:accuracy|accuracies|Accuracy|precision|recall|Precision|Recall|F1|F-1|F-measure|"
    r"F-score|BLEU|Bleu|ROUGE(?:-[\w]+)?|METEOR|CIDEr|SPICE|TER|WER|CER|perplexity|Perplexity|mAP|AUC|"
    r"ROC-AUC|AUROC|mIoU|PSNR|SSIM|LPIPS|FID|MRR|NDCG(?:@\d+)?|Hits@\d+|EM|exact match|word error rate|"
    r"character error rate|error rate|MSE|RMSE|MAE|LAS|UAS|Spearman(?:'s)? correlation|Pearson correlation|"
    r"success rate)"
)
_METRIC = re.compile(r"(?P<name>" + _METRICS + r"(?:\s+scores?)?)(?![\w-])")
_TOP_K = re.compile(r"[Tt]op-\d+\s+\Z")  # "top-1 accuracy": searched right before a metric name
_IN_TERMS = re.compile(r"\bin terms of\s+(?P<name>[\w-]+(?:\s+[\w-]+){0,2})")
_TITLE_PREFIX = re.compile(r"^\s*(?P<name>[A-Za-z][\w.+-]*(?:\s+[\w.+-]+){0,3}?)\s*:\s+(?P<rest>\S.*)$", re.S)
_TITLE_STOP = frozenset(
    "abstract background introduction results conclusion conclusions note review survey "
    "position objective objectives methods motivation purpose keywords summary aim aims "
    "context problem findings tl;dr".split()
)


_MODIFIER = re.compile(r"[A-Za-z][\w-]*")


# Words before a task head that are not part of its name: verbs, adverbs' kin and sentence glue
# ("the dataset supports instance-level segmentation", "because unlike single-activity recognition").
_NOT_MODIFIERS = frozenset(
    """
    contain contains support supports guide guides provide provides require requires include includes
    yield yields enable enables boost boosts benefit benefits facilitate facilitates outperform
    outperforms because unlike beyond despite toward towards across baseline available respective
    art conventional typical typically traditional current
    """.split()
)


def _strip_modifiers(words: list[str], keep_head: int = 1) -> list[str]:
    """Keep the head words and the modifiers right before them that are not function words."""
    kept = words[len(words) - keep_head :]
    for word in reversed(words[: len(words) - keep_head]):
        low = word.lower()
        if low in _STOP or low in _NOT_MODIFIERS or low.endswith("ly") or not _MODIFIER.fullmatch(word):
            break
        if word[0].isupper() and not kept:
            break
        kept.insert(0, word)
    return kept


def _name_words(name: str) -> str:
    """Trim a captured name to its name-like part: drop trailing lower-case words and stop words."""
    words = name.split()
    while words and (words[-1].lower() in _STOP or words[-1][0].islower() and len(words) > 1):
        words.pop()
    return " ".join(words)


def _looks_like_name(name: str) -> bool:
    words = name.split()
    if not words or words[0] in _NOT_NAMES or name.lower() in _STOP:
        return False
    if len(words) == 1:
        word = words[0]
        return (
            is_name_shaped(word)
            or (word.isupper() and len(word) >= 2 and word.isalpha())
            or (word[0].isupper() and len(word) >= 3 and word.lower() not in _STOP)
        )
    return all(
        w[0].isupper() or w[0].isdigit() or w in {"of", "for", "with", "and", "to", "via", "in", "on"}
        for w in words
    )


def find_candidates(text: str, *, short: bool | None = None) -> list[Candidate]:
    """Return every candidate the rules find in ``text``, overlapping ones included, sorted.

    Args:
        text: A title or an abstract.
        short: Whether ``text`` is a title (enables the ``X: …`` rule); when ``None`` (a bare string,
            no field known), texts of at most 25 words without a sentence end inside count as titles.

    Examples:
        >>> t = "We propose LocalMamba, which outperforms ViT-B on ImageNet and CIFAR-10."
        >>> [(t[c.start:c.end], c.label, c.role, c.cue)
        ...  for c in find_candidates(t)]  # doctest: +NORMALIZE_WHITESPACE
        [('LocalMamba', 'method', 'proposed', 'propose'), ('LocalMamba', 'method', 'used', 'shape'),
         ('ViT-B', 'method', 'used', 'shape'), ('ImageNet', 'dataset', 'used', 'eval_list'),
         ('ImageNet', 'method', 'used', 'shape'), ('CIFAR-10', 'dataset', 'used', 'eval_list'),
         ('CIFAR-10', 'method', 'used', 'shape')]
        >>> t = "MEND: Fast Model Editing at Scale"
        >>> [(t[c.start:c.end], c.label, c.role, c.cue) for c in find_candidates(t)]
        [('MEND', 'method', 'proposed', 'title')]
    """
    found: list[Candidate] = []

    def add(start: int, end: int, label: str, role: str, cue: str) -> None:
        while end > start and text[end - 1] in ".,;:)":
            end -= 1
        if end > start:
            found.append(Candidate(start, end, label, role, cue))

    cue_starts = _cue_starts(text)
    if short is None:
        short = len(text.split(None, 25)) <= 25 and not _SENTENCE_BREAK.search(text)
    if short and (m := _TITLE_PREFIX.match(text)):
        name = m.group("name").strip()
        if name.lower() not in _TITLE_STOP and _looks_like_name(name):
            rest = m.group("rest").lower()
            label = "dataset" if _DATASET_WORD.search(rest[:60]) else "method"
            add(m.start("name"), m.start("name") + len(name), label, "proposed", "title")
    for m in _scan(_PROPOSE, text, cue_starts.get("propose", ())):
        if (
            m.start()
            and text[m.start() - 1].isalnum()
            or not _SUBJECT.search(text, max(0, m.start() - 30), m.start())
        ):
            continue
        name = _name_words(m.group("name"))
        if _looks_like_name(name):
            start = m.start("name")
            after = text[start + len(name) : start + len(name) + 40].lower()
            label = head_type(name) or _label_after(after) or "method"
            add(start, start + len(name), _fold(label), "proposed", "propose")
    for m in _scan(_CALLED, text, cue_starts.get("called", ())):
        name = _name_words(m.group("name"))
        if _looks_like_name(name):
            sentence_start = max(text.rfind(". ", 0, m.start()), 0)
            ours = _OURS.search(text, sentence_start, m.start()) is not None
            before = text[sentence_start : m.start()].lower()
            label = _label_after(before[-40:], last=True) or head_type(name) or "method"
            add(
                m.start("name"),
                m.start("name") + len(name),
                _fold(label),
                "proposed" if ours else "used",
                "called",
            )
    for m in _scan(_DATASET_HEAD, text, cue_starts.get("dataset_head", ())):
        words = _words_before(text, m.start(), 4)
        tail: list[tuple[int, int, str]] = []
        for item in reversed(words):
            word = item[2]
            if word[0].isupper() or is_name_shaped(word) or any(c.isdigit() for c in word):
                tail.insert(0, item)
            else:
                break
        while tail and tail[0][2].lower() in _STOP:
            tail.pop(0)
        if tail:
            name = text[tail[0][0] : tail[-1][1]]
            if _looks_like_name(name) and not _sentence_initial(text, tail[0][0], len(tail)):
                add(tail[0][0], tail[-1][1], "dataset", "used", "dataset_head")
    for m in _scan(_EVAL, text, cue_starts.get("eval_list", ())):
        position = m.start("list")
        for part in _LIST_SPLIT.split(m.group("list")):
            offset = text.find(part, position)
            position = offset + len(part)
            name = _LIST_HEAD.sub("", _LIST_DETERMINER.sub("", part.strip()))
            cut = _LIST_STOP.split(name, maxsplit=1)
            name = _LIST_HEAD.sub("", cut[0])
            if not name or not _looks_like_name(name) or not any(c.isupper() or c.isdigit() for c in name):
                break
            start = text.find(name, offset)
            add(start, start + len(name), "dataset", "used", "eval_list")
            if len(cut) > 1:
                break
    for m in _scan(_OUTPERFORMS, text, cue_starts.get("outperforms", ())):
        words = _words_before(text, m.start(), 2)
        if words and words[-1][2].endswith("ly"):
            words = words[:-1]
        if words and is_name_shaped(words[-1][2]):
            add(words[-1][0], words[-1][1], shape_type(words[-1][2]), "used", "outperforms")
    seen = -1
    for m in _SHAPE_TRIGGER.finditer(text):
        start, end = m.start(), m.end()
        if start < seen or not _shape_trigger(text, start, end):
            continue
        while start > 0 and text[start - 1] in _WORD_CHARS:
            start -= 1
        while end < len(text) and text[end] in _WORD_CHARS:
            end += 1
        seen = end
        while end > start and text[end - 1] in ".-+":
            end -= 1
        word = text[start:end]
        if start > 0 and text[start - 1] in "/@" or not is_name_shaped(word):
            continue
        if version := _VERSION_TAIL.match(text, end):
            end = version.end()
        after = text[end : end + 16].lower()
        label = _label_after(after) or shape_type(word)
        add(start, end, label, "used", "shape")
    for m in _scan(_TASK_OF, text, cue_starts.get("task_of", ())):
        task_words = m.group("name").split()
        stop_at = next((i for i, w in enumerate(task_words) if i and w.lower() in _STOP), len(task_words))
        name = " ".join(task_words[:stop_at])
        if name and name.lower() not in _STOP:
            add(m.start("name"), m.start("name") + len(name), "task", "used", "task")
    for m in _scan(_TASK_HEAD, text, cue_starts.get("task_head", ())):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"):
            continue
        words = _words_before(text, m.start(), 3) + [(m.start(), m.end(), m.group()[: m.end() - m.start()])]
        head = text[m.start() : m.end()].split()[0]
        words[-1] = (m.start(), m.start() + len(head), head)
        kept = _strip_modifiers([w[2] for w in words])
        start, end = words[len(words) - len(kept)][0], words[-1][1]
        if len(kept) == 1:
            if m.group("after") or head.lower() in _BARE_TASKS:
                add(start, end, "task", "used", "task_bare")
        else:
            add(start, end, "task", "used", "task")
    for m in _X_TASK.finditer(text) if "task" in text else ():
        words = _words_before(text, m.start(), 3)
        kept = _strip_modifiers([w[2] for w in words], keep_head=0)
        if (
            kept
            and " ".join(kept).lower() not in _STOP
            and not any(w.lower() in _HEAD_TYPE for w in kept[:-1])
            and not (len(kept) == 1 and _generic_modifier(kept[0]))
        ):
            add(words[len(words) - len(kept)][0], words[-1][1], "task", "used", "task")
    for m in _scan(_METRIC, text, cue_starts.get("metric", ())):
        start = m.start()
        if start and (top := _TOP_K.search(text, max(0, start - 24), start)):
            start = top.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "-_"):
            continue
        add(start, m.end("name"), "metric", "used", "metric")
    for m in _IN_TERMS.finditer(text) if "in terms of" in text else ():
        name = _metric_phrase(m.group("name"))
        if name:
            add(m.start("name"), m.start("name") + len(name), "metric", "used", "metric")
    return sorted(set(found))


_BARE_TASKS = frozenset("parsing summarization translation classification segmentation".split())


def _metric_phrase(words: str) -> str:
    """Return the measure named after "in terms of", or "".

    A phrase up to its metric head ("test accuracy", "word error rate"), else a name-like first word
    ("BLEU"); nothing for anything else ("test" alone, "both speed").

    Examples:
        >>> _metric_phrase("test accuracy on"), _metric_phrase("BLEU and"), _metric_phrase("both speed and")
        ('test accuracy', 'BLEU', '')
    """
    kept: list[str] = []
    for word in words.split():
        if word.lower() in _STOP:
            break
        kept.append(word)
    heads = [i for i, w in enumerate(kept) if w.lower() in _METRIC_HEADS or w.lower()[:-1] in _METRIC_HEADS]
    if heads:
        return " ".join(kept[: heads[-1] + 1])
    name = _name_words(" ".join(kept))
    if not name or name.lower() in _STOP or name.islower() and " " not in name and len(name) < 5:
        return ""
    return name if not name.islower() else ""


# A lone word before "task" that only qualifies it ("an essential task", "downstream tasks"): adjective
# endings, unless the word is itself a task head ("retrieval"), and generic determiners of kind. On the
# gold train splits, lone adjective-ending words before "task" were a task 15% of the time.
_ADJECTIVE_END = re.compile(r"[a-z-]*(?:al|ive|ous|ful|able|ible|less|ic|ent|ant|ary|ory|ed|stream)")
_GENERIC_KIND = frozenset(
    "main target multiple complex distinct joint diverse single certain difficult latter former larger "
    "given core pretext proxy sub long-horizon real-world multi-step open-ended held-out unseen one".split()
)


def _generic_modifier(word: str) -> bool:
    """Whether ``word`` alone before "task" only qualifies it ("essential", "downstream", "main")."""
    low = word.lower()
    if low in _TASK_HEADS or not word.islower():
        return False
    return low in _GENERIC_KIND or _ADJECTIVE_END.fullmatch(low) is not None


# The literal words every match of a rule starts with (see _scan).
_PROPOSE_CUES = (
    "propose",
    "introduce",
    "present",
    "develop",
    "design",
    "devise",
    "build",
    "construct",
    "release",
    "create",
    "contribute",
    "curate",
    "collect",
    "name",
    "call",
    "term",
    "dub",
)
_CALLED_CUES = ("called", "named", "dubbed", "termed", "coined", "denoted as", "referred to as")
_DATASET_CUES = ("dataset", "benchmark", "corpus", "corpora", "suite", "environment", "simulator", "treebank")
_EVAL_CUES = (
    "evaluat",
    "experiment",
    "test",
    "benchmark",
    "result",
    "outperform",
    "achiev",
    "state-of-the-art",
    "perform",
    "accuracy",
    "train",
    "fine-tun",
    "pre-train",
    "report",
    "validat",
    "demonstrat",
    "SOTA",
    "score",
)
_METRIC_CUES = (
    "accurac",
    "Accuracy",
    "precision",
    "recall",
    "Precision",
    "Recall",
    "F1",
    "F-",
    "BLEU",
    "Bleu",
    "ROUGE",
    "METEOR",
    "CIDEr",
    "SPICE",
    "TER",
    "WER",
    "CER",
    "perplexity",
    "Perplexity",
    "mAP",
    "AUC",
    "ROC-AUC",
    "AUROC",
    "mIoU",
    "PSNR",
    "SSIM",
    "LPIPS",
    "FID",
    "MRR",
    "NDCG",
    "Hits@",
    "EM",
    "exact match",
    "word error rate",
    "character error rate",
    "error rate",
    "MSE",
    "RMSE",
    "MAE",
    "LAS",
    "UAS",
    "Spearman",
    "Pearson correlation",
    "success rate",
)


#: The rules scanned from their cue words, each with every literal its matches can start with.
_SCANNED: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "propose": (_PROPOSE, _PROPOSE_CUES),
    "called": (_CALLED, _CALLED_CUES),
    "dataset_head": (_DATASET_HEAD, _DATASET_CUES),
    "eval_list": (_EVAL, _EVAL_CUES),
    "outperforms": (_OUTPERFORMS, ("outperform", "surpass", "beat")),
    "task_of": (_TASK_OF, ("task", "problem")),
    "task_head": (_TASK_HEAD, tuple(_TASK_HEADS)),
    "metric": (_METRIC, _METRIC_CUES),
}


def _cue_automaton() -> ahocorasick.Automaton:
    """One Aho-Corasick automaton over every rule's cues: cue -> (its length, the rules it starts)."""
    rules: dict[str, list[str]] = {}
    for rule, (_, cues) in _SCANNED.items():
        for cue in cues:
            rules.setdefault(cue, []).append(rule)
    automaton = ahocorasick.Automaton()
    for cue, names in rules.items():
        automaton.add_word(cue, (len(cue) - 1, tuple(names)))
    automaton.make_automaton()
    return automaton


_CUES_AUTOMATON = _cue_automaton()


def _cue_starts(text: str) -> dict[str, list[int]]:
    """Where each rule's cues occur in ``text``: rule -> sorted start offsets (overlapping ones included).

    Rules with no cue in ``text`` are left out.

    One pass of the automaton finds every cue of every rule; ``str.find`` per cue took five times longer.

    Examples:
        >>> _cue_starts("we propose X; word error rate")["metric"]
        [14, 19]
    """
    found: dict[str, set[int]] = {}
    for end, (back, rules) in _CUES_AUTOMATON.iter(text):
        for rule in rules:
            if rule in found:
                found[rule].add(end - back)
            else:
                found[rule] = {end - back}
    return {rule: sorted(starts) for rule, starts in found.items()}


def _scan(pattern: re.Pattern[str], text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text)``, for a pattern whose every match starts at one of ``starts``.

    ``starts`` (sorted, from :func:`_cue_starts`) are the few places where a cue word occurs; the regex
    engine would try its alternatives at nearly every character. Matches are tried in order and never
    overlap, as with ``finditer``.

    Examples:
        >>> text = "F1 and F-1 or xF1, top-1 accuracy; recall"
        >>> found = _scan(_METRIC, text, _cue_starts(text)["metric"])
        >>> [m.group() for m in found] == [m.group() for m in _METRIC.finditer(text)]
        True
    """
    done = 0
    for start in starts:
        if start >= done and (m := pattern.match(text, start)):
            done = max(m.end(), start + 1)
            yield m


def _shape_trigger(text: str, start: int, end: int) -> bool:
    """Whether a run of capitals/digits at ``start:end`` makes its word worth a shape check."""
    run = text[start:end]
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isalpha() or len(run) > 1 and not run.isalpha() or run[-1].isdigit() and after.isalpha():
        return True  # inner capital (LocalMamba), letters with digits (T5, GPT-4o, wav2vec)
    if run.isalpha() and len(run) >= 2 and after == "-":
        return True  # BERT-large
    return (
        after.islower()
        and end + 1 < len(text)
        and any(c.isupper() or c.isdigit() for c in text[end : end + 12].split(" ")[0])
    )


def _words_before(text: str, pos: int, n: int) -> list[tuple[int, int, str]]:
    """The at most ``n`` words right before ``pos``, within the clause, as ``(start, end, word)``."""
    offset = max(0, pos - 24 * n)
    window = text[offset:pos]
    if not window or not window[-1].isspace():
        return []  # no word, or the last one runs into ``pos``
    words = window.rsplit(None, n)  # the last n words; one more part means there are more
    if len(words) > n:
        del words[0]
    elif offset and not window[0].isspace():
        del words[:1]  # the first word, cut in the middle
    kept: list[tuple[int, int, str]] = []
    end = len(window)
    for word in reversed(words):
        if word[-1] in ",.;:)]" or word[0] in "([" or not word[0].isalnum():
            break
        end = window.rfind(word, 0, end)  # the word itself: only spaces follow it up to ``end``
        kept.append((offset + end, offset + end + len(word), word))
    return kept[::-1]


def _fold(label: str) -> str:
    return label


def _label_after(context: str, *, last: bool = False) -> str | None:
    """The type named by the first (or last) telling head word in ``context``."""
    words = _LOWER_WORD.findall(context)
    if last:
        words = words[::-1]
    for word in words[:3]:
        if word in _HEAD_TYPE and _HEAD_TYPE[word] != "metric":
            return _HEAD_TYPE[word]
    return None


def _sentence_initial(text: str, start: int, n_words: int) -> bool:
    """Whether a one-word capitalised name at ``start`` only starts a sentence."""
    if n_words != 1:
        return False
    before = text[:start].rstrip()
    word = text[start:].split()[0] if text[start:].split() else ""
    return (not before or before[-1] in ".!?:") and not is_name_shaped(word) and not word.isupper()


def _select(candidates: list[Candidate]) -> list[Candidate]:
    """Resolve overlaps: the cue of highest precedence wins, then the longer span, then the earlier one."""
    ordered = sorted(candidates, key=lambda c: (CUES[c.cue][1], -(c.end - c.start), c.start, c.label))
    chosen: list[Candidate] = []
    for cand in ordered:
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen)


class PatternFinder:
    """Component writing the cue- and shape-based candidates, one per position."""

    def __init__(self, spans_key: str) -> None:
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Set the patterns span group of ``doc``."""
        spans: list[Span] = []
        scores, roles, cues = [], [], []
        if len(doc):
            text = doc_text(doc)
            field = doc.user_data.get(FIELD_KEY)
            for cand in _select(find_candidates(text, short=None if field is None else field == "title")):
                span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
                if span is None or spans and span.start < spans[-1].end:
                    continue
                span.label_ = cand.label
                span.id_ = entity_key(text[span.start_char : span.end_char])
                spans.append(span)
                scores.append(CUES[cand.cue][0])
                roles.append(cand.role)
                cues.append(cand.cue)
        doc.spans[self.spans_key] = spans
        group = doc.spans[self.spans_key]
        group.attrs["scores"] = scores
        group.attrs["roles"] = roles
        group.attrs["cues"] = cues
        return doc


@extractor(
    "patterns",
    kinds={"method", "dataset", "model", "task", "metric"},
    version=1,
    role="used",
    confidence=0.5,
)
def make_patterns(nlp: Language, name: str, spans_key: str) -> PatternFinder:
    """Names no lexicon knows: "we propose X", "called X", "X: …" titles, "the X dataset", GPT-4o shapes."""
    return PatternFinder(spans_key)
