"""The ``push`` command and the ``link`` group: connect the graph to other datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, _stage, _store, cli
from genrl_kg.errors import GenrlKgError
from genrl_kg.settings import default_cache_dir


@cli.command()
@STORE_OPTION
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store Protocol endpoint (e.g. Oxigraph's /store, Fuseki's /DATASET/data).",
)
@click.option("--graph", default=None, metavar="IRI", help="Push only this named graph.")
@click.option(
    "--query-endpoint",
    default=None,
    metavar="URL",
    help="SPARQL query endpoint for the count check (default: derived from --endpoint).",
)
@click.option(
    "--user", default=None, help="HTTP basic user (password from $GENRL_KG_PUSH_PASSWORD)."
)
@click.option(
    "--token", "token_env", is_flag=True, help="Send $GENRL_KG_PUSH_TOKEN as a Bearer token."
)
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=1))
def push(
    store_dir: Path | None,
    endpoint: str,
    graph: str | None,
    query_endpoint: str | None,
    user: str | None,
    token_env: bool,
    timeout: float,
) -> None:
    """Load the graph into a SPARQL server (Graph Store Protocol), one named graph at a time.

    \b
    Each named graph is replaced as a whole (PUT), streamed, then counted on the server.
    Examples:
      genrl-kg push --endpoint http://localhost:7878/store            # oxigraph serve
      genrl-kg push --endpoint http://localhost:3030/genrl/data --user admin   # Fuseki
    """
    import os

    from genrl_kg.remote import push_graphs

    auth: Any = None
    if token_env:
        auth = os.environ.get("GENRL_KG_PUSH_TOKEN") or ""
        if not auth:
            raise GenrlKgError("--token needs $GENRL_KG_PUSH_TOKEN")
    elif user is not None:
        auth = (user, os.environ.get("GENRL_KG_PUSH_PASSWORD", ""))
    report = push_graphs(
        _store(store_dir),
        endpoint,
        graph=graph,
        auth=auth,
        timeout=timeout,
        query_endpoint=query_endpoint,
    )
    for pushed in report.graphs:
        click.echo(f"{pushed.graph}: {pushed.local} triples pushed, {pushed.remote} on the server")


@cli.group()
def link() -> None:
    """Link the graph to other datasets."""


@link.command("wikidata")
@STORE_OPTION
@click.option(
    "--endpoint",
    default=None,
    envvar="GENRL_KG_WIKIDATA_URL",
    help="Wikidata SPARQL query endpoint (env GENRL_KG_WIKIDATA_URL).",
)
@click.option(
    "--scholarly-endpoint",
    default=None,
    envvar="GENRL_KG_WIKIDATA_SCHOLARLY_URL",
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
    from genrl_kg.linking_wikidata import format_link_report, link_wikidata
    from genrl_kg.store import read_build_info, write_build_info

    store = _store(store_dir)
    report = link_wikidata(
        store,
        endpoint=endpoint,
        scholarly_endpoint=scholarly_endpoint,
        cache_dir=cache_dir or default_cache_dir(),
        offline=offline,
        refresh=refresh,
        verify=verify,
        progress=_stage,
    )
    click.echo(format_link_report(report))
    if report.store_changed:
        info = read_build_info(store)
        info["wikidata"] = report.to_dict()
        write_build_info(store, info)
    else:
        click.echo("offline: the store is unchanged", err=True)
