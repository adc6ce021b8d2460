"""The ``query``, ``queries`` and ``export`` commands: read the graph out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, _store, cli
from genrl_kg.errors import GenrlKgError, QueryError


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
    help="Also allow SERVICE calls to this remote endpoint (Wikidata's are allowed).",
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
        uses_service,
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
    allowed = make_allowlist((*WIKIDATA_ENDPOINTS, *allowed_remote))
    check_service_targets(saved.text, allowed)  # FACTS: the engine would call any SERVICE URL
    if uses_service(saved.text):
        body = run_query_with_deadline(
            _store(store_dir),
            saved,
            bindings,
            fmt=fmt,
            timeout=timeout,
            allowed_remote=allowed,
        )
    else:
        body = render_results(run_query(open_store(_store(store_dir)), saved, bindings), fmt)
    sys.stdout.buffer.write(body)


@cli.command("queries")
@click.option("--markdown", is_flag=True, help="Print the table the README shows.")
def list_queries(markdown: bool) -> None:
    """List the saved queries with their summaries and parameters."""
    from genrl_kg.queries import load_saved_queries, queries_markdown_table

    if markdown:
        click.echo(queries_markdown_table(load_saved_queries()))
        return
    for saved in load_saved_queries().values():
        params = " ".join(f"{p.name}={p.default or '?'}" for p in saved.parameters)
        click.echo(f"{saved.name:34} {saved.summary}" + (f"  [{params}]" if params else ""))


@cli.command()
@STORE_OPTION
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(
        ["turtle", "nt", "nq", "trig", "jsonld", "rdfxml", "quickstatements", "wikibase"]
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (default: standard output).",
)
@click.option(
    "--existing-endpoint",
    default=None,
    metavar="URL",
    help="quickstatements: ask this SPARQL endpoint what Wikidata already has "
    "(default: the store's links graph).",
)
@click.option(
    "--retrieved",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="quickstatements: the retrieval date of the references (default: today).",
)
def export(
    store_dir: Path | None,
    fmt: str,
    output: Path | None,
    existing_endpoint: str | None,
    retrieved: Any,
) -> None:
    """Export the graph, byte-identical for the same input.

    \b
    Examples:
      genrl-kg export --format turtle -o genrl.ttl
      genrl-kg export --format nq > genrl.nq
      genrl-kg export --format wikibase -o genrl-wikibase.ttl   # Wikidata's RDF model
      genrl-kg export --format quickstatements -o add.qs         # what Wikidata lacks
    """
    from genrl_kg.store import open_store

    store = open_store(_store(store_dir))
    write = _exporter(store, fmt, existing_endpoint, retrieved)
    if output is None:
        write(sys.stdout.buffer)
        return
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GenrlKgError(f"{output}: cannot write ({exc.strerror})") from None


def _exporter(store: Any, fmt: str, existing_endpoint: str | None, retrieved: Any) -> Any:
    """Return a function writing *store* in *fmt* to a binary stream."""
    import io
    from datetime import UTC, datetime

    from genrl_kg.export import export_store

    if fmt == "wikibase":
        from genrl_kg.wikibase import export_wikibase

        return lambda out: export_wikibase(store, out)
    if fmt == "quickstatements":
        from genrl_kg.wikibase import SparqlExisting, StoreExisting, export_quickstatements

        existing = SparqlExisting(existing_endpoint) if existing_endpoint else StoreExisting(store)
        day = (retrieved or datetime.now(UTC)).date()

        def write_qs(out: Any) -> None:
            text = io.StringIO()
            export_quickstatements(store, text, retrieved=day, existing=existing)
            out.write(text.getvalue().encode("utf-8"))

        return write_qs
    return lambda out: export_store(store, fmt, out)
