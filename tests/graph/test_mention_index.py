"""MentionIndex counts what the per-entity SPARQL aggregates of the views count."""

from __future__ import annotations

from citekg.graph import views
from citekg.graph.mention_index import MentionIndex, least_of_top
from citekg.graph.store import GraphStore
from hypothesis import given, settings
from hypothesis import strategies as st

MENTIONS = "https://w3id.org/citekg/mentions"
edges = st.sets(st.tuples(st.integers(0, 12), st.sampled_from("abcdefg")), max_size=60)


@settings(max_examples=40, deadline=None)
@given(edges)
def test_partners_equal_the_sparql_aggregate(pairs: set[tuple[int, str]]) -> None:
    with GraphStore.open(None) as store:
        if pairs:
            data = " ".join(f"<http://x/p{p}> <{MENTIONS}> <http://x/{e}> ." for p, e in sorted(pairs))
            store.ox.update(f"INSERT DATA {{ {data} }}")
        index = MentionIndex.read(store)
        assert index.entities == sorted({f"http://x/{e}" for _, e in pairs})
        for number, entity in enumerate(index.entities):
            assert index.partners(number) == views._partners(store, entity)
            assert index.paper_counts()[number] == sum(1 for _, e in pairs if f"http://x/{e}" == entity)


@given(st.lists(st.integers(0, 9), max_size=30), st.integers(1, 8))
def test_least_of_top_keeps_every_count_that_could_rank(counts: list[int], cap: int) -> None:
    import numpy as np

    positive = sorted((c for c in counts if c > 0), reverse=True)
    expected = positive[cap - 1] if len(positive) > cap else 1
    assert least_of_top(np.array(counts, dtype=np.int64), cap) == expected
