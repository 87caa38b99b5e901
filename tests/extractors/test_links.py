from __future__ import annotations

import re
from pathlib import Path

import pytest
from citekg.extractors import build_nlp
from citekg.extractors.links import _may_hold_links, classify_url, find_links, refine_kind, strip_trailing


def _found(text: str) -> set[tuple[str, str, str | None]]:
    return {(link.kind, link.normalized, link.repo) for link in find_links(text)}


@pytest.mark.parametrize(
    "url, kind, normalized, repo",
    [
        # code hosts: the repository root, lower-cased
        (
            "https://github.com/hunto/LocalMamba",
            "code",
            "https://github.com/hunto/localmamba",
            "hunto/localmamba",
        ),
        ("github.com/a/b.git", "code", "https://github.com/a/b", "a/b"),
        ("https://github.com/a/b/tree/main/src/x.py", "code", "https://github.com/a/b", "a/b"),
        ("https://github.com/a/b/blob/main/README.md#readme", "code", "https://github.com/a/b", "a/b"),
        ("https://github.com/a/b?tab=readme-ov-file", "code", "https://github.com/a/b", "a/b"),
        ("https://www.github.com/a/b/", "code", "https://github.com/a/b", "a/b"),
        ("http://github.com/A/B#readme", "code", "https://github.com/a/b", "a/b"),
        ("https://raw.githubusercontent.com/a/b/main/x.txt", "code", "https://github.com/a/b", "a/b"),
        ("https://gitlab.com/grp/proj", "code", "https://gitlab.com/grp/proj", "grp/proj"),
        ("gitlab.com/grp/sub/proj.git", "code", "https://gitlab.com/grp/sub/proj", "grp/sub/proj"),
        (
            "https://gitlab.com/grp/sub/proj/-/tree/main/x",
            "code",
            "https://gitlab.com/grp/sub/proj",
            "grp/sub/proj",
        ),
        ("https://bitbucket.org/o/r/src/master/", "code", "https://bitbucket.org/o/r", "o/r"),
        ("https://codeberg.org/o/r", "code", "https://codeberg.org/o/r", "o/r"),
        ("https://git.sr.ht/~sir/hare", "code", "https://git.sr.ht/~sir/hare", "~sir/hare"),
        ("https://gist.github.com/user/abc123", "code", "https://gist.github.com/user/abc123", None),
        # GitHub pages that are not repositories
        ("https://github.com/features/copilot", "other", "https://github.com/features/copilot", None),
        ("https://github.com/AgentTorch", "other", "https://github.com/agenttorch", None),
        ("https://github.com/orgs/openai/repositories", "other", "https://github.com/orgs/openai", None),
        ("https://github.com/sponsors/someone", "other", "https://github.com/sponsors/someone", None),
        ("https://github.com", "other", "https://github.com", None),
        ("https://gitlab.com/grp", "other", "https://gitlab.com/grp", None),
        # project pages
        ("https://phyworld.github.io", "project_page", "https://phyworld.github.io", None),
        ("https://jyopari.github.io/VINN/", "project_page", "https://jyopari.github.io/VINN", None),
        ("foo.gitlab.io/bar", "project_page", "https://foo.gitlab.io/bar", None),
        ("sites.google.com/view/abc", "project_page", "https://sites.google.com/view/abc", None),
        ("https://proj.netlify.app", "project_page", "https://proj.netlify.app", None),
        ("https://proj.vercel.app/demo", "project_page", "https://proj.vercel.app/demo", None),
        ("cs.stanford.edu/~x/proj", "project_page", "https://cs.stanford.edu/~x/proj", None),
        ("https://people.csail.mit.edu/x/y", "project_page", "https://people.csail.mit.edu/x/y", None),
        ("https://www.robots.ox.ac.uk/~vgg/data/", "project_page", "https://robots.ox.ac.uk/~vgg/data", None),
        (
            "http://virtualhumans.mpi-inf.mpg.de/behave",
            "project_page",
            "https://virtualhumans.mpi-inf.mpg.de/behave",
            None,
        ),
        ("https://example.com/~alice/proj", "project_page", "https://example.com/~alice/proj", None),
        # Hugging Face
        (
            "https://huggingface.co/meta-llama/Llama-2-7b-hf",
            "model_hub",
            "https://huggingface.co/meta-llama/llama-2-7b-hf",
            "meta-llama/llama-2-7b-hf",
        ),
        ("huggingface.co/datasets/x/y", "dataset", "https://huggingface.co/datasets/x/y", "x/y"),
        (
            "https://huggingface.co/spaces/o/demo",
            "project_page",
            "https://huggingface.co/spaces/o/demo",
            "o/demo",
        ),
        (
            "https://huggingface.co/papers/2401.01234",
            "paper",
            "https://huggingface.co/papers/2401.01234",
            None,
        ),
        (
            "https://huggingface.co/docs/transformers",
            "other",
            "https://huggingface.co/docs/transformers",
            None,
        ),
        ("https://huggingface.co/meta-llama", "other", "https://huggingface.co/meta-llama", None),
        # data, papers, DOIs
        ("https://zenodo.org/record/1234567", "dataset", "https://zenodo.org/records/1234567", None),
        (
            "https://zenodo.org/records/1234567/files/x.zip",
            "dataset",
            "https://zenodo.org/records/1234567",
            None,
        ),
        ("https://doi.org/10.5281/zenodo.1234567", "dataset", "https://doi.org/10.5281/zenodo.1234567", None),
        (
            "https://www.kaggle.com/datasets/owner/name",
            "dataset",
            "https://kaggle.com/datasets/owner/name",
            "owner/name",
        ),
        ("https://arxiv.org/abs/1706.03762v7", "paper", "https://arxiv.org/abs/1706.03762", None),
        ("arxiv.org/pdf/2401.01234.pdf", "paper", "https://arxiv.org/abs/2401.01234", None),
        ("https://openreview.net/forum?id=abc", "paper", "https://openreview.net/forum?id=abc", None),
        ("https://doi.org/10.18653/V1/N19-1423", "doi", "https://doi.org/10.18653/v1/n19-1423", None),
        ("doi:10.1145/3292500.3330701", "doi", "https://doi.org/10.1145/3292500.3330701", None),
        ("10.18653/v1/N19-1423", "doi", "https://doi.org/10.18653/v1/n19-1423", None),
        ("arXiv:2401.01234v2", "paper", "https://arxiv.org/abs/2401.01234", None),
        ("arXiv hep-th/9901001", "paper", "https://arxiv.org/abs/hep-th/9901001", None),
        # everything else
        ("https://sjlee.cc/vq-bet", "other", "https://sjlee.cc/vq-bet", None),
        ("https://www.youtube.com/watch?v=abc#t=3", "other", "https://youtube.com/watch?v=abc", None),
        ("www.example.org/x/", "other", "https://example.org/x", None),
    ],
)
def test_classify_url(url: str, kind: str, normalized: str, repo: str | None) -> None:
    link = classify_url(url)
    assert (link.kind, link.normalized, link.repo) == (kind, normalized, repo)
    assert link.url == url
    assert (link.start, link.end, link.field) == (-1, -1, "metadata")


@pytest.mark.parametrize(
    "url",
    ["https://github.com/a/b", "gitlab.com/g/s/p", "https://huggingface.co/datasets/x/y", "arXiv:1706.03762"],
)
def test_classify_url_normalized_is_idempotent(url: str) -> None:
    first = classify_url(url)
    again = classify_url(first.normalized)
    assert (again.normalized, again.kind, again.repo) == (first.normalized, first.kind, first.repo)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://github.com/a/b.", "https://github.com/a/b"),
        ("https://github.com/a/b,", "https://github.com/a/b"),
        ("https://github.com/a/b;", "https://github.com/a/b"),
        ("https://github.com/a/b:", "https://github.com/a/b"),
        ("https://github.com/a/b).", "https://github.com/a/b"),
        ("https://github.com/a/b]", "https://github.com/a/b"),
        ("https://github.com/a/b'", "https://github.com/a/b"),
        ('https://github.com/a/b"', "https://github.com/a/b"),
        ("https://github.com/a/b”", "https://github.com/a/b"),
        ("https://github.com/a/b…", "https://github.com/a/b"),
        ("https://github.com/a/b/", "https://github.com/a/b/"),
        ("https://en.wikipedia.org/wiki/A_(b)", "https://en.wikipedia.org/wiki/A_(b)"),
        ("https://en.wikipedia.org/wiki/A_(b))", "https://en.wikipedia.org/wiki/A_(b)"),
    ],
)
def test_strip_trailing(raw: str, expected: str) -> None:
    assert strip_trailing(raw) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Code: https://github.com/a/b.", {("code", "https://github.com/a/b", "a/b")}),
        (
            "Code at github.com/a/b, data at huggingface.co/datasets/x/y.",
            {
                ("code", "https://github.com/a/b", "a/b"),
                ("dataset", "https://huggingface.co/datasets/x/y", "x/y"),
            },
        ),
        ("(see https://github.com/a/b)", {("code", "https://github.com/a/b", "a/b")}),
        ("[code](https://github.com/a/b)", {("code", "https://github.com/a/b", "a/b")}),
        ("Code:https://github.com/a/b", {("code", "https://github.com/a/b", "a/b")}),
        ("“https://github.com/a/b”", {("code", "https://github.com/a/b", "a/b")}),
        ("Code: https://github.com/a/b.git.", {("code", "https://github.com/a/b", "a/b")}),
        ("Page: www.example.org/x;", {("project_page", "https://example.org/x", None)}),
        ("Project page: https://foo.github.io/bar…", {("project_page", "https://foo.github.io/bar", None)}),
        ("Demo: foo.github.io/bar]", {("project_page", "https://foo.github.io/bar", None)}),
        ("See sites.google.com/view/abc.", {("project_page", "https://sites.google.com/view/abc", None)}),
        (
            "Videos and code can be found https://sjlee.cc/vq-bet",
            {("project_page", "https://sjlee.cc/vq-bet", None)},
        ),
        ("Our results differ from https://sjlee.cc/vq-bet", {("other", "https://sjlee.cc/vq-bet", None)}),
        ("Videos at https://youtube.com/watch?v=x.", {("other", "https://youtube.com/watch?v=x", None)}),
        ("Built on arXiv preprint arXiv:1706.03762.", {("paper", "https://arxiv.org/abs/1706.03762", None)}),
        ("as in (arXiv: 2401.01234v2)", {("paper", "https://arxiv.org/abs/2401.01234", None)}),
        ("See doi:10.1145/3292500.3330701.", {("doi", "https://doi.org/10.1145/3292500.3330701", None)}),
        ("BERT (10.18653/v1/N19-1423).", {("doi", "https://doi.org/10.18653/v1/n19-1423", None)}),
        ("https://arxiv.org/abs/1706.03762.", {("paper", "https://arxiv.org/abs/1706.03762", None)}),
        ("at https://doi.org/10.5281/zenodo.42.", {("dataset", "https://doi.org/10.5281/zenodo.42", None)}),
        (
            "Repos: github.com/a/b and https://gitlab.com/g/s/p/-/tree/x.",
            {("code", "https://github.com/a/b", "a/b"), ("code", "https://gitlab.com/g/s/p", "g/s/p")},
        ),
        # negatives
        ("Write to a@b.com or alice.smith@cs.stanford.edu.", set()),
        ("e.g. this, i.e. that, cf. Fig. 3.2 and Eq. 4.", set()),
        ("We release v1.2.3 and GPT-4.5 beats 3.14 and 0.5.", set()),
        ("Weights in model.pt, config.yaml, train.py and README.md.", set()),
        ("Scores of 12.34/56.78 and 1e-3.", set()),
        ("Node.js and ASP.NET are frameworks.", set()),
        ("The year 2401.01234 is not an arXiv id without its prefix.", set()),
        ("", set()),
    ],
)
def test_find_links(text: str, expected: set[tuple[str, str, str | None]]) -> None:
    assert _found(text) == expected
    assert _may_hold_links(text) or not expected  # the component's prefilter never hides a link


@pytest.mark.parametrize(
    "text",
    [
        "Code: https://github.com/a/b. Data: huggingface.co/datasets/x/y, doi:10.1/abc.",
        "Pages (https://x.github.io/p/), arXiv:1706.03762; www.example.org/a?b=1&c=2#top.",
    ],
)
def test_find_links_offsets_are_exact(text: str) -> None:
    links = list(find_links(text))
    assert links
    for link in links:
        assert text[link.start : link.end] == link.url
        assert link.url[-1] not in ".,;:)]'\"…"
    assert [lk.start for lk in links] == sorted(lk.start for lk in links)


def test_refine_kind_leaves_known_kinds_alone() -> None:
    code = classify_url("https://github.com/a/b")
    assert refine_kind(code, "Project page: ") == "code"


@pytest.fixture(scope="module")
def links_nlp():
    return build_nlp(["links"])


@pytest.mark.parametrize(
    "text, url",
    [
        ("Videos and code at https://weirdlabuw.github.io/gom/.", "https://weirdlabuw.github.io/gom/"),
        ("Code: (github.com/a/b).", "github.com/a/b"),
        ("See arXiv:1706.03762.", "arXiv:1706.03762"),
    ],
)
def test_links_component_span_covers_url_exactly(links_nlp, text: str, url: str) -> None:
    doc = links_nlp(text)
    spans = list(doc.spans["citekg.links"])
    assert [s.text for s in spans] == [url]
    assert doc.text == text  # splitting a token for alignment never changes the text


def _trending_abstracts(path: Path) -> list[tuple[str, str]]:
    """(title, abstract) pairs: a 2-line banner, then a title line and an abstract line per paper."""
    lines = path.read_text(encoding="utf-8").splitlines()[2:]
    lines[0] = lines[0].removeprefix("Subscribe")
    return [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]


def test_links_trending_corpus_counts(trending_path: Path) -> None:
    """The issue's figures, checked by hand with grep: 29 URLs in 29 papers, 18 GitHub repos, 11 pages."""
    papers = _trending_abstracts(trending_path)
    assert len(papers) == 119
    per_paper = [[lk for text in pair for lk in find_links(text)] for pair in papers]
    links = [lk for found in per_paper for lk in found]
    assert len(links) == 29
    assert sum(1 for found in per_paper if found) == 29
    kinds = [lk.kind for lk in links]
    assert kinds.count("code") == 18
    assert kinds.count("project_page") == 11
    assert all(lk.repo and lk.host == "github.com" for lk in links if lk.kind == "code")
    assert len({lk.repo for lk in links if lk.kind == "code"}) == 18


def test_links_trending_corpus_invents_nothing(trending_path: Path) -> None:
    raw = trending_path.read_text(encoding="utf-8")
    written = set(re.findall(r"(?:https?://|github\.com/)\S+", raw))
    for title, abstract in _trending_abstracts(trending_path):
        for text in (title, abstract):
            for link in find_links(text):
                assert text[link.start : link.end] == link.url
                assert any(w.startswith(link.url) or link.url in w for w in written)
                assert _may_hold_links(text)


def test_links_pwc_repository_urls(shared_dir: Path) -> None:
    """Papers with Code's paper→repository links: every repo URL is code with owner/name, found exactly."""
    import csv

    path = shared_dir / "gold" / "pwc_links_subset" / "paper_repo_links.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2297
    for row in rows:
        url = row["repo_url"]
        link = classify_url(url)
        assert link.kind == "code" and link.repo and link.repo.count("/") == 1, url
        assert link.normalized == "https://github.com/" + link.repo
        assert [lk.url for lk in find_links(f"Code: {url}.")] == [url]
        if row["paper_arxiv_id"]:
            (paper,) = find_links(f"(arXiv:{row['paper_arxiv_id']})")
            assert paper.kind == "paper" and paper.normalized.endswith(row["paper_arxiv_id"])
