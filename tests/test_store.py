"""The store's atomic swap: failed, killed, concurrent and repeated builds never break readers."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_build_cli import PROJECT_ROOT, assert_one_error, build, snapshot, synthetic

from genrl_kg.errors import StoreError
from genrl_kg.store import (
    BUILDS,
    current_path,
    open_store,
    read_build_info,
    write_build_info,
    write_store,
)

GRAPH = ox.NamedNode("https://example.org/graph")


def quads(tag: str, count: int) -> list[ox.Quad]:
    """Return *count* quads whose subjects carry *tag*."""
    pred = ox.NamedNode("https://example.org/p")
    return [
        ox.Quad(ox.NamedNode(f"https://example.org/{tag}/{i}"), pred, ox.Literal(str(i)), GRAPH)
        for i in range(count)
    ]


def live_subjects(store_dir: Path) -> set[str]:
    """Return the subjects readers see in the live database."""
    store = open_store(store_dir)
    try:
        return {q.subject.value for q in store}
    finally:
        del store


def build_names(store_dir: Path) -> list[str]:
    """Return the names of the databases under DIR/builds."""
    return sorted(p.name for p in (store_dir / BUILDS).iterdir())


# --------------------------------------------------------------------------- write_store in-process


def test_write_store_swaps_in_a_new_database(tmp_path: Path) -> None:
    """Each write makes a new database, points ``current`` at it and removes the old one."""
    store_dir = tmp_path / "store"
    first = write_store(store_dir, quads("a", 5))
    assert current_path(store_dir).is_symlink()
    assert current_path(store_dir).resolve() == first.resolve()
    assert not os.readlink(current_path(store_dir)).startswith("/")  # relative: the dir can move
    assert len(live_subjects(store_dir)) == 5
    second = write_store(store_dir, quads("b", 3))
    assert second != first
    assert build_names(store_dir) == [second.name]
    assert live_subjects(store_dir) == {f"https://example.org/b/{i}" for i in range(3)}


def test_rebuild_in_the_same_second_never_writes_into_the_live_database(tmp_path: Path) -> None:
    """Back-to-back builds get fresh databases: the second build's store holds only its data."""
    store_dir = tmp_path / "store"
    for attempt in range(3):  # each pair runs within milliseconds, so within one second
        write_store(store_dir, quads(f"old{attempt}", 4))
        old_target = os.readlink(current_path(store_dir))
        write_store(store_dir, quads(f"new{attempt}", 2))
        assert os.readlink(current_path(store_dir)) != old_target, "build reused the live database"
        assert live_subjects(store_dir) == {
            f"https://example.org/new{attempt}/{i}" for i in range(2)
        }


def test_failed_rebuild_in_the_same_second_keeps_the_live_database(tmp_path: Path) -> None:
    """A build failing right after another one must not delete the live database."""
    store_dir = tmp_path / "store"
    for attempt in range(3):
        write_store(store_dir, quads(f"a{attempt}", 4))
        with pytest.raises(RuntimeError):
            write_store(store_dir, _broken())
        assert current_path(store_dir).is_dir(), "the failed build removed the live database"
        assert live_subjects(store_dir) == {f"https://example.org/a{attempt}/{i}" for i in range(4)}


def _broken() -> Iterator[ox.Quad]:
    """Yield some quads, then fail like a conversion error half-way through a load."""
    yield from quads("b", 100)
    raise RuntimeError("conversion failed half-way")


def test_failing_quad_stream_leaves_store_intact(tmp_path: Path) -> None:
    """An error while loading removes the half-written database; readers see the old one."""
    store_dir = tmp_path / "store"
    write_store(store_dir, quads("a", 5))
    before = (os.readlink(current_path(store_dir)), build_names(store_dir))
    with pytest.raises(RuntimeError, match="half-way"):
        write_store(store_dir, _broken())
    assert (os.readlink(current_path(store_dir)), build_names(store_dir)) == before
    assert len(live_subjects(store_dir)) == 5


def test_open_reader_keeps_its_snapshot_across_a_rebuild(tmp_path: Path) -> None:
    """A reader opened before a rebuild still reads the old data after its directory is removed."""
    store_dir = tmp_path / "store"
    old = write_store(store_dir, quads("old", 500))
    reader = open_store(store_dir)
    write_store(store_dir, quads("new", 3))
    assert not old.exists()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert next(iter(reader.query(query, use_default_graph_as_union=True)))["n"].value == "500"
    del reader
    assert len(live_subjects(store_dir)) == 3


def test_stale_builds_are_removed_by_the_next_build(tmp_path: Path) -> None:
    """Leftovers of killed builds under DIR/builds go away with the next successful build."""
    store_dir = tmp_path / "store"
    write_store(store_dir, quads("a", 2))
    stale = store_dir / BUILDS / "19990101T000000-1"
    stale.mkdir()
    (stale / "junk").write_bytes(b"x" * 1000)
    target = write_store(store_dir, quads("b", 2))
    assert build_names(store_dir) == [target.name]


def test_build_info_round_trip(tmp_path: Path) -> None:
    """build.json is written atomically (no temp file left) and read back; absent reads as {}."""
    assert read_build_info(tmp_path) == {}
    write_build_info(tmp_path, {"entries_read": 3, "b": [1, 2]})
    assert read_build_info(tmp_path) == {"entries_read": 3, "b": [1, 2]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.json"]


def test_open_store_without_build_is_store_error(tmp_path: Path) -> None:
    """Opening a directory with no build raises StoreError telling how to build."""
    with pytest.raises(StoreError, match="genrl-kg build"):
        open_store(tmp_path)


def test_store_lock_refuses_in_process_writer(tmp_path: Path) -> None:
    """write_store refuses while another process holds DIR/.lock, and leaves no new database."""
    store_dir = tmp_path / "store"
    write_store(store_dir, quads("a", 2))
    with (store_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreError, match="another build is running"):
            write_store(store_dir, quads("b", 2))
    assert len(build_names(store_dir)) == 1
    assert len(live_subjects(store_dir)) == 2


# --------------------------------------------------------------------------- through the CLI


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """Return a store built by the CLI from a small synthetic list."""
    synthetic.write_list(tmp_path / "small", 30)
    proc = build(tmp_path / "small", tmp_path / "store")
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "store"


def test_concurrent_build_is_refused(built: Path, tmp_path: Path) -> None:
    """A second build while the lock is held fails with a clear error; the store is unchanged."""
    before = snapshot(built)
    with (built / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = build(tmp_path / "small", built)
    assert_one_error(proc, str(built), "another build is running")
    assert snapshot(built) == before
    again = build(tmp_path / "small", built)  # lock released: builds again
    assert again.returncode == 0, again.stderr


def test_unwritable_store_directory(tmp_path: Path) -> None:
    """A store directory that cannot be created gives one error line naming it."""
    synthetic.write_list(tmp_path / "small", 5)
    if os.geteuid() == 0:  # root writes through permissions: use a path under a regular file
        (tmp_path / "afile").write_text("not a directory")
        store_dir, locked = tmp_path / "afile" / "store", None
    else:
        locked = tmp_path / "readonly"
        locked.mkdir()
        locked.chmod(0o500)
        store_dir = locked / "store"
    try:
        proc = build(tmp_path / "small", store_dir)
    finally:
        if locked is not None:
            locked.chmod(0o700)
    assert_one_error(proc, str(store_dir), "cannot write")
    assert not store_dir.exists()


@pytest.mark.slow
def test_killed_build_leaves_previous_store_readable(built: Path, tmp_path: Path) -> None:
    """SIGKILL during the load stage: readers still see the old build; the next build cleans up."""
    before = snapshot(built)
    live = os.readlink(built / "current")
    synthetic.write_list(tmp_path / "big", 1500)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}
    cmd = [
        sys.executable,
        "-m",
        "genrl_kg.cli",
        "build",
        "--source",
        str(tmp_path / "big"),
        "--store",
        str(built),
        "--no-enrich",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=PROJECT_ROOT
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(name != Path(live).name for name in build_names(built)):
                time.sleep(0.05)  # let the bulk load get going
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    leftovers = [name for name in build_names(built) if name != Path(live).name]
    assert leftovers, "the kill did not land during the load stage"
    assert snapshot(built) == before
    again = build(tmp_path / "small", built)
    assert again.returncode == 0, again.stderr
    assert build_names(built) == [Path(os.readlink(built / "current")).name]
    assert not set(leftovers) & set(build_names(built))


def test_a_corrupt_database_is_one_line(tmp_path: Path) -> None:
    """A store whose database files are garbage gives a StoreError naming the store."""
    store = tmp_path / "store"
    write_store(store, [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"))])
    for path in (store / "current" / "db").iterdir():
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 64)
    with pytest.raises(StoreError, match=r"cannot open the store"):
        open_store(store)
