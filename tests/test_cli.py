"""The command line end to end: build, extract, query, stats, export, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from citekg.cli import cli
from click.testing import CliRunner, Result


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def stats(graph: Path) -> dict:
    result = run("stats", "--graph", graph, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = tmp_path_factory.mktemp("sample") / "graph"
    result = run("build", "--graph", graph, "--quiet")
    assert result.exit_code == 0, result.output
    return graph


def test_cli_build_without_input_builds_the_sample(sample_graph: Path, sample_corpus: Path) -> None:
    papers = sum(1 for line in sample_corpus.read_text(encoding="utf-8").splitlines() if line.strip())
    numbers = stats(sample_graph)
    assert numbers["papers_in_corpus"] == papers
    assert numbers["citations"] > 60
    assert numbers["links"]["code"] > 10
    assert numbers["entities"]["dataset"] > 5


def test_cli_build_summary_names_the_counts(tmp_path: Path) -> None:
    result = run("build", "--graph", tmp_path / "g", "--quiet")
    assert result.exit_code == 0
    assert "papers read" in result.output
    assert "entities.dataset" in result.output
    assert "links.code" in result.output
    assert "citations" in result.output


def test_cli_build_trending_corpus(tmp_path: Path, trending_path: Path) -> None:
    graph = tmp_path / "g"
    result = run("build", trending_path, "--graph", graph, "--quiet", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["papers"] == 119
    assert summary["graph"]["links"]["code"] == 18
    assert summary["graph"]["links"]["project_page"] == 11
    assert summary["graph"]["papers_with_code"] == 18
    count = run(
        "query",
        "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?p ckg:hasLink ?r }",
        "--graph",
        graph,
        "--format",
        "json",
    )
    assert json.loads(count.output) == [{"n": 29}]
    with_links = run(
        "query",
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:hasLink ?r }",
        "--graph",
        graph,
        "--format",
        "json",
    )
    assert json.loads(with_links.output) == [{"n": 29}]


def test_cli_build_is_idempotent_and_incremental(tmp_path: Path, sample_corpus: Path) -> None:
    graph = tmp_path / "g"
    lines = sample_corpus.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[10:]) + "\n", encoding="utf-8")
    assert run("build", first, "--graph", graph, "-q").exit_code == 0
    after_first = stats(graph)["triples"]
    assert run("build", first, "--graph", graph, "-q").exit_code == 0
    assert stats(graph)["triples"] == after_first
    assert run("build", second, "--graph", graph, "-q").exit_code == 0
    incremental = stats(graph)
    whole = tmp_path / "whole"
    assert run("build", sample_corpus, "--graph", whole, "-q").exit_code == 0
    assert incremental == stats(whole)


def test_cli_bad_record_stops_and_keeps_the_graph(tmp_path: Path, sample_corpus: Path) -> None:
    graph = tmp_path / "g"
    assert run("build", "--graph", graph, "-q").exit_code == 0
    before = stats(graph)
    bad = tmp_path / "bad.jsonl"
    good = sample_corpus.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(
        good.replace("arxiv:", "arxiv:9") + "\n" + '{"id": "arxiv:2401.00001", "title": \n', "utf-8"
    )
    result = CliRunner().invoke(cli, ["build", str(bad), "--graph", str(graph), "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}:2: not valid JSON")
    assert len(result.output.strip().splitlines()) == 1
    assert stats(graph) == before


def test_cli_skip_invalid_counts_what_it_skipped(tmp_path: Path, sample_corpus: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = sample_corpus.read_text(encoding="utf-8").splitlines()[:3]
    bad.write_text("\n".join([lines[0], "{not json", lines[1], lines[2]]) + "\n", encoding="utf-8")
    result = run("build", bad, "--graph", tmp_path / "g", "-q", "--skip-invalid", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["papers"] == 3
    assert [(s["line"], s["reason"].split(":")[0]) for s in summary["skipped"]] == [(2, "not valid JSON")]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\x00", "not a text file"),
        (b'{"id": "arxiv:1", "title": "caf\xe9"}\n', "not UTF-8"),
    ],
)
def test_cli_unreadable_files_get_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.jsonl"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["build", str(path), "--graph", str(tmp_path / "g"), "-q"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"Error: {path}")
    assert message in result.output


def test_cli_unknown_format_lists_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# some notes\n\nnothing to read here\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(path), "--graph", str(tmp_path / "g"), "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}")
    assert "bibtex" in result.output and "--format" in result.output


def test_cli_missing_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nope.jsonl"), "--graph", str(tmp_path / "g")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.jsonl'}: no such file\n"


def test_cli_query_formats(sample_graph: Path) -> None:
    sparql = 'SELECT ?t WHERE { ?p dcterms:title ?t FILTER(?t = "Attention Is All You Need") }'
    table = run("query", sparql, "--graph", sample_graph)
    assert "Attention Is All You Need" in table.output
    as_json = json.loads(run("query", sparql, "--graph", sample_graph, "--format", "json").output)
    assert as_json == [{"t": "Attention Is All You Need"}]
    assert run("query", sparql, "--graph", sample_graph, "--format", "csv").output.splitlines() == [
        "t",
        "Attention Is All You Need",
    ]
    assert run("query", sparql, "--graph", sample_graph, "--format", "tsv").output.splitlines() == [
        "?t",
        '"Attention Is All You Need"',
    ]


def test_cli_query_binds_parameters_without_splicing(sample_graph: Path) -> None:
    sparql = "SELECT ?p ?t WHERE { ?p dcterms:title ?t }"
    found = run(
        "query", sparql, "--graph", sample_graph, "-p", "t", "Attention Is All You Need", "--format", "json"
    )
    assert json.loads(found.output) == [
        {"p": "https://w3id.org/citekg/paper/arxiv/1706.03762", "t": "Attention Is All You Need"}
    ]
    hostile = '" } ; ?p ?x ?y . { "'
    nothing = run("query", sparql, "--graph", sample_graph, "-p", "t", hostile, "--format", "json")
    assert json.loads(nothing.output) == []


def test_cli_query_from_file_and_canned_name(sample_graph: Path, tmp_path: Path) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a ckg:Paper ; ckg:inCorpus true }", encoding="utf-8")
    from_file = json.loads(run("query", f"@{rq}", "--graph", sample_graph, "--format", "json").output)
    canned = json.loads(run("query", "@count-papers", "--graph", sample_graph, "--format", "json").output)
    assert from_file[0]["n"] == stats(sample_graph)["papers_in_corpus"]
    assert canned


def test_cli_query_syntax_error_is_one_line(sample_graph: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "SELEC ?x WHERE {", "--graph", str(sample_graph)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output


def test_cli_query_ask(sample_graph: Path) -> None:
    assert run("query", "ASK { ?p a ckg:Paper }", "--graph", sample_graph).output.strip() == "true"


@pytest.mark.parametrize(
    "suffix, rdf_format", [(".ttl", "TURTLE"), (".nt", "N_TRIPLES"), (".jsonld", "JSON_LD")]
)
def test_cli_export_round_trips(sample_graph: Path, tmp_path: Path, suffix: str, rdf_format: str) -> None:
    out = tmp_path / f"graph{suffix}"
    assert run("export", "--graph", sample_graph, "-o", out).exit_code == 0
    parsed = set(ox.parse(path=out, format=getattr(ox.RdfFormat, rdf_format)))
    assert len(parsed) == stats(sample_graph)["triples"]


def test_cli_export_turtle_parses_with_rdflib(sample_graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    assert run("export", "--graph", sample_graph, "-o", out).exit_code == 0
    assert len(rdflib.Graph().parse(out, format="turtle")) == stats(sample_graph)["triples"]


def test_cli_extract_then_build_gives_the_same_graph(tmp_path: Path, sample_corpus: Path) -> None:
    out = tmp_path / "extractions.jsonl"
    assert run("extract", sample_corpus, "-o", out).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"id", "title", "mentions", "links", "references"} <= set(records[0])
    for record in records:
        for mention in record["mentions"]:
            field_text = record["paper"][mention["field"]]
            assert field_text[mention["start"] : mention["end"]] == mention["text"]
    from_extractions, from_papers = tmp_path / "a", tmp_path / "b"
    assert run("build", out, "--graph", from_extractions, "-q").exit_code == 0
    assert run("build", sample_corpus, "--graph", from_papers, "-q").exit_code == 0
    assert stats(from_extractions) == stats(from_papers)


def test_cli_extract_is_deterministic(sample_corpus: Path) -> None:
    assert run("extract", sample_corpus).output == run("extract", sample_corpus).output


def test_cli_extract_failure_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "arxiv:2401.00001", "title": "Fine", "abstract": "ok"}\n{oops\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert not out.exists()
    assert not list(tmp_path.glob("out.jsonl*"))


def test_cli_graph_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = tmp_path / "from-env"
    monkeypatch.setenv("CITEKG_GRAPH", str(graph))
    assert run("build", "-q").exit_code == 0
    assert (graph / "citekg.json").is_file()


def test_cli_extractors_lists_builtins() -> None:
    output = run("extractors").output
    assert "links" in output and "lexicon" in output


def test_cli_eval_prints_per_type_scores() -> None:
    gold = Path(__file__).parent / "evaluate" / "data" / "tdmsci.conll"
    result = run("eval", "--gold", f"tdmsci:{gold}", "--json")
    assert result.exit_code == 0
    numbers = json.loads(result.output)
    assert "dataset" in json.dumps(numbers)


def test_cli_eval_unknown_gold_format() -> None:
    result = CliRunner().invoke(cli, ["eval", "--gold", "conll2003:x.txt"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown gold format 'conll2003'; choose one of: ")


def test_cli_viz_writes_an_offline_page(sample_graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    result = run("viz", "--graph", sample_graph, "-o", out)
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Attention Is All You Need" in page
    assert 'src="http' not in page and 'href="http' not in page


def test_cli_viz_query_keeps_only_returned_nodes(sample_graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "datasets.html"
    sparql = 'SELECT ?p WHERE { ?p dcterms:title "Attention Is All You Need" }'
    assert run("viz", "--graph", sample_graph, "-o", out, "--query", sparql).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Attention Is All You Need" in page
    assert "BERT: Pre-training" not in page


def test_cli_viz_unknown_focus_suggests_names(sample_graph: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["viz", "--graph", str(sample_graph), "-o", str(tmp_path / "x.html"), "--focus", "Imagenett"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: no node is called 'Imagenett'; did you mean: ")


def test_cli_train_unknown_corpus_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["train", "--gold-dir", str(tmp_path), "-o", str(tmp_path / "out"), "--corpus", "conll"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown training corpus 'conll'; choose one of: heddes, scier, scierc, scirex, tdmsci\n"
    )


def test_cli_query_binds_iri_looking_values_as_iris(sample_graph: Path) -> None:
    sparql = "SELECT ?p ?t WHERE { ?p dcterms:title ?t }"
    paper = "https://w3id.org/citekg/paper/arxiv/1706.03762"
    found = run("query", sparql, "--graph", sample_graph, "-p", "p", paper, "--format", "json")
    assert json.loads(found.output) == [{"p": paper, "t": "Attention Is All You Need"}]


def test_cli_eval_keep_generic_reaches_the_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    import citekg.evaluate as evaluate_module

    seen: list[bool] = []
    build = evaluate_module._build_nlp

    def spy(fast: bool, extractors: object, keep_generic: bool = False) -> object:
        nlp = build(fast, extractors, keep_generic)
        seen.append(nlp.get_pipe("citekg_resolver").keep_generic)
        return nlp

    monkeypatch.setattr(evaluate_module, "_build_nlp", spy)
    gold = Path(__file__).parent / "evaluate" / "data" / "tdmsci.conll"
    assert run("eval", "--gold", f"tdmsci:{gold}", "--fast").exit_code == 0
    assert run("eval", "--gold", f"tdmsci:{gold}", "--fast", "--keep-generic").exit_code == 0
    assert seen == [False, True]
