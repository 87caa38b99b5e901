"""``citekg queries``: lists the canned queries with their first sentence, prints one, refuses others."""

from __future__ import annotations

import pytest
from citekg.cli import cli
from citekg.graph.queries import list_queries, load_query
from click.testing import CliRunner


def test_cli_queries_lists_every_canned_query_with_its_summary() -> None:
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(list_queries())
    by_name = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert by_name["methods-per-dataset"] == (
        "Methods and models used on each dataset, ranked by the number of papers that mention both"
    )
    assert by_name["papers-without-code"] == (
        "Papers read from the input that link to no code repository, newest first within each page"
    )


@pytest.mark.parametrize(
    "name", ["methods-per-dataset", "papers-without-code", "cooccurring-entities", "papers-building-on"]
)
def test_cli_queries_prints_one(name: str) -> None:
    result = CliRunner().invoke(cli, ["queries", name])
    assert result.exit_code == 0
    assert result.output == load_query(name).rstrip("\n") + "\n"
    assert result.output.startswith("# ")


def test_cli_queries_unknown_name() -> None:
    result = CliRunner().invoke(cli, ["queries", "top-papers"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown query 'top-papers'; choose one of: citations-in-graph,")


def test_cli_queries_name_runs_through_query(tmp_path) -> None:
    from citekg.api import example_extractions
    from citekg.graph.store import GraphStore

    with GraphStore.open(tmp_path / "g") as store:
        store.add(example_extractions())
    result = CliRunner().invoke(
        cli, ["query", "@papers-without-code.rq", "--graph", str(tmp_path / "g"), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "page,paper,title,year",
        ",https://w3id.org/citekg/paper/arxiv/1907.11692,RoBERTa,2019",
    ]
