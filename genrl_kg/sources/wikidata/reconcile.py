"""Reconcile our papers and people with Wikidata items from cached answers (no network here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from genrl_kg.sources.wikidata.cache import Answer, WikidataCache
from genrl_kg.sources.wikidata.names import names_compatible

__all__ = [
    "PROPS",
    "AuthorTarget",
    "PaperLink",
    "PaperTarget",
    "PersonLink",
    "Reconciliation",
    "cached_answers",
    "reconcile_papers",
    "reconcile_people",
]


@dataclass(frozen=True)
class PaperTarget:
    """One of our papers with the identifiers Wikidata may hold (arXiv ids, upper-case DOIs,
    OpenAlex work ids)."""

    iri: str
    arxiv_ids: tuple[str, ...]
    dois: tuple[str, ...]
    openalex_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthorTarget:
    """One authorship of ours: the person, their name and 1-based position on the paper."""

    paper: str
    person: str
    name: str
    position: int


@dataclass(frozen=True)
class PaperLink:
    """Our paper is the Wikidata item *qid*, matched by identifiers of these properties."""

    paper: str
    qid: str
    matches: tuple[tuple[str, str], ...]  # (P818, P356 or P10283, identifier value)
    endpoints: tuple[str, ...]
    retrieved: str  # ISO 8601: the latest retrieval the link rests on


@dataclass(frozen=True)
class PersonLink:
    """Our person is the item *qid*: the P50 statement with *ordinal* on the item *paper_qid*."""

    person: str
    qid: str
    paper: str
    paper_qid: str
    ordinal: int
    name: str  # the Wikidata name found compatible with ours
    endpoints: tuple[str, ...]
    retrieved: str


@dataclass
class Reconciliation:
    """What the cached answers say: links, and the papers and people left out and why."""

    papers: list[PaperLink] = field(default_factory=list)
    people: list[PersonLink] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)  # looked up, no item
    unchecked: list[str] = field(default_factory=list)  # no cached answer
    ambiguous: list[dict[str, object]] = field(default_factory=list)
    authors_unlinked: list[str] = field(default_factory=list)
    authors_conflicting: list[dict[str, object]] = field(default_factory=list)


PROPS = (("arxiv", "P818"), ("doi", "P356"), ("openalex", "P10283"))


def cached_answers(
    cache: WikidataCache, kind: str, key: str, endpoints: Sequence[str] | None
) -> list[Answer]:
    """Return the cached answers for *key* from *endpoints* (None: from every endpoint cached)."""
    answers = cache.load_all(kind, key)
    return [a for url, a in sorted(answers.items()) if endpoints is None or url in endpoints]


def _paper_items(
    cache: WikidataCache, target: PaperTarget, endpoints: Sequence[str] | None
) -> tuple[dict[str, list[tuple[str, str]]], list[Answer]]:
    """Return {Q-id: [(property, identifier)]} for one paper and the answers consulted."""
    items: dict[str, list[tuple[str, str]]] = defaultdict(list)
    used: list[Answer] = []
    keyed = (target.arxiv_ids, target.dois, target.openalex_ids)
    for (kind, prop), keys in zip(PROPS, keyed, strict=True):
        for key in keys:
            for answer in cached_answers(cache, kind, key, endpoints):
                used.append(answer)
                for qid in answer.value:
                    if (prop, key) not in items[qid]:
                        items[qid].append((prop, key))
    return dict(items), used


def reconcile_papers(
    cache: WikidataCache, papers: Sequence[PaperTarget], endpoints: Sequence[str] | None
) -> Reconciliation:
    """Link each paper that exactly one item matches and that no other paper of ours claims."""
    result = Reconciliation()
    candidates: list[PaperLink] = []
    for target in sorted(papers, key=lambda p: p.iri):
        items, used = _paper_items(cache, target, endpoints)
        if not used:
            result.unchecked.append(target.iri)
        elif not items:
            result.unlinked.append(target.iri)
        elif len(items) > 1:
            result.ambiguous.append(
                {"paper": target.iri, "items": sorted(items), "reason": "several items"}
            )
        else:
            ((qid, matches),) = items.items()
            sources = tuple(sorted({a.endpoint for a in used if qid in a.value}))
            when = max(a.retrieved for a in used if qid in a.value)
            candidates.append(PaperLink(target.iri, qid, tuple(sorted(matches)), sources, when))
    claims: dict[str, list[PaperLink]] = defaultdict(list)
    for link in candidates:
        claims[link.qid].append(link)
    for qid, links in sorted(claims.items()):
        if len(links) == 1:
            result.papers.append(links[0])
            continue
        for link in links:
            others = [o.paper for o in links if o is not link]
            result.ambiguous.append(
                {"paper": link.paper, "items": [qid], "reason": f"item shared with {others}"}
            )
    result.papers.sort(key=lambda link: link.paper)
    return result


def reconcile_people(
    cache: WikidataCache,
    result: Reconciliation,
    authors: Sequence[AuthorTarget],
    endpoints: Sequence[str] | None,
    name_endpoints: Sequence[str] | None,
) -> None:
    """Add person links: same series ordinal (P1545) as our position and a compatible name."""
    by_paper = {link.paper: link for link in result.papers}
    found: dict[str, list[PersonLink]] = defaultdict(list)
    considered: set[str] = set()
    for author in sorted(authors, key=lambda a: (a.paper, a.position, a.person)):
        paper = by_paper.get(author.paper)
        if paper is None:
            continue
        considered.add(author.person)
        statements = cached_answers(cache, "authors", paper.qid, endpoints)
        same = {
            s["author"]
            for a in statements
            for s in a.value
            if s.get("ordinal") == str(author.position)
        }
        if len(same) != 1:
            continue
        (qid,) = same
        names = cached_answers(cache, "names", qid, name_endpoints)
        match = next((n for a in names for n in a.value if names_compatible(author.name, n)), None)
        if match is None:
            continue
        used = [*statements, *names]
        found[author.person].append(
            PersonLink(
                author.person,
                qid,
                author.paper,
                paper.qid,
                author.position,
                match,
                tuple(sorted({a.endpoint for a in used})),
                max(a.retrieved for a in used),
            )
        )
    owners: dict[str, set[str]] = defaultdict(set)
    for person, links in found.items():
        for link in links:
            owners[link.qid].add(person)
    for person in sorted(considered):
        links = found.get(person, [])
        qids = sorted({link.qid for link in links})
        if len(qids) == 1 and len(owners[qids[0]]) == 1:
            result.people.append(min(links, key=lambda link: (link.paper, link.ordinal)))
        elif qids:
            result.authors_conflicting.append({"person": person, "items": qids})
        else:
            result.authors_unlinked.append(person)
