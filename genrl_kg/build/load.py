"""The load stage: bulk-load the quads into a fresh on-disk store and swap it in atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrl_kg.build.context import StageReport
from genrl_kg.rdf import QuadSet
from genrl_kg.store import write_store

__all__ = ["LoadReport", "load_quads"]


@dataclass
class LoadReport(StageReport):
    """Where the build went and how many quads it holds."""

    store: str = ""
    quads: int = 0


def load_quads(quads: QuadSet, store_dir: Path, info: dict[str, Any]) -> LoadReport:
    """Write every quad into a new build of *store_dir* and make it the live one.

    The caller holds the store's build lock.
    """
    target = write_store(store_dir, quads.quads(), info, locked=True)
    return LoadReport(store=str(target), quads=sum(quads.counts().values()))
