"""Federated saved queries: a SERVICE allow-list, SERVICE rewriting, and the killable runner.

:func:`check_service_targets` and :func:`run_query_with_deadline` let the local runner execute
federated saved queries: ``SERVICE`` only to allow-listed endpoints (the guard of
:mod:`genrl_kg.sparql.guard`, entries compared by name, no DNS), and the whole query in a worker
process of :mod:`genrl_kg.sparql.runner`, killed at the deadline (pyoxigraph has no timeout).
Host names are resolved only here, just before a federated query runs, and a name that does
not resolve, or resolves to a local or private address, stops the query (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from genrl_kg.errors import QueryError, StoreError
from genrl_kg.queries import SavedQuery, Term
from genrl_kg.sparql.guard import CheckedText, GuardError, check_text, tokenize
from genrl_kg.sparql.hosts import Allowlist, check_remote_endpoint, resolve_remote_endpoint
from genrl_kg.sparql.runner import run_in_worker
from genrl_kg.sparql.worker import Answer, Job
from genrl_kg.store import database_path, open_store

__all__ = [
    "DEFAULT_ALLOWLIST",
    "JOIN_VARIABLE",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MEMORY_LIMIT_MB",
    "WIKIDATA_ENDPOINTS",
    "bind_service_values",
    "check_service_targets",
    "linked_items",
    "make_allowlist",
    "redirect_services",
    "run_query_with_deadline",
    "uses_service",
]

WIKIDATA_ENDPOINTS = (
    "https://query.wikidata.org/sparql",
    "https://query-main.wikidata.org/sparql",
    "https://query-scholarly.wikidata.org/sparql",
)
DEFAULT_ALLOWLIST = Allowlist(WIKIDATA_ENDPOINTS)
MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 64
MEMORY_LIMIT_MB = 2048
JOIN_VARIABLE = "item"  # federated saved queries join our graph and Wikidata on ?item


def make_allowlist(
    urls: Iterable[str] = WIKIDATA_ENDPOINTS, *, allow_private: bool = False
) -> Allowlist:
    """Check SERVICE allow-list entries by name (no DNS); local or private hosts only with *allow_private* (tests).

    >>> make_allowlist(["https://b.example.org/sparql", "https://a.example.org/sparql"]).urls
    ('https://a.example.org/sparql', 'https://b.example.org/sparql')
    """
    checked = []
    for url in urls:
        if not allow_private:
            try:
                check_remote_endpoint(url)
            except ValueError as exc:
                raise QueryError(f"SERVICE allow-list: {exc}") from None
        checked.append(url)
    return Allowlist(tuple(sorted(set(checked))), allow_private)


def uses_service(text: str) -> bool:
    """Tell whether a query text calls ``SERVICE`` (outside strings, IRIs and comments).

    >>> uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE'), uses_service('ASK { sErViCe <x:y> {} }')
    (False, True)
    """
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokenize(text))


def check_service_targets(text: str, allowed: Allowlist = DEFAULT_ALLOWLIST) -> CheckedText:
    """Refuse a query whose SERVICE/LOAD target is not allow-listed, or any update (no DNS)."""
    try:
        return check_text(
            text, max_chars=MAX_QUERY_CHARS, max_depth=MAX_DEPTH, allowed_remote=allowed.urls
        )
    except GuardError as exc:
        raise QueryError(f"query refused: {exc.message}") from None


def redirect_services(text: str, mapping: Mapping[str, str]) -> str:
    """Point ``SERVICE <iri>`` targets written as full IRIs at other endpoints (a mirror, a test server).

    >>> redirect_services('ASK { SERVICE <https://a/sparql> {} }', {"https://a/sparql": "https://b/q"})
    'ASK { SERVICE <https://b/q> {} }'
    """
    tokens = tokenize(text)
    edits = []
    for index, token in enumerate(tokens[:-1]):
        if token.kind == "word" and token.text.upper() == "SERVICE":
            rest = [t for t in tokens[index + 1 : index + 3] if t.text.upper() != "SILENT"]
            if rest and rest[0].kind == "iri" and rest[0].text[1:-1] in mapping:
                edits.append(
                    (
                        rest[0].start,
                        len(rest[0].text),
                        str(ox.NamedNode(mapping[rest[0].text[1:-1]])),
                    )
                )
    for start, length, new in reversed(edits):
        text = text[:start] + new + text[start + length :]
    return text


def bind_service_values(text: str, variable: str, terms: Iterable[Term]) -> str:
    """Open every SERVICE group that uses ``?variable`` with ``VALUES ?variable { terms }``.

    pyoxigraph sends a SERVICE pattern without the bindings found so far (measured: it POSTs the
    bare group), so a pattern on ``?item`` would ask Wikidata about every item; this bounds it.

    >>> bind_service_values('ASK { SERVICE <x:s> { ?item ?p ?o } }', "item", [ox.NamedNode("x:q")])
    'ASK { SERVICE <x:s> { VALUES ?item { <x:q> } ?item ?p ?o } }'
    """
    tokens = tokenize(text)
    block = f"VALUES ?{variable} {{ {' '.join(sorted(str(t) for t in terms))} }}"
    edits = []
    for index, token in enumerate(tokens):
        if not (token.kind == "word" and token.text.upper() == "SERVICE"):
            continue
        opener = next((i for i in range(index + 1, len(tokens)) if tokens[i].text == "{"), None)
        if opener is None:
            continue
        depth, close = 0, len(tokens)
        for i in range(opener, len(tokens)):
            depth += {"{": 1, "}": -1}.get(tokens[i].text, 0) if tokens[i].kind == "other" else 0
            if depth == 0:
                close = i
                break
        if any(t.kind == "var" and t.text[1:] == variable for t in tokens[opener:close]):
            edits.append(tokens[opener].start + 1)
    for at in reversed(edits):
        text = f"{text[:at]} {block}{text[at:]}"
    return text


def linked_items(store: ox.Store) -> list[ox.NamedNode]:
    """Return the Wikidata items our papers are linked to (owl:sameAs), sorted."""
    query = (
        "SELECT DISTINCT ?item WHERE { ?paper <http://www.w3.org/2002/07/owl#sameAs> ?item "
        'FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q")) }'
    )
    solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        return []
    items = {s["item"] for s in solutions}
    return sorted((i for i in items if isinstance(i, ox.NamedNode)), key=lambda n: n.value)


def run_query_with_deadline(
    store_dir: Path,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    *,
    fmt: str = "table",
    timeout: float = 30.0,
    allowed_remote: Allowlist = DEFAULT_ALLOWLIST,
    memory_limit_mb: int = MEMORY_LIMIT_MB,
) -> bytes:
    """Check *query*'s SERVICE targets, resolve their hosts, run it in a worker killed at *timeout*."""
    text = query.text if isinstance(query, SavedQuery) else query
    name = query.name if isinstance(query, SavedQuery) else "query"
    checked = check_service_targets(text, allowed_remote)
    for url in checked.remote_targets:
        try:
            resolve_remote_endpoint(url, allow_private=allowed_remote.allow_private)
        except GuardError as exc:
            raise QueryError(f"{name}: {exc.message}") from None
    if uses_service(text):
        text = bind_service_values(
            text, JOIN_VARIABLE, linked_items(open_store(store_dir, read_only=True))
        )
    database = database_path(store_dir)
    if not database.is_dir():
        raise StoreError(f"{store_dir}: no store here; run 'genrl-kg build --store {store_dir}'")
    job = Job(text, op="render", format=fmt, row_cap=None, substitutions=dict(bindings or {}))
    reply = run_in_worker(database, job, timeout=timeout, memory_limit_mb=memory_limit_mb)
    if isinstance(reply, Answer):
        return reply.body
    message = getattr(reply, "message", "the worker answered rows where a document was expected")
    raise QueryError(f"{name}: {message}")
