"""SPARQL 1.1 Service Description (GET /sparql) and VoID (/.well-known/void)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from genrl_kg.sparql import formats
from genrl_kg.sparql.worker import Job, Rows

__all__ = [
    "COUNT_QUERIES",
    "RESULT_FORMAT_IRIS",
    "UNION_POLICY",
    "load_counts",
    "service_description_response",
    "void_endpoint",
]

logger = logging.getLogger(__name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
UNION_POLICY = (
    "The default graph is the union of all named graphs. The default-graph-uri and "
    "named-graph-uri parameters (or FROM / FROM NAMED) replace this dataset for one request."
)
COUNT_QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "totals": (
        "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
        "(COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects) "
        "WHERE { ?s ?p ?o }"
    ),
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
}


def _n(value: str) -> ox.NamedNode:
    """Return a NamedNode."""
    return ox.NamedNode(value)


def _int(value: int) -> ox.Literal:
    """Return an xsd:integer literal."""
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _graph_response(request: Request, triples: list[ox.Triple]) -> Response:
    """Serialise *triples* in the negotiated RDF format."""
    try:
        key = formats.negotiate(
            "graph", request.headers.get("accept"), request.query_params.get("format")
        )
    except formats.NotAcceptable as error:
        return PlainTextResponse(str(error) + "\n", status_code=406)
    body = formats.serialize_triples(triples, key)
    return Response(body, media_type=formats.media_type(key), headers={"Vary": "Accept"})


def service_description_response(request: Request) -> Response:
    """Describe the endpoint: languages, formats, features and the default-graph policy."""
    state = request.app.state
    endpoint = _n(str(request.url.replace(query="", fragment="")))
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(endpoint, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(endpoint, _n(SD + "endpoint"), endpoint),
        ox.Triple(endpoint, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(endpoint, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(
            endpoint,
            _n(SD + "defaultEntailmentRegime"),
            _n("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(endpoint, _n(DCT + "description"), ox.Literal(UNION_POLICY)),
        ox.Triple(endpoint, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default_graph, _n(DCT + "description"), ox.Literal("union of all named graphs")),
    ]
    if state.settings.allowed_remote:
        triples.append(ox.Triple(endpoint, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    triples += [
        ox.Triple(endpoint, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMAT_IRIS
    ]
    for graph in state.graph_names:
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(node, _n(SD + "name"), _n(graph)),
        ]
    return _graph_response(request, triples)


async def load_counts(request: Request) -> dict[str, list[list[Any]]] | str:
    """Compute (once) the store's counts for VoID; return an error message on failure."""
    state = request.app.state
    if state.void_counts is not None:
        return state.void_counts
    counts: dict[str, list[list[Any]]] = {}
    for name, text in COUNT_QUERIES.items():
        job = Job(text, op="rows", row_cap=100_000)
        reply = await state.pool.run(job, timeout=max(state.settings.timeout, 60.0))
        if not isinstance(reply, Rows):
            return getattr(reply, "message", "the counts could not be computed")
        counts[name] = reply.rows
    state.void_counts = counts
    return counts


async def void_endpoint(request: Request) -> Response:
    """Serve the VoID description computed from the store's real counts."""
    state = request.app.state
    counts = await load_counts(request)
    if isinstance(counts, str):
        return PlainTextResponse(counts + "\n", status_code=503)
    base = state.settings.base_iri
    root = str(request.base_url)
    dataset = _n(base + "dataset")
    (triples_n, subjects, properties, objects) = (int(t.value) for t in counts["totals"][0])
    classes = int(counts["classes"][0][0].value)
    triples = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(base)),
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(base + "dataset")),
        ox.Triple(dataset, _n(VOID + "triples"), _int(triples_n)),
        ox.Triple(dataset, _n(VOID + "distinctSubjects"), _int(subjects)),
        ox.Triple(dataset, _n(VOID + "properties"), _int(properties)),
        ox.Triple(dataset, _n(VOID + "distinctObjects"), _int(objects)),
        ox.Triple(dataset, _n(VOID + "classes"), _int(classes)),
        ox.Triple(dataset, _n(VOID + "dataDump"), _n(root + "graph-store?default")),
    ]
    for graph, count in counts["graphs"]:
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), graph),
            ox.Triple(graph, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(graph, _n(VOID + "triples"), _int(int(count.value))),
            ox.Triple(
                graph,
                _n(VOID + "sparqlGraphEndpoint"),
                _n(root + "graph-store?graph=" + quote(graph.value, safe="")),
            ),
        ]
    return _graph_response(request, triples)
