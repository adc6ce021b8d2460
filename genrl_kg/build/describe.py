"""The describe stage: the build as a VoID/DCAT dataset with PROV provenance and counts."""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport
from genrl_kg.rdf.build import BuildFacts, add_build_description
from genrl_kg.settings import source_date_epoch
from genrl_kg.sources.upstream import LOCAL_COPY, load_pin

__all__ = ["STAGE", "DescribeReport", "describe_build", "reproducible_timestamp"]


@dataclass
class DescribeReport(StageReport):
    """What the description claims about the sources, and on what grounds."""

    commit: str = ""
    created: str | None = None
    provenance: str = ""


def reproducible_timestamp(date: str | None) -> str | None:
    """Return the build's timestamp: $SOURCE_DATE_EPOCH, else the source commit's date.

    The timestamp depends on the input only, so the same input exports byte-identical Turtle;
    a local copy with no known commit has none.

    >>> reproducible_timestamp("2025-11-03") if source_date_epoch() is None else "2025-11-03"
    '2025-11-03'
    """
    return source_date_epoch() or date


def describe_build(ctx: BuildContext) -> DescribeReport:
    """Add the dataset description of this build to the build graph."""
    sources = ctx.sources
    files = (sources.list_path.name, *(p.name for p in sources.table_paths))
    commit = None if sources.commit == LOCAL_COPY else sources.commit
    created = reproducible_timestamp(sources.date)
    add_build_description(ctx.quads, BuildFacts(load_pin().repository, commit, files, created))
    return DescribeReport(commit=sources.commit, created=created, provenance=sources.provenance)


STAGE = Stage("describe", describe_build, DescribeReport)
