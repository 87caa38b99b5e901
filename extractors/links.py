"""The ``links`` extractor: URLs, arXiv ids and DOIs in titles and abstracts, classified by their target.

Found: URLs with a scheme (``https://github.com/a/b``) and without one (``github.com/a/b``,
``www.example.org/x``, ``foo.github.io/bar``), trailing punctuation excluded (``.``, ``,``, ``;``,
``:``, quotes, ``…``, and ``)`` when unbalanced); arXiv ids written as ``arXiv:2401.01234``; DOIs
written as ``doi:10.…`` or bare ``10.1234/…``. Each becomes a span in ``doc.spans["citekg.links"]``
whose text is exactly the URL as written, ``label_`` a :class:`~citekg.model.LinkKind` value and
``id_`` the normalised URL (:func:`classify_url`).

Kinds (decided here, tested in ``tests/extractors/test_links.py``):

- ``code``: a repository on GitHub, GitLab (nested groups: the path up to ``/-/``), Bitbucket,
  Codeberg or SourceHut; ``repo`` is ``owner/name`` lower-cased, because these hosts resolve names
  case-insensitively and one repository must get one key. A gist is ``code`` without ``repo``.
- ``project_page``: ``*.github.io``, ``*.gitlab.io``, ``sites.google.com``, ``*.netlify.app``,
  ``*.vercel.app`` and similar hosts; university and lab pages (``.edu``, ``.ac.<cc>``, known
  institutes, ``/~user`` paths); Hugging Face Spaces (a demo, ``repo`` set). An otherwise unknown
  host becomes a project page when the text just before it says so ("project page", "code and
  videos at", …; :func:`refine_kind`).
- ``model_hub``: ``huggingface.co/<owner>/<name>``; ``dataset``: Hugging Face datasets, Zenodo
  records and Zenodo DOIs, Kaggle datasets, figshare, Dryad; ``paper``: arXiv (also Hugging Face
  paper pages), OpenReview, ACL Anthology; ``doi``: other DOIs.
- ``other``: everything else, including user or organisation pages (``github.com/owner``:
  not a repository) and site pages such as ``github.com/features`` or ``github.com/sponsors/x``.

Known limits: a URL broken by a space or a line break is cut at the break; a schemeless URL needs
``www.``, a path, or a host this module knows, and a common top-level domain, so ``example.com``
alone is not found while ``model.pt`` and ``a@b.com`` are never taken for URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from citekg.extractors._registry import extractor
from citekg.extractors.nlp import doc_text
from citekg.ids import ARXIV_ID_RE, DOI_RE, normalize_arxiv_id, normalize_doi
from citekg.model import Link, LinkKind

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["LinksExtractor", "classify_url", "find_links", "make_links", "refine_kind", "strip_trailing"]

# Top-level domains accepted for URLs written without a scheme: common generic ones and the country
# codes research pages use. File extensions that are also ccTLDs (.py, .md, .pt, .sh) are left out.
_TLDS = (
    "com|org|net|edu|gov|io|ai|co|dev|app|page|site|info|me|cc|xyz|tech|science|cloud|"
    "uk|de|fr|cn|jp|ch|nl|ca|au|kr|it|es|se|il|in|sg|hk|tw|eu|us|ru|be|at|dk|fi|no|pl|cz|br|ie|nz|gr"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATH_CHARS = r"[^\s<>\"{}|\\^`\[\]]"
_URL_RE = re.compile(
    rf"""
    (?:
        (?<![\w])(?P<scheme>https?://){_PATH_CHARS}+         # with a scheme: anything up to a space
      | (?<![\w@./-])                                         # without: not in a word or an e-mail,
        (?P<host>(?:www\.)?(?:{_LABEL}\.)+(?:{_TLDS}))(?![\w-])  # without: host, then
        (?P<rest>(?::\d{{2,5}})?/{_PATH_CHARS}*)?                # optional port and path
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HINT_RE = re.compile(rf"://|\.(?:{_TLDS})(?![\w-])", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s")
_TLD_HINT_RE = re.compile(rf"\.(?:{_TLDS})", re.IGNORECASE)
_ARXIV_TEXT_RE = re.compile(rf"(?i:\barxiv)(?:\s*:\s*|\s+)(?P<id>{ARXIV_ID_RE.pattern})")
_DOI_TEXT_RE = re.compile(rf"(?:(?i:\bdoi)\s*:\s*)?(?P<doi>{DOI_RE.pattern})")

_TRAILING = ".,;:!?'\"’‘”“…»*。，；：、"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

# Hosts whose unknown pages are never upgraded to project pages by context.
_GENERIC_HOSTS = {
    "twitter.com",
    "x.com",
    "youtube.com",
    "youtu.be",
    "wikipedia.org",
    "en.wikipedia.org",
    "google.com",
    "docs.google.com",
    "drive.google.com",
    "colab.research.google.com",
    "openai.com",
    "medium.com",
    "linkedin.com",
    "reddit.com",
    "discord.gg",
    "discord.com",
    "facebook.com",
    "instagram.com",
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "huggingface.co",
    "hf.co",
    "arxiv.org",
    "doi.org",
    "kaggle.com",
    "zenodo.org",
    "paperswithcode.com",
    "pypi.org",
    "npmjs.com",
    "bit.ly",
}
_GITHUB_RESERVED = {
    "about",
    "apps",
    "codespaces",
    "collections",
    "contact",
    "customer-stories",
    "enterprise",
    "events",
    "explore",
    "features",
    "issues",
    "join",
    "login",
    "marketplace",
    "new",
    "notifications",
    "orgs",
    "pricing",
    "pulls",
    "readme",
    "search",
    "security",
    "settings",
    "site",
    "solutions",
    "sponsors",
    "team",
    "topics",
    "trending",
    "users",
}
_GITLAB_RESERVED = {"explore", "users", "help", "dashboard", "groups", "-", "projects", "search"}
_HF_RESERVED = {
    "blog",
    "chat",
    "collections",
    "docs",
    "join",
    "learn",
    "login",
    "models",
    "organizations",
    "posts",
    "pricing",
    "settings",
    "tasks",
    "spaces",
    "datasets",
    "papers",
}
_PROJECT_PAGE_SUFFIXES = (
    ".github.io",
    ".gitlab.io",
    ".netlify.app",
    ".vercel.app",
    ".pages.dev",
    ".notion.site",
    ".readthedocs.io",
    ".web.app",
    ".firebaseapp.com",
    ".bitbucket.io",
)
_PROJECT_PAGE_HOSTS = {"sites.google.com"}
# Research institutes whose hosts carry neither .edu nor .ac.<cc>.
_ACADEMIC_SUFFIXES = (
    ".edu",
    ".mpg.de",
    ".ethz.ch",
    ".epfl.ch",
    ".inria.fr",
    ".cnrs.fr",
    ".tum.de",
    ".uni-freiburg.de",
    ".kaist.ac.kr",
    ".cam.ac.uk",
    ".tsinghua.edu.cn",
    ".mila.quebec",
    ".vectorinstitute.ai",
)
_ACADEMIC_RE = re.compile(r"\.(?:edu|ac)\.[a-z]{2}$|\.edu$|^(?:people|cs|homes)\.")
_CONTEXT_CUE_RE = re.compile(
    r"\b(?:project|web\s?site|web\s?page|home\s?page|page|demo|videos?|code|data|resources|available|"
    r"found|released|open[- ]sourced?|visit|details|see)\b\W*(?:\w+\W*){0,4}$",
    re.IGNORECASE,
)


def strip_trailing(text: str) -> str:
    """Remove the punctuation that ends a sentence but not a URL.

    A closing bracket is kept when the URL opened it (``…/Foo_(bar)``) and removed otherwise.

    Examples:
        >>> strip_trailing("https://github.com/a/b).")
        'https://github.com/a/b'
        >>> strip_trailing("https://en.wikipedia.org/wiki/Foo_(bar)")
        'https://en.wikipedia.org/wiki/Foo_(bar)'
        >>> strip_trailing('www.example.org/x";')
        'www.example.org/x'
    """
    while text:
        last = text[-1]
        if last in _TRAILING:
            text = text[:-1]
        elif last in _CLOSERS and text.count(_CLOSERS[last]) < text.count(last):
            text = text[:-1]
        else:
            break
    return text


def _split(url: str) -> tuple[str, str, list[str], str]:
    """Return (host without www., path, path segments, query) of a URL with or without scheme."""
    parts = urlsplit(url if re.match(r"(?i)https?://", url) else f"https://{url}")
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    return host, parts.path, segments, parts.query


def _repo_name(name: str) -> str:
    return re.sub(r"\.git$", "", name, flags=re.IGNORECASE)


def _link(url: str, normalized: str, kind: LinkKind, host: str, repo: str | None = None) -> Link:
    return Link(url=url, normalized=normalized, kind=kind.value, host=host, repo=repo, field="metadata")


@lru_cache(maxsize=8192)
def classify_url(url: str) -> Link:
    """Classify one URL, arXiv id or DOI as written, and normalise it.

    The result is a metadata :class:`~citekg.model.Link` (``start == end == -1``); the component
    replaces offsets and field for links found in text. ``normalized`` is ``https://``, lower-case
    host without ``www.``, no fragment and no trailing slash; a repository is reduced to its root.

    Examples:
        >>> link = classify_url("https://github.com/hunto/LocalMamba/tree/main/README.md#usage")
        >>> link.kind, link.normalized, link.repo
        ('code', 'https://github.com/hunto/localmamba', 'hunto/localmamba')
        >>> classify_url("gitlab.com/grp/sub/proj/-/blob/main/x.py").repo
        'grp/sub/proj'
        >>> classify_url("github.com/AgentTorch").kind  # an owner's page is not a repository
        'other'
        >>> classify_url("https://phyworld.github.io").kind
        'project_page'
        >>> link = classify_url("huggingface.co/datasets/openai/gsm8k")
        >>> link.kind, link.repo
        ('dataset', 'openai/gsm8k')
        >>> classify_url("arXiv:1706.03762v5").normalized
        'https://arxiv.org/abs/1706.03762'
        >>> classify_url("https://doi.org/10.5281/zenodo.1234").kind
        'dataset'
        >>> classify_url("10.18653/v1/N19-1423").normalized
        'https://doi.org/10.18653/v1/n19-1423'
    """
    text = url.strip()
    if not re.match(r"(?i)(?:https?://|www\.)", text):
        if re.match(r"(?i)arxiv(?:\s*:\s*|\s+)\S", text) and (
            arxiv := normalize_arxiv_id(re.sub(r"(?i)^arxiv\s*:?\s*", "", text))
        ):
            return _link(url, f"https://arxiv.org/abs/{arxiv}", LinkKind.PAPER, "arxiv.org")
        if re.match(r"(?i)(?:doi\s*:\s*)?10\.", text) and (
            doi := normalize_doi(re.sub(r"(?i)^doi\s*:\s*", "", text))
        ):
            return _doi_link(url, doi)
    host, path, segments, query = _split(text)
    low = [s.lower() for s in segments]

    if host == "github.com":
        if len(segments) >= 2 and low[0] not in _GITHUB_RESERVED:
            repo = f"{low[0]}/{_repo_name(low[1])}"
            return _link(url, f"https://github.com/{repo}", LinkKind.CODE, host, repo)
        return _link(url, _generic(host, low[:2], ""), LinkKind.OTHER, host)
    if host == "gist.github.com":
        return _link(url, _generic(host, segments[:2], ""), LinkKind.CODE, host)
    if host == "raw.githubusercontent.com" and len(segments) >= 2:
        repo = f"{low[0]}/{_repo_name(low[1])}"
        return _link(url, f"https://github.com/{repo}", LinkKind.CODE, "github.com", repo)
    if host == "gitlab.com":
        project = low[: low.index("-")] if "-" in low else low
        if len(project) >= 2 and project[0] not in _GITLAB_RESERVED:
            project[-1] = _repo_name(project[-1])
            repo = "/".join(project)
            return _link(url, f"https://gitlab.com/{repo}", LinkKind.CODE, host, repo)
        return _link(url, _generic(host, segments[:1], ""), LinkKind.OTHER, host)
    if host in {"bitbucket.org", "codeberg.org"}:
        if len(segments) >= 2:
            repo = f"{low[0]}/{_repo_name(low[1])}"
            return _link(url, f"https://{host}/{repo}", LinkKind.CODE, host, repo)
        return _link(url, _generic(host, segments[:1], ""), LinkKind.OTHER, host)
    if host.endswith("sr.ht") and len(segments) >= 2 and segments[0].startswith("~"):
        repo = f"{low[0]}/{_repo_name(low[1])}"
        return _link(url, f"https://{host}/{repo}", LinkKind.CODE, host, repo)
    if host in {"huggingface.co", "hf.co"}:
        return _huggingface(url, segments, low)
    if host in {"arxiv.org", "export.arxiv.org"} and len(segments) >= 2 and low[0] in {"abs", "pdf", "html"}:
        if arxiv := normalize_arxiv_id("/".join(segments[1:])):
            return _link(url, f"https://arxiv.org/abs/{arxiv}", LinkKind.PAPER, "arxiv.org")
    if host in {"doi.org", "dx.doi.org"} and (doi := normalize_doi("/".join(segments))):
        return _doi_link(url, doi)
    if host == "zenodo.org" and len(segments) >= 2 and low[0] in {"record", "records"}:
        return _link(url, f"https://zenodo.org/records/{segments[1]}", LinkKind.DATASET, host)
    if host == "kaggle.com" and len(segments) >= 3 and low[0] == "datasets":
        repo = f"{low[1]}/{low[2]}"
        return _link(url, f"https://kaggle.com/datasets/{repo}", LinkKind.DATASET, host, repo)
    if host in {"figshare.com", "datadryad.org"} or host.endswith(".figshare.com"):
        return _link(url, _generic(host, segments, ""), LinkKind.DATASET, host)
    if host in {"openreview.net", "aclanthology.org"}:
        return _link(url, _generic(host, segments, query), LinkKind.PAPER, host)
    if (
        host in _PROJECT_PAGE_HOSTS
        or host.endswith(_PROJECT_PAGE_SUFFIXES)
        or host.endswith(_ACADEMIC_SUFFIXES)
        or _ACADEMIC_RE.search(host)
        or (segments and segments[0].startswith("~"))
    ):
        return _link(url, _generic(host, segments, query), LinkKind.PROJECT_PAGE, host)
    return _link(url, _generic(host, segments, query), LinkKind.OTHER, host)


def _generic(host: str, segments: list[str], query: str) -> str:
    path = "/".join(segments)
    normalized = f"https://{host}/{path}" if path else f"https://{host}"
    return f"{normalized}?{query}" if query else normalized


def _doi_link(url: str, doi: str) -> Link:
    kind = LinkKind.DATASET if doi.startswith("10.5281/zenodo.") else LinkKind.DOI
    return _link(url, f"https://doi.org/{doi}", kind, "doi.org")


def _huggingface(url: str, segments: list[str], low: list[str]) -> Link:
    host = "huggingface.co"
    if len(segments) >= 2 and low[0] == "papers":
        if arxiv := normalize_arxiv_id(segments[1]):
            return _link(url, f"https://huggingface.co/papers/{arxiv}", LinkKind.PAPER, host)
    if len(segments) >= 3 and low[0] in {"datasets", "spaces"}:
        repo = f"{low[1]}/{low[2]}"
        kind = LinkKind.DATASET if low[0] == "datasets" else LinkKind.PROJECT_PAGE
        return _link(url, f"https://huggingface.co/{low[0]}/{repo}", kind, host, repo)
    if len(segments) >= 2 and low[0] not in _HF_RESERVED:
        repo = f"{low[0]}/{low[1]}"
        return _link(url, f"https://huggingface.co/{repo}", LinkKind.MODEL_HUB, host, repo)
    return _link(url, _generic(host, segments[:2], ""), LinkKind.OTHER, host)


def refine_kind(link: Link, before: str) -> str:
    """Return ``project_page`` for an ``other`` link on an unknown host announced as one, else its kind.

    ``before`` is the text preceding the link in its sentence; abstracts introduce a project's own
    pages with phrases like "Project page:" or "Videos and code can be found", whatever the host.

    Examples:
        >>> refine_kind(classify_url("https://sjlee.cc/vq-bet"), "Videos and code can be found ")
        'project_page'
        >>> refine_kind(classify_url("https://sjlee.cc/vq-bet"), "as in the blog post ")
        'other'
        >>> refine_kind(classify_url("https://youtube.com/watch?v=x"), "Videos at ")
        'other'
    """
    if link.kind != LinkKind.OTHER.value or link.host in _GENERIC_HOSTS:
        return link.kind
    sentence = re.split(r"[.!?]\s", before)[-1][-120:]
    return LinkKind.PROJECT_PAGE.value if _CONTEXT_CUE_RE.search(sentence) else link.kind


def find_links(text: str) -> Iterator[Link]:
    """Yield the links written in ``text``, in order, with exact offsets and context-refined kinds.

    ``field`` is left as ``abstract``; callers set the field the text came from.

    Examples:
        >>> [(lk.url, lk.start, lk.kind) for lk in find_links("Code: github.com/a/b. See arXiv:1706.03762.")]
        [('github.com/a/b', 6, 'code'), ('arXiv:1706.03762', 26, 'paper')]
        >>> list(find_links("Mail a@b.com, e.g. GPT-4.5 v1.2.3 in model.pt (Fig. 3.2)."))
        []
    """
    taken: list[tuple[int, int]] = []
    found: list[Link] = []
    for match in _url_matches(text):
        raw = strip_trailing(match.group(0))
        if match.group("host") is not None and not _schemeless_ok(match.group("host"), raw):
            continue
        if not re.search(r"[a-z0-9]\.[a-z]", raw, re.IGNORECASE):
            continue
        start = match.start()
        link = classify_url(raw)
        kind = refine_kind(link, text[max(0, start - 160) : start])
        found.append(replace(link, kind=kind, start=start, end=start + len(raw), field="abstract"))
        taken.append((start, start + len(raw)))
    folded = text.lower()
    for regex, hint in ((_ARXIV_TEXT_RE, "arxiv"), (_DOI_TEXT_RE, "10.")):
        if hint not in folded:  # both patterns are slow to scan for; most texts hold neither
            continue
        for match in regex.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            link = classify_url(text[start:end])
            if link.kind == LinkKind.OTHER.value:
                continue
            found.append(replace(link, start=start, end=end, field="abstract"))
            taken.append((start, end))
    yield from sorted(found, key=lambda lk: lk.start)


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """Yield the matches of the URL pattern, scanning only the words that hold a hint of one.

    The full pattern is slow to try at every word; a URL holds ``://`` or a dot before a top-level
    domain and never a space, so only the whitespace-delimited words around such hints are searched.
    """
    end = 0
    for hint in _HINT_RE.finditer(text):
        if hint.start() < end:
            continue
        start = hint.start()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        space = _SPACE_RE.search(text, hint.end())
        end = space.start() if space else len(text)
        yield from _URL_RE.finditer(text, start, end)


def _schemeless_ok(host: str, raw: str) -> bool:
    """A URL without scheme counts with ``www.``, a path, or a host known to hold pages."""
    bare = host.lower().removeprefix("www.")
    if host.lower().startswith("www.") or len(raw) > len(host):
        return True
    return bare in _GENERIC_HOSTS or bare in _PROJECT_PAGE_HOSTS or bare.endswith(_PROJECT_PAGE_SUFFIXES)


class LinksExtractor:
    """Component writing one span per link; the span text is the link exactly as written."""

    def __init__(self, spans_key: str) -> None:
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Set the links span group of ``doc``, splitting a token where a link ends inside it."""
        from spacy.tokens import Span

        spans: list[Span] = []
        text = doc_text(doc)
        for link in find_links(text) if _may_hold_links(text) else ():
            span = doc.char_span(link.start, link.end, label=link.kind, span_id=link.normalized)
            if span is None:
                # The tokenizer glued the link to a neighbouring character: split that token so the
                # span covers the link exactly, as the Link offsets must.
                _align(doc, link.start, link.end)
                span = doc.char_span(link.start, link.end, label=link.kind, span_id=link.normalized)
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


def _may_hold_links(text: str) -> bool:
    """Whether ``text`` may hold a link: it has ``://``, ``10.``, ``arxiv`` or a dot before a known TLD.

    Most abstracts hold no link. Every match of the link patterns contains one of these hints, so a text
    without any has nothing to find; literal searches cost a few microseconds where the patterns cost
    about a hundred.

    Examples:
        >>> [_may_hold_links(t) for t in ("See github.com/a/b", "On ArXiv", "We use BERT. It works.")]
        [True, True, False]
    """
    return "://" in text or "10." in text or "arxiv" in text.lower() or _TLD_HINT_RE.search(text) is not None


def _align(doc: Doc, start: int, end: int) -> None:
    """Split the tokens that straddle character offsets ``start`` and ``end``."""
    for boundary in (start, end):
        for token in doc:
            if token.idx < boundary < token.idx + len(token.text):
                cut = boundary - token.idx
                with doc.retokenize() as retokenizer:
                    retokenizer.split(
                        token, [token.text[:cut], token.text[cut:]], heads=[(token, 1), (token, 1)]
                    )
                break


@extractor(
    "links",
    kinds={kind.value for kind in LinkKind},
    version=1,
    output="links",
)
def make_links(nlp: Language, name: str, spans_key: str) -> LinksExtractor:
    """URLs, arXiv ids and DOIs, classified as code, project page, dataset, model hub, paper or DOI."""
    return LinksExtractor(spans_key)
