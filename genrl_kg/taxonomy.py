"""Load ontology/genrl.ttl and map list headings, table tags and table cells to concept IRIs."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from genrl_kg import settings
from genrl_kg.errors import InputError
from genrl_kg.namespace import (
    BASE_MODEL_SCHEME,
    CODE_AVAILABILITY_SCHEME,
    EVALUATION_SETTING_SCHEME,
    GENRL,
    MODALITY_SCHEME,
    SKOS,
    TAXONOMY_SCHEME,
    concept_iri,
)

__all__ = [
    "BOTH",
    "CODE_AVAILABLE",
    "CODE_COMING_SOON",
    "CODE_NOT_AVAILABLE",
    "REAL_WORLD",
    "SIMULATION",
    "SectionConcept",
    "Taxonomy",
    "clean_heading",
    "load_ontology",
    "load_taxonomy",
    "normalize_label",
    "slugify_heading",
    "split_tags",
]

logger = logging.getLogger(__name__)

_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*(?:[.)]\s*|\s+)")
_NEW_FLAG = re.compile(r"\(\s*new\s*!?\s*\)|\bnew!", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TAG_SEPARATORS = re.compile(r"[,;/]|\band\b", re.IGNORECASE)
_PART_SEPARATORS = re.compile(r"[,;()\[\]]")
_REAL_WORDS = frozenset({"real", "realworld", "physical", "hardware"})
_SIM_WORDS = frozenset({"sim", "simulation", "simulations", "simulated", "simulator", "simulators"})
_NOT_REAL_BEFORE = frozenset({"potential", "possible", "future", "planned", "no"})
_EMPTY_CELLS = frozenset({"", "n a", "na", "none", "unknown", "not specified", "nan"})

SIMULATION = concept_iri("evaluation-setting", "simulation")
REAL_WORLD = concept_iri("evaluation-setting", "real-world")
BOTH = concept_iri("evaluation-setting", "both")
CODE_AVAILABLE = concept_iri("code-availability", "available")
CODE_NOT_AVAILABLE = concept_iri("code-availability", "not-available")
CODE_COMING_SOON = concept_iri("code-availability", "coming-soon")
_IN_SCHEME = SKOS.inScheme
_PREF_LABEL = SKOS.prefLabel
_ALT_LABEL = SKOS.altLabel
_NOTATION = SKOS.notation
_BROADER = SKOS.broader
_DEFINITION = SKOS.definition
_ABOUT_BASE_MODEL = GENRL.aboutBaseModel


def clean_heading(text: str) -> str:
    """Strip list numbering, the (new!) flag and extra spaces from a heading, keeping its case.

    >>> clean_heading("  1.Learning reward functions with LLMs ")
    'Learning reward functions with LLMs'
    >>> clean_heading("### 1.2   Policy Safety (new!)".lstrip("# "))
    'Policy Safety'
    >>> clean_heading("3D Diffusion Policy")
    '3D Diffusion Policy'
    """
    text = unicodedata.normalize("NFKC", text).strip()
    text = _NUMBERING.sub("", text)
    text = _NEW_FLAG.sub(" ", text)
    return " ".join(text.split())


def normalize_label(text: str) -> str:
    """Return the matching key of a label: no numbering, lower case, '&' as 'and', no punctuation.

    >>> normalize_label("####   Planning & Exploration")
    'planning and exploration'
    >>> normalize_label("2.VLMs for reward-learning!")
    'vlms for reward learning'
    >>> normalize_label("Transfomer Model ")
    'transfomer model'
    """
    text = clean_heading(text.lstrip("#").strip()).lower().replace("&", " and ")
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def slugify_heading(text: str) -> str:
    """Return the IRI slug of a heading.

    >>> slugify_heading("2.Diffusion Policy (new!)")
    'diffusion-policy'
    >>> slugify_heading("Planning & Exploration")
    'planning-and-exploration'
    """
    return normalize_label(text).replace(" ", "-")


def split_tags(text: str) -> tuple[str, ...]:
    """Split a table's Taxonomy cell into its tags.

    >>> split_tags("World Model,LLM, VLM")
    ('World Model', 'LLM', 'VLM')
    >>> split_tags("Transformer Model  ,LLM")
    ('Transformer Model', 'LLM')
    """
    parts = (" ".join(p.split()) for p in _TAG_SEPARATORS.split(text or ""))
    return tuple(p for p in parts if p)


@dataclass(frozen=True)
class SectionConcept:
    """A list section resolved to a taxonomy concept, known or minted for an unknown heading."""

    iri: str
    known: bool
    broader: str | None
    label: str
    notation: str | None = None
    definition: str = ""


_ONTOLOGIES: dict[str, tuple[ox.Triple, ...]] = {}
_TAXONOMIES: dict[str, Taxonomy] = {}


def load_ontology(path: Path | Traversable | str = settings.ONTOLOGY_FILE) -> tuple[ox.Triple, ...]:
    """Return the ontology's triples, parsed once per path (Oxigraph's Turtle parser)."""
    path = Path(path) if isinstance(path, str) else path
    key = str(path)
    if key not in _ONTOLOGIES:
        try:
            data = path.read_bytes()
            triples = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=settings.ONTOLOGY_IRI)
            _ONTOLOGIES[key] = tuple(q.triple for q in triples)
        except (OSError, SyntaxError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise InputError(f"{path}: cannot read the ontology: {reason}") from None
    return _ONTOLOGIES[key]


def _value(term: object) -> str:
    """Return an IRI or a literal's lexical form, from a pyoxigraph or an rdflib term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


class Taxonomy:
    """Concepts of the ontology's schemes, indexed for matching headings, tags and cells.

    Concepts are plain IRI strings; any iterable of (subject, predicate, object) triples works,
    pyoxigraph's or rdflib's.
    """

    def __init__(self, triples: Iterable[Any]) -> None:
        """Index the concept schemes found in *triples*."""
        self._props: dict[str, dict[str, list[str]]] = {}
        for s, p, o in triples:
            self._props.setdefault(_value(s), {}).setdefault(_value(p), []).append(_value(o))
        self._labels: dict[str, str] = {}
        self._sections: dict[tuple[tuple[str, ...], str], SectionConcept] = {}
        self._keys: dict[str, frozenset[str]] = {}
        self._index: dict[str, dict[str, list[str]]] = {}
        memberships = sorted(
            (concept, scheme)
            for concept, props in self._props.items()
            for scheme in props.get(_IN_SCHEME, ())
        )
        for concept, scheme in memberships:
            pref = self.value(concept, _PREF_LABEL)
            alts = sorted(self.objects(concept, _ALT_LABEL))
            self._labels[concept] = pref if pref is not None else concept
            keys = frozenset(normalize_label(t) for t in [self._labels[concept], *alts])
            self._keys[concept] = keys
            index = self._index.setdefault(scheme, {})
            for key in sorted(keys):
                index.setdefault(key, []).append(concept)

    def objects(self, subject: str, predicate: str) -> tuple[str, ...]:
        """Return the values of *predicate* on *subject*, sorted."""
        return tuple(sorted(self._props.get(subject, {}).get(predicate, ())))

    def value(self, subject: str, predicate: str) -> str | None:
        """Return the smallest value of *predicate* on *subject*, or None."""
        found = self.objects(subject, predicate)
        return found[0] if found else None

    # --- lookups -------------------------------------------------------------------

    def concepts(self, scheme: str = TAXONOMY_SCHEME) -> tuple[str, ...]:
        """Return the concepts of *scheme*, sorted by IRI."""
        found = {c for cs in self._index.get(scheme, {}).values() for c in cs}
        return tuple(sorted(found))

    def label(self, concept: str) -> str:
        """Return the preferred label of *concept* (its IRI if it has none)."""
        return self._labels.get(concept, str(concept))

    def notation(self, concept: str) -> str | None:
        """Return the skos:notation of *concept*, if any."""
        return self.value(concept, _NOTATION)

    def broader(self, concept: str) -> str | None:
        """Return the broader concept of *concept* (the smallest IRI if several)."""
        return self.value(concept, _BROADER)

    def about_base_models(self, concept: str) -> tuple[str, ...]:
        """Return the base models a taxonomy concept is about (genrl:aboutBaseModel)."""
        return self.objects(concept, _ABOUT_BASE_MODEL)

    def ancestors(self, concept: str) -> tuple[str, ...]:
        """Return the broader chain of *concept*, nearest first."""
        chain: list[str] = []
        current = self.broader(concept)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.broader(current)
        return tuple(chain)

    def _lookup(self, scheme: str, text: str, plural: bool = False) -> list[str]:
        """Return the concepts of *scheme* with a label matching *text*."""
        index = self._index.get(scheme, {})
        key = normalize_label(text)
        found = index.get(key, [])
        if not found and plural and key.endswith("s"):
            found = index.get(key[:-1], [])
        return found

    # --- list headings -----------------------------------------------------------------

    def match_heading(self, path: Sequence[str]) -> str | None:
        """Return the taxonomy concept for the last heading of *path*, or None if unknown.

        The heading's label decides (a moved section keeps its concept); when several
        concepts share it, the one whose ancestors' labels agree most with the parent
        headings wins, ties going to the smallest IRI.
        """
        if not path:
            return None
        candidates = self._lookup(TAXONOMY_SCHEME, path[-1])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        parents = {normalize_label(p) for p in path[:-1]}

        def agreement(concept: str) -> int:
            return sum(1 for a in self.ancestors(concept) if self._keys.get(a, set()) & parents)

        return max(sorted(candidates), key=agreement)

    def resolve_section(self, path: Sequence[str], base: str = settings.BASE_IRI) -> SectionConcept:
        """Return the concept of the section at *path*; mint `{base}taxonomy/{slug}` if unknown.

        Pass the heading path below the document title: an unknown heading is placed under
        its parent heading's concept (itself known or minted), with one logged warning per
        unknown heading (answers are remembered per path and base).
        """
        key = (tuple(path), base)
        if key not in self._sections:
            self._sections[key] = self._resolve_section(tuple(path), base)
        return self._sections[key]

    def _resolve_section(self, path: tuple[str, ...], base: str) -> SectionConcept:
        """Resolve one section path (uncached)."""
        if not path:
            raise ValueError("resolve_section needs a non-empty heading path")
        known = self.match_heading(path)
        if known is not None:
            return SectionConcept(
                iri=known,
                known=True,
                broader=self.broader(known),
                label=self.label(known),
                notation=self.notation(known),
                definition=self.value(known, _DEFINITION) or "",
            )
        label = clean_heading(path[-1])
        slug = slugify_heading(path[-1]) or "untitled"
        parent = self.resolve_section(path[:-1], base) if len(path) > 1 else None
        iri = f"{base}taxonomy/{slug}"
        if iri in self._labels and parent is not None:
            iri = f"{base}taxonomy/{parent.iri.rsplit('/', 1)[-1]}-{slug}"
        logger.warning(
            "heading %r is not in the ontology's taxonomy; minted %s under %s",
            label,
            iri,
            parent.iri if parent else "no parent",
        )
        return SectionConcept(
            iri=iri,
            known=False,
            broader=parent.iri if parent else None,
            label=label,
            definition=f"List section '{label}', found in the list's headings "
            "but not in the ontology's taxonomy.",
        )

    # --- table cells -------------------------------------------------------------------

    def match_base_model(self, tag: str) -> str | None:
        """Return the base-model concept for one table tag or model-type name, or None."""
        found = self._lookup(BASE_MODEL_SCHEME, tag, plural=True)
        return found[0] if found else None

    def match_code_availability(self, text: str | None) -> str | None:
        """Return the code-availability concept for a Code Available cell, or None if blank."""
        raw = (text or "").strip()
        key = normalize_label(raw)
        if not key:
            return None
        found = self._lookup(CODE_AVAILABILITY_SCHEME, raw)
        if found:
            return found[0]
        if "soon" in key.split():
            return CODE_COMING_SOON
        if raw.lower().startswith(("http://", "https://", "github.com")) or key.startswith("yes"):
            return CODE_AVAILABLE
        if key in _EMPTY_CELLS or key.startswith(("no ", "not ")):
            return CODE_NOT_AVAILABLE
        return None

    def match_evaluation_setting(self, text: str | None) -> str | None:
        """Return simulation, real world or both for a 'Simulation or Real Exp' cell.

        Real robots named only as potential or future work count as simulation.
        """
        key = normalize_label(text or "")
        if key in _EMPTY_CELLS:
            return None
        found = self._lookup(EVALUATION_SETTING_SCHEME, text or "")
        if found:
            return found[0]
        words = key.split()
        simulated = any(w in _SIM_WORDS for w in words)
        real = any(
            w in _REAL_WORDS and (i == 0 or words[i - 1] not in _NOT_REAL_BEFORE)
            for i, w in enumerate(words)
        )
        if simulated and real:
            return BOTH
        if simulated:
            return SIMULATION
        return REAL_WORLD if real else None

    def match_modalities(self, text: str | None) -> tuple[str, ...]:
        """Return the modality concepts named in a Modality table cell, in order, no repeats."""
        whole = self._lookup(MODALITY_SCHEME, text or "", plural=True)
        if whole:
            return (whole[0],)
        found: list[str] = []
        for part in _PART_SEPARATORS.split(text or ""):
            match = self._lookup(MODALITY_SCHEME, part, plural=True)
            if match and match[0] not in found:
                found.append(match[0])
            elif not match and normalize_label(part) not in {"", "etc"}:
                logger.debug("modality %r not in the ontology", part.strip())
        return tuple(found)


def load_taxonomy(path: Path | Traversable | str = settings.ONTOLOGY_FILE) -> Taxonomy:
    """Return the (cached) Taxonomy of the ontology file at *path*."""
    key = str(path)
    if key not in _TAXONOMIES:
        _TAXONOMIES[key] = Taxonomy(load_ontology(path))
    return _TAXONOMIES[key]
