"""The ``build`` command: make the graph from the list, its tables and metadata."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from genrl_kg.cli import STORE_OPTION, ProgressBar, cli, say_stage, store_path
from genrl_kg.errors import GenrlKgError
from genrl_kg.settings import BASE_IRI, default_cache_dir

if TYPE_CHECKING:
    from genrl_kg.build.history import HistoryReport

__all__ = ["build", "history_summary"]


@cli.command()
@STORE_OPTION
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="Local folder with the list and tables (default: download the pinned commit).",
)
@click.option(
    "--history",
    default=None,
    metavar="DIR|URL",
    help="A git clone of the list (or its URL, cloned into the cache): build its newest "
    "version and add the history of every paper.",
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
    help="Add metadata from the arXiv and OpenAlex APIs (cached).",
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
    "--openalex-url",
    default=None,
    metavar="URL",
    help="OpenAlex API base URL (default: OpenAlex's own; env GENRL_KG_OPENALEX_URL). "
    "The key comes from GENRL_KG_OPENALEX_KEY, else --mailto is sent.",
)
@click.option(
    "--mailto",
    default=None,
    metavar="EMAIL",
    help="Address OpenAlex may write to about our requests (env GENRL_KG_OPENALEX_MAILTO).",
)
@click.option(
    "--arxiv-url",
    default=None,
    help="arXiv API query URL (default: arXiv's own; env GENRL_KG_ARXIV_URL).",
)
def build(
    store_dir: Path | None,
    source: Path | None,
    history: str | None,
    openalex_url: str | None,
    mailto: str | None,
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
      genrl-kg build --history upstream   # a git clone: newest version + every paper's history
    """
    from datetime import timedelta

    from genrl_kg.build import STAGES, ArxivOptions, BuildOptions, OpenAlexOptions, run_build
    from genrl_kg.build.history import bind_history, load_history, newest_source
    from genrl_kg.sources.upstream import download_source, local_source

    cache = cache_dir or default_cache_dir()
    if history is not None and source is not None:
        raise GenrlKgError("--history builds the history's newest version; leave out --source")
    if offline and history is None and source is None:
        raise GenrlKgError(
            "--offline needs --source DIR or --history DIR (the upstream files are downloaded "
            "otherwise)"
        )
    with ExitStack() as stack:
        stages = STAGES
        history_dir = None
        if history is not None:
            say_stage("reading the history")
            loaded = load_history(history, cache)
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="genrl-kg-"))
            sources = newest_source(loaded, Path(workdir) / "newest")
            history_dir = loaded.history.repository
            stages = bind_history(STAGES, loaded)
        elif source is not None:
            sources = local_source(source)
        else:
            sources = download_source(
                cache, base_url=upstream_url, progress=lambda n: say_stage(f"downloading {n}")
            )
        bar = stack.enter_context(ProgressBar("arXiv"))
        arxiv = ArxivOptions(
            base_url=arxiv_url,
            offline=offline,
            refresh=refresh,
            max_age=timedelta(days=max_age) if max_age is not None else None,
            progress=bar.update,
        )
        max_days = timedelta(days=max_age) if max_age is not None else None
        openalex = OpenAlexOptions(
            base_url=openalex_url, mailto=mailto, refresh=refresh, max_age=max_days
        )
        options = BuildOptions(
            base=base,
            cache_dir=cache,
            arxiv=arxiv if enrich else None,
            openalex=openalex if enrich and not offline else None,  # --offline skips it
            strict=strict,
            history_dir=history_dir,
        )
        report = run_build(sources, store_path(store_dir), options, say_stage, stages)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if enrich:
        click.echo(report.arxiv.summary, err=True)
    if options.openalex is not None:
        from genrl_kg.build.openalex import OpenAlexReport

        click.echo(report.section(OpenAlexReport).summary, err=True)
    total = sum(report.triples.values())
    click.echo(
        f"built {report.unique_papers} papers from {report.entries_read} entries "
        f"({total} triples) into {store_path(store_dir)}"
    )
    if history_dir is not None:
        from genrl_kg.build.history import HistoryReport

        click.echo(history_summary(report.section(HistoryReport)))


def history_summary(report: HistoryReport) -> str:
    """Return one line on the history a build added.

    >>> from genrl_kg.build.history import HistoryReport
    >>> history_summary(HistoryReport(versions=3, commits=4, current=2, delisted=1, moves=5))
    'history: 3 versions of the list (4 commits), 2 papers first listed, 1 delisted, 5 moves, 0 retitles'
    """
    return (
        f"history: {report.versions} versions of the list ({report.commits} commits), "
        f"{report.current} papers first listed, {report.delisted} delisted, "
        f"{report.moves} moves, {report.retitles} retitles"
    )
