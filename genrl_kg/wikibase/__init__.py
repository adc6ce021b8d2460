"""Contributing to Wikidata: QuickStatements for what it lacks, and a Wikibase-model RDF export."""

from __future__ import annotations

from genrl_kg.wikibase.existing import (
    Claim,
    Existing,
    SparqlExisting,
    StoreExisting,
    existing_query,
)
from genrl_kg.wikibase.quickstatements import build_statements, export_quickstatements
from genrl_kg.wikibase.rdf import export_wikibase, wikibase_triples

__all__ = [
    "Claim",
    "Existing",
    "SparqlExisting",
    "StoreExisting",
    "build_statements",
    "existing_query",
    "export_quickstatements",
    "export_wikibase",
    "wikibase_triples",
]
