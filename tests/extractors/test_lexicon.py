from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.extractors import build_nlp
from citekg.extractors.lexicon import LexiconEntry, entity_key, load_lexicon


@pytest.fixture(scope="module")
def lexicon_nlp():
    return build_nlp(["lexicon"])


def _found(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)  # keep the Doc alive while its spans are read
    return {(s.label_, s.id_, s.text) for s in doc.spans["citekg.lexicon"]}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "We fine-tune BERT on GLUE and SQuAD.",
            {("model", "bert", "BERT"), ("dataset", "glue", "GLUE"), ("dataset", "squad", "SQuAD")},
        ),
        (
            "Results on MS COCO and ImageNet.",
            {("dataset", "coco", "MS COCO"), ("dataset", "imagenet", "ImageNet")},
        ),
        ("Results on COCO.", {("dataset", "coco", "COCO")}),
        ("pretrained on imagenet", {("dataset", "imagenet", "imagenet")}),
        (
            "CIFAR-10 and CIFAR-100 and MNIST.",
            {
                ("dataset", "cifar-10", "CIFAR-10"),
                ("dataset", "cifar-100", "CIFAR-100"),
                ("dataset", "mnist", "MNIST"),
            },
        ),
        (
            "Llama-2-7B and Llama 2 and LLaMA.",
            {
                ("model", "llama-2", "Llama-2-7B"),
                ("model", "llama-2", "Llama 2"),
                ("model", "llama", "LLaMA"),
            },
        ),
        (
            "GPT-4o beats GPT-4 and GPT-3.5.",
            {("model", "gpt-4o", "GPT-4o"), ("model", "gpt-4", "GPT-4"), ("model", "gpt-3.5", "GPT-3.5")},
        ),
        (
            "A ResNet-50 backbone with a ViT head.",
            {("model", "resnet-50", "ResNet-50"), ("model", "vit", "ViT")},
        ),
        (
            "Trained with Adam, dropout and LoRA.",
            {("method", "adam", "Adam"), ("method", "dropout", "dropout"), ("method", "lora", "LoRA")},
        ),
        (
            "A Transformer-based policy trained with PPO on MuJoCo and Atari.",
            {
                ("method", "transformer", "Transformer"),
                ("method", "ppo", "PPO"),
                ("dataset", "mujoco", "MuJoCo"),
                ("dataset", "atari", "Atari"),
            },
        ),
        (
            "Evaluated on KITTI, nuScenes and the Waymo Open Dataset.",
            {
                ("dataset", "kitti", "KITTI"),
                ("dataset", "nuscenes", "nuScenes"),
                ("dataset", "waymo-open", "Waymo Open Dataset"),
            },
        ),
        (
            "Stable Diffusion and DDPM samples; BLEU and FID scores.",
            {
                ("model", "stable-diffusion", "Stable Diffusion"),
                ("method", "ddpm", "DDPM"),
                ("metric", "bleu", "BLEU"),
                ("metric", "fid", "FID"),
            },
        ),
        (
            "Segment Anything Model masks and DINOv2 features.",
            {("model", "segment-anything", "Segment Anything Model"), ("model", "dinov2", "DINOv2")},
        ),
        (
            "Wav2Vec 2.0 and Whisper on LibriSpeech.",
            {
                ("model", "wav2vec-2.0", "Wav2Vec 2.0"),
                ("model", "whisper", "Whisper"),
                ("dataset", "librispeech", "LibriSpeech"),
            },
        ),
        # negatives: case matters for case-sensitive entries, whole tokens only
        ("The glue holds; a bert is not a model; a mnist or a squad.", set()),
        ("We whisper softly and use an adam wrench.", set()),
        ("ImageNet-R, Tiny-ImageNet and CIFAR-10-C.", set()),
        (
            "BERT-like and Transformer-based models.",
            {("model", "bert", "BERT"), ("method", "transformer", "Transformer")},
        ),
        ("Reaction kinetics in a sam process.", set()),
        ("", set()),
    ],
)
def test_lexicon_matches(lexicon_nlp, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _found(lexicon_nlp, text) == expected


@pytest.mark.xfail(strict=True, reason="known false positive: a capitalised name that is also a method")
def test_lexicon_adam_as_a_person(lexicon_nlp) -> None:
    assert _found(lexicon_nlp, "Adam Smith wrote it.") == set()


def test_lexicon_longest_match_wins(lexicon_nlp) -> None:
    doc = lexicon_nlp("Results on MS COCO.")
    assert [(s.text, s.start, s.end) for s in doc.spans["citekg.lexicon"]] == [("MS COCO", 2, 4)]


@pytest.mark.parametrize(
    "name, key",
    [("ImageNet", "imagenet"), ("Llama 2", "llama-2"), ("Waymo  Open", "waymo-open"), ("GPT-4o", "gpt-4o")],
)
def test_entity_key(name: str, key: str) -> None:
    assert entity_key(name) == key


def test_lexicon_bundled_file_is_consistent() -> None:
    entries = load_lexicon()
    counts = Counter(entry.label for entry in entries)
    assert counts["dataset"] >= 150 and counts["model"] >= 100 and counts["method"] >= 60
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    # one surface form names one entry (compared the way the matcher compares it)
    seen: dict[str, str] = {}
    for entry in entries:
        for surface in entry.surfaces:
            folded = surface if entry.case_sensitive else surface.lower()
            assert seen.setdefault(folded, entry.key) == entry.key, surface
            assert surface.strip() == surface and surface


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "lex.jsonl:2: not valid JSON"),
        ('{"name": "X"}', 'lex.jsonl:2: an entry needs "name" and "label"'),
        ('{"name": "X", "label": "thing"}', "lex.jsonl:2: unknown label 'thing'; choose one of: dataset"),
    ],
)
def test_load_lexicon_errors(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "lex.jsonl"
    good = json.dumps({"name": "A", "label": "model"})
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_lexicon(path)
    assert str(info.value).replace(str(tmp_path) + "/", "").startswith(message)


def test_lexicon_custom_path(tmp_path: Path) -> None:
    path = tmp_path / "lex.jsonl"
    path.write_text(
        json.dumps({"name": "Foo Net", "label": "model", "aliases": ["FooNet"], "case_sensitive": True})
        + "\n",
        encoding="utf-8",
    )
    assert load_lexicon(path) == (LexiconEntry("Foo Net", "model", ("FooNet",), True),)
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("citekg_lexicon", config={"path": str(path)})
    doc = nlp("FooNet and Foo Net, not foonet.")
    assert [(s.text, s.id_) for s in doc.spans["citekg.lexicon"]] == [
        ("FooNet", "foo-net"),
        ("Foo Net", "foo-net"),
    ]
