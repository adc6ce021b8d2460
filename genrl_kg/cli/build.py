"""The ``build`` and ``stats`` commands: make the graph and account for its entries."""

from __future__ import annotations

from pathlib import Path

import click

from genrl_kg.cli import STORE_OPTION, _ProgressBar, _stage, _store, cli
from genrl_kg.errors import GenrlKgError
from genrl_kg.settings import BASE_IRI, default_cache_dir


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

    from genrl_kg.enrich import EnrichOptions
    from genrl_kg.pipeline import run_build
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
            cache, base_url=upstream_url, progress=lambda name: _stage(f"downloading {name}")
        )
    with _ProgressBar("arXiv") as bar:
        options = (
            EnrichOptions(
                base_url=arxiv_url,
                cache_dir=cache,
                offline=offline,
                refresh=refresh,
                max_age=timedelta(days=max_age) if max_age is not None else None,
                progress=bar.update,
            )
            if enrich
            else None
        )
        report = run_build(
            sources,
            _store(store_dir),
            base=base,
            progress=_stage,
            enrich=options,
            strict=strict,
            cache_dir=cache,
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.arxiv:
        click.echo(report.arxiv["summary"], err=True)
    total = sum(report.triples.values())
    click.echo(
        f"built {report.unique_papers} papers from {report.entries_read} entries "
        f"({total} triples) into {_store(store_dir)}"
    )


@cli.command()
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def stats(store_dir: Path | None, as_json: bool) -> None:
    """Account for every entry of the last build.

    \b
    Example:
      genrl-kg stats
    """
    from genrl_kg.stats import collect_stats, format_stats

    data = collect_stats(_store(store_dir))
    if as_json:
        import json

        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(format_stats(data))
