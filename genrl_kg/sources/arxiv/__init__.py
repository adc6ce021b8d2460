"""arXiv API client with an on-disk cache, yielding ArxivRecord records (knows nothing of RDF)."""

from genrl_kg.sources.arxiv.cache import ArxivCache, CachedRecord, default_arxiv_cache_dir
from genrl_kg.sources.arxiv.client import (
    ARXIV_URL_ENV,
    DEFAULT_ARXIV_URL,
    FetchResult,
    FetchStats,
    fetch_records,
    plan_batches,
    resolve_arxiv_url,
)
from genrl_kg.sources.arxiv.feed import FeedError, parse_feed
from genrl_kg.sources.arxiv.models import (
    ArxivAuthor,
    ArxivRecord,
    cache_file_name,
    normalize_space,
    split_arxiv_id,
)
from genrl_kg.sources.arxiv.schema import decode_record

__all__ = [
    "ARXIV_URL_ENV",
    "DEFAULT_ARXIV_URL",
    "ArxivAuthor",
    "ArxivCache",
    "ArxivRecord",
    "CachedRecord",
    "FeedError",
    "FetchResult",
    "FetchStats",
    "cache_file_name",
    "decode_record",
    "default_arxiv_cache_dir",
    "fetch_records",
    "normalize_space",
    "parse_feed",
    "plan_batches",
    "resolve_arxiv_url",
    "split_arxiv_id",
]
