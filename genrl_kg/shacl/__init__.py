"""SHACL validation of the graph against ``ontology/shapes.ttl``, in memory, with source lines.

The build validates its own quads with :mod:`genrl_kg.shacl.engine` (no serialisation, no second
copy of the graph); :mod:`genrl_kg.shacl.rudof` runs the same shapes through pyrudof, the
reference the tests hold the engine to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox

from genrl_kg import settings
from genrl_kg.errors import ValidationError
from genrl_kg.shacl.engine import Shapes, compile_shapes, run_shapes
from genrl_kg.shacl.report import (
    MAX_REPORTED,
    Violation,
    format_report,
    format_violation,
    shorten_iri,
    sort_violations,
)

__all__ = [
    "MAX_REPORTED",
    "Violation",
    "find_violations",
    "format_report",
    "format_violation",
    "load_shapes",
    "shorten_iri",
    "validate",
]

log = logging.getLogger(__name__)

_COMPILED: dict[str, Shapes] = {}
Data = bytes | Iterable[ox.Triple | ox.Quad]


def load_shapes(path: Path | Traversable | None = None) -> Shapes:
    """Return the compiled shapes of *path* (the shipped shapes by default), compiled once."""
    source = path if path is not None else settings.SHAPES_FILE
    key = str(source)
    if key not in _COMPILED:
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise ValidationError(
                f"cannot read the SHACL shapes {source}: {exc.strerror or exc}"
            ) from None
        _COMPILED[key] = compile_shapes(data)
    return _COMPILED[key]


def _triples(data: Data) -> Iterable[ox.Triple | ox.Quad]:
    """Return the triples of *data*: N-Triples bytes are parsed, anything else used as it is."""
    if not isinstance(data, bytes):
        return data
    try:
        return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise ValidationError(
            f"cannot read the data graph (N-Triples): {' '.join(str(exc).split())}"
        ) from None


def find_violations(
    data: Data,
    shapes_path: Path | Traversable | None = None,
    *,
    only: Collection[str] | None = None,
) -> list[Violation]:
    """Return every SHACL result for *data* (N-Triples bytes, triples or quads), sorted.

    *only* limits the focus nodes to these IRIs (``_:label`` for blank nodes).
    """
    results = run_shapes(load_shapes(shapes_path), _triples(data), only)
    return sort_violations(results)


def validate(
    data: Data,
    shapes_path: Path | Traversable | None = None,
    where: Callable[[str], str | None] | None = None,
    *,
    only: Collection[str] | None = None,
) -> None:
    """Raise :class:`ValidationError` naming each violation (and its source line, via *where*)."""
    results = find_violations(data, shapes_path, only=only)
    for result in results:
        if result.severity != "Violation":
            log.warning("SHACL %s: %s", result.severity.lower(), format_violation(result))
    violations = [result for result in results if result.severity == "Violation"]
    if violations:
        raise ValidationError(format_report(violations, where))
