"""The text dump of a trending-papers page: a title line, then its abstract line, alternating.

The dump (e.g. ``hf-trending-papers.txt``) starts with a subscription banner ("Get trending papers in
your email inbox…") and the button text ``Subscribe`` glued to the first title; both are dropped. Blank
lines are ignored, so pairing is strictly by alternation of non-blank lines. A line far longer than any
title where a title is due means a title line went missing; it is reported as a bad record and, with
``skip_invalid``, dropped so that pairing goes on. Papers get ``title:<hash>`` ids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from citekg.ids import title_id
from citekg.model import Paper
from citekg.readers._source import Source
from citekg.readers._text import clean_text

__all__ = ["BANNER_PREFIX", "looks_like_trending", "read", "strip_banner"]

logger = logging.getLogger(__name__)

BANNER_PREFIX = "Get trending papers in your email inbox"
_BUTTON = "Subscribe"
# arXiv titles stay under ~300 characters; abstracts of the dump run 600–2,000.
MAX_TITLE_CHARS = 400


def strip_banner(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Drop blank and banner lines and the ``Subscribe`` glued to the first title.

    Examples:
        >>> list(strip_banner([(1, "Get trending papers in your email inbox!"), (2, ""),
        ...                    (3, "SubscribeDiffAR: Denoising"), (4, "Subscribe to news")]))
        [(3, 'DiffAR: Denoising'), (4, 'Subscribe to news')]
    """
    first = True
    for number, text in lines:
        text = text.strip()
        if not text or text.startswith(BANNER_PREFIX):
            continue
        if first and text.startswith(_BUTTON) and len(text) > len(_BUTTON):
            text = text[len(_BUTTON) :].lstrip()
        first = False
        yield number, text


def looks_like_trending(lines: list[str]) -> bool:
    """Tell whether the first lines of a ``.txt`` file look like a trending-papers dump.

    Examples:
        >>> looks_like_trending(["Get trending papers in your email inbox once a day!"])
        True
        >>> looks_like_trending(["Attention Is All You Need", "The dominant " + "sequence " * 60])
        True
        >>> looks_like_trending(["just", "some", "short", "lines"])
        False
    """
    content = [line.strip() for line in lines if line.strip()]
    if content and content[0].startswith(BANNER_PREFIX):
        return True
    pairs = list(zip(content[0::2], content[1::2], strict=False))
    return bool(pairs) and all(
        len(title) <= MAX_TITLE_CHARS and len(abstract) > 2 * len(title) for title, abstract in pairs[:5]
    )


def read(src: Source) -> Iterator[Paper]:
    """Yield the papers of a trending-papers dump."""
    title: tuple[int, str] | None = None
    for number, text in strip_banner(src.lines()):
        if title is None:
            if len(text) > MAX_TITLE_CHARS:
                src.invalid(
                    f"line of {len(text)} characters where a title was expected "
                    "(a title line is missing, or this is not a trending-papers dump)",
                    number,
                )
                continue
            title = (number, text)
            continue
        yield _paper(src, title, text)
        title = None
    if title is not None:
        logger.debug("%s: last title has no abstract", src.where(title[0]))
        yield _paper(src, title, "")


def _paper(src: Source, title: tuple[int, str], abstract: str) -> Paper:
    number, text = title
    clean = clean_text(text)
    return Paper(
        id=title_id(clean),
        title=clean,
        abstract=clean_text(abstract),
        source=src.where(number),
    )
