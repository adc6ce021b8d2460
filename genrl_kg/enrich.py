"""The arXiv stage of the build: fetch (politely, cached) and add metadata to the papers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import GraphSet
from genrl_kg.rdf.arxiv import MATCH, add_arxiv

if TYPE_CHECKING:
    from genrl_kg.pipeline import BuildReport
    from genrl_kg.sources.arxiv import ArxivRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnrichOptions:
    """How the build asks arXiv: where, how often, and whether at all."""

    base_url: str | None = None
    cache_dir: Path | None = None
    offline: bool = False
    refresh: bool = False
    max_age: timedelta | None = None
    min_interval: float = 3.0
    timeout: float = 30.0
    progress: Callable[[int, int], None] | None = None


def arxiv_papers(
    papers: Sequence[tuple[PaperRecord, URIRef]],
) -> dict[str, tuple[PaperRecord, URIRef]]:
    """Return the papers that have an arXiv identifier, by that identifier."""
    found: dict[str, tuple[PaperRecord, URIRef]] = {}
    for paper, node in papers:
        for link in paper.link_ids:
            if link.kind == "arxiv":
                found.setdefault(link.value, (paper, node))
                break
    return found


def enrich_from_arxiv(
    graphs: GraphSet,
    papers: Sequence[tuple[PaperRecord, URIRef]],
    options: EnrichOptions,
    report: BuildReport,
) -> dict[str, ArxivRecord]:
    """Fetch arXiv records for the papers with an arXiv id; add them to the arxiv graph."""
    from genrl_kg.sources.arxiv import ArxivCache, fetch_records

    by_id = arxiv_papers(papers)
    cache = ArxivCache(options.cache_dir / "arxiv" if options.cache_dir else None)
    result = fetch_records(
        sorted(by_id),
        base_url=options.base_url,
        cache=cache,
        min_interval=options.min_interval,
        timeout=options.timeout,
        refresh=options.refresh,
        offline=options.offline,
        max_age=options.max_age,
        progress=options.progress,
    )
    checks = add_arxiv(graphs, by_id, result.records)
    not_enriched = sorted(by_id[i][0].key for i in by_id if i not in result.records)
    stats: dict[str, Any] = {
        "with_arxiv_id": len(by_id),
        "enriched": len(result.records),
        "not_enriched": not_enriched,
        "failed": dict(sorted(result.failed.items())),
        "title_checks": {k: v for k, v in sorted(checks.items()) if v != MATCH},
        "summary": result.stats.summary(),
        "requests": result.stats.requests,
        "fetched": result.stats.fetched,
        "from_cache": result.stats.from_cache,
        "went_offline": result.stats.went_offline,
    }
    report.arxiv = stats
    if not_enriched:
        shown = ", ".join(not_enriched[:8]) + (" …" if len(not_enriched) > 8 else "")
        report.warnings.append(f"arXiv: {len(not_enriched)} paper(s) not enriched: {shown}")
    return result.records
