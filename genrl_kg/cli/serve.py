"""The ``serve`` command: the SPARQL endpoint, the explorer and the linked data over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path

__all__ = ["serve"]


@cli.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run before its worker is killed.",
)
@click.option(
    "--row-cap",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most result rows a query may return.",
)
@click.option("--workers", default=None, type=click.IntRange(min=1), help="Query worker processes.")
@click.option(
    "--processes",
    default=None,
    type=click.IntRange(min=1),
    help="HTTP server processes sharing the port (default: 2).",
)
@click.option(
    "--memory-limit",
    "memory_limit_mb",
    default=2048,
    show_default=True,
    type=click.IntRange(min=64),
    help="Address-space limit of a worker, in MB.",
)
@click.option(
    "--cache-mb",
    default=64.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Response cache per HTTP process, in MB (0: off).",
)
@click.option(
    "--allow-service",
    "allowed_remote",
    multiple=True,
    metavar="URL",
    help="Allow SERVICE calls to this remote endpoint (repeatable).",
)
def serve(
    store_dir: Path | None,
    host: str,
    port: int,
    timeout: float,
    row_cap: int,
    workers: int | None,
    processes: int | None,
    memory_limit_mb: int,
    cache_mb: float,
    allowed_remote: tuple[str, ...],
) -> None:
    """Serve the graph read-only: SPARQL 1.1 endpoint, query page, saved-query API, linked data.

    The data comes from `genrl-kg build`; the endpoint refuses SPARQL updates.

    \b
    Examples:
      genrl-kg serve                       # http://127.0.0.1:7878/
      genrl-kg serve --port 8080 --timeout 5
      curl 'http://127.0.0.1:7878/api/queries/papers-per-category'
    """
    from genrl_kg.server import run_server

    options: dict[str, Any] = {
        "timeout": timeout,
        "row_cap": row_cap,
        "memory_limit_mb": memory_limit_mb,
        "cache_mb": cache_mb,
        "allowed_remote": allowed_remote,
    }
    if workers is not None:
        options["workers"] = workers
    if processes is not None:
        options["processes"] = processes
    run_server(
        store_path(store_dir),
        host,
        port,
        announce=lambda line: click.echo(line, err=True),
        **options,
    )
