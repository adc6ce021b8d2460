"""`genrl-kg link wikidata`: reconcile papers and people with Wikidata into the links graph."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from genrl_kg.http import HttpClient, NoRouteError
from genrl_kg.identifiers import normalize_doi, wikidata_doi
from genrl_kg.rdf import GraphSet, to_ox
from genrl_kg.rdf.links import add_alignment, add_paper_link, add_person_link
from genrl_kg.settings import BASE_IRI, graph_iri
from genrl_kg.sources.wikidata import (
    ALIGNMENT_FILE,
    BATCH_SIZE,
    SparqlClient,
    WikidataCache,
    read_alignment,
    resolve_endpoints,
    verify_alignment,
)
from genrl_kg.sources.wikidata.client import batched, unique
from genrl_kg.sources.wikidata.reconcile import (
    AuthorTarget,
    PaperTarget,
    Reconciliation,
    reconcile_papers,
    reconcile_people,
)
from genrl_kg.store import open_store, replace_graph

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

PAPERS_QUERY = """PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?paper ?arxiv ?doi ?p356 WHERE {
  ?paper a genrl:Paper .
  OPTIONAL { ?paper wdt:P818 ?arxiv }
  OPTIONAL { ?paper genrl:doi ?doi }
  OPTIONAL { ?paper wdt:P356 ?p356 }
}"""
AUTHORS_QUERY = """PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?paper ?person ?name ?position WHERE {
  ?paper a genrl:Paper ; genrl:authorship ?authorship .
  ?authorship genrl:author ?person ; genrl:position ?position .
  ?person schema:name ?name .
}"""


@dataclass
class LinkReport:
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
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    offline: bool = False
    offline_reason: str = ""
    store_changed: bool = False
    links_triples: int = 0
    alignments: int = 0
    verified: bool = False
    drift: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return asdict(self)


def read_targets(store: ox.Store) -> tuple[list[PaperTarget], list[AuthorTarget]]:
    """Return the papers (arXiv ids, upper-case DOIs) and authorships held by *store*."""
    ids: dict[str, tuple[set[str], set[str]]] = {}
    for row in store.query(PAPERS_QUERY, use_default_graph_as_union=True):  # type: ignore[union-attr]
        arxiv_ids, dois = ids.setdefault(row["paper"].value, (set(), set()))
        if row["arxiv"] is not None:
            arxiv_ids.add(row["arxiv"].value)
        for term in (row["doi"], row["p356"]):
            doi = normalize_doi(term.value) if term is not None else None
            if doi:
                dois.add(wikidata_doi(doi))
    papers = [
        PaperTarget(iri, tuple(sorted(a)), tuple(sorted(d)))
        for iri, (a, d) in sorted(ids.items())
        if a or d
    ]
    authors = []
    for row in store.query(AUTHORS_QUERY, use_default_graph_as_union=True):  # type: ignore[union-attr]
        try:
            position = int(row["position"].value)
        except ValueError:
            continue
        authors.append(
            AuthorTarget(row["paper"].value, row["person"].value, row["name"].value, position)
        )
    return papers, sorted(set(authors), key=lambda a: (a.paper, a.position, a.person))


def _fetch(
    client: SparqlClient,
    cache: WikidataCache,
    kind: str,
    keys: Iterable[str],
    endpoints: Sequence[str],
    refresh: bool,
    batch_size: int,
) -> None:
    """Ask each endpoint about the *keys* it has no cached answer for (all of them on refresh)."""
    wanted = sorted(set(keys))
    for url in endpoints:
        todo = [k for k in wanted if refresh or cache.load(kind, k, url) is None]
        for batch in batched(todo, batch_size):
            if kind in ("arxiv", "doi"):
                answers: dict[str, Any] = client.items_by_identifier(
                    url, "P818" if kind == "arxiv" else "P356", batch
                )
            elif kind == "authors":
                answers = client.authors_of(url, batch)
            else:
                answers = client.names_of(url, batch)
            now = datetime.now(UTC).replace(microsecond=0)
            for key in batch:
                cache.store(kind, key, url, answers.get(key, []), now)


def _reconcile(
    cache: WikidataCache,
    papers: Sequence[PaperTarget],
    authors: Sequence[AuthorTarget],
    endpoints: Sequence[str] | None,
    name_endpoints: Sequence[str] | None,
) -> Reconciliation:
    """Reconcile papers, then the people of linked papers, from cached answers only."""
    result = reconcile_papers(cache, papers, endpoints)
    reconcile_people(cache, result, authors, endpoints, name_endpoints)
    return result


def _fill(report: LinkReport, papers: Sequence[PaperTarget], result: Reconciliation) -> None:
    """Copy the reconciliation's counts into *report*."""
    report.papers = len(papers)
    report.papers_linked = len(result.papers)
    report.papers_unlinked = len(result.unlinked)
    report.papers_ambiguous = len(result.ambiguous)
    report.papers_unchecked = len(result.unchecked)
    report.authors_linked = len(result.people)
    report.authors_unlinked = len(result.authors_unlinked)
    report.authors_conflicting = len(result.authors_conflicting)
    report.ambiguous = list(result.ambiguous)


def _links_graph(
    graph: Graph, base: str, result: Reconciliation, alignment_path: Path | Traversable | None
) -> int:
    """Add the links and the curated alignment to *graph*; return the number of alignments."""
    for paper in result.papers:
        add_paper_link(graph, base, paper)
    for person in result.people:
        add_person_link(graph, base, person)
    rows = read_alignment(alignment_path) if alignment_path is not None else []
    add_alignment(graph, base, rows)
    return len(rows)


def link_wikidata(
    store_dir: Path,
    *,
    endpoint: str | None = None,
    scholarly_endpoint: str | None = None,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    verify: bool = False,
    progress: Progress | None = None,
    base: str = BASE_IRI,
    http: HttpClient | None = None,
    batch_size: int = BATCH_SIZE,
    alignment_path: Path | Traversable | None = ALIGNMENT_FILE,
) -> LinkReport:
    """Reconcile the store's papers and authors with Wikidata and swap in the links graph.

    Offline, or when the endpoint cannot be reached, the report says so and the store is
    left exactly as it was; the counts then come from the cache.
    """
    main, scholarly = resolve_endpoints(endpoint, scholarly_endpoint)
    paper_endpoints = unique([scholarly, main])
    report = LinkReport(
        endpoints=paper_endpoints if main in paper_endpoints else [*paper_endpoints, main]
    )
    store = open_store(store_dir, read_only=True)
    papers, authors = read_targets(store)
    del store
    cache = WikidataCache(cache_dir / "wikidata" if cache_dir is not None else None)
    client = SparqlClient(http)
    report.offline, report.offline_reason = offline, "--offline" if offline else ""
    if not offline:
        try:
            _fetch_all(client, cache, papers, paper_endpoints, main, refresh, batch_size, progress)
            if verify:
                _say(progress, "verifying the concept alignment")
                report.drift = [
                    asdict(d)
                    for d in verify_alignment(
                        main, client=client, path=alignment_path or ALIGNMENT_FILE
                    )
                ]
                report.verified = True
        except NoRouteError as exc:
            report.offline, report.offline_reason = True, str(exc)
    report.requests = client.requests
    result = _reconcile(cache, papers, authors, paper_endpoints, [main])
    _fill(report, papers, result)
    if report.offline:
        log.info("offline (%s): the store is unchanged", report.offline_reason)
        return report
    graph = Graph()
    report.alignments = _links_graph(graph, base, result, alignment_path)
    report.links_triples = len(graph)
    name = ox.NamedNode(graph_iri("links", base))
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]  # type: ignore[arg-type]
    _say(progress, f"writing {len(quads)} triples to the links graph")
    replace_graph(store_dir, graph_iri("links", base), quads)
    report.store_changed = True
    return report


def _fetch_all(
    client: SparqlClient,
    cache: WikidataCache,
    papers: Sequence[PaperTarget],
    endpoints: Sequence[str],
    main: str,
    refresh: bool,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """Fetch what the cache lacks: papers by arXiv id and DOI, then authors and their names."""
    _say(progress, f"looking up {len(papers)} papers by arXiv id and DOI")
    _fetch(
        client,
        cache,
        "arxiv",
        (a for p in papers for a in p.arxiv_ids),
        endpoints,
        refresh,
        batch_size,
    )
    _fetch(
        client, cache, "doi", (d for p in papers for d in p.dois), endpoints, refresh, batch_size
    )
    linked = reconcile_papers(cache, papers, endpoints).papers
    _say(progress, f"fetching the authors of {len(linked)} linked papers")
    _fetch(client, cache, "authors", (link.qid for link in linked), endpoints, refresh, batch_size)
    people = {
        s["author"]
        for link in linked
        for a in cache.load_all("authors", link.qid).values()
        for s in a.value
    }
    _fetch(client, cache, "names", people, [main], refresh, batch_size)


def links_from_cache(
    graphs: GraphSet,
    *,
    cache_dir: Path | None = None,
    alignment_path: Path | Traversable | None = ALIGNMENT_FILE,
) -> LinkReport:
    """Fill ``graphs["links"]`` from cached Wikidata answers and the alignment (no network)."""
    report = LinkReport(offline=True, offline_reason="build: cached answers only")
    store = ox.Store()
    wanted = {URIRef(graph_iri(n, graphs.base)) for n in ("list", "arxiv", "tables")}
    store.bulk_extend(q for q in graphs.iter_quads() if URIRef(q.graph_name.value) in wanted)  # type: ignore[union-attr]
    papers, authors = read_targets(store)
    cache = WikidataCache(cache_dir / "wikidata" if cache_dir is not None else None)
    result = _reconcile(cache, papers, authors, None, None)
    _fill(report, papers, result)
    before = len(graphs["links"])
    report.alignments = _links_graph(graphs["links"], graphs.base, result, alignment_path)
    report.links_triples = len(graphs["links"]) - before
    return report


def format_link_report(report: LinkReport) -> str:
    """Return the report as a few human-readable lines."""
    lines = [
        f"papers: {report.papers_linked} linked, {report.papers_unlinked} unlinked, "
        f"{report.papers_ambiguous} ambiguous, {report.papers_unchecked} not looked up (of {report.papers})",
        f"authors: {report.authors_linked} linked, {report.authors_unlinked} unlinked, "
        f"{report.authors_conflicting} conflicting",
        f"requests: {report.requests} to {', '.join(report.endpoints) or 'no endpoint'}",
    ]
    lines += [
        f"  ambiguous: {a['paper']} -> {', '.join(a['items'])} ({a['reason']})"
        for a in report.ambiguous
    ]
    if report.offline:
        lines.append(f"offline ({report.offline_reason}): nothing was changed in the store")
    elif report.store_changed:
        lines.append(
            f"links graph replaced: {report.links_triples} triples, {report.alignments} concept alignments"
        )
    if report.verified:
        lines.append(f"alignment: {len(report.drift)} drifted label(s)")
        lines += [
            f"  drift: {d['concept']} {d['item']}: expected {d['expected']!r}, found {list(d['found'])}"
            for d in report.drift
        ]
    return "\n".join(lines)


def _say(progress: Progress | None, message: str) -> None:
    """Report progress if someone listens."""
    log.info("%s", message)
    if progress:
        progress(message)
