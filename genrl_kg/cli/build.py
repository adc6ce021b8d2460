"""The ``build`` command: make the graph from the list, its tables and metadata."""

from __future__ import annotations

from pathlib import Path

import click

from genrl_kg.cli import STORE_OPTION, ProgressBar, cli, say_stage, store_path
from genrl_kg.errors import GenrlKgError
from genrl_kg.settings import BASE_IRI, default_cache_dir

__all__ = ["build"]


@cli.command()
@STORE_OPTION
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="Local folder with the list and tables (default: download the pinned commit).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Cache directory for downloads (default: the user cache directory).",
)
@click.option("--upstream-url", default=None, help="Base URL to download the upstream files from.")
@click.option(
    "--base", default=BASE_IRI, show_default=True, help="Base IRI of the graph's resources."
)
@click.option(
    "--enrich/--no-enrich",
    default=True,
    show_default=True,
    help="Add metadata from the arXiv API (cached).",
)
@click.option(
    "--offline", is_flag=True, help="Never touch the network; use cached arXiv records only."
)
@click.option(
    "--refresh", is_flag=True, help="Refetch arXiv records (keeping cached ones on error)."
)
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Refetch arXiv records older than DAYS.",
)
@click.option("--strict", is_flag=True, help="Stop at the first bad table instead of skipping it.")
@click.option(
    "--arxiv-url",
    default=None,
    envvar="GENRL_KG_ARXIV_URL",
    help="arXiv API query URL (default: arXiv's own; env GENRL_KG_ARXIV_URL).",
)
def build(
    store_dir: Path | None,
    source: Path | None,
    cache_dir: Path | None,
    upstream_url: str | None,
    base: str,
    enrich: bool,
    offline: bool,
    refresh: bool,
    max_age: int | None,
    strict: bool,
    arxiv_url: str | None,
) -> None:
    """Build the knowledge graph into the store.

    \b
    Examples:
      genrl-kg build --source ../shared/upstream/3a091cc571bb16dd9e20809563b2fb788c90ed79
      genrl-kg build            # downloads the pinned upstream commit
    """
    from datetime import timedelta

    from genrl_kg.build import ArxivOptions, BuildOptions, run_build
    from genrl_kg.sources.upstream import download_source, local_source

    cache = cache_dir or default_cache_dir()
    if source is not None:
        sources = local_source(source)
    elif offline:
        raise GenrlKgError(
            "--offline needs --source DIR (the upstream files are downloaded otherwise)"
        )
    else:
        sources = download_source(
            cache, base_url=upstream_url, progress=lambda name: say_stage(f"downloading {name}")
        )
    with ProgressBar("arXiv") as bar:
        arxiv = ArxivOptions(
            base_url=arxiv_url,
            offline=offline,
            refresh=refresh,
            max_age=timedelta(days=max_age) if max_age is not None else None,
            progress=bar.update,
        )
        options = BuildOptions(
            base=base, cache_dir=cache, arxiv=arxiv if enrich else None, strict=strict
        )
        report = run_build(sources, store_path(store_dir), options, progress=say_stage)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if enrich:
        click.echo(report.arxiv.summary, err=True)
    total = sum(report.triples.values())
    click.echo(
        f"built {report.unique_papers} papers from {report.entries_read} entries "
        f"({total} triples) into {store_path(store_dir)}"
    )
