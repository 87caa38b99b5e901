"""Stable, scheme-prefixed paper ids and the normalisers behind them.

A paper's id must come out the same whichever source it was read from, so that records from an arXiv
snapshot, Semantic Scholar and a BibTeX file land on one node. The order of preference is arXiv, DOI,
Semantic Scholar, OpenAlex, then a hash of the normalised title. Standard library only.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "ARXIV_ID_RE",
    "DOI_RE",
    "normalize_arxiv_id",
    "normalize_doi",
    "normalize_title",
    "paper_id",
    "title_id",
]

# New-style (2007+) ids: YYMM.NNNN or YYMM.NNNNN, optional version; old-style: archive(.SUB)/YYMMNNN.
ARXIV_ID_RE = re.compile(
    r"(?<![\w.])(?:(?P<new>\d{4}\.\d{4,5})|(?P<old>[a-z][a-z-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?(?![\w])"
)
# Crossref's recommended pattern, made to stop before trailing punctuation.
DOI_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;:)\]}'’”]")

_ARXIV_PREFIX_RE = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)
_DOI_PREFIX_RE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalize_arxiv_id(value: str) -> str | None:
    """Return the bare arXiv id without version, or ``None`` if ``value`` holds none.

    Examples:
        >>> normalize_arxiv_id("arXiv:2401.01234v3")
        '2401.01234'
        >>> normalize_arxiv_id("https://arxiv.org/pdf/1706.03762v7.pdf")
        '1706.03762'
        >>> normalize_arxiv_id("hep-th/9901001v2")
        'hep-th/9901001'
        >>> normalize_arxiv_id("not an id") is None
        True
    """
    text = _ARXIV_PREFIX_RE.sub("", value.strip())
    text = re.sub(r"\.pdf$", "", text)
    match = ARXIV_ID_RE.fullmatch(text) or ARXIV_ID_RE.match(text)
    if not match:
        return None
    return match.group("new") or match.group("old")


def normalize_doi(value: str) -> str | None:
    """Return the DOI lower-cased without resolver prefix, or ``None`` if ``value`` holds none.

    DOIs are case-insensitive by definition, so lower case is the canonical form.

    Examples:
        >>> normalize_doi("https://doi.org/10.18653/V1/N19-1423")
        '10.18653/v1/n19-1423'
        >>> normalize_doi("doi:10.1145/3292500.3330701.")
        '10.1145/3292500.3330701'
        >>> normalize_doi("arXiv:1234") is None
        True
    """
    text = _DOI_PREFIX_RE.sub("", value.strip())
    match = DOI_RE.match(text)
    return match.group(0).lower() if match else None


def normalize_title(title: str) -> str:
    """Fold a title to compare it across sources: NFKD, no accents, lower case, words only.

    Examples:
        >>> normalize_title("  BERT: Pre-training of Deep Bidirectional Transformers…")
        'bert pre training of deep bidirectional transformers'
        >>> normalize_title("Déjà Vu") == normalize_title("deja vu")
        True
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text.casefold()))


def title_id(title: str) -> str:
    """Return ``title:<16 hex>``, the id of a paper known only by its title.

    Examples:
        >>> title_id("Attention Is All You Need") == title_id("attention is all you need.")
        True
        >>> title_id("Attention Is All You Need")
        'title:37f63852cdfb0690'
    """
    digest = hashlib.sha1(normalize_title(title).encode("utf-8")).hexdigest()
    return f"title:{digest[:16]}"


def paper_id(
    *,
    title: str,
    arxiv: str | None = None,
    doi: str | None = None,
    s2: str | None = None,
    openalex: str | None = None,
) -> str:
    """Choose a paper's id from the ids its source gives, in citekg's order of preference.

    Examples:
        >>> paper_id(title="X", doi="10.48550/ARXIV.1706.03762", arxiv="1706.03762v2")
        'arxiv:1706.03762'
        >>> paper_id(title="X", doi="https://doi.org/10.18653/V1/N19-1423")
        'doi:10.18653/v1/n19-1423'
        >>> paper_id(title="X", openalex="https://openalex.org/W2963403868")
        'openalex:W2963403868'
    """
    if arxiv and (norm := normalize_arxiv_id(arxiv)):
        return f"arxiv:{norm}"
    if doi and (norm := normalize_doi(doi)):
        return f"doi:{norm}"
    if s2:
        return f"s2:{s2.strip()}"
    if openalex:
        return f"openalex:{openalex.strip().rstrip('/').rsplit('/', 1)[-1]}"
    return title_id(title)
