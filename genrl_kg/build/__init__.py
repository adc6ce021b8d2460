"""The build: stages of one shape, run in order by ``genrl_kg.build.pipeline``."""

from genrl_kg.build.context import (
    ArxivOptions,
    BuildContext,
    BuildOptions,
    OpenAlexOptions,
    Stage,
    StageReport,
)
from genrl_kg.build.pipeline import STAGES, BuildReport, build_graphs, read_report, run_build

__all__ = [
    "STAGES",
    "ArxivOptions",
    "BuildContext",
    "BuildOptions",
    "BuildReport",
    "OpenAlexOptions",
    "Stage",
    "StageReport",
    "build_graphs",
    "read_report",
    "run_build",
]
