"""What the explorer can filter by: the concepts, datasets and models of the graph, by slug."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from genrl_kg.namespace import (
    BASE_MODEL_SCHEME,
    CODE_AVAILABILITY_SCHEME,
    EVALUATION_SETTING_SCHEME,
    MODALITY_SCHEME,
    RL_TASK_SCHEME,
    TAXONOMY_SCHEME,
)

__all__ = [
    "CONCEPT_KINDS",
    "VOCABULARY_QUERY",
    "Concept",
    "Vocabulary",
    "slug_of",
    "vocabulary_from_rows",
]

logger = logging.getLogger(__name__)

# URL parameter -> concept scheme (the two last kinds are classes, not schemes)
CONCEPT_KINDS = {
    "category": TAXONOMY_SCHEME,
    "baseModel": BASE_MODEL_SCHEME,
    "task": RL_TASK_SCHEME,
    "modality": MODALITY_SCHEME,
    "code": CODE_AVAILABILITY_SCHEME,
    "setting": EVALUATION_SETTING_SCHEME,
    "dataset": "https://w3id.org/genrl-kg/ontology#Dataset",
    "model": "https://w3id.org/genrl-kg/ontology#FoundationModel",
}
_SCHEME_UNIONS = " UNION ".join(
    f'{{ ?concept skos:inScheme <{scheme}> . BIND ("{kind}" AS ?kind) }}'
    for kind, scheme in CONCEPT_KINDS.items()
    if kind not in ("dataset", "model")
)
VOCABULARY_QUERY = f"""
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT ?kind ?concept (MIN(?name) AS ?label) (MIN(?code) AS ?notation) (MIN(?up) AS ?parent)
WHERE {{
  {{ {_SCHEME_UNIONS}
    UNION {{ ?concept a genrl:Dataset . BIND ("dataset" AS ?kind) }}
    UNION {{ ?concept a genrl:FoundationModel . BIND ("model" AS ?kind) }} }}
  FILTER (isIRI(?concept))
  OPTIONAL {{ ?concept skos:prefLabel|schema:name ?name FILTER (lang(?name) IN ("", "en")) }}
  OPTIONAL {{ ?concept skos:notation ?code }}
  OPTIONAL {{ ?concept skos:broader ?up . FILTER (?kind = "category") }}
}}
GROUP BY ?kind ?concept
ORDER BY ?kind ?notation ?label ?concept
"""


def slug_of(iri: str) -> str:
    """Return the last path segment of *iri* (the slug the URL parameters use).

    >>> slug_of('https://w3id.org/genrl-kg/taxonomy/diffusion-policy')
    'diffusion-policy'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Concept:
    """One value a filter can take: its kind (URL parameter), IRI, slug and label."""

    kind: str
    iri: str
    slug: str
    label: str
    notation: str = ""
    parent: str | None = None  # the parent's slug (taxonomy concepts only)


@dataclass(frozen=True)
class Vocabulary:
    """Every filter value of the graph, and whether the graph has the list's history."""

    concepts: tuple[Concept, ...] = ()
    has_history: bool = False

    def of_kind(self, kind: str) -> tuple[Concept, ...]:
        """Return the concepts of *kind* in their order (notation, then label)."""
        return tuple(c for c in self.concepts if c.kind == kind)

    def find(self, kind: str, slug: str) -> Concept | None:
        """Return the concept of *kind* with *slug*, or None.

        >>> v = Vocabulary((Concept('code', 'https://x/code/available', 'available', 'Available'),))
        >>> v.find('code', 'available').label, v.find('code', 'none')
        ('Available', None)
        """
        return next((c for c in self.concepts if c.kind == kind and c.slug == slug), None)

    def label(self, kind: str, slug: str) -> str:
        """Return the label of a concept, or its slug when unknown."""
        concept = self.find(kind, slug)
        return concept.label if concept else slug


def _value(term: Any) -> str:
    """Return the lexical value of a term, or '' for None."""
    return "" if term is None else str(term.value)


def vocabulary_from_rows(rows: Sequence[Sequence[Any]], has_history: bool) -> Vocabulary:
    """Build the vocabulary from the rows of VOCABULARY_QUERY (kind, concept, label, notation, parent)."""
    concepts = []
    seen: set[tuple[str, str]] = set()
    for kind, concept, label, notation, parent in rows:
        iri = _value(concept)
        key = (_value(kind), slug_of(iri))
        if key in seen:
            logger.warning("two %s values share the slug %r; keeping the first", *key)
            continue
        seen.add(key)
        parent_iri = _value(parent)
        concepts.append(
            Concept(
                kind=key[0],
                iri=iri,
                slug=key[1],
                label=_value(label) or key[1],
                notation=_value(notation),
                parent=slug_of(parent_iri) if parent_iri else None,
            )
        )
    return Vocabulary(tuple(concepts), has_history)
