"""Fixtures for the graph tests: a small hand-made corpus of extractions and a store holding it.

Built from ``citekg.model`` objects directly, so these tests do not depend on the extractors.
"""

from __future__ import annotations

import pytest
from citekg.graph import GraphStore
from citekg.model import Extraction, Link, Mention, Paper

ATTENTION = "arxiv:1706.03762"
BERT = "arxiv:1810.04805"
QUOTED = "doi:10.1000/xyz123"
#: A title that would break a query built by string splicing.
HOSTILE_TITLE = 'Robust "} ; DROP ALL ; # Probing'


def _corpus() -> tuple[Extraction, ...]:
    attention = Paper(
        id=ATTENTION,
        title="Attention Is All You Need",
        abstract="The Transformer beats prior work on WMT 2014 by 2 BLEU.",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        year=2017,
        venue="NeurIPS",
        url="https://arxiv.org/abs/1706.03762",
        ids=(("arxiv", "1706.03762"), ("doi", "10.48550/arxiv.1706.03762")),
    )
    bert = Paper(
        id=BERT,
        title="BERT: Pre-training of Deep Bidirectional Transformers",
        abstract="We introduce BERT, built on the transformer, and evaluate on GLUE and SQuAD.",
        authors=("Jacob Devlin",),
        year=2019,
        references=(ATTENTION, "title:Deep Residual Learning for Image Recognition", "doi:10.5555/External"),
    )
    quoted = Paper(id=QUOTED, title=HOSTILE_TITLE, abstract="", references=(BERT,))
    return (
        Extraction(
            paper=attention,
            mentions=(
                Mention(
                    ATTENTION,
                    "method",
                    "Transformer",
                    4,
                    15,
                    "abstract",
                    "Transformer",
                    "proposed",
                    0.9,
                    "patterns",
                ),
                Mention(
                    ATTENTION, "dataset", "WMT 2014", 36, 44, "abstract", "WMT 2014", "used", 1.0, "lexicons"
                ),
                Mention(ATTENTION, "metric", "BLEU", 50, 54, "abstract", "BLEU", "used", 1.0, "lexicons"),
            ),
            links=(
                Link(
                    url="https://github.com/tensorflow/tensor2tensor.",
                    normalized="https://github.com/tensorflow/tensor2tensor",
                    kind="code",
                    host="github.com",
                    repo="tensorflow/tensor2tensor",
                    field="metadata",
                ),
                # A link to the paper itself is not a citation.
                Link(
                    "https://arxiv.org/abs/1706.03762",
                    "https://arxiv.org/abs/1706.03762",
                    "paper",
                    "arxiv.org",
                ),
            ),
            extractor_version="0.1.0",
        ),
        Extraction(
            paper=bert,
            mentions=(
                Mention(BERT, "model", "BERT", 13, 17, "abstract", "BERT", "proposed", 0.95, "patterns"),
                Mention(BERT, "model", "BERT", 0, 4, "title", "BERT", "proposed", 0.95, "patterns"),
                # Same entity as Attention's "Transformer": keys differ only in case.
                Mention(
                    BERT, "method", "transformer", 32, 43, "abstract", "transformer", "used", 0.8, "lexicons"
                ),
                Mention(BERT, "dataset", "GLUE", 61, 65, "abstract", "GLUE", "used", 1.0, "lexicons"),
                Mention(BERT, "dataset", "SQuAD", 70, 75, "abstract", "SQuAD", "compared", 1.0, "lexicons"),
            ),
            links=(
                Link(
                    "https://github.com/google-research/bert",
                    "https://github.com/google-research/bert",
                    "code",
                    "github.com",
                    "google-research/bert",
                    80,
                    120,
                ),
                Link("arxiv.org/abs/1706.03762v5", "https://arxiv.org/abs/1706.03762", "paper", "arxiv.org"),
            ),
            extractor_version="0.1.0",
        ),
        Extraction(
            paper=quoted,
            mentions=(Mention(QUOTED, "dataset", "GLUE", 0, 4, "title", "glue", "mentioned", 0.5, "ner"),),
            links=(
                Link(
                    "https://probe.github.io/", "https://probe.github.io", "project_page", "probe.github.io"
                ),
                Link(
                    "https://huggingface.co/datasets/glue",
                    "https://huggingface.co/datasets/glue",
                    "dataset",
                    "huggingface.co",
                    "glue",
                ),
            ),
            extractor_version="0.1.0",
        ),
    )


@pytest.fixture(scope="session")
def corpus() -> tuple[Extraction, ...]:
    return _corpus()


@pytest.fixture()
def kg(corpus):
    with GraphStore.open(None) as store:
        store.add(corpus)
        yield store
