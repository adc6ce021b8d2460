"""Run the re-encoded W3C SPARQL 1.1 Protocol cases against a live server over real sockets."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from w3c_protocol.cases import DATA, Case, Step

RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": (
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ),
}
SRX = "{http://www.w3.org/2005/sparql-results#}"


def suite_quads() -> list[ox.Quad]:
    """Return the graphs the suite's dataset cases need, as quads."""
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return [
        ox.Quad(ox.NamedNode(s), rdf_type, ox.NamedNode(o), ox.NamedNode(graph))
        for graph, triples in DATA.items()
        for s, o in triples
    ]


@dataclass(frozen=True)
class Outcome:
    """The result of one case."""

    name: str
    passed: bool
    detail: str


def _status_ok(status: int, classes: tuple[str, ...]) -> bool:
    """Return whether *status* is in one of the classes ('2xx', '4xx', ...)."""
    return f"{status // 100}xx" in classes


def _boolean(response: httpx.Response) -> bool | None:
    """Read a boolean result in JSON or XML."""
    media = response.headers.get("content-type", "").split(";")[0]
    if media.endswith("json"):
        return json.loads(response.content).get("boolean")
    root = ET.fromstring(response.content)
    node = root.find(f"{SRX}boolean")
    return None if node is None else node.text == "true"


def _check_step(step: Step, response: httpx.Response) -> str:
    """Return '' when *response* meets *step*, else what is wrong."""
    if not _status_ok(response.status_code, step.status):
        return f"status {response.status_code} not in {step.status}: {response.text[:200]}"
    if step.result:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media not in RESULT_TYPES[step.result]:
            return f"content type {media} is not a {step.result} result type"
    if step.boolean is not None and _boolean(response) is not step.boolean:
        return f"expected boolean {step.boolean}, got {response.text[:200]}"
    if step.check == "one_absolute_iri":
        bindings = json.loads(response.content)["results"]["bindings"]
        if (
            len(bindings) != 1
            or bindings[0]["o"]["type"] != "uri"
            or bindings[0]["o"]["value"] == "test"
        ):
            return f"expected one absolute IRI, got {bindings}"
    return ""


def run_case(client: httpx.Client, base_url: str, case: Case) -> Outcome:
    """Send each step of *case* to *base_url*; return whether every response met its step."""
    for index, step in enumerate(case.steps):
        headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9, */*;q=0.1"}
        if step.content_type:
            headers["Content-Type"] = step.content_type
        request = client.build_request(
            step.method, base_url + step.path, content=step.body, headers=headers
        )
        if not step.content_type:
            request.headers.pop("Content-Type", None)
        response = client.send(request)
        problem = _check_step(step, response)
        if problem:
            return Outcome(case.name, False, f"step {index + 1}: {problem}")
    return Outcome(case.name, True, "")
