"""The links stage: Wikidata links from cached answers (never the network) and the alignment.

``genrl-kg link wikidata`` (``genrl_kg.build.wikidata``) fetches the answers; a later build
finds them in the cache and keeps the links. Without a cache directory only the curated
alignment is added, so a build never depends on what an earlier run left behind by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox

from genrl_kg.build.context import BuildContext, Stage, StageReport
from genrl_kg.identifiers import normalize_doi, wikidata_doi
from genrl_kg.rdf import Graph
from genrl_kg.rdf.links import add_alignment, add_paper_link, add_person_link
from genrl_kg.rdf.terms import GENRL, SCHEMA, WDT
from genrl_kg.sources.wikidata import ALIGNMENT_FILE, WikidataCache, read_alignment
from genrl_kg.sources.wikidata.reconcile import (
    AuthorTarget,
    PaperTarget,
    Reconciliation,
    reconcile_papers,
    reconcile_people,
)

__all__ = [
    "STAGE",
    "LinksReport",
    "add_links",
    "add_links_graph",
    "read_targets",
    "reconcile_cached",
]


@dataclass
class LinksReport(StageReport):
    """What a Wikidata reconciliation found, asked and changed."""

    endpoints: list[str] = field(default_factory=list)
    papers: int = 0
    papers_linked: int = 0
    papers_unlinked: int = 0
    papers_ambiguous: int = 0
    papers_unchecked: int = 0
    authors_linked: int = 0
    authors_unlinked: int = 0
    authors_conflicting: int = 0
    ambiguous: list[dict[str, object]] = field(default_factory=list)
    requests: int = 0
    offline: bool = False
    offline_reason: str = ""
    store_changed: bool = False
    links_triples: int = 0
    alignments: int = 0
    verified: bool = False
    drift: list[dict[str, object]] = field(default_factory=list)

    def fill(self, papers: Sequence[PaperTarget], result: Reconciliation) -> None:
        """Copy the reconciliation's counts into the report."""
        self.papers = len(papers)
        self.papers_linked = len(result.papers)
        self.papers_unlinked = len(result.unlinked)
        self.papers_ambiguous = len(result.ambiguous)
        self.papers_unchecked = len(result.unchecked)
        self.authors_linked = len(result.people)
        self.authors_unlinked = len(result.authors_unlinked)
        self.authors_conflicting = len(result.authors_conflicting)
        self.ambiguous = list(result.ambiguous)


_P818, _DOI, _P356, _P10283 = WDT.P818, GENRL.doi, WDT.P356, WDT.P10283
_AUTHORSHIP, _AUTHOR, _POSITION, _NAME = GENRL.authorship, GENRL.author, GENRL.position, SCHEMA.name


def read_targets(quads: Iterable[ox.Quad]) -> tuple[list[PaperTarget], list[AuthorTarget]]:
    """Return the papers (arXiv ids, upper-case DOIs) and authorships found in *quads*.

    One pass, no query engine: the build passes its own quads, ``link wikidata`` the store's.
    """
    ids: dict[str, tuple[set[str], set[str], set[str]]] = {}
    authorships: dict[str, list[str]] = {}
    authors: dict[str, str] = {}
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    for quad in quads:
        subject, p, o = quad.subject, quad.predicate, quad.object
        if isinstance(subject, ox.Triple) or isinstance(o, ox.Triple):
            continue
        s = subject.value
        if p == _P818:
            ids.setdefault(s, (set(), set(), set()))[0].add(o.value)
        elif p in (_DOI, _P356):
            doi = normalize_doi(o.value)
            if doi:
                ids.setdefault(s, (set(), set(), set()))[1].add(wikidata_doi(doi))
        elif p == _P10283:
            ids.setdefault(s, (set(), set(), set()))[2].add(o.value)
        elif p == _AUTHORSHIP:
            authorships.setdefault(s, []).append(o.value)
        elif p == _AUTHOR:
            authors[s] = o.value
        elif p == _POSITION and o.value.isdigit():
            positions[s] = int(o.value)
        elif p == _NAME:
            names.setdefault(s, o.value)
    papers = [
        PaperTarget(iri, tuple(sorted(a)), tuple(sorted(d)), tuple(sorted(w)))
        for iri, (a, d, w) in sorted(ids.items())
        if a or d or w
    ]
    found = {
        AuthorTarget(paper, authors[a], names[authors[a]], positions[a])
        for paper, nodes in authorships.items()
        for a in nodes
        if a in authors and a in positions and authors[a] in names
    }
    return papers, sorted(found, key=lambda t: (t.paper, t.position, t.person))


def reconcile_cached(
    cache: WikidataCache,
    papers: Sequence[PaperTarget],
    authors: Sequence[AuthorTarget],
    endpoints: Sequence[str] | None = None,
    name_endpoints: Sequence[str] | None = None,
) -> Reconciliation:
    """Reconcile papers, then the people of linked papers, from cached answers only."""
    result = reconcile_papers(cache, papers, endpoints)
    reconcile_people(cache, result, authors, endpoints, name_endpoints)
    return result


def add_links_graph(
    graph: Graph, base: str, result: Reconciliation, alignment: Path | Traversable | None
) -> int:
    """Add the links and the curated alignment to *graph*; return the number of alignments."""
    for paper in result.papers:
        add_paper_link(graph, base, paper)
    for person in result.people:
        add_person_link(graph, base, person)
    rows = read_alignment(alignment) if alignment is not None else []
    add_alignment(graph, base, rows)
    return len(rows)


def add_links(ctx: BuildContext) -> LinksReport:
    """Fill the links graph from cached Wikidata answers and the alignment (no network)."""
    report = LinksReport(offline=True, offline_reason="build: cached answers only")
    cache_dir = ctx.options.cache_dir
    graph = ctx.quads["links"]
    before = len(graph)
    if cache_dir is not None:
        papers, authors = read_targets(ctx.quads.quads(("list", "arxiv", "openalex", "tables")))
        result = reconcile_cached(WikidataCache(cache_dir / "wikidata"), papers, authors)
        report.fill(papers, result)
    else:
        result = Reconciliation()
    report.alignments = add_links_graph(graph, ctx.options.base, result, ALIGNMENT_FILE)
    report.links_triples = len(graph) - before
    return report


STAGE = Stage("links", add_links, LinksReport)
