"""The ``diff`` command: papers added, removed, moved and retitled between two versions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from genrl_kg.cli import STORE_OPTION, cli, store_path
from genrl_kg.settings import default_cache_dir

__all__ = ["diff"]


@cli.command()
@STORE_OPTION
@click.argument("old")
@click.argument("new")
@click.option(
    "--history",
    default=None,
    metavar="DIR|URL",
    help="The git history OLD and NEW are commits of (default: the one the store was built from).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Cache directory for a cloned history (default: the user cache directory).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON for tools.")
def diff(
    store_dir: Path | None,
    old: str,
    new: str,
    history: str | None,
    cache_dir: Path | None,
    as_json: bool,
) -> None:
    """Compare two versions of the list: two commits, two source folders or two stores.

    \b
    Examples:
      genrl-kg diff 3a091cc 55f000f --history upstream   # two commits (or upstream hashes)
      genrl-kg diff 3a091cc 55f000f     # the history of the last build --history
      genrl-kg diff old-source/ new-source/ --json
      genrl-kg diff store-a/ store-b/   # stores (each holds current/db)
    """
    from genrl_kg.build import read_report
    from genrl_kg.build.history import HistoryReport
    from genrl_kg.diffs import COMMIT, compare_sides, read_side, side_kind
    from genrl_kg.settings import BASE_IRI
    from genrl_kg.sources.history import diff_data, format_diff, read_history
    from genrl_kg.store import read_build_info

    info = read_build_info(store_path(store_dir))
    if history is None and COMMIT in (side_kind(old), side_kind(new)):
        history = read_report(info).section(HistoryReport).repository or None
    repository = None
    if history is not None and COMMIT in (side_kind(old), side_kind(new)):
        repository = read_history(history, cache_dir=cache_dir or default_cache_dir())
    before, after = read_side(old, repository), read_side(new, repository)
    changes = compare_sides(before, after, repository, str(info.get("base") or BASE_IRI))
    if as_json:
        click.echo(json.dumps(diff_data(changes), indent=2, sort_keys=True))
    else:
        click.echo(format_diff(changes), nl=False)
