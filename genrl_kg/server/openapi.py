"""An OpenAPI 3.1 document generated from the saved queries' headers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from genrl_kg import __version__
from genrl_kg.queries import Parameter, SavedQuery
from genrl_kg.sparql.formats import GRAPH_FORMATS, RESULTS_FORMATS

__all__ = ["build_openapi", "parameter_schema"]

_SCHEMAS: dict[str, dict[str, str]] = {
    "iri": {"type": "string", "format": "iri"},
    "xsd:integer": {"type": "integer"},
    "xsd:decimal": {"type": "number"},
    "xsd:boolean": {"type": "boolean"},
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
}


def parameter_schema(param: Parameter) -> dict[str, Any]:
    """Return the OpenAPI parameter object for a saved-query parameter.

    >>> parameter_schema(Parameter('year', 'xsd:gYear', None, 'A year'))['required']
    True
    """
    schema = dict(_SCHEMAS.get(param.datatype, {"type": "string"}))
    if param.default is not None:
        schema["default"] = param.default
    return {
        "name": param.name,
        "in": "query",
        "required": param.default is None,
        "description": f"{param.description} (bound as {param.datatype})",
        "schema": schema,
    }


def _operation(query: SavedQuery) -> dict[str, Any]:
    """Return the GET operation of one saved query."""
    formats = GRAPH_FORMATS if query.form in ("CONSTRUCT", "DESCRIBE") else RESULTS_FORMATS
    keys = list(formats)
    parameters = [parameter_schema(p) for p in query.parameters]
    parameters.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "result format (overrides the Accept header)",
            "schema": {"type": "string", "enum": keys},
        }
    )
    return {
        "operationId": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": f"{query.form} results",
                "content": {media: {"schema": {"type": "string"}} for media in formats.values()},
            },
            "400": {"description": "unknown, missing or ill-typed parameter"},
            "406": {"description": "no acceptable result format"},
            "503": {"description": "the query did not finish within the time limit"},
        },
    }


def build_openapi(queries: Iterable[SavedQuery], server: str) -> dict[str, Any]:
    """Return the OpenAPI document for the saved-query API served at *server*."""
    paths: dict[str, Any] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "List the saved queries with their parameters",
                "responses": {
                    "200": {"description": "the saved queries", "content": {"application/json": {}}}
                },
            }
        }
    }
    for query in queries:
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "genrl-kg saved queries",
            "version": __version__,
            "description": "Saved SPARQL queries; parameters are bound as typed RDF terms.",
        },
        "servers": [{"url": server}],
        "paths": paths,
    }
