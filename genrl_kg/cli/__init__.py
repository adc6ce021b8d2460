"""The ``genrl-kg`` command line: the ``cli`` group, its shared helpers and ``main``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from genrl_kg import __version__
from genrl_kg.errors import GenrlKgError
from genrl_kg.settings import default_store_dir

log = logging.getLogger(__name__)

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Store directory (default: $GENRL_KG_STORE or the user data directory).",
)


def store_path(store_dir: Path | None) -> Path:
    """Return *store_dir*, or the default store directory when it is None."""
    return store_dir or default_store_dir()


def say_stage(label: str) -> None:
    """Print a progress line for a build stage on stderr."""
    click.echo(f"  … {label}", err=True)


class ProgressBar:
    """A labelled tqdm bar on stderr, driven by (done, total) callbacks."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> ProgressBar:
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
    # urllib3 logs whole request URLs at DEBUG, API keys in query strings included.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))


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


# The command modules register themselves on ``cli``, so they come after it.
from genrl_kg.cli import (  # noqa: E402
    build,
    diff,
    export,
    link,
    plot,
    push,
    queries,
    query,
    serve,
    stats,
)

__all__ = [
    "STORE_OPTION",
    "ProgressBar",
    "build",
    "cli",
    "diff",
    "export",
    "link",
    "main",
    "plot",
    "push",
    "queries",
    "query",
    "say_stage",
    "serve",
    "stats",
    "store_path",
]
