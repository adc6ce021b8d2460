"""Pure helpers for paper identifiers, link classification, IRI checks and slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import pyoxigraph

__all__ = [
    "KIND_PRIORITY",
    "RDFLIB_BAD_IRI_CHARS",
    "LinkId",
    "check_iri",
    "classify_link",
    "normalize_doi",
    "normalize_title",
    "paper_path",
    "parse_arxiv_id",
    "slugify",
    "wikidata_doi",
]

_ASCII = re.ASCII  # identifier patterns never match Unicode digits or letters
KIND_PRIORITY = ("arxiv", "doi", "openreview", "ieee", "cvf", "pmlr", "neurips", "web", "title")
RDFLIB_BAD_IRI_CHARS = frozenset('<>" {}|\\^`')
_ARXIV_NEW = r"(?P<new>[0-9]{2}(?:0[1-9]|1[0-2])\.[0-9]{4,5})"
_ARXIV_OLD = r"(?P<old>(?P<arch>[a-z][a-z-]*)(?:\.[A-Za-z]{2})?/[0-9]{7})"
_ARXIV_ID = rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v(?P<ver>[0-9]+))?"
_ARXIV_URL = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ARXIV_ID}"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    _ASCII | re.IGNORECASE,
)
_ARXIV_DOI = re.compile(rf"10\.48550/arxiv\.{_ARXIV_ID}", _ASCII | re.IGNORECASE)
_ARXIV_PREFIXED = re.compile(rf"\barxiv:\s*{_ARXIV_ID}\b", _ASCII | re.IGNORECASE)
_ARXIV_BARE = re.compile(_ARXIV_ID, _ASCII)
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+", _ASCII)
_DOI_URL = re.compile(r"^(?:https?://)?(?:www\.|dx\.)?doi\.org/", _ASCII | re.IGNORECASE)
_DOI_LABEL = re.compile(r"^doi:\s*", _ASCII | re.IGNORECASE)
_SPRINGER = re.compile(r"/(?:article|chapter)/(10\.[0-9]{4,9}/.+)$", _ASCII)
_IEEE = re.compile(r"^/(?:abstract/)?document/([0-9]+)(?:/.*)?$", _ASCII)
_CVF = re.compile(
    r"^/(?:content/)?(?P<conf>[^/]+)/(?:[^/]+/)?(?:html|papers)/(?P<slug>[^/]+)_paper\.(?:html|pdf)$",
    _ASCII,
)
_PMLR = re.compile(
    r"^/(?P<vol>v[0-9]+)/(?P<id>[A-Za-z0-9_-]+?)(?:\.html|/(?P=id)\.pdf|\.pdf)?$", _ASCII
)
_NEURIPS = re.compile(r"/(?P<year>[0-9]{4})/(?:hash|file)/(?P<hash>[0-9a-f]{16,64})-", _ASCII)
_TRACKING = re.compile(r"^(?:utm_.*|fbclid|gclid|mc_[ce]id|ref_src|_ga)$", _ASCII | re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:", _ASCII)
_ASCII_BAD_IRI = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FLAG_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
_PATH_SAFE = "/-._~:@!$&'()*+,;="


@dataclass(frozen=True)
class LinkId:
    """A classified link: identifier kind, identifier value and canonical URL."""

    kind: str
    value: str
    canonical_url: str


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Return (versionless arXiv id, version or None) for any arXiv form, else None.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2409.03402v2.pdf")
    ('2409.03402', 2)
    >>> parse_arxiv_id("https://doi.org/10.48550/arXiv.2103.00020")
    ('2103.00020', None)
    >>> parse_arxiv_id("arXiv preprint arXiv:2410.16411")
    ('2410.16411', None)
    >>> parse_arxiv_id("http://arxiv.org/abs/hep-th/9901001v1")
    ('hep-th/9901001', 1)
    >>> parse_arxiv_id("https://example.org/2103.00020") is None
    True
    >>> parse_arxiv_id("https://arxiv.org/abs/1706.\uff10\uff13\uff17\uff16\uff12") is None
    True
    """
    text = text.strip()
    match = _match_arxiv(text) or _ARXIV_BARE.fullmatch(text) or _ARXIV_PREFIXED.search(text)
    if match is None:
        return None
    if match.group("new"):
        ident = match.group("new")
    else:
        ident = f"{match.group('arch').lower()}/{match.group('old').rsplit('/', 1)[1]}"
    version = match.group("ver")
    return ident, int(version) if version else None


def _match_arxiv(url: str) -> re.Match[str] | None:
    """Match an arXiv URL or an arXiv DOI (bare, ``doi:`` or doi.org URL)."""
    doi = normalize_doi(url)
    return _ARXIV_URL.fullmatch(url) or (_ARXIV_DOI.fullmatch(doi) if doi else None)


def normalize_doi(text: str) -> str | None:
    """Return the lower-case ``10.x/...`` DOI in *text* (bare, ``doi:`` or doi.org URL), else None.

    >>> normalize_doi("https://doi.org/10.1109/ICRA57147.2024.10610665")
    '10.1109/icra57147.2024.10610665'
    >>> normalize_doi("doi:10.1177/0278364917714338")
    '10.1177/0278364917714338'
    >>> normalize_doi("https://example.org/10.1/x") is None
    True
    """
    text = text.strip()
    url = _DOI_URL.match(text)
    if url:
        text = unquote(re.split(r"[?#]", text[url.end() :], maxsplit=1)[0])
    else:
        text = _DOI_LABEL.sub("", text)
    match = _DOI.fullmatch(text)
    return match.group(0).rstrip(".").lower() if match else None


def wikidata_doi(doi: str) -> str:
    """Return the DOI in Wikidata's upper-case form (P356).

    >>> wikidata_doi("https://doi.org/10.1109/icra57147.2024.10610665")
    '10.1109/ICRA57147.2024.10610665'
    """
    normal = normalize_doi(doi)
    if normal is None:
        raise ValueError(f"not a DOI: {doi!r}")
    return normal.upper()


def check_iri(url: str) -> str:
    """Return *url* if rdflib's Turtle writer and pyoxigraph both accept it, else raise ValueError.

    >>> check_iri("https://x.org/a%20b,c#:~:text=a%20b,c")
    'https://x.org/a%20b,c#:~:text=a%20b,c'
    >>> check_iri("https://x.org/a b")
    Traceback (most recent call last):
    ValueError: IRI contains ' ' at position 15
    >>> check_iri("https://x.org/caf\u00e9\u00a0")
    Traceback (most recent call last):
    ValueError: IRI contains '\\xa0' at position 18
    """
    if not isinstance(url, str) or not url:
        raise ValueError("IRI is empty")
    bad = _first_bad_iri_char(url)
    if bad is not None:
        raise ValueError(f"IRI contains {url[bad]!r} at position {bad}")
    if not _SCHEME.match(url):
        raise ValueError("IRI is not absolute (no scheme)")
    try:
        pyoxigraph.NamedNode(url)
    except ValueError as exc:
        raise ValueError(f"IRI rejected: {exc}") from None
    return url


def _first_bad_iri_char(url: str) -> int | None:
    """Return the position of the first character rdflib or pyoxigraph refuse in an IRI, or None."""
    ascii_bad = _ASCII_BAD_IRI.search(url)
    end = ascii_bad.start() if ascii_bad else len(url)
    if not url.isascii():
        for match in _NON_ASCII.finditer(url, 0, end):
            if unicodedata.category(match.group()) in _FLAG_CATEGORIES:
                return match.start()
    return ascii_bad.start() if ascii_bad else None


def slugify(text: str, max_len: int = 80) -> str:
    """Return an ASCII, lower-case, hyphen-separated slug of at most *max_len* characters.

    >>> slugify("Planning & Exploration")
    'planning-exploration'
    >>> slugify("Über-Läufer: Ça va?")
    'uber-laufer-ca-va'
    >>> slugify("a long title here", max_len=9)
    'a-long'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[: max_len + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_len]
        slug = slug[:max_len].strip("-")
    return slug


def normalize_title(text: str) -> str:
    """Return *text* NFKC-normalised, casefolded, punctuation removed, whitespace collapsed.

    >>> normalize_title("Vision-Language Models are  Zero-Shot Reward Models!")
    'vision language models are zero shot reward models'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    chars = [" " if unicodedata.category(c)[0] in "PSZC" else c for c in text]
    return " ".join("".join(chars).split())


def _strip_www(host: str) -> str:
    """Return *host* lower-cased without a leading ``www.``."""
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _clean_url(url: str) -> str:
    """Return *url* without ``www.``, tracking parameters, text fragments and trailing slashes."""
    parts = urlsplit(url.strip())
    host = _strip_www(parts.netloc)
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else "/"
    pairs = [p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=")[0])]
    query = "&".join(pairs)
    fragment = "" if parts.fragment.startswith(":~:") else parts.fragment
    return urlunsplit((parts.scheme.lower(), host, path, query, fragment))


def _web_value(host: str, path: str, query: str) -> str:
    """Return ``host/path-slug`` for a generic web link (hash-suffixed when truncated)."""
    source = unquote(path.strip("/") + (f"?{query}" if query else ""))
    slug = slugify(source, max_len=120)
    if len(slugify(source, max_len=10_000)) > 120:
        slug = f"{slug}-{hashlib.sha1(source.encode()).hexdigest()[:8]}"
    return f"{host}/{slug}" if slug else host


def classify_link(url: str) -> LinkId:
    """Classify a paper link into a LinkId (kind, value, canonical URL).

    >>> classify_link("https://doi.org/10.48550/arXiv.2310.12921")
    LinkId(kind='arxiv', value='2310.12921', canonical_url='https://arxiv.org/abs/2310.12921')
    >>> classify_link("https://openreview.net/pdf?id=6P88DMUDvH").value
    '6P88DMUDvH'
    >>> classify_link("https://ieeexplore.ieee.org/abstract/document/11080043").value
    '11080043'
    >>> classify_link("https://proceedings.mlr.press/v202/li23ad.html").value
    'v202/li23ad'
    >>> classify_link("https://eureka-research.github.io/dr-eureka/")
    LinkId(kind='web', value='eureka-research.github.io/dr-eureka', canonical_url='https://eureka-research.github.io/dr-eureka')
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if _match_arxiv(url):
        arxiv_id = parse_arxiv_id(url)[0]  # type: ignore[index]
        return LinkId("arxiv", arxiv_id, f"https://arxiv.org/abs/{arxiv_id}")
    host, path = _strip_www(parts.hostname or ""), parts.path
    doi = normalize_doi(url)
    springer = _SPRINGER.search(unquote(path)) if host == "link.springer.com" else None
    if springer:
        doi = normalize_doi(springer.group(1))
    if doi is not None:
        return LinkId("doi", doi, f"https://doi.org/{doi}")
    query = dict(parse_qsl(parts.query))
    if host == "openreview.net" and path.rstrip("/") in ("/forum", "/pdf") and query.get("id"):
        ident = query["id"]
        return LinkId("openreview", ident, f"https://openreview.net/forum?id={ident}")
    ieee = _IEEE.match(path) if host == "ieeexplore.ieee.org" else None
    if ieee:
        return LinkId("ieee", ieee[1], f"https://ieeexplore.ieee.org/document/{ieee[1]}")
    cvf = _CVF.match(path) if host == "openaccess.thecvf.com" else None
    if cvf:
        conf = re.sub(r"[^A-Za-z0-9]", "", cvf["conf"].replace("content_", "")).upper()
        return LinkId("cvf", f"{conf}/{cvf['slug']}", _clean_url(url))
    pmlr = _PMLR.match(path) if host == "proceedings.mlr.press" else None
    if pmlr:
        value = f"{pmlr['vol']}/{pmlr['id']}"
        return LinkId("pmlr", value, f"https://proceedings.mlr.press/{value}.html")
    neurips = (
        _NEURIPS.search(path) if host in ("papers.nips.cc", "proceedings.neurips.cc") else None
    )
    if neurips:
        return LinkId("neurips", f"{neurips['year']}/{neurips['hash']}", _clean_url(url))
    clean = urlsplit(_clean_url(url))
    return LinkId("web", _web_value(host, clean.path, clean.query), _clean_url(url))


def paper_path(link_id: LinkId) -> str:
    """Return the ``{kind}/{value}`` IRI path segment of a paper, percent-encoding unsafe chars.

    >>> paper_path(classify_link("https://doi.org/10.1002/(SICI)1097-4571(199806)49:8<693>3"))
    'doi/10.1002/(sici)1097-4571(199806)49:8%3C693%3E3'
    >>> paper_path(LinkId("arxiv", "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"))
    'arxiv/hep-th/9901001'
    """
    return f"{link_id.kind}/{quote(link_id.value, safe=_PATH_SAFE)}"
