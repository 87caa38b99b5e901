"""Deterministic IRIs for the instances in a citekg graph: papers, entities, mentions and links.

Every node citekg writes is named by an IRI computed from the data alone, never a blank node, so that
graphs built in any order, on any machine, merge by plain set union and golden files diff line by line.
Vocabulary terms (``ckg:Paper``) always live in :data:`~citekg.ontology.namespace.CITEKG_NS`; the
``base`` argument here (the CLI's ``--base-iri``) moves only the *instance* IRIs.

Pure functions over strings; standard library only (rdflib terms are built by the caller).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, unquote

from citekg.ontology.namespace import CITEKG_NS

__all__ = [
    "ENTITY_KINDS",
    "builds_on_iri",
    "check_base",
    "citation_iri",
    "entity_iri",
    "link_iri",
    "mention_iri",
    "normalize_key",
    "paper_id_from_iri",
    "paper_iri",
    "safe_iri",
    "singular",
    "slugify",
]

#: Path segment per entity label; an unknown label lands under ``entity/``.
ENTITY_KINDS = ("method", "dataset", "model", "task", "metric")

# Path segment per link kind for the nodes of links that are not citations.
_LINK_PATHS = {"code": "repo", "project_page": "page"}

# RFC 3986 unreserved characters: the only ones left unescaped inside one IRI path segment.
_SEGMENT_SAFE = "-._~"
# Characters that are not allowed anywhere in an IRI (RFC 3987), nor inside an N-Triples IRIREF.
_IRI_UNSAFE_RE = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Runs of whitespace, hyphens (ASCII and Unicode dashes), underscores and slashes fold to one "-".
_KEY_SEPARATORS_RE = re.compile(r"[\s\-_/\u2010-\u2015\u2212]+")
# A trailing acronym with a lower-case plural s: "LLMs", "CNNs", "VAEs".
_ACRONYM_PLURAL_RE = re.compile(r"(?<![^\s\-_/\u2010-\u2015\u2212])([A-Z][A-Z0-9]*[A-Z])s$")
# Words ending in s that are not plurals of a shorter word.
_INVARIANT_PLURALS = frozenset(
    {"series", "species", "news", "bayes", "lens", "physics", "mathematics", "economics", "ethics", "always"}
)


def check_base(base: str) -> str:
    """Return ``base`` if it can prefix instance IRIs, else raise ``ValueError`` saying why.

    A base must be an absolute IRI without spaces or IRI-forbidden characters, ending in ``/`` or ``#``.

    Examples:
        >>> check_base("http://example.org/kg/")
        'http://example.org/kg/'
        >>> check_base("example.org/kg")
        Traceback (most recent call last):
        ...
        ValueError: base IRI 'example.org/kg' must be absolute (scheme://...) and end in '/' or '#'
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^/#].*[/#]", base) or _IRI_UNSAFE_RE.search(base):
        raise ValueError(f"base IRI {base!r} must be absolute (scheme://...) and end in '/' or '#'")
    return base


def slugify(text: str) -> str:
    """Return a lower-case ASCII slug of ``text``: letters and digits joined by single hyphens.

    Idempotent (``slugify(slugify(x)) == slugify(x)``) and IRI-safe; lossy, so use it for readable
    path segments, never where two different inputs must stay apart.

    Examples:
        >>> slugify("Deep Interest Network (DIN)")
        'deep-interest-network-din'
        >>> slugify("  Déjà--Vu_2 ")
        'deja-vu-2'
        >>> slugify("***")
        ''
    """
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def normalize_key(key: str) -> str:
    """Fold a canonical entity key to the form that decides entity identity.

    The normalisation is: Unicode NFKC, case folding, surrounding whitespace removed, every run of
    whitespace, hyphens or dashes, underscores and slashes replaced by one ``-`` (leading and trailing
    ones dropped), and a plural last word made singular (see :func:`singular`). Everything else (``+``,
    ``.``, digits, non-Latin letters) is kept, so ``C++`` and ``C`` stay different entities.
    Idempotent: a normalised key normalises to itself.

    Examples:
        >>> normalize_key("Llama 2")
        'llama-2'
        >>> normalize_key("llama_2") == normalize_key("LLaMA-2") == normalize_key(" llama – 2 ")
        True
        >>> normalize_key("Vision Transformers") == normalize_key("vision-transformer")
        True
        >>> normalize_key("LLMs"), normalize_key("diffusion models"), normalize_key("GPT-4o")
        ('llm', 'diffusion-model', 'gpt-4o')
    """
    text = unicodedata.normalize("NFKC", key).strip()
    # An acronym's plural ("LLMs", "CNNs") is only recognisable before case folding.
    text = _ACRONYM_PLURAL_RE.sub(r"\1", text)
    text = _KEY_SEPARATORS_RE.sub("-", text.casefold()).strip("-")
    head, sep, last = text.rpartition("-")
    return f"{head}{sep}{singular(last)}"


def singular(word: str) -> str:
    """Return the singular of a lower-case English plural noun, conservatively; other words unchanged.

    Only alphabetic words of four letters or more are touched: ``-ies`` becomes ``-y``, and a final
    ``s`` is dropped unless the word ends in ``ss``, ``us``, ``is`` or ``as`` or is a known
    invariant (``series``, ``news``, ``bayes`` …). Lossy by design: it only has to map the singular
    and plural of one name to the same key.

    Examples:
        >>> [singular(w) for w in ["transformers", "studies", "networks", "corpus", "series", "gpt"]]
        ['transformer', 'study', 'network', 'corpus', 'series', 'gpt']
        >>> [singular(w) for w in ["analysis", "atlas", "loss", "maps", "llms"]]
        ['analysis', 'atlas', 'loss', 'map', 'llm']
    """
    if len(word) < 4 or not word.isalpha() or not word.endswith("s") or word in _INVARIANT_PLURALS:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ss", "us", "is", "as")):
        return word
    return word[:-1]


@lru_cache(maxsize=1 << 16)  # schemes, fields, labels and keys repeat: the bulk writer's hot path
def _segment(text: str) -> str:
    # Percent-encoding with only unreserved characters kept is injective and reversible with unquote.
    # A final "." is encoded too: Turtle writers escape it in prefixed names ("ckg:metric\/miou\."),
    # which rdflib's Turtle parser rejects.
    segment = quote(text, safe=_SEGMENT_SAFE)
    return segment[:-1] + "%2E" if segment.endswith(".") else segment


def _split_paper_id(paper_id: str) -> tuple[str, str]:
    scheme, sep, value = paper_id.partition(":")
    if not sep or not scheme or not value:
        raise ValueError(
            f"paper id {paper_id!r} is not scheme-prefixed; expected e.g. 'arxiv:1706.03762' or 'doi:10.1/x'"
        )
    return scheme.strip().lower(), value.strip()


def paper_iri(paper_id: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of a paper from its scheme-prefixed id (see :mod:`citekg.ids`).

    The scheme becomes a path segment and the value is percent-encoded as one segment, so the id can
    be read back with :func:`paper_id_from_iri`.

    Args:
        paper_id: ``arxiv:…``, ``doi:…``, ``s2:…``, ``openalex:…`` or ``title:<hash>``.
        base: Namespace of instance IRIs, ending in ``/`` or ``#``.

    Raises:
        ValueError: If ``paper_id`` has no ``scheme:`` prefix.

    Examples:
        >>> paper_iri("arxiv:1706.03762")
        'https://w3id.org/citekg/paper/arxiv/1706.03762'
        >>> paper_iri("doi:10.18653/v1/n19-1423", base="http://example.org/kg/")
        'http://example.org/kg/paper/doi/10.18653%2Fv1%2Fn19-1423'
        >>> paper_iri("arxiv:hep-th/9901001")
        'https://w3id.org/citekg/paper/arxiv/hep-th%2F9901001'
    """
    scheme, value = _split_paper_id(paper_id)
    return f"{base}paper/{_segment(scheme)}/{_segment(value)}"


def paper_id_from_iri(iri: str, base: str = CITEKG_NS) -> str | None:
    """Invert :func:`paper_iri`; ``None`` when ``iri`` is not a paper IRI under ``base``.

    Examples:
        >>> paper_id_from_iri(paper_iri("doi:10.18653/v1/n19-1423"))
        'doi:10.18653/v1/n19-1423'
        >>> paper_id_from_iri("https://w3id.org/citekg/method/bert") is None
        True
    """
    prefix = f"{base}paper/"
    if not iri.startswith(prefix):
        return None
    scheme, sep, value = iri[len(prefix) :].partition("/")
    if not sep or "/" in value:
        return None
    return f"{unquote(scheme)}:{unquote(value)}"


def entity_iri(label: str, key: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of an entity from its type and canonical key.

    Two keys give the same IRI exactly when their :func:`normalize_key` forms are equal; the
    normalised key is percent-encoded, which keeps distinct keys apart.

    Args:
        label: The mention label (``method``, ``dataset``, ``model``, ``task``, ``metric``); any
            other label is filed under ``entity/``.
        key: The canonical entity key.
        base: Namespace of instance IRIs.

    Raises:
        ValueError: If the key is empty after normalisation.

    Examples:
        >>> entity_iri("method", "Transformer")
        'https://w3id.org/citekg/method/transformer'
        >>> entity_iri("model", "Llama 2") == entity_iri("model", "llama-2")
        True
        >>> entity_iri("method", "C++")
        'https://w3id.org/citekg/method/c%2B%2B'
        >>> entity_iri("dataset", "ImageNet") == entity_iri("model", "ImageNet")
        False
    """
    norm = normalize_key(key)
    if not norm:
        raise ValueError(f"entity key {key!r} is empty after normalisation")
    kind = label.lower() if label.lower() in ENTITY_KINDS else "entity"
    return f"{base}{kind}/{_segment(norm)}"


def mention_iri(paper_id: str, field: str, start: int, end: int, label: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of one mention: a typed span of one field of one paper.

    Examples:
        >>> mention_iri("arxiv:1706.03762", "abstract", 10, 21, "method")
        'https://w3id.org/citekg/mention/arxiv/1706.03762/abstract/10-21/method'
    """
    scheme, value = _split_paper_id(paper_id)
    return (
        f"{base}mention/{_segment(scheme)}/{_segment(value)}/{_segment(field)}/"
        f"{int(start)}-{int(end)}/{_segment(label.lower())}"
    )


def citation_iri(citing_id: str, cited_id: str, source: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of the ``ckg:Citation`` node for one citing/cited pair read from one source.

    Examples:
        >>> citation_iri("arxiv:1810.04805", "arxiv:1706.03762", "metadata")
        'https://w3id.org/citekg/citation/arxiv/1810.04805/arxiv/1706.03762/metadata'
    """
    citing = "/".join(_segment(part) for part in _split_paper_id(citing_id))
    cited = "/".join(_segment(part) for part in _split_paper_id(cited_id))
    return f"{base}citation/{citing}/{cited}/{_segment(source)}"


def builds_on_iri(paper_id: str, basis_id: str, entity: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of the ``ckg:BuildsOnEvidence`` node for one paper pair and one entity IRI.

    Examples:
        >>> builds_on_iri("arxiv:2", "arxiv:1", "https://w3id.org/citekg/method/vit")
        'https://w3id.org/citekg/buildson/arxiv/2/arxiv/1/method/vit'
    """
    paper = "/".join(_segment(part) for part in _split_paper_id(paper_id))
    basis = "/".join(_segment(part) for part in _split_paper_id(basis_id))
    kind, _, key = entity.removeprefix(base).partition("/")
    return f"{base}buildson/{paper}/{basis}/{_segment(unquote(kind))}/{_segment(unquote(key))}"


def link_iri(normalized_url: str, kind: str, base: str = CITEKG_NS) -> str:
    """Return the IRI of a web resource a paper links to.

    The path is the normalised URL without ``http(s)://``, each path segment percent-encoded, under
    ``repo/`` for code, ``page/`` for project pages and ``link/<kind>/`` for every other kind. The
    scheme is dropped on purpose: the http and https forms of a URL name one resource.

    Examples:
        >>> link_iri("https://github.com/google-research/bert", "code")
        'https://w3id.org/citekg/repo/github.com/google-research/bert'
        >>> link_iri("https://nerf.github.io", "project_page")
        'https://w3id.org/citekg/page/nerf.github.io'
        >>> link_iri("https://huggingface.co/datasets/squad?x=1", "dataset")
        'https://w3id.org/citekg/link/dataset/huggingface.co/datasets/squad%3Fx%3D1'
    """
    rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", normalized_url.strip()).strip("/")
    if not rest:
        raise ValueError(f"link URL {normalized_url!r} is empty")
    path = "/".join(_segment(part) for part in rest.split("/"))
    prefix = _LINK_PATHS.get(kind) or f"link/{_segment(kind.lower() or 'other')}"
    return f"{base}{prefix}/{path}"


def safe_iri(url: str) -> str | None:
    """Return ``url`` as an absolute IRI, percent-encoding characters IRIs forbid; ``None`` if relative.

    Input URLs are untrusted text; this keeps a stray space or quote from breaking an N-Triples load.

    Examples:
        >>> safe_iri("https://example.org/a b<c>")
        'https://example.org/a%20b%3Cc%3E'
        >>> safe_iri("arxiv.org/abs/1706.03762") is None
        True
    """
    url = url.strip()
    if not _SCHEME_RE.match(url):
        return None
    return _IRI_UNSAFE_RE.sub(lambda m: quote(m.group(0), safe=""), url)
