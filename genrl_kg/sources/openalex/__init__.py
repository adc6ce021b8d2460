"""OpenAlex works API client with a checksummed on-disk cache, yielding OpenAlexWork records."""

from genrl_kg.safejson import load_json
from genrl_kg.sources.openalex.answer import AnswerError, BatchAnswer, parse_answer
from genrl_kg.sources.openalex.cache import (
    CachedAnswer,
    OpenAlexCache,
    default_openalex_cache_dir,
)
from genrl_kg.sources.openalex.client import (
    MAX_PER_REQUEST,
    SELECT_FIELDS,
    fetch_works,
    plan_batches,
)
from genrl_kg.sources.openalex.models import (
    Authorship,
    Institution,
    Location,
    OpenAccess,
    OpenAlexWork,
    arxiv_doi,
    parse_openalex_id,
    parse_orcid,
    parse_ror,
    work_to_json,
)
from genrl_kg.sources.openalex.parse import WorkError, parse_work
from genrl_kg.sources.openalex.result import FetchResult, FetchStats

__all__ = [
    "MAX_PER_REQUEST",
    "SELECT_FIELDS",
    "AnswerError",
    "Authorship",
    "BatchAnswer",
    "CachedAnswer",
    "FetchResult",
    "FetchStats",
    "Institution",
    "Location",
    "OpenAccess",
    "OpenAlexCache",
    "OpenAlexWork",
    "WorkError",
    "arxiv_doi",
    "default_openalex_cache_dir",
    "fetch_works",
    "load_json",
    "parse_answer",
    "parse_openalex_id",
    "parse_orcid",
    "parse_ror",
    "parse_work",
    "plan_batches",
    "work_to_json",
]
