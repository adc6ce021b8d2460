"""The on-disk Oxigraph store: built into a fresh directory, swapped in atomically.

Layout of a store directory ``DIR``::

    DIR/current            symlink to builds/<id>, replaced atomically by each build
    DIR/builds/<id>/db/    the build's Oxigraph database
    DIR/builds/<id>/build.json   facts about that build (counts, timings, warnings)
    DIR/build.json         symlink to current/build.json
    DIR/.lock              held by a running build

Readers open ``DIR/current/db``; a build that fails or is killed never touches it, and the
facts in ``build.json`` swap together with the database they describe.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from genrl_kg.atomic import write_atomically
from genrl_kg.errors import StoreError

__all__ = [
    "BUILDS",
    "BUILD_INFO",
    "CURRENT",
    "DATABASE",
    "LOAD_CHUNK",
    "build_lock",
    "current_path",
    "database_path",
    "has_store",
    "iter_sorted_quads",
    "open_dataset",
    "open_store",
    "read_build_info",
    "replace_graph",
    "write_build_info",
    "write_store",
]

log = logging.getLogger(__name__)

CURRENT = "current"
DATABASE = "db"
BUILDS = "builds"
BUILD_INFO = "build.json"
LOAD_CHUNK = 500_000


def current_path(store_dir: Path) -> Path:
    """Return the ``current`` link of *store_dir* (it points at the live build)."""
    return store_dir / CURRENT


def database_path(store_dir: Path) -> Path:
    """Return the path of the live Oxigraph database inside *store_dir*."""
    return store_dir / CURRENT / DATABASE


def has_store(store_dir: Path) -> bool:
    """Return whether *store_dir* holds a built store."""
    return database_path(store_dir).is_dir()


@contextlib.contextmanager
def build_lock(store_dir: Path) -> Iterator[None]:
    """Hold the store's build lock: one writer at a time, refused at once if taken."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        handle = (store_dir / ".lock").open("a")
    except OSError as exc:
        raise StoreError(
            f"{store_dir}: cannot write the store directory ({exc.strerror})"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(f"{store_dir}: another build is running (lock held)") from None
        yield


def _remove_stale_builds(store_dir: Path, keep: set[str]) -> None:
    builds = store_dir / BUILDS
    if not builds.is_dir():
        return
    for child in builds.iterdir():
        if child.name not in keep:
            log.debug("removing stale build %s", child)
            shutil.rmtree(child, ignore_errors=True)


def _live_build_name(store_dir: Path) -> str | None:
    link = current_path(store_dir)
    return Path(os.readlink(link)).name if link.is_symlink() else None


def write_store(
    store_dir: Path,
    quads: Iterable[ox.Quad],
    info: dict[str, Any] | None = None,
    *,
    locked: bool = False,
) -> Path:
    """Bulk-load *quads* (and *info*) into a new build in *store_dir*; swap it in atomically.

    Pass ``locked=True`` when the caller already holds :func:`build_lock`.
    """
    with contextlib.nullcontext() if locked else build_lock(store_dir):
        live = _live_build_name(store_dir)
        _remove_stale_builds(store_dir, keep={live} if live else set())
        build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(4)}"
        target = store_dir / BUILDS / build_id
        if target.exists():
            raise StoreError(f"{target}: build directory already exists")
        try:
            target.mkdir(parents=True)
            store = ox.Store(str(target / DATABASE))
            _bulk_load(store, quads)
            store.flush()
            del store
            _write_json(target / BUILD_INFO, info or {})
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(f"{target}: writing the store failed ({exc})") from None
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        _swap(store_dir, build_id)
        _remove_stale_builds(store_dir, keep={build_id})
        return target


def _bulk_load(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Bulk-load *quads*, in chunks of LOAD_CHUNK.

    One bulk load holds its input in memory (1.5M quads cost 1.3 GB more); a second bulk load
    into the same store costs about as much time again. Up to LOAD_CHUNK quads (about 22,000
    papers' worth, a hundred times the real list) load in one go, at full speed.
    """
    found = iter(quads)
    while chunk := list(itertools.islice(found, LOAD_CHUNK)):
        store.bulk_extend(chunk)


def _swap(store_dir: Path, build_id: str) -> None:
    """Point ``current`` at the build *build_id* in one atomic rename."""
    tmp_link = store_dir / f".{CURRENT}.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path(BUILDS) / build_id)
    os.replace(tmp_link, current_path(store_dir))
    info_link = store_dir / BUILD_INFO
    if not info_link.is_symlink():
        info_link.unlink(missing_ok=True)
        info_link.symlink_to(Path(CURRENT) / BUILD_INFO)


def replace_graph(
    store_dir: Path, graph: str, quads: Iterable[ox.Quad], base: str | None = None
) -> Path:
    """Swap in a copy of the live store whose named graph *graph* holds exactly *quads*.

    The live store is never modified in place: readers keep seeing the old data until the
    atomic swap, and a failure leaves it as it was. The build lock is held throughout. The
    build graph's ``void:triples`` and ``build.json``'s counts are recomputed for the new data.
    """
    from genrl_kg.rdf.build import recount
    from genrl_kg.settings import GRAPH_NAMES, graph_iri

    with build_lock(store_dir):
        live = open_store(store_dir, read_only=True)
        info = read_build_info(store_dir)
        base = base or str(info.get("base") or "")
        name = ox.NamedNode(graph)
        kept = [q for q in live if q.graph_name != name]
        new = [
            q if q.graph_name == name else ox.Quad(q.subject, q.predicate, q.object, name)
            for q in quads
        ]
        present = {g.value for g in live.named_graphs() if isinstance(g, ox.NamedNode)}
        names = [n for n in GRAPH_NAMES if graph_iri(n, base) in present | {graph}]
        everything = recount(kept + new, base, names) if base else kept + new
        if base:
            sizes = Counter(getattr(q.graph_name, "value", "") for q in everything)
            info["triples"] = {n: sizes[graph_iri(n, base)] for n in names}
        del live
        return write_store(store_dir, everything, info, locked=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))


def write_build_info(store_dir: Path, info: dict[str, Any]) -> None:
    """Record facts about the live build beside its database (atomically)."""
    live = current_path(store_dir)
    _write_json((live if live.is_dir() else store_dir) / BUILD_INFO, info)


def read_build_info(store_dir: Path) -> dict[str, Any]:
    """Return the facts recorded by the last build (empty if none)."""
    path = store_dir / BUILD_INFO
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def open_store(store_dir: Path, read_only: bool = True) -> ox.Store:
    """Open the live database of *store_dir* (read-only by default)."""
    path = database_path(store_dir)
    if not path.is_dir():
        raise StoreError(f"{store_dir}: no store here; run 'genrl-kg build --store {store_dir}'")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as exc:  # pyoxigraph raises RuntimeError on a corrupt database
        reason = " ".join(str(exc).split())[:200]
        raise StoreError(f"{store_dir}: cannot open the store ({reason})") from None


def iter_sorted_quads(store: ox.Store) -> list[ox.Quad]:
    """Return all quads of *store* in a stable order (for byte-identical exports)."""
    return sorted(
        store, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
    )


def open_dataset(store_dir: Path) -> Any:
    """Open the store read-only as an rdflib Dataset whose default graph is the union.

    For users who want an rdflib ``Dataset``; rdflib is imported only here.
    """
    from genrl_kg.rdflib_view import open_dataset as _open

    return _open(open_store(store_dir, read_only=True))
