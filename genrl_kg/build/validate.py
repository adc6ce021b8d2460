"""The validation stage: the graph against the SHACL shapes, each violation named by its line."""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport
from genrl_kg.shacl import validate

__all__ = ["STAGE", "VALIDATED_GRAPHS", "ValidationReport", "validate_graphs"]

VALIDATED_GRAPHS = ("ontology", "list", "tables", "arxiv", "openalex", "history", "facts", "links")


@dataclass
class ValidationReport(StageReport):
    """How many quads were validated; a violation stops the build before this is made."""

    engine: str = "genrl_kg.shacl (in memory, held to pyshacl and pyrudof by the tests)"
    quads: int = 0


def validate_graphs(ctx: BuildContext) -> ValidationReport:
    """Validate the union of the content graphs; raise ValidationError naming source lines."""
    names = [n for n in VALIDATED_GRAPHS if n in ctx.quads.graphs]
    validate(ctx.quads.quads(names), where=ctx.locations.get)
    return ValidationReport(quads=sum(len(ctx.quads[n]) for n in names))


STAGE = Stage("shacl", validate_graphs, ValidationReport)
