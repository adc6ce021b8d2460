"""The facts stage: each paper's own base models, arXiv month, code and modalities, with evidence.

(Being written.)
"""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport

__all__ = ["STAGE", "FactsReport", "add_facts"]


@dataclass
class FactsReport(StageReport):
    """How many papers got each fact, and from which evidence."""

    papers: int = 0


def add_facts(ctx: BuildContext) -> FactsReport:
    """Add the per-paper facts to ``graph/facts``."""
    return FactsReport(papers=len(ctx.papers))


STAGE = Stage("facts", add_facts, FactsReport)
