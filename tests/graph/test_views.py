"""Precomputed views (citekg.graph.views): view-backed canned queries agree with direct aggregates.

A seeded synthetic corpus is written in batches (incremental refreshes), then partly re-extracted with a
newer extractor (mentions removed); after each step every view-backed canned query is compared with the
same answer aggregated over the whole graph. Small caps and a low ranking threshold make the small graph
exercise the stored rankings, their merges and the request-time branch.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pyoxigraph as ox
import pytest
from citekg.graph import views
from citekg.graph.queries import load_query
from citekg.graph.store import GraphStore
from citekg.model import Extraction, Link, Mention, Paper
from citekg.ontology.namespace import CITEKG_NS
from rdflib import URIRef

KINDS = ("method", "dataset", "model", "task", "metric")
CLASSES = {"method": "Method", "dataset": "Dataset", "model": "Model", "task": "Task", "metric": "Metric"}


@pytest.fixture(autouse=True)
def small_views(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "RANK_CAP", 6)
    monkeypatch.setattr(views, "ENTITY_CAP", 4)
    monkeypatch.setattr(views, "FREQUENT", 5)
    monkeypatch.setattr(views, "PAGE_SIZE", 7)


def corpus(count: int, seed: int = 0, version: str = "v1", start: int = 0) -> list[Extraction]:
    rng = random.Random(seed)
    names = {kind: [f"{kind.title()}{i}" for i in range(8)] for kind in KINDS}
    papers = []
    for i in range(start, start + count):
        pid = f"arxiv:2001.{i:05d}"
        words, mentions = [], []
        for kind in KINDS:
            for _ in range(rng.randint(0, 2)):
                name = names[kind][int(len(names[kind]) * rng.random() ** 2)]
                role = rng.choice(["used", "used", "proposed", "compared"])
                begin = sum(len(w) + 1 for w in words)
                words.append(name)
                mentions.append(
                    Mention(pid, kind, name, begin, begin + len(name), "abstract", name, role, 0.9)
                )
        links = ()
        if rng.random() < 0.5:
            url = f"https://github.com/lab/p{i}"
            links = (Link(url, url, "code", "github.com", f"lab/p{i}", field="metadata"),)
        refs = tuple(sorted({f"arxiv:2001.{rng.randrange(max(i, 1)):05d}" for _ in range(rng.randint(0, 3))}))
        refs += ("doi:10.1000/ext.1",) if rng.random() < 0.3 else ()
        paper = Paper(
            id=pid, title=f"Paper {i}", abstract=" ".join(words), year=2000 + i % 20, references=refs
        )
        papers.append(Extraction(paper, mentions=tuple(mentions), links=links, extractor_version=version))
    return papers


def select(store: GraphStore, sparql: str, **bindings: object) -> list[dict[str, object]]:
    result = store.query(sparql, bindings or None)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    rows = []
    for row in result:  # type: ignore[union-attr]
        values = {}
        for name in names:
            term = row[name]
            if term is not None:
                values[name] = (
                    int(term.value) if isinstance(term, ox.Literal) and term.value.isdigit() else term.value
                )
        rows.append(values)
    return rows


def best(counter: dict, cap: int) -> list[tuple]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]


def direct_truth(store: GraphStore) -> dict[str, object]:
    """Every answer the views give, aggregated over the whole default graph."""
    edges = [(r["p"], r["e"]) for r in select(store, "SELECT ?p ?e WHERE { ?p ckg:mentions ?e }")]
    counts = Counter(e for _, e in edges)
    by_paper: dict[str, set[str]] = {}
    for p, e in edges:
        by_paper.setdefault(p, set()).add(e)
    pairs: Counter = Counter()
    for entities in by_paper.values():
        for a, b in combinations(sorted(entities), 2):
            pairs[(a, b)] += 1
    return {"counts": counts, "pairs": pairs, "by_paper": by_paper}


def kind_of(entity: str) -> str:
    return entity.removeprefix(CITEKG_NS).split("/")[0]


def partners(truth: dict, entity: str) -> Counter:
    found: Counter = Counter()
    for (a, b), n in truth["pairs"].items():
        if a == entity:
            found[b] += n
        elif b == entity:
            found[a] += n
    return found


def check_views(store: GraphStore) -> None:
    truth = direct_truth(store)
    counts = truth["counts"]
    assert not views.views_stale(store)

    # top-entities, every type and all, paged with ?after
    for kind in (*KINDS, None):
        expected = best({e: n for e, n in counts.items() if kind in (None, kind_of(e))}, views.RANK_CAP)
        bindings = {"type": URIRef(CITEKG_NS + CLASSES[kind])} if kind else {}
        rows = select(store, load_query("top-entities"), **bindings)
        assert [(r["entity"], r["papers"]) for r in rows] == expected
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
        if len(rows) > 2:
            page = select(store, load_query("top-entities"), after=2, **bindings)
            assert [r["entity"] for r in page] == [e for e, _ in expected[2:]]

    # co-occurrence, per entity (stored or counted now) and graph-wide
    for entity in counts:
        found = select(store, load_query("cooccurring-entities"), entity=URIRef(entity))
        expected = best(partners(truth, entity), 100)
        if counts[entity] >= views.FREQUENT:
            expected = expected[: views.ENTITY_CAP]
        assert [(r["other"], r["papers"]) for r in found] == expected, entity
    found = select(store, load_query("cooccurring-entities"))
    expected = best(truth["pairs"], views.RANK_CAP)
    assert [((r["rankedEntity"], r["other"]), r["papers"]) for r in found] == expected

    # methods per dataset
    def methods(dataset: str) -> Counter:
        return Counter(
            {o: n for o, n in partners(truth, dataset).items() if kind_of(o) in ("method", "model")}
        )

    datasets = [e for e in counts if kind_of(e) == "dataset"]
    for dataset in datasets:
        found = select(store, load_query("methods-per-dataset"), dataset=URIRef(dataset))
        expected = best(methods(dataset), 100)
        if counts[dataset] >= views.FREQUENT:
            expected = expected[: views.ENTITY_CAP]
        assert [(r["method"], r["papers"]) for r in found] == expected, dataset
    all_pairs = Counter({(d, m): n for d in datasets for m, n in methods(d).items()})
    found = select(store, load_query("methods-per-dataset"))
    assert [((r["rankedDataset"], r["method"]), r["papers"]) for r in found] == best(
        all_pairs, views.RANK_CAP
    )

    # counts
    stats = store.stats()
    summary = select(store, load_query("graph-summary"))[0]
    assert summary["papers"] == stats["papers"]
    assert summary["inCorpusPapers"] == stats["papers_in_corpus"]
    assert summary["citations"] == stats["citations"]
    assert summary["papersWithCode"] == stats["papers_with_code"]
    assert summary["entities"] == stats["entities"]["total"]
    assert summary["datasets"] == stats["entities"]["dataset"]
    corpus_citations = select(
        store, "SELECT ?p ?q WHERE { ?p cito:cites ?q . ?p ckg:inCorpus true . ?q ckg:inCorpus true }"
    )
    assert summary["citationsInGraph"] == len(corpus_citations)
    assert select(store, load_query("count-papers")) == [
        {
            "papers": stats["papers"],
            "inCorpusPapers": stats["papers_in_corpus"],
            "externalPapers": stats["papers_external"],
        }
    ]

    # paged listings: every page together lists each answer once
    pages = summary["pages"]
    assert pages == -(-stats["papers_in_corpus"] // views.PAGE_SIZE)
    listed: dict[str, list] = {"papers-with-code": [], "papers-without-code": [], "citations-in-graph": []}
    for number in range(1, pages + 2):
        for name, rows in listed.items():
            found = select(store, load_query(name), page=number)
            rows += [(r.get("paper") or r["citing"], r.get("cited")) for r in found]
    with_code = select(store, "SELECT DISTINCT ?p WHERE { ?p ckg:hasCode ?r }")
    corpus_papers = {r["p"] for r in select(store, "SELECT ?p WHERE { ?p ckg:inCorpus true }")}
    assert sorted(listed["papers-with-code"]) == sorted((r["p"], None) for r in with_code)
    without = corpus_papers - {r["p"] for r in with_code}
    assert sorted(listed["papers-without-code"]) == sorted((p, None) for p in without)
    assert sorted(listed["citations-in-graph"]) == sorted((r["p"], r["q"]) for r in corpus_citations)
    assert select(store, load_query("papers-with-code"), page="2") == select(
        store, load_query("papers-with-code"), page=2
    )


def test_views_follow_incremental_writes_and_re_extraction() -> None:
    papers = corpus(60)
    with GraphStore.open(None) as store:
        for start in range(0, 60, 20):
            store.update(papers[start : start + 20])
            check_views(store)
        # a newer extractor that finds fewer mentions: counts drop, pairs go
        newer = [
            Extraction(e.paper, mentions=e.mentions[::2], links=e.links, extractor_version="v2")
            for e in papers[:25]
        ]
        report = store.update(newer)
        assert len(report.replaced) == sum(1 for e in newer if e.mentions) > 20
        check_views(store)
        # a few more papers after that, and adding the same again changes nothing
        store.update(corpus(5, seed=7, start=60))
        check_views(store)
        before = store.ox.dump(format=ox.RdfFormat.N_QUADS)
        store.update(corpus(5, seed=7, start=60))
        assert store.ox.dump(format=ox.RdfFormat.N_QUADS) == before


def test_full_refresh_agrees_with_incremental() -> None:
    papers = corpus(50, seed=3)
    with GraphStore.open(None) as store:
        for start in range(0, 50, 10):
            store.update(papers[start : start + 10])
        answers = {name: select(store, load_query(name)) for name in ("top-entities", "cooccurring-entities")}
        views.refresh_views(store)
        check_views(store)
        assert answers == {name: select(store, load_query(name)) for name in answers}
        some = [r["entity"] for r in answers["top-entities"][:3]]
        views.refresh_views(store, some)
        check_views(store)


def test_interrupted_refresh_is_redone_by_the_next_write(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus(30, seed=5)
    with GraphStore.open(None) as store:
        store.update(papers[:10])

        def killed(*args: object) -> None:
            raise KeyboardInterrupt

        with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
            patched.setattr(views, "refresh_after_write", killed)
            store.update(papers[10:20])
        assert views.views_stale(store)  # the data went in with the marker; the views lag
        store.update(papers[20:])
        check_views(store)


def test_views_stay_out_of_the_data_and_validate_clean(tmp_path) -> None:
    from citekg.ontology.shapes import validate
    from rdflib import Graph

    with GraphStore.open(None) as store:
        store.update(corpus(40, seed=9))
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        assert len(store) == len(Graph().parse(data=data.decode(), format="nt"))
        assert views.VIEWS_GRAPH.encode() not in data and b"/view/" not in data
        store.export(tmp_path / "g.nt", "nt")
        assert b"/view/" not in (tmp_path / "g.nt").read_bytes()
        graph = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(views.VIEWS_GRAPH))
        view_graph = Graph().parse(data=graph.decode(), format="nt")
        assert validate(view_graph) == []
        broken = Graph().parse(data=graph.decode(), format="nt")
        item = URIRef(views._VIEW + "topEntities/all/1")
        broken.remove((item, URIRef(CITEKG_NS + "rank"), None))
        assert {v.shape for v in validate(broken)} >= {"shapes:RankedItemShape"}


def test_empty_store_and_a_store_without_views() -> None:
    with GraphStore.open(None) as store:
        assert not views.views_stale(store)
        assert select(store, load_query("top-entities")) == []
        store.update(corpus(10))
        store.ox.clear_graph(ox.NamedNode(views.VIEWS_GRAPH))  # e.g. a store built before the views
        assert views.views_stale(store)
        store.update(corpus(5, start=10))
        check_views(store)
