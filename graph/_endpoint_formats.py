"""Result formats of the SPARQL endpoint and the content negotiation that picks one.

Pure functions over strings, shared by the web process and the query workers, so a 406 and a 200 are
decided by the same rules everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "Format",
    "choose_format",
    "format_from_param",
    "parse_accept",
]


@dataclass(frozen=True)
class Format:
    """One serialisation the endpoint can produce.

    Attributes:
        key: Short name used by the ``format=`` parameter and internally (``json``, ``turtle``, ...).
        media_type: The ``Content-Type`` sent with the body.
        kind: ``"results"`` for SELECT/ASK result sets, ``"graph"`` for CONSTRUCT/DESCRIBE graphs.
        accepts: Media types in ``Accept`` that select it, the canonical one first.
        aliases: Extra ``format=`` values that select it (besides ``key`` and ``accepts``).
    """

    key: str
    media_type: str
    kind: str
    accepts: tuple[str, ...]
    aliases: tuple[str, ...] = ()


# Order matters: on equal q-values the earlier format wins, so the first entry of each kind is its default.
RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        "results",
        ("application/sparql-results+json", "application/json"),
        ("srj",),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "results",
        ("application/sparql-results+xml", "application/xml"),
        ("srx",),
    ),
    Format("csv", "text/csv; charset=utf-8", "results", ("text/csv",)),
    Format("tsv", "text/tab-separated-values; charset=utf-8", "results", ("text/tab-separated-values",)),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        "text/turtle; charset=utf-8",
        "graph",
        (
            "text/turtle",
            "application/x-turtle",
            "application/turtle",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
        ("ttl", "n3"),
    ),
    Format(
        "nt",
        "application/n-triples",
        "graph",
        ("application/n-triples", "text/plain"),
        ("ntriples", "n-triples"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "graph",
        ("application/ld+json", "application/json"),
        ("json-ld", "json"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "graph",
        ("application/rdf+xml", "application/xml"),
        ("rdf+xml", "xml", "rdf"),
    ),
)
_BY_KIND = {"results": RESULT_FORMATS, "graph": GRAPH_FORMATS}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an ``Accept`` header into ``(media range, q)`` pairs, parameters other than ``q`` dropped.

    Malformed q-values count as 0 (never chosen) rather than failing the request.

    Examples:
        >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
        [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
        >>> parse_accept("Text/Turtle; charset=utf-8; q=x")
        [('text/turtle', 0.0)]
        >>> parse_accept(None)
        []
    """
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = media + "/*" if media == "*" else media
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]], *, exact_only: bool = False) -> float:
    """The q of the most specific range matching ``offer`` (RFC 9110 §12.5.1); 0 when none matches."""
    kind, _, sub = offer.partition("/")
    best_specificity, best_q = -1, 0.0
    for media, q in ranges:
        rkind, _, rsub = media.partition("/")
        if media == offer:
            specificity = 2
        elif exact_only:
            continue
        elif rkind == kind and rsub == "*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def choose_format(accept: str | None, kind: str) -> Format | None:
    """Pick the format for a result of ``kind`` from an ``Accept`` header; ``None`` means 406.

    A missing or empty header, or ``*/*``, gives the kind's default (JSON results, Turtle graphs).

    Examples:
        >>> choose_format(None, "results").key
        'json'
        >>> choose_format("*/*", "graph").key
        'turtle'
        >>> choose_format("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "results").key
        'xml'
        >>> choose_format("application/rdf+xml, text/turtle;q=0.5", "graph").key
        'rdfxml'
        >>> choose_format("text/*", "results").key
        'csv'
        >>> choose_format("text/html", "results") is None
        True
        >>> choose_format("text/csv;q=0", "results") is None
        True
    """
    formats = _BY_KIND[kind]
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in formats:
        # Wildcards are matched against the canonical type only, so "srj;q=0, */*" does not pick JSON.
        q = max(
            [_quality(fmt.accepts[0], ranges)]
            + [_quality(o, ranges, exact_only=True) for o in fmt.accepts[1:]]
        )
        if q > best_q:
            best, best_q = fmt, q
    return best


def format_from_param(values: list[str] | tuple[str, ...], kind: str) -> Format | None:
    """The format named by ``format=`` values (first recognised one wins); ``None`` when none is valid.

    Accepts the short keys, common aliases and full media types; SPARQLWrapper sends pairs such as
    ``format=tsv&format=text/tab-separated-values``, and ``xml``/``json`` on a CONSTRUCT mean RDF/XML/JSON-LD.

    Examples:
        >>> format_from_param(["csv"], "results").key
        'csv'
        >>> format_from_param(["rdf+xml", "application/rdf+xml"], "graph").key
        'rdfxml'
        >>> format_from_param(["xml"], "graph").key
        'rdfxml'
        >>> format_from_param(["text/turtle"], "graph").key
        'turtle'
        >>> format_from_param(["turtle"], "results") is None
        True
    """
    formats = _BY_KIND[kind]
    for value in values:
        name = value.strip().lower().split(";")[0].strip()
        for fmt in formats:
            if name == fmt.key or name in fmt.aliases or name in fmt.accepts:
                return fmt
    return None


def names_for(kind: str) -> list[str]:
    """The short ``format=`` names valid for ``kind``, for error messages.

    Examples:
        >>> names_for("graph")
        ['turtle', 'nt', 'jsonld', 'rdfxml']
    """
    return [fmt.key for fmt in _BY_KIND[kind]]
