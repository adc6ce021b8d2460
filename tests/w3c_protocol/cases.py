"""The W3C SPARQL 1.1 Protocol test cases (w3c/rdf-tests sparql/sparql11/protocol), re-encoded.

Each case keeps the manifest's name and its requests: method, path with query string, headers,
body, and the expected status class, result format and boolean. The graph data the dataset
cases need is in DATA (our own small graphs with the IRIs the cases name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
DATA = {f"{KASEI}data{i}.rdf": [(f"{KASEI}data{i}.rdf", FOAF_DOCUMENT)] for i in (1, 2, 3)}
OK = ("2xx", "3xx")
CLIENT_ERROR = ("4xx",)
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"


def g(i: int) -> str:
    """Return the percent-encoded IRI of data graph *i*."""
    return quote(f"{KASEI}data{i}.rdf", safe="")


@dataclass(frozen=True)
class Step:
    """One HTTP request of a case and what its response must be."""

    method: str
    path: str
    body: bytes = b""
    content_type: str | None = None
    status: tuple[str, ...] = OK
    result: str | None = None  # "boolean", "tabular", "RDF"
    boolean: bool | None = None
    check: str | None = None  # a named extra check


@dataclass(frozen=True)
class Case:
    """One protocol test: a name, its kind (query, update, negative) and its steps."""

    name: str
    kind: str
    steps: tuple[Step, ...] = field(default_factory=tuple)


def _ask(path: str, body: str | None = None, ctype: str = QUERY, method: str = "POST") -> Step:
    """Return a step whose answer must be boolean true."""
    data = body.encode() if body is not None else b""
    return Step(method, path, data, ctype if body is not None else None, OK, "boolean", True)


_D12 = f"default-graph-uri={g(1)}&default-graph-uri={g(2)}"
_N12 = f"named-graph-uri={g(1)}&named-graph-uri={g(2)}"
_ASK_DEFAULT = f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}"
_ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
_D0 = f"default-graph-uri={quote(KASEI + 'data0.rdf', safe='')}"


def _update_then_ask(name: str, params: str, update: str, ask: str) -> Case:
    """Return an update case: the update succeeds, then an ASK on its effect is true."""
    return Case(
        name,
        "update",
        (
            Step("POST", f"/sparql/?{params}" if params else "/sparql/", update.encode(), UPDATE),
            _ask("/sparql/", ask),
        ),
    )


_INSERT_3 = (
    "DROP ALL ;\nINSERT DATA {\n"
    + "".join(
        f"  GRAPH <{KASEI}data{i}.rdf> {{ <{KASEI}data{i}.rdf> a foaf:Document }}\n"
        for i in (1, 2, 3)
    )
    + "} ;\n"
)


def _ask_12_not_3(graph: str) -> str:
    """Return the ASK the dataset update cases end with."""
    bib = "<http://purl.org/dc/terms/BibliographicResource>"
    return (
        f"ASK {{ GRAPH <{graph}> {{ <{KASEI}data1.rdf> a {bib} . <{KASEI}data2.rdf> a {bib} . }}"
        f" FILTER NOT EXISTS {{ GRAPH <{graph}> {{ <{KASEI}data3.rdf> a {bib} . }} }} }}"
    )


CASES: tuple[Case, ...] = (
    Case("query_post_form", "query", (_ask(f"/sparql/?{_D0}", "query=ASK%20%7B%7D", FORM),)),
    Case(
        "query_dataset_default_graphs_get",
        "query",
        (_ask(f"/sparql/?query={quote(_ASK_DEFAULT)}&{_D12}", method="GET"),),
    ),
    Case("query_dataset_default_graphs_post", "query", (_ask(f"/sparql/?{_D12}", _ASK_DEFAULT),)),
    Case("query_dataset_named_graphs_post", "query", (_ask(f"/sparql/?{_N12}", _ASK_NAMED),)),
    Case(
        "query_dataset_named_graphs_get",
        "query",
        (_ask(f"/sparql/?query={quote(_ASK_NAMED)}&{_N12}", method="GET"),),
    ),
    Case(
        "query_dataset_full",
        "query",
        (
            _ask(
                f"/sparql/?default-graph-uri={g(3)}&{_N12}",
                f"ASK {{ <{KASEI}data3.rdf> a ?type GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }}"
                f" GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}",
            ),
        ),
    ),
    # The stored manifest percent-encodes the '&' between the two named-graph-uri parameters;
    # the suite's author says the test intends two named graphs (w3c/rdf-tests issue #78).
    Case(
        "query_multiple_dataset",
        "query",
        (
            _ask(
                f"/sparql/?{_N12}",
                f"ASK FROM <{KASEI}data3.rdf> {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }}"
                f" GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}",
            ),
        ),
    ),
    Case("query_get", "query", (_ask(f"/sparql/?query=ASK%20%7B%7D&{_D0}", method="GET"),)),
    Case(
        "query_content_type_select",
        "query",
        (Step("POST", f"/sparql/?{_D0}", b"SELECT (1 AS ?value) {}", QUERY, OK, "tabular"),),
    ),
    Case(
        "query_content_type_ask",
        "query",
        (Step("POST", f"/sparql/?{_D0}", b"ASK {}", QUERY, OK, "boolean"),),
    ),
    Case(
        "query_content_type_describe",
        "query",
        (Step("POST", f"/sparql/?{_D0}", b"DESCRIBE <http://example.org/>", QUERY, OK, "RDF"),),
    ),
    Case(
        "query_content_type_construct",
        "query",
        (Step("POST", f"/sparql/?{_D0}", b"CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY, OK, "RDF"),),
    ),
    _update_then_ask(
        "update_dataset_default_graph",
        f"using-graph-uri={g(1)}",
        PREFIXES
        + f"CLEAR ALL ;\nINSERT DATA {{ GRAPH <{KASEI}data1.rdf> {{ <{KASEI}data1.rdf> a foaf:Document }} }} ;\n"
        "INSERT { GRAPH <http://example.org/protocol-update-dataset-test/> { ?s a dc:BibliographicResource } }\n"
        "WHERE { ?s a foaf:Document }",
        f"ASK {{ GRAPH <http://example.org/protocol-update-dataset-test/> {{ <{KASEI}data1.rdf> a "
        "<http://purl.org/dc/terms/BibliographicResource> } }",
    ),
    _update_then_ask(
        "update_dataset_default_graphs",
        f"using-graph-uri={g(1)}&using-graph-uri={g(2)}",
        PREFIXES
        + _INSERT_3
        + "INSERT { GRAPH <http://example.org/protocol-update-dataset-graphs-test/> "
        "{ ?s a dc:BibliographicResource } } WHERE { ?s a foaf:Document }",
        _ask_12_not_3("http://example.org/protocol-update-dataset-graphs-test/"),
    ),
    _update_then_ask(
        "update_dataset_named_graphs",
        f"using-named-graph-uri={g(1)}&using-named-graph-uri={g(2)}",
        PREFIXES
        + _INSERT_3
        + "INSERT { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> "
        "{ ?s a dc:BibliographicResource } } WHERE { GRAPH ?g { ?s a foaf:Document } }",
        _ask_12_not_3("http://example.org/protocol-update-dataset-named-graphs-test/"),
    ),
    _update_then_ask(
        "update_dataset_full",
        f"using-graph-uri={g(1)}&using-named-graph-uri={g(2)}",
        PREFIXES
        + _INSERT_3
        + "INSERT { GRAPH <http://example.org/protocol-update-dataset-full-test/> "
        "{ ?s <http://example.org/in> ?in } } WHERE { { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) }"
        ' UNION { ?s a foaf:Document . BIND("default" AS ?in) } }',
        "ASK { GRAPH <http://example.org/protocol-update-dataset-full-test/> {"
        f' <{KASEI}data1.rdf> <http://example.org/in> "default" .'
        f" <{KASEI}data2.rdf> <http://example.org/in> <{KASEI}data2.rdf> . }}"
        " FILTER NOT EXISTS { GRAPH <http://example.org/protocol-update-dataset-full-test/> {"
        f" <{KASEI}data3.rdf> ?p ?o }} }} }}",
    ),
    Case("update_post_form", "update", (Step("POST", "/sparql/", b"update=CLEAR+ALL", FORM),)),
    Case("update_post_direct", "update", (Step("POST", "/sparql/", b"CLEAR ALL", UPDATE),)),
    Case(
        "update_base_uri",
        "update",
        (
            Step(
                "POST",
                "/sparql/",
                b"CLEAR GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { GRAPH "
                b"<http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
                UPDATE,
            ),
            Step(
                "POST",
                "/sparql/",
                b"SELECT ?o WHERE { GRAPH <http://example.org/protocol-base-test/> "
                b"{ <http://example.org/s> <http://example.org/p> ?o } }",
                QUERY,
                OK,
                "tabular",
                check="one_absolute_iri",
            ),
        ),
    ),
    Case("query_post_direct", "query", (_ask("/sparql/", "ASK {}"),)),
    Case(
        "bad_query_method",
        "negative",
        (Step("PUT", f"/sparql/?query=ASK%20%7B%7D&{_D0}", b"", FORM, CLIENT_ERROR),),
    ),
    Case(
        "bad_multiple_queries",
        "negative",
        (
            Step(
                "GET",
                "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
                status=CLIENT_ERROR,
            ),
        ),
    ),
    Case(
        "bad_query_wrong_media_type",
        "negative",
        (Step("POST", "/sparql/", b"ASK {}", "text/plain", CLIENT_ERROR),),
    ),
    Case(
        "bad_query_missing_form_type",
        "negative",
        (Step("POST", "/sparql/", b"query=ASK%20%7B%7D", None, CLIENT_ERROR),),
    ),
    Case(
        "bad_query_missing_direct_type",
        "negative",
        (Step("POST", "/sparql/", b"ASK {}", None, CLIENT_ERROR),),
    ),
    Case(
        "bad_query_non_utf8",
        "negative",
        (
            Step(
                "POST",
                "/sparql/",
                "ASK {}".encode("utf-16"),
                QUERY + "; charset=UTF-16",
                CLIENT_ERROR,
            ),
        ),
    ),
    Case(
        "bad_query_syntax",
        "negative",
        (Step("GET", "/sparql/?query=ASK%20%7B", status=CLIENT_ERROR),),
    ),
    Case(
        "bad_update_get",
        "negative",
        (Step("GET", "/sparql/?update=CLEAR%20ALL", status=CLIENT_ERROR),),
    ),
    Case(
        "bad_multiple_updates",
        "negative",
        (
            Step(
                "POST",
                "/sparql/",
                b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                FORM,
                CLIENT_ERROR,
            ),
        ),
    ),
    Case(
        "bad_update_wrong_media_type",
        "negative",
        (Step("POST", "/sparql/", b"CLEAR NAMED", "text/plain", CLIENT_ERROR),),
    ),
    Case(
        "bad_update_missing_form_type",
        "negative",
        (Step("POST", "/sparql/", b"update=CLEAR%20NAMED", None, CLIENT_ERROR),),
    ),
    Case(
        "bad_update_non_utf8",
        "negative",
        (
            Step(
                "POST",
                "/sparql/",
                "CLEAR NAMED".encode("utf-16"),
                UPDATE + "; charset=UTF-16",
                CLIENT_ERROR,
            ),
        ),
    ),
    Case(
        "bad_update_syntax",
        "negative",
        (Step("POST", "/sparql/", b"update=CLEAR%20XYZ", FORM, CLIENT_ERROR),),
    ),
    Case(
        "bad_update_dataset_conflict",
        "negative",
        (
            Step(
                "POST",
                "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
                b"PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
                b"DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
                b"WHERE { ?person foaf:givenName 'Bill' }",
                UPDATE,
                CLIENT_ERROR,
            ),
        ),
    ),
)
