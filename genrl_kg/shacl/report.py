"""SHACL results in the terms of the data and the shapes, and one-line reports of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "MAX_REPORTED",
    "SH",
    "Violation",
    "format_report",
    "format_violation",
    "shorten_iri",
    "sort_violations",
]

MAX_REPORTED = 10
SH = "http://www.w3.org/ns/shacl#"
PREFIXES = (
    ("sh:", SH),
    ("genrl:", "https://w3id.org/genrl-kg/ontology#"),
    ("dcterms:", "http://purl.org/dc/terms/"),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("prov:", "http://www.w3.org/ns/prov#"),
    ("schema:", "https://schema.org/"),
    ("wdt:", "http://www.wikidata.org/prop/direct/"),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
)


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, in the terms of the data and the shapes."""

    focus: str  # an IRI, or "_:label" for a blank node
    path: str | None  # the result path IRI; None for a node-level constraint such as sh:or
    component: str  # the constraint component IRI (sh:MinCountConstraintComponent in full)
    message: str  # one line: the shape's sh:message, or the engine's own
    shape: str | None  # the source shape IRI; None for an anonymous (blank) property shape
    severity: str  # "Violation", "Warning" or "Info"
    value: str | None = None  # the offending value: IRI bare, literal in N-Triples form


def shorten_iri(iri: str) -> str:
    """Return *iri* with a well-known prefix (``dcterms:title``), or unchanged.

    >>> shorten_iri("http://purl.org/dc/terms/title")
    'dcterms:title'
    >>> shorten_iri("https://example.org/x")
    'https://example.org/x'
    """
    for prefix, namespace in PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def sort_violations(violations: list[Violation]) -> list[Violation]:
    """Return *violations* in report order: focus node, path, component, message, value."""
    return sorted(
        violations, key=lambda v: (v.focus, v.path or "", v.component, v.message, v.value or "")
    )


def format_violation(violation: Violation, location: str | None = None) -> str:
    """Return one readable line for *violation*, led by its source *location* when known.

    >>> v = Violation("https://w3id.org/genrl-kg/paper/x", "http://purl.org/dc/terms/title",
    ...               SH + "MinCountConstraintComponent", "a paper needs a title", None, "Violation")
    >>> format_violation(v, "README.md:42")
    'README.md:42: https://w3id.org/genrl-kg/paper/x dcterms:title: a paper needs a title (sh:MinCountConstraintComponent)'
    """
    where = f"{location}: " if location else ""
    path = f" {shorten_iri(violation.path)}" if violation.path else ""
    component = shorten_iri(violation.component)
    return f"{where}{violation.focus}{path}: {violation.message} ({component})"


def format_report(
    violations: list[Violation], where: Callable[[str], str | None] | None = None
) -> str:
    """Return the one-line report: the count, then the first :data:`MAX_REPORTED` violations.

    >>> v = Violation("urn:x", None, SH + "OrConstraintComponent", "m", None, "Violation")
    >>> format_report([v], lambda focus: "README.md:7")
    'SHACL validation failed: 1 violation(s): README.md:7: urn:x: m (sh:OrConstraintComponent)'
    """
    shown = "; ".join(
        format_violation(v, where(v.focus) if where else None) for v in violations[:MAX_REPORTED]
    )
    more = len(violations) - MAX_REPORTED
    tail = f" (and {more} more)" if more > 0 else ""
    return f"SHACL validation failed: {len(violations)} violation(s): {shown}{tail}"
