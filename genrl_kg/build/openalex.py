"""The OpenAlex stage: citations between the list's papers and scholarly metadata.

Asks OpenAlex (cached, at most 100 DOIs a request) for the works of the list's papers: the
DataCite DOI ``10.48550/arxiv.<id>`` for arXiv papers, the paper's own DOI otherwise. Authors'
ORCID iDs and affiliations are joined to the arXiv authors by position and compatible name,
never by name alone; a paper without arXiv authors gets no authors from OpenAlex (its
authorships are counted as unjoined), so that no person is made from OpenAlex's name alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from genrl_kg import settings
from genrl_kg.build.context import BuildContext, OpenAlexOptions, PaperNode, Stage, StageReport
from genrl_kg.rdf import QuadSet
from genrl_kg.rdf.arxiv import person_key
from genrl_kg.rdf.openalex import (
    JoinedAuthor,
    add_affiliations,
    add_citations,
    add_orcids,
    add_source_description,
    add_work,
    openalex_iri,
)
from genrl_kg.sources.openalex import (
    Authorship,
    FetchResult,
    OpenAlexCache,
    OpenAlexWork,
    arxiv_doi,
    fetch_works,
)
from genrl_kg.sources.wikidata import names_compatible

__all__ = [
    "STAGE",
    "OpenAlexReport",
    "add_openalex",
    "cited_pairs",
    "join_authors",
    "paper_dois",
]


@dataclass
class OpenAlexReport(StageReport):
    """What OpenAlex was asked and what it gave, and what the graph got from it."""

    asked: int = 0
    without_doi: int = 0
    requests: int = 0
    fetched: int = 0
    from_cache: int = 0
    not_found: int = 0
    failed: int = 0
    kept_stale: int = 0
    went_offline: bool = False
    papers_with_work: int = 0
    citation_edges: int = 0
    authors_with_orcid: int = 0
    authorships_joined: int = 0
    authorships_unjoined: int = 0
    papers_without_arxiv_authors: int = 0
    orcid_conflicts: list[str] = field(default_factory=list)
    institutions: int = 0
    published_versions: int = 0
    open_access: int = 0
    not_found_papers: list[str] = field(default_factory=list)
    summary: str = ""


def paper_dois(papers: Iterable[PaperNode]) -> dict[str, PaperNode]:
    """Return the DOI to ask OpenAlex for each paper (arXiv DOI first), by lower-case DOI."""
    found: dict[str, PaperNode] = {}
    for paper in papers:
        ids = paper.record.link_ids
        arxiv_id = next((i.value for i in ids if i.kind == "arxiv"), None)
        doi = (
            arxiv_doi(arxiv_id)
            if arxiv_id
            else next((i.value for i in ids if i.kind == "doi"), None)
        )
        if doi is not None:
            found.setdefault(doi.lower(), paper)
    return found


def join_authors(
    arxiv_names: Sequence[str], authorships: Iterable[Authorship]
) -> list[JoinedAuthor]:
    """Return the OpenAlex authorships whose position holds an arXiv author of compatible name.

    >>> a = [Authorship(1, "C. Chi", None, None, ()), Authorship(2, "Jane Smith", None, None, ()),
    ...      Authorship(3, "Shuran Song", None, None, ())]
    >>> [(j.position, j.name) for j in join_authors(["Cheng Chi", "John Smith"], a)]
    [(1, 'Cheng Chi')]
    """
    joined = []
    for authorship in authorships:
        index = authorship.position - 1
        if 0 <= index < len(arxiv_names):
            name = arxiv_names[index]
            if names_compatible(name, authorship.display_name):
                joined.append(JoinedAuthor(authorship.position, name, authorship))
    return joined


def cited_pairs(works: Mapping[str, OpenAlexWork]) -> list[tuple[str, str]]:
    """Return (citing key, cited key) for references between the works of *works* (by paper key).

    >>> from datetime import datetime
    >>> def w(i, refs): return OpenAlexWork(i, "10.1/x", None, None, 0, refs, (), None, None, None, datetime.now())
    >>> cited_pairs({"a": w("W1", ("W2", "W9")), "b": w("W2", ("W1", "W2")), "c": w("W3", ())})
    [('a', 'b'), ('b', 'a')]
    """
    by_work: dict[str, list[str]] = {}
    for key, work in sorted(works.items()):
        by_work.setdefault(work.id, []).append(key)
    pairs = {
        (key, cited)
        for key, work in works.items()
        for ref in work.referenced_works
        for cited in by_work.get(ref, ())
        if cited != key
    }
    return sorted(pairs)


def _fetch(ctx: BuildContext, options: OpenAlexOptions, dois: Sequence[str]) -> FetchResult:
    """Fetch the works of *dois* with the stage's options (cache first)."""
    cache_dir = ctx.options.cache_dir
    return fetch_works(
        dois,
        base_url=settings.openalex_url(options.base_url),
        cache=OpenAlexCache(cache_dir / "openalex" if cache_dir else None),
        mailto=options.mailto or settings.env(settings.OPENALEX_MAILTO_ENV),
        api_key=options.api_key or settings.env(settings.OPENALEX_KEY_ENV),
        refresh=options.refresh,
        offline=options.offline,
        max_age=options.max_age,
        progress=options.progress,
    )


def _fill_fetch(
    report: OpenAlexReport, result: FetchResult, asked: Mapping[str, PaperNode]
) -> None:
    """Copy the fetch's counts into *report*."""
    stats = result.stats
    report.requests, report.fetched, report.from_cache = (
        stats.requests,
        stats.fetched,
        stats.from_cache,
    )
    report.not_found, report.failed = stats.not_found, stats.failed
    report.kept_stale, report.went_offline = stats.kept_stale, stats.went_offline
    report.not_found_papers = sorted(asked[d].record.key for d in result.not_found if d in asked)
    report.summary = stats.summary()


class _People:
    """Collects joined authors across papers: ORCID candidates and institutions."""

    def __init__(self, quads: QuadSet) -> None:
        """Start with nothing joined."""
        self.quads = quads
        self.orcids: dict[ox.NamedNode, set[str]] = {}
        self.institutions: set[ox.NamedNode] = set()
        self.names: dict[ox.NamedNode, ox.Literal] = {}

    def add(
        self, report: OpenAlexReport, key: str, work: OpenAlexWork, names: Sequence[str] | None
    ) -> None:
        """Join *work*'s authorships to the arXiv *names* of paper *key* and add affiliations."""
        if names is None:
            report.papers_without_arxiv_authors += 1
            report.authorships_unjoined += len(work.authorships)
            return
        joined = join_authors(names, work.authorships)
        report.authorships_joined += len(joined)
        report.authorships_unjoined += len(work.authorships) - len(joined)
        source = openalex_iri(work.id)
        self.institutions |= add_affiliations(self.quads, key, joined, source, self.names)
        for author in joined:
            if author.authorship.orcid:
                person = self.quads.iri("person", person_key(author.name))
                self.orcids.setdefault(person, set()).add(author.authorship.orcid)

    def resolved(self, report: OpenAlexReport) -> dict[ox.NamedNode, str]:
        """Return one ORCID per person; a person given several is reported and gets none."""
        out: dict[ox.NamedNode, str] = {}
        for person, found in sorted(self.orcids.items(), key=lambda item: item[0].value):
            if len(found) == 1:
                out[person] = next(iter(found))
            else:
                report.orcid_conflicts.append(f"{person.value}: {', '.join(sorted(found))}")
        return out


def add_openalex(ctx: BuildContext) -> OpenAlexReport:
    """Add OpenAlex metadata and in-list citations to ``graph/openalex``."""
    options = ctx.options.openalex
    if options is None:
        return OpenAlexReport(summary="OpenAlex not asked")
    asked = paper_dois(ctx.papers)
    report = OpenAlexReport(asked=len(asked), without_doi=len(ctx.papers) - len(asked))
    result = _fetch(ctx, options, sorted(asked))
    _fill_fetch(report, result, asked)
    if result.failed or result.stale:
        ctx.warn(result.describe_problems())
    works = {asked[d].record.key: w for d, w in sorted(result.records.items()) if d in asked}
    ctx.openalex_works = dict(works)
    nodes = {asked[d].record.key: asked[d] for d in asked}
    if works:
        add_source_description(ctx.quads)
    people = _People(ctx.quads)
    for key, work in sorted(works.items()):
        paper = nodes[key]
        add_work(ctx.quads, key, paper.node, work)
        report.published_versions += work.venue is not None
        report.open_access += bool(work.open_access and work.open_access.url)
        people.add(report, key, work, _arxiv_names(ctx, paper))
    orcids = people.resolved(report)
    add_orcids(ctx.quads["openalex"], orcids)
    edges = cited_pairs(works)
    add_citations(ctx.quads["openalex"], ((nodes[a].node, nodes[b].node) for a, b in edges))
    report.papers_with_work = len(works)
    report.citation_edges = len(edges)
    report.authors_with_orcid = len(orcids)
    report.institutions = len(people.institutions)
    if report.orcid_conflicts:
        ctx.warn(
            f"OpenAlex: {len(report.orcid_conflicts)} person(s) with several ORCID iDs left without one"
        )
    return report


def _arxiv_names(ctx: BuildContext, paper: PaperNode) -> list[str] | None:
    """Return the arXiv author names of *paper* in order, or None if arXiv gave none."""
    arxiv_id = next((i.value for i in paper.record.link_ids if i.kind == "arxiv"), None)
    record = ctx.arxiv_records.get(arxiv_id) if arxiv_id else None
    if record is None or not record.authors:
        return None
    return [a.name for a in record.authors]


STAGE = Stage(
    "openalex", add_openalex, OpenAlexReport, lambda options: options.openalex is not None
)
