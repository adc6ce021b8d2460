"""The stage contract: every stage takes the build context and returns its own typed report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import QuadSet
from genrl_kg.settings import BASE_IRI
from genrl_kg.sources.arxiv import ArxivRecord
from genrl_kg.sources.openalex import OpenAlexWork
from genrl_kg.sources.upstream import SourceSet
from genrl_kg.taxonomy import Taxonomy

__all__ = [
    "ArxivOptions",
    "BuildContext",
    "BuildOptions",
    "OpenAlexOptions",
    "PaperNode",
    "Progress",
    "Stage",
    "StageReport",
]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ArxivOptions:
    """How the build asks arXiv: where, how often, and whether at all."""

    base_url: str | None = None
    offline: bool = False
    refresh: bool = False
    max_age: timedelta | None = None
    min_interval: float = 3.0
    timeout: float = 30.0
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class OpenAlexOptions:
    """How the build asks OpenAlex: where, with which key or address, and whether at all."""

    base_url: str | None = None
    api_key: str | None = None
    mailto: str | None = None
    offline: bool = False
    refresh: bool = False
    max_age: timedelta | None = None
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build is asked to do, decided before it starts."""

    base: str = BASE_IRI
    cache_dir: Path | None = None
    arxiv: ArxivOptions | None = None  # None: do not ask arXiv (--no-enrich)
    openalex: OpenAlexOptions | None = None  # None: do not ask OpenAlex
    strict: bool = False
    history_dir: Path | None = None


@dataclass(frozen=True)
class PaperNode:
    """A paper of the list with the IRI the list stage gave it."""

    record: PaperRecord
    node: ox.NamedNode


@dataclass
class StageReport:
    """What one stage did; each stage has its own subclass with typed figures."""


R = TypeVar("R", bound=StageReport)


@dataclass
class BuildContext:
    """What the stages share: the sources, the options, the graphs so far and their records.

    Stages fill the record fields in pipeline order (the list stage sets ``papers``, the arXiv
    stage ``arxiv_records``, the OpenAlex stage ``openalex_works``); a stage reads only what an
    earlier stage has set.
    """

    sources: SourceSet
    options: BuildOptions
    quads: QuadSet
    taxonomy: Taxonomy
    progress: Progress | None = None
    papers: tuple[PaperNode, ...] = ()
    arxiv_records: dict[str, ArxivRecord] = field(default_factory=dict)
    openalex_works: dict[str, OpenAlexWork] = field(default_factory=dict)  # by paper key
    locations: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record a warning the CLI shows and ``stats`` keeps."""
        self.warnings.append(message)

    def paper_nodes(self) -> dict[str, ox.NamedNode]:
        """Return the paper IRIs by paper key."""
        return {p.record.key: p.node for p in self.papers}


@dataclass(frozen=True)
class Stage(Generic[R]):
    """One step of the build: a name, the function that runs it and the type of its report."""

    name: str
    run: Callable[[BuildContext], R]
    report: type[R]
    wanted: Callable[[BuildOptions], bool] = lambda options: True
