"""SHACL validation of the built graph against ``ontology/shapes.ttl``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH

from genrl_kg.errors import ValidationError
from genrl_kg.settings import SHAPES_FILE

__all__ = [
    "MAX_REPORTED",
    "find_violations",
    "load_shapes",
    "validate_graph",
    "validate_ntriples",
]

log = logging.getLogger(__name__)

MAX_REPORTED = 10


@lru_cache(maxsize=2)
def load_shapes(path: Path | Traversable = SHAPES_FILE) -> Graph:
    """Return the SHACL shapes graph (parsed once)."""
    return Graph().parse(data=path.read_bytes(), format="turtle")


def find_violations(data: Graph, shapes: Graph | None = None) -> list[str]:
    """Return one readable line per SHACL violation in *data* (empty when it conforms)."""
    import pyshacl  # slow to import; only needed here

    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes if shapes is not None else load_shapes(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    if conforms:
        return []
    lines = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        lines.append(f"{focus} {path}: {message}")
    return sorted(lines)


def validate_ntriples(
    triples: Iterable[ox.Triple], where: Callable[[str], str | None] | None = None
) -> str:
    """Validate *triples* against the shapes; name each violation's source line via *where*.

    Returns the name of the engine that validated.
    """
    data = Graph().parse(
        data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    violations = find_violations(data)
    if violations:
        if where is not None:
            violations = [_locate(v, where) for v in violations]
        shown = "; ".join(violations[:MAX_REPORTED])
        more = len(violations) - MAX_REPORTED
        raise ValidationError(
            f"SHACL validation failed: {len(violations)} violation(s): {shown}"
            + (f" (and {more} more)" if more > 0 else "")
        )
    return "pyshacl"


def _locate(line: str, where: Callable[[str], str | None]) -> str:
    focus = line.split(" ", 1)[0]
    place = where(focus)
    return f"{place}: {line}" if place else line


def validate_graph(data: Graph, shapes: Graph | None = None) -> None:
    """Raise :class:`ValidationError` with a readable report if *data* violates the shapes."""
    violations = find_violations(data, shapes)
    if violations:
        shown = "; ".join(violations[:MAX_REPORTED])
        more = (
            f" (and {len(violations) - MAX_REPORTED} more)"
            if len(violations) > MAX_REPORTED
            else ""
        )
        raise ValidationError(
            f"SHACL validation failed: {len(violations)} violation(s): {shown}{more}"
        )
