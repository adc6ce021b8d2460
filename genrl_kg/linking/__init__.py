"""Resolve survey-table rows to papers of the list, with evidence, method and confidence."""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg.errors import InputError
from genrl_kg.linking.evidence import ACRONYMS, KEY_STOPWORDS, STOPWORDS
from genrl_kg.linking.keys import CitationKey, fold_name, parse_citation_key
from genrl_kg.linking.records import PaperCandidate, RowLike, RowLink
from genrl_kg.linking.scoring import (
    IDF_FLOOR,
    OVERLAP_CAP,
    OVERLAP_WEIGHT,
    RARE_DF,
    _build_index,
    _confidence,
    _score_row,
    _Scored,
)

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

MIN_SCORE = 3.5  # never link a row whose best candidate scores less
MIN_MARGIN = 1.5  # ... or beats the runner-up by less (ambiguous rows stay unresolved)
LINK_THRESHOLD = 0.4  # confidence of the weakest link the two rules above allow
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


def _pick(
    scored: list[_Scored], claimed: Mapping[str, str], key: str
) -> tuple[_Scored | None, float]:
    """Best candidate not claimed by another citation key, and its margin over the next one."""
    free = list(itertools.islice((s for s in scored if claimed.get(s.key, key) == key), 2))
    if not free:
        return None, 0.0
    second = free[1].points if len(free) > 1 else 0.0
    return free[0], free[0].points - max(second, 0.0)


def link_rows(
    rows: Sequence[RowLike],
    candidates: Iterable[PaperCandidate],
    curated: Mapping[str, str] | None = None,
) -> list[RowLink]:
    """Resolve every row to a candidate paper key, or leave it unresolved below the threshold.

    Curated rows come first; then, greedily, the most confident row takes its paper, and a
    paper taken by one citation key is no longer a candidate for a different key.
    """
    index = _build_index(candidates)
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
    pending = {i: _score_row(row, index) for i, row in enumerate(rows) if i not in links}
    pending = {i: s for i, s in pending.items() if s}
    while pending:
        choice = None
        for i, scored in pending.items():
            best, margin = _pick(scored, claimed, rows[i].citation_key or "")
            if best is None:
                continue
            conf = _confidence(best.points, margin)
            ok = best.points >= MIN_SCORE and margin >= MIN_MARGIN and conf >= LINK_THRESHOLD
            if ok and (choice is None or (conf, -i) > (choice[2], -choice[0])):
                choice = (i, best, conf, margin)
        if choice is None:
            break
        i, best, conf, margin = choice
        row = rows[i]
        links[i] = RowLink(
            row.table,
            row.row,
            row.citation_key,
            best.key,
            "resolved",
            conf,
            (*best.evidence, f"score {best.points:.1f}, margin {margin:.1f}"),
        )
        claimed[best.key] = row.citation_key or ""
        del pending[i]
    for i, row in enumerate(rows):
        if i in links:
            continue
        scored = pending.get(i, [])
        evidence: tuple[str, ...] = ()
        conf = 0.0
        best, margin = _pick(scored, claimed, row.citation_key or "") if scored else (None, 0.0)
        if best is not None:
            conf = _confidence(best.points, margin)
            evidence = (
                f"best guess {best.key}",
                *best.evidence,
                f"score {best.points:.1f}, margin {margin:.1f}",
            )
        links[i] = RowLink(row.table, row.row, row.citation_key, None, "unresolved", conf, evidence)
    return [links[i] for i in range(len(rows))]
