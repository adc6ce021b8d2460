"""Server settings: one frozen dataclass handed to the app factory."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg import settings as project_settings
from genrl_kg.sparql.hosts import check_remote_endpoint

__all__ = ["MAX_CACHE_MB", "ServerSettings"]

MAX_CACHE_MB = 65_536


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs; every limit is configurable. The endpoint is read-only."""

    store_dir: Path
    base_iri: str = project_settings.BASE_IRI
    queries_dir: Path | Traversable = project_settings.QUERIES_DIR
    timeout: float = 10.0
    row_cap: int = 10_000
    graph_triple_cap: int = 500_000
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_slow_workers: int = 4
    slow_after: float = 0.5
    memory_limit_mb: int = 2048
    max_query_chars: int = 100_000
    max_body_bytes: int = 1_000_000
    max_depth: int = 64
    allowed_remote: tuple[str, ...] = ()
    cors: bool = True
    cache_mb: float = 64.0  # per HTTP process; 0 disables
    vendor_dir: Path | None = None  # YASGUI's files; None: static/vendor/ in the package

    def __post_init__(self) -> None:
        """Validate the settings; raise ValueError naming the bad one (no network access)."""
        if self.timeout <= 0 or self.row_cap <= 0 or self.workers <= 0:
            raise ValueError("timeout, row cap and workers must be positive")
        if (
            isinstance(self.cache_mb, bool)
            or not isinstance(self.cache_mb, int | float)
            or not math.isfinite(self.cache_mb)
            or not 0 <= self.cache_mb <= MAX_CACHE_MB
        ):
            raise ValueError(
                f"cache_mb {self.cache_mb!r} must be a number of MB from 0 (off) to {MAX_CACHE_MB}"
            )
        for url in self.allowed_remote:
            check_remote_endpoint(url)
        if not self.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI {self.base_iri} must end with / or #")
