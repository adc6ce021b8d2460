"""Federated saved queries: a SERVICE allow-list, SERVICE rewriting and a killable runner.

:func:`check_service_targets` and :func:`run_query_with_deadline` let the local runner execute
federated saved queries: ``SERVICE`` only to allow-listed endpoints (the server's guard), and
the whole query in a child process that is killed at the deadline (pyoxigraph has no timeout).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from genrl_kg.errors import QueryError
from genrl_kg.queries import SavedQuery, Term, run_query
from genrl_kg.results import render_results
from genrl_kg.server.guard import GuardError, check_remote_endpoint, check_text, tokenize
from genrl_kg.store import open_store

WIKIDATA_ENDPOINTS = (
    "https://query.wikidata.org/sparql",
    "https://query-main.wikidata.org/sparql",
    "https://query-scholarly.wikidata.org/sparql",
)
MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 64
JOIN_VARIABLE = "item"  # federated saved queries join our graph and Wikidata on ?item


def make_allowlist(
    urls: Iterable[str] = WIKIDATA_ENDPOINTS, *, allow_private: bool = False
) -> tuple[str, ...]:
    """Validate SERVICE allow-list entries; local or private hosts only with *allow_private* (tests)."""
    checked = []
    for url in urls:
        if not allow_private:
            try:
                check_remote_endpoint(url)
            except ValueError as exc:
                raise QueryError(f"SERVICE allow-list: {exc}") from None
        checked.append(url)
    return tuple(sorted(set(checked)))


def uses_service(text: str) -> bool:
    """Tell whether a query text calls ``SERVICE`` (outside strings, IRIs and comments).

    >>> uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE'), uses_service('ASK { sErViCe <x:y> {} }')
    (False, True)
    """
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokenize(text))


def check_service_targets(text: str, allowed_remote: Iterable[str] = WIKIDATA_ENDPOINTS) -> None:
    """Refuse a query whose SERVICE/LOAD target is not allow-listed (the server's guard), or any update."""
    try:
        check_text(
            text, max_chars=MAX_QUERY_CHARS, max_depth=MAX_DEPTH, allowed_remote=allowed_remote
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
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
    items = {s["item"] for s in solutions}
    return sorted((i for i in items if isinstance(i, ox.NamedNode)), key=lambda n: n.value)


def _term_spec(term: Term) -> tuple[str, str, str | None, str | None]:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None, None)
    return ("literal", term.value, term.datatype.value if term.datatype else None, term.language)


def _term_from_spec(spec: tuple[str, str, str | None, str | None]) -> Term:
    kind, value, datatype, language = spec
    if kind == "iri":
        return ox.NamedNode(value)
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def _child(conn: Any, store_dir: str, text: str, specs: dict[str, Any], fmt: str) -> None:
    """Run one query in the child process and send back ("ok", bytes) or ("error", message)."""
    try:
        store = open_store(Path(store_dir), read_only=True)
        bindings = {k: _term_from_spec(v) for k, v in specs.items()}
        conn.send(("ok", render_results(run_query(store, text, bindings), fmt)))
    except Exception as exc:
        conn.send(("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    finally:
        conn.close()


def run_query_with_deadline(
    store_dir: Path,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    *,
    fmt: str = "table",
    timeout: float = 30.0,
    allowed_remote: Iterable[str] = WIKIDATA_ENDPOINTS,
) -> bytes:
    """Check *query*'s SERVICE targets, run it on the local store in a child killed at *timeout*."""
    text = query.text if isinstance(query, SavedQuery) else query
    name = query.name if isinstance(query, SavedQuery) else "query"
    check_service_targets(text, allowed_remote)
    if uses_service(text):
        text = bind_service_values(
            text, JOIN_VARIABLE, linked_items(open_store(store_dir, read_only=True))
        )
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    specs = {k: _term_spec(v) for k, v in (bindings or {}).items()}
    process = context.Process(
        target=_child, args=(child, str(store_dir), text, specs, fmt), daemon=True
    )
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryError(
                f"{name}: no result within {timeout:g} s; the query (and its SERVICE calls) was stopped"
            )
        status, payload = parent.recv()
    except EOFError:
        raise QueryError(f"{name}: the query process died (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status != "ok":
        raise QueryError(f"{name}: {payload}")
    return bytes(payload)
