"""QuickStatements (v1 commands) for what Wikidata lacks on the papers linked to its items.

One command per line, fields separated by TAB: ``item  property  value  [qualifier value]...
S854 "reference URL"  S813 +YYYY-MM-DDT00:00:00Z/11``. Conventions of Wikidata's scholarly tools:
arXiv ID (P818) with its arXiv classification (P820) qualifier, DOI (P356) upper case, author name
strings (P2093) with series ordinals (P1545), publication date (P577) at day precision (/11),
OpenAlex ID (P10283), cites work (P2860) only when the cited paper of the list is linked to exactly
one item too, and main subject (P921) only for topics aligned to an item with skos:exactMatch.
The topics are the sections a paper is filed under and the base models it uses (genrl:baseModel):
the alignment's exact matches are base-model concepts, which no paper has as a section, so
without the base models no paper ever had a main subject.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from genrl_kg.wikibase.existing import AUTHOR_SLOT, Claim, Existing
from genrl_kg.wikibase.facts import OPENALEX_WORK, PaperFacts, read_build_source, read_papers

__all__ = [
    "ITEM_VALUED",
    "SINGLE_VALUED",
    "Statement",
    "build_statements",
    "export_quickstatements",
    "format_line",
    "propose",
    "qs_string",
    "qs_time",
]

log = logging.getLogger(__name__)

SINGLE_VALUED = frozenset({"P818", "P356", "P577", "P10283"})
ITEM_VALUED = frozenset({"P921", "P2860"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Statement:
    """One proposed statement: item, property, value (claim form), and its QuickStatements line."""

    qid: str
    prop: str
    value: str
    qualifiers: tuple[tuple[str, str], ...] = ()
    reference: str | None = None  # the reference URL when it is not the list's (OpenAlex's work)

    @property
    def claim(self) -> Claim:
        """Return the (item, property, value) triple this statement adds."""
        return (self.qid, self.prop, self.value)

    def sort_key(self) -> tuple[int, int, str]:
        """Order by item number, property number, then value."""
        return (int(self.qid[1:]), int(self.prop[1:]), self.value)


def qs_string(text: str) -> str:
    """Return *text* as a QuickStatements string value: double-quoted, one line, no TABs.

    >>> qs_string("Deep\\tRL  for\\nrobots")
    '"Deep RL for robots"'
    """
    return '"' + " ".join(text.split()) + '"'


def qs_time(day: str) -> str:
    """Return a YYYY-MM-DD date as a QuickStatements time at day precision.

    >>> qs_time("2023-01-05")
    '+2023-01-05T00:00:00Z/11'
    """
    if not _DATE.match(day):
        raise ValueError(f"not a YYYY-MM-DD date: {day!r}")
    return f"+{day}T00:00:00Z/11"


def _qs_value(prop: str, value: str) -> str:
    if prop in ITEM_VALUED:
        return value
    if prop == "P577":
        return qs_time(value)
    return qs_string(value)


def format_line(statement: Statement, reference_url: str, retrieved: date) -> str:
    """Return the QuickStatements v1 command of *statement* with its reference (S854, S813).

    The reference URL is *reference_url* (the list) unless the statement carries its own.

    >>> s = Statement("Q1", "P818", "2301.00001", (("P820", "cs.RO"),))
    >>> format_line(s, "https://x/README.md", date(2025, 1, 2)).split("\\t")
    ['Q1', 'P818', '"2301.00001"', 'P820', '"cs.RO"', 'S854', '"https://x/README.md"', 'S813', '+2025-01-02T00:00:00Z/11']
    """
    fields = [statement.qid, statement.prop, _qs_value(statement.prop, statement.value)]
    for prop, value in statement.qualifiers:
        fields += [prop, qs_string(value)]
    url = statement.reference or reference_url
    fields += ["S854", qs_string(url), "S813", qs_time(retrieved.isoformat())]
    return "\t".join(fields)


def propose(paper: PaperFacts, qid: str, cited: Sequence[str] = ()) -> list[Statement]:
    """Return every statement our graph can support about *paper* on item *qid*.

    *cited* holds the items of the list's papers that *paper* cites (P2860).
    """
    out = [Statement(qid, "P921", s.qid) for s in paper.subjects if s.qid]
    if paper.openalex:
        work = OPENALEX_WORK + paper.openalex
        out.append(Statement(qid, "P10283", paper.openalex, reference=work))
        out += [Statement(qid, "P2860", item, reference=work) for item in cited if item != qid]
    if paper.arxiv:
        qualifiers = (("P820", paper.primary_category),) if paper.primary_category else ()
        out.append(Statement(qid, "P818", paper.arxiv, qualifiers))
    if paper.doi:
        out.append(Statement(qid, "P356", paper.doi.upper()))
    if paper.issued and _DATE.match(paper.issued):
        out.append(Statement(qid, "P577", paper.issued))
    for author in paper.authors:
        if author.name.strip():
            out.append(
                Statement(
                    qid, "P2093", " ".join(author.name.split()), (("P1545", str(author.position)),)
                )
            )
    return sorted(set(out), key=Statement.sort_key)


def _is_known(statement: Statement, known: set[Claim], filled: set[tuple[str, str]]) -> bool:
    if statement.claim in known:
        return True
    if statement.prop in SINGLE_VALUED and (statement.qid, statement.prop) in filled:
        return True
    if statement.prop == "P2093":
        ordinal = dict(statement.qualifiers).get("P1545", "")
        return (statement.qid, AUTHOR_SLOT, ordinal) in known
    return False


def build_statements(
    store: ox.Store, existing: Existing | None
) -> tuple[list[Statement], Counter[str]]:
    """Return the statements to propose (sorted) and counts of what was proposed and skipped."""
    counts: Counter[str] = Counter()
    candidates: list[Statement] = []
    papers = read_papers(store, linked_only=True)
    items = {p.iri: p.qids[0] for p in papers if len(p.qids) == 1}
    for paper in papers:
        if len(paper.qids) > 1:
            log.warning(
                "%s: linked to several items (%s); skipped", paper.iri, ", ".join(paper.qids)
            )
            counts["ambiguous"] += 1
            continue
        counts["papers"] += 1
        cited = sorted({items[c] for c in paper.cites if c in items})
        candidates.extend(propose(paper, paper.qids[0], cited))
    asked = [s.claim for s in candidates]
    asked += [
        (s.qid, AUTHOR_SLOT, dict(s.qualifiers)["P1545"]) for s in candidates if s.prop == "P2093"
    ]
    known = existing(asked) if existing is not None and asked else set()
    filled = {(q, p) for q, p, _ in known}
    proposed = []
    for statement in sorted(candidates, key=Statement.sort_key):
        if _is_known(statement, known, filled):
            counts["existing"] += 1
        else:
            proposed.append(statement)
            counts[statement.prop] += 1
    counts["statements"] = len(proposed)
    return proposed, counts


def export_quickstatements(
    store: ox.Store, out: IO[str] | Path, *, retrieved: date, existing: Existing | None = None
) -> dict[str, int]:
    """Write QuickStatements v1 for what Wikidata lacks on linked papers; return the counts."""
    source = read_build_source(store)
    statements, counts = build_statements(store, existing)
    text = "".join(format_line(s, source.reference_url, retrieved) + "\n" for s in statements)
    if isinstance(out, Path):
        out.write_text(text, encoding="utf-8")
    else:
        out.write(text)
    return dict(sorted(counts.items()))
