"""The ``query`` command: run a saved query locally or against any SPARQL endpoint."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path
from genrl_kg.errors import QueryError

__all__ = ["LOCAL_STACK_BYTES", "query"]

# pyoxigraph's parser recurses once per operator: a 14 KB `1+1+...+1` overflows the main
# thread's 8 MB stack (a segfault); the guard's 100,000-character cap fits in 256 MB.
LOCAL_STACK_BYTES = 256 * 1024 * 1024


@cli.command()
@STORE_OPTION
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="Bind a parameter.")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
)
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="Run against this SPARQL endpoint instead of the local store.",
)
@click.option(
    "--allow-service",
    "allowed_remote",
    multiple=True,
    metavar="URL",
    help="Also allow SERVICE calls to this remote endpoint (Wikidata's are allowed). "
    "Entries are checked by name; a host is looked up only when a query calls it.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds before a remote or federated query is stopped.",
)
def query(
    store_dir: Path | None,
    name: str,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    allowed_remote: tuple[str, ...],
    timeout: float,
) -> None:
    """Run a saved query (by name or .rq file), locally or against any SPARQL endpoint.

    \b
    Examples:
      genrl-kg query papers-per-category
      genrl-kg query papers-in-category -p category=https://w3id.org/genrl-kg/taxonomy/diffusion-policy
      genrl-kg query ./my-query.rq --format csv
      genrl-kg query papers-per-category --endpoint http://127.0.0.1:7878/sparql
      genrl-kg query wikidata-citation-counts     # federated: SERVICE to Wikidata only
    """
    from genrl_kg.queries import bind_parameters, get_saved_query, run_query
    from genrl_kg.remote import (
        WIKIDATA_ENDPOINTS,
        check_service_targets,
        make_allowlist,
        render_remote_query,
        run_query_with_deadline,
    )
    from genrl_kg.results import render_results
    from genrl_kg.store import open_store

    raw = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param {item!r}: expected NAME=VALUE")
        raw[key] = value
    saved = get_saved_query(name)
    bindings = bind_parameters(saved, raw)
    if endpoint is not None:
        body = render_remote_query(endpoint, saved, bindings, fmt, timeout=timeout)
        sys.stdout.buffer.write(body)
        return
    allowed = make_allowlist((*WIKIDATA_ENDPOINTS, *allowed_remote))  # by name: no DNS here
    checked = check_service_targets(saved.text, allowed)  # FACTS: the engine calls any SERVICE
    if checked.remote_targets:
        body = run_query_with_deadline(
            store_path(store_dir),
            saved,
            bindings,
            fmt=fmt,
            timeout=timeout,
            allowed_remote=allowed,
        )
    else:
        store = open_store(store_path(store_dir))
        body = _on_large_stack(lambda: render_results(run_query(store, saved, bindings), fmt))
    sys.stdout.buffer.write(body)


def _on_large_stack(function: Callable[[], bytes]) -> bytes:
    """Return *function*() run in a thread with a LOCAL_STACK_BYTES stack; re-raise its error."""
    results: list[bytes] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(function())
        except BaseException as error:  # handed to the calling thread
            errors.append(error)

    previous = threading.stack_size(LOCAL_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="local-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if errors:
        raise errors[0]
    return results[0]
