"""The validation stage: the graph against the SHACL shapes, each violation named by its line."""

from __future__ import annotations

from dataclasses import dataclass

from genrl_kg.build.context import BuildContext, Stage, StageReport
from genrl_kg.validate import validate_ntriples

__all__ = ["STAGE", "VALIDATED_GRAPHS", "ValidationReport", "validate_graphs"]

VALIDATED_GRAPHS = ("ontology", "list", "tables", "arxiv", "openalex", "history", "facts", "links")


@dataclass
class ValidationReport(StageReport):
    """Which engine validated how many triples; a violation stops the build before this."""

    engine: str = ""
    triples: int = 0


def validate_graphs(ctx: BuildContext) -> ValidationReport:
    """Validate the union of the content graphs; raise ValidationError naming source lines."""
    names = [n for n in VALIDATED_GRAPHS if n in ctx.quads.graphs]
    triples = ctx.quads.triples(names)
    engine = validate_ntriples(triples, where=ctx.locations.get)
    return ValidationReport(engine=engine, triples=len(triples))


STAGE = Stage("shacl", validate_graphs, ValidationReport)
