"""Find code repositories (GitHub, GitLab, Hugging Face) in arXiv text and listed links."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from genrl_kg.identifiers import check_iri

__all__ = ["ORIGINS", "CodeLink", "find_code_links", "normalize_code_url"]

logger = logging.getLogger(__name__)

ORIGINS = ("arxiv-comment", "arxiv-abstract", "listed-link")
# ASCII only: a lookalike letter (Cyrillic, full-width) never matches a host or a path.
_URL = re.compile(
    r"(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?:[Ww]{3}\.)?"
    r"(?P<host>(?i:github\.com|gitlab\.com|huggingface\.co))"
    r"(?P<path>/[A-Za-z0-9._~%+/-]*)?"
)
# A cheap test before the parsing: a link without one of the hosts is not a repository.
_HOST_HINT = re.compile(r"github\.com|gitlab\.com|huggingface\.co", re.IGNORECASE)
_BEFORE_OK = re.compile(r"[\s\"'(\[<{:;,]")  # what may precede a URL in running text
_TRAILING = ".,;:!?'\"/"
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_GITHUB_RESERVED = frozenset(
    {
        "about",
        "apps",
        "blog",
        "codespaces",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "events",
        "explore",
        "features",
        "issues",
        "login",
        "marketplace",
        "new",
        "notifications",
        "orgs",
        "organizations",
        "pricing",
        "pulls",
        "readme",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "team",
        "topics",
        "trending",
        "users",
    }
)
_HF_RESERVED = frozenset(
    {
        "api",
        "blog",
        "chat",
        "collections",
        "datasets",
        "docs",
        "join",
        "learn",
        "login",
        "models",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "settings",
        "tasks",
    }
)


@dataclass(frozen=True)
class CodeLink:
    """A code repository URL (normalised) and where it was found, first origin first."""

    url: str
    host: str
    origins: tuple[str, ...]


def _owner_and_name(segments: list[str]) -> list[str] | None:
    """Return [owner, name, ...] if every segment is a valid name and there are two or more."""
    if len(segments) < 2:
        return None
    keep = [*segments[:-1], segments[-1].removesuffix(".git")]
    if not _OWNER.fullmatch(keep[0]) or not all(_NAME.fullmatch(s) for s in keep[1:]):
        return None
    return None if keep[-1] in (".", "..") else keep


def _repo_path(host: str, segments: list[str]) -> list[str] | None:
    """Return the repository-level path segments for *host*, or None if not a repository."""
    if host == "huggingface.co":
        if segments[:1] == ["spaces"]:
            space = _owner_and_name(segments[1:3])
            return ["spaces", *space] if space else None
        return (
            None if segments[:1] and segments[0] in _HF_RESERVED else _owner_and_name(segments[:2])
        )
    if host == "gitlab.com" and "-" in segments:
        return _owner_and_name(segments[: segments.index("-")])
    if segments[:1] and segments[0].lower() in _GITHUB_RESERVED and host == "github.com":
        return None
    return _owner_and_name(segments[:2])


def normalize_code_url(url: str) -> str | None:
    """Return the https repository URL of a GitHub/GitLab/Hugging Face link, or None.

    >>> normalize_code_url("http://www.GitHub.com/real-stanford/diffusion_policy.git/tree/main/x")
    'https://github.com/real-stanford/diffusion_policy'
    >>> normalize_code_url("https://huggingface.co/spaces/org/demo/blob/main/app.py")
    'https://huggingface.co/spaces/org/demo'
    >>> normalize_code_url("https://github.com/openvla"), normalize_code_url("https://x.github.io/a")
    (None, None)
    """
    url = url.strip()
    if any(ord(c) > 127 for c in url):
        return None
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in ("github.com", "gitlab.com", "huggingface.co") or parts.port is not None:
        return None
    segments = [s for s in parts.path.rstrip(_TRAILING).split("/") if s]
    kept = _repo_path(host, segments)
    if kept is None:
        return None
    try:
        return check_iri(f"https://{host}/{'/'.join(kept)}")
    except ValueError:
        return None


def _clean_neighbours(text: str, start: int, end: int) -> bool:
    """Return True unless a letter, digit or lookalike touches the match at *start* or *end*."""
    if start > 0 and not _BEFORE_OK.fullmatch(text[start - 1]):
        return False
    if end < len(text):
        after = text[end]
        if ord(after) > 127 and unicodedata.category(after)[0] not in "PZ":
            return False
    return True


def _urls_in_text(text: str) -> Iterable[str]:
    """Yield the repository URLs written in *text* (scheme optional)."""
    for match in _URL.finditer(text):
        raw = match.group(0)
        if not _clean_neighbours(text, match.start(), match.end()):
            logger.debug("code link %r touches other characters; skipped", raw)
            continue
        if (normal := normalize_code_url(raw.rstrip(_TRAILING))) is not None:
            yield normal


def find_code_links(
    texts: Iterable[tuple[str, str | None]], links: Iterable[str]
) -> tuple[CodeLink, ...]:
    """Return the repositories named in (origin, text) pairs and in the paper's listed links.

    Origins of *texts* are 'arxiv-comment' or 'arxiv-abstract'; *links* are 'listed-link'.
    One CodeLink per repository (GitHub and GitLab compared case-insensitively), in order.

    >>> find_code_links([("arxiv-comment", "Code: github.com/a/b.git).")], ["https://github.com/A/B"])
    (CodeLink(url='https://github.com/a/b', host='github.com', origins=('arxiv-comment', 'listed-link')),)
    """
    found: dict[str, tuple[str, list[str]]] = {}

    def add(url: str, origin: str) -> None:
        key = url.lower() if "huggingface.co" not in url else url
        _, origins = found.setdefault(key, (url, []))
        if origin not in origins:
            origins.append(origin)

    for origin, text in texts:
        if origin not in ORIGINS[:2]:
            raise ValueError(f"unknown text origin {origin!r}; expected one of {ORIGINS[:2]}")
        for url in _urls_in_text(text or ""):
            add(url, origin)
    for link in links:
        if _HOST_HINT.search(link) and (listed := normalize_code_url(link)) is not None:
            add(listed, "listed-link")
    return tuple(
        CodeLink(url, urlsplit(url).hostname or "", tuple(origins))
        for url, origins in found.values()
    )
