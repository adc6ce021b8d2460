"""The ``queries`` command: list the saved queries."""

from __future__ import annotations

import click

from genrl_kg.cli import cli

__all__ = ["list_queries"]


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
