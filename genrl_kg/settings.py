"""Project-wide settings: IRIs, HTTP manners, default locations."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

from genrl_kg import __version__

__all__ = [
    "BASE_IRI",
    "DATA_DIR",
    "GRAPH_NAMES",
    "HTTP_TIMEOUT",
    "ONTOLOGY_FILE",
    "ONTOLOGY_IRI",
    "ONTOLOGY_NS",
    "PROJECT_URL",
    "QUERIES_DIR",
    "RESOURCES",
    "SHAPES_FILE",
    "USER_AGENT",
    "default_cache_dir",
    "default_store_dir",
    "graph_iri",
    "source_date_epoch",
]

PROJECT_URL = "https://w3id.org/genrl-kg"
USER_AGENT = f"genrl-kg/{__version__} (+{PROJECT_URL}; knowledge-graph builder)"
HTTP_TIMEOUT = 30.0

BASE_IRI = os.environ.get("GENRL_KG_BASE") or "https://w3id.org/genrl-kg/"
ONTOLOGY_NS = "https://w3id.org/genrl-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/genrl-kg/ontology"

# What the package ships and reads at run time: in a checkout the top-level ontology/, queries/
# and data/ are links to these folders, so there is one copy and an installed wheel has it too.
RESOURCES: Traversable = files("genrl_kg")
ONTOLOGY_FILE: Traversable = RESOURCES / "ontology" / "genrl.ttl"
SHAPES_FILE: Traversable = RESOURCES / "ontology" / "shapes.ttl"
QUERIES_DIR: Traversable = RESOURCES / "queries"
DATA_DIR: Traversable = RESOURCES / "data"

GRAPH_NAMES = (
    "ontology",
    "list",
    "tables",
    "arxiv",
    "openalex",
    "history",
    "facts",
    "links",
    "build",
)


def graph_iri(name: str, base: str = BASE_IRI) -> str:
    """Return the IRI of the named graph *name*.

    >>> graph_iri("list", "https://example.org/")
    'https://example.org/graph/list'
    """
    return f"{base}graph/{name}"


# Every environment variable the product reads is read in this module.
STORE_ENV = "GENRL_KG_STORE"
CACHE_ENV = "GENRL_KG_CACHE"
BASE_ENV = "GENRL_KG_BASE"
ARXIV_URL_ENV = "GENRL_KG_ARXIV_URL"
OPENALEX_URL_ENV = "GENRL_KG_OPENALEX_URL"
OPENALEX_KEY_ENV = "GENRL_KG_OPENALEX_KEY"
OPENALEX_MAILTO_ENV = "GENRL_KG_OPENALEX_MAILTO"
UPSTREAM_URL_ENV = "GENRL_KG_UPSTREAM_URL"
WIKIDATA_URL_ENV = "GENRL_KG_WIKIDATA_URL"
WIKIDATA_SCHOLARLY_URL_ENV = "GENRL_KG_WIKIDATA_SCHOLARLY_URL"
PUSH_TOKEN_ENV = "GENRL_KG_PUSH_TOKEN"
PUSH_PASSWORD_ENV = "GENRL_KG_PUSH_PASSWORD"

DEFAULT_OPENALEX_URL = "https://api.openalex.org"


def env(name: str) -> str | None:
    """Return the environment variable *name* when it is set and not empty, else None."""
    return os.environ.get(name) or None


def openalex_url(url: str | None = None) -> str:
    """Return *url*, else $GENRL_KG_OPENALEX_URL, else OpenAlex's own API."""
    return url or env(OPENALEX_URL_ENV) or DEFAULT_OPENALEX_URL


def source_date_epoch() -> str | None:
    """Return $SOURCE_DATE_EPOCH as an ISO 8601 UTC timestamp, or None when unset or invalid."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_store_dir() -> Path:
    """Return the store directory: $GENRL_KG_STORE or under the user's data directory."""
    found = env(STORE_ENV)
    return Path(found) if found else Path(platformdirs.user_data_dir("genrl-kg")) / "store"


def default_cache_dir() -> Path:
    """Return the cache directory: $GENRL_KG_CACHE or under the user's cache directory."""
    found = env(CACHE_ENV)
    return Path(found) if found else Path(platformdirs.user_cache_dir("genrl-kg"))
