"""The ``push`` command: load the graph into any SPARQL server (Graph Store Protocol)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path
from genrl_kg.errors import GenrlKgError

__all__ = ["push"]


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
        store_path(store_dir),
        endpoint,
        graph=graph,
        auth=auth,
        timeout=timeout,
        query_endpoint=query_endpoint,
    )
    for pushed in report.graphs:
        click.echo(f"{pushed.graph}: {pushed.local} triples pushed, {pushed.remote} on the server")
