"""The OpenAlex stage: citations between the list's papers and scholarly metadata.

(Being written: offline builds skip it.)
"""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport

__all__ = ["STAGE", "OpenAlexReport", "add_openalex"]


@dataclass
class OpenAlexReport(StageReport):
    """What OpenAlex was asked and what it gave."""

    requests: int = 0


def add_openalex(ctx: BuildContext) -> OpenAlexReport:
    """Add OpenAlex metadata and in-list citations to ``graph/openalex``."""
    return OpenAlexReport()


STAGE = Stage("openalex", add_openalex, OpenAlexReport, lambda o: False)
