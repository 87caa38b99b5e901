"""The ``citekg`` command line: a thin click layer over the pipeline, the store and the endpoint.

Every command turns :class:`citekg.errors.CitekgError` into one ``Error: …`` line and exit code 1 in a single
place (:class:`_Group`), so no command prints a traceback for bad input. Heavy modules are imported inside
the commands, so ``citekg --help`` is instant.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from citekg import __version__
from citekg.errors import CitekgError

DEFAULT_GRAPH = "citekg-graph"


class _Group(click.Group):
    """A click group that reports citekg's own errors as ``Error: <message>``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CitekgError as error:
            raise click.ClickException(str(error)) from None


def graph_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--graph DIR`` (default ``./citekg-graph``, overridden by ``CITEKG_GRAPH``)."""
    return click.option(
        "--graph",
        "graph_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_GRAPH,
        envvar="CITEKG_GRAPH",
        show_default=True,
        help="Graph directory (env: CITEKG_GRAPH).",
    )(func)


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format`` to force an input format instead of detecting it."""
    from citekg.readers import FORMATS

    return click.option(
        "--format",
        "input_format",
        type=click.Choice(FORMATS),
        default=None,
        help="Input format; detected from each file when omitted.",
    )(func)


def _existing_paths(paths: tuple[str, ...]) -> list[Path]:
    return [Path(p) for p in paths]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citekg")
def cli() -> None:
    """Turn lists of research papers into a citation and link knowledge graph.

    \b
    Example:
        citekg build papers.jsonl --graph my-graph
        citekg query "SELECT (COUNT(*) AS ?n) WHERE { ?p a ckg:Paper }" --graph my-graph
    """


def build_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``build`` and ``add`` share: graph, format, skipping, speed, output and progress."""
    from citekg.pipeline import DEFAULT_BATCH

    for option in reversed(
        [
            graph_option,
            format_option,
            click.option(
                "--skip-invalid",
                is_flag=True,
                help="Skip malformed records and count them instead of stopping.",
            ),
            click.option("--fast", is_flag=True, help="Rules only, no statistical NER."),
            click.option(
                "--workers",
                default=1,
                show_default=True,
                type=click.IntRange(1),
                help="Extraction processes (with --engine dask: LocalCluster workers).",
            ),
            click.option(
                "--engine",
                type=click.Choice(["local", "dask"]),
                default="local",
                show_default=True,
                help="Extract in local processes, or on Dask (see docs/scaling.md).",
            ),
            click.option(
                "--scheduler", help="Dask scheduler address (tcp://HOST:8786); default: a LocalCluster."
            ),
            click.option(
                "--batch-size",
                default=DEFAULT_BATCH,
                show_default=True,
                type=click.IntRange(1),
                help="Papers per store write; memory grows with it.",
            ),
            click.option(
                "--restart", is_flag=True, help="Ignore the checkpoint of an interrupted run; start over."
            ),
            click.option(
                "--json", "as_json", is_flag=True, help="Print the summary (with every merge) as JSON."
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        ]
    ):
        func = option(func)
    return func


def _echo_skipped(skipped: list[tuple[str, int | None, str]]) -> None:
    """List skipped records on stderr, one ``skipped <file>:<line>: <reason>`` line each."""
    for file, line, reason in skipped:
        where = f"{file}:{line}" if line is not None else file
        click.echo(f"skipped {where}: {reason}", err=True)


def _build_and_report(paths: list[Path], graph_dir: Path, heading: str, options: dict[str, Any]) -> None:
    """Run the build with a progress bar (stderr, TTY only) and print its summary."""
    from citekg._output import render_summary
    from citekg.graph.store import GraphStore
    from citekg.pipeline import build as run_build
    from tqdm import tqdm

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    resume = not options.pop("restart")
    # disable=None: tqdm turns itself off when stderr is not a terminal
    with (
        GraphStore.open(graph_dir) as store,
        tqdm(
            desc="papers", unit=" papers", file=sys.stderr, disable=True if quiet or as_json else None
        ) as bar,
    ):

        def start(total: int | None, resumed: int) -> None:
            bar.total = total
            if resumed:
                if not (quiet or as_json):
                    bar.write(f"resuming: {resumed} papers written by an interrupted run", file=sys.stderr)
                bar.update(resumed)

        summary = run_build(
            paths,
            store,
            format=options.pop("input_format"),
            progress=bar.update,
            on_start=start,
            resume=resume,
            **options,
        )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    shown = {
        "papers read": summary.papers,
        "resumed": summary.resumed,
        "duplicates merged": summary.duplicates,
        "papers merged": summary.merged,
        "mentions replaced": len(summary.update.get("replaced_mentions_of", [])),
        "records skipped": len(summary.skipped),
        "triples added": summary.triples_added,
        "seconds": round(summary.seconds, 2),
        "papers/s": round(summary.papers_per_second, 1),
        "peak RSS MB": round(max(summary.peak_rss_mb, summary.workers_peak_rss_mb)),
    }
    click.echo(render_summary(heading, shown))
    click.echo(render_summary("\nGraph", summary.graph))
    for merge in summary.update.get("merges", []):
        click.echo(f"merged {', '.join(merge['merged'])} into {merge['into']} (by {merge['by']})", err=True)
    _echo_skipped(summary.skipped)


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False))
@build_options
def build(inputs: tuple[str, ...], graph_dir: Path, **options: Any) -> None:
    """Read papers, extract entities and links, and add them to the graph.

    With no INPUT, builds the bundled sample corpus. Building again with more files adds to the graph;
    building the same files again changes nothing. Records stream through extraction (--workers
    processes, or Dask workers with --engine dask) into the store --batch-size papers at a time, so
    memory stays bounded; an input of one batch is written all or nothing, and a bigger one batch by
    batch with a checkpoint, so rerunning an interrupted build goes on where it stopped. A malformed
    record stops the build before anything is written unless --skip-invalid.

    \b
    Example:
        citekg build                                  # the bundled sample corpus
        citekg build trending.txt arxiv.jsonl --graph my-graph
        citekg build extractions.jsonl                # output of `citekg extract`, no NLP rerun
        citekg build arxiv-metadata-oai-snapshot.json.gz --workers 2 --graph arxiv
        citekg build snapshot.json --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from citekg.pipeline import sample_corpus_path

    paths = _existing_paths(inputs) or [sample_corpus_path()]
    _build_and_report(paths, graph_dir, f"Built {graph_dir}", options)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@format_option
@click.option("--skip-invalid", is_flag=True, help="Skip malformed records instead of stopping.")
@click.option("--fast", is_flag=True, help="Rules only, no statistical NER.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Extraction processes, this one included; the output is the same.",
)
def extract(
    inputs: tuple[str, ...],
    output: Path | None,
    input_format: str | None,
    skip_invalid: bool,
    fast: bool,
    workers: int,
) -> None:
    """Extract mentions, links and references; write the extraction JSONL contract.

    With --workers N, N - 1 more processes extract beside this one (each costs about a CPU second to
    start, so it pays from a few thousand papers on); records come out in input order either way.

    \b
    Example:
        citekg extract papers.bib -o extractions.jsonl
        citekg extract arxiv.jsonl.gz --workers 2 -o extractions.jsonl
        citekg extract arxiv.jsonl.gz --fast -o rules-only.jsonl
        citekg build extractions.jsonl
    """
    from citekg.pipeline import extract_inputs

    records = extract_inputs(
        _existing_paths(inputs), format=input_format, skip_invalid=skip_invalid, fast=fast, workers=workers
    )
    # Write to a temporary file first so a failure mid-way never leaves half an output behind.
    if output is None:
        for extraction in records:
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True))
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for extraction in records:
                handle.write(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def _parse_bindings(params: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Bind IRI-looking values (``http(s)://…``, ``urn:…``) as IRIs, everything else as strings."""
    from rdflib import URIRef

    return {
        name.lstrip("?$"): URIRef(value) if re.match(r"(?:https?://|urn:)\S+$", value) else value
        for name, value in params
    }


@cli.command()
@click.argument("sparql")
@graph_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-p",
    "--param",
    "params",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Bind ?NAME to VALUE (an IRI if it looks like one, else a string); repeatable.",
)
def query(sparql: str, graph_dir: Path, fmt: str, params: tuple[tuple[str, str], ...]) -> None:
    """Run a SPARQL query against the graph; SPARQL may be @FILE.rq.

    The usual prefixes (ckg, cito, schema, dcterms, skos, prov, fabio, rdf, rdfs, xsd) need no declaring.
    Values from users or papers go in with --param, never pasted into the query text; a bound
    variable must appear in the SELECT clause.

    \b
    Example:
        citekg query "SELECT (COUNT(?p) AS ?papers) WHERE { ?p a ckg:Paper }"
        citekg query @papers-with-code.rq --format csv
        citekg query "SELECT ?p ?t WHERE { ?p dcterms:title ?t }" -p t "Attention Is All You Need"
    """
    from citekg._output import render_result
    from citekg.graph.store import GraphStore

    text = _read_query(sparql)
    with GraphStore.open(graph_dir, read_only=True) as store:
        result = store.query(text, _parse_bindings(params) or None)
        click.echo(render_result(result, fmt))


def _read_query(sparql: str) -> str:
    if not sparql.startswith("@"):
        return sparql
    path = Path(sparql[1:])
    if not path.is_file():
        from citekg.graph.queries import list_queries, load_query

        names = list_queries()
        if path.stem in names and len(path.parts) == 1:
            return load_query(path.stem)
        raise click.ClickException(f"{path}: no such query file (canned queries: {', '.join(names)})")
    return path.read_text(encoding="utf-8")


@cli.command()
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(graph_dir: Path, as_json: bool) -> None:
    """Count papers, entities by type, links, mentions and citations.

    \b
    Example:
        citekg stats --graph my-graph --json
    """
    from citekg._output import render_summary
    from citekg.graph.store import GraphStore

    with GraphStore.open(graph_dir, read_only=True) as store:
        numbers = store.stats()
    click.echo(json.dumps(numbers, indent=2) if as_json else render_summary(str(graph_dir), numbers))


@cli.command()
@graph_option
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nt", "nq", "jsonld", "xml"]),
    default=None,
    help="RDF format; from the file extension when omitted.",
)
def export(graph_dir: Path, output: Path, fmt: str | None) -> None:
    """Write the whole graph as Turtle, N-Triples, N-Quads, JSON-LD or RDF/XML.

    \b
    Example:
        citekg export -o graph.ttl
        citekg export -o graph.nt.txt --format nt
    """
    from citekg.graph.store import GraphStore

    chosen = fmt or _format_from_suffix(output)
    with GraphStore.open(graph_dir, read_only=True) as store:
        store.export(output, chosen)
    click.echo(f"wrote {output} ({chosen})", err=True)


_SUFFIXES = {
    ".ttl": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}


def _format_from_suffix(path: Path) -> str:
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise click.UsageError(
            f"cannot tell the RDF format of {path.name!r} from its extension; use --format"
        ) from None


@cli.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; 0.0.0.0 exposes it.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds a query may run.")
@click.option("--max-rows", default=10_000, show_default=True, type=int, help="Rows returned at most.")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL Update (off: the endpoint is read-only).")
def serve(graph_dir: Path, host: str, port: int, timeout: float, max_rows: int, allow_update: bool) -> None:
    """Serve the graph as a SPARQL 1.1 endpoint with a query page at /.

    \b
    Example:
        citekg serve --graph my-graph --port 8000
        curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql?query=ASK{?s?p?o}'
    """
    from citekg.graph.endpoint import serve as run_server

    if not graph_dir.is_dir():
        raise click.ClickException(
            f"{graph_dir}: no graph here; run `citekg build --graph {graph_dir}` first"
        )
    run_server(graph_dir, host=host, port=port, timeout=timeout, max_rows=max_rows, allow_update=allow_update)


@cli.command()
@graph_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="citekg-graph.html",
    show_default=True,
    help="HTML file to write.",
)
@click.option(
    "--view",
    type=click.Choice(["bipartite", "citation", "cooccurrence"]),
    default="bipartite",
    show_default=True,
    help="Which projection of the graph to draw.",
)
@click.option("--focus", help="Draw only the neighbourhood of this paper or entity (name, alias or IRI).")
@click.option("--depth", default=1, show_default=True, type=int, help="Hops around --focus.")
@click.option("--types", help="Comma-separated node types to keep, e.g. paper,dataset,code_repository.")
@click.option("--min-degree", default=0, show_default=True, type=int, help="Drop nodes with fewer edges.")
@click.option(
    "--max-nodes", default=1500, show_default=True, type=int, help="Keep the top nodes by PageRank."
)
@click.option("--size-by", type=click.Choice(["degree", "pagerank"]), default="degree", show_default=True)
@click.option(
    "--query",
    "sparql",
    metavar="SPARQL|@FILE.rq",
    help="Draw only the nodes this SELECT or CONSTRUCT query returns.",
)
def viz(
    graph_dir: Path,
    output: Path,
    view: str,
    focus: str | None,
    depth: int,
    types: str | None,
    min_degree: int,
    max_nodes: int,
    size_by: str,
    sparql: str | None,
) -> None:
    """Write an interactive, offline HTML page of the graph.

    The page works from a file with no network: search, type filters, a confidence slider, tooltips with
    the evidence sentence, and clickable code and project links.

    \b
    Example:
        citekg viz -o graph.html
        citekg viz --focus ImageNet --depth 2 -o imagenet.html
        citekg viz --view citation --max-nodes 300 -o citations.html
    """
    from citekg.graph.project import nodes_in_result, to_networkx
    from citekg.graph.store import GraphStore
    from citekg.viz import render_html

    with GraphStore.open(graph_dir, read_only=True) as store:
        graph = to_networkx(store, view)
        if sparql:
            keep = nodes_in_result(store.query(_read_query(sparql)))
            graph = graph.subgraph(keep).copy()
    chosen = [t.strip() for t in types.split(",") if t.strip()] if types else None
    try:
        path = render_html(
            graph,
            output,
            focus=focus,
            depth=depth,
            types=chosen,
            min_degree=min_degree,
            max_nodes=max_nodes,
            size_by="pagerank" if size_by == "pagerank" else "degree",
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {path}", err=True)


@cli.command()
@click.argument("name", required=False)
def queries(name: str | None) -> None:
    """List the canned SPARQL queries, or print one to read, copy or edit.

    Run one with `citekg query @NAME.rq`, binding its variables with --param.

    \b
    Example:
        citekg queries
        citekg queries methods-per-dataset
        citekg query @papers-without-code.rq --format csv
    """
    from citekg.graph.queries import list_queries, load_query

    if name is not None:
        click.echo(load_query(name).rstrip("\n"))
        return
    described = list_queries()
    width = max(map(len, described), default=0)
    for query_name, description in described.items():
        first = description.split(". ")[0].rstrip(".") if description else ""
        click.echo(f"{query_name.ljust(width)}  {first}")


@cli.command()
@click.option(
    "--gold-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="Folder holding the gold corpora (scierc/, tdmsci/, scier/, scirex/).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the training data and the trained models.",
)
@click.option(
    "--corpus", "corpora", multiple=True, help="Corpus to train on (repeatable); default: the shipped mix."
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="spaCy training config; default: the shipped ner.cfg.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--max-steps", type=int, help="Stop after this many training steps.")
@click.option("--install", is_flag=True, help="Replace the shipped model with the best one trained.")
def train(
    gold_dir: Path,
    output: Path,
    corpora: tuple[str, ...],
    config: Path | None,
    seed: int,
    max_steps: int | None,
    install: bool,
) -> None:
    """Train the statistical NER on the train splits of the gold corpora (CPU, a few minutes).

    \b
    Example:
        citekg train --gold-dir ../shared/gold -o runs/ner
        citekg train --gold-dir ../shared/gold -o runs/ner --corpus scier --corpus tdmsci --install
    """
    from citekg.extractors.train import DEFAULT_CORPORA, install_model
    from citekg.extractors.train import train as run_training

    best = run_training(
        output,
        config=config,
        gold_dir=gold_dir,
        corpora=corpora or DEFAULT_CORPORA,
        seed=seed,
        max_steps=max_steps,
    )
    click.echo(f"best model: {best}")
    if install:
        click.echo(f"installed into {install_model(best)}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@build_options
def add(inputs: tuple[str, ...], graph_dir: Path, **options: Any) -> None:
    """Add papers to an existing (or new) graph, in all-or-nothing writes of --batch-size papers.

    Papers already in the graph change nothing; a paper re-extracted with a newer extractor version
    replaces its old mentions; records of a paper already in the graph (same arXiv id, DOI, or title)
    are merged into it. An interrupted run of up to one batch leaves the graph as it was; a bigger one
    keeps the batches written, and running it again completes it (options as for `citekg build`).

    \b
    Example:
        citekg add new-papers.bib --graph my-graph
        citekg add extractions.jsonl --graph my-graph --json
    """
    paths = _existing_paths(inputs)
    _build_and_report(paths, graph_dir, f"Added to {graph_dir}", options)


@cli.command()
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print the violations as JSON.")
@click.option("--limit", default=20, show_default=True, type=int, help="Focus nodes shown per group.")
def validate(graph_dir: Path, as_json: bool, limit: int) -> None:
    """Check the graph against citekg's SHACL shapes; exit 1 if anything violates them.

    Violations are grouped by shape and property, each with the failing node, the message and the
    offending value.

    \b
    Example:
        citekg validate --graph my-graph
        citekg validate --json | jq '.[0]'
    """
    import pyoxigraph as ox
    from citekg.graph.store import GraphStore
    from citekg.ontology.shapes import format_violations
    from citekg.ontology.shapes import validate as run_validate
    from rdflib import Graph

    with GraphStore.open(graph_dir, read_only=True) as store:
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph = Graph().parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format="nt")
    violations = run_validate(graph)
    if as_json:
        click.echo(json.dumps([_violation_dict(v) for v in violations], indent=2))
    else:
        click.echo(format_violations(violations, limit=limit))
    if violations:
        sys.exit(1)


def _violation_dict(violation: Any) -> dict[str, str]:
    fields = ("shape", "path", "focus", "message", "value", "severity")
    return {name: getattr(violation, name) for name in fields}


@cli.command()
@click.argument("entity")
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def explain(entity: str, graph_dir: Path, as_json: bool) -> None:
    """Explain how an entity was resolved: its forms, why each was merged, and its papers.

    ENTITY is a name, an alias, a key or an IRI; a name shared by entities of different types
    ("MAE" the metric and the method) explains each.

    \b
    Example:
        citekg explain ViT --graph my-graph
        citekg explain https://w3id.org/citekg/method/transformer --json
    """
    from citekg.graph.resolve import explain_entity, find_entities
    from citekg.graph.store import GraphStore

    with GraphStore.open(graph_dir, read_only=True) as store:
        found = find_entities(store, entity)
        if not found:
            raise click.ClickException(
                f"no entity named {entity!r} in {graph_dir} (try a label, alias, key or IRI)"
            )
        explained = [explain_entity(store, iri) for iri in found]
    if as_json:
        click.echo(json.dumps(explained, indent=2, ensure_ascii=False))
        return
    for number, item in enumerate(explained):
        if number:
            click.echo("")
        click.echo(f"{item['label']}  ({item['type']})  {item['iri']}")
        aliases = f"  alias keys: {', '.join(item['alias_keys'])}" if item["alias_keys"] else ""
        click.echo(f"key: {item['key']}{aliases}")
        click.echo("surface forms:")
        for form in item["forms"]:
            click.echo(f"  {form['form']!r:32} {form['mentions']:>4} mention(s)  {form['rule']}")
        click.echo(f"papers ({len(item['papers'])}):")
        for paper in item["papers"]:
            click.echo(f"  {paper['id']:28} {', '.join(paper['roles']):18} {paper['title'][:70]}")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nt", "jsonld", "shapes"]),
    default="ttl",
    show_default=True,
    help="Vocabulary as Turtle, N-Triples or JSON-LD; or the SHACL shapes (Turtle).",
)
def ontology(fmt: str) -> None:
    """Print the citekg vocabulary (OWL) or its SHACL shapes.

    \b
    Example:
        citekg ontology > citekg.ttl
        citekg ontology --format jsonld
        citekg ontology --format shapes
    """
    from citekg.ontology import ontology_path
    from citekg.ontology.shapes import shapes_path

    if fmt in ("ttl", "shapes"):
        path = ontology_path() if fmt == "ttl" else shapes_path()
        click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    from rdflib import Graph

    graph = Graph().parse(ontology_path(), format="turtle")
    click.echo(graph.serialize(format="nt" if fmt == "nt" else "json-ld"), nl=False)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path), help="Shard directory."
)
@format_option
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (tcp://HOST:8786); default: a LocalCluster.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="LocalCluster workers.")
@click.option("--partitions", type=click.IntRange(1), help="Slices of the input (default: 4 per worker).")
@click.option("--fast", is_flag=True, help="Rules only, no statistical NER.")
@click.option("--skip-invalid", is_flag=True, help="Count malformed records instead of stopping.")
@click.option("--overwrite", is_flag=True, help="Replace the shards of an earlier run in the directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def shard(
    inputs: tuple[str, ...],
    output: Path,
    input_format: str | None,
    engine: str,
    scheduler: str | None,
    workers: int,
    partitions: int | None,
    fast: bool,
    skip_invalid: bool,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Extract papers partition by partition into N-Triples + extraction JSONL shards.

    Each partition (a file, or a byte range of a big JSON Lines file) becomes part-NNNNN.nt and
    part-NNNNN.extractions.jsonl; manifest.json is written last. With --engine dask the partitions
    run on Dask workers, which must see the inputs at the same paths. Load the shards with
    `citekg load` (or into QLever, Virtuoso or Jena: see docs/scaling.md).

    \b
    Example:
        citekg shard arxiv-snapshot.json -o shards --engine dask --partitions 64 --fast
        citekg load shards --graph my-graph
    """
    from citekg._output import render_summary
    from citekg.distributed import shard_inputs

    summary = shard_inputs(
        list(inputs),
        output,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        partitions=partitions,
        format=input_format,
        fast=fast,
        skip_invalid=skip_invalid,
        overwrite=overwrite,
        progress=lambda r: click.echo(f"{r['name']}: {r['papers']} papers, {r['triples']} triples", err=True),
    )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    shown = {
        "engine": summary.engine,
        "partitions": summary.partitions,
        "papers": summary.papers,
        "records skipped": len(summary.skipped),
        "triples": summary.triples,
        "seconds": round(summary.seconds, 2),
        "papers/s": round(summary.papers / summary.seconds, 1) if summary.seconds else 0,
    }
    click.echo(render_summary(f"Shards in {output}", shown))
    _echo_skipped(summary.skipped)


@cli.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@graph_option
@click.option("--append", is_flag=True, help="Load into an existing graph (default: a new directory).")
@click.option("--raw", is_flag=True, help="Bulk-load every .nt as it is: fastest; no labels, no builds-on.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def load(shards: tuple[Path, ...], graph_dir: Path, append: bool, raw: bool, as_json: bool) -> None:
    """Load shards (a shard directory, or .nt/.nq files) into a graph.

    A shard written by `citekg shard` is added from the extraction records beside it, one transaction
    per shard, which gives the graph `citekg build` would. Other files, and all with --raw, go through
    Oxigraph's bulk loader: fast and lean, but not transactional. A new graph is built beside the target
    and moved into place when complete, so an interrupted load leaves no half graph; an interrupted
    --append keeps what was loaded, and running the same command again completes it.

    \b
    Example:
        citekg load shards --graph my-graph
        citekg load dump/*.nt --graph my-graph --append
    """
    from citekg._output import render_summary
    from citekg.shards import load_graph, shard_files

    summary = load_graph(graph_dir, shard_files(shards), append=append, raw=raw)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    shown = {
        "shards": len(summary.shards),
        "added from extractions": summary.replayed,
        "bulk-loaded": summary.bulk_loaded,
        "triples added": summary.triples_added,
        "seconds": round(summary.seconds, 2),
    }
    click.echo(render_summary(f"Loaded {graph_dir}", shown))
    click.echo(render_summary("\nGraph", summary.graph))


@cli.command(name="eval")
@click.option(
    "--gold",
    "spec",
    required=True,
    metavar="FORMAT:PATH",
    help="Gold corpus, e.g. scierc:test.json, tdmsci:test.conll, scier:test.jsonl, contract:gold.jsonl.",
)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Score this extraction JSONL instead of running the extractors.",
)
@click.option("--extractors", "names", help="Comma-separated extractors to run (default: all).")
@click.option("--fast", is_flag=True, help="Rules only, no statistical model.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.option(
    "--keep-generic",
    is_flag=True,
    help="Keep lower-case method descriptions ('kernel methods'), as SciERC annotates them.",
)
def evaluate(
    spec: str, predictions: Path | None, names: str | None, fast: bool, as_json: bool, keep_generic: bool
) -> None:
    """Score extraction against a gold corpus: P/R/F1 per type, exact and overlap spans, and speed.

    \b
    Example:
        citekg eval --gold scierc:../shared/gold/scierc/processed_json/test.json
        citekg eval --gold scierc:../shared/gold/scierc/processed_json/test.json --keep-generic
        citekg eval --gold tdmsci:../shared/gold/tdmsci/test_500_v2.conll --json
    """
    from citekg.evaluate import run_eval

    chosen = [n.strip() for n in names.split(",") if n.strip()] if names else None
    report = run_eval(
        spec,
        fast=fast,
        predictions=predictions,
        extractors=chosen,
        as_json=as_json,
        keep_generic=keep_generic,
    )
    click.echo(report)


@cli.command()
def extractors() -> None:
    """List the registered extractors, the types they find and their versions.

    \b
    Example:
        citekg extractors
    """
    from citekg.extractors import list_extractors
    from tabulate import tabulate

    rows = [(i.name, ", ".join(sorted(i.kinds)), i.version, i.summary) for i in list_extractors()]
    click.echo(tabulate(rows, headers=["name", "finds", "version", "summary"]))


def main() -> None:
    """Entry point of the ``citekg`` console script."""
    from citekg._malloc import limit_malloc_arenas

    limit_malloc_arenas()  # first: before any thread allocates (docs/performance.md, the Dask client)
    cli(prog_name="citekg")
