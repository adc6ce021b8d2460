"""Resolve survey-table rows to papers of the list, with evidence, method and confidence."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg.errors import InputError
from genrl_kg.linking.assign import LINK_THRESHOLD, MIN_MARGIN, MIN_SCORE, assign, choose
from genrl_kg.linking.evidence import ACRONYMS, KEY_STOPWORDS, STOPWORDS
from genrl_kg.linking.index import build_index
from genrl_kg.linking.keys import CitationKey, fold_name, parse_citation_key
from genrl_kg.linking.prepare import IDF_FLOOR, RARE_DF
from genrl_kg.linking.records import PaperCandidate, RowLike, RowLink
from genrl_kg.linking.scoring import OVERLAP_CAP, OVERLAP_WEIGHT, Ranking

__all__ = [
    "ACRONYMS",
    "CURATED_COLUMNS",
    "IDF_FLOOR",
    "KEY_STOPWORDS",
    "LINK_THRESHOLD",
    "MIN_MARGIN",
    "MIN_SCORE",
    "OVERLAP_CAP",
    "OVERLAP_WEIGHT",
    "RARE_DF",
    "STOPWORDS",
    "CitationKey",
    "PaperCandidate",
    "RowLike",
    "RowLink",
    "fold_name",
    "link_rows",
    "load_curated_links",
    "parse_citation_key",
]

log = logging.getLogger(__name__)

CURATED_COLUMNS = ("citation_key", "paper_key", "reason")


def load_curated_links(path: Path | Traversable | str) -> dict[str, str]:
    """Read the curated override CSV (citation_key, paper_key, reason); empty paper_key = none."""
    path = Path(path) if isinstance(path, str) else path
    curated: dict[str, str] = {}
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != CURATED_COLUMNS:
            raise InputError(f"{path}:1: header must be {','.join(CURATED_COLUMNS)}")
        for line, rec in enumerate(reader, start=2):
            key = (rec["citation_key"] or "").strip()
            if not key or not (rec["reason"] or "").strip():
                raise InputError(f"{path}:{line}: citation_key and reason are required")
            if key in curated:
                raise InputError(f"{path}:{line}: {key} listed twice")
            curated[key] = (rec["paper_key"] or "").strip()
    return curated


def link_rows(
    rows: Sequence[RowLike],
    candidates: Iterable[PaperCandidate],
    curated: Mapping[str, str] | None = None,
) -> list[RowLink]:
    """Resolve every row to a candidate paper key, or leave it unresolved below the threshold.

    Curated rows come first; then, greedily, the most confident row takes its paper, and a
    paper taken by one citation key is no longer a candidate for a different key. The cost is
    at most rows x papers: each row scores in full only the papers that share a word with it.
    """
    index = build_index(candidates)
    known = {c.key for c in index.cands}
    curated = curated or {}
    links: dict[int, RowLink] = {}
    claimed: dict[str, str] = {}
    for i, row in enumerate(rows):
        key = row.citation_key or ""
        if key in curated and (not curated[key] or curated[key] in known):
            target = curated[key] or None
            links[i] = RowLink(
                row.table,
                row.row,
                row.citation_key,
                target,
                "curated",
                1.0,
                ("curated in data/table-links.csv",),
            )
            if target:
                claimed[target] = key
        elif key in curated:
            log.warning(
                "curated link %s -> %s: no such paper; resolving instead", key, curated[key]
            )
    rankings = {i: Ranking(row, index) for i, row in enumerate(rows) if i not in links}
    keys = [row.citation_key or "" for row in rows]
    for i, choice in assign(keys, rankings, claimed).items():
        assert choice.best is not None
        row, best = rows[i], choice.best
        links[i] = RowLink(
            row.table,
            row.row,
            row.citation_key,
            best.key,
            "resolved",
            choice.confidence,
            (*best.evidence, f"score {best.points:.1f}, margin {choice.margin:.1f}"),
        )
    for i, row in enumerate(rows):
        if i in links:
            continue
        evidence: tuple[str, ...] = ()
        choice = choose(rankings[i], claimed)
        if choice.best is not None:
            evidence = (
                f"best guess {choice.best.key}",
                *choice.best.evidence,
                f"score {choice.best.points:.1f}, margin {choice.margin:.1f}",
            )
        links[i] = RowLink(
            row.table, row.row, row.citation_key, None, "unresolved", choice.confidence, evidence
        )
    return [links[i] for i in range(len(rows))]
