"""Remote SPARQL servers: queries over the SPARQL 1.1 Protocol, Graph Store pushes, SERVICE checks.

Three jobs, one module:

- :func:`run_remote_query` / :func:`render_remote_query` run a saved query against any SPARQL 1.1
  endpoint; parameters are bound by a ``VALUES`` block built from pyoxigraph terms.
- :func:`push_graphs` replaces each named graph of the store on a server through the SPARQL 1.1
  Graph Store HTTP Protocol (streamed N-Triples), then checks the triple counts.
- :func:`check_service_targets` and :func:`run_query_with_deadline` let the local runner execute
  federated saved queries: ``SERVICE`` only to allow-listed endpoints (the server's guard), and
  the whole query in a child process that is killed at the deadline (pyoxigraph has no timeout).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from genrl_kg import settings
from genrl_kg.errors import QueryError, SourceError
from genrl_kg.http import is_no_route, make_session
from genrl_kg.queries import SavedQuery, Term, _query_form, run_query
from genrl_kg.results import render_results
from genrl_kg.server.guard import GuardError, check_remote_endpoint, check_text, tokenize
from genrl_kg.store import open_store

log = logging.getLogger(__name__)

WIKIDATA_ENDPOINTS = (
    "https://query.wikidata.org/sparql",
    "https://query-main.wikidata.org/sparql",
    "https://query-scholarly.wikidata.org/sparql",
)
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
_PARSEABLE = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}
MAX_BODY = 256 * 1024 * 1024
CHUNK_TRIPLES = 5_000
MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 64
JOIN_VARIABLE = "item"  # federated saved queries join our graph and Wikidata on ?item

Auth = tuple[str, str] | str | None
_QUERY_BESIDE_GSP = (  # Graph Store path -> query path: Oxigraph, Fuseki, GraphDB/RDF4J, Virtuoso
    ("/store", "/query"),
    ("/data", "/query"),
    ("/rdf-graphs/service", ""),
    ("/sparql-graph-crud-auth", "/sparql"),
    ("/sparql-graph-crud", "/sparql"),
)


# --- binding parameters as a VALUES block -------------------------------------------------------


def _pattern_start(text: str, form: str) -> int:
    """Return the offset just after the ``{`` that opens the query's outermost WHERE group."""
    tokens = tokenize(text)
    depth = 0
    after_where = form != "CONSTRUCT"
    for token in tokens:
        if token.kind == "word" and token.text.upper() == "WHERE" and depth == 0:
            after_where = True
        elif token.kind == "other" and token.text == "{":
            if depth == 0 and after_where:
                return token.start + 1
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
            if depth == 0 and form == "CONSTRUCT":
                after_where = True  # CONSTRUCT { template } { pattern } without WHERE
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def bind_values(text: str, bindings: Mapping[str, Term], form: str | None = None) -> str:
    """Return *text* with a ``VALUES`` block for *bindings* opening its outermost WHERE group.

    The terms are written by pyoxigraph (``str(term)`` is N-Triples syntax), never pasted raw.

    >>> bind_values('SELECT ?x WHERE { ?x ?p ?y }', {"y": ox.Literal('a"b')})
    'SELECT ?x WHERE { VALUES ?y { "a\\\\"b" }  ?x ?p ?y }'
    """
    if not bindings:
        return text
    at = _pattern_start(text, form or _query_form(text))
    block = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in sorted(bindings.items()))
    return f"{text[:at]} {block} {text[at:]}"


# --- running a query on a remote endpoint --------------------------------------------------------


@dataclass(frozen=True)
class RemoteResult:
    """The body a remote endpoint answered, its media type and the format we asked for."""

    data: bytes
    content_type: str
    fmt: str
    form: str

    def parsed(self) -> Any:
        """Return the results as pyoxigraph objects (solutions, boolean, or a list of triples)."""
        where = f"the answer of the endpoint ({self.content_type or 'no Content-Type'})"
        try:
            if self.form in ("CONSTRUCT", "DESCRIBE"):
                rdf = (
                    ox.RdfFormat.TURTLE if "turtle" in self.content_type else ox.RdfFormat.N_TRIPLES
                )
                return list(ox.parse(self.data, rdf))
            if self.fmt not in _PARSEABLE:
                raise QueryError(f"cannot read {self.fmt} results back; ask for json, xml or tsv")
            return ox.parse_query_results(self.data, _PARSEABLE[self.fmt])
        except (SyntaxError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SourceError(f"{where} is not valid {self.fmt}: {first}") from None


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _first_line(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace").strip()
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line[:limit] or "(empty body)"


def _send(
    session: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any
) -> requests.Response:
    """Make one request; turn network failures into one-line SourceErrors; read the body."""
    deadline = time.monotonic() + timeout
    try:
        response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY:
                raise SourceError(f"{_host(url)}: answer larger than {MAX_BODY} bytes")
            if time.monotonic() > deadline:
                raise SourceError(f"{_host(url)}: no complete answer within {timeout:g} s")
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response.close()
        return response
    except requests.Timeout:
        raise SourceError(f"{_host(url)}: no answer within {timeout:g} s") from None
    except requests.RequestException as exc:
        reason = "connection refused or host unknown" if is_no_route(exc) else type(exc).__name__
        raise SourceError(f"{_host(url)}: cannot reach the endpoint ({reason})") from None


def _check_status(response: requests.Response, url: str, what: str) -> None:
    status = response.status_code
    if status < 300:
        return
    message = _first_line(response.content)
    if status in (401, 403):
        raise SourceError(
            f"{_host(url)}: {what} refused, HTTP {status} (check the credentials): {message}"
        )
    if status == 404:
        raise SourceError(f"{_host(url)}: no {what} endpoint here (HTTP 404): {message}")
    if 400 <= status < 500:
        raise QueryError(f"{_host(url)}: {what} rejected, HTTP {status}: {message}")
    raise SourceError(f"{_host(url)}: server error HTTP {status} on {what}: {message}")


def run_remote_query(
    endpoint: str,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    *,
    fmt: str = "json",
    method: str = "POST",
    timeout: float = settings.HTTP_TIMEOUT,
    session: requests.Session | None = None,
) -> RemoteResult:
    """Run *query* on the SPARQL 1.1 Protocol *endpoint* (POST form or GET) and return the body."""
    text = query.text if isinstance(query, SavedQuery) else query
    form = query.form if isinstance(query, SavedQuery) else _query_form(text)
    text = bind_values(text, bindings or {}, form)
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if not graph_form and fmt not in RESULT_TYPES:
        raise QueryError(f"unknown result format {fmt!r} (choose from {', '.join(RESULT_TYPES)})")
    headers = {"Accept": GRAPH_TYPES if graph_form else RESULT_TYPES[fmt]}
    own = session is None
    session = session or make_session()
    try:
        if method.upper() == "GET":
            response = _send(
                session, "GET", endpoint, timeout=timeout, params={"query": text}, headers=headers
            )
        else:
            response = _send(
                session, "POST", endpoint, timeout=timeout, data={"query": text}, headers=headers
            )
    finally:
        if own:
            session.close()
    _check_status(response, endpoint, "query")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    wanted = GRAPH_TYPES if graph_form else RESULT_TYPES[fmt]
    if (
        content_type
        and content_type not in wanted
        and not (fmt == "json" and content_type == "application/json")
    ):
        raise SourceError(f"{_host(endpoint)}: answered {content_type}, not {wanted.split(',')[0]}")
    return RemoteResult(response.content, content_type, "nt" if graph_form else fmt, form)


def render_remote_query(
    endpoint: str,
    query: SavedQuery | str,
    bindings: Mapping[str, Term] | None = None,
    fmt: str = "table",
    **options: Any,
) -> bytes:
    """Run *query* remotely and return output like the local ``query`` command (table or a format)."""
    form = query.form if isinstance(query, SavedQuery) else _query_form(query)
    wire = "json" if fmt == "table" or form in ("CONSTRUCT", "DESCRIBE") else fmt
    result = run_remote_query(endpoint, query, bindings, fmt=wire, **options)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return render_results(result.parsed(), "turtle")
    if fmt == "table":
        return render_results(result.parsed(), "table")
    if fmt in _PARSEABLE:
        result.parsed()  # a garbage body fails here with a one-line error
    return result.data


# --- Graph Store Protocol push ------------------------------------------------------------------


@dataclass(frozen=True)
class GraphPush:
    """One named graph pushed: its IRI, local and remote triple counts, bytes sent, seconds."""

    graph: str
    local: int
    remote: int
    bytes_sent: int
    seconds: float


@dataclass(frozen=True)
class PushReport:
    """What :func:`push_graphs` did, per graph."""

    endpoint: str
    query_endpoint: str
    graphs: tuple[GraphPush, ...]

    @property
    def triples(self) -> int:
        """Return the number of triples pushed."""
        return sum(g.local for g in self.graphs)


def derive_query_endpoint(gsp_endpoint: str) -> str:
    """Guess the query endpoint beside a Graph Store endpoint (Oxigraph ``/store``, Fuseki ``/data``).

    >>> derive_query_endpoint("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/query'
    >>> derive_query_endpoint("http://h/ds/data")
    'http://h/ds/query'
    >>> derive_query_endpoint("http://h/repositories/kg/rdf-graphs/service")
    'http://h/repositories/kg'
    """
    parts = urlsplit(gsp_endpoint)
    path = parts.path.rstrip("/")
    for tail, replacement in _QUERY_BESIDE_GSP:
        if path.endswith(tail):
            new = path[: -len(tail)] + replacement
            return urlunsplit((parts.scheme, parts.netloc, new, "", ""))
    raise SourceError(f"{gsp_endpoint}: cannot guess the query endpoint; pass it explicitly")


def _ntriples_chunks(store: ox.Store, graph: ox.NamedNode, counter: list[int]) -> Iterator[bytes]:
    """Yield the triples of *graph* as N-Triples, a few thousand at a time (no full copy)."""
    batch: list[ox.Triple] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        batch.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        if len(batch) >= CHUNK_TRIPLES:
            data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
            counter[0] += len(data)
            yield data
            batch.clear()
    if batch:
        data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
        counter[0] += len(data)
        yield data


def _auth(session: requests.Session, auth: Auth) -> None:
    if isinstance(auth, tuple):
        session.auth = auth
    elif isinstance(auth, str):
        session.headers["Authorization"] = f"Bearer {auth}"


def count_remote_triples(
    query_endpoint: str, graph: str, *, timeout: float, session: requests.Session
) -> int:
    """Return the number of triples the server holds in *graph*."""
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    result = run_remote_query(query_endpoint, text, fmt="json", timeout=timeout, session=session)
    solutions = list(result.parsed())
    value = solutions[0]["n"] if solutions else None
    if not isinstance(value, ox.Literal) or not value.value.isdigit():
        raise SourceError(f"{_host(query_endpoint)}: COUNT of {graph} gave no number")
    return int(value.value)


def push_graphs(
    store_dir: Path,
    endpoint: str,
    *,
    graph: str | None = None,
    auth: Auth = None,
    timeout: float = 300.0,
    query_endpoint: str | None = None,
) -> PushReport:
    """Replace each named graph (or only *graph*) on a Graph Store endpoint, then check the counts."""
    store = open_store(store_dir, read_only=True)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if graph is not None:
        if graph not in names:
            raise SourceError(
                f"{store_dir}: no named graph {graph} in the store (have: {', '.join(names)})"
            )
        names = [graph]
    query_endpoint = query_endpoint or derive_query_endpoint(endpoint)
    pushed = []
    with make_session() as session:
        _auth(session, auth)
        for name in names:
            node = ox.NamedNode(name)
            local = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
            counter = [0]
            start = time.monotonic()
            response = _send(
                session,
                "PUT",
                endpoint,
                timeout=timeout,
                params={"graph": name},
                headers={"Content-Type": "application/n-triples"},
                data=_ntriples_chunks(store, node, counter),
            )
            _check_status(response, endpoint, "Graph Store push")
            seconds = time.monotonic() - start
            remote = count_remote_triples(query_endpoint, name, timeout=timeout, session=session)
            log.info("pushed %s: %d triples, %d bytes in %.2f s", name, local, counter[0], seconds)
            if remote != local:
                raise SourceError(
                    f"{_host(endpoint)}: graph {name} holds {remote} triples after the push, not {local}"
                )
            pushed.append(GraphPush(name, local, remote, counter[0], seconds))
    return PushReport(endpoint, query_endpoint, tuple(pushed))


# --- federated queries: SERVICE allow-list and a killable runner ---------------------------------


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
