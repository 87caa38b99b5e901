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
    assert BUILTIN_EXTRACTORS == ("links", "lexicon")
    assert [info.name for info in list_extractors()][:2] == ["links", "lexicon"]


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
    ],
)
def test_registry_builtin_info(name: str, factory: str, output: str, kinds: set[str]) -> None:
    info = get_extractor(name)
    assert (info.factory, info.output, set(info.kinds)) == (factory, output, kinds)
    assert spacy.blank("en").add_pipe(factory) is not None


def test_registry_unknown_name_lists_options() -> None:
    with pytest.raises(UnknownNameError) as error:
        get_extractor("datasets")
    assert str(error.value) == "unknown extractor 'datasets'; choose one of: lexicon, links"


def test_build_nlp_unknown_name() -> None:
    with pytest.raises(UnknownNameError, match="unknown extractor 'nope'"):
        build_nlp(["links", "nope"])


@pytest.mark.parametrize(
    "names, pipes", [(None, ["citekg_links", "citekg_lexicon"]), (["lexicon"], ["citekg_lexicon"]), ([], [])]
)
def test_build_nlp_pipes(names, pipes) -> None:
    assert build_nlp(names).pipe_names == pipes


def test_registry_duplicate_name_is_refused() -> None:
    def make_other(nlp, name, spans_key):
        """Another links."""
        return lambda doc: doc

    with pytest.raises(DuplicateExtractorError, match="'links' is already registered"):
        extractor("links", kinds={"other"})(make_other)


@pytest.mark.parametrize("name", BUILTIN_EXTRACTORS)
def test_registry_builtin_has_tests_and_docstring(name: str) -> None:
    assert (REPO / "tests" / "extractors" / f"test_{name}.py").is_file()
    module = ast.parse((REPO / "extractors" / f"{name}.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(module)
