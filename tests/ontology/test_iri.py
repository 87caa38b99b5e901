from __future__ import annotations

import doctest
import importlib
import re
from urllib.parse import unquote

import pytest
from citekg.ontology.iri import (
    check_base,
    entity_iri,
    link_iri,
    mention_iri,
    normalize_key,
    paper_id_from_iri,
    paper_iri,
    safe_iri,
    slugify,
)
from citekg.ontology.namespace import CITEKG_NS
from hypothesis import assume, given
from hypothesis import strategies as st

NS = CITEKG_NS
# What an N-Triples IRIREF may not contain.
IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')

MODULES = [
    "citekg.ontology",
    "citekg.ontology.iri",
    "citekg.ontology.namespace",
    "citekg.graph",
    "citekg.graph.build",
    "citekg.graph.store",
    "citekg.graph.queries",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Deep Interest Network (DIN)", "deep-interest-network-din"),
        ("Déjà Vu", "deja-vu"),
        ("GPT-4o", "gpt-4o"),
        ("  --a__b--  ", "a-b"),
        ("日本語", ""),
        ("", ""),
    ],
)
def test_slugify(text, expected):
    assert slugify(text) == expected


@given(st.text())
def test_slugify_idempotent_and_iri_safe(text):
    slug = slugify(text)
    assert slugify(slug) == slug
    assert re.fullmatch(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?", slug)


@pytest.mark.parametrize(
    "key, expected",
    [
        ("Transformer", "transformer"),
        ("Llama 2", "llama-2"),
        ("llama_2", "llama-2"),
        ("LLaMA–2", "llama-2"),
        ("  BERT  base ", "bert-base"),
        ("ResNet/50", "resnet-50"),
        ("C++", "c++"),
        ("Straße", "strasse"),
        ("ＧＬＵＥ", "glue"),  # full-width letters fold under NFKC
        ("---", ""),
        # plural last words fold to the singular, so "X" and "Xs" are one entity
        ("Vision Transformers", "vision-transformer"),
        ("vision-transformer", "vision-transformer"),
        ("LLMs", "llm"),
        ("CNNs", "cnn"),
        ("ViTs", "vit"),
        ("diffusion models", "diffusion-model"),
        ("strategies", "strategy"),
        # not plurals, or not the last word: unchanged
        ("CNNs for detection", "cnns-for-detection"),
        ("corpus", "corpus"),
        ("analysis", "analysis"),
        ("Atlas", "atlas"),
        ("loss", "loss"),
        ("time series", "time-series"),
        ("MAE", "mae"),
        ("GPT-4s", "gpt-4s"),
        ("bus", "bus"),
    ],
)
def test_normalize_key(key, expected):
    assert normalize_key(key) == expected


@pytest.mark.parametrize(
    "label, key, expected",
    [
        ("method", "Transformer", NS + "method/transformer"),
        ("dataset", "WMT 2014", NS + "dataset/wmt-2014"),
        ("Model", "GPT-4o", NS + "model/gpt-4o"),
        ("metric", "F1@k", NS + "metric/f1%40k"),
        ("task", "question answering", NS + "task/question-answering"),
        ("widget", "X", NS + "entity/x"),
        ("method", "Réseau", NS + "method/r%C3%A9seau"),
    ],
)
def test_entity_iri(label, key, expected):
    assert entity_iri(label, key) == expected


@pytest.mark.parametrize("key", ["", "  ", "-_-"])
def test_entity_iri_rejects_empty_key(key):
    with pytest.raises(ValueError, match="empty after normalisation"):
        entity_iri("method", key)


separators = st.sampled_from([" ", "-", "_", "  ", " - ", "/", "\u2013"])
words = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=6),
    min_size=1,
    max_size=4,
)


@given(words=words, seps=st.lists(separators, min_size=3, max_size=3), upper=st.booleans())
def test_entity_iri_equal_for_normalisation_variants(words, seps, upper):
    assume(all(normalize_key(w) for w in words))
    plain = " ".join(words)
    variant = ""
    for i, word in enumerate(words):
        variant += (seps[i % 3] if i else "") + (word.upper() if upper else word.lower())
    assume(normalize_key(plain) == normalize_key(" ".join(w.lower() for w in words)))
    # letters whose upper case folds elsewhere (Turkish dotless i: "ı".upper() == "I") are not variants
    assume(normalize_key(plain) == normalize_key(" ".join(w.upper() for w in words)))
    assert entity_iri("method", plain) == entity_iri("method", variant)


@given(st.text())
def test_normalize_key_idempotent(key):
    assert normalize_key(normalize_key(key)) == normalize_key(key)


@given(a=st.text(min_size=1), b=st.text(min_size=1), label=st.sampled_from(["method", "dataset", "model"]))
def test_entity_iri_equal_iff_normalised_keys_equal(a, b, label):
    assume(normalize_key(a) and normalize_key(b))
    assert (entity_iri(label, a) == entity_iri(label, b)) == (normalize_key(a) == normalize_key(b))
    assert not IRI_UNSAFE.search(entity_iri(label, a))
    # the normalised key is recoverable from the IRI
    assert unquote(entity_iri(label, a).rsplit("/", 1)[1]) == normalize_key(a)


@pytest.mark.parametrize(
    "paper_id, expected",
    [
        ("arxiv:1706.03762", NS + "paper/arxiv/1706.03762"),
        ("arxiv:hep-th/9901001", NS + "paper/arxiv/hep-th%2F9901001"),
        ("doi:10.18653/v1/n19-1423", NS + "paper/doi/10.18653%2Fv1%2Fn19-1423"),
        ("doi:10.1002/(sici)1097-4571", NS + "paper/doi/10.1002%2F%28sici%291097-4571"),
        ("openalex:W2963403868", NS + "paper/openalex/W2963403868"),
        ("title:37f63852cdfb0690", NS + "paper/title/37f63852cdfb0690"),
        ("ArXiv:1706.03762", NS + "paper/arxiv/1706.03762"),
    ],
)
def test_paper_iri(paper_id, expected):
    assert paper_iri(paper_id) == expected
    assert paper_id_from_iri(expected) == paper_id.replace("ArXiv", "arxiv")


@pytest.mark.parametrize("paper_id", ["1706.03762", ":x", "arxiv:", ""])
def test_paper_iri_rejects_unprefixed_ids(paper_id):
    with pytest.raises(ValueError, match="not scheme-prefixed"):
        paper_iri(paper_id)


@pytest.mark.parametrize(
    "iri", [NS + "method/bert", "http://other.org/paper/arxiv/1", NS + "paper/arxiv", NS + "paper/a/b/c"]
)
def test_paper_id_from_iri_rejects_non_papers(iri):
    assert paper_id_from_iri(iri) is None


@given(scheme=st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True), value=st.text(min_size=1))
def test_paper_iri_round_trip_and_safe(scheme, value):
    assume(value.strip() == value)
    paper_id = f"{scheme}:{value}"
    iri = paper_iri(paper_id, base="http://example.org/kg/")
    assert not IRI_UNSAFE.search(iri)
    assert paper_id_from_iri(iri, base="http://example.org/kg/") == paper_id


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ("arxiv:1706.03762", "abstract", 10, 21, "method"),
            NS + "mention/arxiv/1706.03762/abstract/10-21/method",
        ),
        (("doi:10.1/a", "title", 0, 4, "Dataset"), NS + "mention/doi/10.1%2Fa/title/0-4/dataset"),
    ],
)
def test_mention_iri(args, expected):
    assert mention_iri(*args) == expected


def test_mention_iri_distinguishes_spans_and_labels():
    iris = {
        mention_iri("arxiv:1", field, start, end, label)
        for field in ("title", "abstract")
        for start, end in ((0, 4), (0, 5), (1, 5))
        for label in ("method", "model")
    }
    assert len(iris) == 12


@pytest.mark.parametrize(
    "url, kind, expected",
    [
        ("https://github.com/google-research/bert", "code", NS + "repo/github.com/google-research/bert"),
        ("http://github.com/google-research/bert/", "code", NS + "repo/github.com/google-research/bert"),
        ("https://nerf.github.io", "project_page", NS + "page/nerf.github.io"),
        ("https://sites.google.com/view/x y", "project_page", NS + "page/sites.google.com/view/x%20y"),
        ("https://huggingface.co/bert-base", "model_hub", NS + "link/model_hub/huggingface.co/bert-base"),
        ("https://example.org/a?b=c&d", "other", NS + "link/other/example.org/a%3Fb%3Dc%26d"),
        ("https://example.org/x", "", NS + "link/other/example.org/x"),
    ],
)
def test_link_iri(url, kind, expected):
    assert link_iri(url, kind) == expected


def test_link_iri_rejects_empty_url():
    with pytest.raises(ValueError, match="empty"):
        link_iri("https://", "code")


@given(url=st.text(min_size=1), kind=st.sampled_from(["code", "project_page", "other"]))
def test_link_iri_always_iri_safe(url, kind):
    assume(url.strip().strip("/"))
    try:
        iri = link_iri(url, kind)
    except ValueError:
        return
    assert not IRI_UNSAFE.search(iri)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ('https://example.org/"x"', "https://example.org/%22x%22"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("example.org/x", None),
        ("/relative", None),
    ],
)
def test_safe_iri(url, expected):
    assert safe_iri(url) == expected


@pytest.mark.parametrize("base", ["https://w3id.org/citekg/", "http://example.org/kg#", "urn://x/"])
def test_check_base_accepts(base):
    assert check_base(base) == base


@pytest.mark.parametrize(
    "base", ["", "example.org/", "http://example.org", "http:///", "http://a b/", "http://x/<y>/"]
)
def test_check_base_rejects(base):
    with pytest.raises(ValueError, match="must be absolute"):
        check_base(base)
