"""Which statements Wikidata already has: asked of a SPARQL endpoint, or read from the links graph.

A provider is a callable ``existing(claims) -> set[Claim]``. A claim is ``(qid, property, value)``
with a normalised value: a Q-id for items, the text for strings, ``YYYY-MM-DD`` for dates, and the
pseudo-property ``P1545`` with value ``"n"`` meaning "an author statement (P50 or P2093) with series
ordinal n exists". The answer holds every statement found for the items and properties asked
about (a superset of the exact matches), so the exporter can also skip single-valued properties
that already have a different value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.http import HttpClient
from genrl_kg.wikibase.facts import qid_of

__all__ = [
    "AUTHOR_SLOT",
    "Claim",
    "Existing",
    "SparqlExisting",
    "StoreExisting",
    "existing_query",
    "normalise_value",
]

log = logging.getLogger(__name__)

Claim = tuple[str, str, str]
Existing = Callable[[Iterable[Claim]], set[Claim]]
AUTHOR_SLOT = "P1545"
_WIKIDATA_PREFIXES = """\
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
"""


def existing_query(qids: Iterable[str], properties: Iterable[str]) -> str:
    """Return the SPARQL query that lists the statements of *qids* for *properties*.

    >>> "VALUES ?item { wd:Q1 wd:Q2 }" in existing_query(["Q2", "Q1"], ["P921"])
    True
    """
    items = " ".join(f"wd:{q}" for q in sorted(set(qids)))
    props = sorted(set(properties) - {AUTHOR_SLOT})
    pairs = " ".join(f'("{p}" wdt:{p})' for p in props)
    direct = f"{{ VALUES (?prop ?direct) {{ {pairs} }} ?item ?direct ?value . }}" if props else ""
    slots = (
        "{ ?item p:P50|p:P2093 ?statement . ?statement pq:P1545 ?value . "
        f'BIND("{AUTHOR_SLOT}" AS ?prop) }}'
    )
    body = f"{direct} UNION {slots}" if direct else slots
    return f"{_WIKIDATA_PREFIXES}SELECT ?item ?prop ?value WHERE {{\n  VALUES ?item {{ {items} }}\n  {body}\n}}"


def normalise_value(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str | None:
    """Return a statement value in claim form (Q-id, text, or YYYY-MM-DD for times).

    >>> normalise_value(ox.NamedNode("http://www.wikidata.org/entity/Q5"))
    'Q5'
    >>> xsd = "http://www.w3.org/2001/XMLSchema#dateTime"
    >>> normalise_value(ox.Literal("2023-01-02T00:00:00Z", datatype=ox.NamedNode(xsd)))
    '2023-01-02'
    """
    if isinstance(term, ox.NamedNode):
        return qid_of(term.value) or term.value
    if isinstance(term, ox.Literal):
        if term.datatype is not None and term.datatype.value.endswith("#dateTime"):
            return term.value[:10]
        return term.value
    return None


def _claims(solutions: Iterable[ox.QuerySolution]) -> set[Claim]:
    found = set()
    for solution in solutions:
        item, prop, value = solution["item"], solution["prop"], solution["value"]
        if not isinstance(item, ox.NamedNode) or not isinstance(prop, ox.Literal) or value is None:
            continue
        qid, text = qid_of(item.value), normalise_value(value)
        if qid and text is not None:
            found.add((qid, prop.value, text.upper() if prop.value == "P356" else text))
    return found


def _batches(claims: Iterable[Claim], size: int) -> Iterator[tuple[list[str], set[str]]]:
    items = sorted({c[0] for c in claims})
    properties = {c[1] for c in claims}
    for start in range(0, len(items), size):
        yield items[start : start + size], properties


class SparqlExisting:
    """Ask a SPARQL endpoint (Wikidata's query service) with batched VALUES queries."""

    def __init__(
        self, endpoint: str, *, batch_size: int = 100, client: HttpClient | None = None
    ) -> None:
        """Remember the endpoint; *client* carries the User-Agent, timeout and backoff."""
        self.endpoint = endpoint
        self.batch_size = batch_size
        self.client = client or HttpClient(timeout=settings.HTTP_TIMEOUT, max_retries=3)
        self.requests = 0

    def __call__(self, claims: Iterable[Claim]) -> set[Claim]:
        """Return the statements the endpoint has for the items and properties of *claims*."""
        claims = list(claims)
        found: set[Claim] = set()
        for items, properties in _batches(claims, self.batch_size):
            query = existing_query(items, properties)
            response = self.client.get(
                self.endpoint,
                params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            )
            self.requests += 1
            if response.status_code != 200:
                raise SourceError(
                    f"{self.endpoint}: HTTP {response.status_code} asking for existing statements"
                )
            try:
                results = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as exc:
                raise SourceError(
                    f"{self.endpoint}: unreadable SPARQL JSON answer ({exc})"
                ) from None
            if not isinstance(results, ox.QuerySolutions):
                raise SourceError(f"{self.endpoint}: answered a boolean, not SELECT results")
            found |= _claims(results)
        return found


class StoreExisting:
    """Read Wikidata's statements from a graph of the local store (the links graph by default)."""

    def __init__(self, store: ox.Store, graph: str | None = None, *, batch_size: int = 500) -> None:
        """Remember the store and the graph holding Wikidata-shaped statements."""
        self.store = store
        self.graph = graph or settings.graph_iri("links")
        self.batch_size = batch_size

    def __call__(self, claims: Iterable[Claim]) -> set[Claim]:
        """Return the statements the graph has for the items and properties of *claims*."""
        found: set[Claim] = set()
        for items, properties in _batches(list(claims), self.batch_size):
            results = self.store.query(
                existing_query(items, properties), default_graph=ox.NamedNode(self.graph)
            )
            assert isinstance(results, ox.QuerySolutions)  # existing_query is a SELECT
            found |= _claims(results)
        return found
