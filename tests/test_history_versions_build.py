"""Every version of the list's history builds with the tables of its own commit.

For each distinct README of ``../shared/upstream/history.bundle`` the test checks out that
commit's README and .xlsx files (whatever their names: ``Diffusion policies Table.xlsx``,
``* RL Excel.xlsx``, ...) and runs every build stage short of the load, offline. A version with
bullets must build with no error and its accounting must add up; the few versions without a
single bullet must be refused with the one-line "no list entries" error. The bullet count comes
from a line scan written here, not from the parser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from genrl_kg.build import BuildOptions, build_graphs
from genrl_kg.build.awesome_list import ListReport
from genrl_kg.errors import InputError
from genrl_kg.sources.upstream import local_source

pytestmark = [pytest.mark.upstream, pytest.mark.slow]

BUNDLE = Path(__file__).resolve().parents[1].parent / "shared" / "upstream" / "history.bundle"
_BULLET = re.compile(r"^\s*[-*+](\s|$)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return done.stdout.decode("utf-8", "replace")


def _bullets(text: str) -> int:
    """Count bullet lines outside fenced code (the test's own reading of the list)."""
    count, fenced = 0, False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _BULLET.match(line):
            count += 1
    return count


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not BUNDLE.is_file():
        pytest.skip(f"history bundle not found at {BUNDLE} (needs ../shared/upstream/)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    target = tmp_path_factory.mktemp("history") / "upstream"
    subprocess.run(
        ["git", "clone", "-q", "-b", "main", str(BUNDLE), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def _versions(repo: Path) -> list[str]:
    """Return the commits where README.md changed, oldest first, one per distinct README."""
    seen: set[str] = set()
    out = []
    for commit in _git(repo, "log", "--reverse", "--format=%H", "--", "README.md").split():
        blob = _git(repo, "rev-parse", f"{commit}:README.md").strip()
        if blob not in seen:
            seen.add(blob)
            out.append(commit)
    return out


def _checkout(repo: Path, commit: str, target: Path) -> str:
    """Write the README and every .xlsx of *commit* into *target*; return the README text."""
    target.mkdir(parents=True)
    names = _git(repo, "ls-tree", "-z", "--name-only", commit).split("\0")
    for name in names:
        if name == "README.md" or name.endswith(".xlsx"):
            data = subprocess.run(
                ["git", "-C", str(repo), "show", f"{commit}:{name}"],
                capture_output=True,
                check=True,
            ).stdout
            (target / name).write_bytes(data)
    return (target / "README.md").read_text(encoding="utf-8", errors="replace")


def test_every_version_builds_with_its_own_tables(clone: Path, tmp_path: Path) -> None:
    commits = _versions(clone)
    assert len(commits) == 121  # the bundle's documented count of README versions
    built, refused, spaced_tables = 0, 0, 0
    for number, commit in enumerate(commits):
        source = tmp_path / f"v{number}"
        text = _checkout(clone, commit, source)
        spaced_tables += sum(1 for p in source.glob("* *.xlsx"))
        options = BuildOptions(cache_dir=tmp_path / "cache")
        if _bullets(text) == 0:
            with pytest.raises(InputError, match="no list entries"):
                build_graphs(local_source(source, commit=commit), options)
            refused += 1
            continue
        _, report = build_graphs(local_source(source, commit=commit), options)
        listing = report.section(ListReport)
        parts = (
            listing.unique_papers,
            listing.entries_merged,
            len(listing.placeholders),
            len(listing.unparsed),
        )
        assert sum(parts) == listing.bullets_read == _bullets(text), commit
        assert listing.unique_papers > 0, commit
        built += 1
    assert built + refused == 121
    assert built >= 112  # the issue counted 112 versions that have entries
    assert spaced_tables > 0  # table names with spaces were among them, and built
