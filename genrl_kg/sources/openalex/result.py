"""What one OpenAlex fetch run returns: works, DOIs with no work, failures, and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from genrl_kg.sources.openalex.models import OpenAlexWork

__all__ = ["FetchResult", "FetchStats"]


@dataclass
class FetchStats:
    """Counts of one run; ``requests`` counts HTTP attempts (retries included)."""

    requested: int = 0
    requests: int = 0
    fetched: int = 0
    from_cache: int = 0
    not_found: int = 0
    failed: int = 0
    kept_stale: int = 0
    went_offline: bool = False

    def summary(self) -> str:
        """Return the one-line summary of the run."""
        offline = ", offline" if self.went_offline else ""
        stale = f", {self.kept_stale} stale kept" if self.kept_stale else ""
        return (
            f"OpenAlex: {self.fetched} fetched, {self.from_cache} from cache, {self.not_found} "
            f"not found, {self.failed} failed{stale} ({self.requests} requests{offline})"
        )


@dataclass
class FetchResult:
    """Works by asked DOI (lower case), DOIs with no work (and the date), failures, stale kept."""

    records: dict[str, OpenAlexWork] = field(default_factory=dict)
    not_found: dict[str, datetime] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stale: dict[str, str] = field(default_factory=dict)  # cached answer kept: why refetch failed
    stats: FetchStats = field(default_factory=FetchStats)

    def describe_problems(self) -> str:
        """Return one warning line: failed DOIs and stale answers kept, grouped by reason."""
        head = "went offline; " if self.stats.went_offline else ""
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} DOIs without an answer ({_grouped(self.failed)})")
        if self.stale:
            parts.append(
                f"{len(self.stale)} cached answers kept after a failed refetch "
                f"({_grouped(self.stale)})"
            )
        return f"OpenAlex: {head}" + "; ".join(parts)


def _grouped(reasons: dict[str, str], limit: int = 20) -> str:
    """Return 'reason: doi, doi (+n more)' groups joined by '; '."""
    by_reason: dict[str, list[str]] = {}
    for doi, reason in reasons.items():
        by_reason.setdefault(reason, []).append(doi)
    return "; ".join(
        f"{reason}: {', '.join(group[:limit])}"
        + (f" (+{len(group) - limit} more)" if len(group) > limit else "")
        for reason, group in by_reason.items()
    )
