"""The history stage: every version of the list becomes data in ``graph/history``.

(Being written: the stage runs only with ``build --history DIR``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport

__all__ = ["STAGE", "HistoryReport", "add_history"]


@dataclass
class HistoryReport(StageReport):
    """Versions read, versions with problems, papers first listed per year."""

    versions: int = 0


def add_history(ctx: BuildContext) -> HistoryReport:
    """Add the list's history for the papers of the newest version."""
    return HistoryReport()


STAGE = Stage("history", add_history, HistoryReport, lambda o: o.history_dir is not None)
