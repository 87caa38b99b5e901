"""Gold readers: hand-written fixtures per format, error cases, and the real corpora in ../shared/gold."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from citekg.errors import CitekgWarning, InputError, UnknownNameError
from citekg.gold import (
    GOLD_FORMATS,
    GoldDoc,
    get_gold_format,
    join_tokens,
    parse_gold_spec,
    read_contract,
    read_gold,
    read_scier,
    read_scier_llm,
    read_scierc,
    read_tdmsci,
)

DATA = Path(__file__).parent / "data"


def surfaces(doc: GoldDoc) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


FIXTURES = [
    (
        "scierc",
        lambda: read_scierc(DATA / "scierc.json"),
        [
            (
                "toy-1",
                "We train a conditional random field (CRF) on the Penn Treebank. It improves F1 for parsing.",
                [
                    ("conditional random field", "method"),
                    ("CRF", "method"),
                    ("Penn Treebank", "dataset"),
                    ("F1", "metric"),
                    ("parsing", "task"),
                ],
            ),
            ("toy-2", 'A "toy" system.', []),  # OtherScientificTerm dropped
        ],
    ),
    (
        "scierc-raw-tokens",
        lambda: read_scierc(DATA / "scierc.json", detokenize=False),
        [
            (
                "toy-1",
                "We train a conditional random field -LRB- CRF -RRB- on the Penn Treebank . "
                "It improves F1 for parsing .",
                [
                    ("conditional random field", "method"),
                    ("CRF", "method"),
                    ("Penn Treebank", "dataset"),
                    ("F1", "metric"),
                    ("parsing", "task"),
                ],
            ),
            ("toy-2", "A `` toy '' system .", []),
        ],
    ),
    (
        "tdmsci",
        lambda: read_tdmsci(DATA / "tdmsci.conll"),
        [
            (
                "tdmsci#0",
                "We report BLEU on WMT14 for machine translation.",
                [("BLEU", "metric"), ("WMT14", "dataset"), ("machine translation", "task")],
            ),
            ("tdmsci#1", "Results improve.", []),  # a wide gap becomes one space
            ("tdmsci#2", "SQuAD is hard", [("SQuAD", "dataset")]),  # an offset running backwards
        ],
    ),
    (
        "scier-sentences",
        lambda: read_scier(DATA / "scier_plm.jsonl"),
        [
            ("d1#0", "We fine-tune BERT on SQuAD.", [("BERT", "method"), ("SQuAD", "dataset")]),
            ("d1#1", "Question answering is hard.", [("Question answering", "task")]),
        ],
    ),
    (
        "scier-document",
        lambda: read_scier(DATA / "scier_plm.jsonl", unit="document"),
        [
            (
                "d1",
                "We fine-tune BERT on SQuAD. Question answering is hard.",
                [("BERT", "method"), ("SQuAD", "dataset"), ("Question answering", "task")],
            ),
        ],
    ),
    (
        "scier-llm",
        lambda: read_scier_llm(DATA / "scier_llm.jsonl"),
        [
            ("d1#0", "We fine-tune BERT on SQuAD.", [("BERT", "method"), ("SQuAD", "dataset")]),
            # two annotations of the same string take its first two occurrences, in order
            ("d1#1", "BERT beats BERT-small on BERT tasks.", [("BERT", "method"), ("BERT", "method")]),
        ],
    ),
    (
        "citekg-title-abstract",
        lambda: read_contract(DATA / "contract.jsonl"),
        [
            (
                "arxiv:2110.11309",
                "MEND: Fast Model Editing at Scale\n\nWe propose MEND, evaluated on zsRE with GPT-J.",
                [("MEND", "method"), ("MEND", "method"), ("zsRE", "dataset"), ("GPT-J", "model")],
            ),
            ("p2", "Top-1 accuracy on ImageNet.", [("Top-1 accuracy", "metric"), ("ImageNet", "dataset")]),
        ],
    ),
    (
        "citekg-abstract-only",
        lambda: read_contract(DATA / "contract.jsonl", fields=("abstract",)),
        [
            (
                "arxiv:2110.11309",
                "We propose MEND, evaluated on zsRE with GPT-J.",
                [("MEND", "method"), ("zsRE", "dataset"), ("GPT-J", "model")],
            ),
            ("p2", "Top-1 accuracy on ImageNet.", [("Top-1 accuracy", "metric"), ("ImageNet", "dataset")]),
        ],
    ),
]


@pytest.mark.parametrize("name, read, expected", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_reader_fixture(name, read, expected):
    docs = list(read())
    assert [(d.doc_id, d.text, surfaces(d)) for d in docs] == expected


@pytest.mark.parametrize(
    "tokens, text",
    [
        (["a", "-LRB-", "b", "-RRB-", "."], "a (b)."),
        (["state", "-", "of", "-", "the", "-", "art"], "state-of-the-art"),
        (["2", "-", "3", "-"], "2-3 -"),  # a trailing dash has nothing to glue to
        (["x", "-", "(", "y", ")"], "x - (y)"),
        (["said", '"', "hi", '"', "twice", '"', "yo", '"'], 'said "hi" twice "yo"'),
        (["it", "'s", "n't"], "it'sn't"),
        ([], ""),
    ],
)
def test_join_tokens_detokenizes(tokens, text):
    joined, starts = join_tokens(tokens)
    assert joined == text
    assert len(starts) == len(tokens)
    for token, start in zip(tokens, starts, strict=True):
        assert joined[start : start + len(token)] == token or token.startswith("-") or token in ("``", "''")


# -- errors -------------------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name, content, read, message",
    [
        ("bad.json", "{not json\n", read_scierc, "bad.json:1: not valid JSON"),
        ("list.json", "[1, 2]\n", read_scierc, "list.json:1: expected one JSON object per line"),
        ("nokey.json", '{"sentences": [["a"]]}\n', read_scierc, "nokey.json:1: not a SciERC record"),
        (
            "label.json",
            '{"sentences": [["a"]], "ner": [[[0, 0, "Thing"]]], "doc_key": "x"}\n',
            read_scierc,
            "label.json:1: unknown label 'Thing'; the mapping knows: Method, Material",
        ),
        (
            "range.json",
            '{"sentences": [["a"]], "ner": [[[0, 3, "Task"]]], "doc_key": "x"}\n',
            read_scierc,
            "range.json:1: span [0, 3] outside 1 tokens",
        ),
        ("cols.conll", "a\t0\n", read_tdmsci, "cols.conll:1: expected 'token<TAB>offset<TAB>tag'"),
        ("tag.conll", "a\t0\tB-MODEL\n", read_tdmsci, "tag.conll:1: unknown label 'MODEL'"),
        (
            "cross.jsonl",
            '{"doc_id": "d", "sentences": [["a"], ["b"]], "ner": [[[0, 1, "Task"]], []]}\n',
            read_scier,
            "cross.jsonl:1: d#0: span [0, 1] outside its unit",
        ),
        (
            "field.jsonl",
            '{"id": "p", "abstract": "ab", "mentions": [{"start": 0, "end": 1, "label": "task", '
            '"field": "body"}]}\n',
            read_contract,
            "field.jsonl:1: p: unknown field 'body'",
        ),
        (
            "off.jsonl",
            '{"id": "p", "abstract": "ab", "mentions": [{"start": 0, "end": 5, "label": "task"}]}\n',
            read_contract,
            "off.jsonl:1: p: span [0, 5) outside the abstract",
        ),
        (
            "text.jsonl",
            '{"id": "p", "abstract": "ab", "mentions": [{"start": 0, "end": 1, "label": "task", '
            '"text": "b"}]}\n',
            read_contract,
            "text.jsonl:1: p: mention text 'b' differs from the abstract",
        ),
        (
            "label.jsonl",
            '{"id": "p", "abstract": "ab", "mentions": [{"start": 0, "end": 1, "label": "Task"}]}\n',
            read_contract,
            "label.jsonl:1: unknown label 'Task'",
        ),
    ],
)
def test_reader_rejects(tmp_path, name, content, read, message):
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        list(read(path))
    assert str(info.value).startswith(f"{path}:") and message.split(":", 1)[1] in str(info.value)


def test_reader_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        list(read_scierc(tmp_path / "absent.json"))


def test_scier_llm_warns_on_missing_mention(tmp_path):
    path = write(
        tmp_path,
        "llm.jsonl",
        json.dumps({"doc_id": "d", "sentence": "no names .", "ner": [["GPT", "Method"]]}),
    )
    with pytest.warns(CitekgWarning, match="mention 'GPT' not found"):
        docs = list(read_scier_llm(path))
    assert docs == [GoldDoc("d#0", "no names.", ())]


def test_scier_rejects_unknown_unit():
    with pytest.raises(ValueError, match="unit must be"):
        list(read_scier(DATA / "scier_plm.jsonl", unit="paragraph"))  # type: ignore[arg-type]


def test_contract_rejects_unknown_field_choice():
    with pytest.raises(ValueError, match="fields must be drawn"):
        list(read_contract(DATA / "contract.jsonl", fields=("body",)))


# -- registry and specs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("scierc:a/test.json", ("scierc", Path("a/test.json"))),
        ("tdmsci:/x/test.conll", ("tdmsci", Path("/x/test.conll"))),
        ("scier:c:/odd:name.jsonl", ("scier", Path("c:/odd:name.jsonl"))),  # only the first colon splits
        ("citekg:gold.jsonl", ("citekg", Path("gold.jsonl"))),
    ],
)
def test_parse_gold_spec(spec, expected):
    assert parse_gold_spec(spec) == expected


@pytest.mark.parametrize(
    "spec, error, message",
    [
        (
            "brat:x.ann",
            UnknownNameError,
            "unknown gold format 'brat'; choose one of: citekg, scier, scier-llm, scierc, tdmsci",
        ),
        (
            "test.json",
            UnknownNameError,
            "unknown gold format ''; choose one of: citekg, scier, scier-llm, scierc, tdmsci",
        ),
        (
            "scierc:",
            InputError,
            "scierc:: no file after the format; write FORMAT:PATH, e.g. scierc:test.json",
        ),
    ],
)
def test_parse_gold_spec_rejects(spec, error, message):
    with pytest.raises(error) as info:
        parse_gold_spec(spec)
    assert str(info.value) == message


def test_registry_names_and_types():
    assert sorted(GOLD_FORMATS) == ["citekg", "scier", "scier-llm", "scierc", "tdmsci"]
    assert get_gold_format("scierc").mapping.predicted_label("model") == "method"
    assert get_gold_format("scier").mapping.types == ("method", "dataset", "task")
    assert get_gold_format("tdmsci").mapping.predicted_label("method") is None
    assert get_gold_format("citekg").mapping.predicted_label("model") == "model"


def test_read_gold_passes_options():
    docs = read_gold(f"scier:{DATA / 'scier_plm.jsonl'}", unit="document")
    assert [d.doc_id for d in docs] == ["d1"]


# -- the real corpora ---------------------------------------------------------------------------------------

# (spec relative to ../shared/gold, reader options, units, spans per citekg type) — counts from each SOURCE.md
REAL = [
    (
        "scierc:scierc/processed_json/train.json",
        {},
        350,
        {"method": 1445, "task": 894, "dataset": 542, "metric": 231},
    ),
    ("scierc:scierc/processed_json/dev.json", {}, 50, None),
    (
        "scierc:scierc/processed_json/test.json",
        {},
        100,
        {"method": 430, "task": 263, "dataset": 158, "metric": 71},
    ),
    ("tdmsci:tdmsci/train_1500_v2.conll", {}, 1523, {"task": 1219, "dataset": 420, "metric": 536}),
    ("tdmsci:tdmsci/test_500_v2.conll", {}, 487, {"task": 396, "dataset": 192, "metric": 174}),
    ("scier:scier/PLM/dev.jsonl", {}, 713, {"method": 1549, "task": 416, "dataset": 269}),
    ("scier:scier/PLM/test.jsonl", {}, 854, {"method": 1890, "task": 688, "dataset": 370}),
    ("scier:scier/PLM/test_ood.jsonl", {}, 580, {"method": 1018, "task": 194, "dataset": 83}),
    ("scier:scier/PLM/test.jsonl", {"unit": "document"}, 10, {"method": 1890, "task": 688, "dataset": 370}),
    ("scier-llm:scier/LLM/train.jsonl", {}, 5575, {"method": 11424, "task": 3397, "dataset": 3220}),
]


@pytest.fixture(scope="module")
def gold_dir(shared_dir: Path) -> Path:
    path = shared_dir / "gold"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.mark.parametrize("spec, options, units, per_type", REAL, ids=[f"{r[0]}{r[1] or ''}" for r in REAL])
def test_real_corpus(gold_dir, spec, options, units, per_type):
    name, rel = spec.split(":", 1)
    docs = read_gold(f"{name}:{gold_dir / rel}", **options)
    assert len(docs) == units
    assert len({d.doc_id for d in docs}) == units
    if per_type is not None:
        assert Counter(s.label for d in docs for s in d.spans) == per_type
    for doc in docs:
        for span in doc.spans:
            assert 0 <= span.start < span.end <= len(doc.text)
            surface = doc.text[span.start : span.end]
            assert surface.strip() == surface != ""


def test_real_scierc_matches_raw_brat(gold_dir):
    """Rebuilt spans read like the upstream BRAT annotations (whitespace aside; 3 use an en dash there)."""
    mapping = {"Method": "method", "Material": "dataset", "Task": "task", "Metric": "metric"}
    ours: Counter[tuple[str, str, str]] = Counter()
    brat: Counter[tuple[str, str, str]] = Counter()
    for doc in read_scierc(gold_dir / "scierc/processed_json/test.json"):
        for s in doc.spans:
            ours[(doc.doc_id, s.label, re.sub(r"\s+", "", doc.text[s.start : s.end]))] += 1
        for line in (
            (gold_dir / "scierc/raw_brat" / f"{doc.doc_id}.ann").read_text(encoding="utf-8").splitlines()
        ):
            if line.startswith("T"):
                _, info, text = line.split("\t")
                if info.split()[0] in mapping:
                    brat[(doc.doc_id, mapping[info.split()[0]], re.sub(r"\s+", "", text))] += 1
    assert sum(ours.values()) == sum(brat.values()) == 922
    assert sum((ours & brat).values()) >= 919


def test_real_tdmsci_matches_brat(gold_dir):
    ours = Counter(
        (s.label, re.sub(r"\s", "", d.text[s.start : s.end]))
        for d in read_tdmsci(gold_dir / "tdmsci/test_500_v2.conll")
        for s in d.spans
    )
    brat = Counter()
    for line in (gold_dir / "tdmsci/test_brat.ann").read_text(encoding="utf-8").splitlines():
        _, info, text = line.split("\t")
        brat[(info.split()[0].lower(), re.sub(r"\s", "", text))] += 1
    assert ours == brat
