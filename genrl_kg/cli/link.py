"""The ``link`` group: connect the graph to other datasets (``link wikidata``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from genrl_kg.cli import STORE_OPTION, cli, say_stage, store_path
from genrl_kg.settings import default_cache_dir

if TYPE_CHECKING:  # the build package is imported only when a command needs it
    from genrl_kg.build.links import LinksReport

__all__ = ["format_link_report", "link", "link_wikidata_command"]


@cli.group()
def link() -> None:
    """Link the graph to other datasets."""


@link.command("wikidata")
@STORE_OPTION
@click.option(
    "--endpoint",
    default=None,
    help="Wikidata SPARQL query endpoint (env GENRL_KG_WIKIDATA_URL).",
)
@click.option(
    "--scholarly-endpoint",
    default=None,
    help="Query endpoint of Wikidata's scholarly graph (default: --endpoint's graph split).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Cache directory (default: the user cache directory).",
)
@click.option("--offline", is_flag=True, help="Use cached answers only; change nothing.")
@click.option("--refresh", is_flag=True, help="Ask again for identifiers already cached.")
@click.option("--verify", is_flag=True, help="Also check every aligned item's label for drift.")
def link_wikidata_command(
    store_dir: Path | None,
    endpoint: str | None,
    scholarly_endpoint: str | None,
    cache_dir: Path | None,
    offline: bool,
    refresh: bool,
    verify: bool,
) -> None:
    """Find the Wikidata items of papers (P818 arXiv ID, P356 DOI) and their authors.

    \b
    Examples:
      genrl-kg link wikidata
      genrl-kg link wikidata --verify
      genrl-kg link wikidata --endpoint http://localhost:7001/sparql --offline
    """
    from dataclasses import asdict

    from genrl_kg.build.wikidata import link_wikidata
    from genrl_kg.store import read_build_info, write_build_info

    store = store_path(store_dir)
    report = link_wikidata(
        store,
        endpoint=endpoint,
        scholarly_endpoint=scholarly_endpoint,
        cache_dir=cache_dir or default_cache_dir(),
        offline=offline,
        refresh=refresh,
        verify=verify,
        progress=say_stage,
    )
    click.echo(format_link_report(report))
    if report.store_changed:
        info = read_build_info(store)
        info["wikidata"] = asdict(report)
        write_build_info(store, info)
    else:
        click.echo("offline: the store is unchanged", err=True)


def format_link_report(report: LinksReport) -> str:
    """Return the report as a few human-readable lines."""
    lines = [
        f"papers: {report.papers_linked} linked, {report.papers_unlinked} unlinked, "
        f"{report.papers_ambiguous} ambiguous, {report.papers_unchecked} not looked up "
        f"(of {report.papers})",
        f"authors: {report.authors_linked} linked, {report.authors_unlinked} unlinked, "
        f"{report.authors_conflicting} conflicting",
        f"requests: {report.requests} to {', '.join(report.endpoints) or 'no endpoint'}",
    ]
    lines += [
        f"  ambiguous: {a['paper']} -> {', '.join(map(str, a['items']))} ({a['reason']})"  # type: ignore[call-overload]
        for a in report.ambiguous
    ]
    if report.offline:
        lines.append(f"offline ({report.offline_reason}): nothing was changed in the store")
    elif report.store_changed:
        lines.append(
            f"links graph replaced: {report.links_triples} triples, "
            f"{report.alignments} concept alignments"
        )
    if report.verified:
        lines.append(f"alignment: {len(report.drift)} drifted label(s)")
        lines += [
            f"  drift: {d['concept']} {d['item']}: expected {d['expected']!r}, "
            f"found {list(d['found'])}"  # type: ignore[call-overload]
            for d in report.drift
        ]
    return "\n".join(lines)
