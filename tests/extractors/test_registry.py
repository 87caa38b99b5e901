from __future__ import annotations

import ast
from pathlib import Path

import pytest
import spacy
from citekg.errors import UnknownNameError
from citekg.extractors import (
    BUILTIN_EXTRACTORS,
    DuplicateExtractorError,
    build_nlp,
    extractor,
    get_extractor,
    list_extractors,
)

REPO = Path(__file__).resolve().parents[2]


def test_registry_lists_builtins_in_order() -> None:
    assert BUILTIN_EXTRACTORS == ("links", "lexicon", "abbreviations", "patterns", "ner", "resolver")
    registered = [info.name for info in list_extractors()]
    assert (
        registered[: len(registered)]
        == [n for n in BUILTIN_EXTRACTORS if n in registered]
        + registered[len([n for n in BUILTIN_EXTRACTORS if n in registered]) :]
    )


@pytest.mark.parametrize(
    "name, factory, output, kinds",
    [
        (
            "links",
            "citekg_links",
            "links",
            {"code", "project_page", "dataset", "model_hub", "paper", "doi", "other"},
        ),
        ("lexicon", "citekg_lexicon", "mentions", {"dataset", "model", "method", "task", "metric"}),
        ("abbreviations", "citekg_abbreviations", "pairs", {"long_form", "short_form"}),
        ("patterns", "citekg_patterns", "mentions", {"dataset", "model", "method", "task", "metric"}),
        ("resolver", "citekg_resolver", "mentions", {"dataset", "model", "method", "task", "metric"}),
    ],
)
def test_registry_builtin_info(name: str, factory: str, output: str, kinds: set[str]) -> None:
    info = get_extractor(name)
    assert (info.factory, info.output, set(info.kinds)) == (factory, output, kinds)
    assert spacy.blank("en").add_pipe(factory) is not None


def test_registry_unknown_name_lists_options() -> None:
    with pytest.raises(UnknownNameError) as error:
        get_extractor("datasets")
    assert str(error.value).startswith(
        "unknown extractor 'datasets'; choose one of: abbreviations, lexicon, links"
    )


def test_build_nlp_unknown_name() -> None:
    with pytest.raises(UnknownNameError, match="unknown extractor 'nope'"):
        build_nlp(["links", "nope"])


FAST = ["citekg_links", "citekg_lexicon", "citekg_abbreviations", "citekg_patterns", "citekg_resolver"]


@pytest.mark.parametrize(
    "names, fast, pipes",
    [
        (None, True, FAST),
        (["lexicon"], False, ["citekg_lexicon"]),
        (["lexicon"], True, ["citekg_lexicon"]),
        ([], False, []),
    ],
)
def test_build_nlp_pipes(names, fast, pipes) -> None:
    assert build_nlp(names, fast=fast).pipe_names == pipes


def test_build_nlp_default_is_fast_plus_ner_when_it_loads() -> None:
    from citekg.extractors.nlp import _model_available

    pipes = build_nlp().pipe_names
    registered = "ner" in {info.name for info in list_extractors()}
    if registered and _model_available("ner"):
        assert pipes == FAST[:4] + ["citekg_ner"] + FAST[4:]
    else:
        assert pipes == FAST  # falls back to rules (a warning is logged)


def test_build_nlp_startup_is_quick() -> None:
    import subprocess
    import sys
    import time

    code = "from citekg.extractors import build_nlp; build_nlp(fast=True)('We use BERT.')"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    assert time.perf_counter() - start < 10  # target 2 s on an idle machine; loose here (shared CPU)


def test_registry_duplicate_name_is_refused() -> None:
    def make_other(nlp, name, spans_key):
        """Another links."""
        return lambda doc: doc

    with pytest.raises(DuplicateExtractorError, match="'links' is already registered"):
        extractor("links", kinds={"other"})(make_other)


@pytest.mark.parametrize(
    "name", [n for n in BUILTIN_EXTRACTORS if (REPO / "extractors" / f"{n}.py").is_file()]
)
def test_registry_builtin_has_tests_and_docstring(name: str) -> None:
    assert (REPO / "tests" / "extractors" / f"test_{name}.py").is_file()
    module = ast.parse((REPO / "extractors" / f"{name}.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(module)
