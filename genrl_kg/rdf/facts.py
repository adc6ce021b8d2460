"""Triples for the facts per paper: each fact in ``graph/facts`` with a genrl:Evidence node.

An evidence node describes one piece of evidence (property, value, method, text, confidence,
source) and is named after its content: ``{base}evidence/{property}/{value}/{method}/{digest}``.
Papers resting on the same evidence (every paper of one section, every paper first released in
one month) share its node, so a fact costs its paper two triples (the fact and the
``genrl:evidence`` link) and a rebuild from the same input gives the same IRIs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from genrl_kg.paperfacts import BaseModelAssignment, CodeLink
from genrl_kg.rdf import QuadSet, Term
from genrl_kg.rdf.terms import (
    GENRL,
    PROV,
    RDF,
    SCHEMA,
    decimal,
    iri,
    path_segment,
    text,
    year_month,
)

__all__ = [
    "CODE_AVAILABLE",
    "CODE_NOT_AVAILABLE",
    "Evidence",
    "FactWriter",
    "ModalityProfile",
    "add_arxiv_month",
    "add_base_model",
    "add_code_available",
    "add_code_repository",
    "add_modalities",
    "format_confidence",
]

CODE_AVAILABLE = iri("https://w3id.org/genrl-kg/code-availability/available")
CODE_NOT_AVAILABLE = iri("https://w3id.org/genrl-kg/code-availability/not-available")
_CONCEPTS = "https://w3id.org/genrl-kg/"
# Terms made once: OxNamespace lookups cost microseconds, and a build adds tens of thousands.
_EVIDENCE, _EVIDENCE_CLASS = GENRL.evidence, GENRL.Evidence
_PROPERTY, _VALUE, _METHOD = GENRL.evidenceProperty, GENRL.evidenceValue, GENRL.evidenceMethod
_TEXT, _CONFIDENCE, _TYPE = GENRL.evidenceText, GENRL.confidence, RDF.type
_DERIVED = PROV.wasDerivedFrom
_BASE_MODEL, _MONTH, _REPOSITORY = GENRL.baseModel, GENRL.arxivMonth, SCHEMA.codeRepository
_CODE, _INPUT, _OUTPUT = GENRL.codeAvailability, GENRL.inputModality, GENRL.outputModality


@dataclass(frozen=True)
class Evidence:
    """Why the graph states a fact: how it was found, in what text, how sure, from what."""

    method: str
    text: str
    confidence: float
    source: ox.NamedNode | None = None  # a table row or a modality profile


@dataclass(frozen=True)
class ModalityProfile:
    """A row of the survey's Modality table as the list stage stored it."""

    node: ox.NamedNode
    name: str
    inputs: tuple[ox.NamedNode, ...]
    outputs: tuple[ox.NamedNode, ...]
    input_text: str
    output_text: str


def format_confidence(value: float) -> str:
    """Return *value* (clamped to 0..1) in xsd:decimal's canonical form, at most 3 places.

    Canonical, as a store gives it back: a rebuild compares equal to what was loaded.

    >>> format_confidence(1), format_confidence(0.783), format_confidence(0.8), format_confidence(-1)
    ('1', '0.783', '0.8', '0')
    """
    lexical = f"{min(max(value, 0.0), 1.0):.3f}".rstrip("0").rstrip(".")
    return lexical or "0"


def _value_key(value: Term) -> str:
    """Return the IRI segment naming *value*: a concept's slug, a literal, a URL without scheme.

    >>> _value_key(ox.NamedNode("https://w3id.org/genrl-kg/base-model/llm"))
    'llm'
    >>> _value_key(ox.NamedNode("https://github.com/a/b")), _value_key(ox.Literal("2023-03"))
    ('github.com%2Fa%2Fb', '2023-03')
    """
    if isinstance(value, ox.NamedNode):
        if value.value.startswith(_CONCEPTS):
            return path_segment(value.value.rsplit("/", 1)[-1])
        return path_segment(value.value.split("://", 1)[-1])
    return path_segment(value.value)


class FactWriter:
    """Adds facts to ``graph/facts``, writing each evidence node once."""

    def __init__(self, quads: QuadSet) -> None:
        """Write into *quads*' facts graph, evidence nodes under its base."""
        self._graph = quads["facts"]
        self._base = quads.base
        self._nodes: dict[tuple[ox.NamedNode, Term, Evidence], ox.NamedNode] = {}

    def add(
        self, paper: ox.NamedNode, predicate: ox.NamedNode, value: Term, evidence: Evidence
    ) -> ox.NamedNode:
        """Add (*paper*, *predicate*, *value*) and link its evidence node; return that node."""
        key = (predicate, value, evidence)
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = self._write_evidence(predicate, value, evidence)
        self._graph.add(paper, predicate, value)
        self._graph.add(paper, _EVIDENCE, node)
        return node

    def _write_evidence(
        self, predicate: ox.NamedNode, value: Term, evidence: Evidence
    ) -> ox.NamedNode:
        """Write the evidence node for one (property, value, evidence) and return its IRI."""
        confidence = format_confidence(evidence.confidence)
        source = evidence.source.value if evidence.source is not None else ""
        content = "\n".join(
            (predicate.value, str(value), evidence.method, evidence.text, confidence, source)
        )
        digest = hashlib.blake2b(content.encode("utf-8"), digest_size=8).hexdigest()
        name = predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        parts = ("evidence", name, _value_key(value), path_segment(evidence.method), digest)
        node = iri(self._base + "/".join(parts))
        g = self._graph
        g.add(node, _TYPE, _EVIDENCE_CLASS)
        g.add(node, _PROPERTY, predicate)
        g.add(node, _VALUE, value)
        g.add(node, _METHOD, text(evidence.method))
        g.add(node, _TEXT, text(evidence.text))
        g.add(node, _CONFIDENCE, decimal(confidence))
        if evidence.source is not None:
            g.add(node, _DERIVED, evidence.source)
        return node


def add_base_model(writer: FactWriter, paper: ox.NamedNode, found: BaseModelAssignment) -> None:
    """Add one base model of *paper* with the evidence the resolver found for it.

    The text is the section path, the table's tag or the phrase found (in the title at
    confidence 0.8, in the abstract at 0.6).
    """
    source = iri(found.source) if found.source else None
    evidence = Evidence(found.method, found.source_text, found.confidence, source)
    writer.add(paper, _BASE_MODEL, iri(found.base_model), evidence)


def add_arxiv_month(writer: FactWriter, paper: ox.NamedNode, arxiv_id: str, month: str) -> None:
    """Add the month of *paper*'s first arXiv version, read from its identifier.

    The evidence text is the identifier's YYMM (``2303`` of ``2303.04137``), so every paper
    of one month shares one evidence node.
    """
    writer.add(paper, _MONTH, *_month_fact(month, arxiv_id.rsplit("/", 1)[-1][:4]))


@lru_cache(maxsize=4096)
def _month_fact(month: str, yymm: str) -> tuple[ox.Literal, Evidence]:
    """Return the literal and evidence of one month (made once per month)."""
    return year_month(month), Evidence("identifier", yymm, 1.0)


def add_code_repository(writer: FactWriter, paper: ox.NamedNode, link: CodeLink) -> None:
    """Add a code repository of *paper*, with one evidence node per place it was found."""
    for origin in link.origins:
        writer.add(paper, _REPOSITORY, iri(link.url), Evidence(origin, link.url, 1.0))


def add_code_available(
    writer: FactWriter, paper: ox.NamedNode, links: tuple[CodeLink, ...]
) -> None:
    """Say that *paper*'s code is available, with one evidence node per repository and origin."""
    for link in links:
        for origin in link.origins:
            writer.add(paper, _CODE, CODE_AVAILABLE, Evidence(origin, link.url, 1.0))


def add_modalities(
    writer: FactWriter,
    paper: ox.NamedNode,
    profiles: Mapping[str, tuple[ModalityProfile, ...]],
    found: BaseModelAssignment,
) -> int:
    """Add the modalities *paper* has through one base model's Modality rows; return how many.

    Each is inferred (method ``modality-profile``) and as sure as the base model itself.
    """
    added = 0
    for profile in profiles.get(found.base_model, ()):
        for predicate, values, cell in (
            (_INPUT, profile.inputs, profile.input_text),
            (_OUTPUT, profile.outputs, profile.output_text),
        ):
            evidence = Evidence(
                "modality-profile", f"{profile.name}: {cell}", found.confidence, profile.node
            )
            for value in values:
                writer.add(paper, predicate, value, evidence)
                added += 1
    return added
