"""Resolve the base models a paper really uses, each with its evidence.

The evidence, in order; the first kind that gives any base model decides, later kinds
are not consulted:

1. ``section`` (confidence 1.0): a list section about exactly one base model
   (``genrl:aboutBaseModel`` of its taxonomy concept). The survey's authors put the paper
   there, so the model is theirs. A section about two or more models (RL fine-tuning,
   distillation, safety) says nothing about which one a paper uses and gives no evidence.
   A paper in several single-model sections gets each of their models.
2. ``table-tag`` (0.9 x the table row's link confidence): the Taxonomy tags of the survey
   table rows linked to the paper; the authors' per-paper judgement, discounted by the
   uncertainty of the row-to-paper link.
3. ``vocabulary``: the curated phrases in the title (0.8), else in the abstract (0.6).
   A title names what the paper is about, so when the title names any base model the
   abstract is not read at all (abstracts also name baselines and prior work). An abstract
   is used only when it names exactly one base model; several are ambiguous and give none.

A paper with no evidence gets no base model, never all of its section's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from genrl_kg.paperfacts.vocabulary import Vocabulary, VocabularyMatch
from genrl_kg.papers import PaperRecord
from genrl_kg.taxonomy import Taxonomy, split_tags

__all__ = [
    "ABSTRACT_CONFIDENCE",
    "METHODS",
    "SECTION_CONFIDENCE",
    "TABLE_TAG_CONFIDENCE",
    "TITLE_CONFIDENCE",
    "BaseModelAssignment",
    "PaperEvidenceInput",
    "SectionEvidence",
    "TableTagEvidence",
    "make_paper_evidence",
    "make_section_evidence",
    "make_table_tag_evidence",
    "resolve_base_models",
]

logger = logging.getLogger(__name__)

METHODS = ("section", "table-tag", "vocabulary")
SECTION_CONFIDENCE = 1.0
TABLE_TAG_CONFIDENCE = 0.9
TITLE_CONFIDENCE = 0.8
ABSTRACT_CONFIDENCE = 0.6


@dataclass(frozen=True)
class SectionEvidence:
    """A list section the paper sits in: its heading path and the base models it is about."""

    path: tuple[str, ...]
    base_models: tuple[str, ...]


@dataclass(frozen=True)
class TableTagEvidence:
    """One base model named by a Taxonomy tag of a table row linked to the paper."""

    base_model: str
    cell: str
    link_confidence: float = 1.0
    source: str = ""  # the table row's IRI, when known


@dataclass(frozen=True)
class PaperEvidenceInput:
    """What the resolver reads about one paper."""

    title: str
    abstract: str | None = None
    sections: tuple[SectionEvidence, ...] = ()
    table_tags: tuple[TableTagEvidence, ...] = ()


@dataclass(frozen=True)
class BaseModelAssignment:
    """One base model of a paper with its evidence: method, source text, confidence, field."""

    base_model: str
    method: str
    source_text: str
    confidence: float
    field: str  # "section", "table", "title" or "abstract"
    source: str = ""  # the table row's IRI for a table tag, when known


def _from_sections(sections: Iterable[SectionEvidence]) -> list[BaseModelAssignment]:
    """Assign the model of each section about exactly one base model."""
    return [
        BaseModelAssignment(s.base_models[0], "section", " > ".join(s.path), 1.0, "section")
        for s in sections
        if len(s.base_models) == 1
    ]


def _from_tags(tags: Iterable[TableTagEvidence]) -> list[BaseModelAssignment]:
    """Assign every tagged base model, discounted by its row's link confidence."""
    return [
        BaseModelAssignment(
            t.base_model,
            "table-tag",
            t.cell,
            round(TABLE_TAG_CONFIDENCE * min(max(t.link_confidence, 0.0), 1.0), 3),
            "table",
            t.source,
        )
        for t in tags
    ]


def _from_matches(
    matches: Sequence[VocabularyMatch], confidence: float, field: str
) -> list[BaseModelAssignment]:
    """Assign the base model of each vocabulary match."""
    return [
        BaseModelAssignment(m.entry.base_model, "vocabulary", m.text, confidence, field)
        for m in matches
    ]


def _first_per_model(found: Iterable[BaseModelAssignment]) -> tuple[BaseModelAssignment, ...]:
    """Keep the most confident assignment of each base model (first on ties), in first-seen order."""
    best: dict[str, BaseModelAssignment] = {}
    for item in found:
        if item.base_model not in best or item.confidence > best[item.base_model].confidence:
            best[item.base_model] = item
    return tuple(best.values())


def resolve_base_models(
    inputs: PaperEvidenceInput, vocabulary: Vocabulary, use_abstract: bool = True
) -> tuple[BaseModelAssignment, ...]:
    """Return the paper's base models from the first kind of evidence that names any.

    >>> from genrl_kg.paperfacts.vocabulary import VocabularyEntry
    >>> vocab = Vocabulary.of([VocabularyEntry("VLA", "bm:tp", "both", "", 2)])
    >>> [(a.base_model, a.method, a.source_text) for a in resolve_base_models(
    ...     PaperEvidenceInput("SimpleVLA-RL: Scaling VLA Training"), vocab)]
    [('bm:tp', 'vocabulary', 'VLA')]
    >>> resolve_base_models(PaperEvidenceInput("VLAD features"), vocab)
    ()
    """
    found = _from_sections(inputs.sections)
    if not found:
        found = _from_tags(inputs.table_tags)
    if not found:
        found = _from_matches(vocabulary.find(inputs.title, "title"), TITLE_CONFIDENCE, "title")
    if not found and use_abstract:
        matches = vocabulary.find(inputs.abstract, "abstract")
        models = {m.entry.base_model for m in matches}
        if len(models) == 1:
            found = _from_matches(matches, ABSTRACT_CONFIDENCE, "abstract")
        elif models:
            logger.debug("abstract names %d base models; ambiguous, none assigned", len(models))
    return _first_per_model(found)


# --- building the input from the list, the taxonomy and the tables -----------------------


def make_section_evidence(taxonomy: Taxonomy, path: Sequence[str]) -> SectionEvidence:
    """Return the section at heading *path* with its concept's base models (none if unknown)."""
    concept = taxonomy.match_heading(path) if path else None
    models = taxonomy.about_base_models(concept) if concept is not None else ()
    return SectionEvidence(tuple(path), tuple(sorted(str(m) for m in models)))


def make_table_tag_evidence(
    taxonomy: Taxonomy, cell: str | None, link_confidence: float = 1.0, source: str = ""
) -> tuple[TableTagEvidence, ...]:
    """Return the base models named by a table's Taxonomy cell (unknown tags are skipped)."""
    out: list[TableTagEvidence] = []
    for tag in split_tags(cell or ""):
        concept = taxonomy.match_base_model(tag)
        if concept is None:
            logger.debug("table tag %r is not a base model", tag)
        elif all(t.base_model != str(concept) for t in out):
            out.append(TableTagEvidence(str(concept), tag, link_confidence, source))
    return tuple(out)


def make_paper_evidence(
    paper: PaperRecord,
    taxonomy: Taxonomy,
    abstract: str | None = None,
    table_tags: Iterable[TableTagEvidence] = (),
) -> PaperEvidenceInput:
    """Return the resolver's input for a merged list paper (its listed titles joined by ' | ')."""
    sections = tuple(make_section_evidence(taxonomy, s.path) for s in paper.sections)
    title = " | ".join(paper.titles or (paper.title,))
    return PaperEvidenceInput(title, abstract, sections, tuple(table_tags))
