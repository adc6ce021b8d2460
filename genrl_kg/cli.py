"""The ``genrl-kg`` command line: parses options and calls plain functions."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any

import click

from genrl_kg import __version__
from genrl_kg.errors import GenrlKgError, QueryError
from genrl_kg.settings import BASE_IRI, default_cache_dir, default_store_dir

log = logging.getLogger(__name__)

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Store directory (default: $GENRL_KG_STORE or the user data directory).",
)


def _store(store_dir: Path | None) -> Path:
    return store_dir or default_store_dir()


def _stage(label: str) -> None:
    click.echo(f"  … {label}", err=True)


class _ProgressBar:
    """A labelled tqdm bar on stderr, driven by (done, total) callbacks."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, done: int, total: int) -> None:
        """Move the bar to *done* of *total*."""
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(
                total=total,
                desc=self.label,
                unit="paper",
                file=sys.stderr,
                disable=not sys.stderr.isatty(),
                leave=False,
            )
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.version_option(__version__, prog_name="genrl-kg")
def cli(verbose: int) -> None:
    """Build, query and export the genrl-kg knowledge graph."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


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


@cli.command()
@STORE_OPTION
@click.argument("kind", type=click.Choice(["trends", "matrix", "taxonomy"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Picture file, .png or .svg.",
)
def plot(store_dir: Path | None, kind: str, output: Path) -> None:
    """Draw a figure from the saved queries: trends, the base-model x task matrix, the taxonomy.

    \b
    Examples:
      genrl-kg plot trends -o trends.png      # papers per arXiv year by base model (stacked)
      genrl-kg plot matrix -o matrix.svg      # base model x RL task heatmap with counts
      genrl-kg plot taxonomy -o taxonomy.png  # the taxonomy tree with paper counts
    """
    from genrl_kg import plots
    from genrl_kg.store import open_store

    draw: dict[str, Callable[[Any, Path], Sized]] = {
        "trends": plots.plot_trends,
        "matrix": plots.plot_matrix,
        "taxonomy": plots.plot_taxonomy,
    }
    plots.check_format(output)
    rows = draw[kind](open_store(_store(store_dir)), output)
    click.echo(f"wrote {output} ({len(rows)} data points)")


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
    "--memory-limit",
    "memory_limit_mb",
    default=2048,
    show_default=True,
    type=click.IntRange(min=64),
    help="Address-space limit of a worker, in MB.",
)
@click.option(
    "--allow-service",
    "allowed_remote",
    multiple=True,
    metavar="URL",
    help="Allow SERVICE calls to this remote endpoint (repeatable).",
)
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL updates that carry the token in $GENRL_KG_UPDATE_TOKEN.",
)
def serve(
    store_dir: Path | None,
    host: str,
    port: int,
    timeout: float,
    row_cap: int,
    workers: int | None,
    memory_limit_mb: int,
    allowed_remote: tuple[str, ...],
    allow_update: bool,
) -> None:
    """Serve the graph: SPARQL 1.1 endpoint, query page, saved-query API, linked data.

    \b
    Examples:
      genrl-kg serve                       # http://127.0.0.1:7878/
      genrl-kg serve --port 8080 --timeout 5
      curl 'http://127.0.0.1:7878/api/queries/papers-per-category'
    """
    import os

    from genrl_kg.server import run_server

    token = os.environ.get("GENRL_KG_UPDATE_TOKEN")
    if allow_update and not token:
        raise GenrlKgError("--allow-update needs a token in $GENRL_KG_UPDATE_TOKEN")
    options: dict[str, Any] = {
        "timeout": timeout,
        "row_cap": row_cap,
        "memory_limit_mb": memory_limit_mb,
        "allowed_remote": allowed_remote,
        "allow_update": allow_update,
        "update_token": token,
    }
    if workers is not None:
        options["workers"] = workers
    click.echo(f"serving {_store(store_dir)} on http://{host}:{port}/", err=True)
    run_server(_store(store_dir), host, port, **options)


def main() -> None:
    """Run the CLI; expected errors print one line and exit non-zero without a traceback."""
    try:
        code = cli.main(standalone_mode=False)
    except GenrlKgError as exc:
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
