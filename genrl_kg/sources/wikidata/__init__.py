"""Wikidata: SPARQL client, answer cache, name matching and the curated concept alignment."""

from genrl_kg.sources.wikidata.alignment import (
    ALIGNMENT_FILE,
    Alignment,
    Drift,
    read_alignment,
    verify_alignment,
)
from genrl_kg.sources.wikidata.cache import Answer, WikidataCache, default_wikidata_cache_dir
from genrl_kg.sources.wikidata.client import (
    BATCH_SIZE,
    DEFAULT_ENDPOINTS,
    ENDPOINT_ENV,
    ENTITY_NS,
    SCHOLARLY_ENDPOINT_ENV,
    SparqlClient,
    batched,
    make_http,
    resolve_endpoints,
    unique,
)
from genrl_kg.sources.wikidata.names import names_compatible

__all__ = [
    "ALIGNMENT_FILE",
    "BATCH_SIZE",
    "DEFAULT_ENDPOINTS",
    "ENDPOINT_ENV",
    "ENTITY_NS",
    "SCHOLARLY_ENDPOINT_ENV",
    "Alignment",
    "Answer",
    "Drift",
    "SparqlClient",
    "WikidataCache",
    "batched",
    "default_wikidata_cache_dir",
    "make_http",
    "names_compatible",
    "read_alignment",
    "resolve_endpoints",
    "unique",
    "verify_alignment",
]
