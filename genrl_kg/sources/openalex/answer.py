"""Read one answer of the OpenAlex works API and match its works to the DOIs asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from genrl_kg.errors import SourceError
from genrl_kg.identifiers import normalize_doi
from genrl_kg.safejson import load_json
from genrl_kg.sources.openalex.models import OpenAlexWork
from genrl_kg.sources.openalex.parse import WorkError, parse_work

__all__ = ["AnswerError", "BatchAnswer", "parse_answer"]


class AnswerError(SourceError):
    """A whole answer is unusable (not JSON, an HTML page, an error object, the wrong shape)."""


@dataclass(frozen=True)
class BatchAnswer:
    """What one answer says about the DOIs asked: works, DOIs it has none for, DOIs left open."""

    works: dict[str, OpenAlexWork]  # by asked DOI (lower case)
    not_found: tuple[str, ...]  # complete answer, no work with this DOI
    failed: dict[str, str]  # DOI -> one-line reason; nothing is known for these
    foreign: tuple[str, ...]  # works whose DOI was not asked (ignored)
    notes: tuple[str, ...]  # dropped values, duplicates, unattributable rejected works


def parse_answer(body: bytes, asked: Sequence[str], *, retrieved: datetime) -> BatchAnswer:
    """Read a ``/works?filter=doi:…`` answer for the lower-case DOIs *asked*.

    Raises AnswerError when nothing in it can be trusted. A DOI counts as not found only when
    the answer is complete (``meta.count`` results, every result readable); otherwise the DOIs
    left without a work are failed, so that no wrong negative answer is cached.
    """
    results, count = _results(body)
    wanted = set(asked)
    works: dict[str, OpenAlexWork] = {}
    failed: dict[str, str] = {}
    foreign: list[str] = []
    notes: list[str] = []
    unattributed = 0
    for index, item in enumerate(results):
        hint = _doi_hint(item)
        dropped: list[str] = []
        try:
            work = parse_work(item, retrieved=retrieved, notes=dropped)
        except WorkError as exc:
            if hint in wanted:
                failed[hint] = f"OpenAlex work rejected: {exc}"
            elif hint is None:
                unattributed += 1
                notes.append(f"result {index} rejected: {exc}")
            else:
                foreign.append(f"result {index} (doi {hint}, unreadable: {exc})")
            continue
        if work.doi not in wanted:
            foreign.append(f"{work.id} (doi {work.doi})")
            continue
        notes.extend(f"{work.id}: dropped {note}" for note in dropped)
        works[work.doi] = _pick(works.get(work.doi), work, notes)
    for doi in works:
        failed.pop(doi, None)
    open_dois = [d for d in dict.fromkeys(asked) if d not in works and d not in failed]
    reason = _incomplete(count, len(results), unattributed)
    if reason:
        failed.update(dict.fromkeys(open_dois, reason))
        open_dois = []
    return BatchAnswer(works, tuple(open_dois), failed, tuple(foreign), tuple(notes))


def _results(body: bytes) -> tuple[list[Any], int]:
    """Return (results, meta.count) of an answer, or raise AnswerError."""
    try:
        data = load_json(body)
    except ValueError as exc:
        raise AnswerError(f"OpenAlex answer is not JSON ({exc}; starts {body[:40]!r})") from None
    if not isinstance(data, dict):
        raise AnswerError(f"OpenAlex answer is a JSON {type(data).__name__}, not an object")
    if "results" not in data and isinstance(data.get("error"), str):
        raise AnswerError(f"OpenAlex error: {data['error'][:200]!r}")
    results, meta = data.get("results"), data.get("meta")
    if not isinstance(results, list):
        raise AnswerError("OpenAlex answer has no 'results' array")
    count = meta.get("count") if isinstance(meta, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise AnswerError("OpenAlex answer has no 'meta.count' integer")
    return results, count


def _doi_hint(item: Any) -> str | None:
    """Return the DOI a (maybe malformed) result claims, to know which DOI a rejection hits."""
    doi = item.get("doi") if isinstance(item, dict) else None
    return normalize_doi(doi) if isinstance(doi, str) else None


def _pick(old: OpenAlexWork | None, new: OpenAlexWork, notes: list[str]) -> OpenAlexWork:
    """Return the work kept when two answer one DOI: most cited, then lowest id (deterministic)."""
    if old is None:
        return new
    keep = min(old, new, key=lambda w: (-w.cited_by_count, len(w.id), w.id))
    notes.append(f"{old.id} and {new.id} both have doi {new.doi}; kept {keep.id}")
    return keep


def _incomplete(count: int, returned: int, unattributed: int) -> str | None:
    """Return why the DOIs left open cannot count as not found, or None."""
    if count > returned:
        return f"OpenAlex answer incomplete ({returned} of {count} works returned)"
    if unattributed:
        return f"OpenAlex answer held {unattributed} unreadable works without a DOI"
    return None
