"""Remote SPARQL servers: queries over the SPARQL 1.1 Protocol, Graph Store pushes, SERVICE checks.

Three jobs, one module each:

- :mod:`genrl_kg.remote.query`: :func:`run_remote_query` / :func:`render_remote_query` run a saved
  query against any SPARQL 1.1 endpoint; parameters are bound by a ``VALUES`` block.
- :mod:`genrl_kg.remote.push`: :func:`push_graphs` replaces each named graph on a server through
  the SPARQL 1.1 Graph Store HTTP Protocol, then checks the triple counts.
- :mod:`genrl_kg.remote.federated`: :func:`check_service_targets` and
  :func:`run_query_with_deadline` run federated saved queries locally, ``SERVICE`` only to
  allow-listed endpoints (compared by name; hosts resolved only when such a query runs), in a
  worker process (:mod:`genrl_kg.sparql.runner`) killed at the deadline.

HTTP goes through :mod:`genrl_kg.remote.transport` (bounded reads, one-line errors).

Constants are re-exported for reading; patch them on the module that uses them
(e.g. ``genrl_kg.remote.push.CHUNK_TRIPLES``).
"""

from __future__ import annotations

from genrl_kg.remote.federated import (
    DEFAULT_ALLOWLIST,
    JOIN_VARIABLE,
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    WIKIDATA_ENDPOINTS,
    bind_service_values,
    check_service_targets,
    linked_items,
    make_allowlist,
    redirect_services,
    run_query_with_deadline,
    uses_service,
)
from genrl_kg.remote.push import (
    CHUNK_TRIPLES,
    Auth,
    GraphPush,
    PushReport,
    count_remote_triples,
    derive_query_endpoint,
    push_graphs,
)
from genrl_kg.remote.query import (
    GRAPH_TYPES,
    RESULT_TYPES,
    RemoteResult,
    Solutions,
    bind_values,
    render_remote_query,
    run_remote_query,
)
from genrl_kg.remote.transport import MAX_BODY

__all__ = [
    "CHUNK_TRIPLES",
    "DEFAULT_ALLOWLIST",
    "GRAPH_TYPES",
    "JOIN_VARIABLE",
    "MAX_BODY",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "RESULT_TYPES",
    "WIKIDATA_ENDPOINTS",
    "Auth",
    "GraphPush",
    "PushReport",
    "RemoteResult",
    "Solutions",
    "bind_service_values",
    "bind_values",
    "check_service_targets",
    "count_remote_triples",
    "derive_query_endpoint",
    "linked_items",
    "make_allowlist",
    "push_graphs",
    "redirect_services",
    "render_remote_query",
    "run_query_with_deadline",
    "run_remote_query",
    "uses_service",
]
