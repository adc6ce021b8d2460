"""Wikidata SPARQL client: endpoints, batched VALUES lookups, SPARQL JSON results checked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.http import HttpClient
from genrl_kg.safejson import check_text, describe_problem, load_json

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_ENDPOINTS",
    "ENDPOINT_ENV",
    "ENTITY_NS",
    "RESULTS_TYPE",
    "SCHOLARLY_ENDPOINT_ENV",
    "SparqlClient",
    "batched",
    "make_http",
    "parse_results",
    "qid_of",
    "resolve_endpoints",
    "sparql_string",
    "unique",
]

log = logging.getLogger(__name__)

DEFAULT_ENDPOINTS: Mapping[str, str] = {
    "main": "https://query.wikidata.org/sparql",
    "scholarly": "https://query-scholarly.wikidata.org/sparql",
}
ENDPOINT_ENV = settings.WIKIDATA_URL_ENV
SCHOLARLY_ENDPOINT_ENV = settings.WIKIDATA_SCHOLARLY_URL_ENV
ENTITY_NS = "http://www.wikidata.org/entity/"
BATCH_SIZE = 200
RESULTS_TYPE = "application/sparql-results+json"
PREFIXES = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX p: <http://www.wikidata.org/prop/>\n"
    "PREFIX ps: <http://www.wikidata.org/prop/statement/>\n"
    "PREFIX pq: <http://www.wikidata.org/prop/qualifier/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
_QID = re.compile(r"Q[1-9][0-9]*")


def resolve_endpoints(endpoint: str | None = None, scholarly: str | None = None) -> tuple[str, str]:
    """Return (main, scholarly) query URLs: arguments, else env vars, else the defaults.

    >>> resolve_endpoints("http://127.0.0.1:1/q")
    ('http://127.0.0.1:1/q', 'http://127.0.0.1:1/q')
    """
    main = endpoint or settings.env(ENDPOINT_ENV) or DEFAULT_ENDPOINTS["main"]
    if scholarly is None and endpoint is not None:
        scholarly = endpoint  # one endpoint given: use it for both graphs
    schol = scholarly or settings.env(SCHOLARLY_ENDPOINT_ENV) or DEFAULT_ENDPOINTS["scholarly"]
    return main, schol


def qid_of(iri: str) -> str | None:
    """Return the Q-id of a Wikidata entity IRI, or None for anything else.

    >>> qid_of("http://www.wikidata.org/entity/Q42"), qid_of("http://example.org/Q42")
    ('Q42', None)
    """
    if not iri.startswith(ENTITY_NS):
        return None
    qid = iri[len(ENTITY_NS) :]
    return qid if _QID.fullmatch(qid) else None


def sparql_string(text: str) -> str:
    r"""Return *text* as a SPARQL string literal.

    >>> sparql_string('a"b\\c')
    '"a\\"b\\\\c"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def batched(values: Sequence[str], size: int) -> Iterator[list[str]]:
    """Yield *values* in lists of at most *size*.

    >>> list(batched(["a", "b", "c"], 2))
    [['a', 'b'], ['c']]
    """
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def parse_results(body: bytes, url: str) -> list[dict[str, str]]:
    """Return the bindings of a SPARQL JSON results document as {var: value}; raise if not one.

    JSON nested deeper than a results document can be, or a binding whose value is not a
    string, makes the whole answer unusable (SourceError). A row holding a control character or
    a lone surrogate is dropped with one warning per answer.

    >>> parse_results(b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}', "u")
    [{'x': '1'}]
    """
    try:
        data = load_json(body)
        bindings = data["results"]["bindings"]
        if not isinstance(data["head"]["vars"], list) or not isinstance(bindings, list):
            raise TypeError("head.vars or results.bindings is not a list")
        rows = [{k: _binding_value(v) for k, v in row.items()} for row in bindings]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        start = describe_problem(body[:60].decode("utf-8", "replace"), 80)
        problem = describe_problem(str(exc), 120)
        raise SourceError(
            f"{url}: not SPARQL JSON results ({problem}); body starts {start!r}"
        ) from None
    clean = [row for row in rows if all(_printable(v) for v in row.values())]
    if len(clean) < len(rows):
        log.warning(
            "%s: dropped %d result rows holding control characters", url, len(rows) - len(clean)
        )
    return clean


def _binding_value(term: Any) -> str:
    """Return the value of one RDF term of a binding; TypeError unless it is a string."""
    value = term["value"]
    if not isinstance(value, str):
        raise TypeError(f"a binding value is not a string but {type(value).__name__}")
    return value


def _printable(value: str) -> bool:
    """Tell whether *value* is free of control characters and lone surrogates."""
    try:
        check_text(value, "value", max_len=len(value))
    except ValueError:
        return False
    return True


def make_http(timeout: float | None = None, **kwargs: Any) -> HttpClient:
    """Return an HTTP client for SPARQL endpoints (form POST, our User-Agent, retries)."""
    if timeout is not None:
        kwargs["timeout"] = timeout
    return HttpClient(**kwargs)


class SparqlClient:
    """Run SELECT queries against SPARQL endpoints and count the requests made."""

    def __init__(self, http: HttpClient | None = None) -> None:
        """Use *http* (a form-POST client from :func:`make_http`) or a new one."""
        self.http = http or make_http()
        self.requests = 0

    def select(self, url: str, query: str) -> list[dict[str, str]]:
        """Run *query* at *url* and return its bindings; any non-result answer raises SourceError."""
        self.requests += 1
        response = self.http.post(
            url, data={"query": PREFIXES + query}, headers={"Accept": RESULTS_TYPE}
        )
        if response.status_code != 200:
            first = response.text[:80].replace("\n", " ")
            raise SourceError(f"{url}: HTTP {response.status_code} answering a query: {first!r}")
        kind = response.headers.get("Content-Type", "")
        if "json" not in kind:
            raise SourceError(
                f"{url}: answered {kind or 'no content type'}, not SPARQL JSON results"
            )
        return parse_results(response.content, url)

    def items_by_identifier(self, url: str, prop: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """Return {identifier: [Q-ids]} for identifiers that *prop* (P818, P356) holds; one query."""
        values = " ".join(sparql_string(i) for i in ids)
        query = f"SELECT ?item ?id WHERE {{ VALUES ?id {{ {values} }} ?item wdt:{prop} ?id . }}"
        found: dict[str, list[str]] = {i: [] for i in ids}
        for row in self.select(url, query):
            qid = qid_of(row.get("item", ""))
            if qid and row.get("id") in found and qid not in found[row["id"]]:
                found[row["id"]].append(qid)
        return {k: sorted(v, key=_qnum) for k, v in found.items()}

    def authors_of(self, url: str, papers: Sequence[str]) -> dict[str, list[dict[str, str]]]:
        """Return {paper Q-id: [{"author": Q-id, "ordinal": str}]} from P50 statements (P1545)."""
        values = " ".join(f"wd:{q}" for q in papers)
        query = (
            f"SELECT ?paper ?author ?ordinal WHERE {{ VALUES ?paper {{ {values} }} "
            "?paper p:P50 ?st . ?st ps:P50 ?author . OPTIONAL { ?st pq:P1545 ?ordinal } }"
        )
        found: dict[str, list[dict[str, str]]] = {q: [] for q in papers}
        for row in self.select(url, query):
            paper, author = qid_of(row.get("paper", "")), qid_of(row.get("author", ""))
            if paper in found and author:
                entry = {"author": author, "ordinal": row.get("ordinal", "")}
                if entry not in found[paper]:
                    found[paper].append(entry)
        return {
            k: sorted(v, key=lambda e: (e["ordinal"], _qnum(e["author"]))) for k, v in found.items()
        }

    def names_of(
        self, url: str, items: Sequence[str], aliases: bool = True
    ) -> dict[str, list[str]]:
        """Return {Q-id: [English labels (and aliases)]} for *items*."""
        values = " ".join(f"wd:{q}" for q in items)
        pattern = (
            "{ ?item rdfs:label ?name } UNION { ?item skos:altLabel ?name }"
            if aliases
            else ("?item rdfs:label ?name .")
        )
        query = (
            f"SELECT ?item ?name WHERE {{ VALUES ?item {{ {values} }} {pattern} "
            'FILTER(LANGMATCHES(LANG(?name), "en") || LANG(?name) = "mul") }'
        )
        found: dict[str, list[str]] = {q: [] for q in items}
        for row in self.select(url, query):
            qid = qid_of(row.get("item", ""))
            if qid in found and row.get("name") and row["name"] not in found[qid]:
                found[qid].append(row["name"])
        return {k: sorted(v) for k, v in found.items()}


def _qnum(qid: str) -> int:
    """Return the number of a Q-id for sorting."""
    return int(qid[1:])


def unique(values: Iterable[str]) -> list[str]:
    """Return *values* without duplicates, in first-seen order.

    >>> unique(["b", "a", "b"])
    ['b', 'a']
    """
    return list(dict.fromkeys(values))
