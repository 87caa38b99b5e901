"""Scoring tables: hand-made gold against predictions with known counts, and the evaluation entry points."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from citekg.errors import InputError, UnknownNameError
from citekg.evaluate import Counts, EvalReport, evaluate, format_report, match_overlap, run_eval, score
from citekg.gold import GoldDoc, GoldSpan, LabelMapping
from citekg.gold.scierc import SCIERC_MAPPING
from citekg.gold.tdmsci import TDMSCI_MAPPING
from citekg.model import Extraction, Mention

DATA = Path(__file__).parent / "data"

#           0         1         2         3         4
#           0123456789012345678901234567890123456789012345
TEXT = "We apply BERT to SQuAD and measure exact match."
BERT, SQUAD, EM = GoldSpan(9, 13, "method"), GoldSpan(17, 22, "dataset"), GoldSpan(35, 46, "metric")


def doc(*spans: GoldSpan, doc_id: str = "d") -> GoldDoc:
    return GoldDoc(doc_id, TEXT, tuple(sorted(spans)))


# (gold spans, predicted spans, types, {type: (exact counts, overlap counts)} as (gold, predicted, matched))
TABLE = [
    pytest.param([BERT], [(9, 13, "method")], None, {"method": ((1, 1, 1), (1, 1, 1))}, id="exact hit"),
    pytest.param(
        [BERT], [(9, 12, "method")], None, {"method": ((1, 1, 0), (1, 1, 1))}, id="partial is overlap only"
    ),
    pytest.param(
        [BERT],
        [(9, 13, "dataset")],
        ("method", "dataset"),
        {"method": ((1, 0, 0), (1, 0, 0)), "dataset": ((0, 1, 0), (0, 1, 0))},
        id="wrong type is no match",
    ),
    pytest.param(
        [BERT], [(13, 17, "method")], None, {"method": ((1, 1, 0), (1, 1, 0))}, id="touching is not overlap"
    ),
    pytest.param(
        [BERT],
        [(9, 13, "method"), (9, 13, "method")],
        None,
        {"method": ((1, 1, 1), (1, 1, 1))},
        id="duplicate prediction counts once",
    ),
    pytest.param(
        [BERT],
        [(9, 11, "method"), (11, 13, "method")],
        None,
        {"method": ((1, 2, 0), (1, 2, 1))},
        id="two halves match one gold span once",
    ),
    pytest.param(
        [GoldSpan(9, 13, "method"), GoldSpan(17, 22, "method")],
        [(9, 22, "method")],
        None,
        {"method": ((2, 1, 0), (2, 1, 1))},
        id="one wide prediction matches one of two",
    ),
    pytest.param(
        [BERT, SQUAD, EM],
        [],
        None,
        {
            "method": ((1, 0, 0), (1, 0, 0)),
            "dataset": ((1, 0, 0), (1, 0, 0)),
            "metric": ((1, 0, 0), (1, 0, 0)),
        },
        id="nothing predicted",
    ),
    pytest.param([], [(9, 13, "method")], ("method",), {"method": ((0, 1, 0), (0, 1, 0))}, id="nothing gold"),
    pytest.param(
        [BERT], [(0, 2, "task")], None, {"method": ((1, 0, 0), (1, 0, 0))}, id="unscored type ignored"
    ),
    pytest.param(
        [BERT, SQUAD],
        [(9, 13, "method"), (17, 26, "dataset"), (35, 46, "dataset")],
        None,
        {"method": ((1, 1, 1), (1, 1, 1)), "dataset": ((1, 2, 0), (1, 2, 1))},
        id="mixed",
    ),
]


@pytest.mark.parametrize("gold, predicted, types, expected", TABLE)
def test_score_table(gold, predicted, types, expected):
    scores = score([doc(*gold)], {"d": predicted}, types=types)
    assert set(scores.types) == set(expected)
    for label, (exact, overlap) in expected.items():
        assert scores.exact[label] == Counts(*exact)
        assert scores.overlap[label] == Counts(*overlap)


def test_score_micro_sums_types_and_docs():
    gold = [doc(BERT, SQUAD, doc_id="a"), doc(EM, doc_id="b"), doc(doc_id="c")]
    predicted = {
        "a": [(9, 13, "method"), (17, 20, "dataset")],
        "b": [(35, 40, "metric"), (0, 2, "metric")],
        "zzz": [(0, 2, "method")],
    }  # predictions for an unknown document are ignored
    scores = score(gold, predicted)
    assert scores.types == ("method", "dataset", "metric")
    assert scores.micro_exact == Counts(gold=3, predicted=4, matched=1)
    assert scores.micro_overlap == Counts(gold=3, predicted=4, matched=3)
    assert (scores.micro_exact.precision, scores.micro_exact.recall) == (0.25, 1 / 3)
    assert scores.micro_overlap.f1 == pytest.approx(2 * 0.75 * 1.0 / 1.75)


@pytest.mark.parametrize(
    "counts, p, r, f",
    [
        (Counts(0, 0, 0), 0.0, 0.0, 0.0),
        (Counts(5, 0, 0), 0.0, 0.0, 0.0),
        (Counts(0, 5, 0), 0.0, 0.0, 0.0),
        (Counts(4, 4, 4), 1.0, 1.0, 1.0),
        (Counts(10, 5, 4), 0.8, 0.4, 2 * 0.8 * 0.4 / 1.2),
    ],
)
def test_counts_rates_never_nan(counts, p, r, f):
    for value, want in ((counts.precision, p), (counts.recall, r), (counts.f1, f)):
        assert not math.isnan(value)
        assert value == pytest.approx(want)


def test_match_overlap_prefers_larger_overlap():
    gold = [(0, 10, "task"), (12, 20, "task")]
    predicted = [(8, 14, "task"), (0, 9, "task")]
    # (0, 9) shares 9 chars with (0, 10); (8, 14) then takes (12, 20), not the already used (0, 10)
    assert match_overlap(gold, predicted) == [
        ((0, 10, "task"), (0, 9, "task")),
        ((12, 20, "task"), (8, 14, "task")),
    ]


def test_score_empty_corpus():
    scores = score([], {})
    assert scores.types == ()
    assert scores.micro_exact == Counts() and scores.micro_overlap.f1 == 0.0
    assert scores.to_dict()["exact"]["micro"]["f1"] == 0.0


# -- evaluate with a stand-in extractor ---------------------------------------------------------------------


def fake_extract(found: dict[str, list[tuple[int, int, str]]]):
    def run(papers):
        for paper in papers:
            assert paper.title == ""
            mentions = tuple(
                Mention(paper.id, label, paper.abstract[s:e], s, e, "abstract", paper.abstract[s:e].lower())
                for s, e, label in found.get(paper.id, ())
            )
            yield Extraction(paper=paper, mentions=mentions, extractor_version="fake-1")

    return run


def test_evaluate_maps_model_to_method_for_scierc():
    gold = [GoldDoc("d", TEXT, (BERT, SQUAD))]
    run = fake_extract({"d": [(9, 13, "model"), (17, 22, "dataset"), (35, 46, "metric")]})
    report = evaluate(gold, run, mapping=SCIERC_MAPPING, corpus="toy")
    assert report.scores.exact["method"] == Counts(1, 1, 1)
    assert report.scores.exact["metric"] == Counts(0, 1, 0)  # metric is scored on SciERC: a false positive
    assert report.scores.micro_exact == Counts(2, 3, 2)
    assert (report.docs, report.chars, report.extractor_version) == (1, len(TEXT), "fake-1")
    assert report.seconds > 0 and report.docs_per_second > 0


def test_evaluate_ignores_unannotated_types_for_tdmsci():
    gold = [GoldDoc("d", TEXT, (SQUAD,))]
    report = evaluate(
        gold,
        fake_extract({"d": [(9, 13, "model"), (0, 2, "method"), (17, 22, "dataset")]}),
        mapping=TDMSCI_MAPPING,
    )
    assert report.scores.types == ("dataset", "task", "metric")
    assert report.scores.micro_exact == Counts(1, 1, 1)


def test_evaluate_without_mapping_scores_gold_labels_as_is():
    report = evaluate([GoldDoc("d", TEXT, (BERT,))], fake_extract({"d": [(9, 13, "model")]}))
    assert report.scores.types == ("method",)
    assert report.scores.exact["method"] == Counts(1, 0, 0)


def test_format_report_states_mapping_and_speed():
    gold = [GoldDoc("d", TEXT, (BERT, SQUAD))]
    report = evaluate(gold, fake_extract({"d": [(9, 13, "model")]}), mapping=SCIERC_MAPPING, corpus="toy")
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0] == f"toy: 1 docs, {len(TEXT)} chars"
    assert lines[1].split() == ["type", "gold", "pred", "exact", "P", "R", "F1", "overlap", "P", "R", "F1"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:8]}
    assert rows["method"] == ["1", "1", "100.0", "100.0", "100.0", "100.0", "100.0", "100.0"]
    assert rows["dataset"] == ["1", "0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0"]
    assert rows["micro"] == ["2", "1", "100.0", "50.0", "66.7", "100.0", "50.0", "66.7"]
    assert (
        "label mapping: gold Method→method, Material→dataset, Task→task, Metric→metric, "
        "OtherScientificTerm/Generic dropped; predicted model→method" in text
    )
    assert "docs/s" in text


def test_report_to_dict_is_json():
    report = EvalReport("x", TDMSCI_MAPPING, score([], {}, types=TDMSCI_MAPPING.types), docs=0, chars=0)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["scores"]["exact"]["micro"] == {
        "gold": 0,
        "predicted": 0,
        "matched": 0,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert data["mapping"]["predicted"] == {"dataset": "dataset", "task": "task", "metric": "metric"}


# -- run_eval -----------------------------------------------------------------------------------------------


def test_run_eval_scores_a_predictions_file(tmp_path):
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps(
            {
                "id": "p2",
                "title": "",
                "abstract": "Top-1 accuracy on ImageNet.",
                "mentions": [
                    {"start": 0, "end": 5, "label": "metric", "field": "abstract"},
                    {"start": 18, "end": 26, "label": "dataset", "field": "abstract"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    data = json.loads(run_eval(f"citekg:{DATA / 'contract.jsonl'}", predictions=predictions, as_json=True))
    exact, overlap = data["scores"]["exact"], data["scores"]["overlap"]
    assert exact["micro"]["gold"] == 6 and exact["micro"]["predicted"] == 2
    assert exact["dataset"]["matched"] == 1 and exact["metric"]["matched"] == 0
    assert overlap["metric"]["matched"] == 1
    assert data["pipeline"] == ["predictions file"]


def test_run_eval_rejects_predictions_on_other_text(tmp_path):
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps({"id": "p2", "abstract": "Other text.", "mentions": []}) + "\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="p2: predictions were made on another text"):
        run_eval(f"citekg:{DATA / 'contract.jsonl'}", predictions=predictions)


def test_run_eval_unknown_format():
    with pytest.raises(UnknownNameError, match="unknown gold format 'conll'"):
        run_eval("conll:x.conll")


def test_label_mapping_override():
    mapping = LabelMapping.from_dicts({"Method": "method"}, {"method": "method"})
    gold = [GoldDoc("d", TEXT, (BERT,))]
    report = evaluate(gold, fake_extract({"d": [(9, 13, "model")]}), mapping=mapping)
    assert report.scores.exact["method"] == Counts(1, 0, 0)  # model is not folded into method here


def test_run_eval_with_the_real_pipeline():
    """The default path builds citekg's pipeline and runs it on every gold text (numbers not asserted)."""
    data = json.loads(run_eval(f"scierc:{DATA / 'scierc.json'}", as_json=True))
    assert data["docs"] == 2 and data["pipeline"]
    assert data["scores"]["exact"]["micro"]["gold"] == 5
    assert data["mapping_text"].endswith("predicted model→method")


def test_bench_script_runs_on_a_small_gold_folder(tmp_path, capsys):
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location(
        "bench_extraction", Path(__file__).parents[2] / "bench" / "extraction.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    gold = tmp_path / "gold"
    (gold / "scierc" / "processed_json").mkdir(parents=True)
    shutil.copy(DATA / "scierc.json", gold / "scierc" / "processed_json" / "test.json")
    (gold / "tdmsci").mkdir()
    shutil.copy(DATA / "tdmsci.conll", gold / "tdmsci" / "test_500_v2.conll")
    out = tmp_path / "numbers.json"
    assert bench.main(["--gold-dir", str(gold), "--json", str(out)]) == 0
    printed = capsys.readouterr()
    assert "SciERC test" in printed.out and "TDMSci test" in printed.out
    assert "skipped SciER test" in printed.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["corpus"] for c in data["corpora"]] == ["SciERC test", "TDMSci test"]
    assert data["corpora"][0]["scores"]["exact"]["micro"]["gold"] == 5
    assert data["nlp_tdms_doc_level"] is None


def test_importing_evaluate_loads_no_spacy():
    import subprocess
    import sys

    code = (
        "import sys, citekg.evaluate, citekg.gold; print('spacy' in sys.modules, 'tabulate' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
