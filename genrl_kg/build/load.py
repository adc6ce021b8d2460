"""The load stage: bulk-load the quads into a fresh on-disk store and swap it in atomically."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrl_kg.build.context import StageReport
from genrl_kg.rdf import QuadSet
from genrl_kg.store import LOAD_CHUNK, write_store

__all__ = ["LoadReport", "load_quads", "release_free_memory"]


@dataclass
class LoadReport(StageReport):
    """Where the build went and how many quads it holds."""

    store: str = ""
    quads: int = 0


def release_free_memory() -> None:
    """Hand memory the earlier stages freed back to the system before the loader needs its own.

    Python keeps freed blocks for reuse, and the bulk loader allocates outside them; on glibc,
    malloc_trim returns what it can. Elsewhere this does nothing.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def load_quads(quads: QuadSet, store_dir: Path, info: dict[str, Any]) -> LoadReport:
    """Write every quad into a new build of *store_dir* and make it the live one.

    For a graph larger than one bulk load's chunk, the memory the earlier stages freed goes back
    to the system first, for the loader's own. The caller holds the store's build lock.
    """
    count = sum(quads.counts().values())
    if count > LOAD_CHUNK:
        release_free_memory()
    target = write_store(store_dir, quads.quads(), info, locked=True)
    return LoadReport(store=str(target), quads=count)
