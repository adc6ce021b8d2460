"""The store as an rdflib Dataset, for users who want one; the build never imports this."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from genrl_kg.errors import QueryError

__all__ = ["NativeOxigraphStore", "open_dataset"]


class NativeOxigraphStore(OxigraphStore):
    """oxrdflib's store that refuses rdflib's slow fallback engine and counts native queries.

    oxrdflib raises NotImplementedError for prepared queries and extra keyword arguments, and
    rdflib then silently evaluates the query with its own engine (10-94x slower, FACTS.md).
    Here such a query fails loudly instead.
    """

    native_queries = 0

    def query(
        self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any
    ) -> Any:
        """Run *query* on Oxigraph, or raise QueryError where rdflib would take over."""
        try:
            result = super().query(query, initNs, initBindings, queryGraph, **kwargs)
        except NotImplementedError as exc:
            raise QueryError(f"query not supported by the native Oxigraph engine: {exc}") from None
        type(self).native_queries += 1
        return result


def open_dataset(store: ox.Store) -> Dataset:
    """Return the Oxigraph *store* as an rdflib Dataset whose default graph is the union."""
    return Dataset(store=NativeOxigraphStore(store=store), default_union=True)
