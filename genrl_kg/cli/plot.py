"""The ``plot`` command: draw the survey's figures from the saved queries."""

from __future__ import annotations

from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path

__all__ = ["plot"]


@cli.command()
@STORE_OPTION
@click.argument("kind", type=click.Choice(["trends", "matrix", "taxonomy", "growth", "citations"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Picture file, .png or .svg.",
)
def plot(store_dir: Path | None, kind: str, output: Path) -> None:
    """Draw a figure from the saved queries: trends, matrix, taxonomy, growth, citations.

    \b
    Examples:
      genrl-kg plot trends -o trends.png      # papers per arXiv year by base model (stacked)
      genrl-kg plot matrix -o matrix.svg      # base model x RL task heatmap with counts
      genrl-kg plot taxonomy -o taxonomy.png  # the taxonomy tree with paper counts
      genrl-kg plot growth -o growth.png      # papers on the list over time (build --history)
      genrl-kg plot citations -o citations.svg  # who cites whom within the list (OpenAlex)
    """
    from genrl_kg import plots
    from genrl_kg.citation_plot import plot_citations
    from genrl_kg.store import open_store

    draw: dict[str, Callable[[Any, Path], Sized]] = {
        "trends": plots.plot_trends,
        "matrix": plots.plot_matrix,
        "taxonomy": plots.plot_taxonomy,
        "growth": plots.plot_growth,
        "citations": plot_citations,
    }
    plots.check_format(output)
    rows = draw[kind](open_store(store_path(store_dir)), output)
    click.echo(f"wrote {output} ({len(rows)} data points)")
