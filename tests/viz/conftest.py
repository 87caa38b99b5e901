"""A small graph that follows the viz attribute contract, with hostile text where paper text goes."""

from __future__ import annotations

import networkx as nx
import pytest

NS = "https://w3id.org/citekg/"
XSS_ABSTRACT = (
    'We study <img src=x onerror="window.__xss=1;alert(1)"> and '
    "<script>window.__xss=2</script> models; see </script><script>window.__xss=3</script>."
)
XSS_LABEL = '<b onmouseover="window.__xss=4">Bold</b> method'


def contract_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node(
        NS + "paper/attention",
        type="paper",
        label="Attention Is All You Need",
        title="Attention Is All You Need",
        year=2017,
        url="https://arxiv.org/abs/1706.03762",
        abstract=XSS_ABSTRACT,
    )
    g.add_node(
        NS + "paper/bert",
        type="paper",
        label="BERT: Pre-training of Deep Bidirectional Transformers",
        year=2019,
        url="https://arxiv.org/abs/1810.04805",
        abstract="We introduce BERT. \u2028 Done.",
    )
    g.add_node(
        NS + "method/transformer", type="method", label="Transformer", aliases=["transformer architecture"]
    )
    g.add_node(NS + "method/xss", type="method", label=XSS_LABEL)
    g.add_node(
        NS + "model/bert", type="model", label="BERT", aliases=["Bidirectional Encoder Representations"]
    )
    g.add_node(NS + "dataset/wmt14", type="dataset", label="WMT 2014", aliases=["WMT14"])
    g.add_node(NS + "dataset/glue", type="dataset", label="GLUE")
    g.add_node(NS + "task/mt", type="task", label="machine translation")
    g.add_node(NS + "metric/bleu", type="metric", label="BLEU")
    g.add_node(
        NS + "repo/t2t",
        type="code_repository",
        label="tensorflow/tensor2tensor",
        url="https://github.com/tensorflow/tensor2tensor",
    )
    g.add_node(NS + "page/evil", type="project_page", label="evil page", url="javascript:window.__xss=5")
    g.add_node(
        NS + "web/hf",
        type="web_resource",
        label="huggingface.co/bert-base-uncased",
        url="https://huggingface.co/bert-base-uncased",
    )
    p1, p2 = NS + "paper/attention", NS + "paper/bert"
    g.add_edge(
        p1,
        NS + "method/transformer",
        relation="proposes",
        confidence=0.95,
        evidence="We propose the Transformer, a model based on attention.",
        evidence_start=15,
        evidence_end=26,
    )
    g.add_edge(
        p1,
        NS + "dataset/wmt14",
        relation="uses",
        confidence=0.8,
        evidence="On the WMT 2014 <b>English-German</b> task",
        evidence_start=7,
        evidence_end=15,
    )
    g.add_edge(p1, NS + "task/mt", relation="mentions", confidence=0.3)
    g.add_edge(p1, NS + "metric/bleu", relation="mentions", confidence=0.6)
    g.add_edge(
        p1,
        NS + "method/xss",
        relation="mentions",
        confidence=0.2,
        evidence='<img src=x onerror="window.__xss=6"> is here',
        evidence_start=0,
        evidence_end=5,
    )
    g.add_edge(p1, NS + "repo/t2t", relation="has_code")
    g.add_edge(p1, NS + "page/evil", relation="has_project_page")
    g.add_edge(p2, p1, relation="cites")
    g.add_edge(p2, NS + "model/bert", relation="proposes", confidence=0.9)
    g.add_edge(p2, NS + "dataset/glue", relation="uses", confidence=0.7)
    g.add_edge(p2, NS + "method/transformer", relation="builds_on")
    g.add_edge(p2, NS + "web/hf", relation="has_link")
    g.add_edge(NS + "method/transformer", NS + "model/bert", relation="co_occurs", weight=3)
    return g


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return contract_graph()


@pytest.fixture(scope="session")
def make_graph():
    """The factory itself, for module-scoped fixtures that need their own copy."""
    return contract_graph
