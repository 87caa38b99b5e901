"""The graph commands end to end: validate, explain, ontology, add, and an interrupted build."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from citekg.cli import cli
from citekg.graph import GraphStore
from citekg.model import Extraction, Link, Mention, Paper
from citekg.ontology.namespace import PREFIXES
from citekg.ontology.shapes import validate
from click.testing import CliRunner, Result

DATA = Path(__file__).resolve().parent / "data"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = tmp_path_factory.mktemp("sample") / "graph"
    result = run("build", "--graph", graph, "--quiet")
    assert result.exit_code == 0, result.output
    return graph


def rdf_of(graph_dir: Path) -> rdflib.Graph:
    with GraphStore.open(graph_dir, read_only=True) as store:
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def quads(graph_dir: Path) -> list[str]:
    """The data (default graph); the precomputed views are derived and refreshed by the next write."""
    with GraphStore.open(graph_dir, read_only=True) as store:
        data = store.ox.dump(format=ox.RdfFormat.N_QUADS, from_graph=ox.DefaultGraph())
    return sorted(data.decode("utf-8").splitlines())


# -- validate ----------------------------------------------------------------------------------------


def test_validate_sample_graph_is_clean(sample_graph: Path) -> None:
    result = run("validate", "--graph", sample_graph)
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_validate_trending_graph_is_clean(tmp_path: Path, trending_path: Path) -> None:
    graph = tmp_path / "g"
    assert run("build", trending_path, "--graph", graph, "-q").exit_code == 0
    result = run("validate", "--graph", graph)
    assert result.exit_code == 0, result.output


def _small_corpus() -> list[Extraction]:
    a = Paper(id="arxiv:2401.00001", title="FooNet: a new network", abstract="We propose FooNet on GLUE.")
    b = Paper(id="arxiv:2401.00002", title="Using FooNet", abstract="FooNet helps.", references=(a.id,))
    return [
        Extraction(
            a,
            mentions=(
                Mention(a.id, "method", "FooNet", 11, 17, "abstract", "foonet", "proposed", 0.9, "patterns"),
                Mention(a.id, "dataset", "GLUE", 21, 25, "abstract", "glue", "used", 1.0, "lexicon"),
            ),
            links=(
                Link(
                    "https://github.com/x/foonet",
                    "https://github.com/x/foonet",
                    "code",
                    "github.com",
                    "x/foonet",
                ),
            ),
            extractor_version="v1",
        ),
        Extraction(
            b,
            mentions=(
                Mention(b.id, "method", "FooNet", 0, 6, "abstract", "foonet", "used", 0.8, "patterns"),
            ),
            extractor_version="v1",
        ),
    ]


M = "<https://w3id.org/citekg/mention/arxiv/2401.00001/abstract/11-17/method>"
E = "<https://w3id.org/citekg/method/foonet>"
P = "<https://w3id.org/citekg/paper/arxiv/2401.00001>"
R = "<https://w3id.org/citekg/repo/github.com/x/foonet>"


@pytest.mark.parametrize(
    "update, shape, path",
    [
        (
            f"DELETE WHERE {{ {M} ckg:start ?s }} ; INSERT DATA {{ {M} ckg:start -3 }}",
            "shapes:MentionShape",
            "ckg:start",
        ),
        (
            f"DELETE WHERE {{ {M} ckg:start ?s }} ; INSERT DATA {{ {M} ckg:start 40 }}",
            "shapes:MentionShape",
            "ckg:start",
        ),
        (
            f"DELETE WHERE {{ {M} ckg:confidence ?c }} ; INSERT DATA {{ {M} ckg:confidence 1.5e0 }}",
            "shapes:MentionShape",
            "ckg:confidence",
        ),
        (
            f"DELETE WHERE {{ {M} ckg:confidence ?c }} ; INSERT DATA {{ {M} ckg:confidence '0.5' }}",
            "shapes:MentionShape",
            "ckg:confidence",
        ),
        (
            f"INSERT DATA {{ {M} ckg:mentionOf <https://w3id.org/citekg/dataset/glue> }}",
            "shapes:MentionShape",
            "ckg:mentionOf",
        ),
        (f"DELETE WHERE {{ {M} ckg:inPaper ?p }}", "shapes:MentionShape", "ckg:inPaper"),
        (
            f"DELETE WHERE {{ {M} ckg:field ?f }} ; INSERT DATA {{ {M} ckg:field 'body' }}",
            "shapes:MentionShape",
            "ckg:field",
        ),
        (f"DELETE WHERE {{ {P} dcterms:title ?t }}", "shapes:InCorpusPaperShape", "dcterms:title"),
        (
            f"INSERT DATA {{ {P} dcterms:title 'Another title' }}",
            "shapes:InCorpusPaperShape",
            "dcterms:title",
        ),
        (
            f"INSERT DATA {{ {P} fabio:hasPublicationYear 2024 }}",
            "shapes:PaperShape",
            "fabio:hasPublicationYear",
        ),
        (
            f"DELETE WHERE {{ {R} schema:url ?u }} ; INSERT DATA {{ {R} schema:url 'https://github.com/x/foonet' }}",  # noqa: E501
            "shapes:WebResourceShape",
            "schema:url",
        ),
        (f"INSERT DATA {{ {E} skos:prefLabel 'Foo Net' }}", "shapes:EntityShape", "skos:prefLabel"),
        (f"INSERT DATA {{ {E} a ckg:Dataset }}", "shapes:EntityShape", "rdf:type"),
        (
            "INSERT DATA { <https://w3id.org/citekg/task/orphan> a ckg:Entity, ckg:Task ; ckg:key 'orphan' ; skos:prefLabel 'orphan' ; rdfs:label 'orphan' }",  # noqa: E501
            "shapes:EntityShape",
            "^ckg:mentionOf",
        ),
        (
            f"INSERT DATA {{ {P} ckg:buildsOn <https://w3id.org/citekg/paper/arxiv/2401.00002> }}",
            "shapes:BuildsOnEdgeShape",
            "",
        ),
        (
            f"INSERT DATA {{ {P} cito:cites <https://w3id.org/citekg/paper/arxiv/2401.00002> }}",
            "shapes:CitesEdgeShape",
            "",
        ),
        (
            f"INSERT DATA {{ {P} ckg:uses <https://w3id.org/citekg/dataset/glue> ; ckg:mentions <https://w3id.org/citekg/method/nothing> }}",  # noqa: E501
            "shapes:MentionEdgeShape",
            "",
        ),
    ],
)
def test_validate_reports_each_broken_constraint(update: str, shape: str, path: str) -> None:
    with GraphStore.open(None) as store:
        store.add(_small_corpus())
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        assert validate(rdflib.Graph().parse(data=data.decode(), format="nt")) == []
        store.ox.update(update, prefixes=PREFIXES)
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    violations = validate(rdflib.Graph().parse(data=data.decode(), format="nt"))
    assert violations, update
    assert {(v.shape, v.path) for v in violations} >= {(shape, path)}, violations


def test_validate_cli_prints_grouped_violations_and_exits_1(tmp_path: Path) -> None:
    graph = tmp_path / "g"
    with GraphStore.open(graph) as store:
        store.add(_small_corpus())
        store.ox.update(f"DELETE WHERE {{ {M} <https://w3id.org/citekg/confidence> ?c }}")
    result = run("validate", "--graph", graph)
    assert result.exit_code == 1
    assert "1 violation" in result.output
    assert "shapes:MentionShape  ckg:confidence  (1)" in result.output
    assert "mention/arxiv/2401.00001/abstract/11-17/method" in result.output
    result = run("validate", "--graph", graph, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["path"] == "ckg:confidence"


# -- explain, ontology -------------------------------------------------------------------------------


def test_explain_shows_forms_rules_and_papers(sample_graph: Path) -> None:
    result = run("explain", "Transformers", "--graph", sample_graph)
    assert result.exit_code == 0, result.output
    assert "Transformer  (Method)  https://w3id.org/citekg/method/transformer" in result.output
    assert "plural" in result.output and "preferred label" in result.output
    assert "Attention Is All You Need" in result.output
    data = json.loads(run("explain", "transformer", "--graph", sample_graph, "--json").output)
    assert {item["type"] for item in data} >= {"Method"}


def test_explain_unknown_name_is_one_error_line(sample_graph: Path) -> None:
    result = run("explain", "No Such Thing", "--graph", sample_graph)
    assert result.exit_code == 1
    assert result.output.startswith("Error: no entity named 'No Such Thing'")


@pytest.mark.parametrize(
    "fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("shapes", "turtle")]
)
def test_ontology_prints_the_vocabulary(fmt: str, parser: str) -> None:
    result = run("ontology", "--format", fmt)
    assert result.exit_code == 0
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        graph = rdflib.Graph().parse(data=result.output, format=parser)
    needle = (
        "https://w3id.org/citekg/shapes/MentionShape"
        if fmt == "shapes"
        else "https://w3id.org/citekg/buildsOn"
    )
    assert rdflib.URIRef(needle) in set(graph.subjects())


# -- add ---------------------------------------------------------------------------------------------


def test_add_merges_records_of_one_paper_and_reports_them(tmp_path: Path) -> None:
    graph = tmp_path / "g"
    assert run("add", DATA / "s2-papers.json", "--graph", graph, "-q").exit_code == 0
    result = run("add", DATA / "papers.bib", "--graph", graph, "-q", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert {
        "into": "arxiv:1810.04805",
        "merged": ["doi:10.18653/v1/n19-1423"],
        "by": "doi:10.18653/v1/n19-1423",
    } in summary["merges"]
    assert summary["papers_merged"] >= 1
    again = json.loads(run("add", DATA / "papers.bib", "--graph", graph, "-q", "--json").output)
    assert again["triples_added"] == 0
    assert run("validate", "--graph", graph).exit_code == 0


def test_add_needs_an_input() -> None:
    result = run("add")
    assert result.exit_code == 2
    assert "Missing argument" in result.output


# -- an interrupted build leaves the store as it was -------------------------------------------------


def _extraction_file(path: Path, first: int, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(first, first + count):
            pid = f"arxiv:2402.{i:05d}"
            text = f"We propose Net{i} and use Data{i % 50}, Method{i % 200} and BLEU on Task{i % 30}."
            mentions = [
                Mention(
                    pid,
                    "method",
                    f"Net{i}",
                    11,
                    11 + len(f"Net{i}"),
                    "abstract",
                    f"net{i}",
                    "proposed",
                    0.9,
                    "p",
                ),
            ] + [
                Mention(
                    pid,
                    label,
                    name,
                    text.index(name),
                    text.index(name) + len(name),
                    "abstract",
                    name,
                    "used",
                    0.8,
                    "l",
                )
                for label, name in (
                    ("dataset", f"Data{i % 50}"),
                    ("method", f"Method{i % 200}"),
                    ("metric", "BLEU"),
                    ("task", f"Task{i % 30}"),
                )
            ]
            record = Extraction(
                Paper(
                    id=pid,
                    title=f"Synthetic paper {i}",
                    abstract=text,
                    references=(f"arxiv:2402.{(i * 7) % 4000:05d}",),
                ),
                mentions=tuple(mentions),
                extractor_version="v1",
            )
            handle.write(json.dumps(record.to_dict()) + "\n")
    return path


_RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from citekg.graph.store import GraphStore
    from citekg.pipeline import build
    seen = []
    def progress(n):
        if not seen:
            print("progress", flush=True)
        seen.append(n)
    with GraphStore.open(sys.argv[1]) as store:
        build([Path(sys.argv[2])], store, progress=progress)
    print("done", flush=True)
    """
)


def _start(graph: Path, inputs: Path, *, watch: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(graph), str(inputs)],
        stdout=subprocess.PIPE if watch else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_interrupted_build_leaves_the_store_as_before_then_completes(tmp_path: Path) -> None:
    base = _extraction_file(tmp_path / "base.jsonl", 0, 50)
    big = _extraction_file(tmp_path / "big.jsonl", 50, 700)
    reference = tmp_path / "reference"
    for inputs in (base, big):
        started = time.perf_counter()
        process = _start(reference, inputs)
        assert process.wait(timeout=300) == 0
    duration = time.perf_counter() - started  # of the big run, uninterrupted
    expected = quads(reference)

    graph = tmp_path / "graph"
    assert _start(graph, base).wait(timeout=120) == 0
    before = quads(graph)
    interrupted = 0
    for fraction, sig in (
        (0.0, signal.SIGKILL),
        (0.5, signal.SIGKILL),
        (0.85, signal.SIGKILL),
        (0.7, signal.SIGINT),
    ):
        with _start(graph, big, watch=True) as process:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "progress"
            time.sleep(fraction * duration)
            if process.poll() is None:
                os.kill(process.pid, sig)
                interrupted += 1
            process.wait(timeout=120)
        now = quads(graph)
        if now == expected:
            break  # the signal came after the commit (or the run finished): fully written
        assert now == before, f"store half-written by a run stopped at {fraction:.0%} ({sig.name})"
    assert interrupted >= 2
    # the next run completes it: the same graph as the uninterrupted build
    assert _start(graph, big).wait(timeout=300) == 0
    assert quads(graph) == expected
