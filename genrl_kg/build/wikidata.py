"""`genrl-kg link wikidata`: ask Wikidata what the cache lacks, then swap in the links graph.

The graph is made exactly as the build's links stage makes it (``genrl_kg.build.links``),
from the cache this run has filled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from genrl_kg.build.context import Progress
from genrl_kg.build.links import LinksReport, add_links_graph, read_targets, reconcile_cached
from genrl_kg.http import HttpClient, NoRouteError
from genrl_kg.rdf import QuadSet
from genrl_kg.settings import BASE_IRI, graph_iri
from genrl_kg.sources.wikidata import (
    ALIGNMENT_FILE,
    BATCH_SIZE,
    SparqlClient,
    WikidataCache,
    batched,
    resolve_endpoints,
    unique,
    verify_alignment,
)
from genrl_kg.sources.wikidata.reconcile import PaperTarget, reconcile_papers
from genrl_kg.store import open_store, replace_graph

__all__ = ["link_wikidata"]

log = logging.getLogger(__name__)


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
            if kind in ("arxiv", "doi", "openalex"):
                prop = {"arxiv": "P818", "doi": "P356", "openalex": "P10283"}[kind]
                answers: dict[str, Any] = client.items_by_identifier(url, prop, batch)
            elif kind == "authors":
                answers = client.authors_of(url, batch)
            else:
                answers = client.names_of(url, batch)
            now = datetime.now(UTC).replace(microsecond=0)
            for key in batch:
                cache.store(kind, key, url, answers.get(key, []), now)


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
    _say(progress, f"looking up {len(papers)} papers by arXiv id, DOI and OpenAlex id")
    arxiv_ids = (a for p in papers for a in p.arxiv_ids)
    _fetch(client, cache, "arxiv", arxiv_ids, endpoints, refresh, batch_size)
    dois = (d for p in papers for d in p.dois)
    _fetch(client, cache, "doi", dois, endpoints, refresh, batch_size)
    works = (w for p in papers for w in p.openalex_ids)
    _fetch(client, cache, "openalex", works, endpoints, refresh, batch_size)
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
) -> LinksReport:
    """Reconcile the store's papers and authors with Wikidata and swap in the links graph.

    Offline, or when the endpoint cannot be reached, the report says so and the store is
    left exactly as it was; the counts then come from the cache.
    """
    main, scholarly = resolve_endpoints(endpoint, scholarly_endpoint)
    paper_endpoints = unique([scholarly, main])
    report = LinksReport(
        endpoints=paper_endpoints if main in paper_endpoints else [*paper_endpoints, main]
    )
    store = open_store(store_dir, read_only=True)
    papers, authors = read_targets(store.quads_for_pattern(None, None, None, None))
    del store
    cache = WikidataCache(cache_dir / "wikidata" if cache_dir is not None else None)
    client = SparqlClient(http)
    report.offline, report.offline_reason = offline, "--offline" if offline else ""
    if not offline:
        try:
            _fetch_all(client, cache, papers, paper_endpoints, main, refresh, batch_size, progress)
            if verify:
                _say(progress, "verifying the concept alignment")
                found = verify_alignment(main, client=client, path=alignment_path or ALIGNMENT_FILE)
                report.drift = [asdict(d) for d in found]
                report.verified = True
        except NoRouteError as exc:
            report.offline, report.offline_reason = True, str(exc)
    report.requests = client.requests
    result = reconcile_cached(cache, papers, authors, paper_endpoints, [main])
    report.fill(papers, result)
    if report.offline:
        log.info("offline (%s): the store is unchanged", report.offline_reason)
        return report
    quads = QuadSet(base, ("links",))
    report.alignments = add_links_graph(quads["links"], base, result, alignment_path)
    report.links_triples = len(quads["links"])
    _say(progress, f"writing {report.links_triples} triples to the links graph")
    replace_graph(store_dir, graph_iri("links", base), list(quads.quads()), base=base)
    report.store_changed = True
    return report


def _say(progress: Progress | None, message: str) -> None:
    """Report progress if someone listens."""
    log.info("%s", message)
    if progress:
        progress(message)
