"""The list's git history: versions read with git, papers tracked across them, diffs.

Pure Python and git (as a subprocess); knows nothing of RDF.
"""

from __future__ import annotations

from genrl_kg.sources.history.diff import (
    DiffMove,
    DiffPaper,
    DiffRekey,
    DiffRetitle,
    ListDiff,
    PapersLike,
    diff_data,
    diff_versions,
    format_diff,
)
from genrl_kg.sources.history.git import CLONE_TIMEOUT, find_git, is_remote, open_repository
from genrl_kg.sources.history.identity import PaperState, link_versions, paper_state
from genrl_kg.sources.history.reader import (
    checkout_version,
    decode_list,
    find_version,
    read_history,
)
from genrl_kg.sources.history.records import History, ListVersion, TableFile
from genrl_kg.sources.history.timeline import (
    Move,
    PaperHistory,
    ParsedVersion,
    Rekey,
    Retitle,
    Timeline,
    VersionRef,
)
from genrl_kg.sources.history.tracking import (
    parse_history,
    parse_version,
    track_history,
    track_papers,
)

__all__ = [
    "CLONE_TIMEOUT",
    "DiffMove",
    "DiffPaper",
    "DiffRekey",
    "DiffRetitle",
    "History",
    "ListDiff",
    "ListVersion",
    "Move",
    "PaperHistory",
    "PaperState",
    "PapersLike",
    "ParsedVersion",
    "Rekey",
    "Retitle",
    "TableFile",
    "Timeline",
    "VersionRef",
    "checkout_version",
    "decode_list",
    "diff_data",
    "diff_versions",
    "find_git",
    "find_version",
    "format_diff",
    "is_remote",
    "link_versions",
    "open_repository",
    "paper_state",
    "parse_history",
    "parse_version",
    "read_history",
    "track_history",
    "track_papers",
]
