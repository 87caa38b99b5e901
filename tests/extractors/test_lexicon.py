from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.extractors import build_nlp
from citekg.extractors.lexicon import LexiconEntry, entity_key, load_lexicon
from citekg.extractors.nlp import blank_english


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
        (
            "ImageNet-R, Tiny-ImageNet and CIFAR-10-C results.",
            {
                ("dataset", "imagenet-r", "ImageNet-R"),
                ("dataset", "tiny-imagenet", "Tiny-ImageNet"),
                ("dataset", "cifar-10-c", "CIFAR-10-C"),
            },
        ),
        # a variant glued to a capitalised word that is not an entry names something else
        ("COCO-Foo and GLUE-X and Bar-MNIST.", set()),
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


# -- v2: variants, versions, ambiguity, false positives ----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # versioned families: the span covers the suffix, the key is the family's
        (
            "We fine-tune BERT-large and RoBERTa-base.",
            {("model", "bert", "BERT-large"), ("model", "roberta", "RoBERTa-base")},
        ),
        ("Llama-3.1-8B-Instruct answers.", {("model", "llama-3", "Llama-3.1-8B-Instruct")}),
        ("Mistral-7B-Instruct-v0.2 is small.", {("model", "mistral-7b", "Mistral-7B-Instruct-v0.2")}),
        ("A ViT-B/16 encoder.", {("model", "vit", "ViT-B/16")}),
        (
            "Whisper large on LibriSpeech.",
            {("model", "whisper", "Whisper large"), ("dataset", "librispeech", "LibriSpeech")},
        ),
        (
            "GPT-3.5-turbo and GPT-4-Turbo.",
            {("model", "gpt-3.5", "GPT-3.5-turbo"), ("model", "gpt-4-turbo", "GPT-4-Turbo")},
        ),
        (
            "ResNet-152 and ResNet-50 backbones.",
            {("model", "resnet-152", "ResNet-152"), ("model", "resnet-50", "ResNet-50")},
        ),
        # plurals, hyphen and lower-case forms of method and model names
        (
            "vision transformers and a Vision-Transformer",
            {("model", "vit", "vision transformers"), ("model", "vit", "Vision-Transformer")},
        ),
        (
            "GANs, LSTMs and Transformers.",
            {
                ("method", "gan", "GANs"),
                ("method", "lstm", "LSTMs"),
                ("method", "transformer", "Transformers"),
            },
        ),
        ("Generative Adversarial Networks", {("method", "gan", "Generative Adversarial Networks")}),
        ("a self attention layer", {("method", "self-attention", "self attention")}),
        # tasks and metrics in any case; acronyms only as written
        (
            "Named Entity Recognition and NER; ner is not it.",
            {
                ("task", "named-entity-recognition", "Named Entity Recognition"),
                ("task", "named-entity-recognition", "NER"),
            },
        ),
        (
            "click-through rate prediction and trajectory prediction",
            {
                ("task", "click-through-rate-prediction", "click-through rate prediction"),
                ("task", "trajectory-prediction", "trajectory prediction"),
            },
        ),
        (
            "Top-1 accuracy, mAP, FID, perplexity and ROUGE-L scores",
            {
                ("metric", "top-1-accuracy", "Top-1 accuracy"),
                ("metric", "map", "mAP"),
                ("metric", "fid", "FID"),
                ("metric", "perplexity", "perplexity"),
                ("metric", "rouge-l", "ROUGE-L"),
            },
        ),
        (
            "semantic segmentation on Cityscapes",
            {
                ("task", "semantic-segmentation", "semantic segmentation"),
                ("dataset", "cityscapes", "Cityscapes"),
            },
        ),
        # ambiguous short forms: the entry whose words are near wins, else a metric next to a number
        (
            "The mean absolute error (MAE) drops.",
            {
                ("metric", "mean-absolute-error", "mean absolute error"),
                ("metric", "mean-absolute-error", "MAE"),
            },
        ),
        (
            "We pretrain with MAE on ImageNet.",
            {("model", "masked-autoencoders", "MAE"), ("dataset", "imagenet", "ImageNet")},
        ),
        ("An MAE of 3.2 is reported.", {("metric", "mean-absolute-error", "MAE")}),
        (
            "Segment Anything (SAM) gives masks.",
            {("model", "segment-anything", "Segment Anything"), ("model", "segment-anything", "SAM")},
        ),
        (
            "We train with sharpness-aware minimization (SAM).",
            {
                ("method", "sharpness-aware-minimization", "sharpness-aware minimization"),
                ("method", "sharpness-aware-minimization", "SAM"),
            },
        ),
        # false positives: people, longer capitalised names, capitalised common words opening a sentence
        ("Claude Shannon founded information theory.", set()),
        (
            "Google Gemini and OpenAI GPT-4 are compared.",
            {("model", "gemini", "Gemini"), ("model", "gpt-4", "GPT-4")},
        ),
        ("Atlas of the world. Twins are common.", set()),
        ("The Atlas model retrieves passages.", {("model", "atlas", "Atlas")}),
        # titles skip the neighbour checks
        (
            "Improving Adam Convergence For BERT Fine-Tuning",
            {("method", "adam", "Adam"), ("model", "bert", "BERT")},
        ),
        # generic words and phrases are not entries
        (
            "We propose a model and a method: a neural network with deep learning and adversarial training.",
            set(),
        ),
        ("However, Recent work uses the dataset https://github.com/a/b and 3.5 points.", set()),
        ("We", set()),
    ],
)
def test_lexicon_v2_matches(lexicon_nlp, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _found(lexicon_nlp, text) == expected


@pytest.mark.parametrize(
    "text, scores",
    [
        ("BERT on GLUE.", [0.9, 0.9]),
        ("We used Adam.", [0.5]),  # a common word and a person's name
        ("An MAE of 3.2.", [0.4]),  # two entries claim the surface
    ],
)
def test_lexicon_scores(lexicon_nlp, text: str, scores: list[float]) -> None:
    doc = lexicon_nlp(text)
    group = doc.spans["citekg.lexicon"]
    assert group.attrs["scores"] == scores
    assert len(group.attrs["scores"]) == len(group)


def test_lexicon_scores_survive_docbin(lexicon_nlp) -> None:
    from spacy.tokens import DocBin

    doc = lexicon_nlp("We used Adam on ImageNet.")
    restored = next(DocBin(docs=[doc], store_user_data=True).get_docs(lexicon_nlp.vocab))
    assert restored.spans["citekg.lexicon"].attrs["scores"] == [0.5, 0.9]


def test_surface_forms_variants() -> None:
    from citekg.extractors.lexicon import surface_forms

    forms = {
        (text, exact)
        for text, exact, _ in surface_forms(
            LexiconEntry("GAN", "method", ("generative adversarial network",), True)
        )
    }
    assert forms == {
        ("GAN", True),
        ("GANs", True),
        ("generative adversarial network", False),
        ("generative adversarial networks", False),
        ("generative-adversarial-network", False),
        ("generative-adversarial-networks", False),
    }
    # ambiguous names get no variants; datasets get no plurals
    assert {t for t, _, _ in surface_forms(LexiconEntry("Adam", "method", ambiguous=True))} == {"Adam"}
    assert {t for t, _, _ in surface_forms(LexiconEntry("Cityscapes", "dataset"))} == {"Cityscapes"}


# -- the bundled data ------------------------------------------------------------------------------------

#: Words and phrases that name no particular thing; none may be an entry or an alias.
GENERIC = {
    "text",
    "corpus",
    "dataset",
    "datasets",
    "data",
    "model",
    "models",
    "method",
    "methods",
    "approach",
    "system",
    "systems",
    "framework",
    "algorithm",
    "network",
    "neural network",
    "neural networks",
    "deep learning",
    "machine learning",
    "adversarial training",
    "training",
    "learning",
    "inference",
    "classification",
    "detection",
    "segmentation",
    "prediction",
    "recognition",
    "generation",
    "optimization",
    "evaluation",
    "performance",
    "quality",
    "efficiency",
    "robustness",
    "loss",
    "error",
    "time",
    "speed",
    "images",
    "image",
    "video",
    "graph",
    "language",
    "english",
    "we",
    "our",
    "encoder",
    "decoder",
    "classifier",
    "attention",
    "embedding",
    "embeddings",
    "features",
    "baseline",
    "benchmark",
    "task",
    "tasks",
    "metric",
    "score",
    "accuracy rate",
    "transfer learning",
    "reinforcement learning",
    "self-supervised learning",
    "contrastive learning",
    "data augmentation",
    "convolution",
    "pooling",
    "regularization",
    "fine-tuning",
    "pre-training",
    "pretraining",
}


@pytest.fixture(scope="module")
def bundled():
    return load_lexicon()


def test_bundled_counts_meet_issue_targets(bundled) -> None:
    counts = Counter(entry.label for entry in bundled)
    assert counts["dataset"] >= 1000 and counts["model"] >= 500 and counts["method"] >= 500, counts
    assert counts["task"] >= 200 and counts["metric"] >= 80, counts


def test_bundled_keys_unique_and_labels_valid(bundled) -> None:
    keys = [entry.key for entry in bundled]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    assert {entry.label for entry in bundled} <= {"dataset", "model", "method", "task", "metric"}
    assert {entry.source for entry in bundled} <= {
        "general",
        "scierc-train",
        "tdmsci-train",
        "scier-train",
        "scirex-train",
        "heddes-train",
    }


def test_bundled_one_surface_one_entry(bundled) -> None:
    """A surface form names one entry, unless every entry claiming it lists it as an ambiguous alias."""
    from citekg.extractors.lexicon import surface_forms

    claims: dict[tuple[str, bool], set[str]] = {}
    shared: dict[tuple[str, bool], set[str]] = {}
    for entry in bundled:
        for text, exact, _ in surface_forms(entry):
            form = (text if exact else text.lower(), exact)
            (shared if text in entry.ambiguous_aliases else claims).setdefault(form, set()).add(entry.key)
        for surface in entry.surfaces:
            assert surface.strip() == surface and surface
    clashes = {form: keys for form, keys in claims.items() if len(keys) > 1}
    assert not clashes
    # a plain surface may not also be another entry's ambiguous alias
    assert not {form: keys for form, keys in shared.items() if claims.get(form, keys) - keys}
    # an exact form and a folded form of two entries may not collide either ("SAM" vs "sam")
    folded = {text: keys for (text, exact), keys in claims.items() if not exact}
    collide = {
        text: keys | folded[text.lower()]
        for (text, exact), keys in claims.items()
        if exact and text.lower() in folded and keys != folded[text.lower()]
    }
    assert not collide


def test_bundled_has_no_generic_words(bundled) -> None:
    """No form matches a generic word as it is usually written ("QuALITY" is fine, "quality" is not)."""
    from citekg.extractors.lexicon import surface_forms

    forms = {text if exact else text.lower() for entry in bundled for text, exact, _ in surface_forms(entry)}
    assert not forms & GENERIC


def test_bundled_token_cache_is_current(bundled) -> None:
    import spacy
    from citekg.extractors.lexicon import token_cache

    path = Path(__file__).resolve().parents[2] / "extractors" / "data" / "lexicon-tokens.json"
    cache = json.loads(path.read_text(encoding="utf-8"))
    if cache["spacy"] != spacy.__version__:
        pytest.skip(
            f"token cache written with spaCy {cache['spacy']}; "
            "run tools/harvest_lexicon.py --write-token-cache"
        )
    assert cache == token_cache(blank_english(), bundled), "run tools/harvest_lexicon.py --write-token-cache"


def test_lexicon_loads_fast() -> None:
    import time

    import spacy
    from citekg.extractors.lexicon import LexiconMatcher

    nlp = spacy.blank("en")
    start = time.process_time()
    LexiconMatcher(nlp, "citekg.lexicon", load_lexicon())
    assert time.process_time() - start < 1.0  # about 0.25 s measured; generous for a busy machine


# -- provenance: no name taken from a test split --------------------------------------------------------


def _harvest_module():
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "tools" / "harvest_lexicon.py"
    spec = importlib.util.spec_from_file_location("harvest_lexicon", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_lexicon_name_comes_from_test_gold_only(bundled) -> None:
    """Names seen in dev/test gold but in no train split must come from general knowledge.

    What this asserts: every lexicon surface whose folded form occurs in dev or test gold and in no
    train split belongs to an entry whose ``source`` is ``general`` (written from general knowledge,
    not harvested). Entries harvested from gold (``source`` = ``<corpus>-train``) must have been seen in
    that train split. It cannot prove where a curator's knowledge came from; it catches harvesting
    from the wrong split.
    """
    harvest = _harvest_module()
    gold = Path(__file__).resolve().parents[2].parent / "shared" / "gold"
    if not gold.is_dir():
        pytest.skip(f"no gold data at {gold}")
    held_out = harvest.test_only_names(gold)
    train = {}
    for (_, surface), corpora in harvest.harvest(gold, "train").items():
        train.setdefault(harvest.fold(surface), set()).update(corpora)
    for entry in bundled:
        for surface in entry.surfaces:
            if entry.source != "general":
                if surface == entry.name:
                    assert entry.source in train.get(harvest.fold(surface), set()), entry
                assert harvest.fold(surface) not in held_out, entry


@pytest.mark.parametrize(
    "tokens, text",
    [
        (["Penn", "Tree", "-", "bank", "-LRB-", "PTB", "-RRB-"], "Penn Tree-bank (PTB)"),
        (["CIFAR", "-", "1", "0"], "CIFAR-10"),
        (["ImageNet"], "ImageNet"),
    ],
)
def test_harvest_join_tokens(tokens: list[str], text: str) -> None:
    assert _harvest_module().join_tokens(tokens) == text
