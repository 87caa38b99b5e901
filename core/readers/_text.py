"""Text clean-up shared by the readers: whitespace, HTML entities, LaTeX, author lists, years.

Pure functions on strings. LaTeX decoding uses pylatexenc, imported on first use and only for text
that holds LaTeX markup, because it costs several milliseconds per abstract.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from citekg.ids import normalize_arxiv_id, normalize_doi, paper_id

__all__ = [
    "clean_text",
    "decode_latex",
    "find_urls",
    "id_from_pairs",
    "id_pairs",
    "parse_year",
    "split_authors",
    "swap_name",
]

logger = logging.getLogger(__name__)

_LATEX_HINT_RE = re.compile(r"[\\{}$]")
_URL_RE = re.compile(r"https?://[^\s<>\"{}]+")
_UNESCAPED_PERCENT_RE = re.compile(r"(?<!\\)%")
_UNESCAPED_DOLLAR_RE = re.compile(r"(?<!\\)\$")
# Inline markup some sources (OpenAlex, Crossref) leave in titles and abstracts.
_INLINE_TAG_RE = re.compile(r"</?(?:i|b|em|strong|sub|sup|scp|u|jats:[a-z]+)>", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(r"</?(?:p|br|div)\s*/?>", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:)]}'\""


def clean_text(value: Any, *, latex: bool = False) -> str:
    """Return ``value`` as one line of plain text: entities and inline tags decoded, spaces collapsed.

    Args:
        value: A string, or ``None``/anything else (treated as empty unless a string).
        latex: Also decode LaTeX markup (for arXiv and BibTeX text).

    Examples:
        >>> clean_text("  Deep\\n  Residual   Learning ")
        'Deep Residual Learning'
        >>> clean_text("Q&amp;A: it&#x27;s <i>E. coli</i>")
        "Q&A: it's E. coli"
        >>> clean_text(r"Sch\\"olkopf's $\\alpha$-nets", latex=True)
        "Schölkopf's α-nets"
        >>> clean_text(None)
        ''
    """
    if not isinstance(value, str):
        return ""
    text = html.unescape(value)
    if "<" in text:
        text = _BLOCK_TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", text))
    if latex:
        text = decode_latex(text)
    return " ".join(text.split())


def decode_latex(text: str) -> str:
    """Turn LaTeX accents and markup into unicode text, leaving URLs as written.

    Math is made readable (``$\\alpha$`` → ``α``); a lone ``$`` or ``%`` is taken literally, as authors
    of plain-text abstracts mean them.

    Examples:
        >>> decode_latex(r'G\\"odel, Escher, {B}ach')
        'Gödel, Escher, Bach'
        >>> decode_latex(r"costs $5 and 95% at https://x.org/~a_b")
        'costs $5 and 95% at https://x.org/~a_b'
        >>> decode_latex("no markup here")
        'no markup here'
    """
    if not _LATEX_HINT_RE.search(text):
        return text
    parts = []
    last = 0
    for match in _URL_RE.finditer(text):
        parts.append(_decode_fragment(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_decode_fragment(text[last:]))
    return "".join(parts)


@lru_cache(maxsize=1)
def _latex_converter() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _decode_fragment(text: str) -> str:
    if not _LATEX_HINT_RE.search(text):
        return text
    text = _UNESCAPED_PERCENT_RE.sub(r"\\%", text)
    if len(_UNESCAPED_DOLLAR_RE.findall(text)) % 2:
        text = _UNESCAPED_DOLLAR_RE.sub(r"\\$", text)
    # Leading/trailing spaces matter between fragments split around URLs; pylatexenc keeps them.
    try:
        return str(_latex_converter().latex_to_text(text))
    except Exception:  # pylatexenc raises assorted errors on broken markup; keep the text as written
        logger.debug("could not decode LaTeX in %.60r", text, exc_info=True)
        return text


def split_authors(text: str) -> list[str]:
    """Split an author list written as one string.

    Semicolons win; else `` and `` (with commas before it, arXiv style); else commas when every part
    is a multi-word name. A single ``Last, First`` name is kept whole.

    Examples:
        >>> split_authors("Ashish Vaswani; Noam Shazeer;")
        ['Ashish Vaswani', 'Noam Shazeer']
        >>> split_authors("Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun")
        ['Kaiming He', 'Xiangyu Zhang', 'Shaoqing Ren', 'Jian Sun']
        >>> split_authors("Jacob Devlin, Ming-Wei Chang")
        ['Jacob Devlin', 'Ming-Wei Chang']
        >>> split_authors("Devlin, Jacob")
        ['Devlin, Jacob']
        >>> split_authors("")
        []
    """
    text = " ".join(text.split())
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    elif re.search(r"\s+and\s+", text):
        parts = [p for chunk in re.split(r",?\s+and\s+", text) for p in chunk.split(",")]
    elif "," in text and all(len(p.split()) > 1 for p in text.split(",")):
        parts = text.split(",")
    else:
        parts = [text]
    return [p.strip() for p in parts if p.strip()]


def swap_name(name: str) -> str:
    """Turn ``Last, First`` (or ``Last, Jr, First``) into ``First Last``.

    Examples:
        >>> swap_name("Vaswani, Ashish")
        'Ashish Vaswani'
        >>> swap_name("King, Jr, Martin Luther")
        'Martin Luther King Jr'
        >>> swap_name("Ashish Vaswani")
        'Ashish Vaswani'
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name.strip()


def parse_year(value: Any) -> int | None:
    """Return the year in ``value`` (an int, or a date in any common form), else ``None``.

    Examples:
        >>> parse_year("Mon, 12 Jun 2017 17:57:34 GMT")
        2017
        >>> parse_year("2024-01-02T18:59:10.000Z")
        2024
        >>> parse_year(2019), parse_year("n.d."), parse_year(None)
        (2019, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    if isinstance(value, float) and value.is_integer():
        return parse_year(int(value))
    if not isinstance(value, str):
        return None
    match = _YEAR_RE.search(value)
    return int(match.group(1)) if match else None


def find_urls(text: str) -> list[str]:
    """Return the http(s) URLs in ``text`` as written, trailing punctuation removed.

    Examples:
        >>> find_urls("Code: https://github.com/google-research/bert. Data at http://x.org/d)")
        ['https://github.com/google-research/bert', 'http://x.org/d']
    """
    return [m.group(0).rstrip(_TRAILING_PUNCT) for m in _URL_RE.finditer(text or "")]


def id_pairs(
    *,
    arxiv: str | None = None,
    doi: str | None = None,
    extra: Iterable[tuple[str, Any]] = (),
) -> tuple[tuple[str, str], ...]:
    """Return ``Paper.ids``: normalised, sorted ``(scheme, value)`` pairs, one value per scheme.

    An arXiv DataCite DOI (``10.48550/arXiv.<id>``) also yields the arXiv id, so records from
    different sources meet on one paper id.

    Examples:
        >>> id_pairs(arxiv="1706.03762v7", doi="https://doi.org/10.5555/ABC")
        (('arxiv', '1706.03762'), ('doi', '10.5555/abc'))
        >>> id_pairs(doi="10.48550/arXiv.1810.04805", extra=[("mag", 2963341956), ("pmid", "")])
        (('arxiv', '1810.04805'), ('doi', '10.48550/arxiv.1810.04805'), ('mag', '2963341956'))
    """
    ids: dict[str, str] = {}
    norm_doi = normalize_doi(doi) if doi else None
    if norm_doi:
        ids["doi"] = norm_doi
        if (match := _ARXIV_DOI_RE.match(norm_doi)) and not arxiv:
            arxiv = match.group(1)
    norm_arxiv = normalize_arxiv_id(arxiv) if arxiv else None
    if norm_arxiv:
        ids["arxiv"] = norm_arxiv
    for scheme, value in extra:
        if value is None or isinstance(value, bool):
            continue
        text = str(value).strip()
        if text and scheme not in ids:
            ids[scheme] = text
    return tuple(sorted(ids.items()))


def id_from_pairs(title: str, ids: tuple[tuple[str, str], ...]) -> str:
    """Choose ``Paper.id`` from ``Paper.ids`` (arXiv, DOI, S2, OpenAlex, else the title hash).

    Examples:
        >>> id_from_pairs("X", id_pairs(doi="10.48550/arXiv.1512.03385"))
        'arxiv:1512.03385'
        >>> id_from_pairs("Deep Residual Learning", ())
        'title:c0561da8c9321d4e'
    """
    by_scheme = dict(ids)
    return paper_id(
        title=title,
        arxiv=by_scheme.get("arxiv"),
        doi=by_scheme.get("doi"),
        s2=by_scheme.get("s2"),
        openalex=by_scheme.get("openalex"),
    )
