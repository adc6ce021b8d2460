"""The arXiv stage: fetch metadata (politely, cached) and add it to the papers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from genrl_kg.build.context import BuildContext, PaperNode, Stage, StageReport
from genrl_kg.rdf.arxiv import MATCH, add_arxiv
from genrl_kg.sources.arxiv import ArxivCache, fetch_records

__all__ = ["STAGE", "ArxivReport", "arxiv_papers", "enrich_from_arxiv"]


@dataclass
class ArxivReport(StageReport):
    """What arXiv was asked and what it gave."""

    with_arxiv_id: int = 0
    enriched: int = 0
    not_enriched: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    title_checks: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    requests: int = 0
    fetched: int = 0
    from_cache: int = 0
    went_offline: bool = False


def arxiv_papers(papers: Sequence[PaperNode]) -> dict[str, PaperNode]:
    """Return the papers that have an arXiv identifier, by that identifier."""
    found: dict[str, PaperNode] = {}
    for paper in papers:
        arxiv_id = next((i.value for i in paper.record.link_ids if i.kind == "arxiv"), None)
        if arxiv_id is not None:
            found.setdefault(arxiv_id, paper)
    return found


def enrich_from_arxiv(ctx: BuildContext) -> ArxivReport:
    """Fetch arXiv records for the papers with an arXiv id; add them to the arxiv graph."""
    options = ctx.options.arxiv
    if options is None:
        return ArxivReport(summary="arXiv not asked")
    by_id = arxiv_papers(ctx.papers)
    cache_dir = ctx.options.cache_dir
    result = fetch_records(
        sorted(by_id),
        base_url=options.base_url,
        cache=ArxivCache(cache_dir / "arxiv" if cache_dir else None),
        min_interval=options.min_interval,
        timeout=options.timeout,
        refresh=options.refresh,
        offline=options.offline,
        max_age=options.max_age,
        progress=options.progress,
    )
    pairs = {i: (p.record, p.node) for i, p in by_id.items()}
    checks = add_arxiv(ctx.quads, pairs, result.records)
    ctx.arxiv_records = dict(result.records)
    not_enriched = sorted(by_id[i].record.key for i in by_id if i not in result.records)
    if not_enriched:
        shown = ", ".join(not_enriched[:8]) + (" …" if len(not_enriched) > 8 else "")
        ctx.warn(f"arXiv: {len(not_enriched)} paper(s) not enriched: {shown}")
    return ArxivReport(
        with_arxiv_id=len(by_id),
        enriched=len(result.records),
        not_enriched=not_enriched,
        failed=dict(sorted(result.failed.items())),
        title_checks={k: v for k, v in sorted(checks.items()) if v != MATCH},
        summary=result.stats.summary(),
        requests=result.stats.requests,
        fetched=result.stats.fetched,
        from_cache=result.stats.from_cache,
        went_offline=result.stats.went_offline,
    )


STAGE = Stage("arxiv", enrich_from_arxiv, ArxivReport, lambda options: options.arxiv is not None)
