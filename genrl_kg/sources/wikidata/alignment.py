"""The curated alignment of our concepts to Wikidata items (data/wikidata-alignment.csv)."""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg.errors import InputError
from genrl_kg.namespace import PREFIXES
from genrl_kg.settings import DATA_DIR
from genrl_kg.sources.wikidata.client import SparqlClient, batched, resolve_endpoints

__all__ = [
    "ALIGNMENT_FILE",
    "COLUMNS",
    "RELATIONS",
    "Alignment",
    "Drift",
    "read_alignment",
    "verify_alignment",
]

log = logging.getLogger(__name__)

ALIGNMENT_FILE = DATA_DIR / "wikidata-alignment.csv"
COLUMNS = ("concept", "relation", "item", "label", "checked", "checked_where")
RELATIONS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
_QID = re.compile(r"Q[1-9][0-9]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Alignment:
    """One row: our concept, the SKOS mapping relation, the item and its label as checked."""

    concept: str  # prefixed (basemodel:llm) or base-relative (base:dataset/mujoco)
    relation: str
    item: str
    label: str
    checked: str  # date the label was checked, YYYY-MM-DD
    checked_where: str
    line: int

    def concept_iri(self, base: str) -> str:
        """Return the concept's IRI under *base* (only ``base:`` concepts depend on it).

        >>> Alignment("base:dataset/mujoco", "exactMatch", "Q1", "x", "2025-01-01", "", 2).concept_iri("https://e.org/")
        'https://e.org/dataset/mujoco'
        """
        prefix, _, local = self.concept.partition(":")
        return base + local if prefix == "base" else PREFIXES[prefix] + local


@dataclass(frozen=True)
class Drift:
    """An aligned item whose English label is not the one we checked (or that has none now)."""

    concept: str
    item: str
    expected: str
    found: tuple[str, ...]


def read_alignment(path: Path | Traversable = ALIGNMENT_FILE) -> list[Alignment]:
    """Read and check the alignment file; a bad row raises InputError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the alignment file ({exc.strerror})") from None
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InputError(f"{path}: header must be {','.join(COLUMNS)}")
    rows: list[Alignment] = []
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")][1:]
    for line, row in zip(lines, reader, strict=False):
        item = Alignment(**{k: (row.get(k) or "").strip() for k in COLUMNS}, line=line)
        _check(path, item)
        rows.append(item)
    return rows


def _check(path: Path | Traversable, row: Alignment) -> None:
    """Raise InputError if *row* is malformed."""
    prefix, sep, local = row.concept.partition(":")
    problem = None
    if not sep or not local or (prefix != "base" and prefix not in PREFIXES):
        problem = f"unknown concept {row.concept!r}"
    elif row.relation not in RELATIONS:
        problem = f"relation must be one of {', '.join(RELATIONS)}, not {row.relation!r}"
    elif not _QID.fullmatch(row.item):
        problem = f"item must be a Q-id, not {row.item!r}"
    elif not row.label:
        problem = "the checked label is missing"
    elif not _DATE.fullmatch(row.checked):
        problem = f"checked must be a date YYYY-MM-DD, not {row.checked!r}"
    elif not row.checked_where:
        problem = "checked_where (where the label was checked) is missing"
    if problem:
        raise InputError(f"{path}:{row.line}: {problem}")


def verify_alignment(
    endpoint: str | None = None,
    *,
    client: SparqlClient | None = None,
    path: Path | Traversable = ALIGNMENT_FILE,
) -> list[Drift]:
    """Check every aligned item's English label at *endpoint* (main graph); return the drift."""
    url = resolve_endpoints(endpoint)[0]
    client = client or SparqlClient()
    rows = read_alignment(path)
    labels: dict[str, list[str]] = {}
    for batch in batched(sorted({r.item for r in rows}), 200):
        labels.update(client.names_of(url, batch, aliases=False))
    drift = []
    for row in rows:
        found = tuple(labels.get(row.item, ()))
        if row.label not in found:
            drift.append(Drift(row.concept, row.item, row.label, found))
    return drift
