"""Selection for the page: focus lookup, k-hop, type and degree filters, PageRank caps, the layout."""

from __future__ import annotations

import copy
import math

import networkx as nx
import pytest
from citekg.errors import CitekgError, UnknownNameError
from citekg.viz.layout import force_layout
from citekg.viz.select import FocusNotFoundError, find_nodes, induced_edges, pagerank, select_nodes
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

NS = "https://w3id.org/citekg/"


@pytest.mark.parametrize(
    "name, expected",
    [
        (NS + "model/bert", [NS + "model/bert"]),
        ("BERT", [NS + "model/bert"]),
        ("bert", [NS + "model/bert"]),
        ("  Bert ", [NS + "model/bert"]),
        ("bidirectional encoder representations", [NS + "model/bert"]),
        ("wmt14", [NS + "dataset/wmt14"]),
        (NS.upper() + "DATASET/GLUE", [NS + "dataset/glue"]),
        ("attention is all you need", [NS + "paper/attention"]),
    ],
)
def test_find_nodes_matches_id_label_alias(graph, name, expected):
    assert find_nodes(graph, name) == expected


def test_find_nodes_returns_every_node_with_the_name():
    g = nx.Graph()
    g.add_node("a", label="Mamba")
    g.add_node("b", label="mamba", type="model")
    g.add_node("c", label="Other")
    assert find_nodes(g, "MAMBA") == ["a", "b"]


@pytest.mark.parametrize(
    "name, suggestion",
    [("Transfomer", "Transformer"), ("BLUE", "BLEU"), ("GLUEE", "GLUE")],
)
def test_find_nodes_unknown_suggests_close_names(graph, name, suggestion):
    with pytest.raises(FocusNotFoundError) as info:
        find_nodes(graph, name)
    assert f"no node is called {name!r}; did you mean: " in str(info.value)
    assert suggestion in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, CitekgError)


def test_find_nodes_nothing_close(graph):
    with pytest.raises(FocusNotFoundError, match="no name is close to it"):
        find_nodes(graph, "zzzzzzzzzzzz")


def path(n: int, directed: bool = False) -> nx.Graph:
    return nx.path_graph([f"n{i}" for i in range(n)], create_using=nx.DiGraph if directed else nx.Graph)


@pytest.mark.parametrize(
    "depth, expected",
    [
        (0, ["n2"]),
        (1, ["n1", "n2", "n3"]),
        (2, ["n0", "n1", "n2", "n3", "n4"]),
        (9, [f"n{i}" for i in range(6)]),
    ],
)
@pytest.mark.parametrize("directed", [False, True])
def test_select_focus_k_hop_ignores_direction(depth, expected, directed):
    assert select_nodes(path(6, directed), focus="n2", depth=depth) == (expected, ["n2"])


def test_select_types_keeps_focus(graph):
    chosen, focus = select_nodes(graph, focus="Transformer", types=["paper"])
    assert focus == [NS + "method/transformer"]
    assert set(chosen) == {NS + "method/transformer", NS + "paper/attention", NS + "paper/bert"}


@pytest.mark.parametrize(
    "types, expected",
    [
        (["dataset"], {NS + "dataset/wmt14", NS + "dataset/glue"}),
        (["metric", "task"], {NS + "metric/bleu", NS + "task/mt"}),
        ([], set()),
    ],
)
def test_select_types(graph, types, expected):
    assert set(select_nodes(graph, types=types)[0]) == expected


def test_select_unknown_type_lists_the_types(graph):
    with pytest.raises(
        UnknownNameError, match="unknown node type 'datasets'; choose one of: code_repository"
    ):
        select_nodes(graph, types=["datasets"])


def test_select_min_degree_uses_whole_graph_degree():
    g = nx.star_graph(3)
    g.add_edge(1, 2)
    assert select_nodes(g, min_degree=2)[0] == [0, 1, 2]
    assert select_nodes(g, min_degree=4)[0] == []
    assert select_nodes(g, min_degree=4, focus="3", depth=0)[0] == [3]  # ids match as text


def test_select_max_nodes_keeps_top_pagerank_in_graph_order():
    g = nx.Graph()
    g.add_edges_from(
        [
            ("leaf1", "hub"),
            ("leaf2", "hub"),
            ("leaf3", "hub"),
            ("leaf3", "hub2"),
            ("leaf4", "hub2"),
            ("leaf5", "hub2"),
        ]
    )
    assert select_nodes(g, max_nodes=2)[0] == ["hub", "hub2"]
    assert select_nodes(g, max_nodes=1)[0] == ["hub"]
    # the focus survives a cap that it would not make on rank alone
    assert select_nodes(g, max_nodes=1, focus="leaf5", depth=5) == (["leaf5"], ["leaf5"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"depth": -1}, "depth must be 0 or more"),
        ({"min_degree": -2}, "min_degree must be 0 or more"),
        ({"max_nodes": 0}, "max_nodes must be 1 or more"),
    ],
)
def test_select_rejects_bad_numbers(graph, kwargs, message):
    with pytest.raises(ValueError, match=message):
        select_nodes(graph, **kwargs)


def test_select_leaves_graph_unchanged(graph):
    before = copy.deepcopy(graph)
    select_nodes(graph, focus="BERT", depth=2, types=["paper", "model"], min_degree=1, max_nodes=2)
    assert nx.utils.graphs_equal(graph, before)


@pytest.mark.parametrize(
    "g",
    [
        nx.star_graph(4),
        nx.DiGraph([(1, 2), (2, 3), (3, 1), (3, 4)]),
        nx.gn_graph(60, seed=3),
        nx.barabasi_albert_graph(80, 2, seed=5),
        nx.DiGraph([(1, 2)]),  # node 2 dangles
    ],
    ids=["star", "cycle+tail", "gn", "ba", "dangling"],
)
def test_pagerank_matches_networkx(g):
    ours = pagerank(g)
    reference = _pagerank_python(g, weight=None, tol=1e-10, max_iter=500)
    assert ours.keys() == reference.keys()
    for node in g:
        assert ours[node] == pytest.approx(reference[node], abs=1e-6)


def test_induced_edges_keeps_parallel_edges():
    g = nx.MultiDiGraph([("a", "b"), ("a", "b"), ("b", "c"), ("c", "a")])
    assert sorted((u, v) for u, v, _ in induced_edges(g, {"a", "b"})) == [("a", "b"), ("a", "b")]


def test_layout_is_deterministic_and_finite():
    g = nx.barabasi_albert_graph(400, 2, seed=1)
    g.add_nodes_from(["alone1", "alone2"])
    first, second = force_layout(g, seed=7), force_layout(g, seed=7)
    assert first == second
    assert set(first) == set(g)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in first.values())


def test_layout_puts_neighbours_closer_than_strangers():
    g = nx.connected_caveman_graph(20, 8)
    pos = force_layout(g, seed=2)
    dist = lambda u, v: math.dist(pos[u], pos[v])  # noqa: E731
    edge_mean = sum(dist(u, v) for u, v in g.edges()) / g.number_of_edges()
    nodes = list(g)
    pairs = [(nodes[i], nodes[(i * 37 + 11) % len(nodes)]) for i in range(len(nodes))]
    stranger_mean = sum(dist(u, v) for u, v in pairs) / len(pairs)
    assert edge_mean * 3 < stranger_mean


def test_layout_sets_isolated_nodes_out_below():
    g = nx.path_graph(30)
    g.add_nodes_from(range(100, 110))
    pos = force_layout(g)
    lowest_linked = max(pos[n][1] for n in range(30))
    assert all(pos[n][1] > lowest_linked for n in range(100, 110))
