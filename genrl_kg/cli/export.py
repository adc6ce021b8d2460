"""The ``export`` command: the graph in every RDF format, for Wikidata, and more."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path
from genrl_kg.errors import GenrlKgError

__all__ = ["export"]


@cli.command()
@STORE_OPTION
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(
        [
            "turtle",
            "nt",
            "nq",
            "trig",
            "jsonld",
            "rdfxml",
            "quickstatements",
            "wikibase",
            "atom",
            "bibtex",
        ]
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
      genrl-kg export --format atom -o new-papers.atom   # newest papers (build --history)
      genrl-kg export --format bibtex -o genrl-kg.bib     # every paper, keys from the tables
    """
    from genrl_kg.store import open_store

    store = open_store(store_path(store_dir))
    if fmt == "atom":
        write = _atom_writer(store, store_path(store_dir))
    elif fmt == "bibtex":
        from genrl_kg.bibtex import export_bibtex

        body = export_bibtex(store).encode("utf-8")
        write = lambda out: out.write(body)  # noqa: E731
    else:
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


def _atom_writer(store: Any, store_dir: Path) -> Any:
    """Return a function writing the Atom feed of the newest papers; refuse a store with none."""
    from genrl_kg.feeds import atom_feed, feed_entries
    from genrl_kg.settings import BASE_IRI
    from genrl_kg.store import read_build_info

    if not feed_entries(store, limit=1):
        raise GenrlKgError(
            f"{store_dir}: no paper has a first-listed date; build with --history DIR first"
        )
    body = atom_feed(store, str(read_build_info(store_dir).get("base") or BASE_IRI))
    return lambda out: out.write(body)


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
