"""The ``stats`` command: account for every entry of the last build."""

from __future__ import annotations

from pathlib import Path

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path

__all__ = ["stats"]


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

    data = collect_stats(store_path(store_dir))
    if as_json:
        import json

        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(format_stats(data))
